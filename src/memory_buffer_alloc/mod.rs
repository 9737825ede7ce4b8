//! memory_buffer_alloc.h: a heap over one caller-supplied buffer, behind
//! `mbedtls_calloc()`/`mbedtls_free()`.
//!
//! The allocator is upstream's design, so that its observable behaviour
//! (alignment, which block a request lands in, the statistics) is the same:
//! every block starts with a header of eight words (two magic numbers, the
//! size, an "allocated" flag, the neighbours in address order and the
//! neighbours in the free list); allocation is first fit over the free
//! list, splitting a block when the rest can hold a header and a minimal
//! payload; freeing merges with free neighbours.
//!
//! What differs is what happens with bad input. Upstream trusts the headers
//! and exits the process when it sees corruption, a double free or a
//! foreign pointer. This core keeps its links as offsets into the buffer,
//! checks every header (bounds, magic numbers, flag, links) before it
//! follows it, and reports the problem instead: the allocation fails or the
//! free does nothing, and the heap is left as it was.
//!
//! The buffer itself is reached through [`Arena`], implemented by the C
//! boundary over the caller's memory, so this file needs no `unsafe`.

use core::ffi::CStr;

#[cfg(not(loom))]
pub(crate) mod ffi;

/// Byte-level access to the heap's buffer: words at offsets the core has
/// bounds-checked (`off + WORD <= len()`), and zero-filling.
pub(crate) trait Arena {
    /// The buffer's length in bytes.
    fn len(&self) -> usize;
    /// The word at `off` (any alignment).
    fn word(&self, off: usize) -> usize;
    /// Stores `v` at `off` (any alignment).
    fn set_word(&mut self, off: usize, v: usize);
    /// Zero-fills `len` bytes from `off`.
    fn zero(&mut self, off: usize, len: usize);
}

/// Bytes per header word.
pub(crate) const WORD: usize = size_of::<usize>();
/// Bytes of one block header.
pub(crate) const HEADER: usize = 8 * WORD;
/// Allocation granularity (`MBEDTLS_MEMORY_ALIGN_MULTIPLE`).
pub(crate) const ALIGN: usize =
    crate::abi::memory_buffer_alloc::MBEDTLS_MEMORY_ALIGN_MULTIPLE as usize;

const MAGIC1: usize = 0xFF00_AA55;
const MAGIC2: usize = 0xEE11_9966;

// Header word offsets.
const F_MAGIC1: usize = 0;
const F_SIZE: usize = WORD;
const F_ALLOC: usize = 2 * WORD;
const F_PREV: usize = 3 * WORD;
const F_NEXT: usize = 4 * WORD;
const F_PREV_FREE: usize = 5 * WORD;
const F_NEXT_FREE: usize = 6 * WORD;
const F_MAGIC2: usize = 7 * WORD;

/// Check after every allocation (`MBEDTLS_MEMORY_VERIFY_ALLOC`).
pub(crate) const VERIFY_ALLOC: i32 = 1;
/// Check after every free (`MBEDTLS_MEMORY_VERIFY_FREE`).
pub(crate) const VERIFY_FREE: i32 = 2;

/// What went wrong; the C boundary prints the message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Problem {
    /// A header's magic numbers, flag, size or links are wrong.
    CorruptHeader,
    /// A block in the free list is marked allocated.
    AllocatedInFreeList,
    /// The block chain is inconsistent (found by a verification).
    CorruptChain,
    /// Free of a pointer that is not inside the heap's buffer.
    ForeignPointer,
    /// Free of a pointer that is not the start of a block.
    NotABlock,
    /// Free of a block that is not allocated.
    DoubleFree,
}

impl Problem {
    /// What is printed for this problem, after `memory_buffer_alloc: `
    /// and before a newline.
    pub(crate) fn message(self) -> &'static CStr {
        match self {
            Problem::CorruptHeader => c"a block header is corrupted",
            Problem::AllocatedInFreeList => c"a block in the free list is marked allocated",
            Problem::CorruptChain => c"the block chain is corrupted",
            Problem::ForeignPointer => c"mbedtls_free() of a pointer outside the heap (ignored)",
            Problem::NotABlock => c"mbedtls_free() of a pointer that is not a block (ignored)",
            Problem::DoubleFree => c"mbedtls_free() of a block that is not allocated (ignored)",
        }
    }
}

