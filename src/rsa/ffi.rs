//! The C surface of rsa.h: all 35 functions.
//!
//! The key's integers live in the C struct's mpis, as upstream. Operations
//! run on an immutable [`KeyState`] built from them (by `complete`,
//! `gen_key`, `copy`, or the first operation after an import), held as an
//! `Arc` behind the context's `key` member:
//!
//! - Taking a reference is lock-free: a thread counts itself in `readers`,
//!   loads the pointer, adds a reference and counts itself out. Whoever
//!   replaces the pointer (an import, `complete`, `free`) drops the old
//!   reference only once `readers` is zero, so a racing reader never sees
//!   freed memory, and an operation in flight keeps its own reference.
//! - Public operations take no lock at all.
//! - Private operations lock the context's mutex only to take a blinding
//!   pair from the pool and to put the next one back; the exponentiations
//!   and the caller's RNG run unlocked (so an RNG that re-enters this
//!   context, or a DRBG that is busy on this thread, cannot deadlock).
//! - `free` closes the context, waits for threads inside the mutex, and
//!   wipes; operations already past their lock finish on their reference.
//!
//! Upstream's `RN`, `RP`, `RQ`, `Vi`, `Vf` caches are not used (they stay
//! empty).

// Parameters keep upstream's names (N, P, Q, D, E, ...).
#![allow(non_snake_case)]

use alloc::boxed::Box;
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::ffi::{c_int, c_uchar, c_uint, c_void};
use core::sync::atomic::{AtomicI32, AtomicPtr, AtomicU32, AtomicUsize, Ordering};

use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use super::padding::{self, PadError, SALT_LEN_ANY};
use super::{Blinding, Components, KeyState, RsaError, RsaResult};
use crate::abi::bignum::mbedtls_mpi;
use crate::abi::md::mbedtls_md_type_t;
use crate::abi::rsa::{
    MBEDTLS_ERR_RSA_BAD_INPUT_DATA, MBEDTLS_ERR_RSA_INVALID_PADDING,
    MBEDTLS_ERR_RSA_KEY_CHECK_FAILED, MBEDTLS_ERR_RSA_KEY_GEN_FAILED,
    MBEDTLS_ERR_RSA_OUTPUT_TOO_LARGE, MBEDTLS_ERR_RSA_PRIVATE_FAILED,
    MBEDTLS_ERR_RSA_PUBLIC_FAILED, MBEDTLS_ERR_RSA_RNG_FAILED, MBEDTLS_ERR_RSA_VERIFY_FAILED,
    MBEDTLS_RSA_GEN_KEY_MIN_BITS, MBEDTLS_RSA_PKCS_V15, MBEDTLS_RSA_PKCS_V21, mbedtls_rsa_context,
};
use crate::bignum::ffi::{code as mpi_code, load, store, with_rng};
use crate::bignum::{Mpi, MpiError};
use crate::ffi::{boundary, try_slice, try_slice_mut};
use crate::md::{MdInfo, MdType};
use crate::threading::ctx::{CtxLock, EnterError};

/// The C RNG callback.
type FRng = unsafe extern "C" fn(*mut c_void, *mut c_uchar, usize) -> c_int;

/// Blinding pairs kept for later operations, at most.
const POOL_MAX: usize = 8;

/// A blinding pair and the key it belongs to.
struct Pooled {
    key: Arc<KeyState>,
    pair: Blinding,
}

/// The pool behind the context's `pool` member.
type Pool = Vec<Pooled>;

/// The lock over a context's guard words and mutex.
///
/// # Safety
///
/// `ctx` is non-NULL and points to a context that stays allocated for `'a`.
unsafe fn ctx_lock<'a>(ctx: *mut mbedtls_rsa_context) -> CtxLock<'a> {
    // SAFETY: the guard words are valid, aligned u32s for 'a (caller).
    let state = unsafe { AtomicU32::from_ptr(&raw mut (*ctx).guard_state) };
    // SAFETY: as above.
    let holder = unsafe { AtomicU32::from_ptr(&raw mut (*ctx).guard_holder) };
    #[cfg(mbedtls_threading_c)]
    // SAFETY: the mutex member lives as long as the context and is only
    // used through this lock protocol.
    return unsafe { CtxLock::new(state, holder, &raw mut (*ctx).mutex) };
    #[cfg(not(mbedtls_threading_c))]
    CtxLock::new(state, holder)
}

/// The context's `readers` counter.
///
/// # Safety
///
/// `ctx` is a valid context for `'a`.
unsafe fn readers<'a>(ctx: *mut mbedtls_rsa_context) -> &'a AtomicU32 {
    // SAFETY: an aligned u32 member, only accessed atomically.
    unsafe { AtomicU32::from_ptr(&raw mut (*ctx).readers) }
}

/// The context's `key` member as an atomic pointer.
///
/// # Safety
///
/// `ctx` is a valid context for `'a`.
unsafe fn key_slot<'a>(ctx: *mut mbedtls_rsa_context) -> &'a AtomicPtr<KeyState> {
    // SAFETY: an aligned pointer member, only accessed atomically.
    unsafe { AtomicPtr::from_ptr((&raw mut (*ctx).key).cast::<*mut KeyState>()) }
}

/// The context's mpi members N, E, D, P, Q, DP, DQ, QP, RN, RP, RQ, Vi,
/// Vf, by index in that order: they are declared one after another with
/// the same type (each position is checked at compile time below), so one
/// loop reaches them all.
///
/// # Safety
///
/// `ctx` is a valid context and `i < MPIS`.
unsafe fn mpi_at(ctx: *const mbedtls_rsa_context, i: usize) -> *mut mbedtls_mpi {
    use core::mem::offset_of;
    // Every member at its index, in this order (the loads and stores of
    // the components rely on N, E, D, P, Q, DP, DQ, QP coming first).
    const {
        let offsets: [usize; MPIS] = [
            offset_of!(mbedtls_rsa_context, N),
            offset_of!(mbedtls_rsa_context, E),
            offset_of!(mbedtls_rsa_context, D),
            offset_of!(mbedtls_rsa_context, P),
            offset_of!(mbedtls_rsa_context, Q),
            offset_of!(mbedtls_rsa_context, DP),
            offset_of!(mbedtls_rsa_context, DQ),
            offset_of!(mbedtls_rsa_context, QP),
            offset_of!(mbedtls_rsa_context, RN),
            offset_of!(mbedtls_rsa_context, RP),
            offset_of!(mbedtls_rsa_context, RQ),
            offset_of!(mbedtls_rsa_context, Vi),
            offset_of!(mbedtls_rsa_context, Vf),
        ];
        let mut i = 0;
        while i < MPIS {
            assert!(offsets[i] == offsets[0] + i * size_of::<mbedtls_mpi>());
            i += 1;
        }
    };
    // SAFETY: within the context (caller): the i-th of the consecutive
    // mpi members, reached from the context's own pointer.
    unsafe {
        ctx.cast::<u8>()
            .add(offset_of!(mbedtls_rsa_context, N))
            .cast::<mbedtls_mpi>()
            .add(i)
            .cast_mut()
    }
}

/// The number of mpi members from N to Vf.
const MPIS: usize = 13;

/// A reference to the context's key state, if it has one (lock-free).
///
/// # Safety
///
/// `ctx` is a valid context.
unsafe fn key_ref(ctx: *mut mbedtls_rsa_context) -> Option<Arc<KeyState>> {
    // SAFETY: valid context (caller).
    let (count, slot) = unsafe { (readers(ctx), key_slot(ctx)) };
    count.fetch_add(1, Ordering::SeqCst);
    let p = slot.load(Ordering::SeqCst);
    let key = if p.is_null() {
        None
    } else {
        // SAFETY: p came from Arc::into_raw and the context still owns its
        // reference: a writer that swapped it out waits for `readers` to
        // reach zero before dropping it, and we are counted in.
        unsafe {
            Arc::increment_strong_count(p);
            Some(Arc::from_raw(p))
        }
    };
    count.fetch_sub(1, Ordering::SeqCst);
    key
}

/// Makes `key` the context's key state and releases the previous one once
/// no reader is between loading it and taking a reference.
///
/// # Safety
///
/// `ctx` is a valid context.
unsafe fn publish(ctx: *mut mbedtls_rsa_context, key: Option<Arc<KeyState>>) {
    // SAFETY: valid context (caller).
    let (count, slot) = unsafe { (readers(ctx), key_slot(ctx)) };
    let new = key.map_or(core::ptr::null_mut(), |k| Arc::into_raw(k).cast_mut());
    let old = slot.swap(new, Ordering::SeqCst);
    if old.is_null() {
        return;
    }
    while count.load(Ordering::SeqCst) != 0 {
        #[cfg(feature = "std")]
        std::thread::yield_now();
        #[cfg(not(feature = "std"))]
        core::hint::spin_loop();
    }
    // SAFETY: `old` was the context's own reference, now unreachable from
    // the context, and no reader is still about to take it.
    drop(unsafe { Arc::from_raw(old) });
}

/// Reads the context's mpis.
///
/// # Safety
///
/// `ctx` is a valid context.
unsafe fn components(ctx: *const mbedtls_rsa_context) -> Result<Components, MpiError> {
    // One loop rather than eight calls, each with its own unwinding of
    // the values loaded before it (smaller firmware code).
    let mut v: [Mpi; 8] = core::array::from_fn(|_| Mpi::zero());
    for (i, x) in v.iter_mut().enumerate() {
        // SAFETY: N to QP are the first eight, valid mpis (caller).
        *x = unsafe { load(mpi_at(ctx, i)) }?;
    }
    let [n, e, d, p, q, dp, dq, qp] = v;
    Ok(Components {
        n,
        e,
        d,
        p,
        q,
        dp,
        dq,
        qp,
    })
}

/// Writes the context's mpis.
///
/// # Safety
///
/// `ctx` is a valid context.
unsafe fn store_components(ctx: *mut mbedtls_rsa_context, c: &Components) -> Result<(), MpiError> {
    let values = [&c.n, &c.e, &c.d, &c.p, &c.q, &c.dp, &c.dq, &c.qp];
    for (i, v) in values.into_iter().enumerate() {
        // SAFETY: N to QP are the first eight, valid mpis (caller).
        unsafe { store(mpi_at(ctx, i), v) }?;
    }
    Ok(())
}

/// The stored modulus length.
///
/// # Safety
///
/// `ctx` is a valid context.
unsafe fn ctx_len(ctx: *const mbedtls_rsa_context) -> usize {
    // SAFETY: an aligned usize member, accessed atomically.
    unsafe { AtomicUsize::from_ptr((&raw const (*ctx).len).cast_mut()) }.load(Ordering::Relaxed)
}

/// Sets the stored modulus length.
///
/// # Safety
///
/// `ctx` is a valid context.
unsafe fn set_len(ctx: *mut mbedtls_rsa_context, len: usize) {
    // SAFETY: as in `ctx_len`.
    unsafe { AtomicUsize::from_ptr(&raw mut (*ctx).len) }.store(len, Ordering::Relaxed)
}

