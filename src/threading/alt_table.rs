//! Bookkeeping for `MBEDTLS_THREADING_ALT` mutexes, kept outside the
//! application's mutex type.
//!
//! Under `MBEDTLS_THREADING_ALT` the mutex type is the application's, so the
//! library cannot store its own state inside it. Instead a fixed table keyed
//! by the mutex's address records, for each mutex that `mbedtls_mutex_init`
//! has seen:
//!
//! - `PENDING`: init ran before `mbedtls_threading_set_alt` installed a
//!   backend. The application's init runs lazily at the first lock once a
//!   backend exists (upstream instead fails every later lock).
//! - `LIVE`, plus `LOCKED` while held, and the holder's thread id.
//!
//! A mutex that is not in the table was never initialised or has been freed:
//! lock and unlock report it instead of handing garbage to the application's
//! functions. When the table is full, a new mutex is refused the same way
//! (its lock fails with `MBEDTLS_ERR_THREADING_BAD_INPUT_DATA`) and the
//! overflow is counted (`mbedcrypto_threading_alt_overflows()`): a loud
//! failure with a build-time knob (`MBEDCRYPTO_ALT_MUTEX_SLOTS`), never an
//! unchecked call.
//!
//! The key is an address, and memory is reused: a mutex that was never
//! freed leaves an entry behind, and a new mutex at the same address must
//! not be mistaken for it. So each live entry also holds a fingerprint of
//! the application's mutex bytes taken right after its init. An init that
//! finds a live, unlocked entry whose bytes no longer match treats the
//! memory as a new mutex and runs the application's init (the old one was
//! leaked by whoever forgot to free it); if the bytes still match, it is a
//! second init of the same mutex and nothing happens.
//!
//! The table is open-addressed with linear probing and never moves entries,
//! so lookups need no lock: a slot's address changes only by a CAS that
//! claims a free slot, or by removal of that same mutex (which the caller
//! may not race with other calls on it, as upstream requires). Removed slots
//! become tombstones that later inserts reuse.

use core::ffi::c_int;

use super::sync::{AtomicU32, AtomicUsize, Ordering};

const EMPTY: usize = 0;
const TOMBSTONE: usize = 1;

const PENDING: u32 = 1;
const LIVE: u32 = 2;
const LOCKED: u32 = 4;

/// One table entry.
pub(crate) struct Slot {
    addr: AtomicUsize,
    state: AtomicU32,
    owner: AtomicU32,
    /// Fingerprint of the application's mutex bytes after its init.
    print: AtomicU32,
}

impl Slot {
    /// An empty slot.
    #[cfg(not(loom))]
    pub(crate) const fn new() -> Self {
        Slot {
            addr: AtomicUsize::new(EMPTY),
            state: AtomicU32::new(0),
            owner: AtomicU32::new(0),
            print: AtomicU32::new(0),
        }
    }

    /// An empty slot.
    #[cfg(loom)]
    pub(crate) fn new() -> Self {
        Slot {
            addr: AtomicUsize::new(EMPTY),
            state: AtomicU32::new(0),
            owner: AtomicU32::new(0),
            print: AtomicU32::new(0),
        }
    }
}

/// The application's mutex functions, as the table calls them.
pub(crate) trait AltOps {
    /// The application's `mutex_init`.
    fn init(&self, addr: usize);
    /// The application's `mutex_free`.
    fn free(&self, addr: usize);
    /// The application's `mutex_lock`; 0 on success.
    fn lock(&self, addr: usize) -> c_int;
    /// The application's `mutex_unlock`; 0 on success.
    fn unlock(&self, addr: usize) -> c_int;
    /// Runs `f` holding the library's lazy-initialisation mutex.
    fn with_lazy_lock(&self, f: &mut dyn FnMut()) -> Result<(), c_int>;
    /// A fingerprint of the mutex's current bytes.
    fn fingerprint(&self, addr: usize) -> u32;
}

/// Result of [`AltTable::init`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum InitOutcome {
    /// A new entry (pending or live).
    Initialised,
    /// The mutex was already known; nothing changed.
    AlreadyLive,
    /// The table is full: the mutex is not tracked and will not lock.
    Refused,
}

