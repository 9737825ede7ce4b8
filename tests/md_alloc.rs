//! md.h's use of the allocator hooks, in its own test binary because the
//! hooks are global (no other test may allocate while they are swapped):
//! `mbedtls_md_setup` allocates through `mbedtls_calloc` (so a static-heap
//! hook is honoured), reports `MBEDTLS_ERR_MD_ALLOC_FAILED` without leaking
//! when either allocation fails, copes with a hook that aligns only to 8
//! bytes, and `mbedtls_md_free` returns everything.

use std::ffi::c_void;
use std::sync::atomic::{AtomicIsize, AtomicUsize, Ordering};

use mbedcrypto::*;

unsafe extern "C" {
    fn calloc(n: usize, size: usize) -> *mut c_void;
    fn free(p: *mut c_void);
}

/// Allocations still to succeed before the hook fails (negative: never fail).
static SUCCEED_BEFORE_FAILING: AtomicIsize = AtomicIsize::new(-1);
/// Live blocks handed out by the hook.
static LIVE: AtomicUsize = AtomicUsize::new(0);
/// Blocks handed out in total.
static TOTAL: AtomicUsize = AtomicUsize::new(0);

/// A calloc that can be told to fail, and whose blocks are 8 bytes past a
/// 16-byte boundary (the weakest alignment a C allocator gives on 64-bit
/// targets), so the library must place 16-aligned states itself.
unsafe extern "C" fn test_calloc(n: usize, size: usize) -> *mut c_void {
    let left = SUCCEED_BEFORE_FAILING.load(Ordering::SeqCst);
    if left == 0 {
        return std::ptr::null_mut();
    }
    if left > 0 {
        SUCCEED_BEFORE_FAILING.store(left - 1, Ordering::SeqCst);
    }
    // SAFETY: the C library's calloc; the library checked n * size.
    let base = unsafe { calloc(1, n * size + 16) }.cast::<u8>();
    if base.is_null() {
        return base.cast();
    }
    LIVE.fetch_add(1, Ordering::SeqCst);
    TOTAL.fetch_add(1, Ordering::SeqCst);
    let pad = if base.addr() % 16 == 8 { 0 } else { 8 };
    // SAFETY: inside the block; the pad is recorded in the byte before.
    unsafe {
        let p = base.add(pad + 8);
        p.sub(1).write(pad as u8);
        p.cast()
    }
}

unsafe extern "C" fn test_free(p: *mut c_void) {
    if p.is_null() {
        return;
    }
    LIVE.fetch_sub(1, Ordering::SeqCst);
    // SAFETY: p came from test_calloc, which stored the pad before it.
    unsafe {
        let p = p.cast::<u8>();
        let pad = usize::from(p.sub(1).read());
        free(p.sub(pad + 8).cast());
    }
}

#[test]
#[cfg_attr(miri, ignore)]
fn setup_allocates_through_the_hooks_and_fails_cleanly() {
    // SAFETY: the hooks have calloc/free contracts; this binary has no other
    // test that allocates meanwhile.
    unsafe { mbedtls_platform_set_calloc_free(Some(test_calloc), Some(test_free)) };
    let info = mbedtls_md_info_from_type(0x0b); // SHA-512: 16-aligned states
    // SAFETY: all-bits-zero is the init state.
    let mut ctx: mbedtls_md_context_t = unsafe { std::mem::zeroed() };
    let mut out = [0u8; 64];
    // SAFETY: a live local context, a descriptor from the library, live
    // buffers.
    unsafe {
        mbedtls_md_init(&mut ctx);
        // The first allocation (the hash state) fails.
        SUCCEED_BEFORE_FAILING.store(0, Ordering::SeqCst);
        assert_eq!(
            mbedtls_md_setup(&mut ctx, info, 1),
            MBEDTLS_ERR_MD_ALLOC_FAILED
        );
        assert!(mbedtls_md_info_from_ctx(&ctx).is_null(), "left not set up");
        assert_eq!(mbedtls_md_starts(&mut ctx), MBEDTLS_ERR_MD_BAD_INPUT_DATA);
        // The second (the HMAC state) fails: the first is returned.
        SUCCEED_BEFORE_FAILING.store(1, Ordering::SeqCst);
        assert_eq!(
            mbedtls_md_setup(&mut ctx, info, 1),
            MBEDTLS_ERR_MD_ALLOC_FAILED
        );
        assert_eq!(
            LIVE.load(Ordering::SeqCst),
            0,
            "no leak on the HMAC failure path"
        );
        assert!(mbedtls_md_info_from_ctx(&ctx).is_null());
        // Success: two blocks, both from the hook.
        SUCCEED_BEFORE_FAILING.store(-1, Ordering::SeqCst);
        let before = TOTAL.load(Ordering::SeqCst);
        assert_eq!(mbedtls_md_setup(&mut ctx, info, 1), 0);
        assert_eq!(TOTAL.load(Ordering::SeqCst) - before, 2);
        assert_eq!(LIVE.load(Ordering::SeqCst), 2);
        assert_eq!(mbedtls_md_hmac_starts(&mut ctx, b"Jefe".as_ptr(), 4), 0);
        let msg = b"what do ya want for nothing?";
        assert_eq!(mbedtls_md_hmac_update(&mut ctx, msg.as_ptr(), msg.len()), 0);
        assert_eq!(mbedtls_md_hmac_finish(&mut ctx, out.as_mut_ptr()), 0);
        assert_eq!(out[..8], [0x16, 0x4b, 0x7a, 0x7b, 0xfc, 0xf8, 0x19, 0xe2]); // RFC 4231 case 2
        // Setup again without free: the old blocks are returned first.
        assert_eq!(mbedtls_md_setup(&mut ctx, info, 0), 0);
        assert_eq!(LIVE.load(Ordering::SeqCst), 1);
        // A failing re-setup leaves the context released, not half set up.
        SUCCEED_BEFORE_FAILING.store(0, Ordering::SeqCst);
        assert_eq!(
            mbedtls_md_setup(&mut ctx, info, 0),
            MBEDTLS_ERR_MD_ALLOC_FAILED
        );
        assert_eq!(LIVE.load(Ordering::SeqCst), 0);
        SUCCEED_BEFORE_FAILING.store(-1, Ordering::SeqCst);
        assert_eq!(mbedtls_md_setup(&mut ctx, info, 0), 0);
        mbedtls_md_free(&mut ctx);
        mbedtls_md_free(&mut ctx);
        assert_eq!(LIVE.load(Ordering::SeqCst), 0, "free returns everything");
        // One-shot functions allocate nothing.
        let before = TOTAL.load(Ordering::SeqCst);
        assert_eq!(
            mbedtls_md(info, msg.as_ptr(), msg.len(), out.as_mut_ptr()),
            0
        );
        assert_eq!(
            mbedtls_md_hmac(
                info,
                b"k".as_ptr(),
                1,
                msg.as_ptr(),
                msg.len(),
                out.as_mut_ptr()
            ),
            0
        );
        assert_eq!(
            TOTAL.load(Ordering::SeqCst),
            before,
            "one-shots do not allocate"
        );
        mbedtls_platform_set_calloc_free(None, None);
    }
}
