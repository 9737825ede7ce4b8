//! A streaming SHA-512 whose whole state is the plain C struct
//! [`mbedcrypto_entropy_accumulator`](crate::abi::entropy::mbedcrypto_entropy_accumulator), so it lives inside the caller's
//! entropy context without allocation. The compression function is the
//! `sha2` crate's (AVX2 where the CPU has it).

use sha2::block_api::compress512;
use zeroize::Zeroize;

use crate::abi::entropy::mbedcrypto_entropy_accumulator as Acc;

/// SHA-512's block length.
const BLOCK: usize = 128;
/// SHA-512's digest length.
pub(crate) const DIGEST: usize = 64;

/// SHA-512's initial chaining value (FIPS 180-4, 5.3.5).
const IV: [u64; 8] = [
    0x6a09e667f3bcc908,
    0xbb67ae8584caa73b,
    0x3c6ef372fe94f82b,
    0xa54ff53a5f1d36f1,
    0x510e527fade682d1,
    0x9b05688c2b3e6c1f,
    0x1f83d9abfb41bd6b,
    0x5be0cd19137e2179,
];

/// A fresh hash state.
pub(crate) const fn fresh() -> Acc {
    Acc {
        state: IV,
        total: 0,
        used: 0,
        block: [0; BLOCK],
    }
}

/// Restarts `acc` (the partial block is wiped).
pub(crate) fn reset(acc: &mut Acc) {
    acc.block.zeroize();
    acc.state = IV;
    acc.total = 0;
    acc.used = 0;
}

/// Wipes `acc` entirely.
pub(crate) fn wipe(acc: &mut Acc) {
    acc.state.zeroize();
    acc.block.zeroize();
    acc.total = 0;
    acc.used = 0;
}

/// Feeds `data`.
pub(crate) fn update(acc: &mut Acc, mut data: &[u8]) {
    // `used` comes from C memory: never trust it beyond the block.
    let mut used = (acc.used as usize).min(BLOCK - 1);
    acc.total = acc.total.wrapping_add(data.len() as u64);
    if used > 0 {
        let take = (BLOCK - used).min(data.len());
        acc.block[used..used + take].copy_from_slice(&data[..take]);
        used += take;
        data = &data[take..];
        if used < BLOCK {
            acc.used = used as u64;
            return;
        }
        compress512(&mut acc.state, core::slice::from_ref(&acc.block));
    }
    let (blocks, rest) = data.as_chunks::<BLOCK>();
    if !blocks.is_empty() {
        compress512(&mut acc.state, blocks);
    }
    acc.block[..rest.len()].copy_from_slice(rest);
    acc.used = rest.len() as u64;
}

/// Writes the digest to `out` and restarts `acc`.
pub(crate) fn finish(acc: &mut Acc, out: &mut [u8; DIGEST]) {
    let used = (acc.used as usize).min(BLOCK - 1);
    let bits = u128::from(acc.total) * 8;
    acc.block[used] = 0x80;
    acc.block[used + 1..].fill(0);
    if used + 1 > BLOCK - 16 {
        compress512(&mut acc.state, core::slice::from_ref(&acc.block));
        acc.block.fill(0);
    }
    acc.block[BLOCK - 16..].copy_from_slice(&bits.to_be_bytes());
    compress512(&mut acc.state, core::slice::from_ref(&acc.block));
    for (o, w) in out.chunks_exact_mut(8).zip(acc.state.iter()) {
        o.copy_from_slice(&w.to_be_bytes());
    }
    reset(acc);
}

/// One-shot SHA-512 of `data`.
pub(crate) fn digest(data: &[u8], out: &mut [u8; DIGEST]) {
    let mut acc = fresh();
    update(&mut acc, data);
    finish(&mut acc, out);
}

#[cfg(test)]
mod tests {
    use super::*;
    use sha2::{Digest, Sha512};

    #[test]
    fn matches_sha2_for_every_split() {
        let data: Vec<u8> = (0..700u32).map(|i| (i * 7 + 3) as u8).collect();
        for len in [0, 1, 111, 112, 113, 127, 128, 129, 255, 256, 257, 700] {
            let want = Sha512::digest(&data[..len]);
            for split in [0, 1, 2, 64, 127, 128, 200] {
                let split = split.min(len);
                let mut acc = fresh();
                update(&mut acc, &data[..split]);
                update(&mut acc, &data[split..len]);
                let mut out = [0u8; DIGEST];
                finish(&mut acc, &mut out);
                assert_eq!(&out[..], &want[..], "len {len} split {split}");
                // finish restarted the hash
                update(&mut acc, &data[..len]);
                finish(&mut acc, &mut out);
                assert_eq!(&out[..], &want[..], "after restart, len {len}");
            }
        }
    }

    #[test]
    fn known_answer_abc() {
        // FIPS 180-2 appendix C.1: SHA-512("abc") begins ddaf35a1 93617aba.
        let mut out = [0u8; DIGEST];
        digest(b"abc", &mut out);
        assert_eq!(&out[..8], &[0xdd, 0xaf, 0x35, 0xa1, 0x93, 0x61, 0x7a, 0xba]);
    }
}