/// The stored padding mode and hash id.
///
/// # Safety
///
/// `ctx` is a valid context.
unsafe fn settings(ctx: *const mbedtls_rsa_context) -> (c_int, c_int) {
    // SAFETY: aligned int members, accessed atomically.
    unsafe {
        (
            AtomicI32::from_ptr((&raw const (*ctx).padding).cast_mut()).load(Ordering::Relaxed),
            AtomicI32::from_ptr((&raw const (*ctx).hash_id).cast_mut()).load(Ordering::Relaxed),
        )
    }
}

/// The key state for an operation: the published one, or one built now
/// from the mpis (after an import, or fields written directly). Building
/// reads the mpis under the context's mutex, so it never races `free`;
/// a freed context has no key (`MBEDTLS_ERR_RSA_BAD_INPUT_DATA`).
///
/// # Safety
///
/// `ctx` is a valid context.
unsafe fn current_key(ctx: *mut mbedtls_rsa_context) -> Result<Arc<KeyState>, c_int> {
    // SAFETY: valid context (caller).
    if let Some(k) = unsafe { key_ref(ctx) } {
        return Ok(k);
    }
    // SAFETY: as above.
    let lock = unsafe { ctx_lock(ctx) };
    let held = match lock.enter() {
        Ok(h) => h,
        Err(EnterError::NotLive) => return Err(MBEDTLS_ERR_RSA_BAD_INPUT_DATA),
        Err(e) => return Err(e.code(MBEDTLS_ERR_RSA_BAD_INPUT_DATA)),
    };
    let built = (|| {
        // SAFETY: as above; another thread may have built it meanwhile.
        if let Some(k) = unsafe { key_ref(ctx) } {
            return Ok(k);
        }
        // SAFETY: as above; free cannot run while we hold the mutex.
        let c = unsafe { components(ctx) }.map_err(|_| MBEDTLS_ERR_RSA_BAD_INPUT_DATA)?;
        // SAFETY: as above.
        let key = KeyState::new(&c, unsafe { ctx_len(ctx) })
            .map_err(|_| MBEDTLS_ERR_RSA_BAD_INPUT_DATA)?;
        // SAFETY: as above.
        unsafe { publish(ctx, Some(key.clone())) };
        Ok(key)
    })();
    match held.unlock() {
        0 => built,
        e => Err(e),
    }
}

/// The C code of a bignum error added to `high`.
fn combine(high: c_int, e: MpiError) -> c_int {
    match e {
        MpiError::Rng(c) if !(-0x7f..0).contains(&c) => c,
        other => high + mpi_code(other),
    }
}

/// The C code of an RSA error from an operation whose low-level failures
/// are reported as `high` + the low-level code.
fn op_code(high: c_int, e: RsaError) -> c_int {
    match e {
        RsaError::BadInput => MBEDTLS_ERR_RSA_BAD_INPUT_DATA,
        RsaError::KeyCheck => MBEDTLS_ERR_RSA_KEY_CHECK_FAILED,
        RsaError::Verify => MBEDTLS_ERR_RSA_VERIFY_FAILED,
        RsaError::Mpi(m) => combine(high, m),
    }
}

/// The C code of a padding error.
fn pad_code(e: PadError) -> c_int {
    match e {
        PadError::BadInput => MBEDTLS_ERR_RSA_BAD_INPUT_DATA,
        PadError::InvalidPadding => MBEDTLS_ERR_RSA_INVALID_PADDING,
        PadError::VerifyFailed => MBEDTLS_ERR_RSA_VERIFY_FAILED,
        PadError::OutputTooLarge => MBEDTLS_ERR_RSA_OUTPUT_TOO_LARGE,
        PadError::Rng(c) => MBEDTLS_ERR_RSA_RNG_FAILED + c,
        PadError::NoMemory => crate::abi::bignum::MBEDTLS_ERR_MPI_ALLOC_FAILED,
    }
}

/// A zeroed buffer of `len` bytes for an encoded message or an operation's
/// input or output, wiped when dropped. On the heap where upstream uses
/// arrays of `MBEDTLS_MPI_MAX_SIZE` (1 KB) on the stack: with up to four
/// of them in one call that is more stack than a firmware task should
/// give to RSA. `MBEDTLS_ERR_MPI_ALLOC_FAILED` (upstream's code when its
/// own buffers cannot be allocated) if there is no memory.
fn scratch(len: usize) -> Result<Zeroizing<Vec<u8>>, c_int> {
    let mut v = Vec::new();
    v.try_reserve_exact(len)
        .map_err(|_| crate::abi::bignum::MBEDTLS_ERR_MPI_ALLOC_FAILED)?;
    v.resize(len, 0);
    Ok(Zeroizing::new(v))
}

/// The hash for an `mbedtls_md_type_t` value: `Ok(None)` for NONE, `Err`
/// for one this build lacks.
fn md_of(ty: c_int) -> Result<Option<MdType>, ()> {
    if ty == 0 {
        return Ok(None);
    }
    MdInfo::from_type(ty as u32).map(|i| Some(i.ty)).ok_or(())
}

/// Initialises a context: no key, PKCS#1 v1.5, no hash, mutex initialised,
/// `ver` 1. NULL is ignored.
///
/// Thread safety: caller serialises (nobody else may use the context yet).
///
/// # Safety
///
/// `ctx` is NULL or points to writable memory for a context.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mbedtls_rsa_init(ctx: *mut mbedtls_rsa_context) {
    boundary(|| {
        if ctx.is_null() {
            return;
        }
        // SAFETY: writable memory for a context (caller); all-zero is the
        // empty state of every member (mpis with no limbs need s = 1,
        // which `mbedtls_mpi_init`'s layout gives below).
        unsafe {
            core::ptr::write_bytes(ctx, 0, 1);
            for i in 0..MPIS {
                crate::bignum::ffi::mbedtls_mpi_init(mpi_at(ctx, i));
            }
            (*ctx).padding = MBEDTLS_RSA_PKCS_V15;
            (*ctx).hash_id = 0;
            let _ = ctx_lock(ctx).start();
            (*ctx).ver = 1;
        }
    })
}

/// Sets the padding mode (`MBEDTLS_RSA_PKCS_V15` or `MBEDTLS_RSA_PKCS_V21`)
/// and the hash of OAEP/PSS/MGF1. `MBEDTLS_ERR_RSA_INVALID_PADDING` for
/// another mode, or for V21 with a hash this build lacks.
///
/// Thread safety: lock-free (the two settings are written atomically).
///
/// # Safety
///
/// `ctx` is NULL or a valid context.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mbedtls_rsa_set_padding(
    ctx: *mut mbedtls_rsa_context,
    padding: c_int,
    hash_id: mbedtls_md_type_t,
) -> c_int {
    boundary(|| {
        if ctx.is_null() {
            return MBEDTLS_ERR_RSA_BAD_INPUT_DATA;
        }
        if padding != MBEDTLS_RSA_PKCS_V15 && padding != MBEDTLS_RSA_PKCS_V21 {
            return MBEDTLS_ERR_RSA_INVALID_PADDING;
        }
        if padding == MBEDTLS_RSA_PKCS_V21 && hash_id != 0 && MdInfo::from_type(hash_id).is_none() {
            return MBEDTLS_ERR_RSA_INVALID_PADDING;
        }
        // SAFETY: aligned int members, accessed atomically.
        unsafe {
            AtomicI32::from_ptr(&raw mut (*ctx).padding).store(padding, Ordering::Relaxed);
            AtomicI32::from_ptr(&raw mut (*ctx).hash_id).store(hash_id as c_int, Ordering::Relaxed);
        }
        0
    })
}

/// The padding mode (`MBEDTLS_RSA_PKCS_V15` for NULL).
///
/// Thread safety: lock-free.
///
/// # Safety
///
/// `ctx` is NULL or a valid context.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mbedtls_rsa_get_padding_mode(ctx: *const mbedtls_rsa_context) -> c_int {
    boundary(|| {
        if ctx.is_null() {
            return MBEDTLS_RSA_PKCS_V15;
        }
        // SAFETY: valid context (caller).
        unsafe { settings(ctx) }.0
    })
}

/// The hash id (`MBEDTLS_MD_NONE` for NULL).
///
/// Thread safety: lock-free.
///
/// # Safety
///
/// `ctx` is NULL or a valid context.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mbedtls_rsa_get_md_alg(ctx: *const mbedtls_rsa_context) -> c_int {
    boundary(|| {
        if ctx.is_null() {
            return 0;
        }
        // SAFETY: valid context (caller).
        unsafe { settings(ctx) }.1
    })
}

/// Copies the given components (NULL: keep) into the context, without any
/// check; `len` follows N. Call `mbedtls_rsa_complete` next.
/// `MBEDTLS_ERR_RSA_BAD_INPUT_DATA` + the bignum code on failure.
///
/// Thread safety: caller serialises (no operation may run on the context).
///
/// # Safety
///
/// `ctx` is NULL or a valid context; each component is NULL or a valid mpi.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mbedtls_rsa_import(
    ctx: *mut mbedtls_rsa_context,
    N: *const mbedtls_mpi,
    P: *const mbedtls_mpi,
    Q: *const mbedtls_mpi,
    D: *const mbedtls_mpi,
    E: *const mbedtls_mpi,
) -> c_int {
    boundary(|| {
        if ctx.is_null() {
            return MBEDTLS_ERR_RSA_BAD_INPUT_DATA;
        }
        // SAFETY: valid context and mpis (caller).
        let r = unsafe {
            (|| -> Result<(), MpiError> {
                for (dst, src) in [
                    (&raw mut (*ctx).N, N),
                    (&raw mut (*ctx).P, P),
                    (&raw mut (*ctx).Q, Q),
                    (&raw mut (*ctx).D, D),
                    (&raw mut (*ctx).E, E),
                ] {
                    if !src.is_null() {
                        store(dst, &load(src)?)?;
                    }
                }
                if !N.is_null() {
                    set_len(ctx, load(N)?.bitlen().div_ceil(8));
                }
                Ok(())
            })()
        };
        // The key changed: the next operation rebuilds its state.
        // SAFETY: valid context.
        unsafe { publish(ctx, None) };
        match r {
            Ok(()) => 0,
            Err(e) => MBEDTLS_ERR_RSA_BAD_INPUT_DATA + mpi_code(e),
        }
    })
}

