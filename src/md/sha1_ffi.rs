//! The C surface of sha1.h: SHA-1 as a caller-allocated streaming context
//! and a one-shot call.
//!
//! The context keeps a running hash ([`Engine64`]) in its opaque `state`
//! words and a tag in `kind`: 0 (not started, the state after init or free) or the
//! SHA-1 tag set by `mbedtls_sha1_starts()`. Functions that need a started
//! context return `MBEDTLS_ERR_SHA1_BAD_INPUT_DATA` for a context that was
//! never started (upstream computes from whatever the memory holds).

use core::ffi::{c_int, c_uchar};
use core::mem::{align_of, size_of};

use super::engine::Engine64;
use super::ffi::wipe_struct;
use super::{Hasher, MdType};
use crate::abi::sha1::{MBEDTLS_ERR_SHA1_BAD_INPUT_DATA, mbedtls_sha1_context};
use crate::ffi::{boundary, try_slice, try_slice_mut};

/// `kind` of a started context.
const KIND_SHA1: u32 = 0x5348_0001;

const _: () = assert!(
    size_of::<Engine64>() <= size_of::<[u64; 14]>()
        && align_of::<Engine64>() <= align_of::<mbedtls_sha1_context>(),
    "the opaque state of mbedtls_sha1_context cannot hold the running hash"
);

/// The running hash in the opaque state member of `ctx` (meaningful once
/// the context is started).
///
/// # Safety
///
/// `ctx` points to an initialised context that nobody else uses for `'a`.
unsafe fn engine<'a>(ctx: *mut mbedtls_sha1_context) -> &'a mut Engine64 {
    // SAFETY: the state member is large and aligned enough for the engine
    // (checked at compile time), every bit pattern is a valid engine, and
    // the caller gives us exclusive use.
    unsafe { &mut *(&raw mut (*ctx).state).cast::<Engine64>() }
}

/// Initialises a context to the "not started" state (all-bits-zero). NULL
/// is ignored.
///
/// Thread safety: caller serialises.
///
/// # Safety
///
/// `ctx` is NULL or points to writable memory for an
/// `mbedtls_sha1_context`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mbedtls_sha1_init(ctx: *mut mbedtls_sha1_context) {
    boundary(|| {
        if !ctx.is_null() {
            // SAFETY: non-NULL and writable per the contract.
            unsafe { core::ptr::write_bytes(ctx, 0, 1) };
        }
    })
}

/// Wipes a context and returns it to the "not started" state. NULL and
/// repeated calls are accepted.
///
/// Thread safety: caller serialises.
///
/// # Safety
///
/// `ctx` is NULL or points to an initialised `mbedtls_sha1_context`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mbedtls_sha1_free(ctx: *mut mbedtls_sha1_context) {
    boundary(|| {
        if !ctx.is_null() {
            // SAFETY: non-NULL and initialised per the contract; the state
            // owns nothing.
            unsafe { wipe_struct(ctx) };
        }
    })
}

/// Makes `dst` a copy of `src` (the state of a computation in progress, or
/// "not started"). Does nothing if either is NULL or they are the same.
///
/// Thread safety: caller serialises (both contexts).
///
/// # Safety
///
/// Each pointer is NULL or points to an initialised `mbedtls_sha1_context`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mbedtls_sha1_clone(
    dst: *mut mbedtls_sha1_context,
    src: *const mbedtls_sha1_context,
) {
    boundary(|| {
        if dst.is_null() || src.is_null() || core::ptr::eq(dst.cast_const(), src) {
            return;
        }
        // SAFETY: both initialised and distinct per the contract; the
        // state of a started context is plain data, copied with its tag;
        // otherwise dst is returned to "not started".
        unsafe {
            if (*src).kind == KIND_SHA1 {
                core::ptr::copy(src, dst, 1);
            } else {
                wipe_struct(dst);
            }
        }
    })
}

/// Starts a SHA-1 computation, discarding any computation in progress.
///
/// Returns 0, or `MBEDTLS_ERR_SHA1_BAD_INPUT_DATA` if `ctx` is NULL.
///
/// Thread safety: caller serialises.
///
/// # Safety
///
/// `ctx` is NULL or points to an initialised `mbedtls_sha1_context`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mbedtls_sha1_starts(ctx: *mut mbedtls_sha1_context) -> c_int {
    boundary(|| {
        if ctx.is_null() {
            return MBEDTLS_ERR_SHA1_BAD_INPUT_DATA;
        }
        // SAFETY: non-NULL and initialised per the contract.
        unsafe {
            wipe_struct(ctx);
            engine(ctx).parts().start(MdType::Sha1);
            (*ctx).kind = KIND_SHA1;
        }
        0
    })
}

