//! The C surface of ssl_cookie.h. Every entry point on a live context
//! locks it (upstream locks only write and check), the HMAC key is drawn
//! from the caller's RNG outside the lock, and `free` waits for calls in
//! flight.

use core::ffi::{c_int, c_uchar, c_ulong, c_void};
use core::sync::atomic::AtomicU32;

use zeroize::Zeroize;

use super::{COOKIE_LEN, KEY_LEN, TAG_LEN, TIME_LEN, expired, tag_matches};
use crate::abi::md::mbedtls_md_context_t;
use crate::abi::ssl::{
    MBEDTLS_ERR_SSL_BAD_INPUT_DATA, MBEDTLS_ERR_SSL_BUFFER_TOO_SMALL,
    MBEDTLS_ERR_SSL_INTERNAL_ERROR,
};
use crate::abi::ssl_cookie::{MBEDTLS_SSL_COOKIE_TIMEOUT, mbedtls_ssl_cookie_ctx};
use crate::ffi::{boundary, try_slice};
use crate::md::ffi::{
    mbedtls_md_free, mbedtls_md_hmac_finish, mbedtls_md_hmac_reset, mbedtls_md_hmac_starts,
    mbedtls_md_hmac_update, mbedtls_md_info_from_type, mbedtls_md_init, mbedtls_md_setup,
};
use crate::threading::ctx::{CtxLock, EnterError};

/// The lock over a context's guard words and mutex.
///
/// # Safety
///
/// `ctx` is non-NULL and points to a context that stays allocated for `'a`.
unsafe fn ctx_lock<'a>(ctx: *mut mbedtls_ssl_cookie_ctx) -> CtxLock<'a> {
    // SAFETY: the guard words are valid, aligned u32s for 'a (caller),
    // only ever accessed atomically once the context is initialised.
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

/// The code for a failure to enter: BAD_INPUT_DATA for a context that is
/// not initialised (or freed), upstream's INTERNAL_ERROR + the lock's code
/// for a lock failure.
fn enter_code(e: EnterError) -> c_int {
    match e {
        EnterError::NotLive => MBEDTLS_ERR_SSL_BAD_INPUT_DATA,
        other => MBEDTLS_ERR_SSL_INTERNAL_ERROR + other.code(MBEDTLS_ERR_SSL_BAD_INPUT_DATA),
    }
}

/// Initialises a cookie context: no key yet, timeout
/// `MBEDTLS_SSL_COOKIE_TIMEOUT`, mutex initialised. NULL is ignored.
///
/// Thread safety: caller serialises (nobody else may use the context yet).
///
/// # Safety
///
/// `ctx` is NULL or points to writable memory for a context.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mbedtls_ssl_cookie_init(ctx: *mut mbedtls_ssl_cookie_ctx) {
    boundary(|| {
        if ctx.is_null() {
            return;
        }
        // SAFETY: writable memory for a context (caller); all-zero is the
        // not-live state of every field.
        unsafe { core::ptr::write_bytes(ctx, 0, 1) };
        // SAFETY: valid for the call.
        unsafe {
            mbedtls_md_init(&raw mut (*ctx).hmac_ctx);
            (*ctx).timeout = MBEDTLS_SSL_COOKIE_TIMEOUT;
        }
        // SAFETY: valid for the call.
        let _ = unsafe { ctx_lock(ctx) }.start();
    })
}

/// Draws a fresh 32-byte HMAC-SHA-256 key from `f_rng` and keys the
/// context with it (cookies made with an earlier key stop being valid).
/// Returns 0, the RNG's error as is, an md error,
/// `MBEDTLS_ERR_SSL_BAD_INPUT_DATA` for a NULL, never initialised or freed
/// context or a NULL `f_rng`, or a lock error (as `write`).
///
/// `f_rng` is called before the context is locked, so it may be a DRBG
/// that is itself in use.
///
/// Thread safety: locked.
///
/// # Safety
///
/// `ctx` is NULL or an initialised context; `f_rng` accepts `p_rng`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mbedtls_ssl_cookie_setup(
    ctx: *mut mbedtls_ssl_cookie_ctx,
    f_rng: Option<unsafe extern "C" fn(*mut c_void, *mut c_uchar, usize) -> c_int>,
    p_rng: *mut c_void,
) -> c_int {
    boundary(|| {
        let (false, Some(f_rng)) = (ctx.is_null(), f_rng) else {
            return MBEDTLS_ERR_SSL_BAD_INPUT_DATA;
        };
        let mut key = [0u8; KEY_LEN];
        // SAFETY: the RNG writes KEY_LEN bytes into our buffer (caller's
        // contract for f_rng).
        let rc = unsafe { f_rng(p_rng, key.as_mut_ptr(), key.len()) };
        if rc != 0 {
            key.zeroize();
            return rc;
        }
        // SAFETY: valid for the call.
        let lock = unsafe { ctx_lock(ctx) };
        let held = match lock.enter() {
            Ok(h) => h,
            Err(e) => {
                key.zeroize();
                return enter_code(e);
            }
        };
        // SAFETY: we hold the context's lock; the md context is ours.
        let md: *mut mbedtls_md_context_t = unsafe { &raw mut (*ctx).hmac_ctx };
        // SAFETY: an initialised md context (init, or a previous setup),
        // set up again from scratch.
        let rc = unsafe {
            mbedtls_md_free(md);
            mbedtls_md_init(md);
            match mbedtls_md_setup(
                md,
                mbedtls_md_info_from_type(crate::md::MdType::Sha256 as _),
                1,
            ) {
                0 => mbedtls_md_hmac_starts(md, key.as_ptr(), key.len()),
                e => e,
            }
        };
        key.zeroize();
        match held.unlock() {
            0 => rc,
            e => MBEDTLS_ERR_SSL_INTERNAL_ERROR + e,
        }
    })
}