/// `mbedtls_rsa_import` from big-endian byte strings (NULL: keep).
///
/// Thread safety: caller serialises (no operation may run on the context).
///
/// # Safety
///
/// `ctx` is NULL or a valid context; each buffer is NULL or has its length.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mbedtls_rsa_import_raw(
    ctx: *mut mbedtls_rsa_context,
    N: *const c_uchar,
    N_len: usize,
    P: *const c_uchar,
    P_len: usize,
    Q: *const c_uchar,
    Q_len: usize,
    D: *const c_uchar,
    D_len: usize,
    E: *const c_uchar,
    E_len: usize,
) -> c_int {
    boundary(|| {
        if ctx.is_null() {
            return MBEDTLS_ERR_RSA_BAD_INPUT_DATA;
        }
        // SAFETY: valid context (caller); the members are valid mpis.
        let parts = unsafe {
            [
                (N, N_len, &raw mut (*ctx).N),
                (P, P_len, &raw mut (*ctx).P),
                (Q, Q_len, &raw mut (*ctx).Q),
                (D, D_len, &raw mut (*ctx).D),
                (E, E_len, &raw mut (*ctx).E),
            ]
        };
        // Every given buffer is checked before anything is stored.
        if parts.iter().any(|&(ptr, len, _)| {
            // SAFETY: the caller's buffer.
            !ptr.is_null() && unsafe { try_slice(ptr, len) }.is_none()
        }) {
            return MBEDTLS_ERR_RSA_BAD_INPUT_DATA;
        }
        let r = (|| -> Result<(), MpiError> {
            let mut n_len = None;
            for (i, (ptr, len, dst)) in parts.into_iter().enumerate() {
                // SAFETY: the caller's buffer (checked above: never `None`
                // here for a non-NULL pointer).
                let bytes = match unsafe { try_slice(ptr, len) } {
                    Some(b) if !ptr.is_null() => b,
                    _ => continue,
                };
                let v = Mpi::from_be_bytes(bytes);
                // SAFETY: a valid mpi of the context.
                unsafe { store(dst, &v) }?;
                if i == 0 {
                    // N: `len` follows it.
                    n_len = Some(v.bitlen().div_ceil(8));
                }
            }
            if let Some(len) = n_len {
                // SAFETY: valid context.
                unsafe { set_len(ctx, len) };
            }
            Ok(())
        })();
        // SAFETY: valid context.
        unsafe { publish(ctx, None) };
        match r {
            Ok(()) => 0,
            Err(e) => MBEDTLS_ERR_RSA_BAD_INPUT_DATA + mpi_code(e),
        }
    })
}

/// Derives what the imported components leave out: N from P and Q; P and
/// Q from N, D, E; D from P, Q, E; and DP, DQ, QP. Accepts upstream's
/// sets ({N, E}; {P, Q, D, E}; {N, D, E}; {P, Q, E}; each with or without
/// N), then runs the structural check. `MBEDTLS_ERR_RSA_BAD_INPUT_DATA`
/// (+ the bignum code for a failed derivation) otherwise. It does not run
/// the full key check.
///
/// Thread safety: caller serialises (no operation may run on the context).
///
/// # Safety
///
/// `ctx` is NULL or a valid context.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mbedtls_rsa_complete(ctx: *mut mbedtls_rsa_context) -> c_int {
    boundary(|| {
        if ctx.is_null() {
            return MBEDTLS_ERR_RSA_BAD_INPUT_DATA;
        }
        let r = (|| -> RsaResult<()> {
            // SAFETY: valid context (caller).
            let mut c = unsafe { components(ctx) }?;
            let had_n = !c.n.is_zero();
            let is_priv = c.complete()?;
            // SAFETY: valid context.
            unsafe { store_components(ctx, &c) }?;
            if !had_n {
                // SAFETY: valid context.
                unsafe { set_len(ctx, c.n.bitlen().div_ceil(8)) };
            }
            // SAFETY: valid context.
            let len = unsafe { ctx_len(ctx) };
            // A key failing the structural check gets no state (and the
            // next operation fails on it).
            let checked = c.check_context(len, is_priv);
            let key = match checked {
                Ok(()) => KeyState::new(&c, len).ok(),
                Err(_) => None,
            };
            // SAFETY: valid context.
            unsafe { publish(ctx, key) };
            checked
        })();
        match r {
            Ok(()) => 0,
            Err(RsaError::Mpi(e)) => MBEDTLS_ERR_RSA_BAD_INPUT_DATA + mpi_code(e),
            Err(_) => MBEDTLS_ERR_RSA_BAD_INPUT_DATA,
        }
    })
}

/// Copies the requested components out (NULL: skip). Asking for P, Q or D
/// of a key that lacks any of N, P, Q, D, E gives
/// `MBEDTLS_ERR_RSA_BAD_INPUT_DATA`; bignum errors are returned as they are.
///
/// Thread safety: caller serialises (concurrent operations are fine; the
/// components do not change while they run).
///
/// # Safety
///
/// `ctx` is NULL or a valid context; each output is NULL or a valid mpi.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mbedtls_rsa_export(
    ctx: *const mbedtls_rsa_context,
    N: *mut mbedtls_mpi,
    P: *mut mbedtls_mpi,
    Q: *mut mbedtls_mpi,
    D: *mut mbedtls_mpi,
    E: *mut mbedtls_mpi,
) -> c_int {
    boundary(|| {
        if ctx.is_null() {
            return MBEDTLS_ERR_RSA_BAD_INPUT_DATA;
        }
        // SAFETY: valid context (caller).
        let c = match unsafe { components(ctx) } {
            Ok(c) => c,
            Err(e) => return mpi_code(e),
        };
        if !c.has_private() && (!P.is_null() || !Q.is_null() || !D.is_null()) {
            return MBEDTLS_ERR_RSA_BAD_INPUT_DATA;
        }
        for (dst, v) in [(N, &c.n), (P, &c.p), (Q, &c.q), (D, &c.d), (E, &c.e)] {
            if !dst.is_null() {
                // SAFETY: a valid mpi (caller).
                if let Err(e) = unsafe { store(dst, v) } {
                    return mpi_code(e);
                }
            }
        }
        0
    })
}

/// `mbedtls_rsa_export` into big-endian buffers of exactly the given
/// lengths (zero-padded); `MBEDTLS_ERR_MPI_BUFFER_TOO_SMALL` if one does
/// not fit.
///
/// Thread safety: caller serialises (concurrent operations are fine).
///
/// # Safety
///
/// `ctx` is NULL or a valid context; each buffer is NULL or has its length.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mbedtls_rsa_export_raw(
    ctx: *const mbedtls_rsa_context,
    N: *mut c_uchar,
    N_len: usize,
    P: *mut c_uchar,
    P_len: usize,
    Q: *mut c_uchar,
    Q_len: usize,
    D: *mut c_uchar,
    D_len: usize,
    E: *mut c_uchar,
    E_len: usize,
) -> c_int {
    boundary(|| {
        if ctx.is_null() {
            return MBEDTLS_ERR_RSA_BAD_INPUT_DATA;
        }
        // SAFETY: valid context (caller).
        let c = match unsafe { components(ctx) } {
            Ok(c) => c,
            Err(e) => return mpi_code(e),
        };
        if !c.has_private() && (!P.is_null() || !Q.is_null() || !D.is_null()) {
            return MBEDTLS_ERR_RSA_BAD_INPUT_DATA;
        }
        for (ptr, len, v) in [
            (N, N_len, &c.n),
            (P, P_len, &c.p),
            (Q, Q_len, &c.q),
            (D, D_len, &c.d),
            (E, E_len, &c.e),
        ] {
            if ptr.is_null() {
                continue;
            }
            // SAFETY: the caller's buffer.
            let Some(out) = (unsafe { try_slice_mut(ptr, len) }) else {
                return MBEDTLS_ERR_RSA_BAD_INPUT_DATA;
            };
            if let Err(e) = v.write_be(out) {
                return mpi_code(e);
            }
        }
        0
    })
}

/// Copies DP, DQ and QP out (NULL: skip). `MBEDTLS_ERR_RSA_BAD_INPUT_DATA`
/// if the key is not a full private key; bignum errors are added to it.
///
/// Thread safety: caller serialises (concurrent operations are fine).
///
/// # Safety
///
/// `ctx` is NULL or a valid context; each output is NULL or a valid mpi.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mbedtls_rsa_export_crt(
    ctx: *const mbedtls_rsa_context,
    DP: *mut mbedtls_mpi,
    DQ: *mut mbedtls_mpi,
    QP: *mut mbedtls_mpi,
) -> c_int {
    boundary(|| {
        if ctx.is_null() {
            return MBEDTLS_ERR_RSA_BAD_INPUT_DATA;
        }
        // SAFETY: valid context (caller).
        let c = match unsafe { components(ctx) } {
            Ok(c) => c,
            Err(e) => return MBEDTLS_ERR_RSA_BAD_INPUT_DATA + mpi_code(e),
        };
        if !c.has_private() {
            return MBEDTLS_ERR_RSA_BAD_INPUT_DATA;
        }
        for (dst, v) in [(DP, &c.dp), (DQ, &c.dq), (QP, &c.qp)] {
            if !dst.is_null() {
                // SAFETY: a valid mpi (caller).
                if let Err(e) = unsafe { store(dst, v) } {
                    return MBEDTLS_ERR_RSA_BAD_INPUT_DATA + mpi_code(e);
                }
            }
        }
        0
    })
}

/// The bit length of N (0 for NULL).
///
/// Thread safety: caller serialises (concurrent operations are fine).
///
/// # Safety
///
/// `ctx` is NULL or a valid context.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mbedtls_rsa_get_bitlen(ctx: *const mbedtls_rsa_context) -> usize {
    boundary(|| {
        if ctx.is_null() {
            return 0;
        }
        // SAFETY: valid context (caller).
        unsafe { load(&raw const (*ctx).N) }.map_or(0, |n| n.bitlen())
    })
}

/// The modulus length in bytes, as stored (0 for NULL).
///
/// Thread safety: lock-free.
///
/// # Safety
///
/// `ctx` is NULL or a valid context.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mbedtls_rsa_get_len(ctx: *const mbedtls_rsa_context) -> usize {
    boundary(|| {
        if ctx.is_null() {
            return 0;
        }
        // SAFETY: valid context (caller).
        unsafe { ctx_len(ctx) }
    })
}

/// Generates a key of `nbits` bits (even, at least
/// `MBEDTLS_RSA_GEN_KEY_MIN_BITS`) with public exponent `exponent` (>= 3),
/// from primes P > Q far enough apart, and runs the full key check.
/// `MBEDTLS_ERR_RSA_BAD_INPUT_DATA` for bad arguments; low-level failures
/// (RNG codes included) come back as `MBEDTLS_ERR_RSA_KEY_GEN_FAILED` +
/// the code. On any failure the context is freed, as upstream does.
///
/// Thread safety: caller serialises (no operation may run on the context).
///
/// # Safety
///
/// `ctx` is NULL or a valid context; `f_rng`/`p_rng` follow the RNG
/// contract.
#[cfg(mbedtls_genprime)]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mbedtls_rsa_gen_key(
    ctx: *mut mbedtls_rsa_context,
    f_rng: Option<unsafe extern "C" fn(*mut c_void, *mut c_uchar, usize) -> c_int>,
    p_rng: *mut c_void,
    nbits: c_uint,
    exponent: c_int,
) -> c_int {
    boundary(|| {
        if ctx.is_null() {
            return MBEDTLS_ERR_RSA_BAD_INPUT_DATA;
        }
        let result = (|| -> Result<(), c_int> {
            let f = f_rng.ok_or(MBEDTLS_ERR_RSA_BAD_INPUT_DATA)?;
            if exponent < 3 || !nbits.is_multiple_of(2) || nbits < MBEDTLS_RSA_GEN_KEY_MIN_BITS {
                return Err(MBEDTLS_ERR_RSA_BAD_INPUT_DATA);
            }
            if nbits as usize > 2 * crate::bignum::MAX_BITS {
                return Err(MBEDTLS_ERR_RSA_BAD_INPUT_DATA);
            }
            // SAFETY: the RNG contract (caller).
            let c = unsafe {
                with_rng(f, p_rng, |rng| {
                    super::gen_key(nbits as usize, exponent as i64, rng)
                })
            }
            .map_err(|e| op_code(MBEDTLS_ERR_RSA_KEY_GEN_FAILED, e))?;
            let len = c.n.bitlen().div_ceil(8);
            // SAFETY: valid context (caller).
            unsafe { store_components(ctx, &c) }
                .map_err(|e| MBEDTLS_ERR_RSA_KEY_GEN_FAILED + mpi_code(e))?;
            // SAFETY: as above.
            unsafe { set_len(ctx, len) };
            c.check_privkey(len)
                .map_err(|_| MBEDTLS_ERR_RSA_KEY_CHECK_FAILED)?;
            let key =
                KeyState::new(&c, len).map_err(|e| op_code(MBEDTLS_ERR_RSA_KEY_GEN_FAILED, e))?;
            // SAFETY: as above.
            unsafe { publish(ctx, Some(key)) };
            Ok(())
        })();
        match result {
            Ok(()) => 0,
            Err(code) => {
                // SAFETY: valid context (caller).
                unsafe { mbedtls_rsa_free(ctx) };
                code
            }
        }
    })
}

