//! The C surface of threading.h: the four `mbedtls_mutex_*` function
//! pointers, the global mutexes, and `mbedtls_threading_set_alt` /
//! `mbedtls_threading_free_alt` under `MBEDTLS_THREADING_ALT`.
//!
//! The pointers are variables, as upstream's are: a program may read them
//! and install wrappers (upstream's test framework does), and the library
//! locks every mutex through them.

#[cfg(mbedtls_threading_c)]
use core::ffi::c_int;
#[cfg(mbedtls_threading_c)]
use core::ptr::NonNull;

#[cfg(mbedtls_threading_c)]
use super::{backend, count_free, count_init};
#[cfg(mbedtls_threading_c)]
use crate::abi::threading::{MBEDTLS_ERR_THREADING_BAD_INPUT_DATA, mbedtls_threading_mutex_t};
#[cfg(mbedtls_threading_c)]
use crate::ffi::boundary;

/// Initialises a mutex. Points at the library's implementation; a program
/// may replace it (for instance with a wrapper that calls the original).
///
/// The library's implementation: does nothing if `mutex` is NULL or already
/// initialised (so a second init neither leaks nor disturbs a holder). Under
/// `MBEDTLS_THREADING_ALT`, an init that runs before
/// `mbedtls_threading_set_alt()` is remembered, and the application's init
/// runs at the mutex's first lock once a backend is installed.
///
/// Thread safety: caller serialises (per mutex: different mutexes may be
/// initialised concurrently, but not while the same mutex is in use).
#[cfg(mbedtls_threading_c)]
#[unsafe(no_mangle)]
pub static mut mbedtls_mutex_init: Option<
    unsafe extern "C" fn(mutex: *mut mbedtls_threading_mutex_t),
> = Some(mutex_init_impl);

/// Frees a mutex. Points at the library's implementation; a program may
/// replace it.
///
/// The library's implementation: does nothing if `mutex` is NULL, was never
/// initialised, is already freed, or is locked (a holder is never
/// disturbed). A freed mutex may be initialised again.
///
/// Thread safety: caller serialises (per mutex: must not race a lock of the
/// same mutex by another thread; a free while another thread holds it is
/// refused and does nothing).
#[cfg(mbedtls_threading_c)]
#[unsafe(no_mangle)]
pub static mut mbedtls_mutex_free: Option<
    unsafe extern "C" fn(mutex: *mut mbedtls_threading_mutex_t),
> = Some(mutex_free_impl);

/// Locks a mutex, waiting as long as another thread holds it. Points at the
/// library's implementation; a program may replace it.
///
/// The library's implementation returns 0 on success,
/// `MBEDTLS_ERR_THREADING_BAD_INPUT_DATA` if `mutex` is NULL, was never
/// initialised, was freed, or (`MBEDTLS_THREADING_ALT`) no backend is
/// installed yet, and `MBEDTLS_ERR_THREADING_MUTEX_ERROR` if the calling
/// thread already holds it (instead of deadlocking; hosted builds, which
/// know thread ids) or the system's mutex failed. Under `MBEDTLS_THREADING_ALT`, a non-zero code from the
/// application's lock function is returned as is.
///
/// Thread safety: locked.
#[cfg(mbedtls_threading_c)]
#[unsafe(no_mangle)]
pub static mut mbedtls_mutex_lock: Option<
    unsafe extern "C" fn(mutex: *mut mbedtls_threading_mutex_t) -> c_int,
> = Some(mutex_lock_impl);

/// Unlocks a mutex held by the calling thread. Points at the library's
/// implementation; a program may replace it.
///
/// The library's implementation returns 0 on success,
/// `MBEDTLS_ERR_THREADING_BAD_INPUT_DATA` if `mutex` is NULL, was never
/// initialised or was freed, and `MBEDTLS_ERR_THREADING_MUTEX_ERROR` if it
/// is not locked or (hosted builds) another thread holds it.
///
/// Thread safety: locked.
#[cfg(mbedtls_threading_c)]
#[unsafe(no_mangle)]
pub static mut mbedtls_mutex_unlock: Option<
    unsafe extern "C" fn(mutex: *mut mbedtls_threading_mutex_t) -> c_int,
> = Some(mutex_unlock_impl);

/// A mutex pointer the backends may use: non-NULL and aligned for the type
/// (a misaligned pointer, say into a packed struct, is refused rather than
/// accessed atomically, which would be undefined behaviour).
#[cfg(mbedtls_threading_c)]
fn usable(mutex: *mut mbedtls_threading_mutex_t) -> Option<NonNull<mbedtls_threading_mutex_t>> {
    NonNull::new(mutex).filter(|m| m.as_ptr().is_aligned())
}

