//! The locking protocol of the library's shareable contexts (entropy, the
//! DRBGs; later RSA and the SSL stores).
//!
//! Each such context keeps upstream's `mutex` member and, after upstream's
//! members, two words of ours: `guard_state` and `guard_holder`. The mutex
//! is locked through the `mbedtls_mutex_*` pointers, as upstream does, so
//! wrappers a program installs (upstream's mutex-usage checker) see every
//! lock. The two words add what upstream leaves to the caller:
//!
//! - `guard_state` says whether the mutex is live and counts the threads
//!   that are inside an operation (waiting for the mutex or holding it).
//!   An operation enters only while the context is live; `free` first
//!   closes the context to new operations, then waits until the count drops
//!   to zero, and only then wipes the context and frees the mutex. So a
//!   `free` racing `random` waits for it, later calls get an error, and
//!   nobody ever locks a freed mutex.
//! - `guard_holder` is the id of the thread holding the mutex (hosted
//!   builds). A thread that enters again while it holds the mutex (an
//!   entropy callback that calls back into the same DRBG) gets
//!   `MBEDTLS_ERR_THREADING_MUTEX_ERROR` instead of deadlocking, whatever the
//!   mutex backend, and a `free` from inside such a callback is refused
//!   rather than waiting for itself.
//!
//! Without `MBEDTLS_THREADING_C` there is no mutex; the state word still
//! tracks the lifecycle, and callers serialise as upstream requires.

use core::ffi::c_int;
use core::sync::atomic::{AtomicU32, Ordering};

use super::park::{PARKER, Parker};
use super::thread_id;
#[cfg(mbedtls_threading_c)]
use crate::abi::threading::mbedtls_threading_mutex_t;
use crate::abi::threading::{
    MBEDTLS_ERR_THREADING_BAD_INPUT_DATA, MBEDTLS_ERR_THREADING_MUTEX_ERROR,
};

/// The mutex is live: operations may enter.
const LIVE: u32 = 1 << 31;
/// A seed is initialising the mutex.
const STARTING: u32 = 1 << 30;
/// A free has closed the context and waits for operations to leave.
const CLOSING: u32 = 1 << 29;
/// The number of threads inside an operation.
const USERS: u32 = CLOSING - 1;

/// Why an operation could not enter a context.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum EnterError {
    /// The context is not live: never seeded, or freed (or being freed).
    NotLive,
    /// The calling thread already holds this context's mutex.
    Reentered,
    /// `mbedtls_mutex_lock` failed with this code (returned as is, as
    /// upstream does).
    Lock(c_int),
}

impl EnterError {
    /// The code for a caller that has no better one: `NotLive` maps to
    /// `not_live`, which each module chooses (its "not seeded" code).
    pub(crate) fn code(self, not_live: c_int) -> c_int {
        match self {
            EnterError::NotLive => not_live,
            EnterError::Reentered => MBEDTLS_ERR_THREADING_MUTEX_ERROR,
            EnterError::Lock(code) => code,
        }
    }
}

/// What [`CtxLock::start`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Start {
    /// The mutex was initialised by this call.
    Fresh,
    /// The context was already live (seeded again without free).
    AlreadyLive,
}

/// A context's mutex and guard words, all in C memory.
pub(crate) struct CtxLock<'a> {
    state: &'a AtomicU32,
    holder: &'a AtomicU32,
    #[cfg(mbedtls_threading_c)]
    mutex: *mut mbedtls_threading_mutex_t,
}

/// Proof that the calling thread holds a context's mutex. Unlock it with
/// [`Held::unlock`] to see the unlock's result; dropping it unlocks too
/// (on early returns and unwinding).
pub(crate) struct Held<'l, 'a> {
    lock: &'l CtxLock<'a>,
    done: bool,
}

impl<'a> CtxLock<'a> {
    /// A lock over a context's guard words and mutex.
    ///
    /// # Safety
    ///
    /// `mutex` points to the context's mutex member, valid for `'a`, and it
    /// is only ever initialised, locked, unlocked and freed through a
    /// `CtxLock` over the same guard words.
    #[cfg(mbedtls_threading_c)]
    pub(crate) unsafe fn new(
        state: &'a AtomicU32,
        holder: &'a AtomicU32,
        mutex: *mut mbedtls_threading_mutex_t,
    ) -> Self {
        CtxLock {
            state,
            holder,
            mutex,
        }
    }

