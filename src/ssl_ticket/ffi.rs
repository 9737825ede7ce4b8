//! The C surface of ssl_ticket.h.
//!
//! The context's `keys` member holds an `Arc<KeySet>` (as a raw pointer).
//! An operation clones the `Arc` under the context's lock and works on that
//! snapshot after unlocking; a rotation builds a new `KeySet` (calling the
//! RNG before locking) and swaps the pointer under the lock. Readers that
//! still hold the old snapshot finish with it; its keys are wiped when the
//! last reference goes.

use alloc::sync::Arc;
use core::ffi::{c_int, c_uchar, c_uint, c_void};
use core::sync::atomic::AtomicU32;

use zeroize::Zeroizing;

use super::{AAD_LEN, IV_LEN, Key, KeySet, Kind, MAX_KEY, MIN_LEN, NAME_LEN, TAG_LEN};
use crate::abi::cipher::{MBEDTLS_ERR_CIPHER_BAD_INPUT_DATA, mbedtls_cipher_type_t};
use crate::abi::ssl::{
    MBEDTLS_ERR_SSL_BAD_INPUT_DATA, MBEDTLS_ERR_SSL_BUFFER_TOO_SMALL,
    MBEDTLS_ERR_SSL_FEATURE_UNAVAILABLE, MBEDTLS_ERR_SSL_INVALID_MAC,
    MBEDTLS_ERR_SSL_SESSION_TICKET_EXPIRED, mbedtls_ssl_session,
};
use crate::abi::ssl_ticket::mbedtls_ssl_ticket_context;
use crate::abi::threading::MBEDTLS_ERR_THREADING_MUTEX_ERROR;
use crate::ffi::{boundary, try_slice, try_slice_mut};
use crate::ssl::ffi::{mbedtls_ssl_session_load, mbedtls_ssl_session_save};
use crate::threading::ctx::{CtxLock, EnterError};

/// The RNG callback.
type RngFn = unsafe extern "C" fn(*mut c_void, *mut c_uchar, usize) -> c_int;

