//! ctr_drbg.h: error codes, sizes and the context of the AES-based
//! CTR_DRBG. The expressions `MBEDTLS_CTR_DRBG_KEYBITS`,
//! `MBEDTLS_CTR_DRBG_SEEDLEN` and `MBEDTLS_CTR_DRBG_ENTROPY_NONCE_LEN` are
//! macros written in `build/templates/ctr_drbg.h.tail`.

use core::ffi::{c_int, c_uchar, c_void};

#[cfg(mbedtls_threading_c)]
use super::threading::mbedtls_threading_mutex_t;

/// The entropy source failed, or the context cannot produce output: it was
/// never seeded (or its last seed failed), it was freed, or the context
/// pointer is NULL. Also returned by `mbedtls_ctr_drbg_set_nonce_len()`
/// after seeding.
pub const MBEDTLS_ERR_CTR_DRBG_ENTROPY_SOURCE_FAILED: c_int = -0x0034;
/// More than `MBEDTLS_CTR_DRBG_MAX_REQUEST` bytes were requested.
pub const MBEDTLS_ERR_CTR_DRBG_REQUEST_TOO_BIG: c_int = -0x0036;
/// An input is too long (additional data, personalisation string, entropy
/// or nonce length, seed file), or a buffer pointer is NULL while its
/// length is not 0.
pub const MBEDTLS_ERR_CTR_DRBG_INPUT_TOO_BIG: c_int = -0x0038;
/// Reading or writing the seed file failed.
pub const MBEDTLS_ERR_CTR_DRBG_FILE_IO_ERROR: c_int = -0x003A;

/// The block size of AES in bytes.
pub const MBEDTLS_CTR_DRBG_BLOCKSIZE: c_int = 16;
/// The AES key size in bytes: 32 (AES-256).
#[cfg(not(mbedtls_ctr_drbg_use_128_bit_key))]
pub const MBEDTLS_CTR_DRBG_KEYSIZE: c_int = 32;
/// The AES key size in bytes: 16 (AES-128, `MBEDTLS_CTR_DRBG_USE_128_BIT_KEY`).
#[cfg(mbedtls_ctr_drbg_use_128_bit_key)]
pub const MBEDTLS_CTR_DRBG_KEYSIZE: c_int = 16;

/// The number of entropy bytes drawn per (re)seed by default (the entropy
/// module's accumulator is SHA-512).
pub const MBEDTLS_CTR_DRBG_ENTROPY_LEN: c_int = 48;
/// Requests between automatic reseeds by default.
pub const MBEDTLS_CTR_DRBG_RESEED_INTERVAL: c_int = 10000;
/// The longest additional input of a request, and the size of a seed file.
pub const MBEDTLS_CTR_DRBG_MAX_INPUT: c_int = 256;
/// The most bytes one request may produce.
pub const MBEDTLS_CTR_DRBG_MAX_REQUEST: c_int = 1024;
/// The longest seed material: entropy, nonce and personalisation string
/// together.
pub const MBEDTLS_CTR_DRBG_MAX_SEED_INPUT: c_int = 384;

/// Prediction resistance off: reseed only every `reseed_interval` requests.
pub const MBEDTLS_CTR_DRBG_PR_OFF: c_int = 0;
/// Prediction resistance on: reseed before every request.
pub const MBEDTLS_CTR_DRBG_PR_ON: c_int = 1;

/// Words (`uint64_t`) of the key storage in the context: the AES-256 key
/// (the library expands it per request, outside the shared context).
#[cfg(not(mbedtls_ctr_drbg_use_128_bit_key))]
pub const MBEDCRYPTO_CTR_DRBG_AES_WORDS: usize = 4;
/// Words (`uint64_t`) of the key storage in the context: the AES-128 key.
#[cfg(mbedtls_ctr_drbg_use_128_bit_key)]
pub const MBEDCRYPTO_CTR_DRBG_AES_WORDS: usize = 2;

/// One word of the opaque key storage of a CTR_DRBG context.
pub type mbedcrypto_ctr_drbg_aes_word = u64;

/// A CTR_DRBG context. Allocate it anywhere, call `mbedtls_ctr_drbg_init()`
/// first and `mbedtls_ctr_drbg_free()` last; the members are private.
///
/// `counter` is the DRBG's V. `reseed_counter` counts requests since the
/// last (re)seed; before the first seed it holds the nonce length chosen
/// with `mbedtls_ctr_drbg_set_nonce_len()`, or -1 for the default.
/// `aes_ctx` holds the AES key (library-owned, opaque). `mutex`
/// is initialised by the first `mbedtls_ctr_drbg_seed()` and freed by
/// `mbedtls_ctr_drbg_free()`. The members after it are mbedcrypto-rs's
/// own: the fork generation of the last (re)seed, state flags, and the
/// context's lock words.
/// cbindgen:field-names=[MBEDTLS_PRIVATE(counter), MBEDTLS_PRIVATE(reseed_counter), MBEDTLS_PRIVATE(prediction_resistance), MBEDTLS_PRIVATE(entropy_len), MBEDTLS_PRIVATE(reseed_interval), MBEDTLS_PRIVATE(aes_ctx), MBEDTLS_PRIVATE(f_entropy), MBEDTLS_PRIVATE(p_entropy), MBEDTLS_PRIVATE(mutex), MBEDTLS_PRIVATE(fork_gen), MBEDTLS_PRIVATE(flags), MBEDTLS_PRIVATE(guard_state), MBEDTLS_PRIVATE(guard_holder)]
#[repr(C)]
pub struct mbedtls_ctr_drbg_context {
    /// The counter block V.
    pub counter: [c_uchar; 16],
    /// Requests since the last (re)seed; before seeding, the nonce length
    /// (-1: not chosen).
    pub reseed_counter: c_int,
    /// `MBEDTLS_CTR_DRBG_PR_ON` or `MBEDTLS_CTR_DRBG_PR_OFF`.
    pub prediction_resistance: c_int,
    /// Entropy bytes per (re)seed; 0 until seeded means the default.
    pub entropy_len: usize,
    /// Requests between automatic reseeds.
    pub reseed_interval: c_int,
    /// The AES key (opaque).
    pub aes_ctx: [mbedcrypto_ctr_drbg_aes_word; MBEDCRYPTO_CTR_DRBG_AES_WORDS],
    /// The entropy callback given to `mbedtls_ctr_drbg_seed()`.
    pub f_entropy:
        Option<unsafe extern "C" fn(data: *mut c_void, output: *mut c_uchar, len: usize) -> c_int>,
    /// The callback's context.
    pub p_entropy: *mut c_void,
    /// The context's mutex.
    #[cfg(mbedtls_threading_c)]
    pub mutex: mbedtls_threading_mutex_t,
    /// The process's fork generation at the last (re)seed.
    pub fork_gen: u32,
    /// State flags (seeded).
    pub flags: u32,
    /// Lock state (see the library's context lock protocol).
    pub guard_state: u32,
    /// Id of the thread holding the mutex, 0 if none.
    pub guard_holder: u32,
}
