//! HMAC_DRBG through the C API: error codes and NULL handling, lifecycles
//! (free after init, free twice, seeding again without free), entropy
//! usage, concurrent draws equal a serial run, every entry point on a
//! shared context, re-entry from the entropy callback, free racing random,
//! a moved context, seed files and the self-test.

use std::ffi::{c_int, c_uchar, c_void};
use std::mem::MaybeUninit;
use std::ptr;
use std::sync::atomic::{AtomicBool, AtomicI32, AtomicUsize, Ordering};
use std::sync::{Arc, Barrier, Mutex};

use mbedcrypto::*;

/// Serialises the tests of this file (some count live mutexes).
static SERIAL: Mutex<()> = Mutex::new(());

fn serial() -> std::sync::MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|e| e.into_inner())
}

fn threaded() -> bool {
    mbedcrypto_threading_backend() != MBEDCRYPTO_THREADING_NONE
}

fn sha(bits: u32) -> *const mbedtls_md_info_t {
    let ty = match bits {
        1 => 5,
        224 => 8,
        256 => 9,
        384 => 10,
        512 => 11,
        _ => unreachable!(),
    };
    let p = mbedtls_md_info_from_type(ty);
    assert!(!p.is_null());
    p
}

/// A context on the heap (it must not move while threads use it).
struct Ctx(Box<MaybeUninit<mbedtls_hmac_drbg_context>>);

// SAFETY: the library locks every operation on a seeded context.
unsafe impl Send for Ctx {}
// SAFETY: as above.
unsafe impl Sync for Ctx {}

impl Ctx {
    fn new() -> Ctx {
        let mut b = Box::new(MaybeUninit::uninit());
        // SAFETY: a fresh allocation of the right size.
        unsafe { mbedtls_hmac_drbg_init(b.as_mut_ptr()) };
        Ctx(b)
    }
    fn ptr(&self) -> *mut mbedtls_hmac_drbg_context {
        self.0.as_ptr().cast_mut()
    }
    /// The context's fields (for the lifecycle checks; nobody else uses it).
    fn fields(&self) -> &mbedtls_hmac_drbg_context {
        // SAFETY: initialised by `new`.
        unsafe { self.0.assume_init_ref() }
    }
    fn seed(&self, md: *const mbedtls_md_info_t, src: &Source, custom: &[u8]) -> c_int {
        // SAFETY: a live context; `src` outlives every use of the context
        // in these tests; `custom` is live for the call.
        unsafe {
            mbedtls_hmac_drbg_seed(
                self.ptr(),
                md,
                Some(source_entropy),
                ptr::from_ref(src).cast_mut().cast(),
                custom.as_ptr(),
                custom.len(),
            )
        }
    }
    fn draw(&self, out: &mut [u8]) -> c_int {
        // SAFETY: a live context and buffer.
        unsafe { mbedtls_hmac_drbg_random(self.ptr().cast(), out.as_mut_ptr(), out.len()) }
    }
    fn draw_with(&self, out: &mut [u8], add: &[u8]) -> c_int {
        // SAFETY: live context and buffers.
        unsafe {
            mbedtls_hmac_drbg_random_with_add(
                self.ptr().cast(),
                out.as_mut_ptr(),
                out.len(),
                add.as_ptr(),
                add.len(),
            )
        }
    }
    fn reseed(&self, add: &[u8]) -> c_int {
        // SAFETY: live context and buffer.
        unsafe { mbedtls_hmac_drbg_reseed(self.ptr(), add.as_ptr(), add.len()) }
    }
    fn update(&self, add: &[u8]) -> c_int {
        // SAFETY: live context and buffer.
        unsafe { mbedtls_hmac_drbg_update(self.ptr(), add.as_ptr(), add.len()) }
    }
    fn free(&self) {
        // SAFETY: a live context.
        unsafe { mbedtls_hmac_drbg_free(self.ptr()) };
    }
}

impl Drop for Ctx {
    fn drop(&mut self) {
        self.free();
    }
}

/// A deterministic entropy source: request k gets bytes derived from k
/// (or fails, when `fail` is set). Counts the bytes it served.
#[derive(Default)]
struct Source {
    calls: AtomicUsize,
    bytes: AtomicUsize,
    fail: AtomicBool,
}