/// The lock over a context's guard words and mutex.
///
/// # Safety
///
/// `ctx` is non-NULL and points to a context that stays allocated for `'a`.
unsafe fn ctx_lock<'a>(ctx: *mut mbedtls_ssl_ticket_context) -> CtxLock<'a> {
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

fn enter_code(e: EnterError) -> c_int {
    e.code(MBEDTLS_ERR_SSL_BAD_INPUT_DATA)
}

/// Seconds now.
#[cfg(mbedtls_have_time)]
fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// Without a clock keys never expire.
#[cfg(not(mbedtls_have_time))]
fn now() -> i64 {
    0
}

/// The AEAD for a cipher id: upstream's numbering (cipher.h).
fn kind_of(cipher: c_uint) -> Result<Kind, c_int> {
    match cipher {
        14 => Ok(Kind::Aes128Gcm),
        15 => Ok(Kind::Aes192Gcm),
        16 => Ok(Kind::Aes256Gcm),
        77 => Ok(Kind::ChaCha20Poly1305),
        // Camellia/ARIA-GCM and the CCM family: AEADs upstream can use but
        // this library does not implement.
        29..=31 | 38..=40 | 44..=46 | 62..=64 | 65..=67 => Err(MBEDTLS_ERR_SSL_FEATURE_UNAVAILABLE),
        _ => Err(MBEDTLS_ERR_SSL_BAD_INPUT_DATA),
    }
}

/// A fresh key from the RNG: 4 name bytes, then 32 key bytes (upstream's
/// order of draws).
fn fresh_key(rng: RngFn, p_rng: *mut c_void, kind: Kind, lifetime: u32) -> Result<Key, c_int> {
    let mut name = [0u8; NAME_LEN];
    let mut raw = Zeroizing::new([0u8; MAX_KEY]);
    // SAFETY: the RNG writes the requested number of bytes (its contract).
    let rc = unsafe { rng(p_rng, name.as_mut_ptr(), NAME_LEN) };
    if rc != 0 {
        return Err(rc);
    }
    // SAFETY: as above.
    let rc = unsafe { rng(p_rng, raw.as_mut_ptr(), MAX_KEY) };
    if rc != 0 {
        return Err(rc);
    }
    Ok(Key::new(kind, name, &raw[..], now(), lifetime))
}

/// A new reference to the snapshot behind `keys` (NULL: none).
///
/// # Safety
///
/// `keys` is NULL or a pointer from `Arc::into_raw` that the context still
/// owns, and the caller holds the context's lock.
unsafe fn snapshot(keys: *const c_void) -> Option<Arc<KeySet>> {
    let p = keys.cast::<KeySet>();
    if p.is_null() {
        return None;
    }
    // SAFETY: the context owns one reference (contract); we add one.
    unsafe {
        Arc::increment_strong_count(p);
        Some(Arc::from_raw(p))
    }
}

/// Publishes `set` as the context's keys, releasing the previous pair.
///
/// # Safety
///
/// The caller holds the context's lock (or is retiring it).
unsafe fn publish(ctx: *mut mbedtls_ssl_ticket_context, set: Option<Arc<KeySet>>) {
    // SAFETY: per the contract, the fields are ours.
    unsafe {
        (*ctx).active = set.as_ref().map_or(0, |s| s.active as c_uchar);
        let old = core::mem::replace(
            &mut (*ctx).keys,
            set.map_or(core::ptr::null(), |s| Arc::into_raw(s).cast()),
        );
        if !old.is_null() {
            drop(Arc::from_raw(old.cast::<KeySet>()));
        }
    }
}

/// What an operation takes from the context under its lock.
struct Taken {
    keys: Arc<KeySet>,
    rng: RngFn,
    p_rng: *mut c_void,
    lifetime: u32,
}

/// Takes a snapshot of the keys; with a clock, first replaces an expired
/// active key by a fresh one (the RNG runs unlocked; if another thread
/// rotated meanwhile, its pair is used instead).
///
/// # Safety
///
/// `ctx` is valid for the call.
unsafe fn take(ctx: *mut mbedtls_ssl_ticket_context) -> Result<Taken, c_int> {
    // SAFETY: valid (caller).
    let lock = unsafe { ctx_lock(ctx) };
    let grab = || -> Result<Taken, c_int> {
        let held = lock.enter().map_err(enter_code)?;
        // SAFETY: we hold the lock.
        let t = unsafe {
            match (snapshot((*ctx).keys), (*ctx).f_rng) {
                (Some(keys), Some(rng)) => Ok(Taken {
                    keys,
                    rng,
                    p_rng: (*ctx).p_rng,
                    lifetime: (*ctx).ticket_lifetime,
                }),
                _ => Err(MBEDTLS_ERR_SSL_BAD_INPUT_DATA),
            }
        };
        if held.unlock() != 0 {
            return Err(MBEDTLS_ERR_THREADING_MUTEX_ERROR);
        }
        t
    };
    let t = grab()?;
    // Without a clock every key is made at time 0 and checked at time 0,
    // so none ever expires: the rotation below is left out of such builds.
    if !cfg!(mbedtls_have_time) || !t.keys.active().expired(now()) {
        return Ok(t);
    }
    let fresh = fresh_key(t.rng, t.p_rng, t.keys.kind, t.lifetime)?;
    let held = lock.enter().map_err(enter_code)?;
    // SAFETY: we hold the lock.
    let current = unsafe { (*ctx).keys };
    if current == Arc::as_ptr(&t.keys).cast() {
        let next = 1 - t.keys.active;
        let old = t.keys.active().duplicate();
        let keys = if next == 0 {
            [fresh, old]
        } else {
            [old, fresh]
        };
        let set = Arc::new(KeySet {
            kind: t.keys.kind,
            keys,
            active: next,
        });
        // SAFETY: we hold the lock.
        unsafe { publish(ctx, Some(set)) };
    }
    if held.unlock() != 0 {
        return Err(MBEDTLS_ERR_THREADING_MUTEX_ERROR);
    }
    // The pair now published (ours or another thread's).
    grab()
}

/// Initialises a ticket context (no keys yet). NULL is ignored.
///
/// Thread safety: caller serialises (nobody else may use the context yet).
///
/// # Safety
///
/// `ctx` is NULL or writable memory for a context.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mbedtls_ssl_ticket_init(ctx: *mut mbedtls_ssl_ticket_context) {
    boundary(|| {
        if ctx.is_null() {
            return;
        }
        // SAFETY: writable (caller); all-zero is the not-live state.
        unsafe { core::ptr::write_bytes(ctx, 0, 1) };
        // SAFETY: valid for the call.
        let _ = unsafe { ctx_lock(ctx) }.start();
    })
}