/// Whether `mutex` is one of the library's global mutexes, which the
/// live-mutex count leaves out.
#[cfg(mbedtls_threading_c)]
fn is_global(mutex: *mut mbedtls_threading_mutex_t) -> bool {
    global_mutexes().contains(&mutex)
}

/// The library's `mbedtls_mutex_init`.
///
/// # Safety
///
/// `mutex` is NULL or points to a `mbedtls_threading_mutex_t` that stays
/// valid during the call.
#[cfg(mbedtls_threading_c)]
unsafe extern "C" fn mutex_init_impl(mutex: *mut mbedtls_threading_mutex_t) {
    boundary(|| {
        let Some(m) = usable(mutex) else { return };
        // SAFETY: valid per this function's contract.
        let outcome = unsafe { backend::init(m) };
        if !is_global(mutex) {
            count_init(outcome);
        }
    })
}

/// The library's `mbedtls_mutex_free`.
///
/// # Safety
///
/// As [`mutex_init_impl`].
#[cfg(mbedtls_threading_c)]
unsafe extern "C" fn mutex_free_impl(mutex: *mut mbedtls_threading_mutex_t) {
    boundary(|| {
        let Some(m) = usable(mutex) else { return };
        // SAFETY: valid per this function's contract.
        let outcome = unsafe { backend::free(m) };
        if !is_global(mutex) {
            count_free(outcome);
        }
    })
}

/// The library's `mbedtls_mutex_lock`.
///
/// # Safety
///
/// As [`mutex_init_impl`].
#[cfg(mbedtls_threading_c)]
unsafe extern "C" fn mutex_lock_impl(mutex: *mut mbedtls_threading_mutex_t) -> c_int {
    boundary(|| {
        let Some(m) = usable(mutex) else {
            return MBEDTLS_ERR_THREADING_BAD_INPUT_DATA;
        };
        // SAFETY: valid per this function's contract.
        match unsafe { backend::lock(m) } {
            Ok(()) => 0,
            Err(e) => e.code(),
        }
    })
}

/// The library's `mbedtls_mutex_unlock`.
///
/// # Safety
///
/// As [`mutex_init_impl`].
#[cfg(mbedtls_threading_c)]
unsafe extern "C" fn mutex_unlock_impl(mutex: *mut mbedtls_threading_mutex_t) -> c_int {
    boundary(|| {
        let Some(m) = usable(mutex) else {
            return MBEDTLS_ERR_THREADING_BAD_INPUT_DATA;
        };
        // SAFETY: valid per this function's contract.
        match unsafe { backend::unlock(m) } {
            Ok(()) => 0,
            Err(e) => e.code(),
        }
    })
}

/// Serialises directory scanning (used by X.509 code in upstream; kept for
/// programs that lock it). Statically initialised; under
/// `MBEDTLS_THREADING_ALT` it is initialised by `mbedtls_threading_set_alt()`.
#[cfg(all(mbedtls_threading_c, mbedtls_fs_io))]
#[unsafe(no_mangle)]
pub static mut mbedtls_threading_readdir_mutex: mbedtls_threading_mutex_t = backend::STATIC_LIVE;

/// Serialises `gmtime()` on platforms without `gmtime_r()`. This library
/// always uses `gmtime_r()`, but defines the mutex so that the declaration
/// is never left without a definition (upstream leaves it undefined on
/// glibc).
#[cfg(all(
    mbedtls_threading_c,
    mbedtls_have_time_date,
    not(mbedtls_platform_gmtime_r_alt)
))]
#[unsafe(no_mangle)]
pub static mut mbedtls_threading_gmtime_mutex: mbedtls_threading_mutex_t = backend::STATIC_LIVE;

/// Upstream's PSA key-slot mutex. This library has no PSA subsystem; the
/// mutex is declared under upstream's condition (`MBEDTLS_PSA_CRYPTO_C`,
/// which our configuration does not define) and always defined.
#[cfg(all(mbedtls_threading_c, mbedcrypto_psa_mutexes))]
#[unsafe(no_mangle)]
pub static mut mbedtls_threading_key_slot_mutex: mbedtls_threading_mutex_t = backend::STATIC_LIVE;

/// Upstream's PSA global-data mutex (see `mbedtls_threading_key_slot_mutex`).
#[cfg(all(mbedtls_threading_c, mbedcrypto_psa_mutexes))]
#[unsafe(no_mangle)]
pub static mut mbedtls_threading_psa_globaldata_mutex: mbedtls_threading_mutex_t =
    backend::STATIC_LIVE;

/// Upstream's PSA RNG-data mutex (see `mbedtls_threading_key_slot_mutex`).
#[cfg(all(mbedtls_threading_c, mbedcrypto_psa_mutexes))]
#[unsafe(no_mangle)]
pub static mut mbedtls_threading_psa_rngdata_mutex: mbedtls_threading_mutex_t =
    backend::STATIC_LIVE;

