//! ssl_cache.h: a server's cache of TLS sessions by session id.
//!
//! Upstream keeps a linked list and scans it on every call, so a cache of
//! n entries costs O(n) per operation. This one keeps the serialized
//! sessions in a hash index (SipHash with a per-cache random key, so
//! clients cannot choose ids that collide) plus a list in timestamp order,
//! so get, set and remove are O(1) and "evict the oldest" is the list's
//! head. Upstream's choices are kept: a set overwrites the entry with the
//! same id, else reuses an expired entry, else adds one while fewer than
//! `max_entries` exist, else replaces the oldest; a get or remove ignores
//! expired entries. The bytes of a session are wiped whenever an entry is
//! replaced, removed or freed.

#[cfg(not(loom))]
pub(crate) mod ffi;

use alloc::vec::Vec;

use zeroize::Zeroizing;

/// Longest session id.
pub(crate) const MAX_ID: usize = 32;
const NONE: u32 = u32::MAX;

/// One cached session.
struct Entry {
    id: [u8; MAX_ID],
    id_len: u8,
    timestamp: i64,
    data: Zeroizing<Vec<u8>>,
    /// Next entry in the same hash bucket.
    hnext: u32,
    /// Neighbours in timestamp order (oldest first).
    older: u32,
    newer: u32,
}

/// The index of one cache.
pub(crate) struct Index {
    key: (u64, u64),
    slots: Vec<Option<Entry>>,
    free: Vec<u32>,
    buckets: Vec<u32>,
    oldest: u32,
    newest: u32,
    len: usize,
}

/// Why a set failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SetError {
    /// `max_entries` is 0: nowhere to put the session.
    NoRoom,
}

impl Index {
    /// An empty index hashing with `key`.
    pub(crate) fn new(key: (u64, u64)) -> Index {
        Index {
            key,
            slots: Vec::new(),
            free: Vec::new(),
            buckets: alloc::vec![NONE; 16],
            oldest: NONE,
            newest: NONE,
            len: 0,
        }
    }

