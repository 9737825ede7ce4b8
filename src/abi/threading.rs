//! threading.h: the mutex type and the threading error codes.

use core::ffi::c_int;

#[cfg(all(mbedtls_threading_pthread, ctest))]
use super::ctest_libc::pthread_mutex_t;
#[cfg(all(mbedtls_threading_pthread, not(ctest)))]
use libc::pthread_mutex_t;

/// A mutex pointer was NULL, the mutex was never initialised (zero-filled
/// memory) or has been freed, or, under `MBEDTLS_THREADING_ALT`, no backend
/// has been installed yet with `mbedtls_threading_set_alt()`.
pub const MBEDTLS_ERR_THREADING_BAD_INPUT_DATA: c_int = -0x001C;

/// The lock operation failed: unlock of a mutex that is not locked or is
/// held by another thread, a lock that would deadlock because the calling
/// thread already holds the mutex, or a failure reported by the underlying
/// mutex implementation.
pub const MBEDTLS_ERR_THREADING_MUTEX_ERROR: c_int = -0x001E;

/// A mutex of the built-in backend (`MBEDTLS_THREADING_BUILTIN`, the
/// default): a word of state and the id of the owning thread, 8 bytes in
/// all. All-bits-zero memory is a valid mutex that was never initialised;
/// locking it returns `MBEDTLS_ERR_THREADING_BAD_INPUT_DATA`.
///
/// Applications must not touch the fields; they are accessed atomically by
/// the library.
/// cbindgen:field-names=[MBEDTLS_PRIVATE(state), MBEDTLS_PRIVATE(owner)]
#[cfg(mbedtls_threading_builtin)]
#[repr(C)]
pub struct mbedtls_threading_mutex_t {
    /// Lifecycle and lock state (a tagged word, see `threading/lockword.rs`).
    pub state: u32,
    /// Id of the thread that holds the lock, 0 when unlocked.
    pub owner: u32,
}

/// A mutex of the pthread backend (`MBEDTLS_THREADING_PTHREAD`), laid out as
/// upstream's: a `pthread_mutex_t` followed by the `state` byte that
/// upstream's mutex-usage checker maintains. The library sets `state` to 1
/// in `mbedtls_mutex_init()` and otherwise leaves it to such tools.
///
/// `waiters`, `guard` and `owner` are our own bookkeeping. They sit in what is padding
/// in upstream's struct on 64-bit targets, so size, alignment and the
/// offsets of `mutex` and `state` are upstream's there (on 32-bit targets
/// the struct is 4 bytes larger). All-bits-zero means "never initialised".
/// cbindgen:field-names=[MBEDTLS_PRIVATE(mutex), MBEDTLS_PRIVATE(state), MBEDTLS_PRIVATE(waiters), MBEDTLS_PRIVATE(guard), MBEDTLS_PRIVATE(owner)]
#[cfg(mbedtls_threading_pthread)]
#[repr(C)]
pub struct mbedtls_threading_mutex_t {
    /// The pthread mutex (default type, as upstream's).
    pub mutex: pthread_mutex_t,
    /// Upstream's test-only state byte: 0 freed/never initialised, 1 idle,
    /// 2 locked (maintained by upstream's mutex-usage checker when used).
    pub state: core::ffi::c_char,
    /// Threads blocked waiting for it (so that free leaves it alone).
    pub waiters: u8,
    /// The library's lifecycle tag (never initialised, live, freed).
    pub guard: u16,
    /// Id of the thread that holds the lock, 0 when unlocked.
    pub owner: u32,
}

#[cfg(mbedtls_threading_alt)]
include!(concat!(env!("OUT_DIR"), "/alt_mutex.rs"));
