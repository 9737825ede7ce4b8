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

#[cfg(not(loom))]
use super::park::PARKER;
use super::park::Parker;
use super::sync::{AtomicU32, Ordering};
#[cfg(not(loom))]
use super::thread_id;
#[cfg(all(mbedtls_threading_c, not(loom)))]
use crate::abi::threading::MBEDTLS_ERR_THREADING_BAD_INPUT_DATA;
use crate::abi::threading::MBEDTLS_ERR_THREADING_MUTEX_ERROR;
#[cfg(all(mbedtls_threading_c, not(loom)))]
use crate::abi::threading::mbedtls_threading_mutex_t;

/// The mutex is live: operations may enter.
const LIVE: u32 = 1 << 31;
/// A seed is initialising the mutex.
const STARTING: u32 = 1 << 30;
/// A free has closed the context and waits for operations to leave.
const CLOSING: u32 = 1 << 29;
/// The number of threads inside an operation.
const USERS: u32 = CLOSING - 1;
/// A join stripe takes new callers (set when the context starts, cleared
/// when a free closes it); the other bits count the callers inside.
pub(crate) const STRIPE_OPEN: u32 = 1 << 31;

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

/// What a start found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Start {
    /// The mutex was initialised by this call.
    Fresh,
    /// The context was already live (seeded again without free).
    AlreadyLive,
}

/// The mutex operations the protocol needs (the `mbedtls_mutex_*` hooks in
/// the library, a model in the loom tests).
pub(crate) trait CtxMutex {
    /// Initialises the mutex.
    fn init(&self);
    /// Frees the mutex.
    fn free(&self);
    /// Locks: 0 or an error code.
    fn lock(&self) -> c_int;
    /// Unlocks: 0 or an error code.
    fn unlock(&self) -> c_int;
}

/// The state machine over a context's two guard words, independent of the
/// mutex, the parker and the thread-id source (so loom can check it).
pub(crate) struct GuardWords<'a> {
    state: &'a AtomicU32,
    holder: &'a AtomicU32,
}

impl<'a> GuardWords<'a> {
    /// The guard over `state` and `holder` (the context's guard words).
    pub(crate) fn new(state: &'a AtomicU32, holder: &'a AtomicU32) -> Self {
        GuardWords { state, holder }
    }

    fn key(&self) -> usize {
        core::ptr::from_ref(self.state) as usize
    }

    /// Whether the context is live (started and not freed).
    pub(crate) fn is_live(&self) -> bool {
        let s = self.state.load(Ordering::Acquire);
        s & LIVE != 0 && s & CLOSING == 0
    }

    fn held_by(&self, me: u32) -> bool {
        me != 0 && self.holder.load(Ordering::Relaxed) == me
    }

    /// Waits until `done(state)` holds, parking between looks.
    fn wait_until<P: Parker>(&self, parker: &P, done: impl Fn(u32) -> bool) {
        let mut spin = P::Spin::default();
        loop {
            if done(self.state.load(Ordering::Acquire)) {
                return;
            }
            if parker.spin(&mut spin) {
                continue;
            }
            parker.park(self.key(), || !done(self.state.load(Ordering::Acquire)));
        }
    }

    /// See [`CtxLock::start`].
    pub(crate) fn start<P: Parker>(&self, parker: &P, mutex: &impl CtxMutex) -> Start {
        loop {
            let s = self.state.load(Ordering::Acquire);
            if s & LIVE != 0 && s & CLOSING == 0 {
                return Start::AlreadyLive;
            }
            if s & (STARTING | CLOSING) != 0 {
                self.wait_until(parker, |s| s & (STARTING | CLOSING) == 0);
                continue;
            }
            if self
                .state
                .compare_exchange(s, STARTING, Ordering::Acquire, Ordering::Relaxed)
                .is_err()
            {
                continue;
            }
            // The mutex is not live (the state word said so) and nobody
            // else touches it while STARTING is set.
            mutex.init();
            self.holder.store(0, Ordering::Relaxed);
            self.state.store(LIVE, Ordering::Release);
            parker.unpark_all(self.key());
            return Start::Fresh;
        }
    }