/// Checks a public key: N odd, at least 128 bits, `len` consistent, E odd,
/// at least 2 bits and below N. `MBEDTLS_ERR_RSA_KEY_CHECK_FAILED`
/// otherwise.
///
/// Thread safety: caller serialises (concurrent operations are fine).
///
/// # Safety
///
/// `ctx` is NULL or a valid context.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mbedtls_rsa_check_pubkey(ctx: *const mbedtls_rsa_context) -> c_int {
    boundary(|| {
        if ctx.is_null() {
            return MBEDTLS_ERR_RSA_KEY_CHECK_FAILED;
        }
        // SAFETY: valid context (caller).
        let (c, len) = unsafe { (components(ctx), ctx_len(ctx)) };
        match c {
            Ok(c) if c.check_pubkey(len).is_ok() => 0,
            _ => MBEDTLS_ERR_RSA_KEY_CHECK_FAILED,
        }
    })
}

/// Checks a private key: the public checks, N = PQ, DE = 1 modulo P-1 and
/// Q-1, and DP, DQ, QP. No primality test. `MBEDTLS_ERR_RSA_KEY_CHECK_FAILED`
/// otherwise.
///
/// Thread safety: caller serialises (concurrent operations are fine).
///
/// # Safety
///
/// `ctx` is NULL or a valid context.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mbedtls_rsa_check_privkey(ctx: *const mbedtls_rsa_context) -> c_int {
    boundary(|| {
        if ctx.is_null() {
            return MBEDTLS_ERR_RSA_KEY_CHECK_FAILED;
        }
        // SAFETY: valid context (caller).
        let (c, len) = unsafe { (components(ctx), ctx_len(ctx)) };
        match c {
            Ok(c) if c.check_privkey(len).is_ok() => 0,
            _ => MBEDTLS_ERR_RSA_KEY_CHECK_FAILED,
        }
    })
}

/// Checks that `pub` is a valid public key, `prv` a valid private key,
/// and that they share N and E. `MBEDTLS_ERR_RSA_KEY_CHECK_FAILED`
/// otherwise.
///
/// Thread safety: caller serialises (concurrent operations are fine).
///
/// # Safety
///
/// Both are NULL or valid contexts.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mbedtls_rsa_check_pub_priv(
    r#pub: *const mbedtls_rsa_context,
    prv: *const mbedtls_rsa_context,
) -> c_int {
    boundary(|| {
        if r#pub.is_null() || prv.is_null() {
            return MBEDTLS_ERR_RSA_KEY_CHECK_FAILED;
        }
        // SAFETY: valid contexts (caller).
        let (a, b) = match unsafe { (components(r#pub), components(prv)) } {
            (Ok(a), Ok(b)) => (a, b),
            _ => return MBEDTLS_ERR_RSA_KEY_CHECK_FAILED,
        };
        // SAFETY: as above.
        let (la, lb) = unsafe { (ctx_len(r#pub), ctx_len(prv)) };
        if a.check_pubkey(la).is_err()
            || b.check_privkey(lb).is_err()
            || !a.n.cmp_signed(&b.n).is_eq()
            || !a.e.cmp_signed(&b.e).is_eq()
        {
            return MBEDTLS_ERR_RSA_KEY_CHECK_FAILED;
        }
        0
    })
}

/// The public operation on a key: output = input^E mod N over `len`-byte
/// buffers (they may be the same).
///
/// # Safety
///
/// `ctx` is a valid context.
unsafe fn public_op(ctx: *mut mbedtls_rsa_context, input: &[u8], out: &mut [u8]) -> c_int {
    // SAFETY: valid context (caller).
    let key = match unsafe { current_key(ctx) } {
        Ok(k) => k,
        Err(e) => return e,
    };
    match key.public(input, out) {
        Ok(()) => 0,
        Err(e) => op_code(MBEDTLS_ERR_RSA_PUBLIC_FAILED, e),
    }
}

/// The private operation, with a blinding pair from the pool (or a fresh
/// one) and the next pair put back.
///
/// # Safety
///
/// `ctx` is a valid context; `f_rng`/`p_rng` follow the RNG contract.
unsafe fn private_op(
    ctx: *mut mbedtls_rsa_context,
    f_rng: FRng,
    p_rng: *mut c_void,
    input: &[u8],
    out: &mut [u8],
) -> c_int {
    // SAFETY: valid context (caller).
    let key = match unsafe { current_key(ctx) } {
        Ok(k) if k.is_private() => k,
        Ok(_) => return MBEDTLS_ERR_RSA_BAD_INPUT_DATA,
        Err(e) => return e,
    };
    // SAFETY: as above.
    let lock = unsafe { ctx_lock(ctx) };
    // Take a pair for this key from the pool (under the mutex, briefly).
    let mut pooled = None;
    match lock.enter() {
        Ok(held) => {
            // SAFETY: the pool is only touched under the mutex.
            if let Some(pool) = unsafe { pool_of(ctx) } {
                while let Some(p) = pool.pop() {
                    if Arc::ptr_eq(&p.key, &key) {
                        pooled = Some(p.pair);
                        break;
                    }
                }
            }
            if held.unlock() != 0 {
                return crate::abi::threading::MBEDTLS_ERR_THREADING_MUTEX_ERROR;
            }
        }
        // A freed context (reused after a new import, as upstream allows
        // without threading) simply has no pool.
        Err(EnterError::NotLive) => {}
        Err(e) => return e.code(MBEDTLS_ERR_RSA_BAD_INPUT_DATA),
    }
    // SAFETY: the RNG contract (caller).
    let r = unsafe {
        with_rng(f_rng, p_rng, |rng| -> RsaResult<Blinding> {
            let pair = match pooled {
                Some(p) => p,
                None => key.new_blinding(rng)?,
            };
            key.private(&pair, rng, input, out)?;
            Ok(key.next_blinding(&pair))
        })
    };
    let next = match r {
        Ok(next) => next,
        Err(e) => return op_code(MBEDTLS_ERR_RSA_PRIVATE_FAILED, e),
    };
    // Put the next pair back, unless memory is short (the pool is only a
    // cache: the next operation then makes a fresh pair).
    if let Ok(held) = lock.enter() {
        // SAFETY: under the mutex.
        if let Some(pool) = unsafe { pool_of(ctx) }
            && pool.len() < POOL_MAX
            && pool.try_reserve_exact(POOL_MAX - pool.len()).is_ok()
        {
            pool.push(Pooled { key, pair: next });
        }
        if held.unlock() != 0 {
            return crate::abi::threading::MBEDTLS_ERR_THREADING_MUTEX_ERROR;
        }
    }
    0
}

/// The context's blinding pool, created on first use; `None` if there is
/// no memory for it.
///
/// # Safety
///
/// `ctx` is a valid context and the caller holds its mutex (or is the
/// only thread inside, as in `free`).
unsafe fn pool_of<'a>(ctx: *mut mbedtls_rsa_context) -> Option<&'a mut Pool> {
    // SAFETY: `pool` is NULL or a Box<Pool> of ours, reached only under
    // the mutex (caller).
    unsafe {
        if (*ctx).pool.is_null() {
            (*ctx).pool = Box::into_raw(try_box(Pool::new())?).cast();
        }
        Some(&mut *(*ctx).pool.cast::<Pool>())
    }
}

/// `Box::new(value)`, or `None` when the allocator is out of memory
/// (`Box::new` would abort, and in firmware builds the allocator is the
/// application's `mbedtls_calloc`, which may well run out).
fn try_box<T>(value: T) -> Option<Box<T>> {
    const { assert!(size_of::<T>() > 0) };
    let layout = core::alloc::Layout::new::<T>();
    // SAFETY: `layout` has a non-zero size (checked above).
    let p = unsafe { alloc::alloc::alloc(layout) }.cast::<T>();
    if p.is_null() {
        return None;
    }
    // SAFETY: `p` is a fresh block of the global allocator with `T`'s
    // layout, which is what `Box` owns and frees.
    unsafe {
        p.write(value);
        Some(Box::from_raw(p))
    }
}

/// The public-key operation: output = input^E mod N over `mbedtls_rsa_get_len`
/// bytes (input and output may be the same buffer). Takes no lock.
/// `MBEDTLS_ERR_RSA_BAD_INPUT_DATA` for an unusable key;
/// `MBEDTLS_ERR_RSA_PUBLIC_FAILED` + the bignum code otherwise (-0x4284 for
/// an input not below N).
///
/// Thread safety: lock-free.
///
/// # Safety
///
/// `ctx` is NULL or a valid context; `input` and `output` are NULL or
/// have `len` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mbedtls_rsa_public(
    ctx: *mut mbedtls_rsa_context,
    input: *const c_uchar,
    output: *mut c_uchar,
) -> c_int {
    boundary(|| {
        if ctx.is_null() || input.is_null() || output.is_null() {
            return MBEDTLS_ERR_RSA_BAD_INPUT_DATA;
        }
        // SAFETY: valid context (caller).
        let len = unsafe { ctx_len(ctx) };
        if len == 0 || len > super::MAX_LEN {
            return MBEDTLS_ERR_RSA_BAD_INPUT_DATA;
        }
        let (Ok(mut buf), Ok(mut out)) = (scratch(len), scratch(len)) else {
            return MBEDTLS_ERR_RSA_PUBLIC_FAILED
                + crate::abi::bignum::MBEDTLS_ERR_MPI_ALLOC_FAILED;
        };
        // SAFETY: `input` has len bytes (caller); copied first, so it may
        // alias `output`.
        buf.copy_from_slice(unsafe { core::slice::from_raw_parts(input, len) });
        // SAFETY: valid context.
        let rc = unsafe { public_op(ctx, &buf[..len], &mut out[..len]) };
        if rc == 0 {
            // SAFETY: `output` has len bytes (caller).
            unsafe { core::ptr::copy_nonoverlapping(out.as_ptr(), output, len) };
        }
        rc
    })
}

/// The private-key operation: output = input^D mod N with CRT, base and
/// exponent blinding from `f_rng` (required) and a check of the result
/// with E. The mutex is held only to take and return blinding values.
/// `MBEDTLS_ERR_RSA_BAD_INPUT_DATA` for no RNG or no private key;
/// `MBEDTLS_ERR_RSA_VERIFY_FAILED` if the check fails;
/// `MBEDTLS_ERR_RSA_PRIVATE_FAILED` + the low-level code otherwise
/// (-0x4304 for an input not below N); other RNG codes pass through.
///
/// Thread safety: locked (briefly; never during the exponentiation).
///
/// # Safety
///
/// `ctx` is NULL or a valid context; `input`/`output` are NULL or have
/// `len` bytes; `f_rng`/`p_rng` follow the RNG contract.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mbedtls_rsa_private(
    ctx: *mut mbedtls_rsa_context,
    f_rng: Option<unsafe extern "C" fn(*mut c_void, *mut c_uchar, usize) -> c_int>,
    p_rng: *mut c_void,
    input: *const c_uchar,
    output: *mut c_uchar,
) -> c_int {
    boundary(|| {
        let Some(f) = f_rng else {
            return MBEDTLS_ERR_RSA_BAD_INPUT_DATA;
        };
        if ctx.is_null() || input.is_null() || output.is_null() {
            return MBEDTLS_ERR_RSA_BAD_INPUT_DATA;
        }
        // SAFETY: valid context (caller).
        let len = unsafe { ctx_len(ctx) };
        if len == 0 || len > super::MAX_LEN {
            return MBEDTLS_ERR_RSA_BAD_INPUT_DATA;
        }
        let (Ok(mut buf), Ok(mut out)) = (scratch(len), scratch(len)) else {
            return MBEDTLS_ERR_RSA_PRIVATE_FAILED
                + crate::abi::bignum::MBEDTLS_ERR_MPI_ALLOC_FAILED;
        };
        // SAFETY: `input` has len bytes (caller).
        buf.copy_from_slice(unsafe { core::slice::from_raw_parts(input, len) });
        // SAFETY: valid context; RNG contract (caller).
        let rc = unsafe { private_op(ctx, f, p_rng, &buf[..len], &mut out[..len]) };
        if rc == 0 {
            // SAFETY: `output` has len bytes (caller).
            unsafe { core::ptr::copy_nonoverlapping(out.as_ptr(), output, len) };
        }
        rc
    })
}

/// Runs `f` with a closure over the caller's RNG (NULL: `BadInput`).
///
/// # Safety
///
/// `f_rng`/`p_rng` follow the RNG contract.
unsafe fn pad_rng<T>(
    f_rng: Option<FRng>,
    p_rng: *mut c_void,
    f: impl FnOnce(&mut padding::RngFn<'_>) -> Result<T, PadError>,
) -> Result<T, c_int> {
    let f_rng = f_rng.ok_or(MBEDTLS_ERR_RSA_BAD_INPUT_DATA)?;
    let mut rng = |buf: &mut [u8]| -> Result<(), i32> {
        // SAFETY: the RNG writes at most buf.len() bytes (its contract).
        match unsafe { f_rng(p_rng, buf.as_mut_ptr(), buf.len()) } {
            0 => Ok(()),
            c => Err(c),
        }
    };
    f(&mut rng).map_err(pad_code)
}

/// Checks the context and the `len`-byte output buffer common to the
/// padding functions.
///
/// # Safety
///
/// `ctx` is NULL or a valid context; `buf` is NULL or has `len` bytes.
unsafe fn len_and_buf<'a>(
    ctx: *mut mbedtls_rsa_context,
    buf: *mut c_uchar,
) -> Result<(usize, &'a mut [u8]), c_int> {
    if ctx.is_null() || buf.is_null() {
        return Err(MBEDTLS_ERR_RSA_BAD_INPUT_DATA);
    }
    // SAFETY: valid context (caller).
    let len = unsafe { ctx_len(ctx) };
    if len == 0 || len > super::MAX_LEN {
        return Err(MBEDTLS_ERR_RSA_BAD_INPUT_DATA);
    }
    // SAFETY: buf has len bytes (caller).
    Ok((len, unsafe { core::slice::from_raw_parts_mut(buf, len) }))
}

/// The result of a `Result<(), c_int>` body.
fn rc(r: Result<(), c_int>) -> c_int {
    match r {
        Ok(()) => 0,
        Err(c) => c,
    }
}

/// Encrypts `ilen` bytes with the context's padding (v1.5, or OAEP with an
/// empty label). `MBEDTLS_ERR_RSA_INVALID_PADDING` for another mode.
///
/// Thread safety: lock-free.
///
/// # Safety
///
/// `ctx` is NULL or a valid context; `input` has `ilen` bytes, `output`
/// `len` bytes; `f_rng`/`p_rng` follow the RNG contract.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mbedtls_rsa_pkcs1_encrypt(
    ctx: *mut mbedtls_rsa_context,
    f_rng: Option<unsafe extern "C" fn(*mut c_void, *mut c_uchar, usize) -> c_int>,
    p_rng: *mut c_void,
    ilen: usize,
    input: *const c_uchar,
    output: *mut c_uchar,
) -> c_int {
    if ctx.is_null() {
        return MBEDTLS_ERR_RSA_BAD_INPUT_DATA;
    }
    // SAFETY: valid context (caller); forwarded contracts.
    unsafe {
        match settings(ctx).0 {
            MBEDTLS_RSA_PKCS_V15 => {
                mbedtls_rsa_rsaes_pkcs1_v15_encrypt(ctx, f_rng, p_rng, ilen, input, output)
            }
            MBEDTLS_RSA_PKCS_V21 => mbedtls_rsa_rsaes_oaep_encrypt(
                ctx,
                f_rng,
                p_rng,
                core::ptr::null(),
                0,
                ilen,
                input,
                output,
            ),
            _ => MBEDTLS_ERR_RSA_INVALID_PADDING,
        }
    }
}

/// PKCS#1 v1.5 encryption: `ilen` + 11 <= `len` and an RNG are required
/// (else `MBEDTLS_ERR_RSA_BAD_INPUT_DATA`); RNG failure gives
/// `MBEDTLS_ERR_RSA_RNG_FAILED` + its code. Works in any padding mode.
///
/// Thread safety: lock-free.
///
/// # Safety
///
/// As `mbedtls_rsa_pkcs1_encrypt`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mbedtls_rsa_rsaes_pkcs1_v15_encrypt(
    ctx: *mut mbedtls_rsa_context,
    f_rng: Option<unsafe extern "C" fn(*mut c_void, *mut c_uchar, usize) -> c_int>,
    p_rng: *mut c_void,
    ilen: usize,
    input: *const c_uchar,
    output: *mut c_uchar,
) -> c_int {
    boundary(|| {
        rc((|| {
            // SAFETY: caller's buffers and context.
            let (len, out) = unsafe { len_and_buf(ctx, output) }?;
            // SAFETY: as above.
            let msg = unsafe { try_slice(input, ilen) }.ok_or(MBEDTLS_ERR_RSA_BAD_INPUT_DATA)?;
            let mut em = scratch(len).map_err(|e| MBEDTLS_ERR_RSA_PUBLIC_FAILED + e)?;
            // SAFETY: RNG contract (caller).
            unsafe {
                pad_rng(f_rng, p_rng, |rng| {
                    padding::v15_encrypt_encode(msg, &mut em[..len], rng)
                })
            }?;
            // SAFETY: valid context.
            let r = unsafe { public_op(ctx, &em[..len], out) };
            if r != 0 { Err(r) } else { Ok(()) }
        })())
    })
}

