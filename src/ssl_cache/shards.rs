//! The session cache split into shards, each an [`Index`] behind a mutex
//! of its own (see [`Cache`]).

use alloc::boxed::Box;
use alloc::vec::Vec;
use core::sync::atomic::{AtomicUsize, Ordering};

use super::index::{Index, hash_id};
use super::{CacheError, SetError, unlock};
use crate::threading::hooklock::{HookGuard, HookLocked};

/// Shards of a big cache.
pub(crate) const SHARDS: usize = 16;
/// A cache whose maximum is at least this when its first session is
/// stored gets [`SHARDS`] shards; a smaller one gets one.
pub(crate) const SHARD_MIN: usize = 64;
/// Rounds of "find the shard with the oldest entry, evict there" before a
/// full cache settles for the oldest entry of the id's own shard (only
/// under heavy concurrent stores).
const EVICT_ROUNDS: usize = 4;

/// An age key as other shards read it without the lock: 64 bits where the
/// target has 64-bit atomics, else 32 (Cortex-M4), where age keys are a
/// 32-bit count (see [`age_key`]).
#[cfg(target_has_atomic = "64")]
struct Front(core::sync::atomic::AtomicU64);
#[cfg(not(target_has_atomic = "64"))]
struct Front(core::sync::atomic::AtomicU32);

impl Front {
    fn empty() -> Self {
        #[cfg(target_has_atomic = "64")]
        return Front(core::sync::atomic::AtomicU64::new(u64::MAX));
        #[cfg(not(target_has_atomic = "64"))]
        Front(core::sync::atomic::AtomicU32::new(u32::MAX))
    }

    fn get(&self) -> u64 {
        #[cfg(target_has_atomic = "64")]
        return self.0.load(Ordering::Relaxed);
        #[cfg(not(target_has_atomic = "64"))]
        match self.0.load(Ordering::Relaxed) {
            u32::MAX => u64::MAX,
            k => u64::from(k),
        }
    }

    fn set(&self, key: u64) {
        if self.get() != key {
            #[cfg(target_has_atomic = "64")]
            self.0.store(key, Ordering::Relaxed);
            #[cfg(not(target_has_atomic = "64"))]
            self.0
                .store(u32::try_from(key).unwrap_or(u32::MAX), Ordering::Relaxed);
        }
    }
}

/// One shard: an index behind a mutex of its own, and the age key of its
/// oldest record (a hint other shards read without the lock), on cache
/// lines of its own.
#[repr(align(64))]
struct Shard {
    index: HookLocked<Index>,
    front: Front,
}

/// An age key for a store: later stores get larger keys. Hosted builds
/// read the monotonic clock in nanoseconds (no counter shared between
/// threads, and stores of different threads compare by when they
/// happened), made strictly increasing within a thread. Other builds count
/// stores in 32 bits.
fn age_key() -> u64 {
    #[cfg(all(feature = "std", target_has_atomic = "64"))]
    {
        use std::sync::OnceLock;
        use std::time::Instant;
        static BASE: OnceLock<Instant> = OnceLock::new();
        std::thread_local! {
            static LAST: core::cell::Cell<u64> = const { core::cell::Cell::new(0) };
        }
        let ns = BASE.get_or_init(Instant::now).elapsed().as_nanos() as u64;
        LAST.with(|last| {
            let k = ns.max(last.get() + 1);
            last.set(k);
            k
        })
    }
    #[cfg(not(all(feature = "std", target_has_atomic = "64")))]
    {
        static SEQ: core::sync::atomic::AtomicU32 = core::sync::atomic::AtomicU32::new(0);
        // Below u32::MAX, which marks an empty shard.
        u64::from(SEQ.fetch_add(1, Ordering::Relaxed) % u32::MAX)
    }
}

/// A cache: the entries spread over shards by a keyed hash of their id,
/// each shard an [`Index`] with its own lock, so operations on different
/// ids rarely wait for each other. The number of entries is counted across
/// shards and never exceeds the maximum. A full cache replaces the entry
/// stored longest ago across all shards (each shard publishes the age of
/// its oldest entry), so the rules are upstream's; only while several
/// threads store into a full cache at once may an entry a little younger
/// than the oldest go instead.
pub(crate) struct Cache {
    key: (u64, u64),
    shards: Box<[Shard]>,
    count: AtomicUsize,
}

