//! The C surface of md.h: algorithm lookups, the streaming context (hash
//! and HMAC), and the one-shot functions.
//!
//! A set-up `mbedtls_md_context_t` owns up to two blocks from
//! `mbedtls_calloc()`: `md_ctx` holds a [`Hasher`], `hmac_ctx` (only for
//! contexts set up with `hmac != 0`) an `Option<HmacState>` that
//! `mbedtls_md_hmac_starts()` fills in. The blocks are over-allocated by
//! the state's alignment so that a calloc hook with weaker alignment than
//! the Rust type (a static-heap allocator, say) still works; the context
//! keeps the block's base address and the state lives at the first aligned
//! address inside it.
//!
//! The descriptor pointer `md_info` is validated by address
//! ([`MdInfo::from_ptr`]) at every entry, so a context that was never set
//! up, or garbage, is reported as `MBEDTLS_ERR_MD_BAD_INPUT_DATA`.
//!
//! No function here locks: md contexts are used by one thread at a time, as
//! upstream's are.
//!
//! This file also holds [`wipe_struct`], which the sha*.h layers use to
//! clear their caller-allocated contexts.

use core::ffi::{c_char, c_int, c_uchar, c_void};
use core::mem::{align_of, size_of};

use zeroize::Zeroize;

#[cfg(mbedtls_fs_io)]
use super::MAX_SIZE;
use super::{Hasher, HmacState, MdInfo, MdType};
#[cfg(mbedtls_fs_io)]
use crate::abi::md::MBEDTLS_ERR_MD_FILE_IO_ERROR;
use crate::abi::md::{
    MBEDTLS_ERR_MD_ALLOC_FAILED, MBEDTLS_ERR_MD_BAD_INPUT_DATA, mbedtls_md_context_t,
    mbedtls_md_info_t, mbedtls_md_type_t,
};
use crate::ffi::{boundary, try_cstr, try_slice, try_slice_mut};
use crate::platform::ffi::{mbedtls_calloc, mbedtls_free};

// ---- Heap blocks behind md_ctx / hmac_ctx -----------------------------------

/// Bytes to request for a `T` placed at an aligned address inside the block.
const fn block_size<T>() -> usize {
    size_of::<T>() + align_of::<T>() - 1
}

/// The aligned address of the `T` inside the block at `base`.
fn state_in<T>(base: *mut c_void) -> *mut T {
    let base = base.cast::<u8>();
    let align = align_of::<T>();
    let pad = (align - base.addr() % align) % align;
    base.wrapping_add(pad).cast()
}

/// Allocates a block with `mbedtls_calloc()` and moves `value` into it.
/// Returns the block's base address, or `None` (with `value` dropped) if
/// the allocation failed.
fn alloc_state<T>(value: T) -> Option<*mut c_void> {
    let base = mbedtls_calloc(1, block_size::<T>());
    if base.is_null() {
        return None;
    }
    // SAFETY: the block holds block_size::<T>() bytes, so the aligned
    // address plus size_of::<T>() stays inside it; it is fresh memory.
    unsafe { state_in::<T>(base).write(value) };
    Some(base)
}

/// Drops the `T` in the block at `base`, wipes the whole block and returns
/// it to `mbedtls_free()`. NULL is ignored.
///
/// # Safety
///
/// `base` is NULL or came from [`alloc_state::<T>`] and was not released.
unsafe fn free_state<T>(base: *mut c_void) {
    if base.is_null() {
        return;
    }
    // SAFETY: per the contract, a live T sits at the aligned address.
    unsafe { core::ptr::drop_in_place(state_in::<T>(base)) };
    // SAFETY: the block is block_size::<T>() bytes of memory we own; the T
    // in it has been dropped, so the bytes are ours to overwrite.
    let bytes = unsafe { core::slice::from_raw_parts_mut(base.cast::<u8>(), block_size::<T>()) };
    bytes.zeroize();
    // SAFETY: the block came from mbedtls_calloc (alloc_state).
    unsafe { mbedtls_free(base) };
}

/// The parts of a set-up context.
struct Live<'a> {
    /// The algorithm.
    info: &'static MdInfo,
    /// The hash state.
    hash: &'a mut Hasher,
    /// The HMAC slot, if the context was set up for HMAC (`None` inside
    /// until `mbedtls_md_hmac_starts()`).
    hmac: Option<&'a mut Option<HmacState>>,
}

/// The descriptor of a set-up context: `None` for NULL, for a context that
/// was never set up, and for one whose `md_info` is not one of ours.
///
/// # Safety
///
/// `ctx` is NULL or points to a readable `mbedtls_md_context_t`.
unsafe fn info_of(ctx: *const mbedtls_md_context_t) -> Option<&'static MdInfo> {
    if ctx.is_null() {
        return None;
    }
    // SAFETY: non-NULL and readable per the contract.
    let info = MdInfo::from_ptr(unsafe { (*ctx).md_info })?;
    // SAFETY: as above.
    if unsafe { (*ctx).md_ctx }.is_null() {
        return None;
    }
    Some(info)
}

/// The state of a set-up context, or `None` (see [`info_of`]).
///
/// # Safety
///
/// `ctx` is NULL or points to an `mbedtls_md_context_t` that was
/// initialised (or zero-filled) and is used by no one else for `'a`.
unsafe fn live<'a>(ctx: *mut mbedtls_md_context_t) -> Option<Live<'a>> {
    // SAFETY: forwarded contract.
    let info = unsafe { info_of(ctx) }?;
    // SAFETY: info_of checked ctx and md_ctx; a context whose md_info is
    // one of ours was set up by mbedtls_md_setup, which stored a Hasher
    // block in md_ctx, and the caller gives us exclusive use.
    let hash = unsafe { &mut *state_in::<Hasher>((*ctx).md_ctx) };
    if hash.md_type() != info.ty {
        return None;
    }
    // SAFETY: ctx is valid (checked above).
    let hmac_base = unsafe { (*ctx).hmac_ctx };
    let hmac = if hmac_base.is_null() {
        None
    } else {
        // SAFETY: setup stored an Option<HmacState> block here; exclusive
        // per the contract.
        Some(unsafe { &mut *state_in::<Option<HmacState>>(hmac_base) })
    };
    Some(Live { info, hash, hmac })
}