/// OAEP encryption with the context's hash (which must be set) for the
/// hash and MGF1, and an optional label. `ilen` + 2 hlen + 2 <= `len` and
/// an RNG are required (else `MBEDTLS_ERR_RSA_BAD_INPUT_DATA`); RNG
/// failure gives `MBEDTLS_ERR_RSA_RNG_FAILED` + its code.
///
/// Thread safety: lock-free.
///
/// # Safety
///
/// As `mbedtls_rsa_pkcs1_encrypt`; `label` is NULL or has `label_len`
/// bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mbedtls_rsa_rsaes_oaep_encrypt(
    ctx: *mut mbedtls_rsa_context,
    f_rng: Option<unsafe extern "C" fn(*mut c_void, *mut c_uchar, usize) -> c_int>,
    p_rng: *mut c_void,
    label: *const c_uchar,
    label_len: usize,
    ilen: usize,
    input: *const c_uchar,
    output: *mut c_uchar,
) -> c_int {
    boundary(|| {
        rc((|| {
            // SAFETY: caller's buffers and context.
            let (len, out) = unsafe { len_and_buf(ctx, output) }?;
            // SAFETY: as above.
            let msg = unsafe { try_slice(input, ilen) }.ok_or(MBEDTLS_ERR_RSA_BAD_INPUT_DATA)?;
            // SAFETY: as above.
            let label =
                unsafe { try_slice(label, label_len) }.ok_or(MBEDTLS_ERR_RSA_BAD_INPUT_DATA)?;
            // SAFETY: valid context.
            let md = md_of(unsafe { settings(ctx) }.1)
                .ok()
                .flatten()
                .ok_or(MBEDTLS_ERR_RSA_BAD_INPUT_DATA)?;
            let mut em = scratch(len).map_err(|e| MBEDTLS_ERR_RSA_PUBLIC_FAILED + e)?;
            // SAFETY: RNG contract (caller).
            unsafe {
                pad_rng(f_rng, p_rng, |rng| {
                    padding::oaep_encode(md, label, msg, &mut em[..len], rng)
                })
            }?;
            // SAFETY: valid context.
            let r = unsafe { public_op(ctx, &em[..len], out) };
            if r != 0 { Err(r) } else { Ok(()) }
        })())
    })
}

/// Decrypts with the context's padding (v1.5, or OAEP with an empty
/// label). `MBEDTLS_ERR_RSA_INVALID_PADDING` for another mode.
///
/// Thread safety: locked (briefly, inside the private operation).
///
/// # Safety
///
/// `ctx` is NULL or a valid context; `input` has `len` bytes; `output`
/// has `output_max_len` bytes; `olen` is writable; `f_rng`/`p_rng` follow
/// the RNG contract.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mbedtls_rsa_pkcs1_decrypt(
    ctx: *mut mbedtls_rsa_context,
    f_rng: Option<unsafe extern "C" fn(*mut c_void, *mut c_uchar, usize) -> c_int>,
    p_rng: *mut c_void,
    olen: *mut usize,
    input: *const c_uchar,
    output: *mut c_uchar,
    output_max_len: usize,
) -> c_int {
    if ctx.is_null() {
        return MBEDTLS_ERR_RSA_BAD_INPUT_DATA;
    }
    // SAFETY: valid context (caller); forwarded contracts.
    unsafe {
        match settings(ctx).0 {
            MBEDTLS_RSA_PKCS_V15 => mbedtls_rsa_rsaes_pkcs1_v15_decrypt(
                ctx,
                f_rng,
                p_rng,
                olen,
                input,
                output,
                output_max_len,
            ),
            MBEDTLS_RSA_PKCS_V21 => mbedtls_rsa_rsaes_oaep_decrypt(
                ctx,
                f_rng,
                p_rng,
                core::ptr::null(),
                0,
                olen,
                input,
                output,
                output_max_len,
            ),
            _ => MBEDTLS_ERR_RSA_INVALID_PADDING,
        }
    }
}

