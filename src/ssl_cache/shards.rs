//! The session cache split into shards, each an [`Index`] behind a mutex
//! of its own (see [`Cache`]).

use alloc::boxed::Box;
use alloc::vec::Vec;
use core::ffi::c_int;
use core::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

use super::{Index, SetError};
use crate::abi::threading::MBEDTLS_ERR_THREADING_MUTEX_ERROR;
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

/// One shard: an index behind a mutex of its own, and the age key of its
/// oldest record (a hint other shards read without the lock), on cache
/// lines of its own.
#[repr(align(64))]
struct Shard {
    index: HookLocked<Index>,
    front: AtomicU64,
}

/// Why a store failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CacheError {
    /// See [`SetError`].
    Set(SetError),
    /// A shard's mutex failed to lock (the hook's code) or to unlock
    /// (`MBEDTLS_ERR_THREADING_MUTEX_ERROR`, as upstream reports it).
    Lock(c_int),
}

/// An age key for a store at `now` (seconds): the time, then a count of
/// the calling thread's stores (hosted builds; a global count otherwise),
/// so a thread's later stores get larger keys and entries of different
/// seconds compare by time, as upstream compares timestamps. No counter
/// is shared between threads.
fn age_key(now: i64) -> u64 {
    #[cfg(feature = "std")]
    let seq = {
        std::thread_local! {
            static SEQ: core::cell::Cell<u32> = const { core::cell::Cell::new(0) };
        }
        SEQ.with(|c| {
            let v = c.get().wrapping_add(1);
            c.set(v);
            v
        })
    };
    #[cfg(not(feature = "std"))]
    let seq = {
        static SEQ: core::sync::atomic::AtomicU32 = core::sync::atomic::AtomicU32::new(0);
        SEQ.fetch_add(1, Ordering::Relaxed)
    };
    ((now as u64) << 32) | u64::from(seq)
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

fn unlock(g: HookGuard<'_, Index>) -> Result<(), CacheError> {
    match g.unlock() {
        0 => Ok(()),
        _ => Err(CacheError::Lock(MBEDTLS_ERR_THREADING_MUTEX_ERROR)),
    }
}

impl Cache {
    /// An empty cache with one shard, or [`SHARDS`] if `max_entries` is at
    /// least [`SHARD_MIN`]; `None` if the allocation fails.
    pub(crate) fn new(key: (u64, u64), max_entries: usize) -> Option<Cache> {
        let n = if max_entries >= SHARD_MIN { SHARDS } else { 1 };
        let mut shards = Vec::new();
        shards.try_reserve_exact(n).ok()?;
        for _ in 0..n {
            shards.push(Shard {
                index: HookLocked::new(Index::new(key)),
                front: AtomicU64::new(u64::MAX),
            });
        }
        Some(Cache {
            key,
            shards: shards.into_boxed_slice(),
            count: AtomicUsize::new(0),
        })
    }

    /// The id's hash and shard (the shard from the high half of the hash,
    /// the bucket inside it from the low half).
    fn home(&self, id: &[u8]) -> (u64, usize) {
        #[allow(deprecated)]
        let mut h = core::hash::SipHasher::new_with_keys(self.key.0, self.key.1);
        core::hash::Hasher::write(&mut h, id);
        let h = core::hash::Hasher::finish(&h);
        (h, ((h >> 32) as usize) % self.shards.len())
    }

    fn lock(&self, s: usize) -> Result<HookGuard<'_, Index>, CacheError> {
        self.shards[s].index.lock().map_err(CacheError::Lock)
    }

    /// Publishes shard `s`'s oldest age (a hint: it may be a stale record's,
    /// so never newer than the truth).
    fn publish(&self, s: usize, ix: &Index) {
        let f = ix.front_hint();
        let front = &self.shards[s].front;
        if front.load(Ordering::Relaxed) != f {
            front.store(f, Ordering::Relaxed);
        }
    }

    /// The shard whose published oldest age is the smallest, and that age.
    fn oldest_shard(&self) -> (usize, u64) {
        let mut best = (0, u64::MAX);
        for (s, shard) in self.shards.iter().enumerate() {
            let f = shard.front.load(Ordering::Relaxed);
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
        loop {
            if round > 2 * EVICT_ROUNDS + SHARDS {
                // Only reachable if other threads empty and refill the
                // cache faster than this store can take a place.
                return Err(CacheError::Set(SetError::NoRoom));
            }
            let key = age_key(now);
            let mut g = self.lock(home)?;
            let at = (home, h, key, round);
            let done = self.set_in(at, &mut g, id, data, now, timeout, max_entries);
            self.publish(home, &g);
            unlock(g)?;
            match done {
                Some(r) => return r.map_err(CacheError::Set),
                // Full, and the oldest entry is in another shard.
                None => {
                    self.evict_oldest()?;
                    round += 1;
                }
            }
        }
    }

    /// The store within the id's shard; `None` if the cache is full and
    /// another shard holds the oldest entry.
    /// `at` is (shard, hash of id, age key, round of eviction).
    #[allow(clippy::too_many_arguments)]
    fn set_in(
        &self,
        at: (usize, u64, u64, usize),
        ix: &mut Index,
        id: &[u8],
        data: &[u8],
        now: i64,
        timeout: i32,
        max_entries: usize,
    ) -> Option<Result<(), SetError>> {
        let (home, h, key, round) = at;
        if let Some(r) = ix.overwrite(id, h, data, now, key) {
            return Some(r);
        }
        // An expired entry is the oldest of its shard: reuse it first.
        if ix.drop_oldest(false, now, timeout) {
            self.count.fetch_sub(1, Ordering::Relaxed);
        }
        let claimed = self
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
    /// ages; whether an entry was dropped.
    fn evict_oldest(&self) -> Result<bool, CacheError> {
        for _ in 0..4 * SHARDS {
            let (s, hint) = self.oldest_shard();
            if hint == u64::MAX {
                return Ok(false);
            }
            let mut g = self.lock(s)?;
            let dropped = g.front_key() == hint && g.drop_oldest(true, 0, 0);
            if dropped {
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
            if !self.evict_oldest()? {
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
    use alloc::vec;

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
        let mut c = Cache::new((1, 2), 5000).unwrap();
        assert_eq!(c.shards.len(), SHARDS);
        for n in 0..6000 {
            c.set(&id(n), &[n as u8; 100], 0, 0, 5000).unwrap();
        }
        assert_eq!(c.len(), 5000);
        // Exactly the first 1000 are gone, whatever their shards.
        assert!((0..6000).all(|n| holds(&c, n) == (n >= 1000)));
        // An overwrite makes an entry the newest.
        c.set(&id(1000), &[1; 10], 0, 0, 5000).unwrap();
        c.set(&id(7000), &[2; 10], 0, 0, 5000).unwrap();
        assert!(holds(&c, 1000) && !holds(&c, 1001) && holds(&c, 7000));
        // Lowering the maximum drops the oldest.
        c.shrink_to(10).unwrap();
        assert_eq!(c.len(), 10);
        let kept: Vec<u32> = (0..8000).filter(|&n| holds(&c, n)).collect();
        assert_eq!(
            kept,
            vec![1000, 5992, 5993, 5994, 5995, 5996, 5997, 5998, 5999, 7000]
        );
        c.remove(&id(7000), 0, 0).unwrap();
        assert_eq!(c.len(), 9);
        assert_eq!(
            c.set(&id(1), &[0; 4], 0, 0, 0),
            Err(CacheError::Set(SetError::NoRoom))
        );
    }

    #[test]
    fn small_caches_have_one_shard() {
        crate::threading::install_test_backend();
        assert_eq!(Cache::new((0, 0), SHARD_MIN - 1).unwrap().shards.len(), 1);
    }

    #[test]
    fn threads_never_lose_or_duplicate_entries() {
        crate::threading::install_test_backend();
        let c = std::sync::Arc::new(Cache::new((3, 4), 4000).unwrap());
        let workers: Vec<_> = (0..4u32)
            .map(|t| {
                let c = c.clone();
                std::thread::spawn(move || {
                    for i in 0..3000u32 {
                        let n = t * 100_000 + i;
                        c.set(&id(n), &n.to_be_bytes(), 0, 0, 4000).unwrap();
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
        let n = c.len();
        assert!(n <= 4000, "{n} entries");
        // 4 x 2000 entries were left in: the cache is full.
        assert_eq!(n, 4000);
    }
}
