//! The session cache of builds without `std` (firmware): a list of entries
//! behind one mutex, scanned at every call, as upstream keeps it. A
//! firmware serves a few dozen clients (upstream's default maximum is 50),
//! where a scan costs little and the hash index, age queue and shards of
//! hosted builds (`index.rs`, `shards.rs`) would cost about 5 KB of flash.
//!
//! The rules are the sharded cache's with one shard: a set overwrites the
//! entry with the same id (expired or not), else replaces the oldest entry
//! if it has expired, else adds an entry while fewer than `max_entries`
//! exist, else replaces the oldest; a get or remove ignores expired
//! entries. "Oldest" is the entry stored longest ago, by a store counter.
//! A set that cannot allocate leaves the cache as it was. Session bytes
//! are wiped when their entry is replaced, removed or freed.

use alloc::vec::Vec;

use zeroize::{Zeroize, Zeroizing};

use super::{CacheError, MAX_ID, SetError, expired_at, unlock};
use crate::threading::hooklock::{HookGuard, HookLocked};

/// One stored session.
struct Entry {
    id: [u8; MAX_ID],
    id_len: u8,
    timestamp: i64,
    /// The store counter's value when it was stored: the smallest is the
    /// oldest.
    seq: u64,
    bytes: Zeroizing<Vec<u8>>,
}

impl Entry {
    fn id(&self) -> &[u8] {
        &self.id[..usize::from(self.id_len)]
    }
}

impl Drop for Entry {
    fn drop(&mut self) {
        // The bytes wipe themselves.
        self.id.zeroize();
    }
}

/// The entries and the store counter.
struct List {
    entries: Vec<Entry>,
    seq: u64,
}

/// A cache: the list behind one mutex.
pub(crate) struct Cache {
    list: HookLocked<List>,
}

/// A copy of `data` on the heap.
fn copy(data: &[u8]) -> Result<Zeroizing<Vec<u8>>, SetError> {
    let mut v = Zeroizing::new(Vec::new());
    v.try_reserve_exact(data.len())
        .map_err(|_| SetError::NoMemory)?;
    v.extend_from_slice(data);
    Ok(v)
}

impl List {
    fn find(&self, id: &[u8]) -> Option<usize> {
        self.entries.iter().position(|e| e.id() == id)
    }

    fn oldest(&self) -> Option<usize> {
        let (i, _) = self.entries.iter().enumerate().min_by_key(|(_, e)| e.seq)?;
        Some(i)
    }

    fn next_seq(&mut self) -> u64 {
        self.seq += 1;
        self.seq
    }

    /// Drops the oldest entry if the list is `full` or that entry has
    /// expired.
    fn evict_oldest(&mut self, full: bool, now: i64, timeout: i32) {
        if let Some(o) = self.oldest()
            && (full || expired_at(self.entries[o].timestamp, now, timeout))
        {
            self.entries.swap_remove(o);
        }
    }

    fn set(
        &mut self,
        id: &[u8],
        data: &[u8],
        now: i64,
        timeout: i32,
        max_entries: usize,
    ) -> Result<(), SetError> {
        let found = self.find(id);
        if found.is_none() && max_entries == 0 {
            // As the sharded cache: an expired oldest entry goes anyway.
            self.evict_oldest(false, now, timeout);
            return Err(SetError::NoRoom);
        }
        // Everything that can fail first, so that a failed set changes
        // nothing.
        let bytes = copy(data)?;
        let i = match found {
            Some(i) => i,
            None => {
                self.entries
                    .try_reserve(1)
                    .map_err(|_| SetError::NoMemory)?;
                self.evict_oldest(self.entries.len() >= max_entries, now, timeout);
                let mut e = Entry {
                    id: [0; MAX_ID],
                    id_len: id.len() as u8,
                    timestamp: now,
                    seq: 0,
                    bytes: Zeroizing::new(Vec::new()),
                };
                e.id[..id.len()].copy_from_slice(id);
                self.entries.push(e);
                self.entries.len() - 1
            }
        };
        let seq = self.next_seq();
        let e = &mut self.entries[i];
        e.bytes = bytes;
        e.timestamp = now;
        e.seq = seq;
        Ok(())
    }
}

impl Cache {
    /// An empty cache. Its mutex is tried once, so that a mutex that does
    /// not work fails here (as the sharded cache does).
    pub(crate) fn new(_key: (u64, u64), _max_entries: usize) -> Result<Cache, CacheError> {
        let cache = Cache {
            list: HookLocked::new(List {
                entries: Vec::new(),
                seq: 0,
            }),
        };
        unlock(cache.lock()?)?;
        Ok(cache)
    }