/// The shared part of the two decryptions: the private operation into a
/// local buffer, then `decode` (constant-time) into `output`.
///
/// # Safety
///
/// As `mbedtls_rsa_pkcs1_decrypt`.
#[allow(clippy::too_many_arguments)] // the C function's arguments, plus `decode`
unsafe fn decrypt_with(
    ctx: *mut mbedtls_rsa_context,
    f_rng: Option<FRng>,
    p_rng: *mut c_void,
    olen: *mut usize,
    input: *const c_uchar,
    output: *mut c_uchar,
    output_max_len: usize,
    decode: impl FnOnce(&[u8], &mut [u8]) -> Result<usize, PadError>,
) -> Result<(), c_int> {
    if ctx.is_null() || olen.is_null() || input.is_null() {
        return Err(MBEDTLS_ERR_RSA_BAD_INPUT_DATA);
    }
    // SAFETY: valid context (caller).
    let len = unsafe { ctx_len(ctx) };
    if !(16..=super::MAX_LEN).contains(&len) {
        return Err(MBEDTLS_ERR_RSA_BAD_INPUT_DATA);
    }
    // SAFETY: the caller's buffer.
    let out =
        unsafe { try_slice_mut(output, output_max_len) }.ok_or(MBEDTLS_ERR_RSA_BAD_INPUT_DATA)?;
    let f = f_rng.ok_or(MBEDTLS_ERR_RSA_BAD_INPUT_DATA)?;
    let mut em = scratch(len).map_err(|e| MBEDTLS_ERR_RSA_PRIVATE_FAILED + e)?;
    let mut inbuf = scratch(len).map_err(|e| MBEDTLS_ERR_RSA_PRIVATE_FAILED + e)?;
    // SAFETY: input has len bytes (caller).
    inbuf[..len].copy_from_slice(unsafe { core::slice::from_raw_parts(input, len) });
    // SAFETY: valid context, RNG contract.
    let r = unsafe { private_op(ctx, f, p_rng, &inbuf[..len], &mut em[..len]) };
    if r != 0 {
        return Err(r);
    }
    let n = decode(&em[..len], out).map_err(pad_code)?;
    // SAFETY: writable (checked).
    unsafe { *olen = n };
    Ok(())
}

/// PKCS#1 v1.5 decryption (mode V15 required, else
/// `MBEDTLS_ERR_RSA_BAD_INPUT_DATA`; 16 <= `len` <= 1024). The padding
/// check is constant-time: `MBEDTLS_ERR_RSA_INVALID_PADDING`, then
/// `MBEDTLS_ERR_RSA_OUTPUT_TOO_LARGE` if the message does not fit.
///
/// Thread safety: locked (briefly, inside the private operation).
///
/// # Safety
///
/// As `mbedtls_rsa_pkcs1_decrypt`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mbedtls_rsa_rsaes_pkcs1_v15_decrypt(
    ctx: *mut mbedtls_rsa_context,
    f_rng: Option<unsafe extern "C" fn(*mut c_void, *mut c_uchar, usize) -> c_int>,
    p_rng: *mut c_void,
    olen: *mut usize,
    input: *const c_uchar,
    output: *mut c_uchar,
    output_max_len: usize,
) -> c_int {
    boundary(|| {
        // SAFETY: NULL-checked context.
        if ctx.is_null() || unsafe { settings(ctx) }.0 != MBEDTLS_RSA_PKCS_V15 {
            return MBEDTLS_ERR_RSA_BAD_INPUT_DATA;
        }
        // SAFETY: forwarded contracts.
        rc(unsafe {
            decrypt_with(
                ctx,
                f_rng,
                p_rng,
                olen,
                input,
                output,
                output_max_len,
                padding::v15_decrypt_decode,
            )
        })
    })
}

/// OAEP decryption with the context's hash (mode V21 and a hash required,
/// else `MBEDTLS_ERR_RSA_BAD_INPUT_DATA`) and the given label. The label
/// hash and padding are checked in constant time:
/// `MBEDTLS_ERR_RSA_INVALID_PADDING`, then `MBEDTLS_ERR_RSA_OUTPUT_TOO_LARGE`.
///
/// Thread safety: locked (briefly, inside the private operation).
///
/// # Safety
///
/// As `mbedtls_rsa_pkcs1_decrypt`; `label` is NULL or has `label_len`
/// bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mbedtls_rsa_rsaes_oaep_decrypt(
    ctx: *mut mbedtls_rsa_context,
    f_rng: Option<unsafe extern "C" fn(*mut c_void, *mut c_uchar, usize) -> c_int>,
    p_rng: *mut c_void,
    label: *const c_uchar,
    label_len: usize,
    olen: *mut usize,
    input: *const c_uchar,
    output: *mut c_uchar,
    output_max_len: usize,
) -> c_int {
    boundary(|| {
        if ctx.is_null() {
            return MBEDTLS_ERR_RSA_BAD_INPUT_DATA;
        }
        // SAFETY: valid context (caller).
        let (mode, hash) = unsafe { settings(ctx) };
        let Ok(Some(md)) = md_of(hash) else {
            return MBEDTLS_ERR_RSA_BAD_INPUT_DATA;
        };
        if mode != MBEDTLS_RSA_PKCS_V21 {
            return MBEDTLS_ERR_RSA_BAD_INPUT_DATA;
        }
        // SAFETY: the caller's buffer.
        let Some(label) = (unsafe { try_slice(label, label_len) }) else {
            return MBEDTLS_ERR_RSA_BAD_INPUT_DATA;
        };
        // SAFETY: forwarded contracts.
        rc(unsafe {
            decrypt_with(
                ctx,
                f_rng,
                p_rng,
                olen,
                input,
                output,
                output_max_len,
                |em, out| padding::oaep_decode(md, label, em, out),
            )
        })
    })
}

/// The message hash of a sign/verify call: `hashlen` bytes, which must be
/// the digest size when `md_alg` is not NONE.
///
/// # Safety
///
/// `hash` is NULL or has `hashlen` bytes.
unsafe fn hash_arg<'a>(
    md_alg: mbedtls_md_type_t,
    hashlen: c_uint,
    hash: *const c_uchar,
) -> Result<(Option<MdType>, &'a [u8]), c_int> {
    let md = md_of(md_alg as c_int).map_err(|_| MBEDTLS_ERR_RSA_BAD_INPUT_DATA)?;
    if hash.is_null() && (hashlen != 0 || md.is_some()) {
        return Err(MBEDTLS_ERR_RSA_BAD_INPUT_DATA);
    }
    // SAFETY: the caller's buffer.
    let h = unsafe { try_slice(hash, hashlen as usize) }.ok_or(MBEDTLS_ERR_RSA_BAD_INPUT_DATA)?;
    if md.is_some_and(|m| m.info().size != h.len()) {
        return Err(MBEDTLS_ERR_RSA_BAD_INPUT_DATA);
    }
    Ok((md, h))
}

/// Signs with the context's padding: v1.5, or PSS with the largest salt.
/// `MBEDTLS_ERR_RSA_INVALID_PADDING` for another mode.
///
/// Thread safety: locked (briefly, inside the private operation).
///
/// # Safety
///
/// `ctx` is NULL or a valid context; `hash` has `hashlen` bytes; `sig`
/// has `len` bytes; `f_rng`/`p_rng` follow the RNG contract.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mbedtls_rsa_pkcs1_sign(
    ctx: *mut mbedtls_rsa_context,
    f_rng: Option<unsafe extern "C" fn(*mut c_void, *mut c_uchar, usize) -> c_int>,
    p_rng: *mut c_void,
    md_alg: mbedtls_md_type_t,
    hashlen: c_uint,
    hash: *const c_uchar,
    sig: *mut c_uchar,
) -> c_int {
    if ctx.is_null() {
        return MBEDTLS_ERR_RSA_BAD_INPUT_DATA;
    }
    // SAFETY: valid context (caller); forwarded contracts.
    unsafe {
        match settings(ctx).0 {
            MBEDTLS_RSA_PKCS_V15 => {
                mbedtls_rsa_rsassa_pkcs1_v15_sign(ctx, f_rng, p_rng, md_alg, hashlen, hash, sig)
            }
            MBEDTLS_RSA_PKCS_V21 => {
                mbedtls_rsa_rsassa_pss_sign(ctx, f_rng, p_rng, md_alg, hashlen, hash, sig)
            }
            _ => MBEDTLS_ERR_RSA_INVALID_PADDING,
        }
    }
}

/// PKCS#1 v1.5 signature (mode V15 required, else
/// `MBEDTLS_ERR_RSA_BAD_INPUT_DATA`) of a DigestInfo for `md_alg` (NONE:
/// the raw `hashlen` bytes). The signature is checked with the public
/// exponent before it is released (`MBEDTLS_ERR_RSA_VERIFY_FAILED` on a
/// mismatch, from the private operation); on any failure after encoding,
/// `sig` is filled with `'!'`.
///
/// Thread safety: locked (briefly, inside the private operation).
///
/// # Safety
///
/// As `mbedtls_rsa_pkcs1_sign`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mbedtls_rsa_rsassa_pkcs1_v15_sign(
    ctx: *mut mbedtls_rsa_context,
    f_rng: Option<unsafe extern "C" fn(*mut c_void, *mut c_uchar, usize) -> c_int>,
    p_rng: *mut c_void,
    md_alg: mbedtls_md_type_t,
    hashlen: c_uint,
    hash: *const c_uchar,
    sig: *mut c_uchar,
) -> c_int {
    boundary(|| {
        rc((|| {
            // SAFETY: caller's buffers and context.
            let (len, out) = unsafe { len_and_buf(ctx, sig) }?;
            // SAFETY: valid context.
            if unsafe { settings(ctx) }.0 != MBEDTLS_RSA_PKCS_V15 {
                return Err(MBEDTLS_ERR_RSA_BAD_INPUT_DATA);
            }
            // SAFETY: the caller's buffer.
            let (md, h) = unsafe { hash_arg(md_alg, hashlen, hash) }?;
            let mut em = scratch(len)?;
            padding::digest_info_encode(md, h, &mut em[..len]).map_err(pad_code)?;
            // The private operation already checks its result with E (a
            // fault gives MBEDTLS_ERR_RSA_VERIFY_FAILED), which is the
            // verification upstream repeats here. It writes `out` only
            // once the result passed that check.
            let r = match f_rng {
                // SAFETY: valid context; RNG contract.
                Some(f) => unsafe { private_op(ctx, f, p_rng, &em[..len], out) },
                None => MBEDTLS_ERR_RSA_BAD_INPUT_DATA,
            };
            if r != 0 {
                out.fill(b'!');
            }
            if r != 0 { Err(r) } else { Ok(()) }
        })())
    })
}

