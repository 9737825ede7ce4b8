//! The C surface of ssl_cache.h. Every entry point locks the cache with
//! the context protocol (`threading/ctx.rs`); sessions are serialized
//! before locking (set) and deserialized after unlocking (get), so the
//! lock covers only the O(1) index operation.

use alloc::boxed::Box;
use alloc::vec::Vec;
use core::ffi::{c_int, c_uchar, c_void};
use core::sync::atomic::AtomicU32;

use zeroize::Zeroizing;

use super::{INLINE, Index, MAX_ID};
use crate::abi::ssl::{
    MBEDTLS_ERR_SSL_ALLOC_FAILED, MBEDTLS_ERR_SSL_BAD_INPUT_DATA, MBEDTLS_ERR_SSL_BUFFER_TOO_SMALL,
    MBEDTLS_ERR_SSL_CACHE_ENTRY_NOT_FOUND, MBEDTLS_ERR_SSL_INTERNAL_ERROR, mbedtls_ssl_session,
};
use crate::abi::ssl_cache::{
    MBEDTLS_SSL_CACHE_DEFAULT_MAX_ENTRIES, MBEDTLS_SSL_CACHE_DEFAULT_TIMEOUT,
    mbedtls_ssl_cache_context,
};
use crate::abi::threading::MBEDTLS_ERR_THREADING_MUTEX_ERROR;
use crate::ffi::{boundary, try_slice};
use crate::ssl::ffi::{mbedtls_ssl_session_load, mbedtls_ssl_session_save};
use crate::threading::ctx::{CtxLock, EnterError};

/// The lock over a cache's guard words and mutex.
///
/// # Safety
///
/// `cache` is non-NULL and points to a cache that stays allocated for `'a`.
unsafe fn ctx_lock<'a>(cache: *mut mbedtls_ssl_cache_context) -> CtxLock<'a> {
    // SAFETY: the guard words are valid, aligned u32s for 'a (caller).
    let state = unsafe { AtomicU32::from_ptr(&raw mut (*cache).guard_state) };
    // SAFETY: as above.
    let holder = unsafe { AtomicU32::from_ptr(&raw mut (*cache).guard_holder) };
    #[cfg(mbedtls_threading_c)]
    // SAFETY: the mutex member lives as long as the cache and is only used
    // through this lock protocol.
    return unsafe { CtxLock::new(state, holder, &raw mut (*cache).mutex) };
    #[cfg(not(mbedtls_threading_c))]
    CtxLock::new(state, holder)
}

fn enter_code(e: EnterError) -> c_int {
    e.code(MBEDTLS_ERR_SSL_BAD_INPUT_DATA)
}

/// Seconds now (the clock of the timeouts).
#[cfg(mbedtls_have_time)]
fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// Without a clock nothing expires.
#[cfg(not(mbedtls_have_time))]
fn now() -> i64 {
    0
}

/// A random SipHash key for a new index (collision resistance against
/// chosen session ids).
fn hash_key(cache: *const mbedtls_ssl_cache_context) -> (u64, u64) {
    let mut k = [0u8; 16];
    #[cfg(feature = "std")]
    {
        // SAFETY: 16 writable bytes.
        let got = unsafe { libc::getrandom(k.as_mut_ptr().cast(), k.len(), 0) };
        if got == 16 {
            return (
                u64::from_ne_bytes(k[..8].try_into().expect("8 bytes")),
                u64::from_ne_bytes(k[8..].try_into().expect("8 bytes")),
            );
        }
    }
    // No OS randomness: the address and the clock (weaker, documented).
    k[..8].copy_from_slice(&(cache.addr() as u64).to_ne_bytes());
    ((cache.addr() as u64) ^ 0x9E37_79B9_7F4A_7C15, now() as u64)
}

/// The index of a cache whose lock the caller holds.
///
/// # Safety
///
/// The caller holds the cache's lock; `chain` is NULL or an index made by
/// [`index_mut`].
unsafe fn index_mut<'a>(cache: *mut mbedtls_ssl_cache_context) -> Option<&'a mut Index> {
    // SAFETY: per the contract.
    let p = unsafe { (*cache).chain }.cast::<Index>();
    // SAFETY: a live Box<Index> or NULL.
    unsafe { p.as_mut() }
}

