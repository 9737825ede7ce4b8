//! The pthread backend: upstream's `{ pthread_mutex_t mutex; char state; }`
//! with a default-type pthread mutex (as upstream's), and our lifecycle tag
//! (`guard`) and the holder's id (`owner`) in the struct's padding. Misuse
//! is detected from those two fields before the pthread call, so pthread
//! (and tools that watch it, such as ThreadSanitizer) only ever sees
//! correct use.
//!
//! Upstream's mutex-usage checker (its test framework) wraps the
//! `mbedtls_mutex_*` pointers and keeps `state` itself: it sets it after our
//! init and lock, clears it before our unlock, and reads it after our free.
//! So this backend writes `state` only in init (to 1, "idle", which is also
//! what the checker writes), and keeps its own checks in `guard`.

use core::ffi::c_int;
use core::ptr::NonNull;
use core::sync::atomic::{AtomicU8, AtomicU16, AtomicU32, Ordering};

use super::{Lifecycle, ThreadingError, thread_id};
use crate::abi::threading::mbedtls_threading_mutex_t;

/// `guard` of a mutex initialised by `mbedtls_mutex_init` ("MP").
const GUARD_LIVE: u16 = 0x4D50;
/// `guard` of a freed mutex ("MF").
const GUARD_FREED: u16 = 0x4D46;
/// Upstream's "idle" value of `state`.
const STATE_IDLE: core::ffi::c_char = 1;

/// A statically defined library mutex, as upstream's globals:
/// `PTHREAD_MUTEX_INITIALIZER` and `state` idle; our guard says live.
pub(crate) const STATIC_LIVE: mbedtls_threading_mutex_t = mbedtls_threading_mutex_t {
    mutex: libc::PTHREAD_MUTEX_INITIALIZER,
    state: STATE_IDLE,
    waiters: 0,
    guard: GUARD_LIVE,
    owner: 0,
};

/// The `guard` field of the mutex at `m`.
///
/// # Safety
///
/// `m` must point to a valid `mbedtls_threading_mutex_t` for `'a`, whose
/// `guard` is only accessed atomically meanwhile.
unsafe fn guard<'a>(m: NonNull<mbedtls_threading_mutex_t>) -> &'a AtomicU16 {
    // SAFETY: `guard` is a `u16` field, so it is aligned for AtomicU16;
    // validity is the caller's promise.
    unsafe { AtomicU16::from_ptr(&raw mut (*m.as_ptr()).guard) }
}

/// The `owner` field of the mutex at `m`: the id of the thread that holds
/// it, 0 when unlocked. Only the holder writes it.
///
/// # Safety
///
/// As for [`guard`].
unsafe fn owner<'a>(m: NonNull<mbedtls_threading_mutex_t>) -> &'a AtomicU32 {
    // SAFETY: `owner` is a `u32` field, aligned for AtomicU32; validity is
    // the caller's promise.
    unsafe { AtomicU32::from_ptr(&raw mut (*m.as_ptr()).owner) }
}

/// The `waiters` field: threads blocked in `pthread_mutex_lock` on it
/// (saturating at 255, after which the mutex can no longer be freed).
///
/// # Safety
///
/// As for [`guard`].
unsafe fn waiters<'a>(m: NonNull<mbedtls_threading_mutex_t>) -> &'a AtomicU8 {
    // SAFETY: a `u8` field; validity is the caller's promise.
    unsafe { AtomicU8::from_ptr(&raw mut (*m.as_ptr()).waiters) }
}

/// # Safety
///
/// `m` must point to a valid mutex.
unsafe fn raw(m: NonNull<mbedtls_threading_mutex_t>) -> *mut libc::pthread_mutex_t {
    // SAFETY: in bounds of the valid struct the caller promised.
    unsafe { &raw mut (*m.as_ptr()).mutex }
}

/// Checks that `m` is live.
///
/// # Safety
///
/// `m` must point to a valid mutex.
#[inline]
unsafe fn ensure_live(m: NonNull<mbedtls_threading_mutex_t>) -> Result<(), ThreadingError> {
    // SAFETY: forwarded to the caller.
    match unsafe { guard(m) }.load(Ordering::Acquire) {
        GUARD_LIVE => Ok(()),
        _ => Err(ThreadingError::NotInitialised),
    }
}

/// Initialises the mutex at `m` (nothing happens if it is live).
///
/// # Safety
///
/// `m` must point to a valid mutex; init must not race other calls on it.
pub(crate) unsafe fn init(m: NonNull<mbedtls_threading_mutex_t>) -> Lifecycle {
    // SAFETY: forwarded to the caller.
    let g = unsafe { guard(m) };
    match g.load(Ordering::Acquire) {
        GUARD_LIVE => Lifecycle::Unchanged,
        _ => {
            // SAFETY: forwarded to the caller; default attributes, as upstream.
            if unsafe { libc::pthread_mutex_init(raw(m), core::ptr::null()) } != 0 {
                // Left not live: lock reports BAD_INPUT_DATA.
                return Lifecycle::Unchanged;
            }
            // SAFETY: valid per the caller; nothing else accesses `state`
            // during init (upstream's checker writes it after we return).
            unsafe { (*m.as_ptr()).state = STATE_IDLE };
            // SAFETY: as above.
            unsafe { owner(m) }.store(0, Ordering::Relaxed);
            g.store(GUARD_LIVE, Ordering::Release);
            Lifecycle::Changed
        }
    }
}