/// PSS signature (mode V21 required, else `MBEDTLS_ERR_RSA_BAD_INPUT_DATA`)
/// with `saltlen` bytes of salt, or `MBEDTLS_RSA_SALT_LEN_ANY` for the
/// largest up to the hash length. The M' and MGF1 hash is the context's,
/// else `md_alg` (one of them must be set). RNG failure gives
/// `MBEDTLS_ERR_RSA_RNG_FAILED` + its code.
///
/// Thread safety: locked (briefly, inside the private operation).
///
/// # Safety
///
/// As `mbedtls_rsa_pkcs1_sign`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mbedtls_rsa_rsassa_pss_sign_ext(
    ctx: *mut mbedtls_rsa_context,
    f_rng: Option<unsafe extern "C" fn(*mut c_void, *mut c_uchar, usize) -> c_int>,
    p_rng: *mut c_void,
    md_alg: mbedtls_md_type_t,
    hashlen: c_uint,
    hash: *const c_uchar,
    saltlen: c_int,
    sig: *mut c_uchar,
) -> c_int {
    boundary(|| {
        rc((|| {
            // SAFETY: caller's buffers and context.
            let (len, out) = unsafe { len_and_buf(ctx, sig) }?;
            // SAFETY: valid context.
            let (mode, hash_id) = unsafe { settings(ctx) };
            if mode != MBEDTLS_RSA_PKCS_V21 {
                return Err(MBEDTLS_ERR_RSA_BAD_INPUT_DATA);
            }
            let f = f_rng.ok_or(MBEDTLS_ERR_RSA_BAD_INPUT_DATA)?;
            // SAFETY: the caller's buffer.
            let (md, h) = unsafe { hash_arg(md_alg, hashlen, hash) }?;
            let mgf = match md_of(hash_id) {
                Ok(Some(m)) => m,
                Ok(None) => md.ok_or(MBEDTLS_ERR_RSA_BAD_INPUT_DATA)?,
                Err(()) => return Err(MBEDTLS_ERR_RSA_BAD_INPUT_DATA),
            };
            // SAFETY: valid context.
            let bits = unsafe { current_key(ctx) }?.bits();
            let mut em = scratch(len).map_err(|e| MBEDTLS_ERR_RSA_PRIVATE_FAILED + e)?;
            // SAFETY: RNG contract (caller).
            unsafe {
                pad_rng(Some(f), p_rng, |rng| {
                    padding::pss_encode(md, mgf, h, saltlen, bits, &mut em[..len], rng)
                })
            }?;
            // SAFETY: valid context; RNG contract.
            let r = unsafe { private_op(ctx, f, p_rng, &em[..len], out) };
            if r != 0 { Err(r) } else { Ok(()) }
        })())
    })
}

/// `mbedtls_rsa_rsassa_pss_sign_ext` with `MBEDTLS_RSA_SALT_LEN_ANY`.
///
/// Thread safety: locked (briefly, inside the private operation).
///
/// # Safety
///
/// As `mbedtls_rsa_pkcs1_sign`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mbedtls_rsa_rsassa_pss_sign(
    ctx: *mut mbedtls_rsa_context,
    f_rng: Option<unsafe extern "C" fn(*mut c_void, *mut c_uchar, usize) -> c_int>,
    p_rng: *mut c_void,
    md_alg: mbedtls_md_type_t,
    hashlen: c_uint,
    hash: *const c_uchar,
    sig: *mut c_uchar,
) -> c_int {
    // SAFETY: forwarded contracts.
    unsafe {
        mbedtls_rsa_rsassa_pss_sign_ext(ctx, f_rng, p_rng, md_alg, hashlen, hash, SALT_LEN_ANY, sig)
    }
}

/// Verifies with the context's padding (v1.5, or PSS with any salt length).
/// `MBEDTLS_ERR_RSA_INVALID_PADDING` for another mode.
///
/// Thread safety: lock-free.
///
/// # Safety
///
/// `ctx` is NULL or a valid context; `hash` has `hashlen` bytes; `sig` has
/// `len` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mbedtls_rsa_pkcs1_verify(
    ctx: *mut mbedtls_rsa_context,
    md_alg: mbedtls_md_type_t,
    hashlen: c_uint,
    hash: *const c_uchar,
    sig: *const c_uchar,
) -> c_int {
    if ctx.is_null() {
        return MBEDTLS_ERR_RSA_BAD_INPUT_DATA;
    }
    // SAFETY: valid context (caller); forwarded contracts.
    unsafe {
        match settings(ctx).0 {
            MBEDTLS_RSA_PKCS_V15 => {
                mbedtls_rsa_rsassa_pkcs1_v15_verify(ctx, md_alg, hashlen, hash, sig)
            }
            MBEDTLS_RSA_PKCS_V21 => mbedtls_rsa_rsassa_pss_verify(ctx, md_alg, hashlen, hash, sig),
            _ => MBEDTLS_ERR_RSA_INVALID_PADDING,
        }
    }
}

/// The signature with the public operation applied, in a buffer of the
/// key's length.
///
/// # Safety
///
/// `ctx` is NULL or a valid context; `sig` is NULL or has `len` bytes.
unsafe fn open_signature(
    ctx: *mut mbedtls_rsa_context,
    sig: *const c_uchar,
) -> Result<Zeroizing<Vec<u8>>, c_int> {
    if ctx.is_null() || sig.is_null() {
        return Err(MBEDTLS_ERR_RSA_BAD_INPUT_DATA);
    }
    // SAFETY: valid context (caller).
    let len = unsafe { ctx_len(ctx) };
    if len == 0 || len > super::MAX_LEN {
        return Err(MBEDTLS_ERR_RSA_BAD_INPUT_DATA);
    }
    let mut em = scratch(len)?;
    // SAFETY: sig has len bytes (caller).
    let s = unsafe { core::slice::from_raw_parts(sig, len) };
    // SAFETY: valid context.
    match unsafe { public_op(ctx, s, &mut em) } {
        0 => Ok(em),
        r => Err(r),
    }
}

/// PKCS#1 v1.5 verification (in any padding mode): the public operation,
/// then a constant-time comparison with the expected encoding.
/// `MBEDTLS_ERR_RSA_VERIFY_FAILED` on mismatch; `MBEDTLS_ERR_RSA_BAD_INPUT_DATA`
/// for an unknown hash or a wrong `hashlen`.
///
/// Thread safety: lock-free.
///
/// # Safety
///
/// As `mbedtls_rsa_pkcs1_verify`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mbedtls_rsa_rsassa_pkcs1_v15_verify(
    ctx: *mut mbedtls_rsa_context,
    md_alg: mbedtls_md_type_t,
    hashlen: c_uint,
    hash: *const c_uchar,
    sig: *const c_uchar,
) -> c_int {
    boundary(|| {
        rc((|| {
            if ctx.is_null() {
                return Err(MBEDTLS_ERR_RSA_BAD_INPUT_DATA);
            }
            // SAFETY: the caller's buffer.
            let (md, h) = unsafe { hash_arg(md_alg, hashlen, hash) }?;
            // SAFETY: valid context.
            let len = unsafe { ctx_len(ctx) };
            if len == 0 || len > super::MAX_LEN {
                return Err(MBEDTLS_ERR_RSA_BAD_INPUT_DATA);
            }
            let mut expected = scratch(len)?;
            padding::digest_info_encode(md, h, &mut expected).map_err(pad_code)?;
            // SAFETY: caller's context and buffer.
            let em = unsafe { open_signature(ctx, sig) }?;
            let len = em.len();
            if bool::from(em[..len].ct_eq(&expected[..len])) {
                Ok(())
            } else {
                Err(MBEDTLS_ERR_RSA_VERIFY_FAILED)
            }
        })())
    })
}

/// PSS verification with any salt length; the MGF1 hash is the context's,
/// else `md_alg`.
///
/// Thread safety: lock-free.
///
/// # Safety
///
/// As `mbedtls_rsa_pkcs1_verify`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mbedtls_rsa_rsassa_pss_verify(
    ctx: *mut mbedtls_rsa_context,
    md_alg: mbedtls_md_type_t,
    hashlen: c_uint,
    hash: *const c_uchar,
    sig: *const c_uchar,
) -> c_int {
    if ctx.is_null() {
        return MBEDTLS_ERR_RSA_BAD_INPUT_DATA;
    }
    // SAFETY: valid context (caller).
    let hash_id = unsafe { settings(ctx) }.1;
    let mgf = if hash_id != 0 {
        hash_id as mbedtls_md_type_t
    } else {
        md_alg
    };
    // SAFETY: forwarded contracts.
    unsafe { mbedtls_rsa_rsassa_pss_verify_ext(ctx, md_alg, hashlen, hash, mgf, SALT_LEN_ANY, sig) }
}

/// PSS verification (in any padding mode) with the given MGF1 hash and
/// salt length (`MBEDTLS_RSA_SALT_LEN_ANY`: any). 16 <= `len` <= 1024.
/// `MBEDTLS_ERR_RSA_INVALID_PADDING` for a malformed encoding or another
/// salt length, `MBEDTLS_ERR_RSA_VERIFY_FAILED` for a hash mismatch,
/// `MBEDTLS_ERR_RSA_BAD_INPUT_DATA` for bad sizes or an unknown hash.
///
/// Thread safety: lock-free.
///
/// # Safety
///
/// As `mbedtls_rsa_pkcs1_verify`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mbedtls_rsa_rsassa_pss_verify_ext(
    ctx: *mut mbedtls_rsa_context,
    md_alg: mbedtls_md_type_t,
    hashlen: c_uint,
    hash: *const c_uchar,
    mgf1_hash_id: mbedtls_md_type_t,
    expected_salt_len: c_int,
    sig: *const c_uchar,
) -> c_int {
    boundary(|| {
        rc((|| {
            if ctx.is_null() {
                return Err(MBEDTLS_ERR_RSA_BAD_INPUT_DATA);
            }
            // SAFETY: valid context (caller).
            let len = unsafe { ctx_len(ctx) };
            if !(16..=super::MAX_LEN).contains(&len) {
                return Err(MBEDTLS_ERR_RSA_BAD_INPUT_DATA);
            }
            // SAFETY: the caller's buffer.
            let (md, h) = unsafe { hash_arg(md_alg, hashlen, hash) }?;
            let mgf = md_of(mgf1_hash_id as c_int)
                .ok()
                .flatten()
                .ok_or(MBEDTLS_ERR_RSA_BAD_INPUT_DATA)?;
            // SAFETY: caller's context and buffer.
            let mut em = unsafe { open_signature(ctx, sig) }?;
            let len = em.len();
            // SAFETY: valid context.
            let bits = unsafe { current_key(ctx) }?.bits();
            padding::pss_verify(md, mgf, h, expected_salt_len, bits, &mut em[..len])
                .map_err(pad_code)
        })())
    })
}