/// Usage statistics (`MBEDTLS_MEMORY_DEBUG`), counted as upstream does.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Stats {
    /// Successful allocations.
    pub(crate) alloc_count: usize,
    /// Successful frees.
    pub(crate) free_count: usize,
    /// Payload bytes in use (rounded up to [`ALIGN`]).
    pub(crate) total_used: usize,
    /// Peak of `total_used` since init or the last reset.
    pub(crate) maximum_used: usize,
    /// Headers beyond the first (blocks made by splitting).
    pub(crate) header_count: usize,
    /// Peak of `header_count`.
    pub(crate) maximum_header_count: usize,
}

/// The heap's bookkeeping that lives outside the buffer.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Heap {
    /// Whether a buffer large enough for one block is set up.
    pub(crate) ready: bool,
    /// The link (see [`Hdr`]) to the first block of the free list.
    first_free: usize,
    /// `VERIFY_*` flags.
    pub(crate) verify: i32,
    /// Statistics.
    pub(crate) stats: Stats,
}

/// A block header at a checked offset. Links are kept as the buffer holds
/// them: 0 for none, else the linked block's offset plus one (so a zeroed
/// header links nowhere); [`Heap::fields`] has checked that each one is 0
/// or the link to an aligned offset with room for a header.
struct Hdr {
    size: usize,
    alloc: usize,
    prev: usize,
    next: usize,
    prev_free: usize,
    next_free: usize,
}

impl Heap {
    /// A heap that is not set up (every allocation fails).
    pub(crate) const EMPTY: Heap = Heap {
        ready: false,
        first_free: 0,
        verify: 0,
        stats: Stats {
            alloc_count: 0,
            free_count: 0,
            total_used: 0,
            maximum_used: 0,
            header_count: 0,
            maximum_header_count: 0,
        },
    };

    /// Sets up an empty heap over the whole arena (which the caller has
    /// aligned). Too small a buffer leaves the heap not ready: every
    /// allocation fails.
    pub(crate) fn init(&mut self, a: &mut impl Arena) {
        *self = Heap::default();
        if a.len() < HEADER + ALIGN {
            return;
        }
        a.zero(0, a.len());
        a.set_word(F_MAGIC1, MAGIC1);
        a.set_word(F_MAGIC2, MAGIC2);
        a.set_word(F_SIZE, a.len() - HEADER);
        self.first_free = 1;
        self.ready = true;
    }

    /// Whether a raw link word is bad: neither 0 (no link) nor the
    /// encoding of an aligned offset with room for a header.
    fn bad_link(a: &impl Arena, v: usize) -> bool {
        let o = v.wrapping_sub(1);
        (v != 0) & ((o > a.len() - HEADER) | !o.is_multiple_of(ALIGN))
    }

    /// Checks and reads the header at `h`. The checks are combined
    /// without short-circuiting: sound headers, the common case, cost one
    /// branch. (The checks are one function; the reads, inlined, leave out
    /// the fields a caller does not use.)
    #[inline(always)]
    fn header(a: &impl Arena, h: usize) -> Result<Hdr, Problem> {
        Self::sound(a, h)?;
        Self::fields(a, h)?;
        let w = |f: usize| a.word(h + f);
        Ok(Hdr {
            size: w(F_SIZE),
            alloc: w(F_ALLOC),
            prev: w(F_PREV),
            next: w(F_NEXT),
            prev_free: w(F_PREV_FREE),
            next_free: w(F_NEXT_FREE),
        })
    }