unsafe extern "C" fn source_entropy(p: *mut c_void, out: *mut c_uchar, len: usize) -> c_int {
    // SAFETY: p_entropy is a live Source; out has len writable bytes.
    let (src, out) = unsafe {
        (
            &*p.cast::<Source>(),
            std::slice::from_raw_parts_mut(out, len),
        )
    };
    if src.fail.load(Ordering::Relaxed) {
        return -1;
    }
    let k = src.calls.fetch_add(1, Ordering::Relaxed);
    src.bytes.fetch_add(len, Ordering::Relaxed);
    for (i, b) in out.iter_mut().enumerate() {
        *b = (k.wrapping_mul(131) ^ i.wrapping_mul(7)) as u8;
    }
    0
}

#[test]
fn null_pointers_and_unseeded_contexts() {
    mbedcrypto::install_test_backend();
    let _g = serial();
    let null = ptr::null_mut::<mbedtls_hmac_drbg_context>();
    let mut out = [0u8; 16];
    // SAFETY: NULL contexts are accepted; `out` is live.
    unsafe {
        mbedtls_hmac_drbg_init(null);
        mbedtls_hmac_drbg_free(null);
        mbedtls_hmac_drbg_set_prediction_resistance(null, 1);
        mbedtls_hmac_drbg_set_entropy_len(null, 16);
        mbedtls_hmac_drbg_set_reseed_interval(null, 1);
        let md = sha(256);
        let bad = MBEDTLS_ERR_MD_BAD_INPUT_DATA;
        assert_eq!(
            mbedtls_hmac_drbg_seed(
                null,
                md,
                Some(source_entropy),
                ptr::null_mut(),
                ptr::null(),
                0
            ),
            bad
        );
        assert_eq!(mbedtls_hmac_drbg_seed_buf(null, md, ptr::null(), 0), bad);
        assert_eq!(mbedtls_hmac_drbg_update(null, ptr::null(), 0), bad);
        assert_eq!(mbedtls_hmac_drbg_reseed(null, ptr::null(), 0), bad);
        assert_eq!(
            mbedtls_hmac_drbg_random(ptr::null_mut(), out.as_mut_ptr(), 16),
            bad
        );
        assert_eq!(
            mbedtls_hmac_drbg_random_with_add(
                ptr::null_mut(),
                out.as_mut_ptr(),
                16,
                ptr::null(),
                0
            ),
            bad
        );
    }

    // Never seeded: the calls that need a seeded context say so, after
    // the length checks (upstream's order).
    let ctx = Ctx::new();
    assert_eq!(ctx.draw(&mut out), MBEDTLS_ERR_MD_BAD_INPUT_DATA);
    assert_eq!(ctx.draw_with(&mut out, b"x"), MBEDTLS_ERR_MD_BAD_INPUT_DATA);
    assert_eq!(ctx.update(b"x"), MBEDTLS_ERR_MD_BAD_INPUT_DATA);
    assert_eq!(ctx.reseed(b""), MBEDTLS_ERR_MD_BAD_INPUT_DATA);
    let mut big = vec![0u8; 1025];
    assert_eq!(ctx.draw(&mut big), MBEDTLS_ERR_HMAC_DRBG_REQUEST_TOO_BIG);
    assert_eq!(
        ctx.draw_with(&mut out, &[0; 257]),
        MBEDTLS_ERR_HMAC_DRBG_INPUT_TOO_BIG
    );
    assert_eq!(ctx.reseed(&[0; 257]), MBEDTLS_ERR_HMAC_DRBG_INPUT_TOO_BIG);
    assert_eq!(out, [0; 16], "no output");
}

#[test]
fn seed_argument_errors_leave_the_context_untouched() {
    mbedcrypto::install_test_backend();
    let _g = serial();
    let src = Source::default();
    let ctx = Ctx::new();
    let live = mbedcrypto_mutex_live_count();
    assert_eq!(
        ctx.seed(ptr::null(), &src, b""),
        MBEDTLS_ERR_MD_BAD_INPUT_DATA
    );
    let bogus = 0u64;
    assert_eq!(
        ctx.seed(ptr::from_ref(&bogus).cast(), &src, b""),
        MBEDTLS_ERR_MD_BAD_INPUT_DATA,
        "a pointer that is not a descriptor"
    );
    // SAFETY: a live context; the data pointer is live.
    unsafe {
        assert_eq!(
            mbedtls_hmac_drbg_seed(ctx.ptr(), sha(256), None, ptr::null_mut(), ptr::null(), 0),
            MBEDTLS_ERR_HMAC_DRBG_ENTROPY_SOURCE_FAILED
        );
        assert_eq!(
            mbedtls_hmac_drbg_seed_buf(ctx.ptr(), ptr::null(), b"x".as_ptr(), 1),
            MBEDTLS_ERR_MD_BAD_INPUT_DATA
        );
    }
    assert_eq!(mbedcrypto_mutex_live_count(), live, "no mutex was created");
    assert!(ctx.fields().md_ctx.md_info.is_null());
    assert_eq!(src.calls.load(Ordering::Relaxed), 0);
    assert_eq!(
        ctx.seed(sha(256), &src, &[0; 257]),
        MBEDTLS_ERR_HMAC_DRBG_INPUT_TOO_BIG
    );
}

