//! loom models of the locking protocols: every interleaving of a few
//! threads doing init, lock, unlock, free and lazy init is explored.
//!
//! Run with `make loom` (`RUSTFLAGS="--cfg loom" cargo test --release --lib
//! --no-default-features --features std threading::loom_tests`).

use loom::sync::atomic::{AtomicBool, AtomicUsize};
use loom::sync::{Arc, Condvar, Mutex};
use loom::thread;

use super::alt_table::{AltOps, AltTable, Slot};
use super::lockword::{FreeOutcome, InitOutcome, LockError, LockWord};
use super::once::OnceWord;
use super::park::Parker;
use super::sync::{AtomicU32, Ordering};

/// A model of parking_lot's parking lot for one key: parked threads wait on
/// a condition variable for a token handed out by unpark. `validate` and the
/// unpark callback run under the same lock, as in parking_lot.
#[derive(Default)]
struct ModelParker {
    queue: Mutex<(usize, usize)>, // (parked, tokens to hand out)
    wake: Condvar,
}

impl Parker for Arc<ModelParker> {
    type Spin = ();
    fn spin(&self, _: &mut ()) -> bool {
        false
    }
    fn park(&self, _key: usize, validate: impl FnOnce() -> bool) {
        let mut q = self.queue.lock().unwrap();
        if !validate() {
            return;
        }
        q.0 += 1;
        while q.1 == 0 {
            q = self.wake.wait(q).unwrap();
        }
        q.1 -= 1;
    }
    fn unpark_one(&self, _key: usize, callback: impl FnOnce(bool)) {
        let mut q = self.queue.lock().unwrap();
        if q.0 > 0 {
            q.0 -= 1;
            q.1 += 1;
        }
        callback(q.0 > 0);
        self.wake.notify_all();
    }
    fn unpark_all(&self, _key: usize) {
        let mut q = self.queue.lock().unwrap();
        q.1 += q.0;
        q.0 = 0;
        self.wake.notify_all();
    }
}

struct Mx {
    state: AtomicU32,
    owner: AtomicU32,
    parker: Arc<ModelParker>,
}

impl Mx {
    fn new() -> Arc<Mx> {
        Arc::new(Mx {
            state: AtomicU32::new(0),
            owner: AtomicU32::new(0),
            parker: Arc::new(ModelParker::default()),
        })
    }
    fn word(&self) -> LockWord<'_> {
        LockWord::new(&self.state, &self.owner)
    }
}

#[test]
fn mutual_exclusion_with_parking() {
    loom::model(|| {
        let m = Mx::new();
        assert_eq!(m.word().init(), InitOutcome::Initialised);
        let inside = Arc::new(AtomicUsize::new(0));
        let handles: Vec<_> = (1..=2u32)
            .map(|id| {
                let (m, inside) = (m.clone(), inside.clone());
                thread::spawn(move || {
                    m.word().lock(id, &m.parker).unwrap();
                    assert_eq!(inside.fetch_add(1, Ordering::SeqCst), 0, "two holders");
                    inside.fetch_sub(1, Ordering::SeqCst);
                    m.word().unlock(id, &m.parker).unwrap();
                })
            })
            .collect();
        m.word().lock(3, &m.parker).unwrap();
        assert_eq!(inside.fetch_add(1, Ordering::SeqCst), 0, "two holders");
        inside.fetch_sub(1, Ordering::SeqCst);
        m.word().unlock(3, &m.parker).unwrap();
        for h in handles {
            h.join().unwrap();
        }
        assert_eq!(m.word().free(), FreeOutcome::Freed, "no waiter left behind");
    });
}

#[test]
fn free_never_disturbs_a_holder() {
    loom::model(|| {
        let m = Mx::new();
        m.word().init();
        let m2 = m.clone();
        let holder = thread::spawn(move || {
            let locked = m2.word().lock(1, &m2.parker);
            let unlocked = locked.map(|()| m2.word().unlock(1, &m2.parker));
            (locked, unlocked)
        });
        let freed = m.word().free();
        let (locked, unlocked) = holder.join().unwrap();
        // Whoever got the lock can always release it: free never pulls a
        // mutex out from under its holder.
        if locked.is_ok() {
            assert_eq!(unlocked, Ok(Ok(())), "free disturbed the holder");
        } else {
            assert_eq!(locked, Err(LockError::NotInitialised));
            assert_eq!(freed, FreeOutcome::Freed);
        }
        match freed {
            FreeOutcome::Freed => {
                assert_eq!(m.word().lock(2, &m.parker), Err(LockError::NotInitialised))
            }
            FreeOutcome::Busy => assert!(locked.is_ok()),
            FreeOutcome::NotLive => panic!("the mutex was live"),
        }
    });
}

