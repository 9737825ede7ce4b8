//! CTR_DRBG through the C API: concurrent draws equal a serial run,
//! re-entry from the entropy callback, free racing random, fork safety,
//! lifecycles and the self-test.

use std::collections::HashSet;
use std::ffi::{c_int, c_uchar, c_void};
use std::sync::atomic::{AtomicBool, AtomicI32, AtomicUsize, Ordering};
use std::sync::{Arc, Barrier};

use mbedcrypto::*;

/// A context on the heap (it must not move while threads use it).
struct Ctx(Box<std::mem::MaybeUninit<mbedtls_ctr_drbg_context>>);

// SAFETY: the library locks every operation on a seeded context.
unsafe impl Send for Ctx {}
// SAFETY: as above.
unsafe impl Sync for Ctx {}

impl Ctx {
    fn new() -> Ctx {
        mbedcrypto::install_test_backend();
        let mut b = Box::new(std::mem::MaybeUninit::uninit());
        // SAFETY: a fresh allocation of the right size.
        unsafe { mbedtls_ctr_drbg_init(b.as_mut_ptr()) };
        Ctx(b)
    }
    fn ptr(&self) -> *mut mbedtls_ctr_drbg_context {
        self.0.as_ptr().cast_mut()
    }
    fn draw(&self, out: &mut [u8]) -> c_int {
        // SAFETY: a live context and buffer.
        unsafe { mbedtls_ctr_drbg_random(self.ptr().cast(), out.as_mut_ptr(), out.len()) }
    }
}

impl Drop for Ctx {
    fn drop(&mut self) {
        // SAFETY: a live context.
        unsafe { mbedtls_ctr_drbg_free(self.ptr()) };
    }
}

/// Entropy: a counter-based pattern, the same for every context.
static PATTERN_CALLS: AtomicUsize = AtomicUsize::new(0);

unsafe extern "C" fn pattern_entropy(p: *mut c_void, out: *mut c_uchar, len: usize) -> c_int {
    PATTERN_CALLS.fetch_add(1, Ordering::Relaxed);
    // SAFETY: p_entropy is a live AtomicUsize counter of this context;
    // out has len bytes.
    let (n, out) = unsafe {
        (
            &*p.cast::<AtomicUsize>(),
            std::slice::from_raw_parts_mut(out, len),
        )
    };
    let k = n.fetch_add(1, Ordering::Relaxed);
    for (i, b) in out.iter_mut().enumerate() {
        *b = (k * 31 + i * 7) as u8;
    }
    0
}

fn seeded_pattern(counter: &AtomicUsize, interval: c_int) -> Ctx {
    let c = Ctx::new();
    // SAFETY: a live context; the counter outlives it.
    let rc = unsafe {
        mbedtls_ctr_drbg_set_reseed_interval(c.ptr(), interval);
        mbedtls_ctr_drbg_seed(
            c.ptr(),
            Some(pattern_entropy),
            std::ptr::from_ref(counter).cast_mut().cast(),
            b"scaling".as_ptr(),
            7,
        )
    };
    assert_eq!(rc, 0);
    c
}