/// Releases a context's blocks and resets it to all-bits-zero.
///
/// # Safety
///
/// `ctx` points to a writable `mbedtls_md_context_t` nobody else uses.
unsafe fn release(ctx: *mut mbedtls_md_context_t) {
    // SAFETY: valid per the contract.
    if unsafe { info_of(ctx) }.is_some() {
        // SAFETY: a context with one of our descriptors and a non-NULL
        // md_ctx was set up by mbedtls_md_setup, which allocated these
        // blocks with these types (hmac_ctx may be NULL).
        unsafe {
            free_state::<Hasher>((*ctx).md_ctx);
            free_state::<Option<HmacState>>((*ctx).hmac_ctx);
        }
    }
    // SAFETY: writable per the contract; all-zero is the init state.
    unsafe { core::ptr::write_bytes(ctx, 0, 1) };
}

// ---- Lookups ----------------------------------------------------------------

/// The supported algorithms in upstream's preference order, ending with
/// `MBEDTLS_MD_NONE`.
static MD_LIST: [c_int; 6] = [
    MdType::Sha512 as c_int,
    MdType::Sha384 as c_int,
    MdType::Sha256 as c_int,
    MdType::Sha224 as c_int,
    MdType::Sha1 as c_int,
    0,
];

/// The descriptor of an algorithm, or NULL if `md_type` is
/// `MBEDTLS_MD_NONE` or an algorithm this library does not provide (MD5,
/// RIPEMD-160, SHA-3). The pointer stays valid for the life of the program.
///
/// Thread safety: pure.
#[unsafe(no_mangle)]
pub extern "C" fn mbedtls_md_info_from_type(
    md_type: mbedtls_md_type_t,
) -> *const mbedtls_md_info_t {
    boundary(|| match MdInfo::from_type(md_type) {
        Some(info) => info.as_ptr(),
        None => core::ptr::null(),
    })
}

/// The digest length in bytes of an algorithm, or 0 if `md_info` is NULL
/// (or not a descriptor from this library).
///
/// Thread safety: pure.
#[unsafe(no_mangle)]
pub extern "C" fn mbedtls_md_get_size(md_info: *const mbedtls_md_info_t) -> c_uchar {
    // The boundary's fallback type is c_uint; every size fits a byte.
    let size: core::ffi::c_uint =
        boundary(|| MdInfo::from_ptr(md_info).map_or(0, |i| i.size as core::ffi::c_uint));
    size as c_uchar
}

/// The identifier of an algorithm, or `MBEDTLS_MD_NONE` if `md_info` is
/// NULL (or not a descriptor from this library).
///
/// Thread safety: pure.
#[unsafe(no_mangle)]
pub extern "C" fn mbedtls_md_get_type(md_info: *const mbedtls_md_info_t) -> mbedtls_md_type_t {
    boundary(|| MdInfo::from_ptr(md_info).map_or(0, |i| i.ty as mbedtls_md_type_t))
}

/// The algorithms this library provides, strongest first (SHA-512, SHA-384,
/// SHA-256, SHA-224, SHA-1), as a static array ending with
/// `MBEDTLS_MD_NONE` (0). Do not modify or free it.
///
/// Thread safety: pure.
#[unsafe(no_mangle)]
pub extern "C" fn mbedtls_md_list() -> *const c_int {
    boundary(|| MD_LIST.as_ptr())
}

/// The descriptor for an algorithm name: `"SHA1"` (or its alias `"SHA"`),
/// `"SHA224"`, `"SHA256"`, `"SHA384"`, `"SHA512"`; matched exactly
/// (case-sensitive). NULL for a NULL or unknown name, including the names
/// of algorithms this library does not provide.
///
/// Thread safety: pure.
///
/// # Safety
///
/// `md_name` is NULL or a NUL-terminated string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mbedtls_md_info_from_string(
    md_name: *const c_char,
) -> *const mbedtls_md_info_t {
    boundary(|| {
        // SAFETY: NULL or NUL-terminated per the contract.
        let Some(name) = (unsafe { try_cstr(md_name) }) else {
            return core::ptr::null();
        };
        match MdInfo::from_name(name) {
            Some(info) => info.as_ptr(),
            None => core::ptr::null(),
        }
    })
}

/// The canonical name of an algorithm (`"SHA256"` etc.; `"SHA1"` for
/// SHA-1), a static string, or NULL if `md_info` is NULL (or not a
/// descriptor from this library).
///
/// Thread safety: pure.
#[unsafe(no_mangle)]
pub extern "C" fn mbedtls_md_get_name(md_info: *const mbedtls_md_info_t) -> *const c_char {
    boundary(|| MdInfo::from_ptr(md_info).map_or(core::ptr::null(), |i| i.name.as_ptr()))
}

/// The descriptor a context was set up with, or NULL if `ctx` is NULL or
/// was not set up.
///
/// Thread safety: caller serialises.
///
/// # Safety
///
/// `ctx` is NULL or points to an initialised `mbedtls_md_context_t`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mbedtls_md_info_from_ctx(
    ctx: *const mbedtls_md_context_t,
) -> *const mbedtls_md_info_t {
    boundary(|| {
        // SAFETY: NULL or readable per the contract.
        match unsafe { info_of(ctx) } {
            Some(info) => info.as_ptr(),
            None => core::ptr::null(),
        }
    })
}

// ---- Context lifecycle and streaming hash -------------------------------------

/// Initialises a context to the "not set up" state (all-bits-zero). NULL is
/// ignored. Follow with `mbedtls_md_setup()`; release with
/// `mbedtls_md_free()`.
///
/// Thread safety: caller serialises.
///
/// # Safety
///
/// `ctx` is NULL or points to writable memory for an
/// `mbedtls_md_context_t`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mbedtls_md_init(ctx: *mut mbedtls_md_context_t) {
    boundary(|| {
        if !ctx.is_null() {
            // SAFETY: non-NULL and writable per the contract.
            unsafe { core::ptr::write_bytes(ctx, 0, 1) };
        }
    })
}

