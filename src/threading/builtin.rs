//! The built-in backend: [`LockWord`] over the two words of
//! `mbedtls_threading_mutex_t`, parking in parking_lot's global parking lot.

use core::ptr::NonNull;
use core::sync::atomic::AtomicU32;

use super::lockword::{FreeOutcome, InitOutcome, LIVE, LockWord};
use super::park::PARKER;
use super::{Lifecycle, ThreadingError, thread_id};
use crate::abi::threading::mbedtls_threading_mutex_t;

/// The lock word of the mutex at `m`.
///
/// # Safety
///
/// `m` must point to a `mbedtls_threading_mutex_t` that stays valid for
/// `'a` and is only accessed atomically meanwhile (the library never
/// creates references to a mutex's fields, and C code must not touch them).
unsafe fn word<'a>(m: NonNull<mbedtls_threading_mutex_t>) -> LockWord<'a> {
    let m = m.as_ptr();
    // SAFETY: the fields are `u32`s, so they are suitably aligned for
    // `AtomicU32`; validity and atomic-only access are the caller's promise.
    unsafe {
        LockWord::new(
            AtomicU32::from_ptr(&raw mut (*m).state),
            AtomicU32::from_ptr(&raw mut (*m).owner),
        )
    }
}

/// A mutex value that is live and unlocked, for statically defined mutexes.
pub(crate) const STATIC_LIVE: mbedtls_threading_mutex_t = mbedtls_threading_mutex_t {
    state: LIVE,
    owner: 0,
};

/// Initialises the mutex at `m`.
///
/// # Safety
///
/// See [`word`].
pub(crate) unsafe fn init(m: NonNull<mbedtls_threading_mutex_t>) -> Lifecycle {
    // SAFETY: forwarded to the caller.
    match unsafe { word(m) }.init() {
        InitOutcome::Initialised => Lifecycle::Changed,
        InitOutcome::AlreadyLive => Lifecycle::Unchanged,
    }
}

/// Frees the mutex at `m` if it is live and unlocked.
///
/// # Safety
///
/// See [`word`].
pub(crate) unsafe fn free(m: NonNull<mbedtls_threading_mutex_t>) -> Lifecycle {
    // SAFETY: forwarded to the caller.
    match unsafe { word(m) }.free() {
        FreeOutcome::Freed => Lifecycle::Changed,
        FreeOutcome::NotLive | FreeOutcome::Busy => Lifecycle::Unchanged,
    }
}

/// Locks the mutex at `m`.
///
/// # Safety
///
/// See [`word`].
#[inline]
pub(crate) unsafe fn lock(m: NonNull<mbedtls_threading_mutex_t>) -> Result<(), ThreadingError> {
    // SAFETY: forwarded to the caller.
    unsafe { word(m) }
        .lock(thread_id::current(), &PARKER)
        .map_err(ThreadingError::from)
}

/// Unlocks the mutex at `m`.
///
/// # Safety
///
/// See [`word`].
#[inline]
pub(crate) unsafe fn unlock(m: NonNull<mbedtls_threading_mutex_t>) -> Result<(), ThreadingError> {
    // SAFETY: forwarded to the caller.
    unsafe { word(m) }
        .unlock(thread_id::current(), &PARKER)
        .map_err(ThreadingError::from)
}

/// Whether the mutex at `m` is live.
///
/// # Safety
///
/// See [`word`].
#[cfg_attr(not(test), allow(dead_code))]
pub(crate) unsafe fn is_live(m: NonNull<mbedtls_threading_mutex_t>) -> bool {
    // SAFETY: forwarded to the caller.
    unsafe { word(m) }.is_live()
}