fn scaling(size: usize, interval: c_int) {
    const T: usize = 4;
    const N: usize = 500;
    let shared_counter = Box::leak(Box::new(AtomicUsize::new(0)));
    let shared = Arc::new(seeded_pattern(shared_counter, interval));
    let barrier = Arc::new(Barrier::new(T));
    let handles: Vec<_> = (0..T)
        .map(|_| {
            let ctx = Arc::clone(&shared);
            let barrier = Arc::clone(&barrier);
            std::thread::spawn(move || {
                barrier.wait();
                (0..N)
                    .map(|_| {
                        let mut out = vec![0u8; size];
                        assert_eq!(ctx.draw(&mut out), 0);
                        out
                    })
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    let per_thread: Vec<Vec<Vec<u8>>> = handles.into_iter().map(|h| h.join().unwrap()).collect();

    let ref_counter = AtomicUsize::new(0);
    let reference = seeded_pattern(&ref_counter, interval);
    let mut serial: Vec<Vec<u8>> = (0..T * N)
        .map(|_| {
            let mut out = vec![0u8; size];
            assert_eq!(reference.draw(&mut out), 0);
            out
        })
        .collect();

    let mut next_shared = vec![0u8; 16];
    let mut next_ref = vec![0u8; 16];
    assert_eq!(shared.draw(&mut next_shared), 0);
    assert_eq!(reference.draw(&mut next_ref), 0);
    assert_eq!(
        next_shared, next_ref,
        "state after T*N draws differs from serial"
    );
    assert_eq!(
        shared_counter.load(Ordering::Relaxed),
        ref_counter.load(Ordering::Relaxed),
        "same number of entropy calls"
    );

    let mut all: Vec<Vec<u8>> = per_thread.into_iter().flatten().collect();
    let distinct: HashSet<&Vec<u8>> = all.iter().collect();
    assert_eq!(distinct.len(), T * N, "every draw is distinct");
    all.sort();
    serial.sort();
    assert!(
        all == serial,
        "the draws are exactly the serial run's draws"
    );
}

#[test]
#[cfg_attr(
    any(
        miri,
        not(any(
            feature = "threading-builtin",
            feature = "threading-pthread",
            feature = "threading-alt"
        ))
    ),
    ignore = "needs MBEDTLS_THREADING_C (and no Miri)"
)]
fn concurrent_draws_equal_a_serial_run() {
    for size in [64, 1024, 100] {
        for interval in [7, 10000] {
            scaling(size, interval);
        }
    }
}

/// Entropy that calls back into the DRBG it seeds.
struct Reenter {
    ctx: *mut mbedtls_ctr_drbg_context,
    inner_rc: AtomicI32,
    succeed: AtomicBool,
}

unsafe extern "C" fn reentering_entropy(p: *mut c_void, out: *mut c_uchar, len: usize) -> c_int {
    // SAFETY: p_entropy is the test's live Reenter.
    let r = unsafe { &*p.cast::<Reenter>() };
    let mut buf = [0u8; 16];
    // SAFETY: the context is live (we are inside its seed or reseed).
    let rc = unsafe { mbedtls_ctr_drbg_random(r.ctx.cast(), buf.as_mut_ptr(), buf.len()) };
    r.inner_rc.store(rc, Ordering::Relaxed);
    // SAFETY: out has len bytes.
    unsafe { std::ptr::write_bytes(out, 0x5a, len) };
    if r.succeed.load(Ordering::Relaxed) {
        0
    } else {
        -1
    }
}

#[test]
fn reentry_from_the_entropy_callback_fails_instead_of_deadlocking() {
    mbedcrypto::install_test_backend();
    let c = Ctx::new();
    let mut r = Box::new(Reenter {
        ctx: c.ptr(),
        inner_rc: AtomicI32::new(0),
        succeed: AtomicBool::new(false),
    });
    let p: *mut c_void = (&raw mut *r).cast();
    // SAFETY: live context and callback data.
    let rc =
        unsafe { mbedtls_ctr_drbg_seed(c.ptr(), Some(reentering_entropy), p, std::ptr::null(), 0) };
    assert_eq!(rc, MBEDTLS_ERR_CTR_DRBG_ENTROPY_SOURCE_FAILED);
    assert_eq!(
        r.inner_rc.load(Ordering::Relaxed),
        MBEDTLS_ERR_THREADING_MUTEX_ERROR
    );
    let mut out = [0u8; 16];
    assert_eq!(
        c.draw(&mut out),
        MBEDTLS_ERR_CTR_DRBG_ENTROPY_SOURCE_FAILED,
        "failed seed: no output"
    );

    r.succeed.store(true, Ordering::Relaxed);
    r.inner_rc.store(0, Ordering::Relaxed);
    // SAFETY: as above; seeding again without free.
    let rc =
        unsafe { mbedtls_ctr_drbg_seed(c.ptr(), Some(reentering_entropy), p, std::ptr::null(), 0) };
    assert_eq!(rc, 0);
    assert_eq!(
        r.inner_rc.load(Ordering::Relaxed),
        MBEDTLS_ERR_THREADING_MUTEX_ERROR
    );
    assert_eq!(c.draw(&mut out), 0);

    r.inner_rc.store(0, Ordering::Relaxed);
    // SAFETY: as above.
    let rc = unsafe { mbedtls_ctr_drbg_reseed(c.ptr(), std::ptr::null(), 0) };
    assert_eq!(rc, 0);
    assert_eq!(
        r.inner_rc.load(Ordering::Relaxed),
        MBEDTLS_ERR_THREADING_MUTEX_ERROR
    );
    drop(c);
}

#[test]
#[cfg_attr(
    any(
        miri,
        not(any(
            feature = "threading-builtin",
            feature = "threading-pthread",
            feature = "threading-alt"
        ))
    ),
    ignore = "needs MBEDTLS_THREADING_C (and no Miri)"
)]
fn free_racing_random() {
    for _ in 0..20 {
        let counter = Box::leak(Box::new(AtomicUsize::new(0)));
        let ctx = Arc::new(seeded_pattern(counter, 3));
        let started = Arc::new(Barrier::new(5));
        let handles: Vec<_> = (0..4)
            .map(|i| {
                let ctx = Arc::clone(&ctx);
                let started = Arc::clone(&started);
                std::thread::spawn(move || {
                    started.wait();
                    let mut out = vec![0u8; if i % 2 == 0 { 64 } else { 1024 }];
                    loop {
                        match ctx.draw(&mut out) {
                            0 => continue,
                            rc => {
                                assert_eq!(rc, MBEDTLS_ERR_CTR_DRBG_ENTROPY_SOURCE_FAILED);
                                break;
                            }
                        }
                    }
                })
            })
            .collect();
        started.wait();
        std::thread::sleep(std::time::Duration::from_millis(2));
        // SAFETY: the context stays allocated (the Arc) until the threads end.
        unsafe { mbedtls_ctr_drbg_free(ctx.ptr()) };
        for h in handles {
            h.join().unwrap();
        }
    }
}

