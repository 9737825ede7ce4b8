//! The C surface of ctr_drbg.h.
//!
//! Every function that reads or changes a seeded context takes the
//! context's lock (see `threading/ctx.rs`), not only
//! `mbedtls_ctr_drbg_random` as upstream: `random_with_add`, `reseed`,
//! `update`, the setters and the seed-file functions too. The entropy
//! callback runs while the lock is held; a callback that calls back into
//! the same context gets `MBEDTLS_ERR_THREADING_MUTEX_ERROR` (and the seed
//! or reseed that called it then fails with
//! `MBEDTLS_ERR_CTR_DRBG_ENTROPY_SOURCE_FAILED` if the callback reports
//! the failure). Lock order: a context's lock, then whatever the callback
//! locks (typically an entropy context's).
//!
//! Codes for misuse that upstream does not define:
//! - NULL context, or a context that is not seeded (never seeded, its last
//!   seed failed, or freed): `MBEDTLS_ERR_CTR_DRBG_ENTROPY_SOURCE_FAILED`
//!   ("no entropy source to work from"). Upstream crashes.
//! - A NULL buffer with a non-zero length:
//!   `MBEDTLS_ERR_CTR_DRBG_INPUT_TOO_BIG` (the length exceeds the buffer).
//! - A NULL path: `MBEDTLS_ERR_CTR_DRBG_FILE_IO_ERROR`.

#[cfg(mbedtls_fs_io)]
use core::ffi::c_char;
use core::ffi::{c_int, c_uchar, c_void};
use core::mem::size_of;
use core::sync::atomic::AtomicU32;

use super::{Drbg, EntropySource, Error, Settings};
use crate::abi::ctr_drbg::*;
use crate::ffi::{boundary, try_slice, try_slice_mut};
use crate::platform::fork;
use crate::threading::ctx::{CtxLock, EnterError};

/// The code for "no seeded DRBG here".
const NOT_SEEDED: c_int = MBEDTLS_ERR_CTR_DRBG_ENTROPY_SOURCE_FAILED;

/// `flags`: the last seed succeeded (the key in `aes_ctx` is
/// valid and the context may produce output).
const SEEDED: u32 = 1;

// The key fits in `aes_ctx`.
const _: () = assert!(
    super::KEYSIZE <= MBEDCRYPTO_CTR_DRBG_AES_WORDS * size_of::<mbedcrypto_ctr_drbg_aes_word>(),
    "aes_ctx is too small for the key"
);

/// The single mapping from core errors to C codes.
fn code(e: Error) -> c_int {
    match e {
        Error::EntropySourceFailed => MBEDTLS_ERR_CTR_DRBG_ENTROPY_SOURCE_FAILED,
        Error::RequestTooBig => MBEDTLS_ERR_CTR_DRBG_REQUEST_TOO_BIG,
        Error::InputTooBig => MBEDTLS_ERR_CTR_DRBG_INPUT_TOO_BIG,
    }
}

/// The application's entropy callback.
struct CEntropy {
    f: unsafe extern "C" fn(*mut c_void, *mut c_uchar, usize) -> c_int,
    p: *mut c_void,
}

impl EntropySource for CEntropy {
    fn fill(&mut self, buf: &mut [u8]) -> bool {
        // SAFETY: the callback was given to mbedtls_ctr_drbg_seed with
        // this context pointer; it fills `buf.len()` bytes of a live
        // buffer.
        unsafe { (self.f)(self.p, buf.as_mut_ptr(), buf.len()) == 0 }
    }
}

/// The lock over a context's guard words and mutex.
///
/// # Safety
///
/// `ctx` is non-NULL and points to a context that stays valid for `'a`.
unsafe fn lock_of<'a>(ctx: *mut mbedtls_ctr_drbg_context) -> CtxLock<'a> {
    // SAFETY: per this function's contract; the guard words are only ever
    // accessed atomically, and u32 has AtomicU32's alignment.
    let state = unsafe { AtomicU32::from_ptr(&raw mut (*ctx).guard_state) };
    // SAFETY: as above.
    let holder = unsafe { AtomicU32::from_ptr(&raw mut (*ctx).guard_holder) };
    #[cfg(mbedtls_threading_c)]
    // SAFETY: the mutex member is valid for 'a and only used through
    // CtxLocks over the same guard words.
    return unsafe { CtxLock::new(state, holder, &raw mut (*ctx).mutex) };
    #[cfg(not(mbedtls_threading_c))]
    return CtxLock::new(state, holder);
}