/// Result of [`AltTable::free`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FreeOutcome {
    /// The entry was removed (and the application's free called if it was
    /// live).
    Freed,
    /// Not in the table: never initialised or already freed.
    NotLive,
    /// Locked: nothing changed.
    Busy,
}

/// Why a lock or unlock failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AltError {
    /// Never initialised, freed, or refused because the table was full.
    NotInitialised,
    /// The mutex's init ran before any backend existed, and there is still
    /// none (or it was retired by `mbedtls_threading_free_alt`).
    NoBackend,
    /// The calling thread already holds it.
    WouldDeadlock,
    /// Unlock of a mutex that is not locked.
    NotLocked,
    /// Unlock of a mutex that another thread holds.
    NotOwner,
    /// The application's function returned this code.
    Backend(c_int),
}

/// A view of the table's storage.
pub(crate) struct AltTable<'a> {
    slots: &'a [Slot],
    /// Number of inits refused because the table was full.
    overflow: &'a AtomicU32,
}

fn hash(addr: usize) -> usize {
    // Fibonacci hashing of the address without its alignment bits.
    ((addr >> 3) as u64)
        .wrapping_mul(0x9E37_79B9_7F4A_7C15)
        .rotate_left(32) as usize
}

impl<'a> AltTable<'a> {
    /// Wraps table storage.
    pub(crate) fn new(slots: &'a [Slot], overflow: &'a AtomicU32) -> Self {
        AltTable { slots, overflow }
    }

