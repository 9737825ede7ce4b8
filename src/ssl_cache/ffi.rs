//! The C surface of ssl_cache.h. Init, free and the setters use the
//! context protocol (`threading/ctx.rs`) with the cache's mutex. Get, set
//! and remove count themselves in without that mutex (`CtxLock::join`, on
//! per-thread counters in `guard_joined`, so free still waits for them)
//! and lock only the shard of the index that holds the id. Sessions are
//! serialized before locking (set) and deserialized after unlocking (get),
//! so a lock covers only the O(1) index operation.

use alloc::boxed::Box;
use alloc::vec::Vec;
use core::ffi::{c_int, c_uchar, c_void};
use core::sync::atomic::{AtomicI32, AtomicPtr, AtomicU32, Ordering};

use zeroize::Zeroizing;

use super::{Cache, CacheError, INLINE, MAX_ID, SetError};
use crate::abi::ssl::{
    MBEDTLS_ERR_SSL_ALLOC_FAILED, MBEDTLS_ERR_SSL_BAD_INPUT_DATA, MBEDTLS_ERR_SSL_BUFFER_TOO_SMALL,
    MBEDTLS_ERR_SSL_CACHE_ENTRY_NOT_FOUND, MBEDTLS_ERR_SSL_INTERNAL_ERROR, mbedtls_ssl_session,
};
use crate::abi::ssl_cache::{
    MBEDCRYPTO_SSL_CACHE_JOIN_WORDS, MBEDTLS_SSL_CACHE_DEFAULT_MAX_ENTRIES,
    MBEDTLS_SSL_CACHE_DEFAULT_TIMEOUT, mbedtls_ssl_cache_context,
};
use crate::abi::threading::MBEDTLS_ERR_THREADING_MUTEX_ERROR;
use crate::ffi::{boundary, try_slice};
use crate::ssl::ffi::{mbedtls_ssl_session_load, mbedtls_ssl_session_save};
use crate::threading::ctx::{CtxLock, EnterError, STRIPE_WORDS, STRIPES, Stripes};

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
    // SAFETY: time() accepts NULL. It is upstream's clock (mbedtls_time),
    // and seconds are all a timeout needs.
    // time_t is narrower than i64 on some targets.
    #[allow(clippy::useless_conversion)]
    i64::from(unsafe { libc::time(core::ptr::null_mut()) })
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

/// The cache's join counters.
///
/// # Safety
///
/// `cache` is non-NULL and points to a cache that stays allocated for `'a`.
unsafe fn stripes<'a>(cache: *mut mbedtls_ssl_cache_context) -> Stripes<'a> {
    const _: () = assert!(STRIPES * STRIPE_WORDS == MBEDCRYPTO_SSL_CACHE_JOIN_WORDS);
    // SAFETY: `guard_joined` is MBEDCRYPTO_SSL_CACHE_JOIN_WORDS aligned
    // u32s for 'a (caller), and AtomicU32 has u32's size and alignment;
    // after init every access to them is atomic.
    let words = unsafe {
        &*(&raw mut (*cache).guard_joined).cast::<[AtomicU32; MBEDCRYPTO_SSL_CACHE_JOIN_WORDS]>()
    };
    Stripes::new(words)
}

/// The `chain` member: the cache's [`Cache`], published once.
///
/// # Safety
///
/// As [`stripes`].
unsafe fn chain<'a>(cache: *mut mbedtls_ssl_cache_context) -> &'a AtomicPtr<c_void> {
    // SAFETY: an aligned pointer-sized member valid for 'a (caller); it is
    // only accessed atomically once the cache is initialised.
    unsafe { AtomicPtr::from_ptr(&raw mut (*cache).chain) }
}

/// The `timeout` or `max_entries` member.
///
/// # Safety
///
/// As [`stripes`]; `field` points into that cache.
unsafe fn setting<'a>(field: *mut c_int) -> &'a AtomicI32 {
    // SAFETY: an aligned c_int (i32) member valid for 'a (caller).
    unsafe { AtomicI32::from_ptr(field) }
}