/// The key inside `aes_ctx` (its first `KEYSIZE` bytes).
///
/// # Safety
///
/// `ctx` is valid, and the caller holds its lock (or is the only user).
unsafe fn key_place(ctx: *mut mbedtls_ctr_drbg_context) -> *mut [u8; super::KEYSIZE] {
    // SAFETY: per the contract (a place projection, no access); `aes_ctx`
    // is larger than a key (asserted above) and bytes need no alignment.
    unsafe { &raw mut (*ctx).aes_ctx }.cast()
}

/// The working view of a seeded context.
///
/// # Safety
///
/// `ctx` is valid, the caller holds its lock, the context is seeded, and
/// no other reference to these members exists for `'a`.
unsafe fn drbg<'a>(ctx: *mut mbedtls_ctr_drbg_context) -> Drbg<'a> {
    // SAFETY: per the contract.
    unsafe {
        let key = &mut *key_place(ctx);
        Drbg {
            v: &mut (*ctx).counter,
            key,
            reseed_counter: &mut (*ctx).reseed_counter,
        }
    }
}

/// The settings and the entropy source of a context.
///
/// # Safety
///
/// `ctx` is valid and the caller holds its lock.
unsafe fn settings(ctx: *mut mbedtls_ctr_drbg_context) -> (Settings, Option<CEntropy>) {
    // SAFETY: per the contract.
    unsafe {
        let s = Settings {
            entropy_len: (*ctx).entropy_len,
            prediction_resistance: (*ctx).prediction_resistance != 0,
            reseed_interval: (*ctx).reseed_interval,
        };
        let src = (*ctx).f_entropy.map(|f| CEntropy {
            f,
            p: (*ctx).p_entropy,
        });
        (s, src)
    }
}

/// Whether the context is seeded.
///
/// # Safety
///
/// `ctx` is valid and the caller holds its lock.
unsafe fn is_seeded(ctx: *mut mbedtls_ctr_drbg_context) -> bool {
    // SAFETY: per the contract.
    unsafe { (*ctx).flags & SEEDED != 0 }
}

/// Runs `op` on a seeded context under its lock.
///
/// # Safety
///
/// `ctx` is non-NULL and valid.
unsafe fn with_seeded(
    ctx: *mut mbedtls_ctr_drbg_context,
    reseeds: bool,
    op: impl FnOnce(&mut Drbg<'_>, Settings, &mut CEntropy) -> c_int,
) -> c_int {
    // SAFETY: per the contract.
    let lock = unsafe { lock_of(ctx) };
    let held = match lock.enter() {
        Ok(h) => h,
        Err(e) => return e.code(NOT_SEEDED),
    };
    // SAFETY: we hold the lock.
    let rc = match unsafe { (is_seeded(ctx), settings(ctx)) } {
        (true, (s, Some(mut src))) => {
            // SAFETY: seeded, locked, and no other view exists.
            let mut d = unsafe { drbg(ctx) };
            let rc = op(&mut d, s, &mut src);
            if rc == 0 && reseeds {
                // SAFETY: locked; the state now comes from this process's
                // entropy.
                unsafe { (*ctx).fork_gen = fork::generation() };
            }
            rc
        }
        _ => NOT_SEEDED,
    };
    match held.unlock() {
        0 => rc,
        e => e,
    }
}

/// Writes a setting: under the lock if the context is live; directly
/// before seeding (when the caller serialises, as with `init`), and also
/// from inside the context's own entropy callback, whose thread holds the
/// lock (settings are not borrowed across the callback).
///
/// # Safety
///
/// `ctx` is non-NULL and valid.
unsafe fn set(ctx: *mut mbedtls_ctr_drbg_context, write: impl FnOnce()) {
    // SAFETY: per the contract.
    let lock = unsafe { lock_of(ctx) };
    match lock.enter() {
        Ok(held) => {
            write();
            let _ = held.unlock();
        }
        Err(EnterError::NotLive) | Err(EnterError::Reentered) => write(),
        // Nothing can be reported from a void function; the setting is
        // left alone rather than changed without the lock.
        Err(EnterError::Lock(_)) => {}
    }
}

/// Initialises a context: zero state, no nonce length chosen
/// (`reseed_counter = -1`), `reseed_interval` =
/// `MBEDTLS_CTR_DRBG_RESEED_INTERVAL`. The mutex is not touched; the first
/// `mbedtls_ctr_drbg_seed()` initialises it. NULL is ignored.
///
/// Thread safety: caller serialises.
///
/// # Safety
///
/// `ctx` is NULL or points to writable memory for a context that no other
/// thread uses.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mbedtls_ctr_drbg_init(ctx: *mut mbedtls_ctr_drbg_context) {
    boundary(|| {
        if ctx.is_null() {
            return;
        }
        // SAFETY: per this function's contract: all-bits-zero is a valid
        // context (no seed, lock words "never started").
        unsafe {
            core::ptr::write_bytes(ctx, 0, 1);
            (*ctx).reseed_counter = -1;
            (*ctx).reseed_interval = MBEDTLS_CTR_DRBG_RESEED_INTERVAL;
        }
    })
}