    /// Entries held.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    fn bucket(&self, id: &[u8]) -> usize {
        #[allow(deprecated)]
        let mut h = core::hash::SipHasher::new_with_keys(self.key.0, self.key.1);
        core::hash::Hasher::write(&mut h, id);
        (core::hash::Hasher::finish(&h) as usize) & (self.buckets.len() - 1)
    }

    fn entry(&self, i: u32) -> &Entry {
        self.slots[i as usize]
            .as_ref()
            .expect("a linked slot is occupied")
    }

    fn entry_mut(&mut self, i: u32) -> &mut Entry {
        self.slots[i as usize]
            .as_mut()
            .expect("a linked slot is occupied")
    }

    fn find(&self, id: &[u8]) -> Option<u32> {
        let mut i = self.buckets[self.bucket(id)];
        while i != NONE {
            let e = self.entry(i);
            if &e.id[..usize::from(e.id_len)] == id {
                return Some(i);
            }
            i = e.hnext;
        }
        None
    }

    fn expired(e: &Entry, now: i64, timeout: i32) -> bool {
        timeout != 0 && now.wrapping_sub(e.timestamp) as i32 > timeout
    }

    /// The serialized session stored under `id`, unless absent or expired.
    pub(crate) fn get(&self, id: &[u8], now: i64, timeout: i32) -> Option<Vec<u8>> {
        let e = self.entry(self.find(id)?);
        if Self::expired(e, now, timeout) {
            return None;
        }
        Some(e.data.to_vec())
    }

    fn unlink_order(&mut self, i: u32) {
        let (older, newer) = {
            let e = self.entry(i);
            (e.older, e.newer)
        };
        if older == NONE {
            self.oldest = newer;
        } else {
            self.entry_mut(older).newer = newer;
        }
        if newer == NONE {
            self.newest = older;
        } else {
            self.entry_mut(newer).older = older;
        }
    }

    fn push_newest(&mut self, i: u32) {
        let newest = self.newest;
        {
            let e = self.entry_mut(i);
            e.older = newest;
            e.newer = NONE;
        }
        if newest == NONE {
            self.oldest = i;
        } else {
            self.entry_mut(newest).newer = i;
        }
        self.newest = i;
    }

    fn unlink_bucket(&mut self, i: u32) {
        let b = {
            let e = self.entry(i);
            self.bucket(&e.id[..usize::from(e.id_len)])
        };
        let next = self.entry(i).hnext;
        if self.buckets[b] == i {
            self.buckets[b] = next;
            return;
        }
        let mut j = self.buckets[b];
        while j != NONE {
            let jn = self.entry(j).hnext;
            if jn == i {
                self.entry_mut(j).hnext = next;
                return;
            }
            j = jn;
        }
    }

    /// Drops entry `i` (its bytes are wiped).
    fn drop_entry(&mut self, i: u32) {
        self.unlink_bucket(i);
        self.unlink_order(i);
        self.slots[i as usize] = None;
        self.free.push(i);
        self.len -= 1;
    }

    fn grow_buckets(&mut self) {
        let n = self.buckets.len() * 2;
        self.buckets = alloc::vec![NONE; n];
        let mut i = self.oldest;
        while i != NONE {
            let b = {
                let e = self.entry(i);
                self.bucket(&e.id[..usize::from(e.id_len)])
            };
            let head = self.buckets[b];
            let e = self.entry_mut(i);
            e.hnext = head;
            let newer = e.newer;
            self.buckets[b] = i;
            i = newer;
        }
    }

    /// Stores `data` under `id` with upstream's choice of slot.
    pub(crate) fn set(
        &mut self,
        id: &[u8],
        data: Zeroizing<Vec<u8>>,
        now: i64,
        timeout: i32,
        max_entries: usize,
    ) -> Result<(), SetError> {
        if let Some(i) = self.find(id) {
            // Same id: overwrite (the old bytes are wiped on drop).
            self.unlink_order(i);
            let e = self.entry_mut(i);
            e.data = data;
            e.timestamp = now;
            self.push_newest(i);
            return Ok(());
        }
        // An expired entry, if any, is the oldest one; else room for a new
        // one; else the oldest makes room.
        let oldest_expired =
            self.oldest != NONE && Self::expired(self.entry(self.oldest), now, timeout);
        if oldest_expired || (self.len >= max_entries && self.oldest != NONE) {
            self.drop_entry(self.oldest);
        }
        if self.len >= max_entries {
            return Err(SetError::NoRoom);
        }
        // At most one entry per two buckets: chains stay short, and each
        // step of a chain is a cache miss in a big cache.
        if 2 * self.len >= self.buckets.len() {
            self.grow_buckets();
        }
        let mut e = Entry {
            id: [0; MAX_ID],
            id_len: id.len() as u8,
            timestamp: now,
            data,
            hnext: NONE,
            older: NONE,
            newer: NONE,
        };
        e.id[..id.len()].copy_from_slice(id);
        let i = match self.free.pop() {
            Some(i) => {
                self.slots[i as usize] = Some(e);
                i
            }
            None => {
                self.slots.push(Some(e));
                (self.slots.len() - 1) as u32
            }
        };
        let b = self.bucket(id);
        self.entry_mut(i).hnext = self.buckets[b];
        self.buckets[b] = i;
        self.push_newest(i);
        self.len += 1;
        Ok(())
    }

    /// Removes the entry under `id` unless absent or expired.
    pub(crate) fn remove(&mut self, id: &[u8], now: i64, timeout: i32) {
        if let Some(i) = self.find(id)
            && !Self::expired(self.entry(i), now, timeout)
        {
            self.drop_entry(i);
        }
    }

    /// Drops the oldest entries until at most `max` remain.
    pub(crate) fn shrink_to(&mut self, max: usize) {
        while self.len > max && self.oldest != NONE {
            self.drop_entry(self.oldest);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data(b: u8) -> Zeroizing<Vec<u8>> {
        Zeroizing::new(alloc::vec![b; 10])
    }

    #[test]
    fn overwrite_evict_oldest_and_remove() {
        let mut ix = Index::new((1, 2));
        for n in 0u8..3 {
            ix.set(&[n; 32], data(n), 100 + i64::from(n), 0, 3).unwrap();
        }
        // Overwriting id 0 makes it the newest, so id 1 is evicted next.
        ix.set(&[0; 32], data(9), 200, 0, 3).unwrap();
        ix.set(&[7; 32], data(7), 201, 0, 3).unwrap();
        assert_eq!(ix.len(), 3);
        assert_eq!(ix.get(&[1; 32], 300, 0), None);
        assert_eq!(ix.get(&[0; 32], 300, 0).unwrap(), alloc::vec![9; 10]);
        assert!(ix.get(&[2; 32], 300, 0).is_some());
        ix.remove(&[2; 32], 300, 0);
        assert_eq!(ix.get(&[2; 32], 300, 0), None);
        assert_eq!(ix.len(), 2);
        // Ids of other lengths are other ids.
        assert_eq!(ix.get(&[0; 31], 300, 0), None);
    }

    #[test]
    fn expiry_and_no_room() {
        let mut ix = Index::new((3, 4));
        ix.set(b"a", data(1), 100, 10, 5).unwrap();
        assert!(ix.get(b"a", 110, 10).is_some());
        assert_eq!(ix.get(b"a", 111, 10), None);
        // An expired entry is reused before the cache grows.
        ix.set(b"b", data(2), 111, 10, 5).unwrap();
        assert_eq!(ix.len(), 1);
        let mut none = Index::new((0, 0));
        assert_eq!(none.set(b"x", data(0), 0, 0, 0), Err(SetError::NoRoom));
    }

    #[test]
    fn many_entries_stay_consistent() {
        let mut ix = Index::new((5, 6));
        for n in 0u32..5000 {
            ix.set(&n.to_be_bytes(), data(n as u8), i64::from(n), 0, 3000)
                .unwrap();
        }
        assert_eq!(ix.len(), 3000);
        for n in 0u32..5000 {
            assert_eq!(ix.get(&n.to_be_bytes(), 0, 0).is_some(), n >= 2000, "{n}");
        }
        for n in (2000u32..5000).step_by(2) {
            ix.remove(&n.to_be_bytes(), 0, 0);
        }
        assert_eq!(ix.len(), 1500);
        ix.shrink_to(10);
        assert_eq!(ix.len(), 10);
        assert!(ix.get(&4999u32.to_be_bytes(), 0, 0).is_some());
    }
}