/// Sets the lifetime of cookies: seconds (with `MBEDTLS_HAVE_TIME`, else a
/// number of cookies issued); 0 disables expiry. NULL, never initialised
/// or freed contexts are ignored.
///
/// Thread safety: locked.
///
/// # Safety
///
/// `ctx` is NULL or an initialised context.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mbedtls_ssl_cookie_set_timeout(
    ctx: *mut mbedtls_ssl_cookie_ctx,
    delay: c_ulong,
) {
    boundary(|| {
        if ctx.is_null() {
            return;
        }
        // SAFETY: valid for the call.
        let lock = unsafe { ctx_lock(ctx) };
        if let Ok(held) = lock.enter() {
            // SAFETY: we hold the lock.
            unsafe { (*ctx).timeout = delay };
            let _ = held.unlock();
        }
    })
}

/// Frees the context: waits for calls in flight, frees the HMAC state and
/// the mutex, and wipes the context. NULL, free after init and free twice
/// are harmless.
///
/// Thread safety: locked (waits for calls in flight).
///
/// # Safety
///
/// `ctx` is NULL or a context that was initialised (or zero-filled).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mbedtls_ssl_cookie_free(ctx: *mut mbedtls_ssl_cookie_ctx) {
    boundary(|| {
        if ctx.is_null() {
            return;
        }
        // SAFETY: valid for the call.
        let lock = unsafe { ctx_lock(ctx) };
        lock.retire(|| {
            // SAFETY: nobody else is inside the context (retire's
            // contract); the md context is initialised or zero-filled.
            unsafe {
                mbedtls_md_free(&raw mut (*ctx).hmac_ctx);
                (*ctx).timeout = 0;
                #[cfg(not(mbedtls_have_time))]
                {
                    (*ctx).serial = 0;
                }
            }
        });
    })
}

/// The current stamp under the lock: the time, or the serial (advanced
/// when `issue` is set).
///
/// # Safety
///
/// The caller holds the context's lock.
unsafe fn stamp(ctx: *mut mbedtls_ssl_cookie_ctx, issue: bool) -> u32 {
    #[cfg(mbedtls_have_time)]
    {
        let _ = (ctx, issue);
        super::now()
    }
    #[cfg(not(mbedtls_have_time))]
    // SAFETY: we hold the lock (caller).
    unsafe {
        let s = (*ctx).serial;
        if issue {
            (*ctx).serial = s.wrapping_add(1);
        }
        // The stamp is 32 bits; `unsigned long` may be wider.
        #[allow(clippy::unnecessary_cast)]
        let stamp = s as u32;
        stamp
    }
}

/// HMAC(time || id) with the context's key into `out`.
///
/// # Safety
///
/// The caller holds the context's lock.
unsafe fn tag(
    ctx: *mut mbedtls_ssl_cookie_ctx,
    time: &[u8; TIME_LEN],
    id: &[u8],
    out: &mut [u8; 64],
) -> c_int {
    // SAFETY: we hold the lock; the md context is initialised.
    let md = unsafe { &raw mut (*ctx).hmac_ctx };
    // SAFETY: a keyed HMAC context after setup (the md functions check
    // that it is set up for HMAC, else BAD_INPUT_DATA); valid buffers.
    let ok = unsafe {
        mbedtls_md_hmac_reset(md) == 0
            && mbedtls_md_hmac_update(md, time.as_ptr(), TIME_LEN) == 0
            && mbedtls_md_hmac_update(md, id.as_ptr(), id.len()) == 0
            && mbedtls_md_hmac_finish(md, out.as_mut_ptr()) == 0
    };
    if ok {
        0
    } else {
        MBEDTLS_ERR_SSL_INTERNAL_ERROR
    }
}