/// The addresses of the library's global mutexes that exist in this
/// configuration (the first `.1` entries of `.0`).
#[cfg(mbedtls_threading_c)]
struct Globals([*mut mbedtls_threading_mutex_t; 5], usize);

// SAFETY: only addresses, never dereferenced through this table.
#[cfg(mbedtls_threading_c)]
unsafe impl Sync for Globals {}

#[cfg(mbedtls_threading_c)]
static GLOBALS: Globals = {
    let mut all = [core::ptr::null_mut(); 5];
    // Firmware builds have neither file nor calendar mutexes.
    #[cfg_attr(not(any(mbedtls_fs_io, mbedtls_have_time_date)), allow(unused_mut))]
    let mut n = 0;
    #[cfg(mbedtls_fs_io)]
    {
        all[n] = &raw mut mbedtls_threading_readdir_mutex;
        n += 1;
    }
    #[cfg(all(mbedtls_have_time_date, not(mbedtls_platform_gmtime_r_alt)))]
    {
        all[n] = &raw mut mbedtls_threading_gmtime_mutex;
        n += 1;
    }
    all[n] = &raw mut mbedtls_threading_key_slot_mutex;
    all[n + 1] = &raw mut mbedtls_threading_psa_globaldata_mutex;
    all[n + 2] = &raw mut mbedtls_threading_psa_rngdata_mutex;
    Globals(all, n + 3)
};

/// The library's global mutexes that exist in this configuration.
#[cfg(mbedtls_threading_c)]
fn global_mutexes() -> &'static [*mut mbedtls_threading_mutex_t] {
    &GLOBALS.0[..GLOBALS.1]
}

/// Installs the application's mutex functions and initialises the global
/// mutexes. Call it once, early in `main`, while the program is still
/// single-threaded.
///
/// Differences from upstream, all on the safe side:
/// - contexts and mutexes initialised *before* this call work: their
///   mutexes are initialised with `mutex_init` at their first lock;
/// - if any of the four functions is NULL, nothing is installed (locks keep
///   failing with `MBEDTLS_ERR_THREADING_BAD_INPUT_DATA`);
/// - the `mbedtls_mutex_*` pointers keep pointing at the library's checking
///   wrappers, which call these functions.
///
/// The functions must follow upstream's contract: `mutex_init` cannot
/// fail visibly (if it fails, `mutex_lock` must then return an error),
/// `mutex_free` releases what init acquired, `mutex_lock`/`mutex_unlock`
/// return 0 on success.
///
/// Thread safety: caller serialises (call before starting threads).
///
/// # Safety
///
/// The functions must be safe to call with any mutex the library or the
/// program initialises.
#[cfg(mbedtls_threading_alt)]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mbedtls_threading_set_alt(
    mutex_init: Option<unsafe extern "C" fn(mutex: *mut mbedtls_threading_mutex_t)>,
    mutex_free: Option<unsafe extern "C" fn(mutex: *mut mbedtls_threading_mutex_t)>,
    mutex_lock: Option<unsafe extern "C" fn(mutex: *mut mbedtls_threading_mutex_t) -> c_int>,
    mutex_unlock: Option<unsafe extern "C" fn(mutex: *mut mbedtls_threading_mutex_t) -> c_int>,
) {
    boundary(|| {
        super::alt::set_alt(
            mutex_init,
            mutex_free,
            mutex_lock,
            mutex_unlock,
            global_mutexes(),
        )
    })
}

/// Frees the global mutexes. Call it once at the end of the program. After
/// it, mutexes that are still live keep working with the installed
/// functions, but mutexes initialised before `mbedtls_threading_set_alt()`
/// and never locked can no longer be initialised lazily.
///
/// Thread safety: caller serialises (call after joining threads).
///
/// # Safety
///
/// None beyond the contract of the installed functions.
#[cfg(mbedtls_threading_alt)]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mbedtls_threading_free_alt() {
    boundary(|| super::alt::free_alt(global_mutexes()))
}

/// Unit tests that call the exported symbols exactly as C does (through the
/// function pointers), with NULLs and misuse.
#[cfg(all(test, any(mbedtls_threading_builtin, mbedtls_threading_pthread)))]
mod tests {
    use super::*;
    use crate::abi::threading::MBEDTLS_ERR_THREADING_MUTEX_ERROR;
    use std::sync::Arc;

    fn init(m: *mut mbedtls_threading_mutex_t) {
        // SAFETY: reading the pointer variable; the tests never write it.
        unsafe { mbedtls_mutex_init.unwrap()(m) }
    }
    fn free(m: *mut mbedtls_threading_mutex_t) {
        // SAFETY: as in `init`.
        unsafe { mbedtls_mutex_free.unwrap()(m) }
    }
    fn lock(m: *mut mbedtls_threading_mutex_t) -> c_int {
        // SAFETY: as in `init`.
        unsafe { mbedtls_mutex_lock.unwrap()(m) }
    }
    fn unlock(m: *mut mbedtls_threading_mutex_t) -> c_int {
        // SAFETY: as in `init`.
        unsafe { mbedtls_mutex_unlock.unwrap()(m) }
    }