    /// The rest of [`Self::header`]'s checks, for a header already found
    /// sound: the flag, the size and the links.
    fn fields(a: &impl Arena, h: usize) -> Result<(), Problem> {
        let w = |f: usize| a.word(h + f);
        let (prev, next, prev_free, next_free) =
            (w(F_PREV), w(F_NEXT), w(F_PREV_FREE), w(F_NEXT_FREE));
        let bad = (w(F_ALLOC) > 1)
            | (w(F_SIZE) > a.len() - h - HEADER)
            | [prev, next, prev_free, next_free]
                .iter()
                .fold(false, |b, &v| b | Self::bad_link(a, v))
            | ((prev != 0) & (prev == next))
            | ((prev_free != 0) & (prev_free == next_free));
        if bad {
            return Err(Problem::CorruptHeader);
        }
        Ok(())
    }

    /// Checks that `h` can hold a header inside the buffer and that the
    /// header's magic numbers are intact: enough for a block whose links
    /// this core is about to write (it only writes at checked offsets).
    fn sound(a: &impl Arena, h: usize) -> Result<(), Problem> {
        if !h.is_multiple_of(ALIGN) || h.checked_add(HEADER).is_none_or(|end| end > a.len()) {
            return Err(Problem::CorruptHeader);
        }
        if (a.word(h + F_MAGIC1) != MAGIC1) | (a.word(h + F_MAGIC2) != MAGIC2) {
            return Err(Problem::CorruptHeader);
        }
        Ok(())
    }

    /// For the block linked by `l` (0: none), whose header is checked:
    /// checks that the blocks it links to (the next one in address order,
    /// its neighbours in the free list) are sound, since an allocation or
    /// a merge rewrites their links.
    fn relinkable(a: &impl Arena, l: usize) -> Result<(), Problem> {
        if l != 0 {
            for f in [F_NEXT, F_PREV_FREE, F_NEXT_FREE] {
                let n = a.word(l - 1 + f);
                if n != 0 {
                    Self::sound(a, n - 1)?;
                }
            }
        }
        Ok(())
    }

    /// The block at `n`, a neighbour of the block at `h0` in address order,
    /// if its link `back` (`F_NEXT` or `F_PREV`) points to `h0`: the link
    /// to it if it is free (its header checked whole), 0 if it is allocated.
    fn neighbour(a: &impl Arena, n: usize, back: usize, h0: usize) -> Result<usize, Problem> {
        Self::sound(a, n).map_err(|_| Problem::NotABlock)?;
        if a.word(n + back) != h0 + 1 {
            return Err(Problem::NotABlock);
        }
        match a.word(n + F_ALLOC) {
            1 => Ok(0),
            0 => Self::fields(a, n)
                .map(|_| n + 1)
                .map_err(|_| Problem::NotABlock),
            _ => Err(Problem::NotABlock),
        }
    }

    /// One step of the free-list walk at `c`: the block's size and the link
    /// to the next free block, after checking what the step relies on.
    /// Only the first magic number is read here (the second one often
    /// lies on the next cache line): an overrun of the block before this
    /// header reaches it first. A write before the start of a freed block's
    /// payload (an underrun) can change the second one and the links
    /// unnoticed here; the walk still stays inside the buffer and ends, and
    /// the block chosen is checked whole.
    fn free_step(a: &impl Arena, c: usize) -> Result<(usize, usize), Problem> {
        // `c` comes from a checked link or from `first_free`: aligned, with
        // room for a header (checked again, it costs little).
        if !c.is_multiple_of(ALIGN) || c.checked_add(HEADER).is_none_or(|end| end > a.len()) {
            return Err(Problem::CorruptHeader);
        }
        let size = a.word(c + F_SIZE);
        let next = a.word(c + F_NEXT_FREE);
        if (a.word(c + F_MAGIC1) != MAGIC1)
            | (size > a.len() - c - HEADER)
            | Self::bad_link(a, next)
        {
            return Err(Problem::CorruptHeader);
        }
        if a.word(c + F_ALLOC) != 0 {
            return Err(Problem::AllocatedInFreeList);
        }
        Ok((size, next))
    }

    /// Links the block at `p` to the block linked by `n` in address order.
    fn chain(a: &mut impl Arena, p: usize, n: usize) {
        a.set_word(p + F_NEXT, n);
        if n != 0 {
            a.set_word(n - 1 + F_PREV, p + 1);
        }
    }

