//! Fork detection for the DRBGs.
//!
//! After `fork()`, parent and child hold byte-identical DRBG states; without
//! care both would produce the same "random" bytes. The library registers a
//! `pthread_atfork` child handler (once, when the first DRBG is seeded) that
//! bumps a process-wide generation counter in the child. Each DRBG records
//! the generation it was last seeded or reseeded in, and reseeds from its
//! entropy source before producing output when the generation has moved.
//! The check on the hot path is one relaxed atomic load.
//!
//! Firmware builds (`no_std`) have no `fork()`; the generation never moves.

use core::sync::atomic::{AtomicU32, Ordering};

/// Bumped in the child of every `fork()` once [`watch`] has run.
static GENERATION: AtomicU32 = AtomicU32::new(0);

/// The current fork generation of this process.
#[inline]
pub(crate) fn generation() -> u32 {
    GENERATION.load(Ordering::Relaxed)
}

/// Registers the fork handler (idempotent, cheap after the first call).
#[cfg(feature = "std")]
pub(crate) fn watch() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        // SAFETY: the handler is a plain `extern "C"` function that only
        // touches an atomic, which is async-signal-safe as a fork child
        // handler must be.
        let rc = unsafe { libc::pthread_atfork(None, None, Some(in_child)) };
        // Failure (ENOMEM) leaves fork detection off; nothing else depends
        // on it, and there is no caller to report to.
        let _ = rc;
    });
}

/// Registers the fork handler: nothing to do without `fork()`.
#[cfg(not(feature = "std"))]
pub(crate) fn watch() {}

#[cfg(feature = "std")]
extern "C" fn in_child() {
    GENERATION.fetch_add(1, Ordering::Relaxed);
}

#[cfg(all(test, feature = "std", not(miri)))]
mod tests {
    use super::*;

    #[test]
    fn the_child_sees_a_new_generation() {
        watch();
        let before = generation();
        // SAFETY: the child only reads an atomic and calls _exit.
        let pid = unsafe { libc::fork() };
        assert!(pid >= 0, "fork failed");
        if pid == 0 {
            let code = if generation() != before { 0 } else { 1 };
            // SAFETY: _exit is always safe to call in a forked child.
            unsafe { libc::_exit(code) };
        }
        let mut status = 0;
        // SAFETY: waiting for our own child.
        unsafe { libc::waitpid(pid, &mut status, 0) };
        assert!(libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0);
        assert_eq!(generation(), before, "the parent keeps its generation");
    }
}
