//! The state machine of the built-in mutex: one 32-bit word that holds both
//! the lifecycle (never initialised, live, freed) and the lock state, plus
//! the id of the owning thread.
//!
//! Keeping lifecycle and lock state in one word makes every transition a
//! single atomic step, so a `free` racing a `lock` cannot let the lock
//! succeed on a freed mutex, and a lock of zero-filled memory fails instead
//! of succeeding.
//!
//! ```text
//!   0 / garbage --init--> LIVE --lock--> LIVE|LOCKED --unlock--> LIVE
//!   LIVE --free--> FREED --init--> LIVE
//!   lock/unlock of anything not LIVE: NotInitialised
//!   free of LIVE|LOCKED or LIVE|PARKED: refused (Busy), nothing changes
//! ```
//!
//! Waiting threads park on the word's address (through [`Parker`], which is
//! parking_lot's global parking lot in the real build and a model of it
//! under loom).

use super::park::Parker;
use super::sync::{AtomicU32, Ordering, spin_hint};

/// Tag in the upper 16 bits of a live mutex's word ("MX").
const TAG_LIVE: u32 = 0x4D58_0000;
/// The whole word of a freed mutex ("MF").
pub(crate) const FREED: u32 = 0x4D46_0000;
/// The whole word while an init is in progress ("MI"): not live yet.
const INITIALISING: u32 = 0x4D49_0000;
/// How long an init waits for another init of the same mutex to finish.
const MAX_INIT_SPINS: u32 = if cfg!(loom) { 4 } else { 1 << 16 };
const TAG_MASK: u32 = 0xFFFF_0000;
/// Set while some thread holds the lock.
const LOCKED: u32 = 0x1;
/// Set while some thread may be parked waiting for the lock.
const PARKED: u32 = 0x2;
/// A live, unlocked mutex with nobody waiting.
pub(crate) const LIVE: u32 = TAG_LIVE;

#[inline]
fn is_live(word: u32) -> bool {
    word & TAG_MASK == TAG_LIVE && word & !(TAG_MASK | LOCKED | PARKED) == 0
}

/// Result of [`LockWord::init`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum InitOutcome {
    /// The mutex went from not live to live.
    Initialised,
    /// The mutex was already live; nothing changed.
    AlreadyLive,
}

/// Result of [`LockWord::free`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FreeOutcome {
    /// The mutex went from live to freed.
    Freed,
    /// The mutex was never initialised or already freed; nothing changed.
    NotLive,
    /// The mutex is locked or has waiters; nothing changed.
    Busy,
}

/// Why a lock or unlock failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LockError {
    /// The mutex was never initialised, or was freed.
    NotInitialised,
    /// The calling thread already holds the mutex; locking would deadlock.
    WouldDeadlock,
    /// Unlock of a mutex that is not locked.
    NotLocked,
    /// Unlock of a mutex that another thread holds.
    NotOwner,
}

/// A view of a mutex's state word and owner field.
pub(crate) struct LockWord<'a> {
    state: &'a AtomicU32,
    owner: &'a AtomicU32,
}

impl<'a> LockWord<'a> {
    /// Wraps the two words of one mutex.
    pub(crate) fn new(state: &'a AtomicU32, owner: &'a AtomicU32) -> Self {
        LockWord { state, owner }
    }

    fn key(&self) -> usize {
        self.state as *const AtomicU32 as usize
    }