/// The cache's index, if one was made.
///
/// # Safety
///
/// As [`stripes`], and the caller is counted in (joined or holding the
/// mutex), so a free waits before dropping the index.
unsafe fn cache_ref<'a>(cache: *mut mbedtls_ssl_cache_context) -> Option<&'a Cache> {
    // SAFETY: per the contract.
    let p = unsafe { chain(cache) }
        .load(Ordering::Acquire)
        .cast::<Cache>();
    // SAFETY: NULL or a live Box<Cache> that outlives our stay.
    unsafe { p.as_ref() }
}

fn cache_code(e: CacheError) -> c_int {
    match e {
        CacheError::Set(SetError::NoRoom) => MBEDTLS_ERR_SSL_INTERNAL_ERROR,
        CacheError::Set(SetError::NoMemory) => MBEDTLS_ERR_SSL_ALLOC_FAILED,
        CacheError::Lock(code) => code,
    }
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
        let (lock, stripes) = unsafe { (ctx_lock(cache), stripes(cache)) };
        let _ = lock.start_striped(&stripes);
    })
}

/// Looks up the session stored under `session_id` and loads it into
/// `session` (see `mbedtls_ssl_session_load()`). Returns 0,
/// `MBEDTLS_ERR_SSL_CACHE_ENTRY_NOT_FOUND` (absent or expired; also an id
/// longer than 32 bytes), the load's error, `MBEDTLS_ERR_SSL_BAD_INPUT_DATA`
/// (NULL arguments; a cache that is not initialised), or a lock error.
///
/// Thread safety: locked (one shard of the index, not the cache's
/// mutex; the session is loaded after unlocking).
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
        let (lock, stripes) = unsafe { (ctx_lock(cache), stripes(cache)) };
        let joined = match lock.join(&stripes) {
            Ok(j) => j,
            Err(e) => return enter_code(e),
        };
        // Copy the bytes out (into `small` when they fit) and load them
        // after unlocking.
        let mut small = Zeroizing::new([0u8; INLINE]);
        let mut big: Option<Zeroizing<Vec<u8>>> = None;
        // SAFETY: valid for the call; we are counted in.
        let (timeout, index) = unsafe {
            (
                setting(&raw mut (*cache).timeout).load(Ordering::Relaxed),
                cache_ref(cache),
            )
        };
        let found = match index {
            None => Ok(None),
            Some(c) => c.get(id, now(), timeout, |bytes| {
                if bytes.len() <= INLINE {
                    small[..bytes.len()].copy_from_slice(bytes);
                    return Ok(bytes.len());
                }
                let mut v = Zeroizing::new(Vec::new());
                if v.try_reserve_exact(bytes.len()).is_err() {
                    return Err(MBEDTLS_ERR_SSL_ALLOC_FAILED);
                }
                v.extend_from_slice(bytes);
                big = Some(v);
                Ok(bytes.len())
            }),
        };
        drop(joined);
        let bytes: &[u8] = match found {
            Err(e) => return cache_code(e),
            Ok(None) => return MBEDTLS_ERR_SSL_CACHE_ENTRY_NOT_FOUND,
            Ok(Some(Err(e))) => return e,
            Ok(Some(Ok(n))) => match &big {
                Some(v) => v,
                None => &small[..n],
            },
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
/// Thread safety: locked (one shard of the index, not the cache's
/// mutex; the session is serialized before locking).
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
        let mut big: Zeroizing<Vec<u8>>;
        let mut olen = 0usize;
        // SAFETY: a buffer of INLINE bytes.
        let rc =
            unsafe { mbedtls_ssl_session_save(session, small.as_mut_ptr(), INLINE, &mut olen) };
        let bytes: &[u8] = match rc {
            0 => &small[..olen],
            MBEDTLS_ERR_SSL_BUFFER_TOO_SMALL => {
                let need = olen;
                big = Zeroizing::new(Vec::new());
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
        let (lock, stripes) = unsafe { (ctx_lock(cache), stripes(cache)) };
        let joined = match lock.join(&stripes) {
            Ok(j) => j,
            Err(e) => return enter_code(e),
        };
        // SAFETY: valid for the call.
        let (timeout, max) = unsafe {
            (
                setting(&raw mut (*cache).timeout).load(Ordering::Relaxed),
                setting(&raw mut (*cache).max_entries).load(Ordering::Relaxed),
            )
        };
        let max = max.max(0) as usize;
        // SAFETY: valid for the call; we are counted in.
        let index = match unsafe { cache_ref(cache) } {
            Some(c) => c,
            // SAFETY: as above.
            None => match unsafe { make_index(cache, &lock, max) } {
                Ok(c) => c,
                Err(rc) => return rc,
            },
        };
        let rc = match index.set(id, bytes, now(), timeout, max) {
            Ok(()) => 0,
            Err(e) => cache_code(e),
        };
        drop(joined);
        rc
    })
}

