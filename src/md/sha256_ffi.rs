//! The C surface of sha256.h: SHA-224 and SHA-256 as caller-allocated
//! streaming contexts and one-shot calls.
//!
//! The context keeps a running hash ([`Engine64`]) in its opaque `state`
//! words and a tag in `kind`: 0 (not started, the state after init or free), or one of
//! the two algorithm tags set by `mbedtls_sha256_starts()`. Functions that
//! need a started context return `MBEDTLS_ERR_SHA256_BAD_INPUT_DATA` for a
//! context that was never started (upstream computes from whatever the
//! memory holds).

use core::ffi::{c_int, c_uchar};
use core::mem::{align_of, size_of};

use super::engine::Engine64;
use super::ffi::wipe_struct;
use super::{Hasher, MdType};
use crate::abi::sha256::{MBEDTLS_ERR_SHA256_BAD_INPUT_DATA, mbedtls_sha256_context};
use crate::ffi::{boundary, try_slice, try_slice_mut};

/// `kind` of a context started for SHA-224.
const KIND_SHA224: u32 = 0x5348_0224;
/// `kind` of a context started for SHA-256.
const KIND_SHA256: u32 = 0x5348_0256;

const _: () = assert!(
    size_of::<Engine64>() <= size_of::<[u64; 15]>()
        && align_of::<Engine64>() <= align_of::<mbedtls_sha256_context>(),
    "the opaque state of mbedtls_sha256_context cannot hold the running hash"
);

/// The running hash in the opaque state member of `ctx` (meaningful once
/// the context is started).
///
/// # Safety
///
/// `ctx` points to an initialised context that nobody else uses for `'a`.
unsafe fn engine<'a>(ctx: *mut mbedtls_sha256_context) -> &'a mut Engine64 {
    // SAFETY: the state member is large and aligned enough for the engine
    // (checked at compile time), every bit pattern is a valid engine, and
    // the caller gives us exclusive use.
    unsafe { &mut *(&raw mut (*ctx).state).cast::<Engine64>() }
}

/// The algorithm a context was started for, or `None` if it is not
/// started.
///
/// # Safety
///
/// `ctx` points to a readable, initialised context.
unsafe fn started(ctx: *const mbedtls_sha256_context) -> Option<MdType> {
    // SAFETY: readable per the contract.
    match unsafe { (*ctx).kind } {
        KIND_SHA224 => Some(MdType::Sha224),
        KIND_SHA256 => Some(MdType::Sha256),
        _ => None,
    }
}

/// The algorithm for an `is224` argument (0: SHA-256, 1: SHA-224).
fn variant(is224: c_int) -> Option<MdType> {
    match is224 {
        0 => Some(MdType::Sha256),
        #[cfg(mbedtls_sha224_c)]
        1 => Some(MdType::Sha224),
        _ => None,
    }
}

/// Initialises a context to the "not started" state (all-bits-zero). NULL
/// is ignored.
///
/// Thread safety: caller serialises.
///
/// # Safety
///
/// `ctx` is NULL or points to writable memory for an
/// `mbedtls_sha256_context`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mbedtls_sha256_init(ctx: *mut mbedtls_sha256_context) {
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
/// `ctx` is NULL or points to an initialised `mbedtls_sha256_context`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mbedtls_sha256_free(ctx: *mut mbedtls_sha256_context) {
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
/// Each pointer is NULL or points to an initialised
/// `mbedtls_sha256_context`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mbedtls_sha256_clone(
    dst: *mut mbedtls_sha256_context,
    src: *const mbedtls_sha256_context,
) {
    boundary(|| {
        if dst.is_null() || src.is_null() || core::ptr::eq(dst.cast_const(), src) {
            return;
        }
        // SAFETY: both initialised and distinct per the contract; the
        // state of a started context is plain data, copied with its tag;
        // otherwise dst is returned to "not started".
        unsafe {
            if started(src).is_some() {
                core::ptr::copy(src, dst, 1);
            } else {
                wipe_struct(dst);
            }
        }
    })
}

/// Starts a SHA-256 (`is224` = 0) or SHA-224 (`is224` = 1) computation,
/// discarding any computation in progress.
///
/// Returns 0, or `MBEDTLS_ERR_SHA256_BAD_INPUT_DATA` if `ctx` is NULL or
/// `is224` is neither 0 nor 1.
///
/// Thread safety: caller serialises.
///
/// # Safety
///
/// `ctx` is NULL or points to an initialised `mbedtls_sha256_context`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mbedtls_sha256_starts(
    ctx: *mut mbedtls_sha256_context,
    is224: c_int,
) -> c_int {
    boundary(|| {
        let Some(ty) = variant(is224) else {
            return MBEDTLS_ERR_SHA256_BAD_INPUT_DATA;
        };
        if ctx.is_null() {
            return MBEDTLS_ERR_SHA256_BAD_INPUT_DATA;
        }
        // SAFETY: non-NULL and initialised per the contract.
        unsafe {
            wipe_struct(ctx);
            engine(ctx).parts().start(ty);
            (*ctx).kind = if ty == MdType::Sha224 {
                KIND_SHA224
            } else {
                KIND_SHA256
            };
        }
        0
    })
}