/// Seeds (instantiates) the DRBG: draws `entropy_len` bytes (default
/// `MBEDTLS_CTR_DRBG_ENTROPY_LEN`) from `f_entropy`, then the nonce in a
/// second call (its length chosen with `mbedtls_ctr_drbg_set_nonce_len()`,
/// else 0 if the entropy is at least 1.5 times the key size, else half the
/// entropy length), and mixes in `custom` (the personalisation string,
/// `len` bytes; NULL if `len` is 0).
///
/// The first seed initialises the context's mutex; the context then needs
/// `mbedtls_ctr_drbg_free()` even if seeding fails. Seeding a seeded
/// context again (without free) instantiates it afresh (V and key reset,
/// default nonce length) and reuses the mutex.
///
/// Returns 0, `MBEDTLS_ERR_CTR_DRBG_ENTROPY_SOURCE_FAILED` if `f_entropy`
/// fails or is NULL (or `ctx` is NULL), `MBEDTLS_ERR_CTR_DRBG_INPUT_TOO_BIG`
/// if entropy, nonce and `custom` exceed `MBEDTLS_CTR_DRBG_MAX_SEED_INPUT`
/// bytes, or a lock error. After a failure the context produces no output
/// until seeded successfully.
///
/// `f_entropy` runs while the context is locked; it must not use this
/// context (such calls fail with `MBEDTLS_ERR_THREADING_MUTEX_ERROR`).
///
/// Thread safety: locked.
///
/// # Safety
///
/// `ctx` is NULL or an initialised context; `custom` is NULL or points to
/// `len` readable bytes; `f_entropy` may be called with `p_entropy` while
/// the context is seeded.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mbedtls_ctr_drbg_seed(
    ctx: *mut mbedtls_ctr_drbg_context,
    f_entropy: Option<unsafe extern "C" fn(*mut c_void, *mut c_uchar, usize) -> c_int>,
    p_entropy: *mut c_void,
    custom: *const c_uchar,
    len: usize,
) -> c_int {
    boundary(|| {
        if ctx.is_null() {
            return NOT_SEEDED;
        }
        let Some(f) = f_entropy else {
            return MBEDTLS_ERR_CTR_DRBG_ENTROPY_SOURCE_FAILED;
        };
        // SAFETY: per this function's contract.
        let Some(custom) = (unsafe { try_slice(custom, len) }) else {
            return MBEDTLS_ERR_CTR_DRBG_INPUT_TOO_BIG;
        };
        fork::watch();
        // SAFETY: `ctx` is valid.
        let lock = unsafe { lock_of(ctx) };
        lock.start();
        let held = match lock.enter() {
            Ok(h) => h,
            Err(e) => return e.code(NOT_SEEDED),
        };
        // SAFETY: we hold the lock; members are accessed one by one.
        let rc = unsafe {
            (*ctx).f_entropy = Some(f);
            (*ctx).p_entropy = p_entropy;
            let was_seeded = (*ctx).flags & SEEDED != 0;
            (*ctx).flags &= !SEEDED;
            if (*ctx).entropy_len == 0 {
                (*ctx).entropy_len = super::ENTROPY_LEN;
            }
            let entropy_len = (*ctx).entropy_len;
            let nonce_len = match (*ctx).reseed_counter {
                n if n >= 0 && !was_seeded => n as usize,
                _ => super::default_nonce_len(entropy_len),
            };
            let mut d = drbg(ctx);
            let mut src = CEntropy { f, p: p_entropy };
            match d.instantiate(&mut src, entropy_len, nonce_len, custom) {
                Ok(()) => {
                    (*ctx).flags |= SEEDED;
                    (*ctx).fork_gen = fork::generation();
                    0
                }
                Err(e) => code(e),
            }
        };
        match held.unlock() {
            0 => rc,
            e => e,
        }
    })
}