#[test]
fn entropy_failures() {
    mbedcrypto::install_test_backend();
    let _g = serial();
    let src = Source::default();
    src.fail.store(true, Ordering::Relaxed);
    let ctx = Ctx::new();
    assert_eq!(
        ctx.seed(sha(256), &src, b""),
        MBEDTLS_ERR_HMAC_DRBG_ENTROPY_SOURCE_FAILED
    );
    let mut out = [0u8; 32];
    assert_eq!(
        ctx.draw(&mut out),
        MBEDTLS_ERR_HMAC_DRBG_ENTROPY_SOURCE_FAILED,
        "a failed seed gives no output from an unseeded state"
    );
    assert_eq!(out, [0; 32]);
    src.fail.store(false, Ordering::Relaxed);
    assert_eq!(ctx.draw(&mut out), 0, "the next call reseeds first");
    assert_eq!(src.bytes.load(Ordering::Relaxed), 32);
    assert_ne!(out, [0; 32]);
    src.fail.store(true, Ordering::Relaxed);
    assert_eq!(ctx.reseed(b""), MBEDTLS_ERR_HMAC_DRBG_ENTROPY_SOURCE_FAILED);
    // SAFETY: a live context.
    unsafe { mbedtls_hmac_drbg_set_prediction_resistance(ctx.ptr(), MBEDTLS_HMAC_DRBG_PR_ON) };
    assert_eq!(
        ctx.draw(&mut out),
        MBEDTLS_ERR_HMAC_DRBG_ENTROPY_SOURCE_FAILED
    );

    // A deterministic instance has no entropy source.
    let det = Ctx::new();
    // SAFETY: a live context and data.
    unsafe {
        assert_eq!(
            mbedtls_hmac_drbg_seed_buf(det.ptr(), sha(1), b"seed".as_ptr(), 4),
            0
        );
        mbedtls_hmac_drbg_set_prediction_resistance(det.ptr(), MBEDTLS_HMAC_DRBG_PR_ON);
        mbedtls_hmac_drbg_set_reseed_interval(det.ptr(), 1);
    }
    assert_eq!(det.reseed(b""), MBEDTLS_ERR_HMAC_DRBG_ENTROPY_SOURCE_FAILED);
    for _ in 0..5 {
        assert_eq!(det.draw(&mut out), 0, "never reseeds");
    }
}

#[test]
fn bad_buffers() {
    mbedcrypto::install_test_backend();
    let _g = serial();
    let src = Source::default();
    let ctx = Ctx::new();
    assert_eq!(ctx.seed(sha(256), &src, b""), 0);
    // SAFETY: NULL buffers with non-zero lengths are refused before use.
    unsafe {
        assert_eq!(
            mbedtls_hmac_drbg_random(ctx.ptr().cast(), ptr::null_mut(), 16),
            MBEDTLS_ERR_MD_BAD_INPUT_DATA
        );
        assert_eq!(
            mbedtls_hmac_drbg_random(ctx.ptr().cast(), ptr::null_mut(), 0),
            0
        );
        // NULL additional data is no data, as upstream treats it.
        let mut a = [0u8; 16];
        assert_eq!(
            mbedtls_hmac_drbg_random_with_add(ctx.ptr().cast(), a.as_mut_ptr(), 16, ptr::null(), 5),
            0
        );
        assert_eq!(mbedtls_hmac_drbg_update(ctx.ptr(), ptr::null(), 5), 0);
        assert_eq!(mbedtls_hmac_drbg_reseed(ctx.ptr(), ptr::null(), 5), 0);
    }
    let mut out = vec![0u8; 1024];
    assert_eq!(ctx.draw(&mut out), 0, "the largest request");
    assert_eq!(
        ctx.draw_with(&mut out[..1], &[1; 256]),
        0,
        "the largest input"
    );
    assert_eq!(ctx.update(&[3; 5000]), 0, "update takes any length");
}