    /// Makes the mutex live. Initialising a live mutex (locked or not) does
    /// nothing, so a double init cannot break a holder or leak.
    pub(crate) fn init(&self) -> InitOutcome {
        let mut word = self.state.load(Ordering::Acquire);
        let mut spins = 0u32;
        loop {
            if is_live(word) {
                return InitOutcome::AlreadyLive;
            }
            if word == INITIALISING && spins < MAX_INIT_SPINS {
                // Another thread is initialising it right now (inits of one
                // mutex should not race, but must not break if they do).
                spins += 1;
                spin_hint();
                word = self.state.load(Ordering::Acquire);
                continue;
            }
            // Still INITIALISING after that long, it is garbage (or a process
            // forked in the middle of an init): claim it like any other.
            // Claim the init first: the owner field may only be cleared by
            // the one init that wins, and before the word says "live", so
            // it can never overwrite the id of a thread that has locked it.
            match self.state.compare_exchange(
                word,
                INITIALISING,
                Ordering::Acquire,
                Ordering::Acquire,
            ) {
                Ok(_) => {
                    self.owner.store(0, Ordering::Relaxed);
                    self.state.store(LIVE, Ordering::Release);
                    return InitOutcome::Initialised;
                }
                Err(now) => word = now,
            }
        }
    }

    /// Frees a live, unlocked mutex with no waiters. Anything else is left
    /// alone.
    pub(crate) fn free(&self) -> FreeOutcome {
        match self
            .state
            .compare_exchange(LIVE, FREED, Ordering::AcqRel, Ordering::Acquire)
        {
            Ok(_) => FreeOutcome::Freed,
            Err(word) if is_live(word) => FreeOutcome::Busy,
            Err(_) => FreeOutcome::NotLive,
        }
    }

    /// Whether the word is live (initialised and not freed).
    pub(crate) fn is_live(&self) -> bool {
        is_live(self.state.load(Ordering::Acquire))
    }

    /// Locks the mutex for thread `me` (non-zero), waiting as long as needed.
    #[inline]
    pub(crate) fn lock<P: Parker>(&self, me: u32, parker: &P) -> Result<(), LockError> {
        if self
            .state
            .compare_exchange_weak(LIVE, LIVE | LOCKED, Ordering::Acquire, Ordering::Relaxed)
            .is_ok()
        {
            self.owner.store(me, Ordering::Relaxed);
            return Ok(());
        }
        self.lock_slow(me, parker)
    }

    #[cold]
    fn lock_slow<P: Parker>(&self, me: u32, parker: &P) -> Result<(), LockError> {
        let mut spin = P::Spin::default();
        let mut word = self.state.load(Ordering::Relaxed);
        loop {
            if !is_live(word) {
                return Err(LockError::NotInitialised);
            }
            if word & LOCKED == 0 {
                match self.state.compare_exchange_weak(
                    word,
                    word | LOCKED,
                    Ordering::Acquire,
                    Ordering::Relaxed,
                ) {
                    Ok(_) => {
                        self.owner.store(me, Ordering::Relaxed);
                        return Ok(());
                    }
                    Err(now) => {
                        word = now;
                        continue;
                    }
                }
            }
            // Only `me` ever stores `me` into the owner field, and clears it
            // before unlocking, so seeing our own id means we hold the lock.
            if me != 0 && self.owner.load(Ordering::Relaxed) == me {
                return Err(LockError::WouldDeadlock);
            }
            if word & PARKED == 0 {
                if parker.spin(&mut spin) {
                    word = self.state.load(Ordering::Relaxed);
                    continue;
                }
                if let Err(now) = self.state.compare_exchange_weak(
                    word,
                    word | PARKED,
                    Ordering::Relaxed,
                    Ordering::Relaxed,
                ) {
                    word = now;
                    continue;
                }
            }
            parker.park(self.key(), || {
                self.state.load(Ordering::Relaxed) == LIVE | LOCKED | PARKED
            });
            spin = P::Spin::default();
            word = self.state.load(Ordering::Relaxed);
        }
    }

    /// Unlocks the mutex held by thread `me`.
    #[inline]
    pub(crate) fn unlock<P: Parker>(&self, me: u32, parker: &P) -> Result<(), LockError> {
        let word = self.state.load(Ordering::Relaxed);
        if !is_live(word) {
            return Err(LockError::NotInitialised);
        }
        if word & LOCKED == 0 {
            return Err(LockError::NotLocked);
        }
        if me != 0 && self.owner.load(Ordering::Relaxed) != me {
            return Err(LockError::NotOwner);
        }
        self.owner.store(0, Ordering::Relaxed);
        if self
            .state
            .compare_exchange(LIVE | LOCKED, LIVE, Ordering::Release, Ordering::Relaxed)
            .is_ok()
        {
            return Ok(());
        }
        self.unlock_slow(parker);
        Ok(())
    }