/// Frees a context: waits for operations in progress on other threads,
/// wipes the state, frees the mutex if a seed initialised it, and leaves
/// the context as `mbedtls_ctr_drbg_init()` does (it may be seeded again).
/// NULL, a context that was only initialised, and a second free are
/// accepted and harmless. A free from inside the context's own entropy
/// callback does nothing.
///
/// Thread safety: locked (other threads' calls on the context either
/// finish first or fail with `MBEDTLS_ERR_CTR_DRBG_ENTROPY_SOURCE_FAILED`;
/// the memory must of course stay valid until they have returned).
///
/// # Safety
///
/// `ctx` is NULL or points to an initialised (or zero-filled) context.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mbedtls_ctr_drbg_free(ctx: *mut mbedtls_ctr_drbg_context) {
    boundary(|| {
        if ctx.is_null() {
            return;
        }
        // SAFETY: `ctx` is valid.
        let lock = unsafe { lock_of(ctx) };
        lock.retire(|| {
            // SAFETY: nobody else is inside the context. Everything but the
            // mutex (freed by `retire`) and the lock words is wiped.
            unsafe {
                zeroize::Zeroize::zeroize(&mut (&mut (*ctx).counter)[..]);
                zeroize::Zeroize::zeroize(&mut (&mut (*ctx).aes_ctx)[..]);
                (*ctx).reseed_counter = -1;
                (*ctx).prediction_resistance = 0;
                (*ctx).entropy_len = 0;
                (*ctx).reseed_interval = MBEDTLS_CTR_DRBG_RESEED_INTERVAL;
                (*ctx).f_entropy = None;
                (*ctx).p_entropy = core::ptr::null_mut();
                (*ctx).fork_gen = 0;
                (*ctx).flags = 0;
            }
        });
    })
}

/// Turns prediction resistance on (`MBEDTLS_CTR_DRBG_PR_ON`: reseed
/// before every request) or off. NULL is ignored.
///
/// Thread safety: locked (on a seeded context; before seeding the caller
/// serialises, as for `init`).
///
/// # Safety
///
/// `ctx` is NULL or an initialised context.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mbedtls_ctr_drbg_set_prediction_resistance(
    ctx: *mut mbedtls_ctr_drbg_context,
    resistance: c_int,
) {
    boundary(|| {
        if ctx.is_null() {
            return;
        }
        // SAFETY: `ctx` is valid; the write happens under the lock or by
        // its holder, or before seeding.
        unsafe { set(ctx, || (*ctx).prediction_resistance = resistance) }
    })
}

/// Sets the number of entropy bytes drawn per (re)seed (checked when the
/// next (re)seed happens). NULL is ignored.
///
/// Thread safety: locked (on a seeded context; before seeding the caller
/// serialises).
///
/// # Safety
///
/// `ctx` is NULL or an initialised context.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mbedtls_ctr_drbg_set_entropy_len(
    ctx: *mut mbedtls_ctr_drbg_context,
    len: usize,
) {
    boundary(|| {
        if ctx.is_null() {
            return;
        }
        // SAFETY: as in set_prediction_resistance.
        unsafe { set(ctx, || (*ctx).entropy_len = len) }
    })
}

/// Chooses the nonce length of the next seed; only before seeding.
/// Returns 0, `MBEDTLS_ERR_CTR_DRBG_ENTROPY_SOURCE_FAILED` once the
/// context has been seeded (or if `ctx` is NULL), or
/// `MBEDTLS_ERR_CTR_DRBG_INPUT_TOO_BIG` if `len` exceeds
/// `MBEDTLS_CTR_DRBG_MAX_SEED_INPUT`.
///
/// Thread safety: caller serialises (it only applies before seeding; on a
/// seeded context it fails without touching it).
///
/// # Safety
///
/// `ctx` is NULL or an initialised context.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mbedtls_ctr_drbg_set_nonce_len(
    ctx: *mut mbedtls_ctr_drbg_context,
    len: usize,
) -> c_int {
    boundary(|| {
        if ctx.is_null() {
            return NOT_SEEDED;
        }
        // SAFETY: `ctx` is valid.
        let lock = unsafe { lock_of(ctx) };
        if lock.is_live() {
            return MBEDTLS_ERR_CTR_DRBG_ENTROPY_SOURCE_FAILED;
        }
        if len > super::MAX_SEED_INPUT {
            return MBEDTLS_ERR_CTR_DRBG_INPUT_TOO_BIG;
        }
        // SAFETY: not seeded: the caller serialises.
        unsafe { (*ctx).reseed_counter = len as c_int };
        0
    })
}