#[test]
fn entropy_usage_follows_upstream() {
    mbedcrypto::install_test_backend();
    let _g = serial();
    for (bits, default_len) in [(1, 16), (224, 24), (256, 32), (384, 32), (512, 32)] {
        let src = Source::default();
        let used = || src.bytes.load(Ordering::Relaxed);
        let ctx = Ctx::new();
        let mut out = [0u8; 16];
        // SAFETY: a live context.
        unsafe { mbedtls_hmac_drbg_set_reseed_interval(ctx.ptr(), 20) };
        assert_eq!(ctx.seed(sha(bits), &src, b""), 0);
        assert_eq!(
            used(),
            default_len * 3 / 2,
            "entropy plus half for the nonce"
        );
        assert_eq!(
            src.calls.load(Ordering::Relaxed),
            2,
            "nonce in a second call"
        );
        assert_eq!(ctx.fields().entropy_len, default_len);
        for _ in 0..10 {
            assert_eq!(ctx.draw(&mut out[..12]), 0);
            assert_eq!(ctx.draw_with(&mut out[..12], &[0; 16]), 0);
        }
        assert_eq!(&out[12..], &[0; 4], "no write past the request");
        assert_eq!(used(), default_len * 3 / 2, "no reseed within the interval");
        assert_eq!(ctx.draw(&mut out), 0);
        assert_eq!(used(), default_len * 3 / 2 + default_len, "reseeded");
        // SAFETY: a live context.
        unsafe { mbedtls_hmac_drbg_set_reseed_interval(ctx.ptr(), 41) };
        for _ in 0..20 {
            assert_eq!(ctx.draw(&mut out), 0);
            assert_eq!(ctx.draw_with(&mut out, &[0; 16]), 0);
        }
        let before = used();
        assert_eq!(before, default_len * 3 / 2 + default_len);
        // SAFETY: a live context.
        unsafe { mbedtls_hmac_drbg_set_prediction_resistance(ctx.ptr(), MBEDTLS_HMAC_DRBG_PR_ON) };
        assert_eq!(ctx.draw(&mut out), 0);
        assert_eq!(
            used(),
            before + default_len,
            "prediction resistance reseeds"
        );
        // SAFETY: a live context.
        unsafe { mbedtls_hmac_drbg_set_entropy_len(ctx.ptr(), 42) };
        assert_eq!(ctx.draw(&mut out), 0);
        assert_eq!(used(), before + default_len + 42);
        // SAFETY: a live context.
        unsafe { mbedtls_hmac_drbg_set_entropy_len(ctx.ptr(), 13) };
        assert_eq!(ctx.draw(&mut out), 0);
        assert_eq!(used(), before + default_len + 55);
    }
}

#[test]
fn entropy_len_set_before_the_seed_is_used() {
    mbedcrypto::install_test_backend();
    let _g = serial();
    let src = Source::default();
    let ctx = Ctx::new();
    // SAFETY: a live (initialised) context.
    unsafe { mbedtls_hmac_drbg_set_entropy_len(ctx.ptr(), 20) };
    assert_eq!(ctx.seed(sha(512), &src, b""), 0);
    assert_eq!(src.bytes.load(Ordering::Relaxed), 30);
    // 256 bytes of entropy plus 128 of nonce fill the seed input exactly.
    let ctx2 = Ctx::new();
    // SAFETY: as above.
    unsafe { mbedtls_hmac_drbg_set_entropy_len(ctx2.ptr(), 256) };
    assert_eq!(ctx2.seed(sha(256), &src, b""), 0);
    assert_eq!(
        ctx2.seed(sha(256), &src, b"x"),
        MBEDTLS_ERR_HMAC_DRBG_INPUT_TOO_BIG
    );
}

/// The upstream members of a context, for lifecycle comparisons.
fn upstream_fields(
    c: &mbedtls_hmac_drbg_context,
) -> (bool, [u8; 64], c_int, usize, c_int, c_int, bool) {
    (
        c.md_ctx.md_info.is_null(),
        c.V,
        c.reseed_counter,
        c.entropy_len,
        c.prediction_resistance,
        c.reseed_interval,
        c.f_entropy.is_none(),
    )
}