/// Sets the context up: the RNG (kept until free), the AEAD
/// (`MBEDTLS_CIPHER_AES_128_GCM`, `_AES_192_GCM`, `_AES_256_GCM` or
/// `_CHACHA20_POLY1305`) and the lifetime of tickets and keys in seconds
/// (0: keys never rotate), and makes two random keys with random names.
/// Returns 0, `MBEDTLS_ERR_SSL_BAD_INPUT_DATA` (NULL context or RNG, a
/// cipher that is not an AEAD, a context that is not initialised),
/// `MBEDTLS_ERR_SSL_FEATURE_UNAVAILABLE` (Camellia, ARIA or CCM AEADs),
/// the RNG's error, or a lock error. A second setup replaces the keys.
///
/// Thread safety: locked (the RNG runs before locking). The RNG is later
/// called without the context's lock, possibly from several threads at
/// once, so it must be thread-safe (the DRBGs' random functions are).
///
/// # Safety
///
/// `ctx` is NULL or an initialised context; `f_rng` accepts `p_rng` until
/// the context is freed.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mbedtls_ssl_ticket_setup(
    ctx: *mut mbedtls_ssl_ticket_context,
    f_rng: Option<unsafe extern "C" fn(*mut c_void, *mut c_uchar, usize) -> c_int>,
    p_rng: *mut c_void,
    cipher: mbedtls_cipher_type_t,
    lifetime: u32,
) -> c_int {
    boundary(|| {
        let (false, Some(rng)) = (ctx.is_null(), f_rng) else {
            return MBEDTLS_ERR_SSL_BAD_INPUT_DATA;
        };
        let kind = match kind_of(cipher) {
            Ok(k) => k,
            Err(e) => return e,
        };
        let k0 = match fresh_key(rng, p_rng, kind, lifetime) {
            Ok(k) => k,
            Err(e) => return e,
        };
        let k1 = match fresh_key(rng, p_rng, kind, lifetime) {
            Ok(k) => k,
            Err(e) => return e,
        };
        let set = Arc::new(KeySet {
            kind,
            keys: [k0, k1],
            active: 0,
        });
        // SAFETY: valid for the call.
        let lock = unsafe { ctx_lock(ctx) };
        let held = match lock.enter() {
            Ok(h) => h,
            Err(e) => return enter_code(e),
        };
        // SAFETY: we hold the lock.
        unsafe {
            (*ctx).f_rng = Some(rng);
            (*ctx).p_rng = p_rng;
            (*ctx).ticket_lifetime = lifetime;
            publish(ctx, Some(set));
        }
        if held.unlock() != 0 {
            return MBEDTLS_ERR_THREADING_MUTEX_ERROR;
        }
        0
    })
}

/// Installs a key supplied by the application (for fleets of servers that
/// share keys) as the new active key, in the slot of the older key, with
/// `lifetime` for it and for later tickets. `nlength` must be at least 4
/// (the first 4 bytes name the key) and `klength` at least the cipher's key
/// size, else `MBEDTLS_ERR_CIPHER_BAD_INPUT_DATA`.
/// `MBEDTLS_ERR_SSL_BAD_INPUT_DATA` for a NULL or not set up context.
///
/// Thread safety: locked (writes and parses in flight keep the keys they
/// started with).
///
/// # Safety
///
/// `ctx` is NULL or an initialised context; `name` and `k` are readable
/// for their lengths.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mbedtls_ssl_ticket_rotate(
    ctx: *mut mbedtls_ssl_ticket_context,
    name: *const c_uchar,
    nlength: usize,
    k: *const c_uchar,
    klength: usize,
    lifetime: u32,
) -> c_int {
    boundary(|| {
        if ctx.is_null() {
            return MBEDTLS_ERR_SSL_BAD_INPUT_DATA;
        }
        // SAFETY: readable for their lengths (caller).
        let (Some(name), Some(key)) = (unsafe { try_slice(name, nlength) }, unsafe {
            try_slice(k, klength)
        }) else {
            return MBEDTLS_ERR_CIPHER_BAD_INPUT_DATA;
        };
        // SAFETY: valid for the call.
        let lock = unsafe { ctx_lock(ctx) };
        let held = match lock.enter() {
            Ok(h) => h,
            Err(e) => return enter_code(e),
        };
        // SAFETY: we hold the lock.
        let rc = match unsafe { snapshot((*ctx).keys) } {
            None => MBEDTLS_ERR_SSL_BAD_INPUT_DATA,
            Some(cur) if name.len() < NAME_LEN || key.len() < cur.kind.key_len() => {
                MBEDTLS_ERR_CIPHER_BAD_INPUT_DATA
            }
            Some(cur) => {
                let next = 1 - cur.active;
                let fresh = Key::new(
                    cur.kind,
                    name[..NAME_LEN].try_into().expect("4 bytes"),
                    key,
                    now(),
                    lifetime,
                );
                let old = cur.active().duplicate();
                let keys = if next == 0 {
                    [fresh, old]
                } else {
                    [old, fresh]
                };
                let set = Arc::new(KeySet {
                    kind: cur.kind,
                    keys,
                    active: next,
                });
                // SAFETY: we hold the lock.
                unsafe {
                    (*ctx).ticket_lifetime = lifetime;
                    publish(ctx, Some(set));
                }
                0
            }
        };
        if held.unlock() != 0 {
            return MBEDTLS_ERR_THREADING_MUTEX_ERROR;
        }
        rc
    })
}