    /// Makes the free block linked by `n` follow the one linked by `p` in
    /// the free list (a 0 link: `n` is first, or `p` last).
    fn connect(&mut self, a: &mut impl Arena, p: usize, n: usize) {
        match p {
            0 => self.first_free = n,
            p => a.set_word(p - 1 + F_NEXT_FREE, n),
        }
        if n != 0 {
            a.set_word(n - 1 + F_PREV_FREE, p);
        }
    }

    /// Puts the block at `h` into the free list between the blocks linked
    /// by `prev_free` and `next_free`.
    fn insert(&mut self, a: &mut impl Arena, h: usize, prev_free: usize, next_free: usize) {
        a.set_word(h + F_PREV_FREE, prev_free);
        a.set_word(h + F_NEXT_FREE, next_free);
        match prev_free {
            0 => self.first_free = h + 1,
            p => a.set_word(p - 1 + F_NEXT_FREE, h + 1),
        }
        if next_free != 0 {
            a.set_word(next_free - 1 + F_PREV_FREE, h + 1);
        }
    }

    /// Walks the whole block chain in address order; an error if any header
    /// or link is wrong (`mbedtls_memory_buffer_alloc_verify`).
    pub(crate) fn verify_chain(&self, a: &impl Arena) -> Result<(), Problem> {
        if !self.ready {
            return Err(Problem::CorruptChain);
        }
        // Each block's `prev` links the one before (none for the first),
        // and `next` a block further on; at most one block per header's
        // worth of bytes.
        let (mut c, mut back) = (0, 0);
        let mut steps = a.len() / HEADER + 1;
        loop {
            let h = Self::header(a, c).map_err(|_| Problem::CorruptChain)?;
            if h.prev != back || steps == 0 {
                return Err(Problem::CorruptChain);
            }
            match h.next {
                0 => return Ok(()),
                n if n - 1 <= c => return Err(Problem::CorruptChain),
                n => (back, c) = (c + 1, n - 1),
            }
            steps -= 1;
        }
    }

    /// Allocates `n * size` zero-filled bytes; the payload's offset.
    pub(crate) fn calloc(
        &mut self,
        a: &mut impl Arena,
        n: usize,
        size: usize,
    ) -> Result<Option<usize>, Problem> {
        if !self.ready || n == 0 || size == 0 {
            return Ok(None);
        }
        let Some(original_len) = n.checked_mul(size) else {
            return Ok(None);
        };
        if original_len > usize::MAX - ALIGN {
            return Ok(None);
        }
        let len = original_len.div_ceil(ALIGN) * ALIGN;

        // First fit over the free list. A step checks what it uses (the
        // first magic number, the flag, the size and the next link); the block
        // chosen is checked whole, and the neighbours it relinks are checked
        // for their magic numbers (their offsets were bounds-checked when
        // their links were read).
        let mut cur = self.first_free;
        let mut steps = a.len() / HEADER + 1;
        let c = loop {
            if cur == 0 {
                return Ok(None);
            }
            if steps == 0 {
                return Err(Problem::CorruptHeader);
            }
            steps -= 1;
            let (size, next_free) = Self::free_step(a, cur - 1)?;
            if size >= len {
                break cur - 1;
            }
            cur = next_free;
        };
        let h = Self::header(a, c)?;
        Self::relinkable(a, c + 1)?;
        self.stats.alloc_count += 1;

        let mut used = h.size;
        if h.size - len < HEADER + ALIGN {
            // Use the whole block.
            self.connect(a, h.prev_free, h.next_free);
        } else {
            // Split: the rest becomes a free block taking `c`'s place in
            // the free list.
            let new = c + HEADER + len;
            a.set_word(new + F_MAGIC1, MAGIC1);
            a.set_word(new + F_MAGIC2, MAGIC2);
            a.set_word(new + F_SIZE, h.size - len - HEADER);
            a.set_word(new + F_ALLOC, 0);
            a.set_word(new + F_PREV, c + 1);
            Self::chain(a, new, h.next);
            self.insert(a, new, h.prev_free, h.next_free);
            a.set_word(c + F_SIZE, len);
            a.set_word(c + F_NEXT, new + 1);
            self.stats.header_count += 1;
            self.stats.maximum_header_count =
                self.stats.maximum_header_count.max(self.stats.header_count);
            used = len;
        }
        a.set_word(c + F_ALLOC, 1);
        a.set_word(c + F_PREV_FREE, 0);
        a.set_word(c + F_NEXT_FREE, 0);
        self.stats.total_used += used;
        self.stats.maximum_used = self.stats.maximum_used.max(self.stats.total_used);
        if self.verify & VERIFY_ALLOC != 0 {
            self.verify_chain(a)?;
        }
        a.zero(c + HEADER, original_len);
        Ok(Some(c + HEADER))
    }

