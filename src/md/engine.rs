//! One streaming hash for every supported algorithm, chosen at run time:
//! the buffering and padding of FIPS 180-4 written once, over the block
//! functions of the `sha1`/`sha2` crates (or the rolled SHA-1 of
//! `sha1_compact.rs` in firmware builds). Every hash in the library runs
//! on it: [`super::Hasher`]
//! and [`super::HmacState`], the sha*.h contexts (which keep an [`Engine`]
//! in their opaque state) and the entropy accumulator, so the buffering and
//! padding code exists once instead of once per algorithm and per owner.
//!
//! A chaining value is up to sixteen 32-bit words: SHA-1 uses the first
//! five, SHA-224/256 the first eight, SHA-384/512 all sixteen as (high,
//! low) halves of their 64-bit words. In every case the digest is a prefix
//! of the big-endian bytes of the words in order.
//!
//! The code works on [`Parts`], the fields of a running hash borrowed from
//! whoever keeps them, so that one copy of it serves owners of different
//! shapes: [`Engine64`] (room for 64-byte blocks, small enough for the
//! sha1.h and sha256.h contexts), [`Engine128`] (any algorithm) and the
//! entropy accumulator's C struct.

use zeroize::Zeroize;

use super::MdType;

/// The longest block (SHA-384/512).
pub(crate) const MAX_BLOCK: usize = 128;

/// A chaining value with room for every algorithm (see the module docs).
pub(crate) type Chain = [u32; 16];

/// The initial hash values of FIPS 180-4, section 5.3, one after the
/// other: SHA-1 (5.3.1, five words), SHA-224 (5.3.2) and SHA-256 (5.3.3,
/// eight each), SHA-384 (5.3.4) and SHA-512 (5.3.5, sixteen each: the
/// (high, low) halves of their eight 64-bit words).
static IV_WORDS: [u32; 53] = [
    0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0, // SHA-1
    0xc1059ed8, 0x367cd507, 0x3070dd17, 0xf70e5939, // SHA-224
    0xffc00b31, 0x68581511, 0x64f98fa7, 0xbefa4fa4, //
    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, // SHA-256
    0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19, //
    0xcbbb9d5d, 0xc1059ed8, 0x629a292a, 0x367cd507, // SHA-384
    0x9159015a, 0x3070dd17, 0x152fecd8, 0xf70e5939, //
    0x67332667, 0xffc00b31, 0x8eb44a87, 0x68581511, //
    0xdb0c2e0d, 0x64f98fa7, 0x47b5481d, 0xbefa4fa4, //
    0x6a09e667, 0xf3bcc908, 0xbb67ae85, 0x84caa73b, // SHA-512
    0x3c6ef372, 0xfe94f82b, 0xa54ff53a, 0x5f1d36f1, //
    0x510e527f, 0xade682d1, 0x9b05688c, 0x2b3e6c1f, //
    0x1f83d9ab, 0xfb41bd6b, 0x5be0cd19, 0x137e2179, //
];

/// The initial chaining value of `ty`: sixteen words, of which those past
/// the algorithm's own (the next algorithm's) are never used.
pub(crate) fn iv(ty: MdType) -> &'static Chain {
    let at = match ty {
        MdType::Sha1 => 0,
        MdType::Sha224 => 5,
        MdType::Sha256 => 13,
        MdType::Sha384 => 21,
        MdType::Sha512 => 37,
    };
    IV_WORDS[at..]
        .first_chunk()
        .expect("sixteen words from every start")
}

/// Runs the block function of `ty` over `blocks` (whole blocks of
/// `ty.block_size()` bytes; a partial tail is ignored). `h` holds at least
/// the algorithm's words (panics otherwise).
#[inline(never)]
pub(crate) fn compress(ty: MdType, h: &mut [u32], blocks: &[u8]) {
    match ty {
        MdType::Sha1 => {
            let h5 = h.first_chunk_mut::<5>().expect("a SHA-1 chain");
            sha1_blocks(h5, blocks.as_chunks::<64>().0);
        }
        MdType::Sha224 | MdType::Sha256 => {
            let h8 = h.first_chunk_mut::<8>().expect("a SHA-256 chain");
            sha256_blocks(h8, blocks.as_chunks::<64>().0);
        }
        MdType::Sha384 | MdType::Sha512 => {
            let h16 = h.first_chunk_mut::<16>().expect("a SHA-512 chain");
            let mut w = [0u64; 8];
            for (w, pair) in w.iter_mut().zip(h16.as_chunks::<2>().0) {
                *w = (u64::from(pair[0]) << 32) | u64::from(pair[1]);
            }
            sha512_blocks(&mut w, blocks.as_chunks::<128>().0);
            for (w, pair) in w.iter().zip(h16.as_chunks_mut::<2>().0) {
                *pair = [(w >> 32) as u32, *w as u32];
            }
            w[..].zeroize();
        }
    }
}