    /// A zero-filled mutex on the heap, as C code would allocate it.
    struct CMutex(Box<core::cell::UnsafeCell<mbedtls_threading_mutex_t>>);
    // SAFETY: the library's functions synchronise all access to it.
    unsafe impl Sync for CMutex {}
    // SAFETY: as above; it is plain memory.
    unsafe impl Send for CMutex {}
    impl CMutex {
        fn zeroed() -> Self {
            // SAFETY: all-zero bytes are a valid (never-initialised) mutex.
            CMutex(Box::new(core::cell::UnsafeCell::new(unsafe {
                core::mem::zeroed()
            })))
        }
        fn ptr(&self) -> *mut mbedtls_threading_mutex_t {
            self.0.get()
        }
    }

    #[test]
    fn null_and_zero_filled() {
        init(core::ptr::null_mut());
        free(core::ptr::null_mut());
        assert_eq!(
            lock(core::ptr::null_mut()),
            MBEDTLS_ERR_THREADING_BAD_INPUT_DATA
        );
        assert_eq!(
            unlock(core::ptr::null_mut()),
            MBEDTLS_ERR_THREADING_BAD_INPUT_DATA
        );
        let m = CMutex::zeroed();
        assert_eq!(lock(m.ptr()), MBEDTLS_ERR_THREADING_BAD_INPUT_DATA);
        assert_eq!(unlock(m.ptr()), MBEDTLS_ERR_THREADING_BAD_INPUT_DATA);
        free(m.ptr());
        // SAFETY: `m` is a valid mutex for the duration of the call.
        assert!(!unsafe { backend::is_live(NonNull::new(m.ptr()).unwrap()) });
    }

    #[test]
    fn misuse_is_reported() {
        let m = CMutex::zeroed();
        init(m.ptr());
        assert_eq!(unlock(m.ptr()), MBEDTLS_ERR_THREADING_MUTEX_ERROR);
        assert_eq!(lock(m.ptr()), 0);
        assert_eq!(lock(m.ptr()), MBEDTLS_ERR_THREADING_MUTEX_ERROR);
        free(m.ptr()); // refused: locked
        assert_eq!(unlock(m.ptr()), 0);
        free(m.ptr());
        assert_eq!(lock(m.ptr()), MBEDTLS_ERR_THREADING_BAD_INPUT_DATA);
        assert_eq!(unlock(m.ptr()), MBEDTLS_ERR_THREADING_BAD_INPUT_DATA);
        free(m.ptr());
    }

    #[test]
    fn unlock_by_another_thread_is_refused() {
        let m = Arc::new(CMutex::zeroed());
        init(m.ptr());
        assert_eq!(lock(m.ptr()), 0);
        let other = m.clone();
        let r = std::thread::spawn(move || unlock(other.ptr()))
            .join()
            .unwrap();
        assert_eq!(r, MBEDTLS_ERR_THREADING_MUTEX_ERROR);
        assert_eq!(unlock(m.ptr()), 0);
        free(m.ptr());
    }

    /// Lock rounds per thread (Miri is slow).
    const ROUNDS: usize = if cfg!(miri) { 40 } else { 2000 };

    #[test]
    fn threads_exclude_each_other() {
        let m = Arc::new(CMutex::zeroed());
        init(m.ptr());
        let counter = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let inside = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let threads: Vec<_> = (0..4)
            .map(|_| {
                let (m, counter, inside) = (m.clone(), counter.clone(), inside.clone());
                std::thread::spawn(move || {
                    for _ in 0..ROUNDS {
                        assert_eq!(lock(m.ptr()), 0);
                        assert!(!inside.swap(true, core::sync::atomic::Ordering::Relaxed));
                        counter.fetch_add(1, core::sync::atomic::Ordering::Relaxed);
                        inside.store(false, core::sync::atomic::Ordering::Relaxed);
                        assert_eq!(unlock(m.ptr()), 0);
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        assert_eq!(
            counter.load(core::sync::atomic::Ordering::Relaxed),
            4 * ROUNDS
        );
        free(m.ptr());
    }

    #[test]
    fn global_mutexes_are_live() {
        let g = &raw mut mbedtls_threading_readdir_mutex;
        assert_eq!(lock(g), 0);
        assert_eq!(lock(g), MBEDTLS_ERR_THREADING_MUTEX_ERROR);
        assert_eq!(unlock(g), 0);
    }
}