/// Feeds `ilen` bytes at `input` to a started computation (`input` may be
/// NULL if `ilen` is 0).
///
/// Returns 0, or `MBEDTLS_ERR_SHA256_BAD_INPUT_DATA` if `ctx` is NULL or
/// not started, or `input` is NULL with a non-zero `ilen`.
///
/// Thread safety: caller serialises.
///
/// # Safety
///
/// `ctx` is NULL or points to an initialised `mbedtls_sha256_context`;
/// `input` is NULL or points to `ilen` readable bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mbedtls_sha256_update(
    ctx: *mut mbedtls_sha256_context,
    input: *const c_uchar,
    ilen: usize,
) -> c_int {
    boundary(|| {
        if ctx.is_null() {
            return MBEDTLS_ERR_SHA256_BAD_INPUT_DATA;
        }
        // SAFETY: NULL or ilen readable bytes per the contract.
        let Some(data) = (unsafe { try_slice(input, ilen) }) else {
            return MBEDTLS_ERR_SHA256_BAD_INPUT_DATA;
        };
        // SAFETY: non-NULL and initialised per the contract.
        let Some(ty) = (unsafe { started(ctx) }) else {
            return MBEDTLS_ERR_SHA256_BAD_INPUT_DATA;
        };
        // SAFETY: as above, and used by no one else during the call.
        unsafe { engine(ctx) }.parts().update(ty, data);
        0
    })
}

/// Writes the digest (28 bytes for SHA-224, 32 for SHA-256) to `output`
/// and restarts the same algorithm, so the context can be used again at
/// once.
///
/// Returns 0, or `MBEDTLS_ERR_SHA256_BAD_INPUT_DATA` if `ctx` is NULL or
/// not started, or `output` is NULL.
///
/// Thread safety: caller serialises.
///
/// # Safety
///
/// `ctx` is NULL or points to an initialised `mbedtls_sha256_context`;
/// `output` is NULL or has room for the digest.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mbedtls_sha256_finish(
    ctx: *mut mbedtls_sha256_context,
    output: *mut c_uchar,
) -> c_int {
    boundary(|| {
        if ctx.is_null() {
            return MBEDTLS_ERR_SHA256_BAD_INPUT_DATA;
        }
        // SAFETY: non-NULL and initialised per the contract.
        let Some(ty) = (unsafe { started(ctx) }) else {
            return MBEDTLS_ERR_SHA256_BAD_INPUT_DATA;
        };
        // SAFETY: NULL or room for the digest per the contract.
        let Some(out) = (unsafe { try_slice_mut(output, ty.info().size) }) else {
            return MBEDTLS_ERR_SHA256_BAD_INPUT_DATA;
        };
        // SAFETY: as above, and used by no one else during the call.
        unsafe { engine(ctx) }.parts().finish(ty, out);
        0
    })
}

/// Hashes `ilen` bytes at `input` with SHA-256 (`is224` = 0) or SHA-224
/// (`is224` = 1) in one call and writes the digest to `output`.
///
/// Returns 0, or `MBEDTLS_ERR_SHA256_BAD_INPUT_DATA` if `is224` is neither 0
/// nor 1, `output` is NULL, or `input` is NULL with a non-zero `ilen`.
///
/// Thread safety: pure.
///
/// # Safety
///
/// `input` is NULL or points to `ilen` readable bytes; `output` is NULL or
/// has room for the digest.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mbedtls_sha256(
    input: *const c_uchar,
    ilen: usize,
    output: *mut c_uchar,
    is224: c_int,
) -> c_int {
    boundary(|| {
        let Some(ty) = variant(is224) else {
            return MBEDTLS_ERR_SHA256_BAD_INPUT_DATA;
        };
        // SAFETY: NULL or ilen readable bytes per the contract.
        let Some(data) = (unsafe { try_slice(input, ilen) }) else {
            return MBEDTLS_ERR_SHA256_BAD_INPUT_DATA;
        };
        if output.is_null() {
            return MBEDTLS_ERR_SHA256_BAD_INPUT_DATA;
        }
        // SAFETY: non-NULL with room for the digest per the contract.
        let Some(out) = (unsafe { try_slice_mut(output, ty.info().size) }) else {
            return MBEDTLS_ERR_SHA256_BAD_INPUT_DATA;
        };
        Hasher::digest(ty, data, out);
        0
    })
}