    /// See [`CtxLock::enter`]; `me` is the calling thread's id (0: unknown).
    pub(crate) fn enter(&self, me: u32, mutex: &impl CtxMutex) -> Result<(), EnterError> {
        if self.held_by(me) {
            return Err(EnterError::Reentered);
        }
        self.state
            .fetch_update(Ordering::Acquire, Ordering::Relaxed, |s| {
                (s & LIVE != 0 && s & CLOSING == 0 && s & USERS < USERS).then_some(s + 1)
            })
            .map_err(|_| EnterError::NotLive)?;
        // The mutex stays live while we are counted in.
        let rc = mutex.lock();
        if rc != 0 {
            self.leave_count();
            return Err(EnterError::Lock(rc));
        }
        self.holder.store(me, Ordering::Relaxed);
        Ok(())
    }

    /// Unlocks after a successful [`Self::enter`] and counts the caller out:
    /// 0, or `MBEDTLS_ERR_THREADING_MUTEX_ERROR` if the unlock failed.
    pub(crate) fn leave<P: Parker>(&self, parker: &P, mutex: &impl CtxMutex) -> c_int {
        self.holder.store(0, Ordering::Relaxed);
        let rc = mutex.unlock();
        if self.leave_count() {
            parker.unpark_all(self.key());
        }
        if rc == 0 {
            0
        } else {
            MBEDTLS_ERR_THREADING_MUTEX_ERROR
        }
    }

    /// Counts the caller out; true if a free waits for this last one.
    fn leave_count(&self) -> bool {
        let prev = self.state.fetch_sub(1, Ordering::Release);
        prev & CLOSING != 0 && prev & USERS == 1
    }

    /// Counts the caller in on `stripe` without locking the mutex, if the
    /// stripe is open (see [`CtxLock::join`]). Pair with [`Self::part`].
    pub(crate) fn join<P: Parker>(&self, parker: &P, stripe: &AtomicU32) -> Result<(), EnterError> {
        // One read-modify-write of the stripe: `retire` closes the stripe
        // with another, so the two are ordered. Either this one comes
        // first, and retire waits for the count to drop, or it sees the
        // stripe closed.
        let prev = stripe.fetch_add(1, Ordering::Acquire);
        if prev & STRIPE_OPEN != 0 {
            return Ok(());
        }
        self.part(parker, stripe);
        Err(EnterError::NotLive)
    }

    /// Counts a joined caller out, waking a free that waits for it.
    pub(crate) fn part<P: Parker>(&self, parker: &P, stripe: &AtomicU32) {
        // Nothing after the decrement reads the context: once it lets a
        // free finish, the program may release the context's memory. The
        // wake-up uses the address alone. Release: the caller's accesses
        // happen before the wipe, which reads the counters with Acquire.
        let key = self.key();
        let prev = stripe.fetch_sub(1, Ordering::Release);
        if prev == 1 {
            // Closed (no STRIPE_OPEN bit) and this was the last caller.
            parker.unpark_all(key);
        }
    }

    /// See [`CtxLock::retire`] (which goes through [`Self::retire_striped`],
    /// so that the library has one copy of the protocol).
    #[cfg_attr(not(loom), allow(dead_code))]
    pub(crate) fn retire<P: Parker>(
        &self,
        me: u32,
        parker: &P,
        mutex: &impl CtxMutex,
        wipe: impl FnOnce(),
    ) -> bool {
        self.retire_striped(me, parker, mutex, || {}, || true, wipe)
    }