#[test]
fn init_racing_init_and_lock() {
    loom::model(|| {
        let m = Mx::new();
        let m2 = m.clone();
        let locker = thread::spawn(move || match m2.word().lock(1, &m2.parker) {
            Ok(()) => {
                m2.word().unlock(1, &m2.parker).unwrap();
                true
            }
            Err(e) => {
                assert_eq!(e, LockError::NotInitialised);
                false
            }
        });
        let m3 = m.clone();
        let initer = thread::spawn(move || m3.word().init());
        let first = m.word().init();
        let second = initer.join().unwrap();
        locker.join().unwrap();
        // Exactly one init made it live.
        assert_eq!(
            [first, second]
                .iter()
                .filter(|o| **o == InitOutcome::Initialised)
                .count(),
            1
        );
        assert_eq!(m.word().free(), FreeOutcome::Freed);
    });
}

#[test]
fn free_with_a_parked_waiter() {
    // A holder, a thread waiting for the lock (parked or spinning), and a
    // thread freeing the mutex: free must refuse while either is there,
    // and the waiter must get the lock and release it.
    loom::model(|| {
        let m = Mx::new();
        m.word().init();
        m.word().lock(1, &m.parker).unwrap();
        let m2 = m.clone();
        let waiter = thread::spawn(move || {
            let r = m2.word().lock(2, &m2.parker);
            if r.is_ok() {
                m2.word().unlock(2, &m2.parker).unwrap();
            }
            r
        });
        let m3 = m.clone();
        let freer = thread::spawn(move || m3.word().free());
        m.word().unlock(1, &m.parker).unwrap();
        let waited = waiter.join().unwrap();
        let freed = freer.join().unwrap();
        match freed {
            // Free won after both were done, or before the waiter arrived:
            // the waiter then saw a freed mutex, never a half-freed one.
            FreeOutcome::Freed => {
                assert!(matches!(waited, Ok(()) | Err(LockError::NotInitialised)))
            }
            FreeOutcome::Busy => {
                assert_eq!(waited, Ok(()));
                assert_eq!(m.word().free(), FreeOutcome::Freed, "no waiter left parked");
            }
            FreeOutcome::NotLive => panic!("the mutex was live"),
        }
    });
}

#[test]
fn once_runs_once_and_waiters_see_the_result() {
    loom::model(|| {
        let flag = Arc::new((
            AtomicU32::new(0),
            AtomicU32::new(0),
            Arc::new(ModelParker::default()),
        ));
        let value = Arc::new(AtomicUsize::new(0));
        let runs = Arc::new(AtomicUsize::new(0));
        let handles: Vec<_> = (1..=2u32)
            .map(|id| {
                let (flag, value, runs) = (flag.clone(), value.clone(), runs.clone());
                thread::spawn(move || {
                    OnceWord::new(&flag.0, &flag.1)
                        .call(id, &flag.2, || {
                            runs.fetch_add(1, Ordering::SeqCst);
                            value.store(42, Ordering::Relaxed);
                        })
                        .unwrap();
                    // Whoever returns sees what the function wrote.
                    assert_eq!(value.load(Ordering::Relaxed), 42);
                })
            })
            .collect();
        for h in handles {
            h.join().unwrap();
        }
        assert_eq!(runs.load(Ordering::SeqCst), 1);
    });
}

/// The application's mutex, modelled as a spin lock, with call counters.
#[derive(Default)]
struct ModelAlt {
    live: AtomicBool,
    held: AtomicBool,
    lazy: AtomicBool,
    inits: AtomicUsize,
}

