//! A compact SHA-1 for firmware builds (`--cfg mbedcrypto_sha1_compact`,
//! set for `thumbv7em-none-eabihf` in `.cargo/config.toml`).
//!
//! The `sha1` crate has no size-oriented software backend: its rounds are
//! fully unrolled (about 3 KB of Cortex-M4 code). This block function runs
//! the 80 rounds of FIPS 180-4 section 6.1.2 as a loop over a 16-word
//! schedule window (about 0.3 KB); the buffering and padding around it are
//! [`super::engine`]'s, as for every other algorithm.

use zeroize::Zeroize;

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
    w[..].zeroize();
}

#[cfg(test)]
mod tests {
    use super::compress;

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
    fn matches_the_sha1_crate_block_function() {
        // Chains of blocks from varied chaining values (fewer under Miri).
        let rounds = if cfg!(miri) { 4 } else { 300 };
        for seed in 0..rounds {
            let start = bytes(20, seed);
            let mut ours = [0u32; 5];
            for (w, b) in ours.iter_mut().zip(start.chunks_exact(4)) {
                *w = u32::from_le_bytes([b[0], b[1], b[2], b[3]]);
            }
            let mut want = ours;
            let data = bytes(64 * 3, seed + 1000);
            let blocks = data.as_chunks::<64>().0;
            for b in blocks {
                compress(&mut ours, b);
            }
            sha1::block_api::compress(&mut want, blocks);
            assert_eq!(ours, want, "seed {seed}");
        }
    }

    #[test]
    fn known_answer() {
        // FIPS 180-2 appendix A.1: "abc", padded by hand to one block.
        let mut block = [0u8; 64];
        block[..3].copy_from_slice(b"abc");
        block[3] = 0x80;
        block[63] = 24;
        let mut h = [
            0x6745_2301,
            0xefcd_ab89,
            0x98ba_dcfe,
            0x1032_5476,
            0xc3d2_e1f0,
        ];
        compress(&mut h, &block);
        assert_eq!(
            h,
            [0xa9993e36, 0x4706816a, 0xba3e2571, 0x7850c26c, 0x9cd0d89d]
        );
    }
}
