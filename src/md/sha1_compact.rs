//! A compact SHA-1 for firmware builds (`--cfg mbedcrypto_sha1_compact`,
//! set for `thumbv7em-none-eabihf` in `.cargo/config.toml`).
//!
//! The `sha1` crate has no size-oriented software backend: its rounds are
//! fully unrolled (about 3 KB of Cortex-M4 code). This block function runs
//! the 80 rounds of FIPS 180-4 section 6.1.2 as a loop over a 16-word
//! schedule window (about 0.3 KB), and plugs into the same RustCrypto
//! `digest` machinery (buffering, padding), so everything that hashes
//! through [`super::Sha1`] sees the same type interface; HMAC uses the
//! block function directly (`super::engine`).

use core::fmt;

use sha2::digest::{
    HashMarker, Output,
    block_api::{
        AlgorithmName, Block, BlockSizeUser, Buffer, BufferKindUser, Eager, FixedOutputCore,
        OutputSizeUser, Reset, UpdateCore,
    },
    typenum::{U20, U64},
};
use zeroize::Zeroize;

/// The initial hash value (FIPS 180-4, 5.3.1).
const IV: [u32; 5] = [
    0x6745_2301,
    0xefcd_ab89,
    0x98ba_dcfe,
    0x1032_5476,
    0xc3d2_e1f0,
];

/// Applies the compression function to one 64-byte block.
pub(super) fn compress(h: &mut [u32; 5], block: &[u8; 64]) {
    let mut w = [0u32; 16];
    for (w, bytes) in w.iter_mut().zip(block.chunks_exact(4)) {
        *w = u32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]);
    }
    let [mut a, mut b, mut c, mut d, mut e] = *h;
    for t in 0..80 {
        let s = t & 15;
        if t >= 16 {
            // W[t] = ROTL1(W[t-3] ^ W[t-8] ^ W[t-14] ^ W[t-16]), in a window
            // of the last 16 words.
            w[s] = (w[(t + 13) & 15] ^ w[(t + 8) & 15] ^ w[(t + 2) & 15] ^ w[s]).rotate_left(1);
        }
        let (f, k) = match t / 20 {
            0 => ((b & c) | (!b & d), 0x5a82_7999),
            1 => (b ^ c ^ d, 0x6ed9_eba1),
            2 => ((b & c) | (b & d) | (c & d), 0x8f1b_bcdc),
            _ => (b ^ c ^ d, 0xca62_c1d6),
        };
        let next = a
            .rotate_left(5)
            .wrapping_add(f)
            .wrapping_add(e)
            .wrapping_add(k)
            .wrapping_add(w[s]);
        e = d;
        d = c;
        c = b.rotate_left(30);
        b = a;
        a = next;
    }
    for (h, v) in h.iter_mut().zip([a, b, c, d, e]) {
        *h = h.wrapping_add(v);
    }
    w.zeroize();
}

/// The block-level SHA-1 state: the chaining value and the number of
/// blocks compressed so far. Wiped on drop.
#[derive(Clone)]
pub(crate) struct Sha1CompactCore {
    h: [u32; 5],
    blocks: u64,
}

impl HashMarker for Sha1CompactCore {}

impl BlockSizeUser for Sha1CompactCore {
    type BlockSize = U64;
}

impl BufferKindUser for Sha1CompactCore {
    type BufferKind = Eager;
}

impl OutputSizeUser for Sha1CompactCore {
    type OutputSize = U20;
}

impl UpdateCore for Sha1CompactCore {
    fn update_blocks(&mut self, blocks: &[Block<Self>]) {
        for block in blocks {
            self.blocks = self.blocks.wrapping_add(1);
            compress(&mut self.h, &block.0);
        }
    }
}