/// Sets the number of requests between automatic reseeds. NULL is ignored.
///
/// Thread safety: locked (on a seeded context; before seeding the caller
/// serialises).
///
/// # Safety
///
/// `ctx` is NULL or an initialised context.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mbedtls_ctr_drbg_set_reseed_interval(
    ctx: *mut mbedtls_ctr_drbg_context,
    interval: c_int,
) {
    boundary(|| {
        if ctx.is_null() {
            return;
        }
        // SAFETY: as in set_prediction_resistance.
        unsafe { set(ctx, || (*ctx).reseed_interval = interval) }
    })
}

/// The size checks of a reseed, for a context that is not seeded (so that
/// the answer matches upstream's, which checks sizes first).
///
/// # Safety
///
/// `ctx` is valid and the caller serialises.
unsafe fn reseed_sizes_ok(ctx: *mut mbedtls_ctr_drbg_context, len: usize) -> bool {
    // SAFETY: per the contract.
    let entropy_len = unsafe { (*ctx).entropy_len };
    entropy_len <= super::MAX_SEED_INPUT && len <= super::MAX_SEED_INPUT - entropy_len
}

/// Reseeds: draws `entropy_len` bytes from the entropy callback and mixes
/// them in with `additional` (`len` bytes; NULL if `len` is 0).
///
/// Returns 0, `MBEDTLS_ERR_CTR_DRBG_ENTROPY_SOURCE_FAILED` (the callback
/// failed; or the context is not seeded or NULL),
/// `MBEDTLS_ERR_CTR_DRBG_INPUT_TOO_BIG` if entropy and `additional`
/// exceed `MBEDTLS_CTR_DRBG_MAX_SEED_INPUT`, or a lock error.
///
/// Thread safety: locked.
///
/// # Safety
///
/// `ctx` is NULL or an initialised context; `additional` is NULL or points
/// to `len` readable bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mbedtls_ctr_drbg_reseed(
    ctx: *mut mbedtls_ctr_drbg_context,
    additional: *const c_uchar,
    len: usize,
) -> c_int {
    boundary(|| {
        if ctx.is_null() {
            return NOT_SEEDED;
        }
        // SAFETY: per this function's contract.
        let Some(add) = (unsafe { try_slice(additional, len) }) else {
            return MBEDTLS_ERR_CTR_DRBG_INPUT_TOO_BIG;
        };
        // SAFETY: `ctx` is valid.
        let lock = unsafe { lock_of(ctx) };
        // SAFETY: not live: the caller serialises.
        if !lock.is_live() && unsafe { !reseed_sizes_ok(ctx, len) } {
            return MBEDTLS_ERR_CTR_DRBG_INPUT_TOO_BIG;
        }
        // SAFETY: `ctx` is valid.
        unsafe {
            with_seeded(ctx, true, |d, s, src| {
                match d.reseed(src, s.entropy_len, add, 0) {
                    Ok(()) => 0,
                    Err(e) => code(e),
                }
            })
        }
    })
}

/// Mixes `additional` (`add_len` bytes, at most
/// `MBEDTLS_CTR_DRBG_MAX_SEED_INPUT`) into the state without drawing
/// entropy. `add_len` 0 does nothing and returns 0.
///
/// Returns 0, `MBEDTLS_ERR_CTR_DRBG_INPUT_TOO_BIG`,
/// `MBEDTLS_ERR_CTR_DRBG_ENTROPY_SOURCE_FAILED` if the context is not
/// seeded (or NULL), or a lock error.
///
/// Thread safety: locked.
///
/// # Safety
///
/// `ctx` is NULL or an initialised context; `additional` is NULL or points
/// to `add_len` readable bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mbedtls_ctr_drbg_update(
    ctx: *mut mbedtls_ctr_drbg_context,
    additional: *const c_uchar,
    add_len: usize,
) -> c_int {
    boundary(|| {
        if ctx.is_null() {
            return NOT_SEEDED;
        }
        if add_len == 0 {
            return 0;
        }
        if add_len > super::MAX_SEED_INPUT {
            return MBEDTLS_ERR_CTR_DRBG_INPUT_TOO_BIG;
        }
        // SAFETY: per this function's contract.
        let Some(add) = (unsafe { try_slice(additional, add_len) }) else {
            return MBEDTLS_ERR_CTR_DRBG_INPUT_TOO_BIG;
        };
        // SAFETY: `ctx` is valid.
        unsafe {
            with_seeded(ctx, false, |d, _, _| match d.update_with(add) {
                Ok(()) => 0,
                Err(e) => code(e),
            })
        }
    })
}