/// SHA-256's block function: the `sha2` crate's, kept out of line so that
/// it is compiled on its own (inlined into [`compress`] its round loop
/// gets more register spills: about 1.5% slower on the Cortex-M4).
#[inline(never)]
fn sha256_blocks(h: &mut [u32; 8], blocks: &[[u8; 64]]) {
    sha2::block_api::compress256(h, blocks);
}

/// SHA-512's block function: the `sha2` crate's, out of line as
/// [`sha256_blocks`] is.
#[inline(never)]
fn sha512_blocks(h: &mut [u64; 8], blocks: &[[u8; 128]]) {
    sha2::block_api::compress512(h, blocks);
}

/// SHA-1's block function: the `sha1` crate's.
#[cfg(not(mbedcrypto_sha1_compact))]
fn sha1_blocks(h: &mut [u32; 5], blocks: &[[u8; 64]]) {
    sha1::block_api::compress(h, blocks);
}

/// SHA-1's block function: the compact one of firmware builds.
#[cfg(mbedcrypto_sha1_compact)]
fn sha1_blocks(h: &mut [u32; 5], blocks: &[[u8; 64]]) {
    for b in blocks {
        super::sha1_compact::compress(h, b);
    }
}

/// Writes the first `out.len() / 4` words of `h` to `out`, big-endian.
pub(crate) fn put_be(h: &[u32], out: &mut [u8]) {
    for (o, w) in out.as_chunks_mut::<4>().0.iter_mut().zip(h) {
        *o = w.to_be_bytes();
    }
}

/// The fields of a running hash, borrowed from whoever keeps them; its
/// algorithm is kept by the owner too and passed to every call.
pub(crate) struct Parts<'a> {
    /// The chaining value: at least the algorithm's words.
    pub(crate) h: &'a mut [u32],
    /// Bytes hashed so far, the buffered ones included.
    pub(crate) total: &'a mut u64,
    /// The partial block: at least one block long.
    pub(crate) buf: &'a mut [u8],
    /// Bytes in `buf`. Owners may keep it in memory that C code can
    /// scribble on, so any value is accepted: one of a block or more is
    /// taken as a block less one.
    pub(crate) used: &'a mut usize,
}