    /// Frees the block whose payload starts at `p` (an offset inside the
    /// buffer). Nothing changes if `p` is not an allocated block.
    pub(crate) fn free(&mut self, a: &mut impl Arena, p: usize) -> Result<(), Problem> {
        if !self.ready {
            return Ok(());
        }
        if p >= a.len() {
            return Err(Problem::ForeignPointer);
        }
        let Some(h0) = p.checked_sub(HEADER) else {
            return Err(Problem::NotABlock);
        };
        let hdr = Self::header(a, h0).map_err(|_| Problem::NotABlock)?;
        // A real block is linked from its neighbours. Each neighbour is
        // checked here: whole if it is free (a merge uses all of it), else
        // only its magic numbers, its link back and its flag. `before` and
        // `after` are the links to the free ones (0: none).
        let before = match hdr.prev {
            0 if h0 == 0 => 0,
            0 => return Err(Problem::NotABlock),
            pv => Self::neighbour(a, pv - 1, F_NEXT, h0)?,
        };
        let after = match hdr.next {
            0 => 0,
            nx => Self::neighbour(a, nx - 1, F_PREV, h0)?,
        };
        if hdr.alloc != 1 {
            return Err(Problem::DoubleFree);
        }
        // An allocated block is in no free list: links there are forged (and
        // would be written through below).
        if (hdr.prev_free | hdr.next_free) != 0 {
            return Err(Problem::CorruptHeader);
        }
        // Blocks tile the buffer: this one ends where the next begins (or at
        // the end), and the one before ends where this one begins. A forged
        // size would otherwise make a merge claim memory in use.
        let end = h0 + HEADER + hdr.size;
        let before_ends_here = match hdr.prev {
            0 => true,
            pv => a.word(pv - 1 + F_SIZE).checked_add(pv - 1 + HEADER) == Some(h0),
        };
        if end != hdr.next.wrapping_sub(1).min(a.len()) || !before_ends_here {
            return Err(Problem::CorruptHeader);
        }
        // The blocks a merge relinks must be sound before anything changes.
        Self::relinkable(a, before)?;
        Self::relinkable(a, after)?;

        a.set_word(h0 + F_ALLOC, 0);
        self.stats.free_count += 1;
        self.stats.total_used -= hdr.size.min(self.stats.total_used);

        // The free block being formed: its offset and size, and whether it
        // is in the free list yet. What is read from the buffer below was
        // checked above, or written since with checked values.
        let (mut cur, mut size) = (h0, hdr.size);
        let mut listed = false;
        // Merge with the block before, which keeps its place in the list.
        if before != 0 {
            cur = before - 1;
            self.stats.header_count = self.stats.header_count.saturating_sub(1);
            size += a.word(cur + F_SIZE) + HEADER;
            Self::chain(a, cur, hdr.next);
            a.zero(h0, HEADER);
            listed = true;
        }
        // Merge with the block after: `cur` leaves the free list if it is
        // in it, then takes the next block's place there (as upstream).
        if after != 0 {
            let nx = after - 1;
            self.stats.header_count = self.stats.header_count.saturating_sub(1);
            size += HEADER + a.word(nx + F_SIZE);
            let next = a.word(nx + F_NEXT);
            Self::chain(a, cur, next);
            if listed {
                let (pf, nf) = (a.word(cur + F_PREV_FREE), a.word(cur + F_NEXT_FREE));
                self.connect(a, pf, nf);
            }
            let (pf, nf) = (a.word(nx + F_PREV_FREE), a.word(nx + F_NEXT_FREE));
            self.insert(a, cur, pf, nf);
            a.zero(nx, HEADER);
            listed = true;
        }
        a.set_word(cur + F_SIZE, size);
        if !listed {
            self.insert(a, cur, 0, self.first_free);
        }
        if self.verify & VERIFY_FREE != 0 {
            self.verify_chain(a)?;
        }
        Ok(())
    }