impl AltOps for Arc<ModelAlt> {
    fn init(&self, _addr: usize) {
        assert!(
            !self.live.swap(true, Ordering::SeqCst),
            "init of a live mutex"
        );
        self.inits.fetch_add(1, Ordering::SeqCst);
    }
    fn free(&self, _addr: usize) {
        assert!(
            self.live.swap(false, Ordering::SeqCst),
            "free of a dead mutex"
        );
    }
    fn lock(&self, _addr: usize) -> core::ffi::c_int {
        assert!(self.live.load(Ordering::SeqCst), "lock of a dead mutex");
        while self
            .held
            .compare_exchange(false, true, Ordering::Acquire, Ordering::Relaxed)
            .is_err()
        {
            thread::yield_now();
        }
        0
    }
    fn unlock(&self, _addr: usize) -> core::ffi::c_int {
        self.held.store(false, Ordering::Release);
        0
    }
    fn fingerprint(&self, _addr: usize) -> u32 {
        0
    }
    fn with_lazy_lock(&self, f: &mut dyn FnMut()) -> Result<(), core::ffi::c_int> {
        while self
            .lazy
            .compare_exchange(false, true, Ordering::Acquire, Ordering::Relaxed)
            .is_err()
        {
            thread::yield_now();
        }
        f();
        self.lazy.store(false, Ordering::Release);
        Ok(())
    }
}

#[test]
fn alt_lazy_init_runs_once_under_racing_first_locks() {
    loom::model(|| {
        let storage = Arc::new(([Slot::new(), Slot::new()], AtomicU32::new(0)));
        let ops = Arc::new(ModelAlt::default());
        const ADDR: usize = 0x1000;
        // Initialised before any backend existed: pending.
        AltTable::new(&storage.0, &storage.1).init::<Arc<ModelAlt>>(ADDR, None);
        let handles: Vec<_> = (1..=2u32)
            .map(|id| {
                let (storage, ops) = (storage.clone(), ops.clone());
                thread::spawn(move || {
                    let t = AltTable::new(&storage.0, &storage.1);
                    t.lock(ADDR, Some(&ops), id).unwrap();
                    t.unlock(ADDR, Some(&ops), id).unwrap();
                })
            })
            .collect();
        for h in handles {
            h.join().unwrap();
        }
        assert_eq!(
            ops.inits.load(Ordering::SeqCst),
            1,
            "the application's init ran once"
        );
        let t = AltTable::new(&storage.0, &storage.1);
        assert_eq!(
            t.free(ADDR, Some(&ops)),
            super::alt_table::FreeOutcome::Freed
        );
        assert!(!ops.live.load(Ordering::SeqCst));
    });
}

#[test]
fn alt_tombstones_and_claims_race() {
    // Two threads use two mutexes that collide in a two-slot table: each
    // inits, locks, unlocks and frees its own, concurrently, twice. Lookups
    // must never miss a live entry or find the other's.
    loom::model(|| {
        let storage = Arc::new(([Slot::new(), Slot::new()], AtomicU32::new(0)));
        let handles: Vec<_> = [(1u32, 0x1000usize), (2u32, 0x1008usize)]
            .into_iter()
            .map(|(id, addr)| {
                let storage = storage.clone();
                thread::spawn(move || {
                    let ops = Arc::new(ModelAlt::default());
                    let t = AltTable::new(&storage.0, &storage.1);
                    for _ in 0..2 {
                        assert_eq!(
                            t.init(addr, Some(&ops)),
                            super::alt_table::InitOutcome::Initialised
                        );
                        t.lock(addr, Some(&ops), id).unwrap();
                        t.unlock(addr, Some(&ops), id).unwrap();
                        assert_eq!(
                            t.free(addr, Some(&ops)),
                            super::alt_table::FreeOutcome::Freed
                        );
                        assert_eq!(
                            t.lock(addr, Some(&ops), id),
                            Err(super::alt_table::AltError::NotInitialised)
                        );
                    }
                })
            })
            .collect();
        for h in handles {
            h.join().unwrap();
        }
        assert_eq!(storage.1.load(Ordering::SeqCst), 0, "no overflow");
    });
}

/// A model of a context's mutex for the context-lock protocol: a spin lock
/// that also checks it is never used while not live (never initialised, or
/// freed) and never freed while locked or while a thread waits for it.
#[derive(Default)]
struct ModelCtxMutex {
    live: AtomicBool,
    locked: AtomicBool,
    inits: AtomicUsize,
    frees: AtomicUsize,
}