/// Writes a ticket for `session` into `start..end`: the active key's name,
/// a random IV, the length of the serialized session and the session
/// sealed with the AEAD (tag last); `*tlen` gets the ticket's length and
/// `*ticket_lifetime` the key's lifetime. With a clock, an expired active
/// key is first replaced. Returns 0, `MBEDTLS_ERR_SSL_BAD_INPUT_DATA` (NULL
/// arguments, no setup, a session whose serialization exceeds 65535 bytes),
/// `MBEDTLS_ERR_SSL_BUFFER_TOO_SMALL` (less than 34 bytes, or the session
/// and tag do not fit), the RNG's or the session serialization's error, or
/// a lock error.
///
/// Thread safety: locked (the sealing happens after unlocking).
///
/// # Safety
///
/// `p_ticket` is NULL or an initialised `mbedtls_ssl_ticket_context`;
/// `start..end` is writable; `tlen` and `ticket_lifetime` are writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mbedtls_ssl_ticket_write(
    p_ticket: *mut c_void,
    session: *const mbedtls_ssl_session,
    start: *mut c_uchar,
    end: *const c_uchar,
    tlen: *mut usize,
    ticket_lifetime: *mut u32,
) -> c_int {
    boundary(|| {
        let ctx = p_ticket.cast::<mbedtls_ssl_ticket_context>();
        if tlen.is_null() {
            return MBEDTLS_ERR_SSL_BAD_INPUT_DATA;
        }
        // SAFETY: writable (caller).
        unsafe { *tlen = 0 };
        if ctx.is_null()
            || session.is_null()
            || start.is_null()
            || end.is_null()
            || ticket_lifetime.is_null()
            || end.addr() < start.addr()
        {
            return MBEDTLS_ERR_SSL_BAD_INPUT_DATA;
        }
        let room = end.addr() - start.addr();
        if room < MIN_LEN {
            return MBEDTLS_ERR_SSL_BUFFER_TOO_SMALL;
        }
        // SAFETY: valid for the call.
        let t = match unsafe { take(ctx) } {
            Ok(t) => t,
            Err(e) => return e,
        };
        // SAFETY: start..end is writable (caller).
        let Some(out) = (unsafe { try_slice_mut(start, room) }) else {
            return MBEDTLS_ERR_SSL_BAD_INPUT_DATA;
        };
        let Some((head, rest)) = out.split_first_chunk_mut::<AAD_LEN>() else {
            return MBEDTLS_ERR_SSL_BUFFER_TOO_SMALL;
        };
        let key = t.keys.active();
        head[..NAME_LEN].copy_from_slice(&key.name);
        // SAFETY: 12 writable bytes for the RNG.
        let rc = unsafe { (t.rng)(t.p_rng, head[NAME_LEN..].as_mut_ptr(), IV_LEN) };
        if rc != 0 {
            return rc;
        }
        let state_room = room - MIN_LEN;
        let mut clear_len = 0usize;
        // SAFETY: the state area holds state_room bytes.
        let rc = unsafe {
            mbedtls_ssl_session_save(session, rest.as_mut_ptr(), state_room, &mut clear_len)
        };
        if rc != 0 {
            return rc;
        }
        let Ok(len16) = u16::try_from(clear_len) else {
            return MBEDTLS_ERR_SSL_BAD_INPUT_DATA;
        };
        head[NAME_LEN + IV_LEN..].copy_from_slice(&len16.to_be_bytes());
        let (state, tail) = rest.split_at_mut(clear_len);
        tail[..TAG_LEN].copy_from_slice(&key.seal(head, state));
        // SAFETY: writable (caller).
        unsafe {
            *ticket_lifetime = key.lifetime;
            *tlen = MIN_LEN + clear_len;
        }
        0
    })
}

