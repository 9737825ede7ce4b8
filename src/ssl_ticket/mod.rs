//! ssl_ticket.h: stateless session tickets (RFC 5077) protected with an
//! AEAD, in upstream's format:
//! `key name (4) || IV (12) || length (2, big-endian) || ciphertext || tag (16)`,
//! where the first 18 bytes are the additional data.
//!
//! A context holds two key generations; new tickets use the active one and
//! tickets of either still parse. The pair is an immutable, reference
//! counted snapshot: an operation takes a reference under the context's
//! lock and does its AEAD work after unlocking, and a rotation (by lifetime
//! or by `mbedtls_ssl_ticket_rotate`) publishes a new pair, so rotation
//! never waits for, or changes the keys under, a write or parse in flight.

#[cfg(not(loom))]
pub(crate) mod ffi;

use aes::cipher::consts::{U12, U16};
use aes::cipher::{
    BlockCipherEncBackend, BlockCipherEncClosure, BlockCipherEncrypt, BlockSizeUser, InOut,
    ParBlocks, ParBlocksSizeUser,
};
use aes_gcm::aead::AeadInOut;
use aes_gcm::aead::array::Array;
use aes_gcm::{AesGcm, KeyInit};

/// Bytes of a key name.
pub(crate) const NAME_LEN: usize = 4;
/// Bytes of the IV.
pub(crate) const IV_LEN: usize = 12;
/// Bytes of the length field.
pub(crate) const LEN_LEN: usize = 2;
/// Bytes of the tag.
pub(crate) const TAG_LEN: usize = 16;
/// Bytes of the additional data (name, IV, length).
pub(crate) const AAD_LEN: usize = NAME_LEN + IV_LEN + LEN_LEN;
/// The shortest ticket (an empty state).
pub(crate) const MIN_LEN: usize = AAD_LEN + TAG_LEN;
/// The largest key.
pub(crate) const MAX_KEY: usize = 32;

/// AES with any of its three key sizes, as one block cipher type, so that
/// GCM (its counter mode, GHASH and tag logic) is compiled once for all
/// three instead of once per key size: about 2 KB less in a firmware
/// image. Each block call picks the key size's own (bitsliced,
/// constant-time) implementation; groups of blocks go to it whole, so its
/// parallel path is still used.
#[derive(Clone)]
enum AnyAes {
    A128(aes::Aes128Enc),
    A192(aes::Aes192Enc),
    A256(aes::Aes256Enc),
}

impl BlockSizeUser for AnyAes {
    type BlockSize = U16;
}

impl BlockCipherEncrypt for AnyAes {
    fn encrypt_with_backend(&self, f: impl BlockCipherEncClosure<BlockSize = U16>) {
        f.call(&AnyAesBackend(self))
    }
}

#[cfg(mbedcrypto_aes_batches_only)]
impl AnyAes {
    /// Encrypts blocks in place through the key size's batch path only
    /// (see `crate::aes_batch`).
    fn encrypt_in_batches(&self, blocks: &mut [[u8; 16]]) {
        match self {
            AnyAes::A128(c) => crate::aes_batch::encrypt(c, blocks),
            AnyAes::A192(c) => crate::aes_batch::encrypt(c, blocks),
            AnyAes::A256(c) => crate::aes_batch::encrypt(c, blocks),
        }
    }
}

/// The backend of [`AnyAes`] that GCM's closures run with.
struct AnyAesBackend<'a>(&'a AnyAes);

impl BlockSizeUser for AnyAesBackend<'_> {
    type BlockSize = U16;
}

/// Blocks of one GCM batch for [`AnyAes`]: eight, the widest batch of the
/// hosted backends (AES-NI); the key size's own cipher splits a batch as
/// its backend prefers.
type AnyParBlocks = aes::cipher::consts::U8;

impl ParBlocksSizeUser for AnyAesBackend<'_> {
    type ParBlocksSize = AnyParBlocks;
}