/// Initialises a cache: empty, timeout `MBEDTLS_SSL_CACHE_DEFAULT_TIMEOUT`,
/// at most `MBEDTLS_SSL_CACHE_DEFAULT_MAX_ENTRIES` entries, mutex
/// initialised. NULL is ignored.
///
/// Thread safety: caller serialises (nobody else may use the cache yet).
///
/// # Safety
///
/// `cache` is NULL or writable memory for a cache.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mbedtls_ssl_cache_init(cache: *mut mbedtls_ssl_cache_context) {
    boundary(|| {
        if cache.is_null() {
            return;
        }
        // SAFETY: writable (caller); all-zero is the not-live state.
        unsafe {
            core::ptr::write_bytes(cache, 0, 1);
            (*cache).timeout = MBEDTLS_SSL_CACHE_DEFAULT_TIMEOUT;
            (*cache).max_entries = MBEDTLS_SSL_CACHE_DEFAULT_MAX_ENTRIES;
        }
        // SAFETY: valid for the call.
        let _ = unsafe { ctx_lock(cache) }.start();
    })
}

/// Looks up the session stored under `session_id` and loads it into
/// `session` (see `mbedtls_ssl_session_load()`). Returns 0,
/// `MBEDTLS_ERR_SSL_CACHE_ENTRY_NOT_FOUND` (absent or expired; also an id
/// longer than 32 bytes), the load's error, `MBEDTLS_ERR_SSL_BAD_INPUT_DATA`
/// (NULL arguments; a cache that is not initialised), or a lock error.
///
/// Thread safety: locked (the session is loaded after unlocking).
///
/// # Safety
///
/// `data` is NULL or an initialised `mbedtls_ssl_cache_context`;
/// `session_id` is readable for `session_id_len` bytes; `session` is NULL
/// or an initialised session.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mbedtls_ssl_cache_get(
    data: *mut c_void,
    session_id: *const c_uchar,
    session_id_len: usize,
    session: *mut mbedtls_ssl_session,
) -> c_int {
    boundary(|| {
        let cache = data.cast::<mbedtls_ssl_cache_context>();
        if cache.is_null() || session.is_null() {
            return MBEDTLS_ERR_SSL_BAD_INPUT_DATA;
        }
        // SAFETY: readable for its length (caller).
        let Some(id) = (unsafe { try_slice(session_id, session_id_len) }) else {
            return MBEDTLS_ERR_SSL_BAD_INPUT_DATA;
        };
        if id.len() > MAX_ID {
            return MBEDTLS_ERR_SSL_CACHE_ENTRY_NOT_FOUND;
        }
        // SAFETY: valid for the call.
        let lock = unsafe { ctx_lock(cache) };
        let held = match lock.enter() {
            Ok(h) => h,
            Err(e) => return enter_code(e),
        };
        // Copy the bytes out (into `small` when they fit) and load them
        // after unlocking.
        let mut small = Zeroizing::new([0u8; INLINE]);
        let mut big = Zeroizing::new(Vec::new());
        // SAFETY: we hold the lock.
        let timeout = unsafe { (*cache).timeout };
        // SAFETY: we hold the lock.
        let found = unsafe { index_mut(cache) }.and_then(|ix| {
            ix.get(id, now(), timeout, |bytes| {
                if bytes.len() <= INLINE {
                    small[..bytes.len()].copy_from_slice(bytes);
                    Ok(bytes.len())
                } else if big.try_reserve_exact(bytes.len()).is_ok() {
                    big.extend_from_slice(bytes);
                    Ok(bytes.len())
                } else {
                    Err(MBEDTLS_ERR_SSL_ALLOC_FAILED)
                }
            })
        });
        if held.unlock() != 0 {
            return MBEDTLS_ERR_THREADING_MUTEX_ERROR;
        }
        let bytes: &[u8] = match found {
            None => return MBEDTLS_ERR_SSL_CACHE_ENTRY_NOT_FOUND,
            Some(Err(e)) => return e,
            Some(Ok(n)) if n <= INLINE => &small[..n],
            Some(Ok(_)) => &big,
        };
        // SAFETY: an initialised session (caller) and our buffer.
        unsafe { mbedtls_ssl_session_load(session, bytes.as_ptr(), bytes.len()) }
    })
}