    /// The allocated blocks, in address order: (payload offset, size).
    pub(crate) fn allocated(&self, a: &impl Arena, mut each: impl FnMut(usize, usize)) {
        if !self.ready {
            return;
        }
        let mut cur = 1;
        let mut steps = a.len() / HEADER + 1;
        while cur != 0 {
            let c = cur - 1;
            let Ok(h) = Self::header(a, c) else { return };
            if steps == 0 {
                return;
            }
            steps -= 1;
            if h.alloc == 1 {
                each(c + HEADER, h.size);
            }
            cur = h.next;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct VecArena(Vec<u8>);

    impl Arena for VecArena {
        fn len(&self) -> usize {
            self.0.len()
        }
        fn word(&self, off: usize) -> usize {
            usize::from_ne_bytes(self.0[off..off + WORD].try_into().unwrap())
        }
        fn set_word(&mut self, off: usize, v: usize) {
            self.0[off..off + WORD].copy_from_slice(&v.to_ne_bytes());
        }
        fn zero(&mut self, off: usize, len: usize) {
            self.0[off..off + len].fill(0);
        }
    }

    fn heap(len: usize) -> (Heap, VecArena) {
        let mut a = VecArena(vec![0xEE; len]);
        let mut h = Heap::default();
        h.init(&mut a);
        (h, a)
    }

    #[test]
    fn split_merge_and_reuse_in_any_order() {
        // Every order of freeing three blocks gives back one free block.
        for order in [
            [0, 1, 2],
            [0, 2, 1],
            [1, 0, 2],
            [1, 2, 0],
            [2, 0, 1],
            [2, 1, 0],
        ] {
            let (mut h, mut a) = heap(4096);
            let p: Vec<usize> = [10, 21, 200]
                .iter()
                .map(|&n| h.calloc(&mut a, 1, n).unwrap().unwrap())
                .collect();
            assert_eq!(h.stats.total_used, 12 + 24 + 200);
            for &i in &order {
                h.free(&mut a, p[i]).unwrap();
                h.verify_chain(&a).unwrap();
            }
            assert_eq!(h.stats.total_used, 0);
            assert_eq!(h.stats.header_count, 0);
            let big = h.calloc(&mut a, 1, 4096 - HEADER).unwrap();
            assert_eq!(big, Some(HEADER), "order {order:?}");
        }
    }

    #[test]
    fn bad_frees_change_nothing() {
        let (mut h, mut a) = heap(2048);
        let x = h.calloc(&mut a, 1, 40).unwrap().unwrap();
        let before = (h.stats, a.0.clone());
        assert_eq!(h.free(&mut a, 5000), Err(Problem::ForeignPointer));
        assert_eq!(h.free(&mut a, x + 4), Err(Problem::NotABlock));
        assert_eq!(h.free(&mut a, 3), Err(Problem::NotABlock));
        assert_eq!((h.stats, a.0.clone()), before);
        h.free(&mut a, x).unwrap();
        assert_eq!(h.free(&mut a, x), Err(Problem::DoubleFree));
        h.verify_chain(&a).unwrap();
    }

    #[test]
    fn corruption_is_reported_not_followed() {
        let (mut h, mut a) = heap(2048);
        let x = h.calloc(&mut a, 1, 40).unwrap().unwrap();
        let y = h.calloc(&mut a, 1, 40).unwrap().unwrap();
        // Overwrite y's header from x's payload (a buffer overrun).
        for b in &mut a.0[x + 40..y] {
            *b = 0x41;
        }
        assert_eq!(h.verify_chain(&a), Err(Problem::CorruptChain));
        assert!(h.free(&mut a, y).is_err());
        assert!(h.calloc(&mut a, 1, 2000).unwrap_or(None).is_none());
    }

    /// Random callocs and frees against a model of the live blocks: blocks
    /// never overlap and stay inside the buffer, come back zero-filled,
    /// the chain verifies after every step, the counters balance, and
    /// freeing everything leaves one free block spanning the buffer.
    #[test]
    fn random_calloc_free_against_a_model() {
        let len = if cfg!(miri) { 8 * 1024 } else { 64 * 1024 };
        let rounds = if cfg!(miri) { 150 } else { 20_000 };
        let (mut h, mut a) = heap(len);
        let mut live: Vec<(usize, usize)> = Vec::new();
        let mut x = 0x2545_f491_4f6c_dd1du64;
        let mut rnd = |m: usize| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x % m as u64) as usize
        };
        let (mut fails, mut frees) = (0usize, 0usize);
        for _ in 0..rounds {
            if live.len() < 24 && (live.is_empty() || rnd(3) != 0) {
                let n = 1 + rnd(len / 40);
                match h.calloc(&mut a, 1, n).unwrap() {
                    Some(p) => {
                        assert!(p >= HEADER && p + n <= len);
                        assert!(a.0[p..p + n].iter().all(|&b| b == 0), "not zeroed");
                        for &(q, m) in &live {
                            assert!(p + n <= q || q + m <= p, "overlap");
                        }
                        a.0[p..p + n].fill(0xA5);
                        live.push((p, n));
                    }
                    None => fails += 1,
                }
            } else {
                let (p, n) = live.swap_remove(rnd(live.len()));
                assert!(a.0[p..p + n].iter().all(|&b| b == 0xA5), "block clobbered");
                h.free(&mut a, p).unwrap();
                frees += 1;
                // Refused: a double free if the block is still there, else
                // (merged into its neighbour) not a block at all.
                let again = h.free(&mut a, p);
                assert!(
                    matches!(again, Err(Problem::DoubleFree | Problem::NotABlock)),
                    "{again:?}"
                );
            }
            h.verify_chain(&a).unwrap();
            let used: usize = live.iter().map(|&(_, n)| n.div_ceil(ALIGN) * ALIGN).sum();
            // (A block used whole counts whole, as upstream counts it.)
            assert!(
                h.stats.total_used >= used
                    && h.stats.total_used < used + live.len() * (HEADER + ALIGN) + 1
            );
        }
        for (p, _) in live.drain(..) {
            h.free(&mut a, p).unwrap();
        }
        assert_eq!(h.stats.total_used, 0);
        assert_eq!(h.stats.header_count, 0);
        assert!(
            frees > rounds / 4 && fails < rounds / 10,
            "{frees} frees, {fails} fails"
        );
        assert_eq!(h.calloc(&mut a, 1, len - HEADER).unwrap(), Some(HEADER));
    }

