//! Atomics for the lock state machines: `core`'s normally, loom's when the
//! state machines are model-checked (`RUSTFLAGS="--cfg loom"`).

#[cfg(loom)]
pub(crate) use loom::sync::atomic::{AtomicU32, AtomicUsize, Ordering};

#[cfg(not(loom))]
pub(crate) use core::sync::atomic::{AtomicU32, Ordering};

/// Between a SeqCst read-modify-write of one word and a SeqCst load of
/// another (the store-buffering pattern, where two threads must not both
/// miss each other's write). SeqCst accesses are enough for that in the
/// C++ memory model, at no extra cost on x86 (a locked instruction is a
/// full barrier), so this is nothing in real builds. Loom treats SeqCst
/// accesses as AcqRel, so its models get the equivalent SeqCst fence.
#[inline(always)]
pub(crate) fn store_load_order() {
    #[cfg(loom)]
    loom::sync::atomic::fence(Ordering::SeqCst);
}

#[cfg(all(not(loom), mbedtls_threading_alt))]
pub(crate) use core::sync::atomic::AtomicUsize;

/// A hint inside a short busy-wait (loom: let another thread run).
#[cfg(any(mbedtls_threading_builtin, loom))]
#[inline]
pub(crate) fn spin_hint() {
    #[cfg(loom)]
    loom::thread::yield_now();
    #[cfg(not(loom))]
    core::hint::spin_loop();
}