    /// The slots in probe order for `addr`: from its hash's slot to the
    /// end, then from the start.
    fn probe(&self, addr: usize) -> impl Iterator<Item = &'a Slot> {
        let slots = self.slots;
        let (head, tail) = slots.split_at(hash(addr) % slots.len().max(1));
        tail.iter().chain(head)
    }

    fn find(&self, addr: usize) -> Option<&'a Slot> {
        for slot in self.probe(addr) {
            match slot.addr.load(Ordering::Acquire) {
                a if a == addr => return Some(slot),
                EMPTY => return None,
                _ => {}
            }
        }
        None
    }

    fn claim(&self, addr: usize) -> Option<&'a Slot> {
        for slot in self.probe(addr) {
            let a = slot.addr.load(Ordering::Acquire);
            if (a == EMPTY || a == TOMBSTONE)
                && slot
                    .addr
                    .compare_exchange(a, addr, Ordering::AcqRel, Ordering::Acquire)
                    .is_ok()
            {
                return Some(slot);
            }
        }
        None
    }

    /// The number of inits refused because the table was full.
    pub(crate) fn overflows(&self) -> u32 {
        self.overflow.load(Ordering::Relaxed)
    }

    /// Whether `addr` is tracked (pending or live).
    #[cfg(test)]
    pub(crate) fn contains(&self, addr: usize) -> bool {
        self.find(addr).is_some()
    }

    /// Runs the application's init on a claimed or recycled entry and marks
    /// it live.
    fn make_live<O: AltOps>(slot: &Slot, addr: usize, ops: &O) {
        ops.init(addr);
        slot.print.store(ops.fingerprint(addr), Ordering::Relaxed);
        slot.owner.store(0, Ordering::Relaxed);
        slot.state.store(LIVE, Ordering::Release);
    }

    /// Records an init of the mutex at `addr`. With a backend (`ops`), the
    /// application's init runs now; without one, the mutex is pending.
    /// When the table is full the mutex is refused (see the module docs).
    pub(crate) fn init<O: AltOps>(&self, addr: usize, ops: Option<&O>) -> InitOutcome {
        if let Some(slot) = self.find(addr) {
            let state = slot.state.load(Ordering::Acquire);
            if state == PENDING {
                if let Some(ops) = ops {
                    // Best effort: a failure leaves it pending for the next lock.
                    let _ = Self::lazy_init(slot, addr, ops);
                }
            } else if state == LIVE
                && let Some(ops) = ops
                && slot.print.load(Ordering::Relaxed) != ops.fingerprint(addr)
            {
                // Reused memory that still has an entry from a mutex nobody
                // freed: this is a new mutex.
                Self::make_live(slot, addr, ops);
                return InitOutcome::Initialised;
            }
            return InitOutcome::AlreadyLive;
        }
        match self.claim(addr) {
            Some(slot) => {
                match ops {
                    Some(ops) => Self::make_live(slot, addr, ops),
                    None => {
                        slot.owner.store(0, Ordering::Relaxed);
                        slot.state.store(PENDING, Ordering::Release);
                    }
                }
                InitOutcome::Initialised
            }
            None => {
                self.overflow.fetch_add(1, Ordering::Relaxed);
                InitOutcome::Refused
            }
        }
    }

    fn lazy_init<O: AltOps>(slot: &Slot, addr: usize, ops: &O) -> Result<(), AltError> {
        ops.with_lazy_lock(&mut || {
            if slot.state.load(Ordering::Acquire) == PENDING {
                Self::make_live(slot, addr, ops);
            }
        })
        .map_err(AltError::Backend)
    }

    /// Locks the mutex at `addr` for thread `me` (0 if unknown).
    pub(crate) fn lock<O: AltOps>(
        &self,
        addr: usize,
        ops: Option<&O>,
        me: u32,
    ) -> Result<(), AltError> {
        let slot = self.find(addr).ok_or(AltError::NotInitialised)?;
        let ops = ops.ok_or(AltError::NoBackend)?;
        let state = slot.state.load(Ordering::Acquire);
        if state == PENDING {
            Self::lazy_init(slot, addr, ops)?;
        } else if state & LOCKED != 0 && me != 0 && slot.owner.load(Ordering::Relaxed) == me {
            return Err(AltError::WouldDeadlock);
        }
        match ops.lock(addr) {
            0 => {
                slot.owner.store(me, Ordering::Relaxed);
                slot.state.fetch_or(LOCKED, Ordering::AcqRel);
                Ok(())
            }
            code => Err(AltError::Backend(code)),
        }
    }

    /// Unlocks the mutex at `addr`, held by thread `me` (0 if unknown).
    pub(crate) fn unlock<O: AltOps>(
        &self,
        addr: usize,
        ops: Option<&O>,
        me: u32,
    ) -> Result<(), AltError> {
        let slot = self.find(addr).ok_or(AltError::NotInitialised)?;
        let ops = ops.ok_or(AltError::NoBackend)?;
        let state = slot.state.load(Ordering::Acquire);
        if state & LOCKED == 0 {
            return Err(AltError::NotLocked);
        }
        let holder = slot.owner.load(Ordering::Relaxed);
        if me != 0 && holder != me {
            return Err(AltError::NotOwner);
        }
        slot.owner.store(0, Ordering::Relaxed);
        slot.state.fetch_and(!LOCKED, Ordering::AcqRel);
        match ops.unlock(addr) {
            0 => Ok(()),
            code => {
                // The application's mutex is still held: say so again, so a
                // relock is still caught and a free still refused.
                slot.state.fetch_or(LOCKED, Ordering::AcqRel);
                slot.owner.store(holder, Ordering::Relaxed);
                Err(AltError::Backend(code))
            }
        }
    }

    /// Frees the mutex at `addr` if it is known and not locked.
    pub(crate) fn free<O: AltOps>(&self, addr: usize, ops: Option<&O>) -> FreeOutcome {
        let Some(slot) = self.find(addr) else {
            return FreeOutcome::NotLive;
        };
        let state = slot.state.load(Ordering::Acquire);
        if state & LOCKED != 0 {
            return FreeOutcome::Busy;
        }
        if state == LIVE {
            match ops {
                Some(ops) => ops.free(addr),
                // A live entry implies a backend was installed; it is never
                // removed, so this cannot happen. Keep the entry.
                None => return FreeOutcome::Busy,
            }
        }
        slot.state.store(0, Ordering::Relaxed);
        slot.addr.store(TOMBSTONE, Ordering::Release);
        FreeOutcome::Freed
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;
    use std::cell::RefCell;
    use std::vec::Vec;

    /// Records the calls the table makes to the application's functions.
    #[derive(Default)]
    struct Recorder {
        calls: RefCell<Vec<(&'static str, usize)>>,
        fail_lock: bool,
        fail_unlock: bool,
        /// What the mutex's bytes hash to now.
        print: core::cell::Cell<u32>,
    }
    impl AltOps for Recorder {
        fn init(&self, addr: usize) {
            self.calls.borrow_mut().push(("init", addr));
        }
        fn free(&self, addr: usize) {
            self.calls.borrow_mut().push(("free", addr));
        }
        fn lock(&self, addr: usize) -> c_int {
            self.calls.borrow_mut().push(("lock", addr));
            if self.fail_lock { -0x1E } else { 0 }
        }
        fn unlock(&self, addr: usize) -> c_int {
            self.calls.borrow_mut().push(("unlock", addr));
            if self.fail_unlock { -0x1E } else { 0 }
        }
        fn with_lazy_lock(&self, f: &mut dyn FnMut()) -> Result<(), c_int> {
            f();
            Ok(())
        }
        fn fingerprint(&self, _addr: usize) -> u32 {
            self.print.get()
        }
    }

    fn storage(n: usize) -> (Vec<Slot>, AtomicU32) {
        ((0..n).map(|_| Slot::new()).collect(), AtomicU32::new(0))
    }

    #[test]
    fn unknown_mutex_is_rejected_without_calling_the_application() {
        let (slots, ov) = storage(8);
        let t = AltTable::new(&slots, &ov);
        let ops = Recorder::default();
        assert_eq!(t.lock(0x1000, Some(&ops), 1), Err(AltError::NotInitialised));
        assert_eq!(
            t.unlock(0x1000, Some(&ops), 1),
            Err(AltError::NotInitialised)
        );
        assert_eq!(t.free(0x1000, Some(&ops)), FreeOutcome::NotLive);
        assert!(ops.calls.borrow().is_empty());
    }

    #[test]
    fn lazy_init_before_backend() {
        let (slots, ov) = storage(8);
        let t = AltTable::new(&slots, &ov);
        let ops = Recorder::default();
        assert_eq!(t.init::<Recorder>(0x1000, None), InitOutcome::Initialised);
        assert_eq!(
            t.lock::<Recorder>(0x1000, None, 1),
            Err(AltError::NoBackend)
        );
        assert_eq!(t.lock(0x1000, Some(&ops), 1), Ok(()));
        assert_eq!(t.unlock(0x1000, Some(&ops), 1), Ok(()));
        assert_eq!(t.free(0x1000, Some(&ops)), FreeOutcome::Freed);
        assert_eq!(
            *ops.calls.borrow(),
            [
                ("init", 0x1000),
                ("lock", 0x1000),
                ("unlock", 0x1000),
                ("free", 0x1000)
            ]
        );
        // Pending and freed without ever being used: no application calls.
        let ops2 = Recorder::default();
        t.init::<Recorder>(0x2000, None);
        assert_eq!(t.free(0x2000, Some(&ops2)), FreeOutcome::Freed);
        assert!(ops2.calls.borrow().is_empty());
    }

    #[test]
    fn misuse_is_reported() {
        let (slots, ov) = storage(8);
        let t = AltTable::new(&slots, &ov);
        let ops = Recorder::default();
        t.init(0x1000, Some(&ops));
        assert_eq!(t.init(0x1000, Some(&ops)), InitOutcome::AlreadyLive);
        assert_eq!(t.unlock(0x1000, Some(&ops), 1), Err(AltError::NotLocked));
        t.lock(0x1000, Some(&ops), 1).unwrap();
        assert_eq!(t.lock(0x1000, Some(&ops), 1), Err(AltError::WouldDeadlock));
        assert_eq!(t.unlock(0x1000, Some(&ops), 2), Err(AltError::NotOwner));
        assert_eq!(t.free(0x1000, Some(&ops)), FreeOutcome::Busy);
        t.unlock(0x1000, Some(&ops), 1).unwrap();
        assert_eq!(t.free(0x1000, Some(&ops)), FreeOutcome::Freed);
        assert_eq!(t.free(0x1000, Some(&ops)), FreeOutcome::NotLive);
        assert_eq!(t.lock(0x1000, Some(&ops), 1), Err(AltError::NotInitialised));
        let inits = ops.calls.borrow().iter().filter(|c| c.0 == "init").count();
        assert_eq!(
            inits, 1,
            "a second init of a live mutex does not call init again"
        );
    }

    #[test]
    fn backend_errors_pass_through() {
        let (slots, ov) = storage(8);
        let t = AltTable::new(&slots, &ov);
        let ops = Recorder {
            fail_lock: true,
            ..Default::default()
        };
        t.init(0x1000, Some(&ops));
        assert_eq!(t.lock(0x1000, Some(&ops), 1), Err(AltError::Backend(-0x1E)));
        assert_eq!(t.unlock(0x1000, Some(&ops), 1), Err(AltError::NotLocked));
    }

    #[test]
    fn tombstones_are_reused_and_lookups_survive_them() {
        let (slots, ov) = storage(4);
        let t = AltTable::new(&slots, &ov);
        let ops = Recorder::default();
        for round in 0..50usize {
            let a = 0x1000 + round * 8;
            let b = 0x9000 + round * 8;
            assert_eq!(t.init(a, Some(&ops)), InitOutcome::Initialised);
            assert_eq!(t.init(b, Some(&ops)), InitOutcome::Initialised);
            assert!(t.contains(a) && t.contains(b));
            assert_eq!(t.free(a, Some(&ops)), FreeOutcome::Freed);
            assert!(t.contains(b), "b is found past a's tombstone");
            assert_eq!(t.free(b, Some(&ops)), FreeOutcome::Freed);
        }
        assert_eq!(ov.load(Ordering::Relaxed), 0);
    }

    #[test]
    fn a_full_table_refuses_instead_of_passing_through() {
        let (slots, ov) = storage(2);
        let t = AltTable::new(&slots, &ov);
        let ops = Recorder::default();
        t.init(0x1000, Some(&ops));
        t.init(0x2000, Some(&ops));
        assert_eq!(t.init(0x3000, Some(&ops)), InitOutcome::Refused);
        assert_eq!(t.overflows(), 1);
        assert_eq!(t.lock(0x3000, Some(&ops), 1), Err(AltError::NotInitialised));
        assert_eq!(t.free(0x3000, Some(&ops)), FreeOutcome::NotLive);
        // Never-initialised mutexes are still refused too.
        assert_eq!(t.lock(0x4000, Some(&ops), 1), Err(AltError::NotInitialised));
        let inits = ops.calls.borrow().iter().filter(|c| c.0 == "init").count();
        assert_eq!(inits, 2, "the refused mutex never reached the application");
    }

    #[test]
    fn reused_memory_is_a_new_mutex() {
        let (slots, ov) = storage(8);
        let t = AltTable::new(&slots, &ov);
        let ops = Recorder::default();
        ops.print.set(7);
        t.init(0x1000, Some(&ops)); // never freed by its owner
        // Same bytes: a second init of the same mutex does nothing.
        assert_eq!(t.init(0x1000, Some(&ops)), InitOutcome::AlreadyLive);
        // The memory was reused (zeroed, say): a new mutex, initialised.
        ops.print.set(0);
        assert_eq!(t.init(0x1000, Some(&ops)), InitOutcome::Initialised);
        let inits = ops.calls.borrow().iter().filter(|c| c.0 == "init").count();
        assert_eq!(inits, 2);
        assert_eq!(t.lock(0x1000, Some(&ops), 1), Ok(()));
        // A locked entry is never re-initialised, whatever its bytes.
        ops.print.set(99);
        assert_eq!(t.init(0x1000, Some(&ops)), InitOutcome::AlreadyLive);
        assert_eq!(t.unlock(0x1000, Some(&ops), 1), Ok(()));
    }

    #[test]
    fn failed_unlock_keeps_the_mutex_locked() {
        let (slots, ov) = storage(8);
        let t = AltTable::new(&slots, &ov);
        let ops = Recorder {
            fail_unlock: true,
            ..Default::default()
        };
        t.init(0x1000, Some(&ops));
        t.lock(0x1000, Some(&ops), 1).unwrap();
        assert_eq!(
            t.unlock(0x1000, Some(&ops), 1),
            Err(AltError::Backend(-0x1E))
        );
        assert_eq!(t.lock(0x1000, Some(&ops), 1), Err(AltError::WouldDeadlock));
        assert_eq!(t.free(0x1000, Some(&ops)), FreeOutcome::Busy);
    }
}
