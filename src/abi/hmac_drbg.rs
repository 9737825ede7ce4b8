//! hmac_drbg.h: the HMAC_DRBG context, its error codes and limits.

use core::ffi::{c_int, c_uchar, c_void};

use super::md::mbedtls_md_context_t;
#[cfg(mbedtls_threading_c)]
use super::threading::mbedtls_threading_mutex_t;

/// A request for more than `MBEDTLS_HMAC_DRBG_MAX_REQUEST` bytes.
pub const MBEDTLS_ERR_HMAC_DRBG_REQUEST_TOO_BIG: c_int = -0x0003;
/// Additional data longer than `MBEDTLS_HMAC_DRBG_MAX_INPUT` bytes, or
/// entropy plus additional data longer than
/// `MBEDTLS_HMAC_DRBG_MAX_SEED_INPUT` bytes (also: a seed file larger than
/// `MBEDTLS_HMAC_DRBG_MAX_INPUT` bytes).
pub const MBEDTLS_ERR_HMAC_DRBG_INPUT_TOO_BIG: c_int = -0x0005;
/// A seed file could not be opened, read or written, or was empty.
pub const MBEDTLS_ERR_HMAC_DRBG_FILE_IO_ERROR: c_int = -0x0007;
/// The entropy callback failed (or the context has no entropy callback and
/// a reseed was requested).
pub const MBEDTLS_ERR_HMAC_DRBG_ENTROPY_SOURCE_FAILED: c_int = -0x0009;

/// How many outputs a context produces before it reseeds on its own (the
/// value `mbedtls_hmac_drbg_init()` and `mbedtls_hmac_drbg_free()` store).
pub const MBEDTLS_HMAC_DRBG_RESEED_INTERVAL: c_int = 10000;
/// The longest additional input (personalisation or additional data), in
/// bytes.
pub const MBEDTLS_HMAC_DRBG_MAX_INPUT: c_int = 256;
/// The longest request to `mbedtls_hmac_drbg_random()`, in bytes.
pub const MBEDTLS_HMAC_DRBG_MAX_REQUEST: c_int = 1024;
/// The longest seed material (entropy, nonce and additional data), in
/// bytes.
pub const MBEDTLS_HMAC_DRBG_MAX_SEED_INPUT: c_int = 384;
/// Prediction resistance off: reseed only every reseed interval.
pub const MBEDTLS_HMAC_DRBG_PR_OFF: c_int = 0;
/// Prediction resistance on: reseed before every output.
pub const MBEDTLS_HMAC_DRBG_PR_ON: c_int = 1;

/// An HMAC_DRBG (NIST SP 800-90A) over SHA-1 or SHA-2.
///
/// Allocate it anywhere (stack, static, heap), call
/// `mbedtls_hmac_drbg_init()` once, seed it, and release it with
/// `mbedtls_hmac_drbg_free()`. The members are private: the library keeps
/// the algorithm in `md_ctx.md_info` (so `mbedtls_md_info_from_ctx()` works
/// on it), the keyed HMAC state in `hmac_state` (no heap allocation), and
/// the locking words `guard_state` / `guard_holder` next to the mutex.
/// An idle context may be moved; do not copy a seeded one.
/// cbindgen:field-names=[MBEDTLS_PRIVATE(md_ctx), MBEDTLS_PRIVATE(V), MBEDTLS_PRIVATE(reseed_counter), MBEDTLS_PRIVATE(entropy_len), MBEDTLS_PRIVATE(prediction_resistance), MBEDTLS_PRIVATE(reseed_interval), MBEDTLS_PRIVATE(f_entropy), MBEDTLS_PRIVATE(p_entropy), MBEDTLS_PRIVATE(mutex), MBEDTLS_PRIVATE(hmac_state), MBEDTLS_PRIVATE(fork_gen), MBEDTLS_PRIVATE(guard_state), MBEDTLS_PRIVATE(guard_holder)]
#[repr(C)]
#[allow(non_snake_case)]
pub struct mbedtls_hmac_drbg_context {
    /// The algorithm (`md_info`); the two state pointers stay NULL, the
    /// library keeps the HMAC state in `hmac_state`.
    pub md_ctx: mbedtls_md_context_t,
    /// The working value V (the first digest-size bytes are used).
    pub V: [c_uchar; 64],
    /// Outputs since the last (re)seed.
    pub reseed_counter: c_int,
    /// Bytes of entropy per (re)seed; 0 until seeded means "by digest size".
    pub entropy_len: usize,
    /// `MBEDTLS_HMAC_DRBG_PR_ON` to reseed before every output.
    pub prediction_resistance: c_int,
    /// Outputs between automatic reseeds.
    pub reseed_interval: c_int,
    /// The entropy callback; NULL for a `mbedtls_hmac_drbg_seed_buf()`
    /// instance, which never reseeds.
    pub f_entropy: Option<unsafe extern "C" fn(*mut c_void, *mut c_uchar, usize) -> c_int>,
    /// The entropy callback's context.
    pub p_entropy: *mut c_void,
    /// Serialises every operation on a seeded context.
    #[cfg(mbedtls_threading_c)]
    pub mutex: mbedtls_threading_mutex_t,
    /// The keyed HMAC (K), valid while `md_ctx.md_info` is set: word 0 is
    /// the byte offset of the state, placed where it is aligned.
    pub hmac_state: [u64; 50],
    /// The process's fork generation when the context was last (re)seeded.
    pub fork_gen: u32,
    /// Lifecycle and user count of the mutex (see `threading/ctx.rs`).
    pub guard_state: u32,
    /// Id of the thread holding the mutex, 0 if none.
    pub guard_holder: u32,
}