impl Parts<'_> {
    /// Continues from the chaining value `h` after `total` bytes (a whole
    /// number of blocks). The old buffer bytes are left for
    /// [`Parts::wipe`] (or later input) to overwrite.
    pub(crate) fn restart(&mut self, h: &[u32], total: u64) {
        let n = self.h.len();
        self.h.copy_from_slice(&h[..n]);
        *self.total = total;
        *self.used = 0;
    }

    /// Starts a fresh hash of algorithm `ty`.
    #[inline(never)]
    pub(crate) fn start(&mut self, ty: MdType) {
        self.restart(iv(ty), 0);
    }

    /// Feeds `data` to a hash of algorithm `ty`.
    #[inline(never)]
    pub(crate) fn update(&mut self, ty: MdType, mut data: &[u8]) {
        let bs = ty.block_size();
        let used = (*self.used).min(bs - 1);
        *self.total = self.total.wrapping_add(data.len() as u64);
        if used > 0 {
            let take = (bs - used).min(data.len());
            self.buf[used..used + take].copy_from_slice(&data[..take]);
            data = &data[take..];
            if used + take < bs {
                *self.used = used + take;
                return;
            }
            compress(ty, self.h, &self.buf[..bs]);
        }
        let whole = data.len() - data.len() % bs;
        if whole > 0 {
            compress(ty, self.h, &data[..whole]);
        }
        let rest = &data[whole..];
        self.buf[..rest.len()].copy_from_slice(rest);
        *self.used = rest.len();
    }

    /// Pads and finishes a hash of algorithm `ty`: the digest is then the
    /// first digest-size bytes of the big-endian words of `self.h` (see
    /// [`put_be`]). The hash must then be restarted. The block buffer is
    /// wiped: it held the message's last bytes (in an HMAC, the inner
    /// digest), which would otherwise stay until the next input or free.
    #[inline(never)]
    pub(crate) fn close(&mut self, ty: MdType) {
        let bs = ty.block_size();
        // The length field: 8 bytes (64-byte blocks) or 16 (128-byte ones).
        let lf = bs / 8;
        let used = (*self.used).min(bs - 1);
        let buf = &mut self.buf[..bs];
        buf[used] = 0x80;
        buf[used + 1..].fill(0);
        if used + 1 > bs - lf {
            compress(ty, self.h, buf);
            buf.fill(0);
        }
        // The length in bits: the low 64 bits last, the high ones (only
        // SHA-384/512 have room for them) before.
        let len = &mut buf[bs - 16..];
        if lf == 16 {
            len[..8].copy_from_slice(&(*self.total >> 61).to_be_bytes());
        }
        len[8..].copy_from_slice(&(*self.total << 3).to_be_bytes());
        compress(ty, self.h, buf);
        buf.zeroize();
        *self.used = 0;
    }

    /// Finishes a hash of algorithm `ty`, writes its digest to
    /// `out[..digest size]` (panics if `out` is shorter) and starts a
    /// fresh hash of the same algorithm.
    #[inline(never)]
    pub(crate) fn finish(&mut self, ty: MdType, out: &mut [u8]) {
        let out = &mut out[..ty.info().size];
        self.close(ty);
        put_be(self.h, out);
        self.start(ty);
    }

    /// Restarts from the chaining value `h` after `total` bytes (a whole
    /// number of blocks) with `digest` (a digest of algorithm `ty`, as the
    /// words of a closed hash) as its first input.
    pub(crate) fn restart_with(&mut self, ty: MdType, h: &[u32], total: u64, digest: &[u32]) {
        let n = ty.info().size;
        self.restart(h, total + n as u64);
        put_be(digest, &mut self.buf[..n]);
        *self.used = n;
    }

    /// Wipes the state of a hash that only ever ran algorithm `ty` (only
    /// the first block of the buffer: nothing past it is ever written for
    /// `ty`).
    #[inline(never)]
    pub(crate) fn wipe(&mut self, ty: MdType) {
        self.h.zeroize();
        self.total.zeroize();
        self.buf[..ty.block_size()].zeroize();
        self.used.zeroize();
    }
}

/// Writes the digest of `data` under algorithm `ty` to `out[..digest
/// size]` (panics if `out` is shorter), through a local [`Engine128`] that
/// is wiped afterwards. Unlike [`Parts::finish`] it does not restart the
/// hash, which a one-shot never uses again.
#[inline(never)]
pub(crate) fn digest(ty: MdType, data: &[u8], out: &mut [u8]) {
    let out = &mut out[..ty.info().size];
    let mut e = Engine128 {
        h: *iv(ty),
        total: 0,
        buf: [0; MAX_BLOCK],
        used: 0,
    };
    let mut p = e.parts();
    p.update(ty, data);
    p.close(ty);
    put_be(p.h, out);
    p.wipe(ty);
}

/// A running hash kept as one value, with a chaining value of `W` words
/// and room for blocks of `B` bytes: [`Engine64`] or [`Engine128`]. Every
/// bit pattern is a valid `Engine`, so one may live in the opaque words of
/// a C context. Not wiped on drop: owners wipe it ([`Parts::wipe`]).
#[derive(Clone)]
#[repr(C)]
pub(crate) struct Engine<const W: usize, const B: usize> {
    /// The chaining value.
    pub(crate) h: [u32; W],
    /// Bytes hashed so far, the buffered ones included.
    total: u64,
    /// The partial block.
    buf: [u8; B],
    /// Bytes in `buf` (see [`Parts::used`]).
    used: usize,
}

/// An [`Engine`] for SHA-1, SHA-224 and SHA-256.
pub(crate) type Engine64 = Engine<8, 64>;

