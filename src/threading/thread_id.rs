//! Small integer ids for threads, used to detect a thread that locks a
//! mutex it already holds, or unlocks one it does not hold.

/// The id of the calling thread: never 0 in hosted builds. Firmware builds
/// (`no_std`) have no portable notion of the current task, and return 0,
/// which disables the owner checks.
#[cfg(feature = "std")]
#[inline]
pub(crate) fn current() -> u32 {
    use core::cell::Cell;
    use core::sync::atomic::{AtomicU32, Ordering};

    static NEXT: AtomicU32 = AtomicU32::new(1);
    std::thread_local! {
        // A const-initialised Cell without Drop: readable even while the
        // thread's other thread-locals are being destroyed.
        static ID: Cell<u32> = const { Cell::new(0) };
    }
    ID.with(|id| {
        let v = id.get();
        if v != 0 {
            return v;
        }
        let mut n = NEXT.fetch_add(1, Ordering::Relaxed);
        if n == 0 {
            // The counter wrapped after 2^32 threads; 0 means "nobody".
            n = NEXT.fetch_add(1, Ordering::Relaxed);
        }
        id.set(n);
        n
    })
}

/// The id of the calling thread: unknown (0) without `std`.
#[cfg(not(feature = "std"))]
#[inline]
pub(crate) fn current() -> u32 {
    0
}