/// Runs the self-test for SHA-224 or SHA-256 through this header's
/// functions.
#[cfg(mbedtls_self_test)]
fn self_test(ty: MdType, name: &core::ffi::CStr, verbose: c_int) -> c_int {
    let is224 = c_int::from(ty == MdType::Sha224);
    let size = ty.info().size;
    let mut failed = false;
    for (i, case) in super::self_test::cases_for(ty).iter().enumerate() {
        let mut ctx = mbedtls_sha256_context {
            state: [0; 15],
            kind: 0,
        };
        let c = &raw mut ctx;
        let mut out = [0u8; 32];
        let mut one_shot = [0u8; 32];
        // SAFETY: a live local context, data and output of the right sizes.
        let ok = unsafe {
            mbedtls_sha256_init(c);
            let mut ok = mbedtls_sha256_starts(c, is224) == 0;
            for _ in 0..case.repeat {
                ok &= mbedtls_sha256_update(c, case.chunk.as_ptr(), case.chunk.len()) == 0;
            }
            ok &= mbedtls_sha256_finish(c, out.as_mut_ptr()) == 0;
            mbedtls_sha256_free(c);
            if case.repeat == 1 {
                ok &= mbedtls_sha256(
                    case.chunk.as_ptr(),
                    case.chunk.len(),
                    one_shot.as_mut_ptr(),
                    is224,
                ) == 0;
                ok &= one_shot == out;
            }
            ok
        };
        let passed = ok && out[..size] == *case.expected;
        super::ffi::self_test_line(verbose, name, i + 1, passed);
        failed |= !passed;
    }
    super::ffi::self_test_end(verbose);
    c_int::from(failed)
}

/// Checks SHA-224 against the FIPS 180-2 examples ("abc", the two-block
/// message, one million 'a'). Prints one line per case if `verbose` is
/// non-zero (hosted builds). Returns 0 if all pass, 1 otherwise.
///
/// Thread safety: pure.
#[cfg(all(mbedtls_self_test, mbedtls_sha224_c))]
#[unsafe(no_mangle)]
pub extern "C" fn mbedtls_sha224_self_test(verbose: c_int) -> c_int {
    boundary(|| self_test(MdType::Sha224, c"SHA-224", verbose))
}

/// Checks SHA-256 against the FIPS 180-2 examples ("abc", the two-block
/// message, one million 'a'). Prints one line per case if `verbose` is
/// non-zero (hosted builds). Returns 0 if all pass, 1 otherwise.
///
/// Thread safety: pure.
#[cfg(all(mbedtls_self_test, mbedtls_sha256_c))]
#[unsafe(no_mangle)]
pub extern "C" fn mbedtls_sha256_self_test(verbose: c_int) -> c_int {
    boundary(|| self_test(MdType::Sha256, c"SHA-256", verbose))
}

#[cfg(test)]
mod tests {
    use super::*;
    use core::ptr::{null, null_mut};

    const BAD: c_int = MBEDTLS_ERR_SHA256_BAD_INPUT_DATA;

    /// Room for a context at a chosen offset from a 16-byte boundary.
    #[repr(C, align(16))]
    struct Arena([u8; 512]);

    fn hex(b: &[u8]) -> String {
        b.iter().map(|x| format!("{x:02x}")).collect()
    }

    #[test]
    fn contexts_work_at_any_8_byte_alignment_and_copy_by_value() {
        let data: Vec<u8> = (0..300u32).map(|i| i as u8).collect();
        let mut want = [0u8; 64];
        // SAFETY: buffers of the right sizes.
        let r = unsafe { mbedtls_sha256(data.as_ptr(), 300, want.as_mut_ptr(), 0) };
        assert_eq!(r, 0);
        for offset in [0usize, 8] {
            let mut arena = Arena([0xa5; 512]);
            // One base pointer for both, so neither invalidates the other.
            let base = arena.0.as_mut_ptr();
            let c = base.wrapping_add(offset).cast::<mbedtls_sha256_context>();
            let copy = base
                .wrapping_add(200 - offset)
                .cast::<mbedtls_sha256_context>();
            let mut out = [0u8; 64];
            // SAFETY: both contexts lie inside the arena, 8-aligned, without
            // overlapping (128 bytes each).
            unsafe {
                mbedtls_sha256_init(c);
                assert_eq!(mbedtls_sha256_starts(c, 0), 0);
                assert_eq!(mbedtls_sha256_update(c, data.as_ptr(), 100), 0);
                // A C program may copy a context by assignment (upstream's
                // clone does exactly that), even to another alignment.
                core::ptr::copy_nonoverlapping(c, copy, 1);
                assert_eq!(mbedtls_sha256_update(c, data[100..].as_ptr(), 200), 0);
                assert_eq!(mbedtls_sha256_finish(c, out.as_mut_ptr()), 0);
                assert_eq!(out, want, "offset {offset}");
                assert_eq!(mbedtls_sha256_update(copy, data[100..].as_ptr(), 200), 0);
                assert_eq!(mbedtls_sha256_finish(copy, out.as_mut_ptr()), 0);
                assert_eq!(out, want, "copy of offset {offset}");
                mbedtls_sha256_free(c);
                mbedtls_sha256_free(copy);
                assert_eq!(mbedtls_sha256_update(c, data.as_ptr(), 1), BAD);
            }
        }
    }