/// An [`Engine`] for every algorithm.
pub(crate) type Engine128 = Engine<16, MAX_BLOCK>;

impl<const W: usize, const B: usize> Engine<W, B> {
    /// An all-zero state (to be started or restarted before use).
    pub(crate) const fn zeroed() -> Self {
        Engine {
            h: [0; W],
            total: 0,
            buf: [0; B],
            used: 0,
        }
    }

    /// The fields, for the calls of [`Parts`].
    pub(crate) fn parts(&mut self) -> Parts<'_> {
        Parts {
            h: &mut self.h,
            total: &mut self.total,
            buf: &mut self.buf,
            used: &mut self.used,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sha2::Digest;

    /// The digest of `parts` fed one after the other, through `e` (which
    /// `finish` leaves restarted).
    fn through(e: &mut Parts<'_>, ty: MdType, parts: &[&[u8]]) -> std::vec::Vec<u8> {
        for p in parts {
            e.update(ty, p);
        }
        let mut out = vec![0u8; ty.info().size + 3];
        e.finish(ty, &mut out);
        assert!(e.buf.iter().all(|&b| b == 0), "{ty:?}: buffer wiped");
        assert_eq!(
            out.split_off(ty.info().size),
            [0; 3],
            "writes the digest only"
        );
        out
    }

    fn ours(ty: MdType, parts: &[&[u8]]) -> std::vec::Vec<u8> {
        let mut big = Engine128::zeroed();
        let mut e = big.parts();
        e.start(ty);
        let out = through(&mut e, ty, parts);
        // finish restarted the hash: the same input gives the same digest.
        assert_eq!(through(&mut e, ty, parts), out, "{ty:?} after finish");
        e.wipe(ty);
        if ty.block_size() == 64 {
            let mut small = Engine64::zeroed();
            let mut e = small.parts();
            e.start(ty);
            assert_eq!(through(&mut e, ty, parts), out, "{ty:?} in an Engine64");
        }
        // The long way: close, then the words.
        let mut e = big.parts();
        e.start(ty);
        for p in parts {
            e.update(ty, p);
        }
        e.close(ty);
        let mut words = vec![0u8; ty.info().size];
        put_be(e.h, &mut words);
        assert_eq!(words, out, "{ty:?} close");
        out
    }

    #[test]
    fn matches_the_crates_for_every_length_and_split() {
        let data: std::vec::Vec<u8> = (0..300u32).map(|i| (i * 13 + 5) as u8).collect();
        let step = if cfg!(miri) { 37 } else { 1 };
        for len in (0..data.len()).step_by(step) {
            let d = &data[..len];
            let want: [std::vec::Vec<u8>; 5] = [
                sha1::Sha1::digest(d).to_vec(),
                sha2::Sha224::digest(d).to_vec(),
                sha2::Sha256::digest(d).to_vec(),
                sha2::Sha384::digest(d).to_vec(),
                sha2::Sha512::digest(d).to_vec(),
            ];
            let types = [
                MdType::Sha1,
                MdType::Sha224,
                MdType::Sha256,
                MdType::Sha384,
                MdType::Sha512,
            ];
            for (ty, want) in types.into_iter().zip(want) {
                assert_eq!(ours(ty, &[d]), want, "{ty:?} len {len}");
                for cut in [1, 63, 64, 65, 127, 129] {
                    let cut = cut.min(len);
                    assert_eq!(
                        ours(ty, &[&d[..cut], &[], &d[cut..]]),
                        want,
                        "{ty:?} len {len} cut {cut}"
                    );
                }
            }
        }
    }

    #[test]
    fn a_corrupted_fill_count_stays_inside_the_block() {
        for ty in [MdType::Sha256, MdType::Sha512] {
            let mut e = Engine128::zeroed();
            let mut p = e.parts();
            p.start(ty);
            *p.used = usize::MAX;
            p.update(ty, b"abc");
            *p.used = usize::MAX;
            let mut out = [0u8; 64];
            p.finish(ty, &mut out);
            p.wipe(ty);
            assert!(p.h.iter().all(|&w| w == 0) && p.buf.iter().all(|&b| b == 0));
            assert_eq!((*p.total, *p.used), (0, 0));
        }
    }
}