    /// [`Self::retire`] that also closes the join stripes (`close()`, which
    /// clears their [`STRIPE_OPEN`] bits with read-modify-writes) once the
    /// context is closing, and waits until `parted()` says their counts are
    /// all zero (read with `Ordering::Acquire`).
    pub(crate) fn retire_striped<P: Parker>(
        &self,
        me: u32,
        parker: &P,
        mutex: &impl CtxMutex,
        close: impl FnOnce(),
        parted: impl Fn() -> bool,
        wipe: impl FnOnce(),
    ) -> bool {
        if self.held_by(me) {
            return false;
        }
        loop {
            let s = self.state.load(Ordering::Acquire);
            if s & (STARTING | CLOSING) != 0 {
                // Another start or free is under way; let it finish.
                self.wait_until(parker, |s| s & (STARTING | CLOSING) == 0);
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
        close();
        self.wait_until(parker, |s| s & USERS == 0 && parted());
        // Nobody is inside and nobody can enter.
        wipe();
        mutex.free();
        self.holder.store(0, Ordering::Relaxed);
        self.state.store(0, Ordering::Release);
        parker.unpark_all(self.key());
        true
    }
}

/// A context's mutex and guard words, all in C memory, locked through the
/// `mbedtls_mutex_*` hooks.
#[cfg(not(loom))]
pub(crate) struct CtxLock<'a> {
    words: GuardWords<'a>,
    mutex: HookMutex,
}

/// Proof that the calling thread holds a context's mutex. Unlock it with
/// [`Held::unlock`] to see the unlock's result; dropping it unlocks too
/// (on early returns and unwinding).
#[cfg(not(loom))]
pub(crate) struct Held<'l, 'a> {
    lock: &'l CtxLock<'a>,
}

#[cfg(not(loom))]
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
            words: GuardWords::new(state, holder),
            mutex: HookMutex(mutex),
        }
    }

    /// A lock over a context's guard words (no mutex in this build).
    #[cfg(not(mbedtls_threading_c))]
    pub(crate) fn new(state: &'a AtomicU32, holder: &'a AtomicU32) -> Self {
        CtxLock {
            words: GuardWords::new(state, holder),
            mutex: HookMutex,
        }
    }

    /// Whether the context is live (seeded and not freed).
    pub(crate) fn is_live(&self) -> bool {
        self.words.is_live()
    }

    /// Makes the context live, initialising its mutex unless it already is
    /// (a second seed without free reuses the mutex). Waits for a concurrent
    /// start or free of the same context to finish first.
    pub(crate) fn start(&self) -> Start {
        self.words.start(&PARKER, &self.mutex)
    }

    /// Enters an operation: counts the caller in while the context is live,
    /// then locks the mutex. A thread that already holds the mutex gets
    /// [`EnterError::Reentered`].
    pub(crate) fn enter(&self) -> Result<Held<'_, 'a>, EnterError> {
        self.words.enter(thread_id::current(), &self.mutex)?;
        Ok(Held { lock: self })
    }

    /// Counts the calling thread in without locking the mutex, on one of
    /// `stripes` (picked by thread, so that in hosted builds two threads
    /// rarely share a cache line; builds without an OS have one), while
    /// they are open ([`Self::start_striped`]). A free given
    /// the same stripes ([`Self::retire_striped`]) closes them and waits
    /// until the returned guard drops. For contexts whose operations lock
    /// finer-grained mutexes of their own.
    pub(crate) fn join<'s>(&'s self, stripes: &'s Stripes<'s>) -> Result<Joined<'s>, EnterError> {
        let stripe = stripes.pick(thread_id::current());
        self.words.join(&PARKER, stripe)?;
        Ok(Joined {
            words: &self.words,
            stripe,
        })
    }

    /// [`Self::retire`] that also closes `stripes` to new callers and waits
    /// for the callers joined on them.
    pub(crate) fn retire_striped(&self, stripes: &Stripes<'_>, wipe: impl FnOnce()) -> bool {
        let mut wipe = Some(wipe);
        self.retire_any(Some(stripes), &mut || {
            if let Some(w) = wipe.take() {
                w();
            }
        })
    }

    /// [`Self::retire`] with or without stripes: one copy of the protocol
    /// for every context, calling its `wipe` through `dyn` (once).
    #[inline(never)]
    fn retire_any(&self, stripes: Option<&Stripes<'_>>, wipe: &mut dyn FnMut()) -> bool {
        self.words.retire_striped(
            thread_id::current(),
            &PARKER,
            &self.mutex,
            || {
                if let Some(s) = stripes {
                    s.close();
                }
            },
            || stripes.is_none_or(|s| s.all_parted()),
            wipe,
        )
    }

    /// [`Self::start`], then opens `stripes` to callers of [`Self::join`].
    pub(crate) fn start_striped(&self, stripes: &Stripes<'_>) -> Start {
        let started = self.start();
        stripes.open();
        started
    }

    /// Closes the context and waits for every operation inside it to leave;
    /// then runs `wipe` with nobody else inside, frees the mutex and marks
    /// the context not live. A context that is not live is only wiped (so
    /// free is idempotent and legal after init). Returns false, having done
    /// nothing, if the calling thread holds the mutex (a free from inside
    /// one of the context's own callbacks), which could only deadlock.
    pub(crate) fn retire(&self, wipe: impl FnOnce()) -> bool {
        let mut wipe = Some(wipe);
        self.retire_any(None, &mut || {
            if let Some(w) = wipe.take() {
                w();
            }
        })
    }
}

