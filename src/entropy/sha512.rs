//! A streaming SHA-512 whose whole state is the plain C struct
//! [`mbedcrypto_entropy_accumulator`](crate::abi::entropy::mbedcrypto_entropy_accumulator), so it lives inside the caller's
//! entropy context without allocation. The hashing is the library's one
//! streaming hash ([`crate::md::engine`]) over the struct's fields; the
//! chaining value is kept as SHA-512's eight 64-bit words.

use zeroize::Zeroize;

use crate::abi::entropy::mbedcrypto_entropy_accumulator as Acc;
use crate::md::MdType;
use crate::md::engine::{Chain, Parts};

/// SHA-512's block length.
#[cfg(test)]
const BLOCK: usize = 128;
/// SHA-512's digest length.
pub(crate) const DIGEST: usize = 64;

/// What [`run`] does to the hash.
enum Op<'a> {
    /// Starts afresh.
    Start,
    /// Feeds data.
    Update(&'a [u8]),
    /// Writes the digest and starts afresh.
    Finish(&'a mut [u8; DIGEST]),
}

/// Applies `op` to the hash in `acc` through the engine. The chaining
/// value goes through a copy in the engine's form (the 32-bit halves of
/// each word), wiped afterwards.
#[inline(never)]
fn run(acc: &mut Acc, op: Op<'_>) {
    let mut h: Chain = [0; 16];
    for (pair, w) in h.as_chunks_mut::<2>().0.iter_mut().zip(&acc.state) {
        *pair = [(w >> 32) as u32, *w as u32];
    }
    // `used` comes from C memory: the engine never trusts it beyond the
    // block.
    let mut used = acc.used as usize;
    let mut parts = Parts {
        h: &mut h,
        total: &mut acc.total,
        buf: &mut acc.block,
        used: &mut used,
    };
    match op {
        Op::Start => parts.start(MdType::Sha512),
        Op::Update(data) => parts.update(MdType::Sha512, data),
        Op::Finish(out) => parts.finish(MdType::Sha512, out),
    }
    for (w, pair) in acc.state.iter_mut().zip(h.as_chunks::<2>().0) {
        *w = (u64::from(pair[0]) << 32) | u64::from(pair[1]);
    }
    acc.used = used as u64;
    h[..].zeroize();
}

/// A fresh hash state.
#[cfg(test)]
pub(crate) fn fresh() -> Acc {
    let mut acc = Acc {
        state: [0; 8],
        total: 0,
        used: 0,
        block: [0; BLOCK],
    };
    reset(&mut acc);
    acc
}

/// Restarts `acc` (the partial block is wiped).
pub(crate) fn reset(acc: &mut Acc) {
    acc.block[..].zeroize();
    run(acc, Op::Start);
}

/// Wipes `acc` entirely.
pub(crate) fn wipe(acc: &mut Acc) {
    acc.state[..].zeroize();
    acc.block[..].zeroize();
    acc.total = 0;
    acc.used = 0;
}

/// Feeds `data`.
pub(crate) fn update(acc: &mut Acc, data: &[u8]) {
    run(acc, Op::Update(data));
}

/// Writes the digest to `out` and restarts `acc` (the engine's finish
/// wipes the block, so the restarted hash keeps no input bytes, as after
/// [`reset`]).
pub(crate) fn finish(acc: &mut Acc, out: &mut [u8; DIGEST]) {
    run(acc, Op::Finish(out));
}

/// One-shot SHA-512 of `data`.
pub(crate) fn digest(data: &[u8], out: &mut [u8; DIGEST]) {
    crate::md::Hasher::digest(MdType::Sha512, data, out);
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
                assert!(acc.block.iter().all(|&b| b == 0), "block wiped");
                // finish restarted the hash
                update(&mut acc, &data[..len]);
                finish(&mut acc, &mut out);
                assert_eq!(&out[..], &want[..], "after restart, len {len}");
            }
        }
    }

    #[test]
    fn keeps_the_chaining_value_as_64_bit_words() {
        let mut acc = fresh();
        assert_eq!(acc.state[0], 0x6a09e667f3bcc908);
        assert_eq!(acc.state[7], 0x5be0cd19137e2179);
        update(&mut acc, &[7u8; 300]);
        assert_eq!((acc.total, acc.used), (300, 300 - 256));
        acc.used = u64::MAX; // scribbled on by C code: stays inside the block
        update(&mut acc, b"x");
        assert_eq!(acc.used, 127 + 1 - 128);
        wipe(&mut acc);
        assert!(acc.state == [0; 8] && acc.block == [0; BLOCK]);
    }

    #[test]
    fn known_answer_abc() {
        // FIPS 180-2 appendix C.1: SHA-512("abc") begins ddaf35a1 93617aba.
        let mut out = [0u8; DIGEST];
        digest(b"abc", &mut out);
        assert_eq!(&out[..8], &[0xdd, 0xaf, 0x35, 0xa1, 0x93, 0x61, 0x7a, 0xba]);
    }
}