/// Releases the memory a context holds (wiped first, since it may hold an
/// HMAC key) and returns it to the "not set up" state. NULL, a context that
/// was only initialised, and a context already freed are accepted, so free
/// may be called any number of times.
///
/// Thread safety: caller serialises.
///
/// # Safety
///
/// `ctx` is NULL or points to an initialised (or zero-filled)
/// `mbedtls_md_context_t`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mbedtls_md_free(ctx: *mut mbedtls_md_context_t) {
    boundary(|| {
        if !ctx.is_null() {
            // SAFETY: non-NULL and initialised per the contract.
            unsafe { release(ctx) };
        }
    })
}

/// Sets a context up for an algorithm: allocates the hash state with
/// `mbedtls_calloc()`, and if `hmac` is non-zero also room for an HMAC key
/// (needed by the `mbedtls_md_hmac_*` functions). The hash is started.
///
/// A context that is already set up is freed first (upstream leaks its
/// memory instead). On failure the context is left not set up.
///
/// Returns 0, `MBEDTLS_ERR_MD_BAD_INPUT_DATA` if `ctx` is NULL or `md_info`
/// is not a descriptor from this library, or `MBEDTLS_ERR_MD_ALLOC_FAILED`.
///
/// Thread safety: caller serialises.
///
/// # Safety
///
/// `ctx` is NULL or points to an initialised `mbedtls_md_context_t`.
#[must_use]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mbedtls_md_setup(
    ctx: *mut mbedtls_md_context_t,
    md_info: *const mbedtls_md_info_t,
    hmac: c_int,
) -> c_int {
    boundary(|| {
        let Some(info) = MdInfo::from_ptr(md_info) else {
            return MBEDTLS_ERR_MD_BAD_INPUT_DATA;
        };
        if ctx.is_null() {
            return MBEDTLS_ERR_MD_BAD_INPUT_DATA;
        }
        // SAFETY: non-NULL and initialised per the contract.
        unsafe { release(ctx) };
        let Some(md_ctx) = alloc_state(Hasher::new(info.ty)) else {
            return MBEDTLS_ERR_MD_ALLOC_FAILED;
        };
        let mut hmac_ctx = core::ptr::null_mut();
        if hmac != 0 {
            match alloc_state::<Option<HmacState>>(None) {
                Some(p) => hmac_ctx = p,
                None => {
                    // SAFETY: md_ctx was just allocated for a Hasher.
                    unsafe { free_state::<Hasher>(md_ctx) };
                    return MBEDTLS_ERR_MD_ALLOC_FAILED;
                }
            }
        }
        // SAFETY: writable per the contract (released above, so nothing is
        // overwritten that still owned memory).
        unsafe {
            (*ctx).md_ctx = md_ctx;
            (*ctx).hmac_ctx = hmac_ctx;
            (*ctx).md_info = info.as_ptr();
        }
        0
    })
}

/// Copies the hash state of `src` into `dst`, both set up with the same
/// algorithm. The HMAC key of `dst` is not changed (only the plain hash
/// state is copied, as upstream does).
///
/// Returns 0, or `MBEDTLS_ERR_MD_BAD_INPUT_DATA` if either is NULL or not
/// set up, or the algorithms differ.
///
/// Thread safety: caller serialises (both contexts).
///
/// # Safety
///
/// Each pointer is NULL or points to an initialised
/// `mbedtls_md_context_t`.
#[must_use]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mbedtls_md_clone(
    dst: *mut mbedtls_md_context_t,
    src: *const mbedtls_md_context_t,
) -> c_int {
    boundary(|| {
        // SAFETY: NULL or initialised per the contract.
        let (Some(di), Some(si)) = (unsafe { info_of(dst) }, unsafe { info_of(src) }) else {
            return MBEDTLS_ERR_MD_BAD_INPUT_DATA;
        };
        if di.ty != si.ty {
            return MBEDTLS_ERR_MD_BAD_INPUT_DATA;
        }
        if core::ptr::eq(dst.cast_const(), src) {
            return 0;
        }
        // SAFETY: both are set up (info_of), so md_ctx holds a Hasher
        // block; they are different contexts, and setup allocates a block
        // per context, so the two states do not overlap.
        let (d, s) = unsafe {
            (
                &mut *state_in::<Hasher>((*dst).md_ctx),
                &*state_in::<Hasher>((*src).md_ctx),
            )
        };
        if d.md_type() != s.md_type() {
            return MBEDTLS_ERR_MD_BAD_INPUT_DATA;
        }
        d.clone_from(s);
        0
    })
}

/// Starts (or restarts) a hash computation on a set-up context.
///
/// Returns 0, or `MBEDTLS_ERR_MD_BAD_INPUT_DATA` if `ctx` is NULL or not
/// set up.
///
/// Thread safety: caller serialises.
///
/// # Safety
///
/// `ctx` is NULL or points to an initialised `mbedtls_md_context_t`.
#[must_use]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mbedtls_md_starts(ctx: *mut mbedtls_md_context_t) -> c_int {
    boundary(|| {
        // SAFETY: NULL or initialised per the contract.
        let Some(live) = (unsafe { live(ctx) }) else {
            return MBEDTLS_ERR_MD_BAD_INPUT_DATA;
        };
        live.hash.reset();
        0
    })
}

/// Feeds `ilen` bytes at `input` to the hash (`input` may be NULL if
/// `ilen` is 0).
///
/// Returns 0, or `MBEDTLS_ERR_MD_BAD_INPUT_DATA` if `ctx` is NULL or not
/// set up, or `input` is NULL with a non-zero `ilen`.
///
/// Thread safety: caller serialises.
///
/// # Safety
///
/// `ctx` is NULL or points to an initialised `mbedtls_md_context_t`;
/// `input` is NULL or points to `ilen` readable bytes.
#[must_use]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mbedtls_md_update(
    ctx: *mut mbedtls_md_context_t,
    input: *const c_uchar,
    ilen: usize,
) -> c_int {
    boundary(|| {
        // SAFETY: NULL or initialised per the contract.
        let Some(live) = (unsafe { live(ctx) }) else {
            return MBEDTLS_ERR_MD_BAD_INPUT_DATA;
        };
        // SAFETY: NULL or ilen readable bytes per the contract.
        let Some(data) = (unsafe { try_slice(input, ilen) }) else {
            return MBEDTLS_ERR_MD_BAD_INPUT_DATA;
        };
        live.hash.update(data);
        0
    })
}