    fn lock(&self) -> Result<HookGuard<'_, List>, CacheError> {
        self.list.lock().map_err(CacheError::Lock)
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
        let g = self.lock()?;
        let r = g
            .find(id)
            .map(|i| &g.entries[i])
            .filter(|e| !expired_at(e.timestamp, now, timeout))
            .map(|e| f(&e.bytes));
        unlock(g)?;
        Ok(r)
    }

    /// Stores `data` under `id` (the rules in the module's documentation).
    pub(crate) fn set(
        &self,
        id: &[u8],
        data: &[u8],
        now: i64,
        timeout: i32,
        max_entries: usize,
    ) -> Result<(), CacheError> {
        let mut g = self.lock()?;
        let r = g.set(id, data, now, timeout, max_entries);
        unlock(g)?;
        r.map_err(CacheError::Set)
    }

    /// Removes the entry under `id` unless absent or expired.
    pub(crate) fn remove(&self, id: &[u8], now: i64, timeout: i32) -> Result<(), CacheError> {
        let mut g = self.lock()?;
        if let Some(i) = g.find(id)
            && !expired_at(g.entries[i].timestamp, now, timeout)
        {
            g.entries.swap_remove(i);
        }
        unlock(g)
    }

    /// Drops the oldest entries until at most `max` remain.
    pub(crate) fn shrink_to(&self, max: usize) -> Result<(), CacheError> {
        let mut g = self.lock()?;
        while g.entries.len() > max {
            let Some(o) = g.oldest() else { break };
            g.entries.swap_remove(o);
        }
        unlock(g)
    }

    /// Entries held.
    #[cfg(test)]
    pub(crate) fn len(&mut self) -> usize {
        self.list.get_mut().entries.len()
    }
}

#[cfg(all(test, feature = "std"))]
mod tests {
    use super::*;
    use crate::ssl_cache::shards;

    fn get(c: &Cache, id: &[u8], now: i64, timeout: i32) -> Option<Vec<u8>> {
        c.get(id, now, timeout, |b| b.to_vec()).unwrap()
    }

    /// Random sets, gets, removes and shrinks on this cache and on the
    /// sharded one with the same maximum: the same results, entry counts
    /// and contents. Below 64 entries the sharded cache has one shard and
    /// follows the same rules with expiry; above, it is compared without
    /// expiry (with several shards it reuses the oldest expired entry of
    /// the id's shard, not of the whole cache).
    #[test]
    fn agrees_with_the_sharded_cache() {
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut next = move |n: u64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed % n
        };
        let rounds = if cfg!(miri) { 2 } else { 12 };
        let steps = if cfg!(miri) { 150 } else { 3000 };
        for round in 0..rounds {
            let (max, timeout) = match round % 3 {
                0 => (10, 0),
                1 => (20, 30),
                _ => (100, 0),
            };
            let mut small = Cache::new((1, 2), max).unwrap();
            let mut sharded = shards::Cache::new((1, 2), max).unwrap();
            let mut now = 0i64;
            for step in 0..steps {
                now += next(3) as i64;
                let id = [next(3 * max as u64) as u8; 7];
                let id = &id[..1 + next(7) as usize];
                let at = format!("round {round}, step {step}");
                match next(10) {
                    0..=4 => {
                        let data = alloc::vec![step as u8; 1 + next(200) as usize];
                        assert_eq!(
                            small.set(id, &data, now, timeout, max),
                            sharded.set(id, &data, now, timeout, max),
                            "{at}"
                        );
                    }
                    5..=7 => assert_eq!(
                        get(&small, id, now, timeout),
                        sharded.get(id, now, timeout, |b| b.to_vec()).unwrap(),
                        "{at}"
                    ),
                    8 => assert_eq!(
                        small.remove(id, now, timeout),
                        sharded.remove(id, now, timeout),
                        "{at}"
                    ),
                    _ => {
                        let to = next(max as u64 + 1) as usize;
                        assert_eq!(small.shrink_to(to), sharded.shrink_to(to), "{at}");
                    }
                }
                assert_eq!(small.len(), sharded.len(), "{at}");
            }
        }
    }

    #[test]
    fn no_room_and_overwrite() {
        let mut c = Cache::new((0, 0), 0).unwrap();
        assert_eq!(
            c.set(b"a", b"x", 0, 0, 0),
            Err(CacheError::Set(SetError::NoRoom))
        );
        c.set(b"a", b"one", 0, 0, 2).unwrap();
        c.set(b"b", b"two", 0, 0, 2).unwrap();
        c.set(b"a", b"ONE", 0, 0, 2).unwrap();
        // "b" is now the oldest, so a third id replaces it.
        c.set(b"c", b"three", 0, 0, 2).unwrap();
        assert_eq!(get(&c, b"a", 0, 0).as_deref(), Some(&b"ONE"[..]));
        assert_eq!(get(&c, b"b", 0, 0), None);
        assert_eq!(c.len(), 2);
        // Expired entries are neither returned nor removed by remove.
        assert_eq!(get(&c, b"a", 100, 10), None);
        c.remove(b"a", 100, 10).unwrap();
        assert_eq!(c.len(), 2);
        c.remove(b"a", 0, 0).unwrap();
        assert_eq!(c.len(), 1);
    }
}