/// Counters of callers that joined a context without its mutex
/// ([`CtxLock::join`]): [`STRIPES`] counters [`STRIPE_WORDS`] words apart
/// (in hosted builds each on a cache line of its own; one counter in
/// builds without an OS), over a context's array of
/// `STRIPES * STRIPE_WORDS` words.
pub(crate) struct Stripes<'a>(&'a [AtomicU32]);

/// Number of join counters of a context.
#[cfg(not(mbedtls_no_platform_entropy))]
pub(crate) const STRIPES: usize = 8;
/// Words from one join counter to the next (64 bytes).
#[cfg(not(mbedtls_no_platform_entropy))]
pub(crate) const STRIPE_WORDS: usize = 16;
/// Number of join counters of a context (one in builds without an
/// operating system, see `MBEDCRYPTO_SSL_CACHE_JOIN_WORDS`).
#[cfg(mbedtls_no_platform_entropy)]
pub(crate) const STRIPES: usize = 1;
/// Words from one join counter to the next.
#[cfg(mbedtls_no_platform_entropy)]
pub(crate) const STRIPE_WORDS: usize = 1;

impl<'a> Stripes<'a> {
    /// The counters over `words` (`STRIPES * STRIPE_WORDS` of them).
    pub(crate) fn new(words: &'a [AtomicU32; STRIPES * STRIPE_WORDS]) -> Self {
        Stripes(words)
    }

    fn pick(&self, thread: u32) -> &'a AtomicU32 {
        // Always stripe 0 in builds without an OS, which have one.
        #[allow(clippy::modulo_one)]
        let stripe = thread as usize % STRIPES;
        &self.0[stripe * STRIPE_WORDS]
    }

    fn all_parted(&self) -> bool {
        (0..STRIPES).all(|i| self.0[i * STRIPE_WORDS].load(Ordering::Acquire) & !STRIPE_OPEN == 0)
    }

    fn open(&self) {
        for i in 0..STRIPES {
            self.0[i * STRIPE_WORDS].fetch_or(STRIPE_OPEN, Ordering::Release);
        }
    }

    fn close(&self) {
        for i in 0..STRIPES {
            self.0[i * STRIPE_WORDS].fetch_and(!STRIPE_OPEN, Ordering::AcqRel);
        }
    }
}

/// A caller counted in by [`CtxLock::join`]; dropping it counts it out.
#[cfg(not(loom))]
pub(crate) struct Joined<'s> {
    words: &'s GuardWords<'s>,
    stripe: &'s AtomicU32,
}

#[cfg(not(loom))]
impl Drop for Joined<'_> {
    fn drop(&mut self) {
        self.words.part(&PARKER, self.stripe);
    }
}

#[cfg(not(loom))]
impl Held<'_, '_> {
    /// Unlocks, returning 0 or `MBEDTLS_ERR_THREADING_MUTEX_ERROR` if the
    /// unlock failed (upstream's code for that case).
    pub(crate) fn unlock(self) -> c_int {
        // Not dropped: the drop would unlock a second time.
        core::mem::ManuallyDrop::new(self).release()
    }

    fn release(&self) -> c_int {
        self.lock.words.leave(&PARKER, &self.lock.mutex)
    }
}

