//! A run-once flag that reports re-entry instead of deadlocking.
//!
//! `std::sync::Once` and `pthread_once` deadlock (or abort) when the
//! function they run calls back into the same flag. Ours returns an error to
//! the re-entering call; other threads wait until the function returns.

use super::park::Parker;
use super::sync::{AtomicU32, Ordering};

const NEW: u32 = 0;
const RUNNING: u32 = 1;
const DONE: u32 = 2;
const PHASE: u32 = 0x3;
/// Set while some thread may be parked waiting for the function to finish.
const WAITERS: u32 = 0x4;

/// Why [`OnceWord::call`] did not run or wait for the function.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum OnceError {
    /// The calling thread is the one running the function (waiting would
    /// never end), or thread ids are unknown and the function is running.
    Reentered,
    /// The flag's memory holds a value no flag can have.
    Corrupted,
}

/// A view of a run-once flag's state word and owner field.
pub(crate) struct OnceWord<'a> {
    state: &'a AtomicU32,
    owner: &'a AtomicU32,
}

impl<'a> OnceWord<'a> {
    /// Wraps the two words of one flag.
    pub(crate) fn new(state: &'a AtomicU32, owner: &'a AtomicU32) -> Self {
        OnceWord { state, owner }
    }

    fn key(&self) -> usize {
        self.state as *const AtomicU32 as usize
    }

    /// Runs `f` if no thread has run it yet; otherwise waits until it has
    /// returned. `me` is the calling thread's id, or 0 when ids are unknown
    /// (firmware builds): then a flag found running cannot be told apart
    /// from re-entry, and the call returns an error instead of waiting
    /// (waiting could be a deadlock, or a livelock under a priority
    /// scheduler).
    pub(crate) fn call<P: Parker>(
        &self,
        me: u32,
        parker: &P,
        f: impl FnOnce(),
    ) -> Result<(), OnceError> {
        let mut word = self.state.load(Ordering::Acquire);
        loop {
            if word & !(PHASE | WAITERS) != 0 {
                return Err(OnceError::Corrupted);
            }
            match word & PHASE {
                DONE => return Ok(()),
                NEW => {
                    match self.state.compare_exchange(
                        word,
                        RUNNING,
                        Ordering::Acquire,
                        Ordering::Acquire,
                    ) {
                        Ok(_) => {
                            self.owner.store(me, Ordering::Relaxed);
                            f();
                            self.owner.store(0, Ordering::Relaxed);
                            let before = self.state.swap(DONE, Ordering::Release);
                            if before & WAITERS != 0 {
                                parker.unpark_all(self.key());
                            }
                            return Ok(());
                        }
                        Err(now) => word = now,
                    }
                }
                RUNNING => {
                    if me == 0 || self.owner.load(Ordering::Relaxed) == me {
                        return Err(OnceError::Reentered);
                    }
                    if word & WAITERS == 0
                        && let Err(now) = self.state.compare_exchange(
                            word,
                            word | WAITERS,
                            Ordering::Relaxed,
                            Ordering::Acquire,
                        )
                    {
                        word = now;
                        continue;
                    }
                    parker.park(self.key(), || {
                        self.state.load(Ordering::Relaxed) == RUNNING | WAITERS
                    });
                    word = self.state.load(Ordering::Acquire);
                }
                _ => return Err(OnceError::Corrupted),
            }
        }
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;
    use core::cell::Cell;

    use crate::threading::park::NoWait;

    #[test]
    fn runs_once_and_reports_reentry() {
        let (s, o) = (AtomicU32::new(0), AtomicU32::new(0));
        let once = OnceWord::new(&s, &o);
        let runs = Cell::new(0);
        let inner = Cell::new(None);
        once.call(5, &NoWait, || {
            runs.set(runs.get() + 1);
            inner.set(Some(once.call(5, &NoWait, || runs.set(100))));
        })
        .unwrap();
        assert_eq!(inner.get(), Some(Err(OnceError::Reentered)));
        assert_eq!(runs.get(), 1);
        once.call(6, &NoWait, || runs.set(100)).unwrap();
        assert_eq!(runs.get(), 1, "a done flag never runs again");
    }

    #[test]
    fn unknown_ids_never_wait() {
        let (s, o) = (AtomicU32::new(0), AtomicU32::new(0));
        let once = OnceWord::new(&s, &o);
        let inner = Cell::new(None);
        once.call(0, &NoWait, || inner.set(Some(once.call(0, &NoWait, || ()))))
            .unwrap();
        assert_eq!(inner.get(), Some(Err(OnceError::Reentered)));
    }

    #[test]
    fn corrupted_flag() {
        let (s, o) = (AtomicU32::new(0xdead_beef), AtomicU32::new(0));
        let once = OnceWord::new(&s, &o);
        let mut ran = false;
        assert_eq!(
            once.call(1, &NoWait, || ran = true),
            Err(OnceError::Corrupted)
        );
        assert!(!ran);
    }
}
