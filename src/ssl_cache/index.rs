//! The index of a hosted build's cache (one per shard, see `shards.rs`):
//! the hash index and age queue described in the module's documentation.

use alloc::collections::VecDeque;
use alloc::vec::Vec;

use zeroize::{Zeroize, Zeroizing};

use super::{INLINE, MAX_ID, SetError, expired_at};

const NONE: u32 = u32::MAX;

/// One slot of the entry array.
struct Entry {
    id: [u8; MAX_ID],
    id_len: u8,
    live: bool,
    /// Length of the session bytes.
    len: u32,
    /// Next entry in the same hash bucket.
    hnext: u32,
    timestamp: i64,
    inline: [u8; INLINE],
    /// The bytes of a session longer than `INLINE`.
    spill: Option<Zeroizing<Vec<u8>>>,
}

impl Entry {
    const EMPTY: Entry = Entry {
        id: [0; MAX_ID],
        id_len: 0,
        live: false,
        len: 0,
        hnext: NONE,
        timestamp: 0,
        inline: [0; INLINE],
        spill: None,
    };

    fn id(&self) -> &[u8] {
        &self.id[..usize::from(self.id_len)]
    }

    fn bytes(&self) -> &[u8] {
        match &self.spill {
            Some(v) => v,
            None => &self.inline[..self.len as usize],
        }
    }

    /// Replaces the session bytes, wiping the old ones.
    fn store(&mut self, data: &[u8]) -> Result<(), SetError> {
        if data.len() > u32::MAX as usize {
            return Err(SetError::NoMemory);
        }
        let spill = if data.len() > INLINE {
            let mut v = Zeroizing::new(Vec::new());
            v.try_reserve_exact(data.len())
                .map_err(|_| SetError::NoMemory)?;
            v.extend_from_slice(data);
            Some(v)
        } else {
            None
        };
        self.wipe_bytes();
        if spill.is_none() {
            self.inline[..data.len()].copy_from_slice(data);
        }
        self.spill = spill;
        self.len = data.len() as u32;
        Ok(())
    }

    fn wipe_bytes(&mut self) {
        // Spilled bytes are wiped when their Zeroizing block drops.
        if self.spill.is_none() {
            self.inline[..self.len as usize].zeroize();
        }
        self.spill = None;
        self.len = 0;
    }
}

/// A record of the age queue: slot `slot` was stored with generation
/// `generation` at age key `key` (keys grow with time, see `shards.rs`).
#[derive(Clone, Copy)]
struct Rec {
    slot: u32,
    generation: u32,
    key: u64,
}

/// The index of one cache.
pub(crate) struct Index {
    key: (u64, u64),
    slots: Vec<Entry>,
    /// Generation of each slot, bumped at every store and drop.
    gens: Vec<u32>,
    free: Vec<u32>,
    buckets: Vec<u32>,
    /// Stores in time order, oldest at the front; stale records included.
    queue: VecDeque<Rec>,
    len: usize,
}

/// SipHash of `id` under `key`: the index's bucket hash, and the shard
/// choice of a sharded cache (see `shards.rs`).
pub(crate) fn hash_id(key: (u64, u64), id: &[u8]) -> u64 {
    #[allow(deprecated)]
    let mut h = core::hash::SipHasher::new_with_keys(key.0, key.1);
    core::hash::Hasher::write(&mut h, id);
    core::hash::Hasher::finish(&h)
}

fn expired(e: &Entry, now: i64, timeout: i32) -> bool {
    expired_at(e.timestamp, now, timeout)
}

impl Index {
    /// An empty index hashing with `key`.
    pub(crate) fn new(key: (u64, u64)) -> Index {
        Index {
            key,
            slots: Vec::new(),
            gens: Vec::new(),
            free: Vec::new(),
            buckets: Vec::new(),
            queue: VecDeque::new(),
            len: 0,
        }
    }

    /// Entries held.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// The keyed hash of `id` that every lookup starts from (callers
    /// holding several indexes with the same key hash once).
    pub(crate) fn hash(&self, id: &[u8]) -> u64 {
        hash_id(self.key, id)
    }

    fn bucket(&self, id: &[u8]) -> usize {
        self.bucket_of(self.hash(id))
    }