/// One generate request on a non-NULL context.
///
/// # Safety
///
/// `ctx` is valid; `out` and `add` do not overlap the context.
unsafe fn generate(ctx: *mut mbedtls_ctr_drbg_context, out: &mut [u8], add: &[u8]) -> c_int {
    // SAFETY: per the contract.
    let lock = unsafe { lock_of(ctx) };
    let held = match lock.enter() {
        Ok(h) => h,
        Err(e) => return e.code(NOT_SEEDED),
    };
    // SAFETY: we hold the lock.
    let result = match unsafe { (is_seeded(ctx), settings(ctx)) } {
        (true, (s, Some(mut src))) => {
            // SAFETY: locked.
            let forked = unsafe { (*ctx).fork_gen } != fork::generation();
            // SAFETY: seeded, locked, and no other view exists.
            let mut d = unsafe { drbg(ctx) };
            let r = d.generate(&mut src, s, forked, out, add);
            if forked && r.is_ok() {
                // SAFETY: locked.
                unsafe { (*ctx).fork_gen = fork::generation() };
            }
            r.map_err(code)
        }
        _ => Err(NOT_SEEDED),
    };
    if held.unlock() != 0 {
        return crate::abi::threading::MBEDTLS_ERR_THREADING_MUTEX_ERROR;
    }
    match result {
        Ok(Some(pending)) => {
            pending.fill(out);
            0
        }
        Ok(None) => 0,
        Err(rc) => rc,
    }
}

/// Produces `output_len` random bytes (at most
/// `MBEDTLS_CTR_DRBG_MAX_REQUEST`) after mixing in `additional` (`add_len`
/// bytes, at most `MBEDTLS_CTR_DRBG_MAX_INPUT`). Reseeds first when the
/// reseed interval is reached, prediction resistance is on, or the process
/// has forked since the last (re)seed (so parent and child never share
/// output).
///
/// Returns 0, `MBEDTLS_ERR_CTR_DRBG_REQUEST_TOO_BIG`,
/// `MBEDTLS_ERR_CTR_DRBG_INPUT_TOO_BIG`,
/// `MBEDTLS_ERR_CTR_DRBG_ENTROPY_SOURCE_FAILED` (a reseed failed, or the
/// context is not seeded or NULL), or a lock error.
///
/// Concurrent requests on one context each get their own part of the DRBG's
/// output stream, exactly as if they had run one after another; the AES
/// work of long requests runs after the lock is released.
///
/// Thread safety: locked.
///
/// # Safety
///
/// `p_rng` is NULL or an initialised `mbedtls_ctr_drbg_context`; `output`
/// is NULL or points to `output_len` writable bytes; `additional` is NULL or
/// points to `add_len` readable bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mbedtls_ctr_drbg_random_with_add(
    p_rng: *mut c_void,
    output: *mut c_uchar,
    output_len: usize,
    additional: *const c_uchar,
    add_len: usize,
) -> c_int {
    boundary(|| {
        if output_len > super::MAX_REQUEST {
            return MBEDTLS_ERR_CTR_DRBG_REQUEST_TOO_BIG;
        }
        if add_len > super::MAX_INPUT {
            return MBEDTLS_ERR_CTR_DRBG_INPUT_TOO_BIG;
        }
        let ctx = p_rng.cast::<mbedtls_ctr_drbg_context>();
        if ctx.is_null() {
            return NOT_SEEDED;
        }
        // SAFETY: per this function's contract.
        let Some(out) = (unsafe { try_slice_mut(output, output_len) }) else {
            return MBEDTLS_ERR_CTR_DRBG_INPUT_TOO_BIG;
        };
        // SAFETY: per this function's contract.
        let Some(add) = (unsafe { try_slice(additional, add_len) }) else {
            return MBEDTLS_ERR_CTR_DRBG_INPUT_TOO_BIG;
        };
        // SAFETY: `ctx` is valid.
        unsafe { generate(ctx, out, add) }
    })
}

/// Produces `output_len` random bytes (at most
/// `MBEDTLS_CTR_DRBG_MAX_REQUEST`): `mbedtls_ctr_drbg_random_with_add()`
/// without additional input. This is the `f_rng` callback to pass with the
/// context as `p_rng`.
///
/// Thread safety: locked.
///
/// # Safety
///
/// `p_rng` is NULL or an initialised `mbedtls_ctr_drbg_context`; `output`
/// is NULL or points to `output_len` writable bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mbedtls_ctr_drbg_random(
    p_rng: *mut c_void,
    output: *mut c_uchar,
    output_len: usize,
) -> c_int {
    // SAFETY: per this function's contract.
    unsafe { mbedtls_ctr_drbg_random_with_add(p_rng, output, output_len, core::ptr::null(), 0) }
}