impl Cache {
    /// An empty cache with one shard, or [`SHARDS`] if `max_entries` is at
    /// least [`SHARD_MIN`]. Every shard's mutex is tried once: if one does
    /// not work (a mutex backend out of places, say), the cache falls back
    /// to one shard, and fails with that mutex's error if even that one
    /// does not work.
    pub(crate) fn new(key: (u64, u64), max_entries: usize) -> Result<Cache, CacheError> {
        let sharded = max_entries >= SHARD_MIN;
        match Self::with_shards(key, if sharded { SHARDS } else { 1 }) {
            Err(CacheError::Lock(_)) if sharded => Self::with_shards(key, 1),
            r => r,
        }
    }

    fn with_shards(key: (u64, u64), n: usize) -> Result<Cache, CacheError> {
        let mut shards = Vec::new();
        shards
            .try_reserve_exact(n)
            .map_err(|_| CacheError::Set(SetError::NoMemory))?;
        for _ in 0..n {
            shards.push(Shard {
                index: HookLocked::new(Index::new(key)),
                front: Front::empty(),
            });
        }
        let cache = Cache {
            key,
            shards: shards.into_boxed_slice(),
            count: AtomicUsize::new(0),
        };
        for s in 0..n {
            unlock(cache.lock(s)?)?;
        }
        Ok(cache)
    }

    /// The id's hash and shard (the shard from the high half of the hash,
    /// the bucket inside it from the low half).
    fn home(&self, id: &[u8]) -> (u64, usize) {
        let h = hash_id(self.key, id);
        (h, ((h >> 32) as usize) % self.shards.len())
    }