    fn bucket_of(&self, h: u64) -> usize {
        (h as usize) & (self.buckets.len() - 1)
    }

    /// The slot of `id`, whose hash is `h`.
    fn find(&self, id: &[u8], h: u64) -> Option<u32> {
        if self.buckets.is_empty() {
            return None;
        }
        let mut i = self.buckets[self.bucket_of(h)];
        while i != NONE {
            let e = &self.slots[i as usize];
            if e.id() == id {
                return Some(i);
            }
            i = e.hnext;
        }
        None
    }

    /// Calls `f` with the session bytes stored under `id`, unless absent
    /// or expired.
    pub(crate) fn get<R>(
        &self,
        id: &[u8],
        h: u64,
        now: i64,
        timeout: i32,
        f: impl FnOnce(&[u8]) -> R,
    ) -> Option<R> {
        let e = &self.slots[self.find(id, h)? as usize];
        if expired(e, now, timeout) {
            return None;
        }
        Some(f(e.bytes()))
    }

    /// The oldest live entry, dropping stale records on the way.
    fn oldest(&mut self) -> Option<u32> {
        while let Some(r) = self.queue.front() {
            if self.gens[r.slot as usize] == r.generation {
                return Some(r.slot);
            }
            self.queue.pop_front();
        }
        None
    }

    /// Appends a record for slot `i`'s new generation. The queue has room
    /// (see [`Self::reserve_queue`]).
    fn touch(&mut self, i: u32, key: u64) {
        let g = &mut self.gens[i as usize];
        *g = g.wrapping_add(1);
        let generation = *g;
        self.queue.push_back(Rec {
            slot: i,
            generation,
            key,
        });
    }

    /// The age key of the oldest record, live or stale (`u64::MAX` if
    /// none): never newer than the oldest live entry.
    pub(crate) fn front_hint(&self) -> u64 {
        self.queue.front().map_or(u64::MAX, |r| r.key)
    }

    /// The age key of the oldest live entry (`u64::MAX` if none).
    pub(crate) fn front_key(&mut self) -> u64 {
        self.oldest();
        self.front_hint()
    }

    /// Room for one more queue record, compacting stale records away when
    /// they outnumber the live ones.
    fn reserve_queue(&mut self) -> Result<(), SetError> {
        if self.queue.len() > 2 * self.len + 64 {
            let gens = &self.gens;
            self.queue.retain(|r| gens[r.slot as usize] == r.generation);
        }
        self.queue.try_reserve(1).map_err(|_| SetError::NoMemory)
    }

    fn unlink_bucket(&mut self, i: u32) {
        let b = self.bucket(self.slots[i as usize].id());
        let next = self.slots[i as usize].hnext;
        if self.buckets[b] == i {
            self.buckets[b] = next;
            return;
        }
        let mut j = self.buckets[b];
        while j != NONE {
            let jn = self.slots[j as usize].hnext;
            if jn == i {
                self.slots[j as usize].hnext = next;
                return;
            }
            j = jn;
        }
    }

    /// Drops entry `i`: its bytes are wiped, its queue record goes stale.
    fn drop_entry(&mut self, i: u32) {
        self.unlink_bucket(i);
        let e = &mut self.slots[i as usize];
        e.wipe_bytes();
        e.id.zeroize();
        e.id_len = 0;
        e.live = false;
        e.hnext = NONE;
        let g = &mut self.gens[i as usize];
        *g = g.wrapping_add(1);
        // The free list has room for every slot (see `set`).
        self.free.push(i);
        self.len -= 1;
    }

    /// Room for one more slot. The entries hold session secrets, so the
    /// array is never grown by a reallocation, which would free the old
    /// block with the secrets in it: they are moved to a new array one by
    /// one, each old place overwritten with an empty entry, and only then
    /// is the old array freed.
    fn grow_slots(&mut self) -> Result<(), SetError> {
        if self.slots.len() < self.slots.capacity() {
            return Ok(());
        }
        let cap = (2 * self.slots.capacity()).max(16);
        let mut grown = Vec::new();
        grown
            .try_reserve_exact(cap)
            .map_err(|_| SetError::NoMemory)?;
        for e in self.slots.iter_mut() {
            grown.push(core::mem::replace(e, Entry::EMPTY));
            // The replacement above is a plain store the compiler may drop
            // (nothing reads the old array again); these writes it keeps.
            e.inline.zeroize();
        }
        self.slots = grown;
        Ok(())
    }