impl BlockCipherEncBackend for AnyAesBackend<'_> {
    #[cfg(mbedcrypto_aes_batches_only)]
    fn encrypt_block(&self, block: InOut<'_, '_, aes::Block>) {
        // Encrypted in the output block itself: no copy of the key stream
        // is left behind on the stack.
        let out = block.into_out_with_copied_in();
        self.0
            .encrypt_in_batches(Array::cast_slice_to_core_mut(core::slice::from_mut(out)));
    }

    #[cfg(not(mbedcrypto_aes_batches_only))]
    fn encrypt_block(&self, block: InOut<'_, '_, aes::Block>) {
        match self.0 {
            AnyAes::A128(c) => c.encrypt_block_inout(block),
            AnyAes::A192(c) => c.encrypt_block_inout(block),
            AnyAes::A256(c) => c.encrypt_block_inout(block),
        }
    }

    #[cfg(mbedcrypto_aes_batches_only)]
    fn encrypt_par_blocks(&self, blocks: InOut<'_, '_, ParBlocks<Self>>) {
        // Encrypted in the output batch itself (one copy less than through
        // a local batch, and no key stream left on the stack).
        let out = blocks.into_out_with_copied_in();
        self.0
            .encrypt_in_batches(Array::cast_slice_to_core_mut(out));
    }

    #[cfg(not(mbedcrypto_aes_batches_only))]
    fn encrypt_par_blocks(&self, blocks: InOut<'_, '_, ParBlocks<Self>>) {
        let blocks = blocks.into_buf();
        match self.0 {
            AnyAes::A128(c) => c.encrypt_blocks_inout(blocks),
            AnyAes::A192(c) => c.encrypt_blocks_inout(blocks),
            AnyAes::A256(c) => c.encrypt_blocks_inout(blocks),
        }
    }
}

/// AES-GCM of any key size, with upstream's 12-byte IV.
type AnyAesGcm = AesGcm<AnyAes, U12>;

/// The AEADs tickets can use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// AES-128-GCM (`MBEDTLS_CIPHER_AES_128_GCM`).
    Aes128Gcm,
    /// AES-192-GCM.
    Aes192Gcm,
    /// AES-256-GCM.
    Aes256Gcm,
    /// ChaCha20-Poly1305.
    ChaCha20Poly1305,
}

impl Kind {
    /// Key bytes.
    pub(crate) fn key_len(self) -> usize {
        match self {
            Kind::Aes128Gcm => 16,
            Kind::Aes192Gcm => 24,
            Kind::Aes256Gcm | Kind::ChaCha20Poly1305 => 32,
        }
    }
}

/// A keyed AEAD (its key schedule wipes itself on drop).
// The keys live in a reference-counted pair on the heap already; boxing
// the larger variant would only add an allocation.
#[allow(clippy::large_enum_variant)]
enum Cipher {
    Gcm(AnyAesGcm),
    ChaCha(chacha20poly1305::ChaCha20Poly1305),
}

/// The AEAD failed to authenticate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct AuthFailed;

impl Cipher {
    fn new(kind: Kind, key: &[u8]) -> Cipher {
        let key = &key[..kind.key_len()];
        let aes = match kind {
            Kind::Aes128Gcm => {
                AnyAes::A128(aes::Aes128Enc::new_from_slice(key).expect("16-byte key"))
            }
            Kind::Aes192Gcm => {
                AnyAes::A192(aes::Aes192Enc::new_from_slice(key).expect("24-byte key"))
            }
            Kind::Aes256Gcm => {
                AnyAes::A256(aes::Aes256Enc::new_from_slice(key).expect("32-byte key"))
            }
            Kind::ChaCha20Poly1305 => {
                return Cipher::ChaCha(
                    chacha20poly1305::ChaCha20Poly1305::new_from_slice(key).expect("32-byte key"),
                );
            }
        };
        Cipher::Gcm(AnyAesGcm::from(aes))
    }

    fn seal(&self, iv: &[u8; IV_LEN], aad: &[u8], buf: &mut [u8]) -> [u8; TAG_LEN] {
        let nonce = Array::from(*iv);
        let tag = match self {
            Cipher::Gcm(c) => c.encrypt_inout_detached(&nonce, aad, buf.into()),
            Cipher::ChaCha(c) => c.encrypt_inout_detached(&nonce, aad, buf.into()),
        };
        tag.expect("a ticket is far below the AEAD's length limit")
            .into()
    }

    fn open(
        &self,
        iv: &[u8; IV_LEN],
        aad: &[u8],
        buf: &mut [u8],
        tag: &[u8; TAG_LEN],
    ) -> Result<(), AuthFailed> {
        let nonce = Array::from(*iv);
        let tag = Array::from(*tag);
        let r = match self {
            Cipher::Gcm(c) => c.decrypt_inout_detached(&nonce, aad, buf.into(), &tag),
            Cipher::ChaCha(c) => c.decrypt_inout_detached(&nonce, aad, buf.into(), &tag),
        };
        r.map_err(|_| AuthFailed)
    }
}

