//! threading.h: the mutex layer that every shared context locks through.
//!
//! Three backends, chosen at build time (see `build/config.rs`):
//!
//! - built-in (`MBEDTLS_THREADING_BUILTIN`, default): an 8-byte mutex whose
//!   lifecycle and lock state share one atomic word (`lockword.rs`), parking
//!   waiters in parking_lot's global parking lot;
//! - pthread (`MBEDTLS_THREADING_PTHREAD`): upstream's layout around a
//!   default-type `pthread_mutex_t`, with our lifecycle tag, waiter count
//!   and holder id in its padding;
//! - alt (`MBEDTLS_THREADING_ALT`): the application's mutex functions, with
//!   the library's bookkeeping in a side table keyed by address
//!   (`alt_table.rs`).
//!
//! In every backend, lock or unlock of a never-initialised or freed mutex
//! returns `MBEDTLS_ERR_THREADING_BAD_INPUT_DATA`; unlock of a mutex that is
//! not locked returns `MBEDTLS_ERR_THREADING_MUTEX_ERROR`; free of a locked,
//! never-initialised or freed mutex does nothing. Where threads have ids
//! (hosted builds), an unlock by a thread that does not hold the mutex, and
//! a lock that would self-deadlock, also return
//! `MBEDTLS_ERR_THREADING_MUTEX_ERROR`; firmware builds (`no_std`) cannot
//! tell tasks apart and leave those to the application's mutex.

use core::ffi::c_int;
use core::sync::atomic::{AtomicUsize, Ordering};

use crate::abi::threading::{
    MBEDTLS_ERR_THREADING_BAD_INPUT_DATA, MBEDTLS_ERR_THREADING_MUTEX_ERROR,
};

// The C surface is left out of loom builds, which swap the atomics of the
// state machines for loom's.
pub(crate) mod ctx;
#[cfg(not(loom))]
pub(crate) mod ext_ffi;
#[cfg(not(loom))]
pub(crate) mod ffi;
#[cfg(not(loom))]
pub(crate) mod hooklock;
mod once;
mod park;
mod sync;
mod thread_id;

#[cfg(any(mbedtls_threading_alt, loom))]
mod alt_table;
#[cfg(any(mbedtls_threading_builtin, loom))]
mod lockword;

#[cfg(mbedtls_threading_alt)]
pub(crate) mod alt;
#[cfg(all(mbedtls_threading_alt, feature = "std", not(loom)))]
pub(crate) mod alt_test_backend;
#[cfg(mbedtls_threading_builtin)]
pub(crate) mod builtin;
#[cfg(mbedtls_threading_pthread)]
pub(crate) mod pthread;

#[cfg(all(test, loom))]
mod loom_tests;

#[cfg(mbedtls_threading_alt)]
pub(crate) use alt as backend;
#[cfg(mbedtls_threading_builtin)]
pub(crate) use builtin as backend;
#[cfg(mbedtls_threading_pthread)]
pub(crate) use pthread as backend;

/// Installs a mutex backend for the library's own Rust tests: under
/// `MBEDTLS_THREADING_ALT` a table-based one (see `alt_test_backend.rs`);
/// nothing to do in the other configurations.
#[doc(hidden)]
#[cfg(not(loom))]
pub fn install_test_backend() {
    #[cfg(all(mbedtls_threading_alt, feature = "std"))]
    alt_test_backend::install_test_alt_backend();
}

/// Everything that can go wrong in the threading layer. [`Self::code`] is the
/// single place where these become C error codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(not(mbedtls_threading_c), allow(dead_code))]
pub(crate) enum ThreadingError {
    /// The mutex was never initialised, or was freed.
    NotInitialised,
    /// `MBEDTLS_THREADING_ALT` without an installed backend.
    #[cfg(any(mbedtls_threading_alt, loom))]
    NoBackend,
    /// The calling thread already holds the mutex (or is running the
    /// run-once function it asks for again).
    WouldDeadlock,
    /// Unlock of a mutex that is not locked.
    NotLocked,
    /// Unlock of a mutex held by another thread.
    NotOwner,
    /// The flag or mutex memory holds an impossible value.
    Corrupted,
    /// The operating system's mutex call failed with this errno.
    #[cfg(mbedtls_threading_pthread)]
    Os(c_int),
    /// The application's mutex function returned this code.
    #[cfg(any(mbedtls_threading_alt, loom))]
    Backend(c_int),
}