/// Serializes `session` and stores it under `session_id`: over the entry
/// with that id, else over an expired entry, else as a new entry while the
/// cache holds fewer than its maximum, else over the oldest entry. Returns
/// 0, `MBEDTLS_ERR_SSL_BAD_INPUT_DATA` (NULL arguments, an id longer than
/// 32 bytes, a cache that is not initialised), the save's error (for
/// example `MBEDTLS_ERR_SSL_FEATURE_UNAVAILABLE` for a session that was only
/// initialised), `MBEDTLS_ERR_SSL_ALLOC_FAILED`,
/// `MBEDTLS_ERR_SSL_INTERNAL_ERROR` (maximum of 0 entries), or a lock error.
///
/// Thread safety: locked (the session is serialized before locking).
///
/// # Safety
///
/// As `mbedtls_ssl_cache_get`, with `session` a readable session.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mbedtls_ssl_cache_set(
    data: *mut c_void,
    session_id: *const c_uchar,
    session_id_len: usize,
    session: *const mbedtls_ssl_session,
) -> c_int {
    boundary(|| {
        let cache = data.cast::<mbedtls_ssl_cache_context>();
        if cache.is_null() || session.is_null() {
            return MBEDTLS_ERR_SSL_BAD_INPUT_DATA;
        }
        // SAFETY: readable for its length (caller).
        let Some(id) = (unsafe { try_slice(session_id, session_id_len) }) else {
            return MBEDTLS_ERR_SSL_BAD_INPUT_DATA;
        };
        if id.len() > MAX_ID {
            return MBEDTLS_ERR_SSL_BAD_INPUT_DATA;
        }
        // Serialize outside the lock, into `small` when it fits.
        let mut small = Zeroizing::new([0u8; INLINE]);
        let mut big = Zeroizing::new(Vec::new());
        let mut olen = 0usize;
        // SAFETY: a buffer of INLINE bytes.
        let rc =
            unsafe { mbedtls_ssl_session_save(session, small.as_mut_ptr(), INLINE, &mut olen) };
        let bytes: &[u8] = match rc {
            0 => &small[..olen],
            MBEDTLS_ERR_SSL_BUFFER_TOO_SMALL => {
                let need = olen;
                if big.try_reserve_exact(need).is_err() {
                    return MBEDTLS_ERR_SSL_ALLOC_FAILED;
                }
                big.resize(need, 0);
                // SAFETY: a buffer of `need` bytes.
                let rc =
                    unsafe { mbedtls_ssl_session_save(session, big.as_mut_ptr(), need, &mut olen) };
                if rc != 0 {
                    return rc;
                }
                &big[..olen]
            }
            e => return e,
        };

        // SAFETY: valid for the call.
        let lock = unsafe { ctx_lock(cache) };
        let held = match lock.enter() {
            Ok(h) => h,
            Err(e) => return enter_code(e),
        };
        // SAFETY: we hold the lock.
        let rc = unsafe {
            let max = (*cache).max_entries.max(0) as usize;
            let timeout = (*cache).timeout;
            if (*cache).chain.is_null() {
                (*cache).chain = Box::into_raw(Box::new(Index::new(hash_key(cache)))).cast();
            }
            match index_mut(cache) {
                Some(ix) => match ix.set(id, bytes, now(), timeout, max) {
                    Ok(()) => 0,
                    Err(super::SetError::NoRoom) => MBEDTLS_ERR_SSL_INTERNAL_ERROR,
                    Err(super::SetError::NoMemory) => MBEDTLS_ERR_SSL_ALLOC_FAILED,
                },
                None => MBEDTLS_ERR_SSL_INTERNAL_ERROR,
            }
        };
        if held.unlock() != 0 {
            return MBEDTLS_ERR_THREADING_MUTEX_ERROR;
        }
        rc
    })
}