    fn lock(&self, s: usize) -> Result<HookGuard<'_, Index>, CacheError> {
        self.shards[s].index.lock().map_err(CacheError::Lock)
    }

    /// Publishes shard `s`'s oldest age (a hint: it may be a stale record's,
    /// so never newer than the truth).
    fn publish(&self, s: usize, ix: &Index) {
        self.shards[s].front.set(ix.front_hint());
    }

    /// The shard whose published oldest age is the smallest, and that age.
    fn oldest_shard(&self) -> (usize, u64) {
        let mut best = (0, u64::MAX);
        for (s, shard) in self.shards.iter().enumerate() {
            let f = shard.front.get();
            if f < best.1 {
                best = (s, f);
            }
        }
        best
    }

    /// Calls `f` with the session bytes stored under `id`, unless absent or
    /// expired (`Ok(None)`).
    pub(crate) fn get<R>(
        &self,
        id: &[u8],
        now: i64,
        timeout: i32,
        f: impl FnOnce(&[u8]) -> R,
    ) -> Result<Option<R>, CacheError> {
        let (h, home) = self.home(id);
        let g = self.lock(home)?;
        let r = g.get(id, h, now, timeout, f);
        unlock(g)?;
        Ok(r)
    }

    /// Stores `data` under `id`: over the entry with that id, else over an
    /// expired entry of its shard, else as a new entry while there are
    /// fewer than `max_entries`, else over the oldest entry.
    pub(crate) fn set(
        &self,
        id: &[u8],
        data: &[u8],
        now: i64,
        timeout: i32,
        max_entries: usize,
    ) -> Result<(), CacheError> {
        let (h, home) = self.home(id);
        let mut round = 0;
        // A place freed for this store in another shard: the count already
        // includes it, so no other store can take it.
        let mut reserved = false;
        loop {
            if round > 2 * EVICT_ROUNDS + SHARDS {
                // Only reachable if other threads keep emptying shards
                // faster than this store can find the oldest entry.
                return Err(CacheError::Set(SetError::NoRoom));
            }
            let key = age_key();
            let mut g = match self.lock(home) {
                Ok(g) => g,
                Err(e) => {
                    if reserved {
                        self.count.fetch_sub(1, Ordering::Relaxed);
                    }
                    return Err(e);
                }
            };
            let at = (home, h, key, round, reserved);
            let done = self.set_in(at, &mut g, id, data, now, timeout, max_entries);
            self.publish(home, &g);
            unlock(g)?;
            match done {
                Some(r) => return r.map_err(CacheError::Set),
                // Full, and the oldest entry is in another shard: free its
                // place for this store.
                None => {
                    reserved = self.evict_oldest(true)?;
                    round += 1;
                }
            }
        }
    }

    /// The store within the id's shard; `None` if the cache is full and
    /// another shard holds the oldest entry.
    /// `at` is (shard, hash of id, age key, round of eviction, whether a
    /// place is reserved for this store).
    #[allow(clippy::too_many_arguments)]
    fn set_in(
        &self,
        at: (usize, u64, u64, usize, bool),
        ix: &mut Index,
        id: &[u8],
        data: &[u8],
        now: i64,
        timeout: i32,
        max_entries: usize,
    ) -> Option<Result<(), SetError>> {
        let (home, h, key, round, reserved) = at;
        if let Some(r) = ix.overwrite(id, h, data, now, key) {
            if reserved {
                // Another thread stored this id meanwhile: the place is
                // not needed.
                self.count.fetch_sub(1, Ordering::Relaxed);
            }
            return Some(r);
        }
        // An expired entry is the oldest of its shard: reuse it first.
        if ix.drop_oldest(false, now, timeout) {
            self.count.fetch_sub(1, Ordering::Relaxed);
        }
        let claimed = reserved
            || self
                .count
                .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |c| {
                    (c < max_entries).then_some(c + 1)
                })
                .is_ok();
        if !claimed {
            if max_entries == 0 {
                return Some(Err(SetError::NoRoom));
            }
            // Full: the oldest entry makes room, if it is here (or if
            // concurrent stores keep moving it).
            let mine = ix.front_key();
            self.publish(home, ix);
            let (_, oldest) = self.oldest_shard();
            let here = mine != u64::MAX && (mine <= oldest || round >= EVICT_ROUNDS);
            if !here || !ix.drop_oldest(true, now, timeout) {
                return None;
            }
        }
        Some(ix.insert(id, h, data, now, key).inspect_err(|_| {
            self.count.fetch_sub(1, Ordering::Relaxed);
        }))
    }

    /// Drops the oldest entry of all shards: the oldest of the shard that
    /// publishes the oldest age, once that age is confirmed under its lock
    /// (a published age may be a stale record's; looking refreshes it).
    /// Gives up after a few rounds if concurrent stores keep changing the
    /// ages; whether an entry was dropped. With `keep_place` the count
    /// keeps the dropped entry's place, for the caller to fill.
    fn evict_oldest(&self, keep_place: bool) -> Result<bool, CacheError> {
        for _ in 0..4 * SHARDS {
            let (s, hint) = self.oldest_shard();
            if hint == u64::MAX {
                return Ok(false);
            }
            let mut g = self.lock(s)?;
            let dropped = g.front_key() == hint && g.drop_oldest(true, 0, 0);
            if dropped && !keep_place {
                self.count.fetch_sub(1, Ordering::Relaxed);
            }
            self.publish(s, &g);
            unlock(g)?;
            if dropped {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// Removes the entry under `id` unless absent or expired.
    pub(crate) fn remove(&self, id: &[u8], now: i64, timeout: i32) -> Result<(), CacheError> {
        let (h, home) = self.home(id);
        let mut g = self.lock(home)?;
        if g.remove(id, h, now, timeout) {
            self.count.fetch_sub(1, Ordering::Relaxed);
        }
        self.publish(home, &g);
        unlock(g)
    }

    /// Drops the oldest entries until at most `max` remain.
    pub(crate) fn shrink_to(&self, max: usize) -> Result<(), CacheError> {
        while self.count.load(Ordering::Relaxed) > max {
            if !self.evict_oldest(false)? {
                break;
            }
        }
        Ok(())
    }

    /// Entries held (checks the count against the shards).
    #[cfg(test)]
    pub(crate) fn len(&mut self) -> usize {
        let n: usize = self
            .shards
            .iter_mut()
            .map(|s| s.index.get_mut().len())
            .sum();
        assert_eq!(n, *self.count.get_mut());
        n
    }
}

#[cfg(all(test, feature = "std"))]
mod tests {
    use super::*;

    fn id(n: u32) -> [u8; 32] {
        let mut id = [0u8; 32];
        id[..4].copy_from_slice(&n.to_be_bytes());
        id
    }

    fn holds(c: &Cache, n: u32) -> bool {
        c.get(&id(n), 0, 0, |_| ()).unwrap().is_some()
    }

    #[test]
    fn a_full_sharded_cache_replaces_the_oldest_entry() {
        crate::threading::install_test_backend();
        // Smaller under Miri, still sharded.
        let max: u32 = if cfg!(miri) { 100 } else { 5000 };
        let fill = max + max / 5;
        let mut c = Cache::new((1, 2), max as usize).unwrap();
        assert_eq!(c.shards.len(), SHARDS);
        for n in 0..fill {
            c.set(&id(n), &[n as u8; 100], 0, 0, max as usize).unwrap();
        }
        assert_eq!(c.len(), max as usize);
        // Exactly the first fill - max are gone, whatever their shards.
        let gone = fill - max;
        assert!((0..fill).all(|n| holds(&c, n) == (n >= gone)));
        // An overwrite makes an entry the newest.
        c.set(&id(gone), &[1; 10], 0, 0, max as usize).unwrap();
        c.set(&id(fill + 1000), &[2; 10], 0, 0, max as usize)
            .unwrap();
        assert!(holds(&c, gone) && !holds(&c, gone + 1) && holds(&c, fill + 1000));
        // Lowering the maximum drops the oldest.
        c.shrink_to(10).unwrap();
        assert_eq!(c.len(), 10);
        let kept: Vec<u32> = (0..fill + 2000).filter(|&n| holds(&c, n)).collect();
        let mut want: Vec<u32> = (fill - 8..fill).collect();
        want.insert(0, gone);
        want.push(fill + 1000);
        assert_eq!(kept, want);
        c.remove(&id(fill + 1000), 0, 0).unwrap();
        assert_eq!(c.len(), 9);
        assert_eq!(
            c.set(&id(1), &[0; 4], 0, 0, 0),
            Err(CacheError::Set(SetError::NoRoom))
        );
    }

    #[test]
    fn ages_compare_across_threads() {
        crate::threading::install_test_backend();
        let c = std::sync::Arc::new(Cache::new((5, 6), 100).unwrap());
        let store = |n: u32| {
            let c = c.clone();
            std::thread::spawn(move || c.set(&id(n), &[0; 8], 0, 0, 100).unwrap())
                .join()
                .unwrap();
        };
        // A busy thread fills the cache; another, quiet one stores after it.
        let busy = c.clone();
        std::thread::spawn(move || {
            for n in 0..100 {
                busy.set(&id(n), &[0; 8], 0, 0, 100).unwrap();
            }
        })
        .join()
        .unwrap();
        store(1000);
        // Then the busy thread again: the quiet thread's entry is newer
        // than the busy thread's first ones, whatever the threads' counts.
        store(1001);
        assert!(!holds(&c, 0) && !holds(&c, 1));
        assert!(holds(&c, 1000) && holds(&c, 1001) && holds(&c, 2));
    }

    #[test]
    fn small_caches_have_one_shard() {
        crate::threading::install_test_backend();
        assert_eq!(Cache::new((0, 0), SHARD_MIN - 1).unwrap().shards.len(), 1);
    }

    // Without MBEDTLS_THREADING_C a cache is not shared between threads
    // (a shard's lock then refuses a second holder instead of waiting).
    #[cfg(mbedtls_threading_c)]
    #[test]
    fn threads_never_lose_or_duplicate_entries() {
        crate::threading::install_test_backend();
        // Each thread ends with two stores after its last remove, so the
        // cache ends full.
        let (max, per_thread) = if cfg!(miri) { (130, 102) } else { (4000, 3000) };
        let c = std::sync::Arc::new(Cache::new((3, 4), max).unwrap());
        let workers: Vec<_> = (0..4u32)
            .map(|t| {
                let c = c.clone();
                std::thread::spawn(move || {
                    for i in 0..per_thread as u32 {
                        let n = t * 100_000 + i;
                        c.set(&id(n), &n.to_be_bytes(), 0, 0, max).unwrap();
                        let got = c.get(&id(n), 0, 0, |b| b.to_vec()).unwrap();
                        // It may already be evicted by the others, but never
                        // hold someone else's bytes.
                        if let Some(b) = got {
                            assert_eq!(b, n.to_be_bytes());
                        }
                        if i % 3 == 0 {
                            c.remove(&id(n), 0, 0).unwrap();
                        }
                    }
                })
            })
            .collect();
        for w in workers {
            w.join().unwrap();
        }
        let mut c = std::sync::Arc::try_unwrap(c).ok().unwrap();
        // Two thirds of 4 x per_thread entries were left in, more than the
        // maximum: the cache is full, and never over.
        assert_eq!(c.len(), max);
    }
}
