//! The CTR_DRBG of NIST SP 800-90A with AES and the derivation function,
//! bit-exact with Mbed TLS 3.6: the same seed material layout, the same
//! order of entropy requests (the entropy, then the nonce in a second
//! request), the same reseed rule and the same 128-bit big-endian counter.
//!
//! The state lives in C memory; [`Drbg`] borrows its parts (V, the key,
//! the request counter) for the duration of one operation under the
//! context's lock. The context keeps the raw key, not its expansion: each
//! request expands it on its own stack, so the shared state a request
//! writes is a few dozen bytes (one or two cache lines for another core to
//! fetch), not a 240-byte key schedule. A request can be split: [`Drbg::generate`] does all the
//! state changes (reseed, additional input, reserving the counter range,
//! the closing update and re-key) and, for requests of more than a few
//! blocks, hands back a [`Pending`] that computes the output blocks with
//! the old key's expansion after the lock is released. The bytes are the same
//! as a serial run: the output only depends on the old key and the start of
//! the reserved counter range.

#[cfg(not(loom))]
pub(crate) mod ffi;

#[cfg(any(not(mbedcrypto_aes_batches_only), test))]
use aes::cipher::BlockCipherEncrypt;
use aes::cipher::KeyInit;
use aes::cipher::array::Array;
use zeroize::Zeroize;

use crate::abi::ctr_drbg as abi;

/// The block cipher: AES-256, or AES-128 under
/// `MBEDTLS_CTR_DRBG_USE_128_BIT_KEY` (encryption only; its key schedule
/// wipes itself when dropped).
#[cfg(not(mbedtls_ctr_drbg_use_128_bit_key))]
pub(crate) type Cipher = aes::Aes256Enc;
/// The block cipher: AES-128 (`MBEDTLS_CTR_DRBG_USE_128_BIT_KEY`).
#[cfg(mbedtls_ctr_drbg_use_128_bit_key)]
pub(crate) type Cipher = aes::Aes128Enc;

/// AES block size.
pub(crate) const BLOCK: usize = abi::MBEDTLS_CTR_DRBG_BLOCKSIZE as usize;
/// AES key size.
pub(crate) const KEYSIZE: usize = abi::MBEDTLS_CTR_DRBG_KEYSIZE as usize;
/// Key and V together: the size of the provided data of an update.
pub(crate) const SEEDLEN: usize = KEYSIZE + BLOCK;
/// Blocks of one update.
const SEED_BLOCKS: usize = SEEDLEN / BLOCK;
/// Limits (see ctr_drbg.h).
pub(crate) const MAX_SEED_INPUT: usize = abi::MBEDTLS_CTR_DRBG_MAX_SEED_INPUT as usize;
/// The longest additional input of a request.
pub(crate) const MAX_INPUT: usize = abi::MBEDTLS_CTR_DRBG_MAX_INPUT as usize;
/// The longest request.
pub(crate) const MAX_REQUEST: usize = abi::MBEDTLS_CTR_DRBG_MAX_REQUEST as usize;
/// Default entropy length.
pub(crate) const ENTROPY_LEN: usize = abi::MBEDTLS_CTR_DRBG_ENTROPY_LEN as usize;

/// Requests of at most this many blocks are computed under the lock: for
/// them, handing the expanded key out costs more than it saves.
pub(crate) const INLINE_BLOCKS: usize = 4;

const _: () = assert!(SEEDLEN.is_multiple_of(BLOCK) && KEYSIZE.is_multiple_of(BLOCK));

/// A stack buffer of secret bytes, wiped when it goes out of scope (on
/// every path, errors included) with one fill and a compiler barrier
/// (`Zeroize` on the slice; on a whole array it would write byte by byte).
struct Wiped<const N: usize>([u8; N]);

impl<const N: usize> Wiped<N> {
    /// A zeroed buffer.
    fn new() -> Self {
        Wiped([0; N])
    }

    /// The buffer as AES blocks (`N` is a multiple of [`BLOCK`]).
    fn blocks(&mut self) -> &mut [[u8; BLOCK]] {
        self.0.as_chunks_mut::<BLOCK>().0
    }
}