/// Removes the session stored under `session_id` (if present and not
/// expired). Returns 0 whether or not there was one, as upstream;
/// `MBEDTLS_ERR_SSL_BAD_INPUT_DATA` for NULL arguments or a cache that is
/// not initialised; or a lock error.
///
/// Thread safety: locked.
///
/// # Safety
///
/// As `mbedtls_ssl_cache_get`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mbedtls_ssl_cache_remove(
    data: *mut c_void,
    session_id: *const c_uchar,
    session_id_len: usize,
) -> c_int {
    boundary(|| {
        let cache = data.cast::<mbedtls_ssl_cache_context>();
        if cache.is_null() {
            return MBEDTLS_ERR_SSL_BAD_INPUT_DATA;
        }
        // SAFETY: readable for its length (caller).
        let Some(id) = (unsafe { try_slice(session_id, session_id_len) }) else {
            return MBEDTLS_ERR_SSL_BAD_INPUT_DATA;
        };
        // SAFETY: valid for the call.
        let lock = unsafe { ctx_lock(cache) };
        let held = match lock.enter() {
            Ok(h) => h,
            Err(e) => return enter_code(e),
        };
        // SAFETY: we hold the lock.
        unsafe {
            let timeout = (*cache).timeout;
            if let Some(ix) = index_mut(cache) {
                ix.remove(id, now(), timeout);
            }
        }
        if held.unlock() != 0 {
            return MBEDTLS_ERR_THREADING_MUTEX_ERROR;
        }
        0
    })
}

/// Sets the lifetime of entries in seconds; negative values become 0 (no
/// expiry). NULL, never initialised or freed caches are ignored.
///
/// Thread safety: locked.
///
/// # Safety
///
/// `cache` is NULL or an initialised cache.
#[cfg(mbedtls_have_time)]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mbedtls_ssl_cache_set_timeout(
    cache: *mut mbedtls_ssl_cache_context,
    timeout: c_int,
) {
    boundary(|| {
        if cache.is_null() {
            return;
        }
        // SAFETY: valid for the call.
        let lock = unsafe { ctx_lock(cache) };
        if let Ok(held) = lock.enter() {
            // SAFETY: we hold the lock.
            unsafe { (*cache).timeout = timeout.max(0) };
            let _ = held.unlock();
        }
    })
}

/// Sets the most entries the cache keeps; negative values become 0. If the
/// cache holds more, the oldest are dropped now, so memory stays bounded.
/// NULL, never initialised or freed caches are ignored.
///
/// Thread safety: locked.
///
/// # Safety
///
/// `cache` is NULL or an initialised cache.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mbedtls_ssl_cache_set_max_entries(
    cache: *mut mbedtls_ssl_cache_context,
    max: c_int,
) {
    boundary(|| {
        if cache.is_null() {
            return;
        }
        // SAFETY: valid for the call.
        let lock = unsafe { ctx_lock(cache) };
        if let Ok(held) = lock.enter() {
            // SAFETY: we hold the lock.
            unsafe {
                (*cache).max_entries = max.max(0);
                if let Some(ix) = index_mut(cache) {
                    ix.shrink_to(max.max(0) as usize);
                }
            }
            let _ = held.unlock();
        }
    })
}

/// Frees every entry (their bytes wiped) and the mutex, after waiting for
/// calls in flight. Timeout and maximum are kept, as upstream. NULL, free
/// after init and free twice are harmless (upstream's is not NULL-safe and
/// frees its mutex twice).
///
/// Thread safety: locked (waits for calls in flight).
///
/// # Safety
///
/// `cache` is NULL or an initialised (or zero-filled) cache.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mbedtls_ssl_cache_free(cache: *mut mbedtls_ssl_cache_context) {
    boundary(|| {
        if cache.is_null() {
            return;
        }
        // SAFETY: valid for the call.
        let lock = unsafe { ctx_lock(cache) };
        lock.retire(|| {
            // SAFETY: nobody else is inside (retire's contract); `chain` is
            // NULL or our Box<Index>.
            unsafe {
                let p = (*cache).chain.cast::<Index>();
                (*cache).chain = core::ptr::null_mut();
                if !p.is_null() {
                    drop(Box::from_raw(p));
                }
            }
        });
    })
}