/// One key generation.
pub(crate) struct Key {
    kind: Kind,
    raw: zeroize::Zeroizing<[u8; MAX_KEY]>,
    /// The name written in front of its tickets.
    pub(crate) name: [u8; NAME_LEN],
    /// When it was made (seconds).
    pub(crate) generation_time: i64,
    /// Its lifetime in seconds (0: forever).
    pub(crate) lifetime: u32,
    cipher: Cipher,
}

impl Key {
    /// A key from its name and bytes (at least `kind.key_len()` of them).
    pub(crate) fn new(
        kind: Kind,
        name: [u8; NAME_LEN],
        key: &[u8],
        now: i64,
        lifetime: u32,
    ) -> Key {
        let mut raw = zeroize::Zeroizing::new([0u8; MAX_KEY]);
        raw[..kind.key_len()].copy_from_slice(&key[..kind.key_len()]);
        Key {
            kind,
            raw,
            name,
            generation_time: now,
            lifetime,
            cipher: Cipher::new(kind, key),
        }
    }

    /// An independent copy (the AEAD keyed again from the saved bytes).
    pub(crate) fn duplicate(&self) -> Key {
        Key {
            kind: self.kind,
            raw: self.raw.clone(),
            name: self.name,
            generation_time: self.generation_time,
            lifetime: self.lifetime,
            cipher: Cipher::new(self.kind, &self.raw[..]),
        }
    }

    /// Whether the key has outlived its lifetime at `now` (or was made in
    /// the future).
    pub(crate) fn expired(&self, now: i64) -> bool {
        self.lifetime != 0
            && (now < self.generation_time
                || (now - self.generation_time) as u64 >= u64::from(self.lifetime))
    }

    /// Encrypts `state` in place behind the 18 bytes of `head` (name, IV
    /// and length, already filled in) and returns the tag.
    pub(crate) fn seal(&self, head: &[u8; AAD_LEN], state: &mut [u8]) -> [u8; TAG_LEN] {
        let iv: [u8; IV_LEN] = head[NAME_LEN..NAME_LEN + IV_LEN]
            .try_into()
            .expect("12 bytes");
        self.cipher.seal(&iv, head, state)
    }

    /// Decrypts and authenticates `state` in place.
    pub(crate) fn open(
        &self,
        head: &[u8; AAD_LEN],
        state: &mut [u8],
        tag: &[u8; TAG_LEN],
    ) -> Result<(), AuthFailed> {
        let iv: [u8; IV_LEN] = head[NAME_LEN..NAME_LEN + IV_LEN]
            .try_into()
            .expect("12 bytes");
        self.cipher.open(&iv, head, state, tag)
    }
}

/// Two key generations, one of them active. Immutable once published.
pub(crate) struct KeySet {
    /// The AEAD of both keys.
    pub(crate) kind: Kind,
    /// Both generations.
    pub(crate) keys: [Key; 2],
    /// Which one new tickets use.
    pub(crate) active: usize,
}

impl KeySet {
    /// The key called `name`, if any.
    pub(crate) fn by_name(&self, name: &[u8]) -> Option<&Key> {
        self.keys.iter().find(|k| k.name == name)
    }

    /// The active key.
    pub(crate) fn active(&self) -> &Key {
        &self.keys[self.active]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seal_open_each_kind() {
        for kind in [
            Kind::Aes128Gcm,
            Kind::Aes192Gcm,
            Kind::Aes256Gcm,
            Kind::ChaCha20Poly1305,
        ] {
            let k = Key::new(kind, *b"name", &[7u8; 32], 0, 0);
            let mut head = [0u8; AAD_LEN];
            head[..4].copy_from_slice(b"name");
            head[4..16].copy_from_slice(&[9u8; 12]);
            head[16..].copy_from_slice(&5u16.to_be_bytes());
            let mut state = *b"hello";
            let tag = k.seal(&head, &mut state);
            assert_ne!(&state, b"hello");
            let mut bad = state;
            bad[0] ^= 1;
            assert_eq!(k.open(&head, &mut bad, &tag), Err(AuthFailed));
            k.open(&head, &mut state, &tag).unwrap();
            assert_eq!(&state, b"hello");
        }
    }

    #[test]
    fn expiry() {
        let k = Key::new(Kind::Aes128Gcm, *b"abcd", &[1; 16], 100, 10);
        assert!(!k.expired(100));
        assert!(!k.expired(109));
        assert!(k.expired(110));
        assert!(k.expired(99));
        assert!(!Key::new(Kind::Aes128Gcm, *b"abcd", &[1; 16], 100, 0).expired(1 << 40));
    }
}