/// Parses a ticket made by `mbedtls_ssl_ticket_write()` (by this context,
/// or by another with the same rotated keys), decrypting it in place, and
/// loads the session. Returns 0, `MBEDTLS_ERR_SSL_BAD_INPUT_DATA` (NULL
/// arguments, no setup, shorter than 34 bytes, a length field that does not
/// match; with a clock also a session that is not a server's),
/// `MBEDTLS_ERR_SSL_SESSION_TICKET_EXPIRED` (unknown key name; with a clock,
/// a ticket older than its key's lifetime or from the future),
/// `MBEDTLS_ERR_SSL_INVALID_MAC` (authentication failed), the session
/// load's error, or a lock error.
///
/// Thread safety: locked (the opening happens after unlocking).
///
/// # Safety
///
/// `p_ticket` is NULL or an initialised `mbedtls_ssl_ticket_context`;
/// `session` is NULL or an initialised session; `buf` is writable for
/// `len` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mbedtls_ssl_ticket_parse(
    p_ticket: *mut c_void,
    session: *mut mbedtls_ssl_session,
    buf: *mut c_uchar,
    len: usize,
) -> c_int {
    boundary(|| {
        let ctx = p_ticket.cast::<mbedtls_ssl_ticket_context>();
        if ctx.is_null() || session.is_null() || buf.is_null() {
            return MBEDTLS_ERR_SSL_BAD_INPUT_DATA;
        }
        if len < MIN_LEN {
            return MBEDTLS_ERR_SSL_BAD_INPUT_DATA;
        }
        // SAFETY: valid for the call.
        let t = match unsafe { take(ctx) } {
            Ok(t) => t,
            Err(e) => return e,
        };
        // SAFETY: writable for len bytes (caller).
        let Some(ticket) = (unsafe { try_slice_mut(buf, len) }) else {
            return MBEDTLS_ERR_SSL_BAD_INPUT_DATA;
        };
        let Some((head, rest)) = ticket.split_first_chunk_mut::<AAD_LEN>() else {
            return MBEDTLS_ERR_SSL_BAD_INPUT_DATA;
        };
        let enc_len = usize::from(u16::from_be_bytes([head[16], head[17]]));
        if len != MIN_LEN + enc_len {
            return MBEDTLS_ERR_SSL_BAD_INPUT_DATA;
        }
        let Some(key) = t.keys.by_name(&head[..NAME_LEN]) else {
            return MBEDTLS_ERR_SSL_SESSION_TICKET_EXPIRED;
        };
        let Some((state, tag)) = rest.split_last_chunk_mut::<TAG_LEN>() else {
            return MBEDTLS_ERR_SSL_BAD_INPUT_DATA;
        };
        if key.open(head, state, tag).is_err() {
            return MBEDTLS_ERR_SSL_INVALID_MAC;
        }
        // SAFETY: an initialised session (caller) and the decrypted state.
        let rc = unsafe { mbedtls_ssl_session_load(session, state.as_ptr(), state.len()) };
        if rc != 0 {
            return rc;
        }
        #[cfg(mbedtls_have_time)]
        {
            // SAFETY: a loaded session (caller's memory).
            let s = unsafe { &*session };
            if c_int::from(s.endpoint) != crate::abi::ssl::MBEDTLS_SSL_IS_SERVER {
                return MBEDTLS_ERR_SSL_BAD_INPUT_DATA;
            }
            let age = crate::platform::time_ffi::mbedtls_ms_time() - s.ticket_creation_time;
            if age < 0 || age > i64::from(key.lifetime) * 1000 {
                return MBEDTLS_ERR_SSL_SESSION_TICKET_EXPIRED;
            }
        }
        0
    })
}

/// Frees the context: waits for calls in flight, releases the keys (wiped
/// once no write or parse uses them any more) and the mutex. NULL, free
/// after init and free twice are harmless.
///
/// Thread safety: locked (waits for calls in flight).
///
/// # Safety
///
/// `ctx` is NULL or an initialised (or zero-filled) context.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mbedtls_ssl_ticket_free(ctx: *mut mbedtls_ssl_ticket_context) {
    boundary(|| {
        if ctx.is_null() {
            return;
        }
        // SAFETY: valid for the call.
        let lock = unsafe { ctx_lock(ctx) };
        lock.retire(|| {
            // SAFETY: nobody else is inside (retire's contract).
            unsafe {
                publish(ctx, None);
                (*ctx).f_rng = None;
                (*ctx).p_rng = core::ptr::null_mut();
                (*ctx).ticket_lifetime = 0;
            }
        });
    })
}