/// Frees the mutex at `m` if it is live and not locked.
///
/// # Safety
///
/// `m` must point to a valid mutex.
pub(crate) unsafe fn free(m: NonNull<mbedtls_threading_mutex_t>) -> Lifecycle {
    // SAFETY: forwarded to the caller.
    let g = unsafe { guard(m) };
    match g.load(Ordering::Acquire) {
        GUARD_LIVE => {
            // SAFETY: forwarded to the caller.
            let (holder, blocked) = unsafe { (owner(m), waiters(m)) };
            // Take the lock first, so a holder is never disturbed: if it is
            // held (by anyone, including us) or threads wait for it, free
            // does nothing.
            if holder.load(Ordering::Relaxed) != 0
                || blocked.load(Ordering::SeqCst) != 0
                // SAFETY: the mutex is live.
                || unsafe { libc::pthread_mutex_trylock(raw(m)) } != 0
            {
                return Lifecycle::Unchanged;
            }
            let won = g
                .compare_exchange(GUARD_LIVE, GUARD_FREED, Ordering::SeqCst, Ordering::Acquire)
                .is_ok();
            // A locker that registered as a waiter before seeing FREED must
            // not find its mutex destroyed under it (its registration and
            // this check are both SeqCst: one of the two sees the other).
            let abandon = won && blocked.load(Ordering::SeqCst) != 0;
            if abandon {
                g.store(GUARD_LIVE, Ordering::SeqCst);
            }
            // SAFETY: we hold the lock we just took; destroy runs on an
            // unlocked mutex that no longer passes the guard check.
            unsafe {
                libc::pthread_mutex_unlock(raw(m));
                if won && !abandon {
                    libc::pthread_mutex_destroy(raw(m));
                }
            }
            if won && !abandon {
                Lifecycle::Changed
            } else {
                Lifecycle::Unchanged
            }
        }
        _ => Lifecycle::Unchanged,
    }
}

fn map_os(rc: c_int) -> Result<(), ThreadingError> {
    match rc {
        0 => Ok(()),
        libc::EDEADLK => Err(ThreadingError::WouldDeadlock),
        libc::EPERM => Err(ThreadingError::NotOwner),
        rc => Err(ThreadingError::Os(rc)),
    }
}

/// Locks the mutex at `m`.
///
/// Misuse is caught here, before the pthread call: a second lock by the
/// holder would deadlock.
///
/// # Safety
///
/// `m` must point to a valid mutex.
#[inline]
pub(crate) unsafe fn lock(m: NonNull<mbedtls_threading_mutex_t>) -> Result<(), ThreadingError> {
    // SAFETY: forwarded to the caller.
    let (g, holder, blocked) = unsafe { (guard(m), owner(m), waiters(m)) };
    if g.load(Ordering::Acquire) != GUARD_LIVE {
        return Err(ThreadingError::NotInitialised);
    }
    let me = thread_id::current();
    // Try first: when the mutex is free, the holder field is not even read.
    // SAFETY: live mutex.
    if unsafe { libc::pthread_mutex_trylock(raw(m)) } != 0 {
        // Held. If by us, blocking would never return.
        if holder.load(Ordering::Relaxed) == me {
            return Err(ThreadingError::WouldDeadlock);
        }
        // Register as a waiter, so that a concurrent free leaves the mutex
        // alone, then make sure it was not freed meanwhile.
        let _ = blocked.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |w| w.checked_add(1));
        let rc = if g.load(Ordering::SeqCst) == GUARD_LIVE {
            // SAFETY: live mutex, not held by this thread.
            unsafe { libc::pthread_mutex_lock(raw(m)) }
        } else {
            -1
        };
        let _ = blocked.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |w| {
            (w != u8::MAX).then(|| w.saturating_sub(1))
        });
        if rc == -1 {
            return Err(ThreadingError::NotInitialised);
        }
        map_os(rc)?;
    }
    // A free that won the race just before our try-lock leaves the guard
    // saying so: give the mutex back.
    if g.load(Ordering::SeqCst) != GUARD_LIVE {
        // SAFETY: this thread holds it.
        unsafe { libc::pthread_mutex_unlock(raw(m)) };
        return Err(ThreadingError::NotInitialised);
    }
    holder.store(me, Ordering::Relaxed);
    Ok(())
}

/// Unlocks the mutex at `m`. An unlock by a thread that does not hold it is
/// refused before the pthread call.
///
/// # Safety
///
/// `m` must point to a valid mutex.
#[inline]
pub(crate) unsafe fn unlock(m: NonNull<mbedtls_threading_mutex_t>) -> Result<(), ThreadingError> {
    // SAFETY: forwarded to the caller.
    unsafe { ensure_live(m) }?;
    // SAFETY: forwarded to the caller.
    let holder = unsafe { owner(m) };
    match holder.load(Ordering::Relaxed) {
        0 => return Err(ThreadingError::NotLocked),
        id if id != thread_id::current() => return Err(ThreadingError::NotOwner),
        _ => {}
    }
    holder.store(0, Ordering::Relaxed);
    // SAFETY: live mutex held by this thread.
    map_os(unsafe { libc::pthread_mutex_unlock(raw(m)) })
}

/// Whether the mutex at `m` is live.
///
/// # Safety
///
/// `m` must point to a valid mutex.
#[cfg_attr(not(test), allow(dead_code))]
pub(crate) unsafe fn is_live(m: NonNull<mbedtls_threading_mutex_t>) -> bool {
    // SAFETY: forwarded to the caller.
    let g = unsafe { guard(m) };
    g.load(Ordering::Acquire) == GUARD_LIVE
}