#[cfg(not(loom))]
impl Drop for Held<'_, '_> {
    fn drop(&mut self) {
        let _ = self.release();
    }
}

/// Runs `op` under the context's lock: `Err` from entering becomes a code
/// (see [`EnterError::code`]); an unlock failure replaces `op`'s result with
/// `MBEDTLS_ERR_THREADING_MUTEX_ERROR`, as upstream does.
#[cfg(not(loom))]
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

/// The context's mutex, used through the `mbedtls_mutex_*` pointers (so
/// wrappers a program installs see every call). A NULL hook is treated as
/// a failing lock.
#[cfg(all(mbedtls_threading_c, not(loom)))]
struct HookMutex(*mut mbedtls_threading_mutex_t);

/// No mutex in this build: locking is compiled out.
#[cfg(all(not(mbedtls_threading_c), not(loom)))]
struct HookMutex;

#[cfg(all(not(mbedtls_threading_c), not(loom)))]
impl CtxMutex for HookMutex {
    fn init(&self) {}
    fn free(&self) {}
    fn lock(&self) -> c_int {
        0
    }
    fn unlock(&self) -> c_int {
        0
    }
}

#[cfg(all(mbedtls_threading_c, not(loom)))]
impl CtxMutex for HookMutex {
    fn init(&self) {
        // SAFETY: reading the hook by value; programs set it before starting
        // threads, as with upstream.
        if let Some(f) = unsafe { super::ffi::mbedtls_mutex_init } {
            // SAFETY: the mutex is valid per `CtxLock::new`; the hook takes
            // any mutex pointer.
            unsafe { f(self.0) }
        }
    }

    fn free(&self) {
        // SAFETY: as in `init`.
        if let Some(f) = unsafe { super::ffi::mbedtls_mutex_free } {
            // SAFETY: as in `init`.
            unsafe { f(self.0) }
        }
    }

    fn lock(&self) -> c_int {
        // SAFETY: as in `init`.
        match unsafe { super::ffi::mbedtls_mutex_lock } {
            // SAFETY: as in `init`.
            Some(f) => unsafe { f(self.0) },
            None => MBEDTLS_ERR_THREADING_BAD_INPUT_DATA,
        }
    }

    fn unlock(&self) -> c_int {
        // SAFETY: as in `init`.
        match unsafe { super::ffi::mbedtls_mutex_unlock } {
            // SAFETY: as in `init`.
            Some(f) => unsafe { f(self.0) },
            None => MBEDTLS_ERR_THREADING_BAD_INPUT_DATA,
        }
    }
}

#[cfg(all(test, feature = "std", not(loom)))]
mod tests {
    use super::*;
    use std::sync::{Arc, Barrier};

    /// A stand-in for a context: the mutex and the guard words.
    #[derive(Default)]
    struct Ctx {
        #[cfg(mbedtls_threading_c)]
        mutex: core::cell::UnsafeCell<[u64; 8]>,
        state: AtomicU32,
        holder: AtomicU32,
    }

    // SAFETY: the mutex memory is only touched through the mutex functions,
    // which are thread-safe.
    unsafe impl Sync for Ctx {}