#[test]
fn lifecycles() {
    mbedcrypto::install_test_backend();
    let _g = serial();
    let live = mbedcrypto_mutex_live_count();
    let fresh = Ctx::new();
    let init_state = upstream_fields(fresh.fields());
    assert_eq!(init_state, (true, [0; 64], 0, 0, 0, 10000, true));

    // Free after init, free twice.
    let ctx = Ctx::new();
    ctx.free();
    ctx.free();
    assert_eq!(upstream_fields(ctx.fields()), init_state);

    // Four seeds in a row (benchmark.c), then one free: one mutex.
    let src = Source::default();
    for bits in [256, 1, 512, 256] {
        assert_eq!(ctx.seed(sha(bits), &src, b"bench"), 0);
        if threaded() {
            assert_eq!(mbedcrypto_mutex_live_count(), live + 1, "no second mutex");
        }
        assert_eq!(
            ctx.fields().md_ctx.md_info,
            sha(bits),
            "md_info tracks the algorithm"
        );
        assert!(ctx.fields().md_ctx.md_ctx.is_null());
        let mut out = [0u8; 64];
        assert_eq!(ctx.draw(&mut out), 0);
    }
    // SAFETY: a live context.
    unsafe {
        mbedtls_hmac_drbg_set_reseed_interval(ctx.ptr(), 7);
        mbedtls_hmac_drbg_set_prediction_resistance(ctx.ptr(), 1);
    }
    ctx.free();
    assert_eq!(mbedcrypto_mutex_live_count(), live);
    assert_eq!(
        upstream_fields(ctx.fields()),
        init_state,
        "free leaves the just-initialised state"
    );
    assert_eq!(ctx.fields().hmac_state, [0; 50], "the key is wiped");
    let mut out = [0u8; 16];
    assert_eq!(ctx.draw(&mut out), MBEDTLS_ERR_MD_BAD_INPUT_DATA);

    // Reuse after free without init.
    assert_eq!(ctx.seed(sha(1), &src, b""), 0);
    assert_eq!(ctx.draw(&mut out), 0);
    ctx.free();

    // A zero-filled (never initialised) context can be freed.
    // SAFETY: all-zero memory of the context's size.
    let mut zero: Box<MaybeUninit<mbedtls_hmac_drbg_context>> = Box::new(MaybeUninit::zeroed());
    // SAFETY: as above.
    unsafe { mbedtls_hmac_drbg_free(zero.as_mut_ptr()) };
    // SAFETY: free initialised every field.
    let freed = unsafe { zero.assume_init_ref() };
    assert_eq!(upstream_fields(freed), init_state);
    drop(fresh);
    drop(ctx);
    assert_eq!(mbedcrypto_mutex_live_count(), live);
}

#[test]
fn seed_buf_is_deterministic_and_seed_depends_on_everything() {
    mbedcrypto::install_test_backend();
    let _g = serial();
    let out_of = |f: &dyn Fn(&Ctx)| {
        let ctx = Ctx::new();
        f(&ctx);
        let mut out = [0u8; 48];
        assert_eq!(ctx.draw(&mut out), 0);
        out
    };
    let buf = |data: &'static [u8], bits| {
        move |c: &Ctx| {
            // SAFETY: a live context and data.
            let rc = unsafe {
                mbedtls_hmac_drbg_seed_buf(c.ptr(), sha(bits), data.as_ptr(), data.len())
            };
            assert_eq!(rc, 0);
        }
    };
    assert_eq!(out_of(&buf(b"abc", 256)), out_of(&buf(b"abc", 256)));
    assert_ne!(out_of(&buf(b"abc", 256)), out_of(&buf(b"abd", 256)));
    assert_ne!(out_of(&buf(b"abc", 256)), out_of(&buf(b"abc", 384)));
    let seeded = |custom: &'static [u8]| {
        move |c: &Ctx| {
            let src = Box::leak(Box::new(Source::default()));
            assert_eq!(c.seed(sha(256), src, custom), 0);
        }
    };
    assert_eq!(out_of(&seeded(b"p")), out_of(&seeded(b"p")));
    assert_ne!(out_of(&seeded(b"p")), out_of(&seeded(b"q")));
}

/// Seeds `ctx` deterministically for the equivalence tests.
fn seed_for_equivalence(ctx: &Ctx, src: &Source, interval: c_int) {
    assert_eq!(ctx.seed(sha(256), src, b"serial equivalence"), 0);
    // SAFETY: a live context.
    unsafe { mbedtls_hmac_drbg_set_reseed_interval(ctx.ptr(), interval) };
}