/// Copies `src` into `dst` (which must be initialised): the length, every
/// component, the padding settings and the prepared key; not the mutex.
/// Consistent while operations run on `src`. On failure `dst` is freed,
/// as upstream does; bignum errors are returned as they are.
///
/// Thread safety: caller serialises for `dst`; operations on `src` may run.
///
/// # Safety
///
/// Both are NULL or valid contexts.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mbedtls_rsa_copy(
    dst: *mut mbedtls_rsa_context,
    src: *const mbedtls_rsa_context,
) -> c_int {
    boundary(|| {
        if dst.is_null() || src.is_null() {
            return MBEDTLS_ERR_RSA_BAD_INPUT_DATA;
        }
        if core::ptr::eq(dst, src) {
            return 0;
        }
        // SAFETY: valid contexts (caller).
        let r = unsafe {
            (|| -> Result<(), MpiError> {
                let c = components(src)?;
                store_components(dst, &c)?;
                set_len(dst, ctx_len(src));
                let (padding, hash_id) = settings(src);
                AtomicI32::from_ptr(&raw mut (*dst).padding).store(padding, Ordering::Relaxed);
                AtomicI32::from_ptr(&raw mut (*dst).hash_id).store(hash_id, Ordering::Relaxed);
                publish(dst, key_ref(src.cast_mut()));
                Ok(())
            })()
        };
        match r {
            Ok(()) => 0,
            Err(e) => {
                // SAFETY: valid context.
                unsafe { mbedtls_rsa_free(dst) };
                mpi_code(e)
            }
        }
    })
}

/// Frees a context: waits for threads inside its mutex, wipes and releases
/// every component, the prepared key (once the last operation using it
/// ends) and the blinding pool, frees the mutex and sets `ver` to 0. NULL
/// is ignored; freeing twice, or a zero-filled context, is harmless. `len`,
/// `padding` and `hash_id` are kept, as upstream.
///
/// Thread safety: caller serialises (operations still running keep their
/// own reference to the key and never touch the context again).
///
/// # Safety
///
/// `ctx` is NULL or a valid (or zero-filled) context.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mbedtls_rsa_free(ctx: *mut mbedtls_rsa_context) {
    boundary(|| {
        if ctx.is_null() {
            return;
        }
        // SAFETY: valid context (caller).
        let lock = unsafe { ctx_lock(ctx) };
        let wipe = || {
            // SAFETY: nobody else is inside the mutex (retire's contract),
            // and the members are ours to wipe.
            unsafe {
                for i in 0..MPIS {
                    crate::bignum::ffi::mbedtls_mpi_free(mpi_at(ctx, i));
                }
                let pool = core::mem::replace(&mut (*ctx).pool, core::ptr::null_mut());
                if !pool.is_null() {
                    drop(Box::from_raw(pool.cast::<Pool>()));
                }
                publish(ctx, None);
                (*ctx).ver = 0;
            }
        };
        if !lock.retire(wipe) {
            // A free from inside one of this context's own callbacks: it
            // would deadlock; nothing is done (the context stays usable).
        }
    })
}

/// Runs the RSA known-answer tests on a fixed 2048-bit key (import and
/// complete, key checks, v1.5 and OAEP encryption round trips, v1.5 and
/// PSS signatures with SHA-256): 0 on success, 1 on failure, one line per
/// test when `verbose` is nonzero.
///
/// Thread safety: pure.
#[cfg(mbedtls_self_test)]
#[unsafe(no_mangle)]
pub extern "C" fn mbedtls_rsa_self_test(verbose: c_int) -> c_int {
    boundary(|| {
        let results = self_test::run();
        let mut failed = 0;
        for (i, (name, ok)) in results.iter().enumerate() {
            crate::md::ffi::self_test_line(verbose, name, i + 1, *ok);
            if !ok {
                failed = 1;
            }
        }
        crate::md::ffi::self_test_end(verbose);
        failed
    })
}

#[cfg(mbedtls_self_test)]
mod self_test {
    //! A key made for this test with `openssl genrsa 2048` (its primes);
    //! everything else is derived and checked through the C entry points.

    use core::ffi::{CStr, c_int, c_uchar, c_void};

    use super::*;

    const P: &[u8] = b"CE5A1B76BCA389C51EAD8E939783972AAB481DA947AE6AE86A725CDE34C4F387FE1281FEE24205C2E350FE83056160DBE01F0AD0E64B755EC0863C4D3A410F6B0CE83AAD0A2BE97EC7EACB3148C24EAA56198B8A0EB34A4C3B83C027670BF94F2EF1C5B7A374F975F5108FB51C2CE6A2DDA85DD08361EA61510D94C3D56E165D";
    const Q: &[u8] = b"C9A34B3E0A0FBBE19BE4AF27F696D1BE8CA8DAC1AAC7FCA39E5214610B941E3C1C6C177B9012A96C06148155A1B71D6F97CE6011494D108DB881B3F24386BFA7261557A4524C075FF0B808AD5FA2DC5AE41EE780C6F62E3F628503AAE9BC110895A93B9DCFE43E678CA27C21A1316F481E8765ECB43BDD595452612B51F3292D";

    unsafe extern "C" fn counter_rng(p: *mut c_void, out: *mut c_uchar, len: usize) -> c_int {
        // SAFETY: p is the test's u8 counter; out has len bytes.
        unsafe {
            let c = &mut *p.cast::<u8>();
            for i in 0..len {
                *c = c.wrapping_mul(31).wrapping_add(17);
                *out.add(i) = *c;
            }
        }
        0
    }

    fn hex_bytes(s: &[u8]) -> Vec<u8> {
        s.chunks(2)
            .map(|c| {
                let v = |x: u8| (x as char).to_digit(16).unwrap_or(0) as u8;
                (v(c[0]) << 4) | v(c[1])
            })
            .collect()
    }

    /// The tests' names and verdicts.
    pub(super) fn run() -> [(&'static CStr, bool); 5] {
        // SAFETY: a context on this frame, used only here, freed at the end.
        unsafe {
            let mut ctx = core::mem::MaybeUninit::<mbedtls_rsa_context>::zeroed();
            let ctx = ctx.as_mut_ptr();
            mbedtls_rsa_init(ctx);
            let (p, q, e) = (hex_bytes(P), hex_bytes(Q), [1u8, 0, 1]);
            let imported = mbedtls_rsa_import_raw(
                ctx,
                core::ptr::null(),
                0,
                p.as_ptr(),
                p.len(),
                q.as_ptr(),
                q.len(),
                core::ptr::null(),
                0,
                e.as_ptr(),
                e.len(),
            ) == 0
                && mbedtls_rsa_complete(ctx) == 0
                && mbedtls_rsa_get_len(ctx) == 256;
            let checked = imported
                && mbedtls_rsa_check_pubkey(ctx) == 0
                && mbedtls_rsa_check_privkey(ctx) == 0;
            let mut seed = 1u8;
            let rng = Some(counter_rng as unsafe extern "C" fn(_, _, _) -> _);
            let prng = (&raw mut seed).cast::<c_void>();
            let msg = b"mbedcrypto-rs RSA self-test";
            let (mut ct, mut pt, mut olen) = ([0u8; 256], [0u8; 256], 0usize);
            let v15 = checked
                && mbedtls_rsa_pkcs1_encrypt(
                    ctx,
                    rng,
                    prng,
                    msg.len(),
                    msg.as_ptr(),
                    ct.as_mut_ptr(),
                ) == 0
                && mbedtls_rsa_pkcs1_decrypt(
                    ctx,
                    rng,
                    prng,
                    &mut olen,
                    ct.as_ptr(),
                    pt.as_mut_ptr(),
                    pt.len(),
                ) == 0
                && &pt[..olen] == msg;
            let mut hash = [0u8; 32];
            crate::md::Hasher::digest(MdType::Sha256, msg, &mut hash);
            let mut sig = [0u8; 256];
            let signed = checked
                && mbedtls_rsa_pkcs1_sign(ctx, rng, prng, 9, 32, hash.as_ptr(), sig.as_mut_ptr())
                    == 0
                && mbedtls_rsa_pkcs1_verify(ctx, 9, 32, hash.as_ptr(), sig.as_ptr()) == 0;
            let v21 = checked
                && mbedtls_rsa_set_padding(ctx, MBEDTLS_RSA_PKCS_V21, 9) == 0
                && mbedtls_rsa_pkcs1_encrypt(
                    ctx,
                    rng,
                    prng,
                    msg.len(),
                    msg.as_ptr(),
                    ct.as_mut_ptr(),
                ) == 0
                && mbedtls_rsa_pkcs1_decrypt(
                    ctx,
                    rng,
                    prng,
                    &mut olen,
                    ct.as_ptr(),
                    pt.as_mut_ptr(),
                    pt.len(),
                ) == 0
                && &pt[..olen] == msg
                && mbedtls_rsa_pkcs1_sign(ctx, rng, prng, 9, 32, hash.as_ptr(), sig.as_mut_ptr())
                    == 0
                && mbedtls_rsa_pkcs1_verify(ctx, 9, 32, hash.as_ptr(), sig.as_ptr()) == 0;
            let mut tampered = sig;
            tampered[100] ^= 1;
            let rejects =
                v21 && mbedtls_rsa_pkcs1_verify(ctx, 9, 32, hash.as_ptr(), tampered.as_ptr()) != 0;
            mbedtls_rsa_free(ctx);
            [
                (c"RSA key validation", checked),
                (c"PKCS#1 v1.5 encryption", v15),
                (c"PKCS#1 v1.5 signature", signed),
                (c"OAEP and PSS", v21),
                (c"tampered signature", rejects),
            ]
        }
    }

    #[cfg(test)]
    #[test]
    fn passes() {
        for (name, ok) in run() {
            assert!(ok, "{name:?}");
        }
    }
}

/// The members reached by index (`mpi_at`) are the ones named: a key
/// imported by name comes back by name from the loads by index. Small
/// enough to run under Miri, which checks the pointers.
#[cfg(test)]
mod mpi_members {
    use super::*;
    use crate::abi::bignum::mbedtls_mpi_sint;
    use crate::bignum::ffi::{
        mbedtls_mpi_cmp_int, mbedtls_mpi_free, mbedtls_mpi_init, mbedtls_mpi_lset,
    };

    #[test]
    fn import_by_name_export_by_index() {
        // SAFETY: a context and mpis on this frame, initialised before use
        // and freed at the end.
        unsafe {
            let mut ctx = core::mem::MaybeUninit::<mbedtls_rsa_context>::zeroed();
            let ctx = ctx.as_mut_ptr();
            mbedtls_rsa_init(ctx);
            let mut v: [mbedtls_mpi; 10] = core::mem::zeroed();
            for (i, m) in v.iter_mut().enumerate() {
                mbedtls_mpi_init(m);
                assert_eq!(mbedtls_mpi_lset(m, 101 + (i % 5) as mbedtls_mpi_sint), 0);
            }
            let [n, p, q, d, e, out @ ..] = &mut v;
            assert_eq!(mbedtls_rsa_import(ctx, n, p, q, d, e), 0);
            let [on, op, oq, od, oe] = out;
            assert_eq!(mbedtls_rsa_export(ctx, on, op, oq, od, oe), 0);
            for (i, m) in [on, op, oq, od, oe].into_iter().enumerate() {
                assert_eq!(
                    mbedtls_mpi_cmp_int(m, 101 + i as mbedtls_mpi_sint),
                    0,
                    "member {i}"
                );
            }
            mbedtls_rsa_free(ctx);
            for m in v.iter_mut() {
                mbedtls_mpi_free(m);
            }
        }
    }
}
