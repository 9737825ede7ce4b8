//! ssl_cache.h: a server's cache of TLS sessions by session id.
//!
//! Upstream keeps a linked list and scans it on every call, so a cache of
//! n entries costs O(n) per operation. This one keeps the serialized
//! sessions in a hash index (SipHash with a per-cache random key, so
//! clients cannot choose ids that collide) and their age in an
//! append-only queue, so get, set and remove are O(1) and "evict the
//! oldest" is the queue's front. Upstream's choices are kept: a set
//! overwrites the entry with the same id, else reuses an expired entry,
//! else adds one while fewer than `max_entries` exist, else replaces the
//! oldest; a get or remove ignores expired entries. The bytes of a session
//! are wiped whenever an entry is replaced, removed or freed.
//!
//! Layout, for big caches (a million entries is about 200 MB, so every
//! access is a cache miss): an entry holds its session bytes inline (no
//! heap block per session unless it is longer than [`INLINE`]); the age
//! queue holds (slot, generation) records, and a slot's current generation
//! lives in a dense array beside the entries. Overwriting an entry appends
//! a record and bumps the generation, which makes the older record stale,
//! instead of unlinking the entry from a list (which touched two other
//! entries). Stale records are skipped at the front and compacted away
//! when they outnumber the live ones.
//!
//! That is the hosted build (`index.rs`, spread over the shards of
//! `shards.rs`). Builds without `std` (firmware, where a cache holds a few
//! dozen sessions and flash is scarce) keep upstream's list instead
//! (`small.rs`), with the same rules; a test checks that the two agree.

#[cfg(not(loom))]
pub(crate) mod ffi;
#[cfg(feature = "std")]
mod index;
#[cfg(all(not(loom), feature = "std"))]
pub(crate) mod shards;
#[cfg(all(not(loom), any(test, not(feature = "std"))))]
pub(crate) mod small;

use core::ffi::c_int;

/// The cache type of this build: sharded where there is `std`, upstream's
/// list in firmware.
#[cfg(all(not(loom), feature = "std"))]
pub(crate) use shards::Cache;
#[cfg(all(not(loom), not(feature = "std")))]
pub(crate) use small::Cache;

/// Longest session id.
pub(crate) const MAX_ID: usize = 32;
/// Session bytes stored inside an entry; longer ones get a heap block.
/// Upstream's TLS 1.2 session without a peer certificate is 114 bytes.
pub(crate) const INLINE: usize = 144;

/// Why a set failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SetError {
    /// `max_entries` is 0: nowhere to put the session.
    NoRoom,
    /// An allocation failed; nothing was stored (an entry may have been
    /// evicted to make room, as a successful set would have).
    NoMemory,
}

/// Why a store failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CacheError {
    /// See [`SetError`].
    Set(SetError),
    /// A mutex failed to lock (the hook's code) or to unlock
    /// (`MBEDTLS_ERR_THREADING_MUTEX_ERROR`, as upstream reports it).
    Lock(c_int),
}

/// Releases a cache lock: `MBEDTLS_ERR_THREADING_MUTEX_ERROR` if the
/// mutex fails to unlock, as upstream reports it.
#[cfg(not(loom))]
fn unlock<T>(g: crate::threading::hooklock::HookGuard<'_, T>) -> Result<(), CacheError> {
    match g.unlock() {
        0 => Ok(()),
        _ => Err(CacheError::Lock(
            crate::abi::threading::MBEDTLS_ERR_THREADING_MUTEX_ERROR,
        )),
    }
}

/// Whether an entry stored at `timestamp` has expired at `now` (a timeout
/// of 0 never expires).
fn expired_at(timestamp: i64, now: i64, timeout: i32) -> bool {
    timeout != 0 && now.wrapping_sub(timestamp) as i32 > timeout
}