/// Writes the digest (`mbedtls_md_get_size()` bytes) to `output` and
/// restarts the hash, so the context can be used again at once.
///
/// Returns 0, or `MBEDTLS_ERR_MD_BAD_INPUT_DATA` if `ctx` is NULL or not
/// set up, or `output` is NULL.
///
/// Thread safety: caller serialises.
///
/// # Safety
///
/// `ctx` is NULL or points to an initialised `mbedtls_md_context_t`;
/// `output` is NULL or has room for the digest.
#[must_use]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mbedtls_md_finish(
    ctx: *mut mbedtls_md_context_t,
    output: *mut c_uchar,
) -> c_int {
    boundary(|| {
        // SAFETY: NULL or initialised per the contract.
        let Some(live) = (unsafe { live(ctx) }) else {
            return MBEDTLS_ERR_MD_BAD_INPUT_DATA;
        };
        if output.is_null() {
            return MBEDTLS_ERR_MD_BAD_INPUT_DATA;
        }
        // SAFETY: non-NULL, with room for the digest per the contract.
        let Some(out) = (unsafe { try_slice_mut(output, live.info.size) }) else {
            return MBEDTLS_ERR_MD_BAD_INPUT_DATA;
        };
        live.hash.finish_into(out);
        0
    })
}

/// Hashes `ilen` bytes at `input` in one call and writes the digest to
/// `output`. Allocates nothing.
///
/// Returns 0, or `MBEDTLS_ERR_MD_BAD_INPUT_DATA` if `md_info` is not a
/// descriptor from this library, `output` is NULL, or `input` is NULL with
/// a non-zero `ilen`.
///
/// Thread safety: pure.
///
/// # Safety
///
/// `input` is NULL or points to `ilen` readable bytes; `output` is NULL or
/// has room for the digest.
#[must_use]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mbedtls_md(
    md_info: *const mbedtls_md_info_t,
    input: *const c_uchar,
    ilen: usize,
    output: *mut c_uchar,
) -> c_int {
    boundary(|| {
        let Some(info) = MdInfo::from_ptr(md_info) else {
            return MBEDTLS_ERR_MD_BAD_INPUT_DATA;
        };
        // SAFETY: NULL or ilen readable bytes per the contract.
        let Some(data) = (unsafe { try_slice(input, ilen) }) else {
            return MBEDTLS_ERR_MD_BAD_INPUT_DATA;
        };
        if output.is_null() {
            return MBEDTLS_ERR_MD_BAD_INPUT_DATA;
        }
        // SAFETY: non-NULL, with room for the digest per the contract.
        let Some(out) = (unsafe { try_slice_mut(output, info.size) }) else {
            return MBEDTLS_ERR_MD_BAD_INPUT_DATA;
        };
        Hasher::digest(info.ty, data, out);
        0
    })
}

/// Hashes the contents of the file at `path` and writes the digest to
/// `output` (written only on success).
///
/// Returns 0, `MBEDTLS_ERR_MD_BAD_INPUT_DATA` if `md_info` is not a
/// descriptor from this library or `path` or `output` is NULL, or
/// `MBEDTLS_ERR_MD_FILE_IO_ERROR` if the file cannot be opened or read.
///
/// Thread safety: pure.
///
/// # Safety
///
/// `path` is NULL or a NUL-terminated string; `output` is NULL or has room
/// for the digest.
#[cfg(mbedtls_fs_io)]
#[must_use]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mbedtls_md_file(
    md_info: *const mbedtls_md_info_t,
    path: *const c_char,
    output: *mut c_uchar,
) -> c_int {
    boundary(|| {
        let Some(info) = MdInfo::from_ptr(md_info) else {
            return MBEDTLS_ERR_MD_BAD_INPUT_DATA;
        };
        // SAFETY: NULL or NUL-terminated per the contract.
        let Some(path) = (unsafe { try_cstr(path) }) else {
            return MBEDTLS_ERR_MD_BAD_INPUT_DATA;
        };
        if output.is_null() {
            return MBEDTLS_ERR_MD_BAD_INPUT_DATA;
        }
        let mut digest = [0u8; MAX_SIZE];
        if super::hash_file(info.ty, path, &mut digest).is_err() {
            return MBEDTLS_ERR_MD_FILE_IO_ERROR;
        }
        // SAFETY: non-NULL, with room for the digest per the contract.
        let Some(out) = (unsafe { try_slice_mut(output, info.size) }) else {
            return MBEDTLS_ERR_MD_BAD_INPUT_DATA;
        };
        out.copy_from_slice(&digest[..info.size]);
        0
    })
}

// ---- HMAC ---------------------------------------------------------------------

/// Keys the HMAC of a context set up with `hmac != 0` and starts a MAC
/// computation. Any key length is accepted (keys longer than the block are
/// hashed first); `key` may be NULL if `keylen` is 0. Replaces any previous
/// key.
///
/// Returns 0, or `MBEDTLS_ERR_MD_BAD_INPUT_DATA` if `ctx` is NULL, not set
/// up, or set up without HMAC, or `key` is NULL with a non-zero `keylen`.
///
/// Thread safety: caller serialises.
///
/// # Safety
///
/// `ctx` is NULL or points to an initialised `mbedtls_md_context_t`; `key`
/// is NULL or points to `keylen` readable bytes.
#[must_use]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mbedtls_md_hmac_starts(
    ctx: *mut mbedtls_md_context_t,
    key: *const c_uchar,
    keylen: usize,
) -> c_int {
    boundary(|| {
        // SAFETY: NULL or initialised per the contract.
        let Some(Live {
            info,
            hmac: Some(slot),
            ..
        }) = (unsafe { live(ctx) })
        else {
            return MBEDTLS_ERR_MD_BAD_INPUT_DATA;
        };
        // SAFETY: NULL or keylen readable bytes per the contract.
        let Some(key) = (unsafe { try_slice(key, keylen) }) else {
            return MBEDTLS_ERR_MD_BAD_INPUT_DATA;
        };
        *slot = Some(HmacState::new(info.ty, key));
        0
    })
}

