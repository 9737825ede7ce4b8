//! After `fork()`, the child of a process with a seeded HMAC_DRBG never
//! repeats the parent's output: the child reseeds from the entropy source
//! before its first output. A deterministic instance (`seed_buf`, no
//! entropy source) continues the same sequence in both, by design.
//!
//! Its own test binary, with one test, so that the fork happens while no
//! other test thread holds a lock.

#![cfg(unix)]

use std::ffi::{c_int, c_uchar, c_void};
use std::mem::MaybeUninit;
use std::ptr;
use std::sync::atomic::{AtomicUsize, Ordering};

use mbedcrypto::*;

/// A deterministic entropy source: the parent and the child (which
/// inherits the counter) would serve the same bytes, so only the reseed
/// itself can make the child differ.
unsafe extern "C" fn counter_entropy(p: *mut c_void, out: *mut c_uchar, len: usize) -> c_int {
    // SAFETY: p_entropy is a live counter; out has len writable bytes.
    let (n, out) = unsafe {
        (
            &*p.cast::<AtomicUsize>(),
            std::slice::from_raw_parts_mut(out, len),
        )
    };
    let k = n.fetch_add(1, Ordering::Relaxed);
    for (i, b) in out.iter_mut().enumerate() {
        *b = (k * 29 + i) as u8;
    }
    0
}

/// Draws `size` bytes in a forked child and in the parent; returns both.
fn draw_in_child_and_parent(
    ctx: *mut mbedtls_hmac_drbg_context,
    size: usize,
) -> (Vec<u8>, Vec<u8>) {
    let mut fds = [0 as c_int; 2];
    // SAFETY: a valid array of two fds.
    assert_eq!(unsafe { libc::pipe(fds.as_mut_ptr()) }, 0);
    // SAFETY: the child only draws, writes to the pipe and _exits.
    let pid = unsafe { libc::fork() };
    assert!(pid >= 0, "fork failed");
    if pid == 0 {
        let mut out = vec![0u8; size];
        // SAFETY: the context is live in the child too.
        let rc = unsafe { mbedtls_hmac_drbg_random(ctx.cast(), out.as_mut_ptr(), size) };
        if rc != 0 {
            out.fill(0);
        }
        // SAFETY: writing our buffer to the pipe, then leaving.
        unsafe {
            libc::write(fds[1], out.as_ptr().cast(), out.len());
            libc::_exit(0);
        }
    }
    let mut mine = vec![0u8; size];
    // SAFETY: a live context and buffer.
    let rc = unsafe { mbedtls_hmac_drbg_random(ctx.cast(), mine.as_mut_ptr(), size) };
    assert_eq!(rc, 0);
    let mut theirs = vec![0u8; size];
    let mut got = 0;
    while got < size {
        // SAFETY: reading into our buffer.
        let n = unsafe { libc::read(fds[0], theirs[got..].as_mut_ptr().cast(), size - got) };
        assert!(n > 0, "child wrote nothing");
        got += n as usize;
    }
    let mut status = 0;
    // SAFETY: waiting for our child; closing our pipe.
    unsafe {
        libc::waitpid(pid, &mut status, 0);
        libc::close(fds[0]);
        libc::close(fds[1]);
    }
    assert!(libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0);
    assert_ne!(theirs, vec![0u8; size], "the child's draw failed");
    (mine, theirs)
}

#[test]
#[cfg_attr(miri, ignore)]
fn child_of_fork_never_repeats_the_parent() {
    mbedcrypto::install_test_backend();
    let counter = AtomicUsize::new(0);
    let mut ctx = Box::new(MaybeUninit::<mbedtls_hmac_drbg_context>::uninit());
    let c = ctx.as_mut_ptr();
    let md = mbedtls_md_info_from_type(9);
    // SAFETY: a fresh context; `counter` outlives it.
    unsafe {
        mbedtls_hmac_drbg_init(c);
        let rc = mbedtls_hmac_drbg_seed(
            c,
            md,
            Some(counter_entropy),
            ptr::from_ref(&counter).cast_mut().cast(),
            ptr::null(),
            0,
        );
        assert_eq!(rc, 0);
    }
    for size in [32usize, 64, 500] {
        let (mine, theirs) = draw_in_child_and_parent(c, size);
        assert_ne!(mine, theirs, "the child repeated the parent ({size} bytes)");
    }

    // A deterministic instance repeats by design.
    // SAFETY: the context is live; the data is live.
    unsafe {
        mbedtls_hmac_drbg_free(c);
        assert_eq!(
            mbedtls_hmac_drbg_seed_buf(c, md, b"deterministic".as_ptr(), 13),
            0
        );
    }
    let (mine, theirs) = draw_in_child_and_parent(c, 64);
    assert_eq!(mine, theirs, "seed_buf instances are deterministic");
    // SAFETY: the context is live.
    unsafe { mbedtls_hmac_drbg_free(c) };
}