impl FixedOutputCore for Sha1CompactCore {
    fn finalize_fixed_core(&mut self, buffer: &mut Buffer<Self>, out: &mut Output<Self>) {
        // The message length in bits, modulo 2^64 as the standard says.
        let bytes = self
            .blocks
            .wrapping_mul(64)
            .wrapping_add(buffer.get_pos() as u64);
        let h = &mut self.h;
        buffer.len64_padding_be(bytes.wrapping_mul(8), |block| compress(h, &block.0));
        for (out, word) in out.chunks_exact_mut(4).zip(self.h) {
            out.copy_from_slice(&word.to_be_bytes());
        }
    }
}

impl Default for Sha1CompactCore {
    fn default() -> Self {
        Self { h: IV, blocks: 0 }
    }
}

impl Reset for Sha1CompactCore {
    fn reset(&mut self) {
        *self = Self::default();
    }
}

impl AlgorithmName for Sha1CompactCore {
    fn write_alg_name(f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Sha1")
    }
}

impl fmt::Debug for Sha1CompactCore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Sha1CompactCore { ... }")
    }
}

impl Drop for Sha1CompactCore {
    fn drop(&mut self) {
        self.h.zeroize();
        self.blocks.zeroize();
    }
}

sha2::digest::buffer_fixed!(
    /// SHA-1 over [`Sha1CompactCore`], with the `digest` crate's buffering.
    pub(crate) struct Sha1Compact(Sha1CompactCore);
    impl: BaseFixedTraits AlgorithmName Default Clone HashMarker Reset FixedOutputReset;
);

#[cfg(test)]
mod tests {
    use super::Sha1Compact;
    use hmac::{KeyInit, Mac, SimpleHmac};
    use sha2::digest::{Digest, FixedOutputReset};

    /// Deterministic test bytes.
    fn bytes(n: usize, seed: u32) -> std::vec::Vec<u8> {
        let mut x = seed.wrapping_mul(2_654_435_761).wrapping_add(1);
        (0..n)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 17;
                x ^= x << 5;
                x as u8
            })
            .collect()
    }

    #[test]
    fn matches_the_sha1_crate_for_every_length_and_split() {
        let mut ours = Sha1Compact::new();
        // Under Miri (slow: minutes for the full set) every length around
        // the block and padding boundaries only, and fewer split points.
        let miri = cfg!(miri);
        for len in 0..300 {
            if miri && !matches!(len % 64, 0 | 1 | 55 | 56 | 63) {
                continue;
            }
            let data = bytes(len, len as u32);
            let want = sha1::Sha1::digest(&data);
            // In one piece, then in two at every 16th split point (every
            // 4th around the block boundaries, and few enough for Miri);
            // the hasher is reused through finalize_fixed_reset.
            Digest::update(&mut ours, &data);
            assert_eq!(
                FixedOutputReset::finalize_fixed_reset(&mut ours),
                want,
                "len {len}"
            );
            let step = match (miri, len % 64 < 8 || len % 64 > 52) {
                (true, _) => 29,
                (false, true) => 4,
                (false, false) => 16,
            };
            for cut in (0..=len).step_by(step) {
                Digest::update(&mut ours, &data[..cut]);
                Digest::update(&mut ours, &data[cut..]);
                assert_eq!(ours.finalize_reset(), want, "len {len} cut {cut}");
            }
        }
    }

    #[test]
    fn known_answers_and_hmac() {
        // FIPS 180-2 appendix A.1.
        assert_eq!(
            Sha1Compact::digest(b"abc")[..],
            [
                0xa9, 0x99, 0x3e, 0x36, 0x47, 0x06, 0x81, 0x6a, 0xba, 0x3e, 0x25, 0x71, 0x78, 0x50,
                0xc2, 0x6c, 0x9c, 0xd0, 0xd8, 0x9d
            ]
        );
        let key = bytes(100, 7);
        let msg = bytes(200, 9);
        let mut a = <hmac::Hmac<Sha1Compact> as KeyInit>::new_from_slice(&key).unwrap();
        let mut b = <SimpleHmac<sha1::Sha1> as KeyInit>::new_from_slice(&key).unwrap();
        Mac::update(&mut a, &msg);
        Mac::update(&mut b, &msg);
        assert_eq!(a.finalize().into_bytes(), b.finalize().into_bytes());
    }
}
