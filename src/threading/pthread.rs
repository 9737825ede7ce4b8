//! The pthread backend: upstream's `{ pthread_mutex_t mutex; char state; }`
//! with an error-checking pthread mutex and our lifecycle tag (`guard`) in
//! the struct's padding.
//!
//! Upstream's mutex-usage checker (its test framework) wraps the
//! `mbedtls_mutex_*` pointers and keeps `state` itself: it sets it after our
//! init and lock, clears it before our unlock, and reads it after our free.
//! So this backend writes `state` only in init (to 1, "idle", which is also
//! what the checker writes), and keeps its own checks in `guard`.

use core::ffi::c_int;
use core::ptr::NonNull;
use core::sync::atomic::{AtomicU16, AtomicU32, Ordering};

use super::{Lifecycle, ThreadingError, thread_id};
use crate::abi::threading::mbedtls_threading_mutex_t;

/// `guard` of a mutex initialised by `mbedtls_mutex_init` ("MP").
const GUARD_LIVE: u16 = 0x4D50;
/// `guard` of a freed mutex ("MF").
const GUARD_FREED: u16 = 0x4D46;
/// `guard` of a library global defined statically; it becomes an
/// error-checking mutex at its first use ("MS").
const GUARD_STATIC: u16 = 0x4D53;

/// Upstream's "idle" value of `state`.
const STATE_IDLE: core::ffi::c_char = 1;

/// A statically defined library mutex: zero-filled pthread storage (which
/// is `PTHREAD_MUTEX_INITIALIZER` on glibc, but is initialised properly as
/// an error-checking mutex at first use), `state` idle as upstream's globals.
pub(crate) const STATIC_LIVE: mbedtls_threading_mutex_t = mbedtls_threading_mutex_t {
    // SAFETY: pthread_mutex_t is plain data; all-zero bytes are a valid
    // value to hold until pthread_mutex_init runs on it.
    mutex: unsafe { core::mem::zeroed() },
    state: STATE_IDLE,
    guard: GUARD_STATIC,
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

/// # Safety
///
/// `m` must point to a valid mutex.
unsafe fn raw(m: NonNull<mbedtls_threading_mutex_t>) -> *mut libc::pthread_mutex_t {
    // SAFETY: in bounds of the valid struct the caller promised.
    unsafe { &raw mut (*m.as_ptr()).mutex }
}

/// Initialises the pthread mutex at `m` as error-checking.
///
/// # Safety
///
/// `m` must point to a valid mutex that no other thread uses meanwhile.
unsafe fn init_errorcheck(m: NonNull<mbedtls_threading_mutex_t>) -> c_int {
    let mut attr = core::mem::MaybeUninit::<libc::pthread_mutexattr_t>::uninit();
    // SAFETY: `attr` is local storage initialised by pthread_mutexattr_init
    // before use, and destroyed after; `raw(m)` is valid per the caller.
    unsafe {
        let rc = libc::pthread_mutexattr_init(attr.as_mut_ptr());
        if rc != 0 {
            return rc;
        }
        let mut rc =
            libc::pthread_mutexattr_settype(attr.as_mut_ptr(), libc::PTHREAD_MUTEX_ERRORCHECK);
        if rc == 0 {
            rc = libc::pthread_mutex_init(raw(m), attr.as_ptr());
        }
        libc::pthread_mutexattr_destroy(attr.as_mut_ptr());
        rc
    }
}

/// Serialises the first use of statically defined library mutexes.
static UPGRADE: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// Makes a statically defined mutex a live error-checking one.
///
/// # Safety
///
/// `m` must point to a valid mutex.
unsafe fn upgrade_static(m: NonNull<mbedtls_threading_mutex_t>) -> Result<(), ThreadingError> {
    let _serial = UPGRADE.lock().unwrap_or_else(|p| p.into_inner());
    // SAFETY: forwarded to the caller.
    let g = unsafe { guard(m) };
    if g.load(Ordering::Acquire) == GUARD_STATIC {
        // SAFETY: nobody can have locked a GUARD_STATIC mutex (every lock
        // path upgrades it first, under UPGRADE).
        let rc = unsafe { init_errorcheck(m) };
        if rc != 0 {
            return Err(ThreadingError::Os(rc));
        }
        g.store(GUARD_LIVE, Ordering::Release);
    }
    Ok(())
}

/// Checks that `m` is live, upgrading a static one.
///
/// # Safety
///
/// `m` must point to a valid mutex.
#[inline]
unsafe fn ensure_live(m: NonNull<mbedtls_threading_mutex_t>) -> Result<(), ThreadingError> {
    // SAFETY: forwarded to the caller.
    match unsafe { guard(m) }.load(Ordering::Acquire) {
        GUARD_LIVE => Ok(()),
        // SAFETY: forwarded to the caller.
        GUARD_STATIC => unsafe { upgrade_static(m) },
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
        GUARD_LIVE | GUARD_STATIC => Lifecycle::Unchanged,
        _ => {
            // SAFETY: forwarded to the caller.
            if unsafe { init_errorcheck(m) } != 0 {
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
        GUARD_STATIC => {
            // Never initialised as a pthread mutex: nothing to destroy.
            let _ = g.compare_exchange(
                GUARD_STATIC,
                GUARD_FREED,
                Ordering::AcqRel,
                Ordering::Acquire,
            );
            Lifecycle::Unchanged
        }
        GUARD_LIVE => {
            // Take the lock first, so a holder is never disturbed: if it is
            // held (by anyone, including us), free does nothing.
            // SAFETY: the mutex is live.
            if unsafe { owner(m) }.load(Ordering::Relaxed) != 0
                // SAFETY: the mutex is live.
                || unsafe { libc::pthread_mutex_trylock(raw(m)) } != 0
            {
                return Lifecycle::Unchanged;
            }
            let won = g
                .compare_exchange(GUARD_LIVE, GUARD_FREED, Ordering::AcqRel, Ordering::Acquire)
                .is_ok();
            // SAFETY: we hold the lock we just took; destroy runs on an
            // unlocked mutex that no longer passes the guard check.
            unsafe {
                libc::pthread_mutex_unlock(raw(m));
                if won {
                    libc::pthread_mutex_destroy(raw(m));
                }
            }
            if won {
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
/// holder would deadlock (or, with an error-checking mutex, be reported as a
/// bug by tools such as ThreadSanitizer).
///
/// # Safety
///
/// `m` must point to a valid mutex.
#[inline]
pub(crate) unsafe fn lock(m: NonNull<mbedtls_threading_mutex_t>) -> Result<(), ThreadingError> {
    // SAFETY: forwarded to the caller.
    unsafe { ensure_live(m) }?;
    let me = thread_id::current();
    // SAFETY: forwarded to the caller.
    let holder = unsafe { owner(m) };
    if holder.load(Ordering::Relaxed) == me {
        return Err(ThreadingError::WouldDeadlock);
    }
    // SAFETY: live mutex, not held by this thread.
    map_os(unsafe { libc::pthread_mutex_lock(raw(m)) })?;
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
    matches!(g.load(Ordering::Acquire), GUARD_LIVE | GUARD_STATIC)
}