fn concurrent_equals_serial(interval: c_int) {
    const T: usize = 4;
    const N: usize = 300;
    let src = Arc::new(Source::default());
    let shared = Arc::new(Ctx::new());
    seed_for_equivalence(&shared, &src, interval);
    let barrier = Arc::new(Barrier::new(T));
    let handles: Vec<_> = (0..T)
        .map(|_| {
            let (ctx, barrier) = (shared.clone(), barrier.clone());
            std::thread::spawn(move || {
                barrier.wait();
                (0..N)
                    .map(|_| {
                        let mut out = [0u8; 64];
                        assert_eq!(ctx.draw(&mut out), 0);
                        out
                    })
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    let mut concurrent: Vec<[u8; 64]> = handles
        .into_iter()
        .flat_map(|h| h.join().expect("thread"))
        .collect();
    let mut next = [0u8; 64];
    assert_eq!(shared.draw(&mut next), 0);

    let ref_src = Source::default();
    let reference = Ctx::new();
    seed_for_equivalence(&reference, &ref_src, interval);
    let mut serial: Vec<[u8; 64]> = (0..T * N)
        .map(|_| {
            let mut out = [0u8; 64];
            assert_eq!(reference.draw(&mut out), 0);
            out
        })
        .collect();
    let mut ref_next = [0u8; 64];
    assert_eq!(reference.draw(&mut ref_next), 0);
    assert_eq!(
        next, ref_next,
        "the state after T*N draws is the serial one"
    );
    assert_eq!(
        src.calls.load(Ordering::Relaxed),
        ref_src.calls.load(Ordering::Relaxed),
        "as many reseeds"
    );
    concurrent.sort_unstable();
    serial.sort_unstable();
    assert_eq!(concurrent, serial, "the same outputs, in some order");
    serial.dedup();
    assert_eq!(serial.len(), T * N, "no output repeats");
}

#[test]
#[cfg_attr(miri, ignore)]
fn concurrent_draws_equal_a_serial_run() {
    mbedcrypto::install_test_backend();
    let _g = serial();
    if !threaded() {
        println!("no MBEDTLS_THREADING_C: callers serialise; skipped");
        return;
    }
    concurrent_equals_serial(10000);
}

#[test]
#[cfg_attr(miri, ignore)]
fn concurrent_draws_with_reseeds_equal_a_serial_run() {
    mbedcrypto::install_test_backend();
    let _g = serial();
    if !threaded() {
        println!("no MBEDTLS_THREADING_C: callers serialise; skipped");
        return;
    }
    concurrent_equals_serial(5);
}

#[test]
#[cfg_attr(miri, ignore)]
fn every_entry_point_on_a_shared_context() {
    mbedcrypto::install_test_backend();
    let _g = serial();
    if !threaded() {
        println!("no MBEDTLS_THREADING_C: callers serialise; skipped");
        return;
    }
    let src = Arc::new(Source::default());
    let ctx = Arc::new(Ctx::new());
    assert_eq!(ctx.seed(sha(384), &src, b""), 0);
    let handles: Vec<_> = (0..4)
        .map(|t| {
            let (ctx, src) = (ctx.clone(), src.clone());
            std::thread::spawn(move || {
                let mut out = [0u8; 100];
                for i in 0..200 {
                    let rc = match (t + i) % 8 {
                        0 => ctx.draw(&mut out),
                        1 => ctx.draw_with(&mut out, b"additional"),
                        2 => ctx.reseed(b"more"),
                        3 => ctx.update(b"data"),
                        // SAFETY: a live context.
                        4 => unsafe {
                            mbedtls_hmac_drbg_set_reseed_interval(ctx.ptr(), 3 + (i % 5) as c_int);
                            0
                        },
                        // SAFETY: a live context.
                        5 => unsafe {
                            mbedtls_hmac_drbg_set_prediction_resistance(
                                ctx.ptr(),
                                (i % 2) as c_int,
                            );
                            0
                        },
                        // SAFETY: a live context.
                        6 => unsafe {
                            mbedtls_hmac_drbg_set_entropy_len(ctx.ptr(), 32 + i % 16);
                            0
                        },
                        _ => ctx.seed(sha(384), &src, b"again"),
                    };
                    assert_eq!(rc, 0);
                }
            })
        })
        .collect();
    for h in handles {
        h.join().expect("thread");
    }
    let mut out = [0u8; 16];
    assert_eq!(ctx.draw(&mut out), 0);
}

/// The context an entropy callback re-enters, and what it saw.
struct Reenter {
    ctx: *mut mbedtls_hmac_drbg_context,
    inner: AtomicI32,
}

unsafe extern "C" fn reentering_entropy(p: *mut c_void, out: *mut c_uchar, len: usize) -> c_int {
    // SAFETY: p_entropy is a live Reenter; out has len bytes.
    let r = unsafe { &*p.cast::<Reenter>() };
    let mut buf = [0u8; 16];
    // SAFETY: the context is live (we are inside one of its calls).
    let rc = unsafe { mbedtls_hmac_drbg_random(r.ctx.cast(), buf.as_mut_ptr(), buf.len()) };
    r.inner.store(rc, Ordering::Relaxed);
    // SAFETY: as above; these must not deadlock or change the context.
    unsafe {
        mbedtls_hmac_drbg_set_reseed_interval(r.ctx, 1);
        mbedtls_hmac_drbg_free(r.ctx);
        std::ptr::write_bytes(out, 0x5a, len);
    }
    rc
}

#[test]
fn reentry_from_the_entropy_callback_is_an_error() {
    mbedcrypto::install_test_backend();
    let _g = serial();
    let ctx = Ctx::new();
    let r = Reenter {
        ctx: ctx.ptr(),
        inner: AtomicI32::new(1),
    };
    // SAFETY: a live context; `r` outlives it.
    let rc = unsafe {
        mbedtls_hmac_drbg_seed(
            ctx.ptr(),
            sha(256),
            Some(reentering_entropy),
            ptr::from_ref(&r).cast_mut().cast(),
            ptr::null(),
            0,
        )
    };
    assert_eq!(
        r.inner.load(Ordering::Relaxed),
        MBEDTLS_ERR_THREADING_MUTEX_ERROR
    );
    assert_eq!(rc, MBEDTLS_ERR_HMAC_DRBG_ENTROPY_SOURCE_FAILED);
    assert_eq!(
        ctx.fields().reseed_interval,
        10000,
        "the setter did nothing"
    );
    assert!(
        !ctx.fields().md_ctx.md_info.is_null(),
        "the free did nothing"
    );
    // The context still works once the callback behaves.
    let good = Source::default();
    assert_eq!(ctx.seed(sha(256), &good, b""), 0);
    let mut out = [0u8; 16];
    assert_eq!(ctx.draw(&mut out), 0);
}

#[test]
#[cfg_attr(miri, ignore)]
fn free_racing_random_is_safe() {
    mbedcrypto::install_test_backend();
    let _g = serial();
    if !threaded() {
        println!("no MBEDTLS_THREADING_C: callers serialise; skipped");
        return;
    }
    for round in 0..20 {
        let src = Arc::new(Source::default());
        let ctx = Arc::new(Ctx::new());
        assert_eq!(
            ctx.seed(sha(if round % 2 == 0 { 256 } else { 512 }), &src, b""),
            0
        );
        let start = Arc::new(Barrier::new(4));
        let handles: Vec<_> = (0..3)
            .map(|_| {
                let (ctx, start) = (ctx.clone(), start.clone());
                std::thread::spawn(move || {
                    start.wait();
                    let mut out = [0u8; 64];
                    let (mut ok, mut refused) = (0, 0);
                    for _ in 0..2000 {
                        match ctx.draw(&mut out) {
                            0 => ok += 1,
                            MBEDTLS_ERR_MD_BAD_INPUT_DATA => refused += 1,
                            rc => panic!("unexpected -0x{:04X}", -rc),
                        }
                    }
                    (ok, refused)
                })
            })
            .collect();
        start.wait();
        std::thread::sleep(std::time::Duration::from_micros(200 * round));
        ctx.free();
        let mut out = [0u8; 8];
        assert_eq!(ctx.draw(&mut out), MBEDTLS_ERR_MD_BAD_INPUT_DATA);
        for h in handles {
            let (ok, refused) = h.join().expect("thread");
            assert_eq!(ok + refused, 2000);
        }
    }
}

#[test]
// Under MBEDTLS_THREADING_ALT mutexes are known by address and cannot move.
#[cfg_attr(any(miri, feature = "threading-alt"), ignore)]
fn a_moved_context_keeps_working() {
    mbedcrypto::install_test_backend();
    let _g = serial();
    let (s1, s2) = (Source::default(), Source::default());
    let a = Ctx::new();
    let b = Ctx::new();
    assert_eq!(a.seed(sha(512), &s1, b"m"), 0);
    assert_eq!(b.seed(sha(512), &s2, b"m"), 0);
    for parity in [0usize, 8] {
        let mut storage = vec![0u64; size_of::<mbedtls_hmac_drbg_context>() / 8 + 2];
        let base = storage.as_mut_ptr();
        let moved = if (base as usize) & 8 == parity {
            base
        } else {
            base.wrapping_add(1)
        }
        .cast::<mbedtls_hmac_drbg_context>();
        // SAFETY: `storage` holds a context plus slack. The bytewise copy
        // continues `a`'s state; `a` is moved back over after the draw, as
        // if the program had moved the context twice.
        unsafe {
            ptr::copy_nonoverlapping(a.ptr(), moved, 1);
            let mut x = [0u8; 100];
            let mut y = [0u8; 100];
            assert_eq!(
                mbedtls_hmac_drbg_random(moved.cast(), x.as_mut_ptr(), 100),
                0
            );
            assert_eq!(b.draw(&mut y), 0);
            assert_eq!(x, y);
            ptr::copy_nonoverlapping(moved, a.ptr(), 1);
        }
    }
    let mut x = [0u8; 100];
    let mut y = [0u8; 100];
    assert_eq!(a.draw(&mut x), 0);
    assert_eq!(b.draw(&mut y), 0);
    assert_eq!(x, y);
}

#[test]
#[cfg_attr(miri, ignore)]
fn seed_files() {
    mbedcrypto::install_test_backend();
    let _g = serial();
    let dir = std::env::temp_dir().join(format!("hmac_drbg_seed_{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = |name: &str| {
        let p = dir.join(name);
        std::ffi::CString::new(p.to_str().unwrap()).unwrap()
    };
    let src = Source::default();
    let ctx = Ctx::new();
    let seed = path("seed");
    // SAFETY: live context and C strings throughout.
    unsafe {
        assert_eq!(
            mbedtls_hmac_drbg_write_seed_file(ctx.ptr(), seed.as_ptr()),
            MBEDTLS_ERR_MD_BAD_INPUT_DATA,
            "not seeded"
        );
        assert_eq!(ctx.seed(sha(256), &src, b""), 0);
        assert_eq!(
            mbedtls_hmac_drbg_write_seed_file(ctx.ptr(), seed.as_ptr()),
            0
        );
        let first = std::fs::read(dir.join("seed")).unwrap();
        assert_eq!(first.len(), 256);
        assert_eq!(
            mbedtls_hmac_drbg_update_seed_file(ctx.ptr(), seed.as_ptr()),
            0
        );
        let second = std::fs::read(dir.join("seed")).unwrap();
        assert_eq!(second.len(), 256);
        assert_ne!(first, second, "rewritten");

        std::fs::write(dir.join("big"), [1u8; 257]).unwrap();
        assert_eq!(
            mbedtls_hmac_drbg_update_seed_file(ctx.ptr(), path("big").as_ptr()),
            MBEDTLS_ERR_HMAC_DRBG_INPUT_TOO_BIG
        );
        std::fs::write(dir.join("small"), [1u8; 3]).unwrap();
        assert_eq!(
            mbedtls_hmac_drbg_update_seed_file(ctx.ptr(), path("small").as_ptr()),
            0
        );
        assert_eq!(std::fs::read(dir.join("small")).unwrap().len(), 256);
        std::fs::write(dir.join("empty"), []).unwrap();
        assert_eq!(
            mbedtls_hmac_drbg_update_seed_file(ctx.ptr(), path("empty").as_ptr()),
            MBEDTLS_ERR_HMAC_DRBG_FILE_IO_ERROR
        );
        assert_eq!(
            mbedtls_hmac_drbg_update_seed_file(ctx.ptr(), path("missing").as_ptr()),
            MBEDTLS_ERR_HMAC_DRBG_FILE_IO_ERROR
        );
        assert_eq!(
            mbedtls_hmac_drbg_write_seed_file(ctx.ptr(), path("no/such/dir").as_ptr()),
            MBEDTLS_ERR_HMAC_DRBG_FILE_IO_ERROR
        );
        assert_eq!(
            mbedtls_hmac_drbg_write_seed_file(ctx.ptr(), ptr::null()),
            MBEDTLS_ERR_HMAC_DRBG_FILE_IO_ERROR
        );
        assert_eq!(
            mbedtls_hmac_drbg_update_seed_file(ctx.ptr(), ptr::null()),
            MBEDTLS_ERR_HMAC_DRBG_FILE_IO_ERROR
        );
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
#[cfg_attr(miri, ignore)]
fn self_test_passes() {
    mbedcrypto::install_test_backend();
    let _g = serial();
    assert_eq!(mbedtls_hmac_drbg_self_test(0), 0);
    assert_eq!(mbedtls_hmac_drbg_self_test(1), 0);
}