    /// A lock over a context's guard words (no mutex in this build).
    #[cfg(not(mbedtls_threading_c))]
    pub(crate) fn new(state: &'a AtomicU32, holder: &'a AtomicU32) -> Self {
        CtxLock { state, holder }
    }

    fn key(&self) -> usize {
        core::ptr::from_ref(self.state) as usize
    }

    /// Whether the context is live (seeded and not freed).
    pub(crate) fn is_live(&self) -> bool {
        self.state.load(Ordering::Acquire) & LIVE != 0
    }

    /// Whether the calling thread holds this context's mutex.
    fn held_by_me(&self) -> bool {
        let me = thread_id::current();
        me != 0 && self.holder.load(Ordering::Relaxed) == me
    }

    /// Waits until `done(state)` holds, parking between looks.
    fn wait_until(&self, done: impl Fn(u32) -> bool) {
        let mut spin = <_ as Default>::default();
        loop {
            let s = self.state.load(Ordering::Acquire);
            if done(s) {
                return;
            }
            if PARKER.spin(&mut spin) {
                continue;
            }
            PARKER.park(self.key(), || !done(self.state.load(Ordering::Acquire)));
        }
    }

    /// Makes the context live, initialising its mutex unless it already is
    /// (a second seed without free reuses the mutex). Waits for a concurrent
    /// start or free of the same context to finish first.
    pub(crate) fn start(&self) -> Start {
        loop {
            let s = self.state.load(Ordering::Acquire);
            if s & LIVE != 0 && s & CLOSING == 0 {
                return Start::AlreadyLive;
            }
            if s & (STARTING | CLOSING) != 0 {
                self.wait_until(|s| s & (STARTING | CLOSING) == 0);
                continue;
            }
            if self
                .state
                .compare_exchange(s, STARTING, Ordering::Acquire, Ordering::Relaxed)
                .is_err()
            {
                continue;
            }
            #[cfg(mbedtls_threading_c)]
            // SAFETY: per `new`, the mutex is valid; it is not live (the state
            // word said so) and nobody else touches it while STARTING is set.
            unsafe {
                mutex_init(self.mutex)
            };
            self.holder.store(0, Ordering::Relaxed);
            self.state.store(LIVE, Ordering::Release);
            PARKER.unpark_all(self.key());
            return Start::Fresh;
        }
    }

    /// Enters an operation: counts the caller in while the context is live,
    /// then locks the mutex.
    pub(crate) fn enter(&self) -> Result<Held<'_, 'a>, EnterError> {
        if self.held_by_me() {
            return Err(EnterError::Reentered);
        }
        self.state
            .fetch_update(Ordering::Acquire, Ordering::Relaxed, |s| {
                (s & LIVE != 0 && s & CLOSING == 0 && s & USERS < USERS).then_some(s + 1)
            })
            .map_err(|_| EnterError::NotLive)?;
        #[cfg(mbedtls_threading_c)]
        {
            // SAFETY: per `new`; the mutex stays live while we are counted in.
            let rc = unsafe { mutex_lock(self.mutex) };
            if rc != 0 {
                self.leave();
                return Err(EnterError::Lock(rc));
            }
        }
        self.holder.store(thread_id::current(), Ordering::Relaxed);
        Ok(Held {
            lock: self,
            done: false,
        })
    }

    /// Counts the caller out, waking a free that waits for the last one.
    fn leave(&self) {
        let prev = self.state.fetch_sub(1, Ordering::Release);
        if prev & CLOSING != 0 && prev & USERS == 1 {
            PARKER.unpark_all(self.key());
        }
    }

    /// Closes the context and waits for every operation inside it to leave;
    /// then runs `wipe` with nobody else inside, frees the mutex and marks
    /// the context not live. A context that is not live is only wiped (so
    /// free is idempotent and legal after init). Returns false, having done
    /// nothing, if the calling thread holds the mutex (a free from inside
    /// one of the context's own callbacks), which could only deadlock.
    pub(crate) fn retire(&self, wipe: impl FnOnce()) -> bool {
        if self.held_by_me() {
            return false;
        }
        loop {
            let s = self.state.load(Ordering::Acquire);
            if s & (STARTING | CLOSING) != 0 {
                // Another start or free is under way; let it finish.
                self.wait_until(|s| s & (STARTING | CLOSING) == 0);
                continue;
            }
            if s & LIVE == 0 {
                wipe();
                return true;
            }
            if self
                .state
                .compare_exchange(
                    s,
                    (s & USERS) | CLOSING,
                    Ordering::Acquire,
                    Ordering::Relaxed,
                )
                .is_ok()
            {
                break;
            }
        }
        self.wait_until(|s| s & USERS == 0);
        wipe();
        #[cfg(mbedtls_threading_c)]
        // SAFETY: per `new`; nobody is inside and nobody can enter.
        unsafe {
            mutex_free(self.mutex)
        };
        self.holder.store(0, Ordering::Relaxed);
        self.state.store(0, Ordering::Release);
        PARKER.unpark_all(self.key());
        true
    }
}