/// Makes the cache's index on its first store, under the cache's mutex so
/// that two first stores make one.
///
/// # Safety
///
/// As [`cache_ref`].
unsafe fn make_index<'a>(
    cache: *mut mbedtls_ssl_cache_context,
    lock: &CtxLock<'_>,
    max: usize,
) -> Result<&'a Cache, c_int> {
    let held = lock.enter().map_err(enter_code)?;
    // SAFETY: per the contract.
    let slot = unsafe { chain(cache) };
    let mut rc = 0;
    if slot.load(Ordering::Acquire).is_null() {
        match Cache::new(hash_key(cache), max) {
            Ok(c) => slot.store(Box::into_raw(Box::new(c)).cast(), Ordering::Release),
            Err(e) => rc = cache_code(e),
        }
    }
    if held.unlock() != 0 {
        return Err(MBEDTLS_ERR_THREADING_MUTEX_ERROR);
    }
    if rc != 0 {
        return Err(rc);
    }
    // SAFETY: per the contract; the index now exists.
    unsafe { cache_ref(cache) }.ok_or(MBEDTLS_ERR_SSL_INTERNAL_ERROR)
}

/// Removes the session stored under `session_id` (if present and not
/// expired). Returns 0 whether or not there was one, as upstream;
/// `MBEDTLS_ERR_SSL_BAD_INPUT_DATA` for NULL arguments or a cache that is
/// not initialised; or a lock error.
///
/// Thread safety: locked (one shard of the index).
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
        let (lock, stripes) = unsafe { (ctx_lock(cache), stripes(cache)) };
        let joined = match lock.join(&stripes) {
            Ok(j) => j,
            Err(e) => return enter_code(e),
        };
        // SAFETY: valid for the call; we are counted in.
        let (timeout, index) = unsafe {
            (
                setting(&raw mut (*cache).timeout).load(Ordering::Relaxed),
                cache_ref(cache),
            )
        };
        let rc = match index.map(|c| c.remove(id, now(), timeout)) {
            Some(Err(e)) => cache_code(e),
            _ => 0,
        };
        drop(joined);
        rc
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
            // SAFETY: valid for the call.
            unsafe { setting(&raw mut (*cache).timeout) }.store(timeout.max(0), Ordering::Relaxed);
            let _ = held.unlock();
        }
    })
}

/// Sets the most entries the cache keeps; negative values become 0. If the
/// cache holds more, the oldest are dropped (and wiped) now; the memory
/// the index reached stays reserved for reuse until `free`. NULL, never
/// initialised or freed caches are ignored.
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
            // SAFETY: valid for the call; we hold the mutex, so we are
            // counted in.
            unsafe {
                setting(&raw mut (*cache).max_entries).store(max.max(0), Ordering::Relaxed);
                if let Some(c) = cache_ref(cache) {
                    // A failing shard lock leaves some entries in; the next
                    // store evicts down to the maximum anyway.
                    let _ = c.shrink_to(max.max(0) as usize);
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
        let (lock, stripes) = unsafe { (ctx_lock(cache), stripes(cache)) };
        lock.retire_striped(&stripes, || {
            // SAFETY: nobody else is inside (retire's contract); `chain` is
            // NULL or our Box<Cache>.
            unsafe {
                let p = chain(cache)
                    .swap(core::ptr::null_mut(), Ordering::AcqRel)
                    .cast::<Cache>();
                if !p.is_null() {
                    drop(Box::from_raw(p));
                }
            }
        });
    })
}