    #[test]
    fn link_words_near_the_top_of_the_address_space_are_refused() {
        let (mut h, mut a) = heap(2048);
        let x = h.calloc(&mut a, 1, 40).unwrap().unwrap();
        let y = h.calloc(&mut a, 1, 40).unwrap().unwrap();
        // y's `next` link (which a free follows) made to wrap around.
        let y0 = y - HEADER;
        a.set_word(y0 + F_NEXT, usize::MAX - 6);
        assert_eq!(h.free(&mut a, y), Err(Problem::NotABlock));
        assert_eq!(h.verify_chain(&a), Err(Problem::CorruptChain));
        // The same in a free block's `next_free` (which calloc follows).
        a.set_word(y0 + F_NEXT, 0);
        h.free(&mut a, x).unwrap();
        a.set_word(x - HEADER + F_NEXT_FREE, usize::MAX - 6);
        assert!(Heap::bad_link(&a, a.word(x - HEADER + F_NEXT_FREE)));
        assert!(h.calloc(&mut a, 1, 1500).is_err());
    }

    /// Forged headers of allocated blocks: free-list links (a free would
    /// write through them into another block) and sizes (a merge would
    /// claim memory in use). Refused, and nothing changes.
    #[test]
    fn forged_links_and_sizes_of_allocated_blocks_are_refused() {
        let (mut h, mut a) = heap(4096);
        let x = h.calloc(&mut a, 1, 64).unwrap().unwrap();
        let y = h.calloc(&mut a, 1, 64).unwrap().unwrap();
        let z = h.calloc(&mut a, 1, 64).unwrap().unwrap();
        a.0[z..z + 64].fill(0x5A);
        let (x0, y0) = (x - HEADER, y - HEADER);
        // y "in the free list", its next free block inside z's payload.
        a.set_word(y0 + F_NEXT_FREE, z + 8 + 1);
        let before = (h.stats, a.0.clone());
        assert_eq!(h.free(&mut a, y), Err(Problem::CorruptHeader));
        assert_eq!((h.stats, a.0.clone()), before);
        a.set_word(y0 + F_NEXT_FREE, 0);
        // y's size grown over z, and x's (the block before y) shrunk.
        for (blk, size) in [(y0, 64 + HEADER + 64), (x0, 32)] {
            let old = a.word(blk + F_SIZE);
            a.set_word(blk + F_SIZE, size);
            let before = (h.stats, a.0.clone());
            assert_eq!(h.free(&mut a, y), Err(Problem::CorruptHeader));
            assert_eq!((h.stats, a.0.clone()), before);
            a.set_word(blk + F_SIZE, old);
        }
        // Repaired, everything frees, and z's bytes were never touched.
        assert!(a.0[z..z + 64].iter().all(|&b| b == 0x5A));
        for p in [y, x, z] {
            h.free(&mut a, p).unwrap();
        }
        h.verify_chain(&a).unwrap();
        assert_eq!(h.stats.total_used, 0);
    }