impl super::ctx::CtxMutex for Arc<ModelCtxMutex> {
    fn init(&self) {
        assert!(
            !self.live.swap(true, Ordering::SeqCst),
            "init of a live mutex"
        );
        self.inits.fetch_add(1, Ordering::SeqCst);
    }
    fn free(&self) {
        assert!(
            !self.locked.load(Ordering::SeqCst),
            "free of a locked mutex"
        );
        assert!(
            self.live.swap(false, Ordering::SeqCst),
            "free of a dead mutex"
        );
        self.frees.fetch_add(1, Ordering::SeqCst);
    }
    fn lock(&self) -> core::ffi::c_int {
        loop {
            assert!(self.live.load(Ordering::SeqCst), "lock of a dead mutex");
            if self
                .locked
                .compare_exchange(false, true, Ordering::Acquire, Ordering::Relaxed)
                .is_ok()
            {
                return 0;
            }
            thread::yield_now();
        }
    }
    fn unlock(&self) -> core::ffi::c_int {
        assert!(self.live.load(Ordering::SeqCst), "unlock of a dead mutex");
        assert!(
            self.locked.swap(false, Ordering::Release),
            "unlock of an unlocked mutex"
        );
        0
    }
}

/// A context under the protocol: guard words, the model mutex, and a
/// non-atomic field that operations and the wipe write (loom reports any
/// unsynchronised access to it).
struct ModelCtx {
    state: AtomicU32,
    holder: AtomicU32,
    mutex: Arc<ModelCtxMutex>,
    parker: Arc<ModelParker>,
    data: loom::cell::UnsafeCell<u32>,
}

// SAFETY (test model): `data` is only accessed under the protocol, which is
// what the model checks; loom's UnsafeCell detects any racing access.
unsafe impl Sync for ModelCtx {}
// SAFETY (test model): as above.
unsafe impl Send for ModelCtx {}

impl ModelCtx {
    fn new() -> Arc<ModelCtx> {
        Arc::new(ModelCtx {
            state: AtomicU32::new(0),
            holder: AtomicU32::new(0),
            mutex: Arc::new(ModelCtxMutex::default()),
            parker: Arc::new(ModelParker::default()),
            data: loom::cell::UnsafeCell::new(0),
        })
    }
    fn words(&self) -> super::ctx::GuardWords<'_> {
        super::ctx::GuardWords::new(&self.state, &self.holder)
    }
    /// One operation as thread `me`: true if it ran.
    fn operate(&self, me: u32) -> bool {
        let w = self.words();
        match w.enter(me, &self.mutex) {
            Ok(()) => {
                self.data.with_mut(|d| {
                    // SAFETY: under the context's lock.
                    unsafe { *d += 1 }
                });
                assert_eq!(w.leave(&self.parker, &self.mutex), 0);
                true
            }
            Err(super::ctx::EnterError::NotLive) => false,
            Err(e) => panic!("unexpected {e:?}"),
        }
    }
    fn free(&self, me: u32) {
        let w = self.words();
        assert!(w.retire(me, &self.parker, &self.mutex, || {
            self.data.with_mut(|d| {
                // SAFETY: nobody is inside the context during the wipe.
                unsafe { *d = 0 }
            })
        }));
    }
}

#[test]
fn ctx_free_waits_for_operations_and_blocks_new_ones() {
    loom::model(|| {
        let ctx = ModelCtx::new();
        ctx.words().start(&ctx.parker, &ctx.mutex);
        let workers: Vec<_> = (1..=2u32)
            .map(|me| {
                let ctx = ctx.clone();
                thread::spawn(move || ctx.operate(me))
            })
            .collect();
        ctx.free(3);
        for w in workers {
            w.join().unwrap();
        }
        assert!(!ctx.words().is_live());
        assert_eq!(ctx.state.load(Ordering::SeqCst), 0);
        assert_eq!(ctx.mutex.inits.load(Ordering::SeqCst), 1);
        assert_eq!(ctx.mutex.frees.load(Ordering::SeqCst), 1);
        // An operation after the free is refused, and touches no mutex.
        assert!(!ctx.operate(1));
        ctx.data.with(|d| {
            // SAFETY: every thread has been joined.
            assert_eq!(unsafe { *d }, 0, "an operation ran after the wipe");
        });
    });
}

