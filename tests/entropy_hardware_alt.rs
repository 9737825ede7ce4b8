//! `MBEDTLS_ENTROPY_HARDWARE_ALT` (feature `entropy-hardware-alt`): the
//! application defines `mbedtls_hardware_poll()`, and the library registers
//! it as a strong source in `mbedtls_entropy_init()`.
//!
//! Run with `cargo test --features entropy-hardware-alt --test
//! entropy_hardware_alt`.
#![cfg(feature = "entropy-hardware-alt")]

use core::ffi::{c_int, c_uchar, c_void};
use std::sync::atomic::{AtomicI32, AtomicU8, AtomicU32, Ordering};

use mbedcrypto::*;

/// 0: deliver varying bytes; 1: deliver zeros; 2: fail with -0x55;
/// 3: deliver nothing.
static MODE: AtomicI32 = AtomicI32::new(0);
static CALLS: AtomicU32 = AtomicU32::new(0);
static NEXT: AtomicU8 = AtomicU8::new(1);

/// The application's hardware source, as firmware would define it.
///
/// # Safety
///
/// `output` is writable for `len` bytes and `olen` is writable (the
/// library's contract).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mbedtls_hardware_poll(
    _data: *mut c_void,
    output: *mut c_uchar,
    len: usize,
    olen: *mut usize,
) -> c_int {
    CALLS.fetch_add(1, Ordering::SeqCst);
    let n = len.min(24);
    let mode = MODE.load(Ordering::SeqCst);
    if mode == 2 {
        return -0x55;
    }
    let n = if mode == 3 { 0 } else { n };
    for i in 0..n {
        let v = if mode == 1 {
            0
        } else {
            NEXT.fetch_add(29, Ordering::Relaxed)
        };
        // SAFETY: the library passes a buffer writable for `len >= n` bytes.
        unsafe { *output.add(i) = v };
    }
    // SAFETY: the library passes a writable `olen`.
    unsafe { *olen = n };
    0
}

fn new_ctx() -> Box<mbedtls_entropy_context> {
    // SAFETY: all-zero is valid memory for a context, initialised next.
    let mut ctx: Box<mbedtls_entropy_context> = Box::new(unsafe { core::mem::zeroed() });
    // SAFETY: writable memory for a context.
    unsafe { mbedtls_entropy_init(&mut *ctx) };
    ctx
}

fn func(ctx: &mut mbedtls_entropy_context, out: &mut [u8]) -> c_int {
    // SAFETY: a live context and a writable buffer.
    unsafe {
        mbedtls_entropy_func(
            (ctx as *mut mbedtls_entropy_context).cast(),
            out.as_mut_ptr(),
            out.len(),
        )
    }
}

#[test]
fn hardware_source() {
    mbedcrypto::install_test_backend();
    let mut ctx = new_ctx();
    let n = ctx.source_count as usize;
    assert!(n >= 1, "the hardware source is registered");
    let mut out = [0u8; 64];

    MODE.store(0, Ordering::SeqCst);
    let before = CALLS.load(Ordering::SeqCst);
    assert_eq!(func(&mut ctx, &mut out), 0);
    // 24 bytes a poll: at least two polls reach the threshold of 32.
    assert!(CALLS.load(Ordering::SeqCst) - before >= 2);
    assert_eq!(mbedtls_entropy_source_self_test(0), 0);

    // Only the hardware source: a failure of it is the caller's error.
    ctx.source_count = 0;
    // SAFETY: a live context.
    let rc = unsafe {
        mbedtls_entropy_add_source(
            &mut *ctx,
            Some(mbedtls_hardware_poll_ptr()),
            core::ptr::null_mut(),
            32,
            MBEDTLS_ENTROPY_SOURCE_STRONG,
        )
    };
    assert_eq!(rc, 0);
    MODE.store(2, Ordering::SeqCst);
    assert_eq!(func(&mut ctx, &mut out), -0x55);
    assert_eq!(
        mbedtls_entropy_source_self_test(0),
        1,
        "errors fail the check"
    );
    MODE.store(1, Ordering::SeqCst);
    assert_eq!(
        mbedtls_entropy_source_self_test(0),
        1,
        "all-zero output fails"
    );
    MODE.store(3, Ordering::SeqCst);
    assert_eq!(mbedtls_entropy_source_self_test(0), 1, "no output fails");
    assert_eq!(func(&mut ctx, &mut out), MBEDTLS_ERR_ENTROPY_SOURCE_FAILED);
    MODE.store(0, Ordering::SeqCst);
    assert_eq!(func(&mut ctx, &mut out), 0);
    assert_eq!(mbedtls_entropy_self_test(0), 0);
    // SAFETY: a live context, freed once.
    unsafe { mbedtls_entropy_free(&mut *ctx) };
}

/// The source as a C function pointer.
fn mbedtls_hardware_poll_ptr()
-> unsafe extern "C" fn(*mut c_void, *mut c_uchar, usize, *mut usize) -> c_int {
    mbedtls_hardware_poll
}