/// Feeds `ilen` bytes at `input` to a started computation (`input` may be
/// NULL if `ilen` is 0).
///
/// Returns 0, or `MBEDTLS_ERR_SHA1_BAD_INPUT_DATA` if `ctx` is NULL or not
/// started, or `input` is NULL with a non-zero `ilen`.
///
/// Thread safety: caller serialises.
///
/// # Safety
///
/// `ctx` is NULL or points to an initialised `mbedtls_sha1_context`;
/// `input` is NULL or points to `ilen` readable bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mbedtls_sha1_update(
    ctx: *mut mbedtls_sha1_context,
    input: *const c_uchar,
    ilen: usize,
) -> c_int {
    boundary(|| {
        if ctx.is_null() {
            return MBEDTLS_ERR_SHA1_BAD_INPUT_DATA;
        }
        // SAFETY: NULL or ilen readable bytes per the contract.
        let Some(data) = (unsafe { try_slice(input, ilen) }) else {
            return MBEDTLS_ERR_SHA1_BAD_INPUT_DATA;
        };
        // SAFETY: non-NULL and initialised per the contract.
        if unsafe { (*ctx).kind } != KIND_SHA1 {
            return MBEDTLS_ERR_SHA1_BAD_INPUT_DATA;
        }
        // SAFETY: as above, and used by no one else during the call.
        unsafe { engine(ctx) }.parts().update(MdType::Sha1, data);
        0
    })
}

/// Writes the 20-byte digest to `output` and restarts SHA-1, so the
/// context can be used again at once.
///
/// Returns 0, or `MBEDTLS_ERR_SHA1_BAD_INPUT_DATA` if `ctx` is NULL or not
/// started, or `output` is NULL.
///
/// Thread safety: caller serialises.
///
/// # Safety
///
/// `ctx` is NULL or points to an initialised `mbedtls_sha1_context`;
/// `output` is NULL or has room for 20 bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mbedtls_sha1_finish(
    ctx: *mut mbedtls_sha1_context,
    output: *mut c_uchar,
) -> c_int {
    boundary(|| {
        if ctx.is_null() {
            return MBEDTLS_ERR_SHA1_BAD_INPUT_DATA;
        }
        // SAFETY: non-NULL and initialised per the contract.
        if unsafe { (*ctx).kind } != KIND_SHA1 {
            return MBEDTLS_ERR_SHA1_BAD_INPUT_DATA;
        }
        // SAFETY: NULL or room for the digest per the contract.
        let Some(out) = (unsafe { try_slice_mut(output, 20) }) else {
            return MBEDTLS_ERR_SHA1_BAD_INPUT_DATA;
        };
        // SAFETY: as above, and used by no one else during the call.
        unsafe { engine(ctx) }.parts().finish(MdType::Sha1, out);
        0
    })
}

/// Hashes `ilen` bytes at `input` with SHA-1 in one call and writes the
/// 20-byte digest to `output`.
///
/// Returns 0, or `MBEDTLS_ERR_SHA1_BAD_INPUT_DATA` if `output` is NULL or
/// `input` is NULL with a non-zero `ilen`.
///
/// Thread safety: pure.
///
/// # Safety
///
/// `input` is NULL or points to `ilen` readable bytes; `output` is NULL or
/// has room for 20 bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mbedtls_sha1(
    input: *const c_uchar,
    ilen: usize,
    output: *mut c_uchar,
) -> c_int {
    boundary(|| {
        // SAFETY: NULL or ilen readable bytes per the contract.
        let Some(data) = (unsafe { try_slice(input, ilen) }) else {
            return MBEDTLS_ERR_SHA1_BAD_INPUT_DATA;
        };
        if output.is_null() {
            return MBEDTLS_ERR_SHA1_BAD_INPUT_DATA;
        }
        // SAFETY: non-NULL with room for the digest per the contract.
        let Some(out) = (unsafe { try_slice_mut(output, 20) }) else {
            return MBEDTLS_ERR_SHA1_BAD_INPUT_DATA;
        };
        Hasher::digest(MdType::Sha1, data, out);
        0
    })
}