    /// Rebuilds the bucket array at `n` buckets (a power of two).
    fn rehash(&mut self, n: usize) -> Result<(), SetError> {
        let mut buckets = Vec::new();
        buckets
            .try_reserve_exact(n)
            .map_err(|_| SetError::NoMemory)?;
        buckets.resize(n, NONE);
        self.buckets = buckets;
        for i in 0..self.slots.len() {
            if !self.slots[i].live {
                continue;
            }
            let b = self.bucket(self.slots[i].id());
            self.slots[i].hnext = self.buckets[b];
            self.buckets[b] = i as u32;
        }
        Ok(())
    }

    /// Overwrites the entry under `id` if there is one (expired or not, as
    /// upstream): `None` if there is none.
    pub(crate) fn overwrite(
        &mut self,
        id: &[u8],
        h: u64,
        data: &[u8],
        now: i64,
        key: u64,
    ) -> Option<Result<(), SetError>> {
        let i = self.find(id, h)?;
        if let Err(e) = self.reserve_queue() {
            return Some(Err(e));
        }
        let e = &mut self.slots[i as usize];
        if let Err(err) = e.store(data) {
            return Some(Err(err));
        }
        e.timestamp = now;
        self.touch(i, key);
        Some(Ok(()))
    }

    /// Drops the oldest entry if `always` or if it has expired: whether
    /// one was dropped.
    pub(crate) fn drop_oldest(&mut self, always: bool, now: i64, timeout: i32) -> bool {
        match self.oldest() {
            Some(o) if always || expired(&self.slots[o as usize], now, timeout) => {
                self.queue.pop_front();
                self.drop_entry(o);
                true
            }
            _ => false,
        }
    }

    /// Adds an entry for `id`, which is not in the index.
    pub(crate) fn insert(
        &mut self,
        id: &[u8],
        h: u64,
        data: &[u8],
        now: i64,
        key: u64,
    ) -> Result<(), SetError> {
        self.reserve_queue()?;
        // At most one entry per two buckets: chains stay short, and each
        // step of a chain is a cache miss in a big cache.
        if 2 * (self.len + 1) > self.buckets.len() {
            self.rehash((2 * (self.len + 1)).next_power_of_two().max(16))?;
        }
        let i = match self.free.pop() {
            Some(i) => i,
            None => {
                if self.slots.len() >= NONE as usize {
                    return Err(SetError::NoMemory);
                }
                self.grow_slots()?;
                self.gens
                    .try_reserve(1)
                    .and_then(|()| self.free.try_reserve(self.slots.len() + 1))
                    .map_err(|_| SetError::NoMemory)?;
                self.slots.push(Entry::EMPTY);
                self.gens.push(0);
                (self.slots.len() - 1) as u32
            }
        };
        let b = self.bucket_of(h);
        let head = self.buckets[b];
        let e = &mut self.slots[i as usize];
        if let Err(err) = e.store(data) {
            self.free.push(i);
            return Err(err);
        }
        e.id[..id.len()].copy_from_slice(id);
        e.id_len = id.len() as u8;
        e.live = true;
        e.timestamp = now;
        e.hnext = head;
        self.buckets[b] = i;
        self.touch(i, key);
        self.len += 1;
        Ok(())
    }

    /// Stores `data` under `id` with upstream's choice of slot, keeping at
    /// most `max_entries` (the rules of a one-shard cache).
    #[cfg(test)]
    pub(crate) fn set(
        &mut self,
        id: &[u8],
        data: &[u8],
        now: i64,
        timeout: i32,
        max_entries: usize,
    ) -> Result<(), SetError> {
        let key = self.queue.back().map_or(0, |r| r.key + 1);
        let h = self.hash(id);
        if let Some(r) = self.overwrite(id, h, data, now, key) {
            return r;
        }
        // An expired entry, if any, is the oldest one; else room for a new
        // one; else the oldest makes room.
        let full = self.len >= max_entries;
        self.drop_oldest(full, now, timeout);
        if self.len >= max_entries {
            return Err(SetError::NoRoom);
        }
        self.insert(id, h, data, now, key)
    }