    #[cold]
    fn unlock_slow<P: Parker>(&self, parker: &P) {
        // We hold the lock and PARKED is set: nobody else can change the
        // word until we store it, except to set PARKED, which is set.
        parker.unpark_one(self.key(), |have_more| {
            let word = if have_more { LIVE | PARKED } else { LIVE };
            self.state.store(word, Ordering::Release);
        });
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    use crate::threading::park::NoWait;

    fn words() -> (AtomicU32, AtomicU32) {
        (AtomicU32::new(0), AtomicU32::new(0))
    }

    #[test]
    fn zero_filled_is_not_initialised() {
        let (s, o) = words();
        let w = LockWord::new(&s, &o);
        assert_eq!(w.lock(1, &NoWait), Err(LockError::NotInitialised));
        assert_eq!(w.unlock(1, &NoWait), Err(LockError::NotInitialised));
        assert_eq!(w.free(), FreeOutcome::NotLive);
        assert_eq!(s.load(Ordering::Relaxed), 0, "failed calls change nothing");
    }

    #[test]
    fn lifecycle() {
        let (s, o) = words();
        let w = LockWord::new(&s, &o);
        assert_eq!(w.init(), InitOutcome::Initialised);
        assert_eq!(w.init(), InitOutcome::AlreadyLive);
        assert_eq!(w.lock(7, &NoWait), Ok(()));
        assert_eq!(o.load(Ordering::Relaxed), 7);
        assert_eq!(w.lock(7, &NoWait), Err(LockError::WouldDeadlock));
        assert_eq!(w.unlock(8, &NoWait), Err(LockError::NotOwner));
        assert_eq!(w.free(), FreeOutcome::Busy);
        assert_eq!(
            w.init(),
            InitOutcome::AlreadyLive,
            "init of a locked mutex is a no-op"
        );
        assert_eq!(w.unlock(7, &NoWait), Ok(()));
        assert_eq!(w.unlock(7, &NoWait), Err(LockError::NotLocked));
        assert_eq!(w.free(), FreeOutcome::Freed);
        assert_eq!(s.load(Ordering::Relaxed), FREED);
        assert_eq!(w.free(), FreeOutcome::NotLive);
        assert_eq!(w.lock(7, &NoWait), Err(LockError::NotInitialised));
        assert_eq!(w.unlock(7, &NoWait), Err(LockError::NotInitialised));
        assert_eq!(
            w.init(),
            InitOutcome::Initialised,
            "a freed mutex can be reused"
        );
        assert_eq!(w.lock(9, &NoWait), Ok(()));
        assert_eq!(w.unlock(9, &NoWait), Ok(()));
    }

    #[test]
    fn a_stuck_init_marker_is_garbage() {
        let (s, o) = (AtomicU32::new(INITIALISING), AtomicU32::new(77));
        let w = LockWord::new(&s, &o);
        assert_eq!(w.init(), InitOutcome::Initialised);
        assert_eq!(w.lock(1, &NoWait), Ok(()));
        assert_eq!(o.load(Ordering::Relaxed), 1);
    }

    #[test]
    fn garbage_is_not_live() {
        for junk in [1u32, LOCKED, TAG_LIVE | 0x10, 0xFFFF_FFFF, FREED | LOCKED] {
            let s = AtomicU32::new(junk);
            let o = AtomicU32::new(0);
            let w = LockWord::new(&s, &o);
            assert_eq!(
                w.lock(1, &NoWait),
                Err(LockError::NotInitialised),
                "{junk:#x}"
            );
            assert_eq!(w.free(), FreeOutcome::NotLive, "{junk:#x}");
            assert_eq!(w.init(), InitOutcome::Initialised, "{junk:#x}");
        }
    }
}