/// The keyed HMAC state of a context, or `None` if it is NULL, not set up,
/// set up without HMAC, or not keyed yet.
///
/// # Safety
///
/// As for [`live`].
unsafe fn keyed<'a>(ctx: *mut mbedtls_md_context_t) -> Option<&'a mut HmacState> {
    // SAFETY: forwarded contract.
    unsafe { live(ctx) }?.hmac?.as_mut()
}

/// Feeds `ilen` bytes at `input` to the MAC (`input` may be NULL if `ilen`
/// is 0).
///
/// Returns 0, or `MBEDTLS_ERR_MD_BAD_INPUT_DATA` if `ctx` is NULL, not set
/// up for HMAC, or not keyed with `mbedtls_md_hmac_starts()` (upstream
/// computes with an all-zero pad instead), or `input` is NULL with a
/// non-zero `ilen`.
///
/// Thread safety: caller serialises.
///
/// # Safety
///
/// `ctx` is NULL or points to an initialised `mbedtls_md_context_t`;
/// `input` is NULL or points to `ilen` readable bytes.
#[must_use]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mbedtls_md_hmac_update(
    ctx: *mut mbedtls_md_context_t,
    input: *const c_uchar,
    ilen: usize,
) -> c_int {
    boundary(|| {
        // SAFETY: NULL or initialised per the contract.
        let Some(mac) = (unsafe { keyed(ctx) }) else {
            return MBEDTLS_ERR_MD_BAD_INPUT_DATA;
        };
        // SAFETY: NULL or ilen readable bytes per the contract.
        let Some(data) = (unsafe { try_slice(input, ilen) }) else {
            return MBEDTLS_ERR_MD_BAD_INPUT_DATA;
        };
        mac.update(data);
        0
    })
}

/// Writes the MAC (`mbedtls_md_get_size()` bytes) to `output` and restarts
/// the MAC with the same key (as `mbedtls_md_hmac_reset()` would).
///
/// Returns 0, or `MBEDTLS_ERR_MD_BAD_INPUT_DATA` if `ctx` is NULL, not set
/// up for HMAC or not keyed, or `output` is NULL.
///
/// Thread safety: caller serialises.
///
/// # Safety
///
/// `ctx` is NULL or points to an initialised `mbedtls_md_context_t`;
/// `output` is NULL or has room for the MAC.
#[must_use]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mbedtls_md_hmac_finish(
    ctx: *mut mbedtls_md_context_t,
    output: *mut c_uchar,
) -> c_int {
    boundary(|| {
        // SAFETY: NULL or initialised per the contract.
        let Some(mac) = (unsafe { keyed(ctx) }) else {
            return MBEDTLS_ERR_MD_BAD_INPUT_DATA;
        };
        if output.is_null() {
            return MBEDTLS_ERR_MD_BAD_INPUT_DATA;
        }
        // SAFETY: non-NULL, with room for the MAC per the contract.
        let Some(out) = (unsafe { try_slice_mut(output, mac.size()) }) else {
            return MBEDTLS_ERR_MD_BAD_INPUT_DATA;
        };
        mac.finish_into(out);
        0
    })
}

/// Restarts the MAC with the key given to `mbedtls_md_hmac_starts()`,
/// discarding any data fed since.
///
/// Returns 0, or `MBEDTLS_ERR_MD_BAD_INPUT_DATA` if `ctx` is NULL, not set
/// up for HMAC, or not keyed.
///
/// Thread safety: caller serialises.
///
/// # Safety
///
/// `ctx` is NULL or points to an initialised `mbedtls_md_context_t`.
#[must_use]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mbedtls_md_hmac_reset(ctx: *mut mbedtls_md_context_t) -> c_int {
    boundary(|| {
        // SAFETY: NULL or initialised per the contract.
        let Some(mac) = (unsafe { keyed(ctx) }) else {
            return MBEDTLS_ERR_MD_BAD_INPUT_DATA;
        };
        mac.reset();
        0
    })
}

/// Computes the HMAC of `ilen` bytes at `input` under a `keylen`-byte key
/// in one call and writes it to `output`. Allocates nothing. `key` and
/// `input` may be NULL when their lengths are 0.
///
/// Returns 0, or `MBEDTLS_ERR_MD_BAD_INPUT_DATA` if `md_info` is not a
/// descriptor from this library, `output` is NULL, or `key` or `input` is
/// NULL with a non-zero length.
///
/// Thread safety: pure.
///
/// # Safety
///
/// `key` and `input` are NULL or point to `keylen` and `ilen` readable
/// bytes; `output` is NULL or has room for the MAC.
#[must_use]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mbedtls_md_hmac(
    md_info: *const mbedtls_md_info_t,
    key: *const c_uchar,
    keylen: usize,
    input: *const c_uchar,
    ilen: usize,
    output: *mut c_uchar,
) -> c_int {
    boundary(|| {
        let Some(info) = MdInfo::from_ptr(md_info) else {
            return MBEDTLS_ERR_MD_BAD_INPUT_DATA;
        };
        // SAFETY: NULL or readable for the lengths, per the contract.
        let (Some(key), Some(data)) = (unsafe { try_slice(key, keylen) }, unsafe {
            try_slice(input, ilen)
        }) else {
            return MBEDTLS_ERR_MD_BAD_INPUT_DATA;
        };
        if output.is_null() {
            return MBEDTLS_ERR_MD_BAD_INPUT_DATA;
        }
        // SAFETY: non-NULL, with room for the MAC per the contract.
        let Some(out) = (unsafe { try_slice_mut(output, info.size) }) else {
            return MBEDTLS_ERR_MD_BAD_INPUT_DATA;
        };
        let mut mac = HmacState::new(info.ty, key);
        mac.update(data);
        mac.finish_into(out);
        0
    })
}

// ---- Helpers of the sha*.h layers -------------------------------------------

/// Wipes a caller-allocated context struct.
///
/// # Safety
///
/// `ctx` points to a writable `C` that holds no Rust value needing a drop.
pub(crate) unsafe fn wipe_struct<C>(ctx: *mut C) {
    // SAFETY: writable for size_of::<C>() bytes per the contract.
    let bytes = unsafe { core::slice::from_raw_parts_mut(ctx.cast::<u8>(), size_of::<C>()) };
    bytes.zeroize();
}