#[cfg(mbedtls_fs_io)]
fn open_path(path: *const c_char, write: bool) -> Option<std::fs::File> {
    // SAFETY: the callers' contract: NULL or a NUL-terminated string.
    let bytes = unsafe { crate::ffi::try_cstr(path) }?;
    #[cfg(unix)]
    let p =
        std::path::Path::new(<std::ffi::OsStr as std::os::unix::ffi::OsStrExt>::from_bytes(bytes));
    #[cfg(not(unix))]
    let p = std::path::Path::new(core::str::from_utf8(bytes).ok()?);
    if write {
        std::fs::File::create(p).ok()
    } else {
        std::fs::File::open(p).ok()
    }
}

/// Writes `MBEDTLS_CTR_DRBG_MAX_INPUT` (256) fresh random bytes to the file
/// `path` (created or truncated).
///
/// Returns 0, `MBEDTLS_ERR_CTR_DRBG_FILE_IO_ERROR` if the file cannot be
/// opened or written (or `path` is NULL), or an error of
/// `mbedtls_ctr_drbg_random()` (the file is then left empty).
///
/// Thread safety: locked.
///
/// # Safety
///
/// `ctx` is NULL or an initialised context; `path` is NULL or a
/// NUL-terminated string.
#[cfg(mbedtls_fs_io)]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mbedtls_ctr_drbg_write_seed_file(
    ctx: *mut mbedtls_ctr_drbg_context,
    path: *const c_char,
) -> c_int {
    use std::io::Write;
    boundary(|| {
        let Some(mut f) = open_path(path, true) else {
            return MBEDTLS_ERR_CTR_DRBG_FILE_IO_ERROR;
        };
        let mut buf = zeroize::Zeroizing::new([0u8; super::MAX_INPUT]);
        // SAFETY: per this function's contract; `buf` is a live buffer.
        let rc = unsafe { mbedtls_ctr_drbg_random(ctx.cast(), buf.as_mut_ptr(), buf.len()) };
        if rc != 0 {
            return rc;
        }
        match f.write_all(&buf[..]).and_then(|()| f.flush()) {
            Ok(()) => 0,
            Err(_) => MBEDTLS_ERR_CTR_DRBG_FILE_IO_ERROR,
        }
    })
}

/// Reads the seed file `path` (1 to `MBEDTLS_CTR_DRBG_MAX_INPUT` bytes),
/// mixes it in with `mbedtls_ctr_drbg_update()`, then rewrites the file
/// with `mbedtls_ctr_drbg_write_seed_file()`.
///
/// Returns 0, `MBEDTLS_ERR_CTR_DRBG_FILE_IO_ERROR` if the file cannot be
/// opened or read or is empty (or `path` is NULL),
/// `MBEDTLS_ERR_CTR_DRBG_INPUT_TOO_BIG` if it is longer than
/// `MBEDTLS_CTR_DRBG_MAX_INPUT` bytes, or an error of the update or write.
///
/// Thread safety: locked.
///
/// # Safety
///
/// As for `mbedtls_ctr_drbg_write_seed_file()`.
#[cfg(mbedtls_fs_io)]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mbedtls_ctr_drbg_update_seed_file(
    ctx: *mut mbedtls_ctr_drbg_context,
    path: *const c_char,
) -> c_int {
    use std::io::Read;
    boundary(|| {
        let Some(mut f) = open_path(path, false) else {
            return MBEDTLS_ERR_CTR_DRBG_FILE_IO_ERROR;
        };
        let mut buf = zeroize::Zeroizing::new([0u8; super::MAX_INPUT + 1]);
        let mut n = 0;
        while n < buf.len() {
            match f.read(&mut buf[n..]) {
                Ok(0) => break,
                Ok(k) => n += k,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(_) => return MBEDTLS_ERR_CTR_DRBG_FILE_IO_ERROR,
            }
        }
        drop(f);
        if n > super::MAX_INPUT {
            return MBEDTLS_ERR_CTR_DRBG_INPUT_TOO_BIG;
        }
        if n == 0 {
            return MBEDTLS_ERR_CTR_DRBG_FILE_IO_ERROR;
        }
        // SAFETY: per this function's contract; `buf` holds `n` bytes.
        let rc = unsafe { mbedtls_ctr_drbg_update(ctx, buf.as_ptr(), n) };
        if rc != 0 {
            return rc;
        }
        // SAFETY: per this function's contract.
        unsafe { mbedtls_ctr_drbg_write_seed_file(ctx, path) }
    })
}