    /// Removes the entry under `id` unless absent or expired: whether one
    /// was removed.
    pub(crate) fn remove(&mut self, id: &[u8], h: u64, now: i64, timeout: i32) -> bool {
        match self.find(id, h) {
            Some(i) if !expired(&self.slots[i as usize], now, timeout) => {
                self.drop_entry(i);
                true
            }
            _ => false,
        }
    }

    /// Drops the oldest entries until at most `max` remain.
    #[cfg(test)]
    pub(crate) fn shrink_to(&mut self, max: usize) {
        while self.len > max && self.drop_oldest(true, 0, 0) {}
    }
}

impl Drop for Index {
    fn drop(&mut self) {
        for e in self.slots.iter_mut() {
            e.wipe_bytes();
            e.inline.zeroize();
            e.id.zeroize();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data(b: u8) -> Vec<u8> {
        alloc::vec![b; 10]
    }

    fn get(ix: &Index, id: &[u8], now: i64, timeout: i32) -> Option<Vec<u8>> {
        ix.get(id, ix.hash(id), now, timeout, |b| b.to_vec())
    }

    fn remove(ix: &mut Index, id: &[u8], now: i64, timeout: i32) -> bool {
        let h = ix.hash(id);
        ix.remove(id, h, now, timeout)
    }

    #[test]
    fn overwrite_evict_oldest_and_remove() {
        let mut ix = Index::new((1, 2));
        for n in 0u8..3 {
            ix.set(&[n; 32], &data(n), 100 + i64::from(n), 0, 3)
                .unwrap();
        }
        // Overwriting id 0 makes it the newest, so id 1 is evicted next.
        ix.set(&[0; 32], &data(9), 200, 0, 3).unwrap();
        ix.set(&[7; 32], &data(7), 201, 0, 3).unwrap();
        assert_eq!(ix.len(), 3);
        assert_eq!(get(&ix, &[1; 32], 300, 0), None);
        assert_eq!(get(&ix, &[0; 32], 300, 0).unwrap(), data(9));
        assert!(get(&ix, &[2; 32], 300, 0).is_some());
        remove(&mut ix, &[2; 32], 300, 0);
        assert_eq!(get(&ix, &[2; 32], 300, 0), None);
        assert_eq!(ix.len(), 2);
        // Ids of other lengths are other ids.
        assert_eq!(get(&ix, &[0; 31], 300, 0), None);
    }

    #[test]
    fn expiry_and_no_room() {
        let mut ix = Index::new((3, 4));
        ix.set(b"a", &data(1), 100, 10, 5).unwrap();
        assert!(get(&ix, b"a", 110, 10).is_some());
        assert_eq!(get(&ix, b"a", 111, 10), None);
        // An expired entry is reused before the cache grows.
        ix.set(b"b", &data(2), 111, 10, 5).unwrap();
        assert_eq!(ix.len(), 1);
        let mut none = Index::new((0, 0));
        assert_eq!(none.set(b"x", &data(0), 0, 0, 0), Err(SetError::NoRoom));
    }

    #[test]
    fn long_sessions_spill_to_the_heap() {
        let mut ix = Index::new((7, 8));
        let long: Vec<u8> = (0..=255u8).cycle().take(INLINE + 100).collect();
        ix.set(b"long", &long, 0, 0, 4).unwrap();
        ix.set(b"edge", &long[..INLINE], 0, 0, 4).unwrap();
        assert_eq!(get(&ix, b"long", 0, 0).unwrap(), long);
        assert_eq!(get(&ix, b"edge", 0, 0).unwrap(), &long[..INLINE]);
        // Back to a short session in the same entry.
        ix.set(b"long", &data(3), 0, 0, 4).unwrap();
        assert_eq!(get(&ix, b"long", 0, 0).unwrap(), data(3));
    }

    #[test]
    fn overwrites_keep_the_queue_bounded() {
        let mut ix = Index::new((9, 10));
        for n in 0u32..100 {
            ix.set(&n.to_be_bytes(), &data(0), 0, 0, 100).unwrap();
        }
        let sets = if cfg!(miri) { 2_000 } else { 100_000 };
        for k in 0u32..sets {
            ix.set(&(k % 7).to_be_bytes(), &data(k as u8), 0, 0, 100)
                .unwrap();
            assert!(ix.queue.len() <= 2 * ix.len + 65);
        }
        assert_eq!(ix.len(), 100);
    }

    #[test]
    fn many_entries_stay_consistent() {
        // Smaller under Miri.
        let (total, max) = if cfg!(miri) {
            (500u32, 300u32)
        } else {
            (5000, 3000)
        };
        let gone = total - max;
        let mut ix = Index::new((5, 6));
        for n in 0..total {
            ix.set(
                &n.to_be_bytes(),
                &data(n as u8),
                i64::from(n),
                0,
                max as usize,
            )
            .unwrap();
        }
        assert_eq!(ix.len(), max as usize);
        for n in 0..total {
            assert_eq!(get(&ix, &n.to_be_bytes(), 0, 0).is_some(), n >= gone, "{n}");
        }
        for n in (gone..total).step_by(2) {
            remove(&mut ix, &n.to_be_bytes(), 0, 0);
        }
        assert_eq!(ix.len(), max as usize / 2);
        ix.shrink_to(10);
        assert_eq!(ix.len(), 10);
        assert!(get(&ix, &(total - 1).to_be_bytes(), 0, 0).is_some());
    }

    /// Upstream's rules written as plainly as possible: a list in store
    /// order, oldest first, scanned on every call.
    #[derive(Default)]
    struct Model {
        list: Vec<(Vec<u8>, Vec<u8>, i64)>,
    }

    impl Model {
        fn pos(&self, id: &[u8]) -> Option<usize> {
            self.list.iter().position(|(i, _, _)| i == id)
        }
        fn dead(ts: i64, now: i64, timeout: i32) -> bool {
            timeout != 0 && now.wrapping_sub(ts) as i32 > timeout
        }
        fn set(&mut self, id: &[u8], d: &[u8], now: i64, timeout: i32, max: usize) -> bool {
            if let Some(p) = self.pos(id) {
                self.list.remove(p);
                self.list.push((id.to_vec(), d.to_vec(), now));
                return true;
            }
            if let Some((_, _, ts)) = self.list.first()
                && (Self::dead(*ts, now, timeout) || self.list.len() >= max)
            {
                self.list.remove(0);
            }
            if self.list.len() >= max {
                return false;
            }
            self.list.push((id.to_vec(), d.to_vec(), now));
            true
        }
        fn get(&self, id: &[u8], now: i64, timeout: i32) -> Option<Vec<u8>> {
            let (_, d, ts) = &self.list[self.pos(id)?];
            (!Self::dead(*ts, now, timeout)).then(|| d.clone())
        }
        fn remove(&mut self, id: &[u8], now: i64, timeout: i32) {
            if let Some(p) = self.pos(id)
                && !Self::dead(self.list[p].2, now, timeout)
            {
                self.list.remove(p);
            }
        }
    }

    #[test]
    fn matches_a_plain_model() {
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut next = move |m: u64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed % m
        };
        let (rounds, steps) = if cfg!(miri) { (3, 300) } else { (20, 3000) };
        for round in 0..rounds {
            let mut ix = Index::new((round, 1));
            let mut model = Model::default();
            let (mut max, timeout) = (1 + next(40) as usize, [0, 5, 30][round as usize % 3]);
            let mut now = 0i64;
            for step in 0..steps {
                now += next(3) as i64;
                let id = [next(60) as u8; 3];
                let id = &id[..1 + next(3) as usize];
                match next(10) {
                    0..=3 => {
                        let d = alloc::vec![step as u8; next(2 * INLINE as u64) as usize];
                        let want = model.set(id, &d, now, timeout, max);
                        assert_eq!(ix.set(id, &d, now, timeout, max).is_ok(), want);
                    }
                    4..=7 => {
                        assert_eq!(get(&ix, id, now, timeout), model.get(id, now, timeout))
                    }
                    8 => {
                        model.remove(id, now, timeout);
                        remove(&mut ix, id, now, timeout);
                    }
                    _ => {
                        max = next(40) as usize;
                        while model.list.len() > max {
                            model.list.remove(0);
                        }
                        ix.shrink_to(max);
                    }
                }
                assert_eq!(ix.len(), model.list.len(), "round {round} step {step}");
            }
        }
    }
}
