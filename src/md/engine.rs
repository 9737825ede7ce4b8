//! One streaming hash for every supported algorithm, chosen at run time:
//! the buffering and padding of FIPS 180-4 written once, over the block
//! functions of the `sha1`/`sha2` crates (or [`super::sha1_compact`] in
//! firmware builds). [`super::HmacState`] runs on it, so HMAC costs one
//! copy of that code instead of one generic instance per hash.
//!
//! A chaining value is sixteen 32-bit words: SHA-1 uses the first five,
//! SHA-224/256 the first eight, SHA-384/512 all sixteen as (high, low)
//! halves of their 64-bit words. In every case the digest is a prefix of
//! the big-endian bytes of the words in order.

use zeroize::Zeroize;

use super::MdType;

/// The longest block (SHA-384/512).
pub(crate) const MAX_BLOCK: usize = 128;

/// A chaining value (see the module docs).
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

/// The initial chaining value of `ty`.
pub(crate) fn iv(ty: MdType) -> Chain {
    let at = match ty {
        MdType::Sha1 => 0,
        MdType::Sha224 => 5,
        MdType::Sha256 => 13,
        MdType::Sha384 => 21,
        MdType::Sha512 => 37,
    };
    // Sixteen words from `at` on: the words past the algorithm's own (the
    // next algorithm's) are never used.
    let mut h = [0u32; 16];
    h.copy_from_slice(&IV_WORDS[at..at + 16]);
    h
}

/// Runs the block function of `ty` over `blocks` (whole blocks of
/// `ty.block_size()` bytes; a partial tail is ignored).
#[inline(never)]
pub(crate) fn compress(ty: MdType, h: &mut Chain, blocks: &[u8]) {
    match ty {
        MdType::Sha1 => {
            let (h5, _) = h.split_first_chunk_mut::<5>().expect("16 >= 5");
            sha1_blocks(h5, blocks.as_chunks::<64>().0);
        }
        MdType::Sha224 | MdType::Sha256 => {
            let (h8, _) = h.split_first_chunk_mut::<8>().expect("16 >= 8");
            sha2::block_api::compress256(h8, blocks.as_chunks::<64>().0);
        }
        MdType::Sha384 | MdType::Sha512 => {
            let mut w = [0u64; 8];
            for (w, pair) in w.iter_mut().zip(h.as_chunks::<2>().0) {
                *w = (u64::from(pair[0]) << 32) | u64::from(pair[1]);
            }
            sha2::block_api::compress512(&mut w, blocks.as_chunks::<128>().0);
            for (w, pair) in w.iter().zip(h.as_chunks_mut::<2>().0) {
                *pair = [(w >> 32) as u32, *w as u32];
            }
            w[..].zeroize();
        }
    }
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
pub(crate) fn put_be(h: &Chain, out: &mut [u8]) {
    for (o, w) in out.as_chunks_mut::<4>().0.iter_mut().zip(h) {
        *o = w.to_be_bytes();
    }
}

/// A running hash; its algorithm is kept by the owner and passed to every
/// call. Not wiped on drop: owners wipe it ([`Engine::wipe`]).
#[derive(Clone)]
pub(crate) struct Engine {
    /// The chaining value.
    pub(crate) h: Chain,
    /// Bytes hashed so far, the buffered ones included.
    pub(crate) total: u64,
    /// The partial block.
    buf: [u8; MAX_BLOCK],
    /// Bytes in `buf` (always less than a block).
    used: usize,
}

impl Engine {
    /// A hash that continues from the chaining value `h` after `total`
    /// bytes (a whole number of blocks).
    pub(crate) fn resume(h: Chain, total: u64) -> Engine {
        Engine {
            h,
            total,
            buf: [0; MAX_BLOCK],
            used: 0,
        }
    }

    /// Continues from the chaining value `h` after `total` bytes (a whole
    /// number of blocks). The old buffer bytes are left for [`Engine::wipe`]
    /// (or later input) to overwrite.
    pub(crate) fn restart(&mut self, h: &Chain, total: u64) {
        self.h = *h;
        self.total = total;
        self.used = 0;
    }

    /// Feeds `data` to a hash of algorithm `ty`.
    pub(crate) fn update(&mut self, ty: MdType, mut data: &[u8]) {
        let bs = ty.block_size();
        let used = self.used.min(bs - 1);
        self.total = self.total.wrapping_add(data.len() as u64);
        if used > 0 {
            let take = (bs - used).min(data.len());
            self.buf[used..used + take].copy_from_slice(&data[..take]);
            data = &data[take..];
            if used + take < bs {
                self.used = used + take;
                return;
            }
            compress(ty, &mut self.h, &self.buf[..bs]);
        }
        let whole = data.len() - data.len() % bs;
        if whole > 0 {
            compress(ty, &mut self.h, &data[..whole]);
        }
        let rest = &data[whole..];
        self.buf[..rest.len()].copy_from_slice(rest);
        self.used = rest.len();
    }

    /// Pads and finishes a hash of algorithm `ty`: the digest is then the
    /// first digest-size bytes of the big-endian words of `self.h` (see
    /// [`put_be`]). The hash must then be restarted.
    pub(crate) fn close(&mut self, ty: MdType) {
        let bs = ty.block_size();
        // The length field: 8 bytes (64-byte blocks) or 16 (128-byte ones).
        let lf = bs / 8;
        let used = self.used.min(bs - 1);
        self.buf[used] = 0x80;
        self.buf[used + 1..bs].fill(0);
        if used + 1 > bs - lf {
            compress(ty, &mut self.h, &self.buf[..bs]);
            self.buf[..bs].fill(0);
        }
        // The length in bits: the low 64 bits last, the high ones (only
        // SHA-384/512 have room for them) before.
        let len = &mut self.buf[bs - 16..bs];
        if lf == 16 {
            len[..8].copy_from_slice(&(self.total >> 61).to_be_bytes());
        }
        len[8..].copy_from_slice(&(self.total << 3).to_be_bytes());
        compress(ty, &mut self.h, &self.buf[..bs]);
        self.used = 0;
    }

    /// Restarts from the chaining value `h` after `total` bytes (a whole
    /// number of blocks) with `digest` (a digest of algorithm `ty`, as the
    /// words of a closed hash) as its first input.
    pub(crate) fn restart_with(&mut self, ty: MdType, h: &Chain, total: u64, digest: &Chain) {
        let n = ty.info().size;
        self.restart(h, total + n as u64);
        put_be(digest, &mut self.buf[..n]);
        self.used = n;
    }

    /// Wipes the state.
    pub(crate) fn wipe(&mut self) {
        self.h[..].zeroize();
        self.total = 0;
        self.buf[..].zeroize();
        self.used = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sha2::Digest;

    fn ours(ty: MdType, parts: &[&[u8]]) -> std::vec::Vec<u8> {
        let mut e = Engine::resume(iv(ty), 0);
        for p in parts {
            e.update(ty, p);
        }
        e.close(ty);
        let mut out = vec![0u8; ty.info().size];
        put_be(&e.h, &mut out);
        e.wipe();
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
}