/// Test data for the self-test: NIST CAVP CTR_DRBG vectors (CAVS 14.3,
/// "use df", COUNT = 0 of the first block with personalisation string and
/// additional input).
#[cfg(mbedtls_self_test)]
mod kat {
    /// One known-answer case.
    pub(super) struct Case {
        /// Printed by a verbose self-test (hosted builds only).
        #[cfg_attr(not(feature = "std"), allow(dead_code))]
        pub(super) name: &'static str,
        pub(super) pr: bool,
        pub(super) entropy_len: usize,
        pub(super) nonce_len: usize,
        pub(super) entropy: &'static [u8],
        pub(super) pers: &'static [u8],
        pub(super) add_reseed: &'static [u8],
        pub(super) add1: &'static [u8],
        pub(super) add2: &'static [u8],
        pub(super) result: &'static [u8],
    }

    use crate::hex::hex;

    include!("kat.rs");
}

#[cfg(mbedtls_self_test)]
struct KatSource {
    data: [u8; 256],
    len: usize,
    pos: usize,
}

#[cfg(mbedtls_self_test)]
unsafe extern "C" fn kat_entropy(p: *mut c_void, out: *mut c_uchar, len: usize) -> c_int {
    // SAFETY: the self-test passes a live KatSource as p_entropy, and the
    // library passes a writable buffer of `len` bytes.
    let (src, out) = unsafe {
        (
            &mut *p.cast::<KatSource>(),
            core::slice::from_raw_parts_mut(out, len),
        )
    };
    if src.len - src.pos < len {
        return -1;
    }
    out.copy_from_slice(&src.data[src.pos..src.pos + len]);
    src.pos += len;
    0
}

#[cfg(mbedtls_self_test)]
fn kat_run(case: &kat::Case) -> bool {
    let mut src = KatSource {
        data: [0; 256],
        len: 0,
        pos: 0,
    };
    src.len = case.entropy.len();
    src.data[..src.len].copy_from_slice(case.entropy);
    let (entropy_len, nonce_len) = (case.entropy_len, case.nonce_len);
    let (pers, pers_len) = (case.pers, case.pers.len());
    let add = [case.add_reseed, case.add1, case.add2];
    let lens = add.map(<[u8]>::len);
    let (want, want_len) = (case.result, case.result.len());
    let mut out = [0u8; 64];

    let mut ctx = core::mem::MaybeUninit::<mbedtls_ctr_drbg_context>::uninit();
    let c = ctx.as_mut_ptr();
    // SAFETY: `c` points to a local context that is initialised first and
    // freed last; every buffer is a live local of the stated length.
    let ok = unsafe {
        mbedtls_ctr_drbg_init(c);
        mbedtls_ctr_drbg_set_entropy_len(c, entropy_len);
        let mut ok = mbedtls_ctr_drbg_set_nonce_len(c, nonce_len) == 0
            && mbedtls_ctr_drbg_seed(
                c,
                Some(kat_entropy),
                (&raw mut src).cast(),
                pers.as_ptr(),
                pers_len,
            ) == 0;
        if ok && case.pr {
            mbedtls_ctr_drbg_set_prediction_resistance(c, MBEDTLS_CTR_DRBG_PR_ON);
        } else if ok {
            ok = mbedtls_ctr_drbg_reseed(c, add[0].as_ptr(), lens[0]) == 0;
        }
        for i in 1..3 {
            ok = ok
                && mbedtls_ctr_drbg_random_with_add(
                    c.cast(),
                    out.as_mut_ptr(),
                    want_len,
                    add[i].as_ptr(),
                    lens[i],
                ) == 0;
        }
        mbedtls_ctr_drbg_free(c);
        ok
    };
    ok && out[..want_len] == *want
}

/// Runs the known-answer tests (NIST CAVP vectors for this build's AES key
/// size, with and without prediction resistance). Prints progress if
/// `verbose` is non-zero. Returns 0 if all pass, 1 otherwise.
///
/// Thread safety: pure.
#[cfg(mbedtls_self_test)]
#[unsafe(no_mangle)]
pub extern "C" fn mbedtls_ctr_drbg_self_test(verbose: c_int) -> c_int {
    boundary(|| {
        let mut failed = 0;
        for case in kat::CASES {
            let ok = kat_run(case);
            #[cfg(feature = "std")]
            if verbose != 0 {
                std::println!(
                    "  CTR_DRBG ({}): {}",
                    case.name,
                    if ok { "passed" } else { "failed" }
                );
            }
            if !ok {
                failed = 1;
            }
        }
        #[cfg(feature = "std")]
        if verbose != 0 {
            std::println!();
        }
        #[cfg(not(feature = "std"))]
        let _ = verbose;
        failed
    })
}