#[test]
fn ctx_start_racing_start_and_free() {
    loom::model(|| {
        let ctx = ModelCtx::new();
        let starters: Vec<_> = (0..2)
            .map(|_| {
                let ctx = ctx.clone();
                thread::spawn(move || ctx.words().start(&ctx.parker, &ctx.mutex))
            })
            .collect();
        let freer = {
            let ctx = ctx.clone();
            thread::spawn(move || ctx.free(9))
        };
        let fresh = starters
            .into_iter()
            .map(|s| s.join().unwrap())
            .filter(|s| *s == super::ctx::Start::Fresh)
            .count();
        freer.join().unwrap();
        let inits = ctx.mutex.inits.load(Ordering::SeqCst);
        let frees = ctx.mutex.frees.load(Ordering::SeqCst);
        assert_eq!(inits, fresh, "one init per fresh start");
        assert!(fresh >= 1);
        // Live exactly when the inits outnumber the frees.
        assert_eq!(ctx.words().is_live(), inits == frees + 1);
        assert!(inits == frees || inits == frees + 1);
        assert_eq!(ctx.mutex.live.load(Ordering::SeqCst), ctx.words().is_live());
    });
}

#[test]
fn ctx_reentry_is_refused_and_free_by_the_holder_does_nothing() {
    loom::model(|| {
        let ctx = ModelCtx::new();
        ctx.words().start(&ctx.parker, &ctx.mutex);
        let w = ctx.words();
        w.enter(5, &ctx.mutex).unwrap();
        assert_eq!(
            w.enter(5, &ctx.mutex),
            Err(super::ctx::EnterError::Reentered)
        );
        assert!(!w.retire(5, &ctx.parker, &ctx.mutex, || panic!("wiped")));
        let other = {
            let ctx = ctx.clone();
            thread::spawn(move || ctx.operate(6))
        };
        assert_eq!(w.leave(&ctx.parker, &ctx.mutex), 0);
        assert!(other.join().unwrap());
        ctx.free(5);
    });
}

/// Callers that join a context without its mutex (the session cache's
/// shards lock on their own): free must wait for every joined caller before
/// the wipe, and refuse callers that come after it. Each worker writes a
/// cell of its own while joined; loom reports the wipe racing any write.
#[test]
fn ctx_free_waits_for_joined_operations() {
    struct Joined {
        ctx: Arc<ModelCtx>,
        stripes: [AtomicU32; 2],
        cells: [loom::cell::UnsafeCell<u32>; 2],
    }
    // SAFETY (test model): the cells are only accessed under the protocol,
    // which loom checks.
    unsafe impl Sync for Joined {}
    // SAFETY (test model): as above.
    unsafe impl Send for Joined {}
    use super::ctx::STRIPE_OPEN;
    impl Joined {
        fn parted(&self) -> bool {
            self.stripes
                .iter()
                .all(|c| c.load(Ordering::Acquire) & !STRIPE_OPEN == 0)
        }
    }
    loom::model(|| {
        let j = Arc::new(Joined {
            ctx: ModelCtx::new(),
            stripes: [AtomicU32::new(0), AtomicU32::new(0)],
            cells: [
                loom::cell::UnsafeCell::new(0),
                loom::cell::UnsafeCell::new(0),
            ],
        });
        j.ctx.words().start(&j.ctx.parker, &j.ctx.mutex);
        for c in &j.stripes {
            c.fetch_or(STRIPE_OPEN, Ordering::Release);
        }
        let workers: Vec<_> = (0..2usize)
            .map(|me| {
                let j = j.clone();
                thread::spawn(move || {
                    let w = j.ctx.words();
                    if w.join(&j.ctx.parker, &j.stripes[me]).is_err() {
                        return false;
                    }
                    j.cells[me].with_mut(|c| {
                        // SAFETY: joined, so the wipe waits for us.
                        unsafe { *c += 1 }
                    });
                    w.part(&j.ctx.parker, &j.stripes[me]);
                    true
                })
            })
            .collect();
        let w = j.ctx.words();
        assert!(w.retire_striped(
            9,
            &j.ctx.parker,
            &j.ctx.mutex,
            || {
                for c in &j.stripes {
                    c.fetch_and(!STRIPE_OPEN, Ordering::AcqRel);
                }
            },
            || j.parted(),
            || {
                for c in &j.cells {
                    c.with_mut(|c| {
                        // SAFETY: every joined caller has parted.
                        unsafe { *c = 0 }
                    });
                }
            }
        ));
        for w in workers {
            w.join().unwrap();
        }
        // A join after the free is refused.
        assert!(j.ctx.words().join(&j.ctx.parker, &j.stripes[0]).is_err());
        assert!(j.parted());
        for c in &j.cells {
            c.with(|c| {
                // SAFETY: every thread has been joined.
                assert_eq!(unsafe { *c }, 0, "a joined operation ran after the wipe");
            });
        }
    });
}