impl ThreadingError {
    /// The `MBEDTLS_ERR_*` code for this error.
    pub(crate) fn code(self) -> c_int {
        match self {
            ThreadingError::NotInitialised | ThreadingError::Corrupted => {
                MBEDTLS_ERR_THREADING_BAD_INPUT_DATA
            }
            #[cfg(any(mbedtls_threading_alt, loom))]
            ThreadingError::NoBackend => MBEDTLS_ERR_THREADING_BAD_INPUT_DATA,
            ThreadingError::WouldDeadlock
            | ThreadingError::NotLocked
            | ThreadingError::NotOwner => MBEDTLS_ERR_THREADING_MUTEX_ERROR,
            #[cfg(mbedtls_threading_pthread)]
            ThreadingError::Os(_) => MBEDTLS_ERR_THREADING_MUTEX_ERROR,
            // The application's own code, passed through as upstream does.
            #[cfg(any(mbedtls_threading_alt, loom))]
            ThreadingError::Backend(code) => code,
        }
    }
}

#[cfg(any(mbedtls_threading_builtin, loom))]
impl From<lockword::LockError> for ThreadingError {
    fn from(e: lockword::LockError) -> Self {
        match e {
            lockword::LockError::NotInitialised => ThreadingError::NotInitialised,
            lockword::LockError::WouldDeadlock => ThreadingError::WouldDeadlock,
            lockword::LockError::NotLocked => ThreadingError::NotLocked,
            lockword::LockError::NotOwner => ThreadingError::NotOwner,
        }
    }
}

#[cfg(any(mbedtls_threading_alt, loom))]
impl From<alt_table::AltError> for ThreadingError {
    fn from(e: alt_table::AltError) -> Self {
        match e {
            alt_table::AltError::NotInitialised => ThreadingError::NotInitialised,
            alt_table::AltError::NoBackend => ThreadingError::NoBackend,
            alt_table::AltError::WouldDeadlock => ThreadingError::WouldDeadlock,
            alt_table::AltError::NotLocked => ThreadingError::NotLocked,
            alt_table::AltError::NotOwner => ThreadingError::NotOwner,
            alt_table::AltError::Backend(code) => ThreadingError::Backend(code),
        }
    }
}

impl From<once::OnceError> for ThreadingError {
    fn from(e: once::OnceError) -> Self {
        match e {
            once::OnceError::Reentered => ThreadingError::WouldDeadlock,
            once::OnceError::Corrupted => ThreadingError::Corrupted,
        }
    }
}

/// What an init did to a mutex, for the live-mutex count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(not(mbedtls_threading_c), allow(dead_code))]
pub(crate) enum Lifecycle {
    /// The call made a mutex live (init) or retired it (free).
    Changed,
    /// The call changed nothing (double init, free of a locked, freed or
    /// never-initialised mutex).
    Unchanged,
}

/// `mbedtls_mutex_init` calls that made a mutex live, minus `mbedtls_mutex_free`
/// calls that retired one. The library's global mutexes are not counted.
static LIVE_MUTEXES: AtomicUsize = AtomicUsize::new(0);

/// Adjusts the live-mutex count after an init.
#[cfg_attr(not(mbedtls_threading_c), allow(dead_code))]
pub(crate) fn count_init(outcome: Lifecycle) {
    if outcome == Lifecycle::Changed {
        LIVE_MUTEXES.fetch_add(1, Ordering::Relaxed);
    }
}

/// Adjusts the live-mutex count after a free.
#[cfg_attr(not(mbedtls_threading_c), allow(dead_code))]
pub(crate) fn count_free(outcome: Lifecycle) {
    if outcome == Lifecycle::Changed {
        // Never below zero, even if the count missed an init (it cannot, but
        // a leak counter that wraps would be worse than useless).
        let _ = LIVE_MUTEXES.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| {
            Some(n.saturating_sub(1))
        });
    }
}

/// The number of live mutexes (see [`LIVE_MUTEXES`]).
pub(crate) fn live_mutexes() -> usize {
    LIVE_MUTEXES.load(Ordering::Relaxed)
}

#[cfg(not(loom))]
/// Runs `f` once for the flag made of `state`/`owner` (see [`once`]).
pub(crate) fn call_once(
    state: &core::sync::atomic::AtomicU32,
    owner: &core::sync::atomic::AtomicU32,
    f: impl FnOnce(),
) -> Result<(), ThreadingError> {
    once::OnceWord::new(state, owner)
        .call(thread_id::current(), &park::PARKER, f)
        .map_err(ThreadingError::from)
}