    #[test]
    fn misuse_is_refused() {
        let mut ctx = mbedtls_sha256_context {
            state: [0; 15],
            kind: 0,
        };
        let c = &raw mut ctx;
        let mut out = [0u8; 64];
        // SAFETY: NULL or a live local context; buffers of the right sizes.
        unsafe {
            mbedtls_sha256_init(null_mut());
            mbedtls_sha256_free(null_mut());
            mbedtls_sha256_clone(null_mut(), c);
            mbedtls_sha256_clone(c, null());
            mbedtls_sha256_init(c);
            assert_eq!(
                mbedtls_sha256_update(c, b"x".as_ptr(), 1),
                BAD,
                "not started"
            );
            assert_eq!(mbedtls_sha256_finish(c, out.as_mut_ptr()), BAD);
            assert_eq!(mbedtls_sha256_starts(c, 2), BAD);
            assert_eq!(mbedtls_sha256_starts(c, -1), BAD);
            assert_eq!(mbedtls_sha256_starts(null_mut(), 0), BAD);
            assert_eq!(mbedtls_sha256_update(null_mut(), b"x".as_ptr(), 1), BAD);
            assert_eq!(mbedtls_sha256_finish(null_mut(), out.as_mut_ptr()), BAD);
            assert_eq!(mbedtls_sha256_starts(c, 1), 0);
            assert_eq!(mbedtls_sha256_update(c, null(), 1), BAD);
            assert_eq!(mbedtls_sha256_update(c, null(), 0), 0);
            assert_eq!(mbedtls_sha256_finish(c, null_mut()), BAD);
            assert_eq!(mbedtls_sha256_update(c, b"abc".as_ptr(), 3), 0);
            out = [0; 64];
            assert_eq!(mbedtls_sha256_finish(c, out.as_mut_ptr()), 0);
            assert_eq!(
                hex(&out[..28]),
                "23097d223405d8228642a477bda255b32aadbce4bda0b3f7e36c9da7"
            );
            assert!(out[28..].iter().all(|&b| b == 0), "SHA-224 writes 28 bytes");
            assert_eq!(mbedtls_sha256(null(), 1, out.as_mut_ptr(), 0), BAD);
            assert_eq!(mbedtls_sha256(null(), 0, null_mut(), 0), BAD);
            assert_eq!(mbedtls_sha256(null(), 0, out.as_mut_ptr(), 2), BAD);
            // clone: a started state, then a never-started one.
            let mut d = mbedtls_sha256_context {
                state: [0; 15],
                kind: 0,
            };
            let pd = &raw mut d;
            assert_eq!(mbedtls_sha256_update(c, b"ab".as_ptr(), 2), 0);
            mbedtls_sha256_clone(pd, c);
            mbedtls_sha256_clone(pd, pd);
            assert_eq!(mbedtls_sha256_update(pd, b"c".as_ptr(), 1), 0);
            assert_eq!(mbedtls_sha256_finish(pd, out.as_mut_ptr()), 0);
            assert_eq!(hex(&out[..4]), "23097d22", "the clone is SHA-224 too");
            mbedtls_sha256_free(c);
            mbedtls_sha256_free(c);
            mbedtls_sha256_clone(pd, c);
            assert_eq!(mbedtls_sha256_finish(pd, out.as_mut_ptr()), BAD);
            mbedtls_sha256_free(pd);
        }
    }

    #[test]
    #[cfg(mbedtls_self_test)]
    #[cfg_attr(miri, ignore)]
    fn self_tests_pass() {
        assert_eq!(mbedtls_sha224_self_test(0), 0);
        assert_eq!(mbedtls_sha256_self_test(0), 0);
    }
}