/// Checks SHA-1 against the FIPS 180-2 examples ("abc", the two-block
/// message, one million 'a'). Prints one line per case if `verbose` is
/// non-zero (hosted builds). Returns 0 if all pass, 1 otherwise.
///
/// Thread safety: pure.
#[cfg(mbedtls_self_test)]
#[unsafe(no_mangle)]
pub extern "C" fn mbedtls_sha1_self_test(verbose: c_int) -> c_int {
    boundary(|| {
        let mut failed = false;
        for (i, case) in super::self_test::cases_for(MdType::Sha1).iter().enumerate() {
            let mut ctx = mbedtls_sha1_context {
                state: [0; 14],
                kind: 0,
            };
            let c = &raw mut ctx;
            let mut out = [0u8; 20];
            let mut one_shot = [0u8; 20];
            // SAFETY: a live local context, data and outputs of the right
            // sizes.
            let ok = unsafe {
                mbedtls_sha1_init(c);
                let mut ok = mbedtls_sha1_starts(c) == 0;
                for _ in 0..case.repeat {
                    ok &= mbedtls_sha1_update(c, case.chunk.as_ptr(), case.chunk.len()) == 0;
                }
                ok &= mbedtls_sha1_finish(c, out.as_mut_ptr()) == 0;
                mbedtls_sha1_free(c);
                if case.repeat == 1 {
                    ok &=
                        mbedtls_sha1(case.chunk.as_ptr(), case.chunk.len(), one_shot.as_mut_ptr())
                            == 0;
                    ok &= one_shot == out;
                }
                ok
            };
            let passed = ok && out[..] == *case.expected;
            super::ffi::self_test_line(verbose, c"SHA-1", i + 1, passed);
            failed |= !passed;
        }
        super::ffi::self_test_end(verbose);
        c_int::from(failed)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use core::ptr::{null, null_mut};

    const BAD: c_int = MBEDTLS_ERR_SHA1_BAD_INPUT_DATA;

    fn hex(b: &[u8]) -> String {
        b.iter().map(|x| format!("{x:02x}")).collect()
    }

    fn zeroed() -> mbedtls_sha1_context {
        mbedtls_sha1_context {
            state: [0; 14],
            kind: 0,
        }
    }

    #[test]
    fn lifecycle_and_misuse() {
        let (mut a, mut b) = (zeroed(), zeroed());
        let (pa, pb) = (&raw mut a, &raw mut b);
        let mut out = [0u8; 20];
        // SAFETY: NULL or live local contexts; buffers of the right sizes.
        unsafe {
            mbedtls_sha1_init(null_mut());
            mbedtls_sha1_free(null_mut());
            mbedtls_sha1_clone(null_mut(), pa);
            mbedtls_sha1_clone(pa, null());
            mbedtls_sha1_init(pa);
            assert_eq!(
                mbedtls_sha1_update(pa, b"x".as_ptr(), 1),
                BAD,
                "not started"
            );
            assert_eq!(mbedtls_sha1_finish(pa, out.as_mut_ptr()), BAD);
            assert_eq!(mbedtls_sha1_starts(null_mut()), BAD);
            assert_eq!(mbedtls_sha1_update(null_mut(), b"x".as_ptr(), 1), BAD);
            assert_eq!(mbedtls_sha1_finish(null_mut(), out.as_mut_ptr()), BAD);
            assert_eq!(mbedtls_sha1_starts(pa), 0);
            assert_eq!(mbedtls_sha1_update(pa, null(), 1), BAD);
            assert_eq!(mbedtls_sha1_finish(pa, null_mut()), BAD);
            assert_eq!(mbedtls_sha1_update(pa, b"ab".as_ptr(), 2), 0);
            mbedtls_sha1_clone(pb, pa);
            assert_eq!(mbedtls_sha1_update(pa, b"c".as_ptr(), 1), 0);
            assert_eq!(mbedtls_sha1_finish(pa, out.as_mut_ptr()), 0);
            assert_eq!(hex(&out), "a9993e364706816aba3e25717850c26c9cd0d89d");
            out = [0; 20];
            assert_eq!(mbedtls_sha1_update(pb, b"c".as_ptr(), 1), 0);
            assert_eq!(mbedtls_sha1_finish(pb, out.as_mut_ptr()), 0);
            assert_eq!(hex(&out), "a9993e364706816aba3e25717850c26c9cd0d89d");
            // finish restarted the hash.
            assert_eq!(mbedtls_sha1_update(pb, b"abc".as_ptr(), 3), 0);
            out = [0; 20];
            assert_eq!(mbedtls_sha1_finish(pb, out.as_mut_ptr()), 0);
            assert_eq!(hex(&out), "a9993e364706816aba3e25717850c26c9cd0d89d");
            mbedtls_sha1_free(pa);
            mbedtls_sha1_free(pa);
            assert_eq!(a.kind, 0);
            assert!(a.state.iter().all(|&w| w == 0), "free wipes the state");
            mbedtls_sha1_clone(pb, pa);
            assert_eq!(
                mbedtls_sha1_finish(pb, out.as_mut_ptr()),
                BAD,
                "cloned 'not started'"
            );
            assert_eq!(mbedtls_sha1(null(), 1, out.as_mut_ptr()), BAD);
            assert_eq!(mbedtls_sha1(null(), 0, null_mut()), BAD);
            assert_eq!(mbedtls_sha1(null(), 0, out.as_mut_ptr()), 0);
            assert_eq!(hex(&out), "da39a3ee5e6b4b0d3255bfef95601890afd80709");
        }
    }

    #[test]
    #[cfg(mbedtls_self_test)]
    #[cfg_attr(miri, ignore)]
    fn self_test_passes() {
        assert_eq!(mbedtls_sha1_self_test(0), 0);
        assert_eq!(mbedtls_sha1_self_test(1), 0);
    }
}