impl<const N: usize> Drop for Wiped<N> {
    fn drop(&mut self) {
        self.0[..].zeroize();
    }
}

impl<const N: usize> core::ops::Deref for Wiped<N> {
    type Target = [u8; N];
    fn deref(&self) -> &[u8; N] {
        &self.0
    }
}

impl<const N: usize> core::ops::DerefMut for Wiped<N> {
    fn deref_mut(&mut self) -> &mut [u8; N] {
        &mut self.0
    }
}

/// Why an operation failed (mapped to C codes in `ffi.rs`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Error {
    /// The entropy callback failed.
    EntropySourceFailed,
    /// More than [`MAX_REQUEST`] bytes requested.
    RequestTooBig,
    /// An input is too long.
    InputTooBig,
}

/// A source of entropy (the application's `f_entropy` callback).
pub(crate) trait EntropySource {
    /// Fills `buf` completely; false on failure.
    fn fill(&mut self, buf: &mut [u8]) -> bool;
}

/// The settings of a context that an operation reads.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Settings {
    /// Entropy bytes per (re)seed.
    pub(crate) entropy_len: usize,
    /// Reseed before every request.
    pub(crate) prediction_resistance: bool,
    /// Requests between reseeds.
    pub(crate) reseed_interval: i32,
}

/// The nonce length used when none was chosen: none if the entropy alone
/// is at least 1.5 times the key size, else half the entropy length
/// (rounded up).
pub(crate) fn default_nonce_len(entropy_len: usize) -> usize {
    if entropy_len >= KEYSIZE * 3 / 2 {
        0
    } else {
        entropy_len.div_ceil(2)
    }
}

fn key_of(bytes: &[u8]) -> Cipher {
    let key: &Array<u8, _> = bytes[..KEYSIZE].try_into().expect("a key is KEYSIZE bytes");
    Cipher::new(key)
}

/// Writes the counter blocks `start`+1, `start`+2, ... (V as a big-endian
/// number) into `blocks` and encrypts them.
fn ctr_blocks(cipher: &Cipher, start: u128, blocks: &mut [[u8; BLOCK]]) {
    for (i, b) in blocks.iter_mut().enumerate() {
        *b = start.wrapping_add(i as u128 + 1).to_be_bytes();
    }
    encrypt_blocks(cipher, blocks);
}

/// Encrypts blocks in place (in firmware builds through the cipher's batch
/// path only, see `crate::aes_batch`).
fn encrypt_blocks(cipher: &Cipher, blocks: &mut [[u8; BLOCK]]) {
    #[cfg(not(mbedcrypto_aes_batches_only))]
    cipher.encrypt_blocks(Array::cast_slice_from_core_mut(blocks));
    #[cfg(mbedcrypto_aes_batches_only)]
    crate::aes_batch::encrypt(cipher, blocks);
}

/// The derivation function of SP 800-90A (Block_Cipher_df), reducing
/// `data` (at most [`MAX_SEED_INPUT`] bytes) to [`SEEDLEN`] bytes.
pub(crate) fn block_cipher_df(out: &mut [u8; SEEDLEN], data: &[u8]) -> Result<(), Error> {
    if data.len() > MAX_SEED_INPUT {
        return Err(Error::InputTooBig);
    }
    // IV (a 32-bit block number, zero-padded to a block), then
    // S = len(data) || SEEDLEN || data || 0x80, zero-padded to blocks.
    const BUF: usize = MAX_SEED_INPUT + BLOCK + 16;
    let mut buf = Wiped::<BUF>::new();
    buf[BLOCK..BLOCK + 4].copy_from_slice(&(data.len() as u32).to_be_bytes());
    buf[BLOCK + 4..BLOCK + 8].copy_from_slice(&(SEEDLEN as u32).to_be_bytes());
    buf[BLOCK + 8..BLOCK + 8 + data.len()].copy_from_slice(data);
    buf[BLOCK + 8 + data.len()] = 0x80;
    let used = (BLOCK + 8 + data.len() + 1).div_ceil(BLOCK) * BLOCK;

    let mut df_key = [0u8; KEYSIZE];
    for (i, k) in df_key.iter_mut().enumerate() {
        *k = i as u8;
    }
    let bcc = key_of(&df_key);
    let mut tmp = Wiped::<SEEDLEN>::new();
    let mut chain = Wiped::<BLOCK>::new();
    for (j, t) in tmp.chunks_exact_mut(BLOCK).enumerate() {
        buf[3] = j as u8;
        chain.fill(0);
        for chunk in buf[..used].chunks_exact(BLOCK) {
            for (c, x) in chain.iter_mut().zip(chunk) {
                *c ^= x;
            }
            encrypt_blocks(&bcc, chain.blocks());
        }
        t.copy_from_slice(&*chain);
    }
    drop(bcc);

    let cipher = key_of(&tmp[..KEYSIZE]);
    let mut x = Wiped::<BLOCK>::new();
    x.copy_from_slice(&tmp[KEYSIZE..]);
    for o in out.chunks_exact_mut(BLOCK) {
        encrypt_blocks(&cipher, x.blocks());
        o.copy_from_slice(&*x);
    }
    Ok(())
}

