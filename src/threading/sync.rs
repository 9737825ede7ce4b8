//! Atomics for the lock state machines: `core`'s normally, loom's when the
//! state machines are model-checked (`RUSTFLAGS="--cfg loom"`).

#[cfg(loom)]
pub(crate) use loom::sync::atomic::{AtomicU32, AtomicUsize, Ordering};

#[cfg(not(loom))]
pub(crate) use core::sync::atomic::{AtomicU32, Ordering};

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
