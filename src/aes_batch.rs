//! AES encryption of any number of blocks through the cipher's parallel
//! path only.
//!
//! The `aes` crate's software backend (the one firmware builds use) has two
//! copies of its bitsliced round code: one in 16-bit words for a single
//! block and one in native words for a batch (two blocks on 32-bit
//! targets). The key schedule needs only the 16-bit `SubBytes` and
//! bitslicing. If every encryption goes through the batch path, with the
//! last batch padded, the 16-bit `MixColumns`, inverse bitslicing and round
//! loop are never referenced and the linker drops them: about 1.7 KB of a
//! Cortex-M4 image, at no cost in speed there (a batch of two costs the
//! same as one block in 16-bit words).
//!
//! Firmware builds set `--cfg mbedcrypto_aes_batches_only`
//! (`.cargo/config.toml`) and CTR_DRBG and the ticket AEAD use
//! [`encrypt`]. Hosted builds call the crate as usual: their hardware
//! backends have batches of 8 to 64 blocks, which would waste work here.

use aes::cipher::consts::U16;
use aes::cipher::typenum::Unsigned;
use aes::cipher::{
    BlockCipherEncBackend, BlockCipherEncClosure, BlockCipherEncrypt, BlockSizeUser, ParBlocks,
};
use zeroize::Zeroize;

/// An AES block.
pub(crate) type Block = [u8; 16];

/// The closure that runs with the cipher's backend.
struct Batches<'a>(&'a mut [Block]);

impl BlockSizeUser for Batches<'_> {
    type BlockSize = U16;
}

impl BlockCipherEncClosure for Batches<'_> {
    fn call<B: BlockCipherEncBackend<BlockSize = U16>>(self, backend: &B) {
        let mut batch = ParBlocks::<B>::default();
        for chunk in self.0.chunks_mut(B::ParBlocksSize::USIZE) {
            for (b, c) in batch.iter_mut().zip(chunk.iter()) {
                b.copy_from_slice(c);
            }
            backend.encrypt_par_blocks_inplace(&mut batch);
            for (c, b) in chunk.iter_mut().zip(batch.iter()) {
                c.copy_from_slice(b);
            }
        }
        // The batch held key stream (or a GCM tag mask).
        for b in batch.iter_mut() {
            b.as_mut_slice().zeroize();
        }
    }
}

/// Encrypts `blocks` in place with `cipher`, in whole batches of its
/// backend (the last one padded with blocks whose output is discarded).
pub(crate) fn encrypt<C: BlockCipherEncrypt<BlockSize = U16>>(cipher: &C, blocks: &mut [Block]) {
    cipher.encrypt_with_backend(Batches(blocks));
}

#[cfg(test)]
mod tests {
    use super::*;
    use aes::cipher::KeyInit;
    use aes::cipher::array::Array;

    #[test]
    fn agrees_with_the_crate_for_every_count() {
        let key = Array::from([0x5au8; 32]);
        let aes = aes::Aes256Enc::new(&key);
        for n in 0..20usize {
            let mut ours: alloc::vec::Vec<Block> = (0..n).map(|i| [i as u8 ^ 0x33; 16]).collect();
            let mut want = ours.clone();
            encrypt(&aes, &mut ours);
            for b in &mut want {
                aes.encrypt_block(Array::cast_from_core_mut(b));
            }
            assert_eq!(ours, want, "{n} blocks");
        }
    }
}