    impl Ctx {
        fn lock(&self) -> CtxLock<'_> {
            crate::threading::install_test_backend();
            #[cfg(mbedtls_threading_c)]
            {
                const _: () = assert!(
                    core::mem::size_of::<mbedtls_threading_mutex_t>() <= 64
                        && core::mem::align_of::<mbedtls_threading_mutex_t>() <= 8
                );
                // SAFETY: the array is large and aligned enough for the
                // mutex, lives as long as `self`, and is only used through
                // this lock.
                unsafe { CtxLock::new(&self.state, &self.holder, self.mutex.get().cast()) }
            }
            #[cfg(not(mbedtls_threading_c))]
            CtxLock::new(&self.state, &self.holder)
        }
    }

    #[test]
    fn lifecycle_start_enter_retire() {
        let ctx = Ctx::default();
        let l = ctx.lock();
        assert_eq!(l.enter().err(), Some(EnterError::NotLive), "not started");
        assert_eq!(l.start(), Start::Fresh);
        assert_eq!(
            l.start(),
            Start::AlreadyLive,
            "second start reuses the mutex"
        );
        let held = l.enter().expect("live");
        assert_eq!(
            l.enter().err(),
            Some(EnterError::Reentered),
            "the holder entering again is refused"
        );
        assert!(
            !l.retire(|| panic!("must not wipe")),
            "free by the holder is refused"
        );
        assert_eq!(held.unlock(), 0);
        let mut wiped = 0;
        assert!(l.retire(|| wiped += 1));
        assert_eq!(wiped, 1);
        assert!(!l.is_live());
        assert_eq!(l.enter().err(), Some(EnterError::NotLive), "freed");
        assert!(l.retire(|| wiped += 1), "free again only wipes");
        assert_eq!(wiped, 2);
        assert_eq!(l.start(), Start::Fresh, "reuse after free");
        assert!(l.retire(|| ()));
        assert_eq!(ctx.state.load(Ordering::Relaxed), 0);
    }

    #[test]
    fn locked_maps_codes() {
        let ctx = Ctx::default();
        let l = ctx.lock();
        assert_eq!(locked(&l, -7, || 0), -7, "not live gives the module's code");
        l.start();
        assert_eq!(locked(&l, -7, || -3), -3, "the operation's result");
        assert_eq!(
            locked(&l, -7, || locked(&l, -7, || 0)),
            MBEDTLS_ERR_THREADING_MUTEX_ERROR,
            "re-entry from inside an operation"
        );
        l.retire(|| ());
    }

    #[cfg(all(mbedtls_threading_c, not(miri)))]
    #[test]
    fn free_waits_for_the_holder_and_later_calls_fail() {
        let ctx = Arc::new(Ctx::default());
        ctx.lock().start();
        let entered = Arc::new(Barrier::new(2));
        let released = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let holder = {
            let (ctx, entered, released) = (ctx.clone(), entered.clone(), released.clone());
            std::thread::spawn(move || {
                let l = ctx.lock();
                let held = l.enter().unwrap();
                entered.wait();
                std::thread::sleep(std::time::Duration::from_millis(50));
                released.store(true, Ordering::SeqCst);
                assert_eq!(held.unlock(), 0);
            })
        };
        entered.wait();
        let l = ctx.lock();
        assert!(l.retire(|| assert!(
            released.load(Ordering::SeqCst),
            "wiped while an operation was inside"
        )));
        holder.join().unwrap();
        assert_eq!(l.enter().err(), Some(EnterError::NotLive));
    }

    #[cfg(not(miri))]
    #[test]
    fn free_racing_many_operations() {
        for _ in 0..20 {
            let ctx = Arc::new(Ctx::default());
            ctx.lock().start();
            let counter = Arc::new(std::sync::atomic::AtomicU64::new(0));
            let go = Arc::new(Barrier::new(5));
            let workers: Vec<_> = (0..4)
                .map(|_| {
                    let (ctx, counter, go) = (ctx.clone(), counter.clone(), go.clone());
                    std::thread::spawn(move || {
                        go.wait();
                        let l = ctx.lock();
                        loop {
                            match l.enter() {
                                Ok(held) => {
                                    // A non-atomic read-modify-write under the lock.
                                    let v = counter.load(Ordering::Relaxed);
                                    counter.store(v + 1, Ordering::Relaxed);
                                    assert_eq!(held.unlock(), 0);
                                }
                                Err(EnterError::NotLive) => return,
                                Err(e) => panic!("unexpected {e:?}"),
                            }
                        }
                    })
                })
                .collect();
            go.wait();
            std::thread::sleep(std::time::Duration::from_millis(2));
            let l = ctx.lock();
            let mut at_wipe = 0;
            assert!(l.retire(|| at_wipe = counter.load(Ordering::Relaxed)));
            for w in workers {
                w.join().unwrap();
            }
            assert_eq!(
                counter.load(Ordering::Relaxed),
                at_wipe,
                "an operation ran after the wipe"
            );
        }
    }
}