/// The parts of a context's state one operation works on.
pub(crate) struct Drbg<'a> {
    /// V.
    pub(crate) v: &'a mut [u8; BLOCK],
    /// The key (expanded per operation, so that the shared context holds
    /// only one cache line of secret state that requests write).
    pub(crate) key: &'a mut [u8; KEYSIZE],
    /// Requests since the last (re)seed.
    pub(crate) reseed_counter: &'a mut i32,
}

/// The output blocks of a request, computed after the lock is released.
pub(crate) struct Pending {
    cipher: Cipher,
    /// V at the start of the reserved range, as a number.
    v: u128,
}

impl Pending {
    /// Fills `out` with the key stream of the reserved counter range. The
    /// copy of the key is wiped when this returns.
    pub(crate) fn fill(self, out: &mut [u8]) {
        let (blocks, tail) = out.as_chunks_mut::<BLOCK>();
        ctr_blocks(&self.cipher, self.v, blocks);
        if !tail.is_empty() {
            let mut last = Wiped::<BLOCK>::new();
            ctr_blocks(
                &self.cipher,
                self.v.wrapping_add(blocks.len() as u128),
                last.blocks(),
            );
            tail.copy_from_slice(&last[..tail.len()]);
        }
    }
}

impl Drbg<'_> {
    /// CTR_DRBG_Update: mixes `provided` into the key and V.
    pub(crate) fn update(&mut self, provided: &[u8; SEEDLEN]) {
        let cipher = key_of(&self.key[..]);
        let mut tmp = Wiped::<SEEDLEN>::new();
        ctr_blocks(&cipher, u128::from_be_bytes(*self.v), tmp.blocks());
        self.finish_update(tmp.blocks(), provided);
    }

    /// The end of an update, once the blocks are encrypted: XOR in the
    /// provided data, then re-key and set V.
    fn finish_update(&mut self, tmp: &mut [[u8; BLOCK]], provided: &[u8; SEEDLEN]) {
        let flat = tmp.as_flattened_mut();
        for (t, p) in flat.iter_mut().zip(provided) {
            *t ^= p;
        }
        self.key.copy_from_slice(&flat[..KEYSIZE]);
        self.v.copy_from_slice(&flat[KEYSIZE..]);
    }

    /// Mixes additional data into the state (`mbedtls_ctr_drbg_update`):
    /// nothing for empty data.
    pub(crate) fn update_with(&mut self, additional: &[u8]) -> Result<(), Error> {
        if additional.is_empty() {
            return Ok(());
        }
        let mut seed = Wiped::<SEEDLEN>::new();
        block_cipher_df(&mut seed, additional)?;
        self.update(&seed);
        Ok(())
    }

    /// Reseeds from `entropy_len` bytes of entropy, then `nonce_len` more
    /// in a second request (instantiation only), then `additional`.
    pub(crate) fn reseed(
        &mut self,
        source: &mut dyn EntropySource,
        entropy_len: usize,
        additional: &[u8],
        nonce_len: usize,
    ) -> Result<(), Error> {
        if entropy_len > MAX_SEED_INPUT
            || nonce_len > MAX_SEED_INPUT - entropy_len
            || additional.len() > MAX_SEED_INPUT - entropy_len - nonce_len
        {
            return Err(Error::InputTooBig);
        }
        let mut seed = Wiped::<MAX_SEED_INPUT>::new();
        if !source.fill(&mut seed[..entropy_len]) {
            return Err(Error::EntropySourceFailed);
        }
        let mut len = entropy_len;
        if nonce_len != 0 {
            if !source.fill(&mut seed[len..len + nonce_len]) {
                return Err(Error::EntropySourceFailed);
            }
            len += nonce_len;
        }
        seed[len..len + additional.len()].copy_from_slice(additional);
        len += additional.len();
        let mut material = Wiped::<SEEDLEN>::new();
        block_cipher_df(&mut material, &seed[..len])?;
        self.update(&material);
        *self.reseed_counter = 0;
        Ok(())
    }

    /// Instantiates: zero key and V, then a reseed with the nonce and the
    /// personalisation string `custom`.
    pub(crate) fn instantiate(
        &mut self,
        source: &mut dyn EntropySource,
        entropy_len: usize,
        nonce_len: usize,
        custom: &[u8],
    ) -> Result<(), Error> {
        *self.v = [0; BLOCK];
        *self.key = [0; KEYSIZE];
        self.reseed(source, entropy_len, custom, nonce_len)
    }

    /// A generate request for `out.len()` bytes with `additional` input.
    /// Reseeds first when the interval is reached, prediction resistance
    /// is on, or `force_reseed` (the process forked). Requests of up to
    /// [`INLINE_BLOCKS`] blocks are written to `out` here and `None` is
    /// returned; for longer ones the state is advanced past the request and
    /// the returned [`Pending`] writes the output.
    pub(crate) fn generate(
        &mut self,
        source: &mut dyn EntropySource,
        settings: Settings,
        force_reseed: bool,
        out: &mut [u8],
        additional: &[u8],
    ) -> Result<Option<Pending>, Error> {
        if out.len() > MAX_REQUEST {
            return Err(Error::RequestTooBig);
        }
        if additional.len() > MAX_INPUT {
            return Err(Error::InputTooBig);
        }
        let mut add_input = Wiped::<SEEDLEN>::new();
        let mut additional = additional;
        if *self.reseed_counter >= settings.reseed_interval
            || settings.prediction_resistance
            || force_reseed
        {
            self.reseed(source, settings.entropy_len, additional, 0)?;
            additional = &[];
        }
        if !additional.is_empty() {
            block_cipher_df(&mut add_input, additional)?;
            self.update(&add_input);
        }

        let n = out.len().div_ceil(BLOCK);
        let start = u128::from_be_bytes(*self.v);
        let cipher = key_of(&self.key[..]);
        // Short requests: the output and update blocks in one batch. Long
        // ones: the update blocks only (they follow the reserved range),
        // the output later.
        let inline = n <= INLINE_BLOCKS;
        let (skip, stream) = if inline { (0, n) } else { (n, 0) };
        let mut blocks = Wiped::<{ (INLINE_BLOCKS + SEED_BLOCKS) * BLOCK }>::new();
        let blocks = &mut blocks.blocks()[..stream + SEED_BLOCKS];
        ctr_blocks(&cipher, start.wrapping_add(skip as u128), blocks);
        let (key_stream, rest) = blocks.split_at_mut(stream);
        if inline {
            out.copy_from_slice(&key_stream.as_flattened()[..out.len()]);
        }
        self.finish_update(rest, &add_input);
        let pending = if inline {
            None
        } else {
            Some(Pending { cipher, v: start })
        };
        *self.reseed_counter = self.reseed_counter.saturating_add(1);
        Ok(pending)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn add_be(v: &[u8; BLOCK], n: u128) -> [u8; BLOCK] {
        u128::from_be_bytes(*v).wrapping_add(n).to_be_bytes()
    }

    struct Fixed<'a>(&'a [u8]);

    impl EntropySource for Fixed<'_> {
        fn fill(&mut self, buf: &mut [u8]) -> bool {
            if buf.len() > self.0.len() {
                return false;
            }
            let (now, later) = self.0.split_at(buf.len());
            buf.copy_from_slice(now);
            self.0 = later;
            true
        }
    }

    fn fresh(v: &mut [u8; 16], k: &mut [u8; KEYSIZE], r: &mut i32) -> Result<(), Error> {
        let entropy: Vec<u8> = (0..64u8).collect();
        let mut src = Fixed(&entropy);
        Drbg {
            v,
            key: k,
            reseed_counter: r,
        }
        .instantiate(&mut src, 32, 16, b"pers")
    }

    #[test]
    fn inline_and_pending_agree_with_blockwise_generation() {
        let settings = Settings {
            entropy_len: 32,
            prediction_resistance: false,
            reseed_interval: 10000,
        };
        for len in [0usize, 1, 15, 16, 17, 63, 64, 65, 100, 1024] {
            let (mut v1, mut c1, mut r1) = ([0u8; 16], [0u8; KEYSIZE], 0);
            let (mut v2, mut c2, mut r2) = ([0u8; 16], [0u8; KEYSIZE], 0);
            fresh(&mut v1, &mut c1, &mut r1).unwrap();
            fresh(&mut v2, &mut c2, &mut r2).unwrap();
            let mut none = Fixed(&[]);
            // Reference: one block at a time, as the standard describes.
            let mut want = vec![0u8; len];
            for chunk in want.chunks_mut(16) {
                v1 = add_be(&v1, 1);
                let mut b = Array::from(v1);
                key_of(&c1).encrypt_block(&mut b);
                chunk.copy_from_slice(&b[..chunk.len()]);
            }
            let mut d1 = Drbg {
                v: &mut v1,
                key: &mut c1,
                reseed_counter: &mut r1,
            };
            d1.update(&[0u8; SEEDLEN]);
            let mut got = vec![0u8; len];
            let mut d2 = Drbg {
                v: &mut v2,
                key: &mut c2,
                reseed_counter: &mut r2,
            };
            if let Some(p) = d2
                .generate(&mut none, settings, false, &mut got, &[])
                .unwrap()
            {
                p.fill(&mut got);
            }
            assert_eq!(got, want, "len {len}");
            assert_eq!(v1, v2, "len {len}");
            assert_eq!(r2, 1);
        }
    }

    #[test]
    fn limits() {
        let (mut v, mut c, mut r) = ([0u8; 16], [0u8; KEYSIZE], 0);
        fresh(&mut v, &mut c, &mut r).unwrap();
        let mut d = Drbg {
            v: &mut v,
            key: &mut c,
            reseed_counter: &mut r,
        };
        let s = Settings {
            entropy_len: 32,
            prediction_resistance: false,
            reseed_interval: 10000,
        };
        let mut big = vec![0u8; MAX_REQUEST + 1];
        let mut none = Fixed(&[]);
        assert_eq!(
            d.generate(&mut none, s, false, &mut big, &[]).err(),
            Some(Error::RequestTooBig)
        );
        let add = [0u8; MAX_INPUT + 1];
        assert_eq!(
            d.generate(&mut none, s, false, &mut [0u8; 16], &add).err(),
            Some(Error::InputTooBig)
        );
        assert_eq!(
            d.reseed(&mut none, 32, &[0u8; MAX_SEED_INPUT - 31], 0),
            Err(Error::InputTooBig)
        );
        assert_eq!(
            d.reseed(&mut none, 32, &[], 0),
            Err(Error::EntropySourceFailed)
        );
        let mut out = [0u8; SEEDLEN];
        assert_eq!(
            block_cipher_df(&mut out, &[0u8; MAX_SEED_INPUT + 1]),
            Err(Error::InputTooBig)
        );
    }

    #[test]
    fn default_nonce_lengths() {
        assert_eq!(default_nonce_len(48), 0);
        assert_eq!(default_nonce_len(KEYSIZE), KEYSIZE / 2);
        assert_eq!(default_nonce_len(7), 4);
    }
}