impl Held<'_, '_> {
    /// Unlocks, returning 0 or `MBEDTLS_ERR_THREADING_MUTEX_ERROR` if the
    /// unlock failed (upstream's code for that case).
    pub(crate) fn unlock(mut self) -> c_int {
        self.release()
    }

    fn release(&mut self) -> c_int {
        if self.done {
            return 0;
        }
        self.done = true;
        self.lock.holder.store(0, Ordering::Relaxed);
        #[cfg(mbedtls_threading_c)]
        // SAFETY: per `CtxLock::new`; we hold the mutex, which is live.
        let rc = unsafe { mutex_unlock(self.lock.mutex) };
        #[cfg(not(mbedtls_threading_c))]
        let rc = 0;
        self.lock.leave();
        if rc == 0 {
            0
        } else {
            MBEDTLS_ERR_THREADING_MUTEX_ERROR
        }
    }
}

impl Drop for Held<'_, '_> {
    fn drop(&mut self) {
        let _ = self.release();
    }
}

/// Runs `op` under the context's lock: `Err` from entering becomes a code
/// (see [`EnterError::code`]); an unlock failure replaces `op`'s result with
/// `MBEDTLS_ERR_THREADING_MUTEX_ERROR`, as upstream does.
pub(crate) fn locked(lock: &CtxLock<'_>, not_live: c_int, op: impl FnOnce() -> c_int) -> c_int {
    match lock.enter() {
        Err(e) => e.code(not_live),
        Ok(held) => {
            let rc = op();
            match held.unlock() {
                0 => rc,
                unlock_err => unlock_err,
            }
        }
    }
}

/// Code for a NULL or misaligned mutex pointer installed in a hook.
#[cfg(mbedtls_threading_c)]
const NO_HOOK: c_int = MBEDTLS_ERR_THREADING_BAD_INPUT_DATA;
#[cfg(not(mbedtls_threading_c))]
const _: c_int = MBEDTLS_ERR_THREADING_BAD_INPUT_DATA;

/// Calls the `mbedtls_mutex_init` hook.
///
/// # Safety
///
/// `m` is valid for the call.
#[cfg(mbedtls_threading_c)]
unsafe fn mutex_init(m: *mut mbedtls_threading_mutex_t) {
    // SAFETY: reading the hook by value; programs set it before starting
    // threads, as with upstream.
    if let Some(f) = unsafe { super::ffi::mbedtls_mutex_init } {
        // SAFETY: `m` is valid (caller); the hook takes any mutex pointer.
        unsafe { f(m) }
    }
}

/// Calls the `mbedtls_mutex_free` hook.
///
/// # Safety
///
/// As [`mutex_init`].
#[cfg(mbedtls_threading_c)]
unsafe fn mutex_free(m: *mut mbedtls_threading_mutex_t) {
    // SAFETY: as in `mutex_init`.
    if let Some(f) = unsafe { super::ffi::mbedtls_mutex_free } {
        // SAFETY: as in `mutex_init`.
        unsafe { f(m) }
    }
}

/// Calls the `mbedtls_mutex_lock` hook.
///
/// # Safety
///
/// As [`mutex_init`].
#[cfg(mbedtls_threading_c)]
unsafe fn mutex_lock(m: *mut mbedtls_threading_mutex_t) -> c_int {
    // SAFETY: as in `mutex_init`.
    match unsafe { super::ffi::mbedtls_mutex_lock } {
        // SAFETY: as in `mutex_init`.
        Some(f) => unsafe { f(m) },
        None => NO_HOOK,
    }
}

/// Calls the `mbedtls_mutex_unlock` hook.
///
/// # Safety
///
/// As [`mutex_init`].
#[cfg(mbedtls_threading_c)]
unsafe fn mutex_unlock(m: *mut mbedtls_threading_mutex_t) -> c_int {
    // SAFETY: as in `mutex_init`.
    match unsafe { super::ffi::mbedtls_mutex_unlock } {
        // SAFETY: as in `mutex_init`.
        Some(f) => unsafe { f(m) },
        None => NO_HOOK,
    }
}