    /// A block freed between two free ones merges with both and takes the
    /// place of the one after it in the free list, as upstream's does: the
    /// order decides where later allocations land (first fit).
    #[test]
    fn a_double_merge_takes_the_place_of_the_block_after() {
        let (mut h, mut a) = heap(4096);
        // Blocks b..g of 64 bytes, with the rest of the buffer after them.
        let p: Vec<usize> = (0..6)
            .map(|_| h.calloc(&mut a, 1, 64).unwrap().unwrap())
            .collect();
        let (b, c, d, f) = (p[0], p[1], p[2], p[4]);
        // Free list: d, f, b, rest.
        for x in [b, f, d] {
            h.free(&mut a, x).unwrap();
        }
        // c merges with b and d; the merged block (at b) takes d's place:
        // b+c+d, f, rest.
        h.free(&mut a, c).unwrap();
        h.verify_chain(&a).unwrap();
        assert_eq!(h.calloc(&mut a, 1, 64).unwrap(), Some(b));
        assert_eq!(h.calloc(&mut a, 1, 64).unwrap(), Some(c));
        assert_eq!(h.calloc(&mut a, 1, 64).unwrap(), Some(d));
        assert_eq!(h.calloc(&mut a, 1, 64).unwrap(), Some(f));
    }

    #[test]
    fn limits() {
        let (mut h, mut a) = heap(1024);
        assert_eq!(h.calloc(&mut a, 0, 1), Ok(None));
        assert_eq!(h.calloc(&mut a, usize::MAX, 2), Ok(None));
        assert_eq!(h.calloc(&mut a, 1, usize::MAX - 1), Ok(None));
        assert_eq!(h.calloc(&mut a, 1, 1024), Ok(None));
        let (mut small, mut sa) = heap(HEADER);
        assert!(!small.ready);
        assert_eq!(small.calloc(&mut sa, 1, 1), Ok(None));
    }
}