/// Writes a 32-byte cookie for the client id `cli_id` at `*p` and advances
/// `*p`. Returns 0, `MBEDTLS_ERR_SSL_BAD_INPUT_DATA` (NULL context, `p`,
/// `*p`, `end` or `cli_id`; a context that is not initialised),
/// `MBEDTLS_ERR_SSL_BUFFER_TOO_SMALL` (fewer than 32 bytes before `end`),
/// `MBEDTLS_ERR_SSL_INTERNAL_ERROR` (no key: setup was not called), or
/// `MBEDTLS_ERR_SSL_INTERNAL_ERROR` plus a lock error.
///
/// Thread safety: locked.
///
/// # Safety
///
/// `p_ctx` is NULL or an initialised `mbedtls_ssl_cookie_ctx`; `*p..end`
/// is writable; `cli_id` is readable for `cli_id_len` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mbedtls_ssl_cookie_write(
    p_ctx: *mut c_void,
    p: *mut *mut c_uchar,
    end: *mut c_uchar,
    cli_id: *const c_uchar,
    cli_id_len: usize,
) -> c_int {
    boundary(|| {
        let ctx = p_ctx.cast::<mbedtls_ssl_cookie_ctx>();
        if ctx.is_null() || cli_id.is_null() || p.is_null() || end.is_null() {
            return MBEDTLS_ERR_SSL_BAD_INPUT_DATA;
        }
        // SAFETY: `p` is valid (caller).
        let start = unsafe { *p };
        if start.is_null() || end.addr() < start.addr() {
            return MBEDTLS_ERR_SSL_BAD_INPUT_DATA;
        }
        if end.addr() - start.addr() < COOKIE_LEN {
            return MBEDTLS_ERR_SSL_BUFFER_TOO_SMALL;
        }
        // SAFETY: readable for cli_id_len bytes (caller).
        let Some(id) = (unsafe { try_slice(cli_id, cli_id_len) }) else {
            return MBEDTLS_ERR_SSL_BAD_INPUT_DATA;
        };
        // SAFETY: valid for the call.
        let lock = unsafe { ctx_lock(ctx) };
        let held = match lock.enter() {
            Ok(h) => h,
            Err(e) => return enter_code(e),
        };
        // SAFETY: we hold the lock.
        let time = unsafe { stamp(ctx, true) }.to_be_bytes();
        let mut full = [0u8; 64];
        // SAFETY: we hold the lock.
        let rc = unsafe { tag(ctx, &time, id, &mut full) };
        let unlock = held.unlock();
        if rc == 0 && unlock == 0 {
            // SAFETY: start..start+32 is writable (checked against end).
            let out = unsafe { core::slice::from_raw_parts_mut(start, COOKIE_LEN) };
            out[..TIME_LEN].copy_from_slice(&time);
            out[TIME_LEN..].copy_from_slice(&full[..TAG_LEN]);
            // SAFETY: advancing within the buffer.
            unsafe { *p = start.add(COOKIE_LEN) };
        }
        full.zeroize();
        if unlock != 0 {
            return MBEDTLS_ERR_SSL_INTERNAL_ERROR + unlock;
        }
        rc
    })
}

/// Checks a cookie for the client id `cli_id`: 0 if it is one this context
/// made for that client and it has not expired; -1 if its length, tag or
/// age is wrong (upstream's plain -1). `MBEDTLS_ERR_SSL_BAD_INPUT_DATA` for
/// a NULL context or `cli_id` or a context that is not initialised;
/// `MBEDTLS_ERR_SSL_INTERNAL_ERROR` plus a lock error. The tag is compared
/// in constant time.
///
/// Thread safety: locked.
///
/// # Safety
///
/// `p_ctx` is NULL or an initialised `mbedtls_ssl_cookie_ctx`; `cookie`
/// and `cli_id` are readable for their lengths.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mbedtls_ssl_cookie_check(
    p_ctx: *mut c_void,
    cookie: *const c_uchar,
    cookie_len: usize,
    cli_id: *const c_uchar,
    cli_id_len: usize,
) -> c_int {
    boundary(|| {
        let ctx = p_ctx.cast::<mbedtls_ssl_cookie_ctx>();
        if ctx.is_null() || cli_id.is_null() {
            return MBEDTLS_ERR_SSL_BAD_INPUT_DATA;
        }
        if cookie_len != COOKIE_LEN {
            return -1;
        }
        // SAFETY: readable for their lengths (caller).
        let (Some(cookie), Some(id)) = (unsafe { try_slice(cookie, cookie_len) }, unsafe {
            try_slice(cli_id, cli_id_len)
        }) else {
            return -1;
        };
        let mut time = [0u8; TIME_LEN];
        time.copy_from_slice(&cookie[..TIME_LEN]);
        // SAFETY: valid for the call.
        let lock = unsafe { ctx_lock(ctx) };
        let held = match lock.enter() {
            Ok(h) => h,
            Err(e) => return enter_code(e),
        };
        let mut full = [0u8; 64];
        // SAFETY: we hold the lock.
        let rc = unsafe { tag(ctx, &time, id, &mut full) };
        // SAFETY: we hold the lock.
        let (now, timeout) = unsafe { (stamp(ctx, false), (*ctx).timeout) };
        let unlock = held.unlock();
        if unlock != 0 {
            full.zeroize();
            return MBEDTLS_ERR_SSL_INTERNAL_ERROR + unlock;
        }
        let good = rc == 0 && tag_matches(&cookie[TIME_LEN..], &full);
        full.zeroize();
        // `unsigned long` is 32 bits on some targets.
        #[allow(clippy::useless_conversion)]
        let timeout = u64::from(timeout);
        if !good || expired(now, u32::from_be_bytes(time), timeout) {
            return -1;
        }
        0
    })
}