/// Prints one self-test line as upstream does (`"  SHA-256 test #1:
/// passed"`), through the C library's stdout so that it interleaves with
/// the calling program's output. Prints nothing in firmware builds.
#[cfg(mbedtls_self_test)]
pub(crate) fn self_test_line(verbose: c_int, name: &core::ffi::CStr, number: usize, passed: bool) {
    if verbose == 0 {
        return;
    }
    #[cfg(feature = "std")]
    {
        let verdict = if passed { c"passed" } else { c"failed" };
        // SAFETY: a format with one %s, one %d and one %s, matched by two
        // NUL-terminated strings and a c_int.
        unsafe {
            libc::printf(
                c"  %s test #%d: %s\n".as_ptr(),
                name.as_ptr(),
                number as c_int,
                verdict.as_ptr(),
            );
        }
    }
    #[cfg(not(feature = "std"))]
    let _ = (name, number, passed);
}

/// Ends a verbose self-test with an empty line, as upstream does.
#[cfg(mbedtls_self_test)]
pub(crate) fn self_test_end(verbose: c_int) {
    #[cfg(feature = "std")]
    if verbose != 0 {
        // SAFETY: a format without conversions.
        unsafe { libc::printf(c"\n".as_ptr()) };
    }
    #[cfg(not(feature = "std"))]
    let _ = verbose;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::abi::md::MBEDTLS_ERR_MD_FILE_IO_ERROR;
    use core::ptr::{null, null_mut};

    const BAD: c_int = MBEDTLS_ERR_MD_BAD_INPUT_DATA;
    const TYPES: [(u32, usize, &core::ffi::CStr); 5] = [
        (0x05, 20, c"SHA1"),
        (0x08, 28, c"SHA224"),
        (0x09, 32, c"SHA256"),
        (0x0a, 48, c"SHA384"),
        (0x0b, 64, c"SHA512"),
    ];

    fn new_ctx() -> mbedtls_md_context_t {
        mbedtls_md_context_t {
            md_info: null(),
            md_ctx: null_mut(),
            hmac_ctx: null_mut(),
        }
    }

    fn info(ty: u32) -> *const mbedtls_md_info_t {
        let p = mbedtls_md_info_from_type(ty);
        assert!(!p.is_null());
        p
    }

    fn hex(b: &[u8]) -> String {
        b.iter().map(|x| format!("{x:02x}")).collect()
    }

    #[test]
    fn lookups() {
        for (ty, size, name) in TYPES {
            let i = info(ty);
            assert_eq!(usize::from(mbedtls_md_get_size(i)), size);
            assert_eq!(mbedtls_md_get_type(i), ty);
            // SAFETY: get_name returns a static NUL-terminated string.
            let got = unsafe { core::ffi::CStr::from_ptr(mbedtls_md_get_name(i)) };
            assert_eq!(got, name);
            // SAFETY: a NUL-terminated string.
            assert_eq!(unsafe { mbedtls_md_info_from_string(name.as_ptr()) }, i);
        }
        for ty in [0, 3, 4, 6, 7, 0x10, 0x13, 0xff, u32::MAX] {
            assert!(mbedtls_md_info_from_type(ty).is_null(), "type {ty}");
        }
        assert_eq!(mbedtls_md_get_size(null()), 0);
        assert_eq!(mbedtls_md_get_type(null()), 0);
        assert!(mbedtls_md_get_name(null()).is_null());
        let bogus = 0u64;
        let bogus = (&raw const bogus).cast::<mbedtls_md_info_t>();
        assert_eq!(mbedtls_md_get_size(bogus), 0, "a stray pointer is not read");
        assert!(mbedtls_md_get_name(bogus).is_null());
        // SAFETY: NULL and NUL-terminated strings.
        unsafe {
            assert_eq!(mbedtls_md_info_from_string(c"SHA".as_ptr()), info(0x05));
            for bad in [c"sha256", c"MD5", c"SHA3-256", c"", c"SHA256 "] {
                assert!(mbedtls_md_info_from_string(bad.as_ptr()).is_null());
            }
            assert!(mbedtls_md_info_from_string(null()).is_null());
        }
        let list = mbedtls_md_list();
        // SAFETY: a static array of 6 ints.
        let list = unsafe { core::slice::from_raw_parts(list, 6) };
        assert_eq!(list, [0x0b, 0x0a, 0x09, 0x08, 0x05, 0]);
        for (ty, info) in list.iter().zip(super::super::INFOS.iter()) {
            assert_eq!(*ty as u32, info.ty as u32, "list follows INFOS");
        }
    }

    #[test]
    fn null_and_unset_contexts_are_refused() {
        let mut out = [0u8; 64];
        let mut ctx = new_ctx();
        let c = &raw mut ctx;
        // SAFETY: NULL or a live local context; buffers of the right size.
        unsafe {
            mbedtls_md_init(null_mut());
            mbedtls_md_free(null_mut());
            mbedtls_md_init(c);
            assert!(mbedtls_md_info_from_ctx(c).is_null());
            assert!(mbedtls_md_info_from_ctx(null()).is_null());
            for ctx in [null_mut(), c] {
                assert_eq!(mbedtls_md_starts(ctx), BAD);
                assert_eq!(mbedtls_md_update(ctx, b"x".as_ptr(), 1), BAD);
                assert_eq!(mbedtls_md_finish(ctx, out.as_mut_ptr()), BAD);
                assert_eq!(mbedtls_md_hmac_starts(ctx, b"k".as_ptr(), 1), BAD);
                assert_eq!(mbedtls_md_hmac_update(ctx, b"x".as_ptr(), 1), BAD);
                assert_eq!(mbedtls_md_hmac_finish(ctx, out.as_mut_ptr()), BAD);
                assert_eq!(mbedtls_md_hmac_reset(ctx), BAD);
            }
            assert_eq!(mbedtls_md_setup(null_mut(), info(0x09), 0), BAD);
            assert_eq!(mbedtls_md_setup(c, null(), 0), BAD);
            let bogus = 0u64;
            assert_eq!(mbedtls_md_setup(c, (&raw const bogus).cast(), 0), BAD);
            assert!(ctx.md_ctx.is_null(), "a refused setup allocates nothing");
            // free after init, twice.
            mbedtls_md_free(c);
            mbedtls_md_free(c);
            assert!(ctx.md_info.is_null());
        }
    }

    #[test]
    fn streaming_matches_one_shot_and_restarts() {
        let data: Vec<u8> = (0..1000u32).map(|i| (i * 7 + 3) as u8).collect();
        for (ty, size, _) in TYPES {
            let mut one = [0u8; 64];
            let mut two = [0u8; 64];
            let mut ctx = new_ctx();
            let c = &raw mut ctx;
            // SAFETY: a live local context and buffers of the right sizes.
            unsafe {
                assert_eq!(
                    mbedtls_md(info(ty), data.as_ptr(), data.len(), one.as_mut_ptr()),
                    0
                );
                mbedtls_md_init(c);
                assert_eq!(mbedtls_md_setup(c, info(ty), 0), 0);
                assert_eq!(mbedtls_md_info_from_ctx(c), info(ty));
                assert_eq!(mbedtls_md_starts(c), 0);
                assert_eq!(mbedtls_md_update(c, data.as_ptr(), 1), 0);
                assert_eq!(mbedtls_md_update(c, null(), 0), 0);
                assert_eq!(mbedtls_md_update(c, data[1..].as_ptr(), data.len() - 1), 0);
                assert_eq!(mbedtls_md_finish(c, two.as_mut_ptr()), 0);
                assert_eq!(one[..size], two[..size]);
                assert!(
                    two[size..].iter().all(|&b| b == 0),
                    "writes only the digest"
                );
                // finish restarted the hash: the same data gives the same digest.
                assert_eq!(mbedtls_md_update(c, data.as_ptr(), data.len()), 0);
                assert_eq!(mbedtls_md_finish(c, two.as_mut_ptr()), 0);
                assert_eq!(one[..size], two[..size]);
                // starts discards fed data.
                assert_eq!(mbedtls_md_update(c, b"junk".as_ptr(), 4), 0);
                assert_eq!(mbedtls_md_starts(c), 0);
                assert_eq!(mbedtls_md_update(c, data.as_ptr(), data.len()), 0);
                assert_eq!(mbedtls_md_finish(c, two.as_mut_ptr()), 0);
                assert_eq!(one[..size], two[..size]);
                assert_eq!(mbedtls_md_update(c, null(), 1), BAD);
                assert_eq!(mbedtls_md_finish(c, null_mut()), BAD);
                // setup again without free: the old state is released.
                assert_eq!(mbedtls_md_setup(c, info(0x09), 1), 0);
                assert_eq!(mbedtls_md_info_from_ctx(c), info(0x09));
                assert!(!ctx.hmac_ctx.is_null());
                mbedtls_md_free(c);
                assert!(ctx.md_info.is_null() && ctx.md_ctx.is_null() && ctx.hmac_ctx.is_null());
                mbedtls_md_free(c);
                assert_eq!(mbedtls_md_starts(c), BAD, "free leaves the init state");
            }
        }
    }

    #[test]
    fn one_shot_argument_checks() {
        let mut out = [0u8; 64];
        // SAFETY: NULLs, and buffers of the right sizes.
        unsafe {
            assert_eq!(
                mbedtls_md(null(), b"abc".as_ptr(), 3, out.as_mut_ptr()),
                BAD
            );
            assert_eq!(mbedtls_md(info(0x09), null(), 3, out.as_mut_ptr()), BAD);
            assert_eq!(mbedtls_md(info(0x09), b"abc".as_ptr(), 3, null_mut()), BAD);
            assert_eq!(mbedtls_md(info(0x09), null(), 0, out.as_mut_ptr()), 0);
            assert_eq!(
                hex(&out[..32]),
                "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
            );
            let k = b"key";
            assert_eq!(
                mbedtls_md_hmac(null(), k.as_ptr(), 3, null(), 0, out.as_mut_ptr()),
                BAD
            );
            assert_eq!(
                mbedtls_md_hmac(info(0x09), null(), 3, null(), 0, out.as_mut_ptr()),
                BAD
            );
            assert_eq!(
                mbedtls_md_hmac(info(0x09), k.as_ptr(), 3, null(), 1, out.as_mut_ptr()),
                BAD
            );
            assert_eq!(
                mbedtls_md_hmac(info(0x09), k.as_ptr(), 3, null(), 0, null_mut()),
                BAD
            );
            assert_eq!(
                mbedtls_md_hmac(info(0x09), null(), 0, null(), 0, out.as_mut_ptr()),
                0
            );
            // HMAC-SHA256 with an empty key and message (computed elsewhere,
            // e.g. Python's hmac module).
            assert_eq!(
                hex(&out[..32]),
                "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad"
            );
        }
    }

    #[test]
    fn hmac_needs_an_hmac_context_and_a_key() {
        let mut out = [0u8; 64];
        let mut expect = [0u8; 64];
        let mut ctx = new_ctx();
        let c = &raw mut ctx;
        // SAFETY: a live local context and buffers of the right sizes.
        unsafe {
            mbedtls_md_init(c);
            assert_eq!(mbedtls_md_setup(c, info(0x0a), 0), 0);
            assert_eq!(
                mbedtls_md_hmac_starts(c, b"k".as_ptr(), 1),
                BAD,
                "no HMAC room"
            );
            assert_eq!(mbedtls_md_hmac_reset(c), BAD);
            assert_eq!(mbedtls_md_setup(c, info(0x0a), 1), 0);
            assert_eq!(
                mbedtls_md_hmac_update(c, b"x".as_ptr(), 1),
                BAD,
                "not keyed"
            );
            assert_eq!(mbedtls_md_hmac_finish(c, out.as_mut_ptr()), BAD);
            assert_eq!(mbedtls_md_hmac_reset(c), BAD);
            assert_eq!(mbedtls_md_hmac_starts(c, null(), 1), BAD);
            let key = [0x5au8; 200]; // longer than the block: hashed first
            assert_eq!(mbedtls_md_hmac_starts(c, key.as_ptr(), key.len()), 0);
            assert_eq!(mbedtls_md_hmac_update(c, b"message".as_ptr(), 7), 0);
            assert_eq!(mbedtls_md_hmac_update(c, null(), 1), BAD);
            assert_eq!(mbedtls_md_hmac_finish(c, null_mut()), BAD);
            assert_eq!(mbedtls_md_hmac_finish(c, out.as_mut_ptr()), 0);
            assert_eq!(
                mbedtls_md_hmac(
                    info(0x0a),
                    key.as_ptr(),
                    200,
                    b"message".as_ptr(),
                    7,
                    expect.as_mut_ptr()
                ),
                0
            );
            assert_eq!(out, expect);
            // reset discards data; finish also restarts with the key.
            assert_eq!(mbedtls_md_hmac_update(c, b"junk".as_ptr(), 4), 0);
            assert_eq!(mbedtls_md_hmac_reset(c), 0);
            assert_eq!(mbedtls_md_hmac_update(c, b"message".as_ptr(), 7), 0);
            out = [0; 64];
            assert_eq!(mbedtls_md_hmac_finish(c, out.as_mut_ptr()), 0);
            assert_eq!(out, expect);
            // The plain hash is independent of the HMAC.
            assert_eq!(mbedtls_md_starts(c), 0);
            assert_eq!(mbedtls_md_update(c, b"abc".as_ptr(), 3), 0);
            assert_eq!(mbedtls_md_finish(c, out.as_mut_ptr()), 0);
            assert_eq!(hex(&out[..4]), "cb00753f");
            mbedtls_md_free(c);
            assert_eq!(mbedtls_md_hmac_reset(c), BAD);
        }
    }

    #[test]
    fn clone_copies_the_hash_state_of_the_same_algorithm() {
        let (mut a, mut b, mut d) = (new_ctx(), new_ctx(), new_ctx());
        let (pa, pb, pd) = (&raw mut a, &raw mut b, &raw mut d);
        let (mut x, mut y) = ([0u8; 32], [0u8; 32]);
        // SAFETY: live local contexts and buffers of the right sizes.
        unsafe {
            assert_eq!(mbedtls_md_clone(pa, pb), BAD, "neither set up");
            assert_eq!(mbedtls_md_setup(pa, info(0x09), 1), 0);
            assert_eq!(mbedtls_md_clone(pb, pa), BAD, "dst not set up");
            assert_eq!(mbedtls_md_clone(pa, pb), BAD, "src not set up");
            assert_eq!(mbedtls_md_clone(null_mut(), pa), BAD);
            assert_eq!(mbedtls_md_clone(pa, null()), BAD);
            assert_eq!(mbedtls_md_setup(pb, info(0x09), 0), 0);
            assert_eq!(mbedtls_md_setup(pd, info(0x08), 0), 0);
            assert_eq!(mbedtls_md_clone(pd, pa), BAD, "different algorithms");
            assert_eq!(mbedtls_md_starts(pa), 0);
            assert_eq!(mbedtls_md_update(pa, b"ab".as_ptr(), 2), 0);
            assert_eq!(mbedtls_md_clone(pb, pa), 0);
            assert_eq!(mbedtls_md_clone(pa, pa), 0, "self-clone is a no-op");
            assert_eq!(mbedtls_md_update(pa, b"c".as_ptr(), 1), 0);
            assert_eq!(mbedtls_md_update(pb, b"c".as_ptr(), 1), 0);
            assert_eq!(mbedtls_md_finish(pa, x.as_mut_ptr()), 0);
            assert_eq!(mbedtls_md_finish(pb, y.as_mut_ptr()), 0);
            assert_eq!(x, y);
            assert_eq!(
                hex(&x),
                "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
            );
            assert!(b.hmac_ctx.is_null(), "the HMAC part is not cloned");
            for p in [pa, pb, pd] {
                mbedtls_md_free(p);
            }
        }
    }

    #[test]
    #[cfg_attr(miri, ignore)]
    fn md_file_hashes_files_and_reports_io_errors() {
        let dir = std::env::temp_dir().join(format!("mbedcrypto-md-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("data.bin");
        let data: Vec<u8> = (0..10_000u32).map(|i| (i % 251) as u8).collect();
        std::fs::write(&path, &data).unwrap();
        let cpath = std::ffi::CString::new(path.to_str().unwrap()).unwrap();
        let missing = std::ffi::CString::new(dir.join("missing").to_str().unwrap()).unwrap();
        let cdir = std::ffi::CString::new(dir.to_str().unwrap()).unwrap();
        let (mut got, mut want) = ([0u8; 64], [0u8; 64]);
        // SAFETY: NUL-terminated paths and buffers of the right sizes.
        unsafe {
            for (ty, size, _) in TYPES {
                got = [0; 64];
                assert_eq!(
                    mbedtls_md_file(info(ty), cpath.as_ptr(), got.as_mut_ptr()),
                    0
                );
                assert_eq!(
                    mbedtls_md(info(ty), data.as_ptr(), data.len(), want.as_mut_ptr()),
                    0
                );
                assert_eq!(got[..size], want[..size]);
            }
            let mut untouched = [0xeeu8; 64];
            let out = untouched.as_mut_ptr();
            assert_eq!(
                mbedtls_md_file(info(0x09), missing.as_ptr(), out),
                MBEDTLS_ERR_MD_FILE_IO_ERROR
            );
            assert_eq!(
                mbedtls_md_file(info(0x09), cdir.as_ptr(), out),
                MBEDTLS_ERR_MD_FILE_IO_ERROR
            );
            assert!(untouched.iter().all(|&b| b == 0xee), "no output on failure");
            assert_eq!(
                mbedtls_md_file(null(), cpath.as_ptr(), got.as_mut_ptr()),
                BAD
            );
            assert_eq!(mbedtls_md_file(info(0x09), null(), got.as_mut_ptr()), BAD);
            assert_eq!(mbedtls_md_file(info(0x09), cpath.as_ptr(), null_mut()), BAD);
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn blocks_are_aligned_inside_weakly_aligned_allocations() {
        // The placement arithmetic, for every base address residue.
        for base in 0x1000usize..0x1020 {
            let p = state_in::<HmacState>(core::ptr::without_provenance_mut(base));
            assert_eq!(p.addr() % align_of::<HmacState>(), 0);
            assert!(p.addr() - base + size_of::<HmacState>() <= block_size::<HmacState>());
        }
    }
}