unsafe extern "C" fn pid_entropy(_p: *mut c_void, out: *mut c_uchar, len: usize) -> c_int {
    static CALLS: AtomicUsize = AtomicUsize::new(0);
    let tag = (std::process::id() as usize) << 16 | CALLS.fetch_add(1, Ordering::Relaxed);
    // SAFETY: out has len bytes.
    let out = unsafe { std::slice::from_raw_parts_mut(out, len) };
    for (i, b) in out.iter_mut().enumerate() {
        *b = (tag >> (8 * (i % 8))) as u8;
    }
    0
}

#[test]
#[cfg_attr(miri, ignore)]
fn child_of_fork_never_repeats_the_parent() {
    mbedcrypto::install_test_backend();
    let c = Ctx::new();
    // SAFETY: live context.
    let rc = unsafe {
        mbedtls_ctr_drbg_seed(
            c.ptr(),
            Some(pid_entropy),
            std::ptr::null_mut(),
            std::ptr::null(),
            0,
        )
    };
    assert_eq!(rc, 0);
    let mut warm = [0u8; 16];
    assert_eq!(c.draw(&mut warm), 0);
    for size in [32usize, 200] {
        let mut fds = [0 as c_int; 2];
        // SAFETY: a valid array of two fds.
        assert_eq!(unsafe { libc::pipe(fds.as_mut_ptr()) }, 0);
        // SAFETY: the child only draws, writes to the pipe and _exits.
        let pid = unsafe { libc::fork() };
        assert!(pid >= 0);
        if pid == 0 {
            let mut out = vec![0u8; size];
            let rc = c.draw(&mut out);
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
        assert_eq!(c.draw(&mut mine), 0);
        let mut theirs = vec![0u8; size];
        // SAFETY: reading into our buffer; waiting for our child.
        unsafe {
            libc::close(fds[1]);
            let n = libc::read(fds[0], theirs.as_mut_ptr().cast(), size);
            assert_eq!(n, size as isize);
            libc::close(fds[0]);
            let mut status = 0;
            libc::waitpid(pid, &mut status, 0);
        }
        assert_ne!(theirs, vec![0u8; size], "the child's draw failed");
        assert_ne!(mine, theirs, "parent and child produced the same bytes");
    }
}

fn upstream_fields(c: &Ctx) -> (Vec<u8>, c_int, c_int, usize, c_int, bool) {
    // SAFETY: a live context no other thread uses; reading plain fields.
    unsafe {
        let p = &*c.ptr();
        (
            p.counter.to_vec(),
            p.reseed_counter,
            p.prediction_resistance,
            p.entropy_len,
            p.reseed_interval,
            p.f_entropy.is_none() && p.p_entropy.is_null() && p.aes_ctx.iter().all(|w| *w == 0),
        )
    }
}

#[test]
fn lifecycles() {
    mbedcrypto::install_test_backend();
    let fresh = Ctx::new();
    let init_state = upstream_fields(&fresh);
    assert_eq!(init_state, (vec![0; 16], -1, 0, 0, 10000, true));
    // free after init, twice, NULL.
    // SAFETY: live contexts; NULL is allowed.
    unsafe {
        mbedtls_ctr_drbg_free(fresh.ptr());
        mbedtls_ctr_drbg_free(fresh.ptr());
        mbedtls_ctr_drbg_free(std::ptr::null_mut());
    }
    assert_eq!(upstream_fields(&fresh), init_state);

    // random before seed: an error, not a crash.
    let mut out = [0u8; 32];
    assert_eq!(
        fresh.draw(&mut out),
        MBEDTLS_ERR_CTR_DRBG_ENTROPY_SOURCE_FAILED
    );

    // Seed, seed again without free, free: back to the init state.
    let counter = AtomicUsize::new(0);
    let c = seeded_pattern(&counter, 10000);
    assert_eq!(c.draw(&mut out), 0);
    // SAFETY: live context.
    let rc = unsafe {
        mbedtls_ctr_drbg_seed(
            c.ptr(),
            Some(pattern_entropy),
            std::ptr::from_ref(&counter).cast_mut().cast(),
            std::ptr::null(),
            0,
        )
    };
    assert_eq!(rc, 0);
    assert_eq!(c.draw(&mut out), 0);
    // SAFETY: live context.
    unsafe { mbedtls_ctr_drbg_free(c.ptr()) };
    assert_eq!(upstream_fields(&c), init_state);
    assert_eq!(c.draw(&mut out), MBEDTLS_ERR_CTR_DRBG_ENTROPY_SOURCE_FAILED);
    // Seeding after free works.
    let counter2 = AtomicUsize::new(0);
    // SAFETY: live context.
    let rc = unsafe {
        mbedtls_ctr_drbg_seed(
            c.ptr(),
            Some(pattern_entropy),
            std::ptr::from_ref(&counter2).cast_mut().cast(),
            std::ptr::null(),
            0,
        )
    };
    assert_eq!(rc, 0);
    assert_eq!(c.draw(&mut out), 0);
    // SAFETY: live context.
    unsafe { mbedtls_ctr_drbg_free(c.ptr()) };

    // A zero-filled context (never initialised): free is safe.
    let zero = Ctx(Box::new(std::mem::MaybeUninit::zeroed()));
    // SAFETY: zero-filled memory of the right size.
    unsafe { mbedtls_ctr_drbg_free(zero.ptr()) };
    assert_eq!(upstream_fields(&zero), init_state);
}

#[test]
// The pthread and alt mutexes cannot move (alt's are known by address).
#[cfg_attr(
    any(miri, feature = "threading-pthread", feature = "threading-alt"),
    ignore
)]
fn a_moved_context_keeps_working() {
    mbedcrypto::install_test_backend();
    // Contexts are not meant to be copied, but a context moved between
    // calls (before the key schedule's place is fixed) must not break.
    let counter = AtomicUsize::new(0);
    let a = seeded_pattern(&counter, 10000);
    let counter2 = AtomicUsize::new(0);
    let b = seeded_pattern(&counter2, 10000);
    let mut storage = vec![0u64; size_of::<mbedtls_ctr_drbg_context>() / 8 + 2];
    // Place a bytewise copy of `a` at an address of the other parity mod 16.
    let base = storage.as_mut_ptr();
    let a_odd = (a.ptr() as usize) & 8;
    let moved = if (base as usize) & 8 == a_odd {
        base.wrapping_add(1)
    } else {
        base
    }
    .cast::<mbedtls_ctr_drbg_context>();
    // SAFETY: `storage` holds a context plus slack; the copy is only used
    // single-threaded and is not freed (its lock words are copied too).
    unsafe {
        std::ptr::copy_nonoverlapping(a.ptr(), moved, 1);
        let mut x = [0u8; 100];
        let mut y = [0u8; 100];
        assert_eq!(
            mbedtls_ctr_drbg_random(moved.cast(), x.as_mut_ptr(), 100),
            0
        );
        assert_eq!(b.draw(&mut y), 0);
        assert_eq!(x, y);
    }
}

#[test]
#[cfg_attr(miri, ignore)]
fn self_test_passes() {
    mbedcrypto::install_test_backend();
    assert_eq!(mbedtls_ctr_drbg_self_test(0), 0);
    assert_eq!(mbedtls_ctr_drbg_self_test(1), 0);
}
