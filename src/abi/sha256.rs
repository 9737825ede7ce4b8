//! sha256.h: the SHA-224/SHA-256 streaming context and error code.

use core::ffi::c_int;

/// Bad input parameters: a NULL pointer, an `is224` other than 0 or 1, or a
/// context that was never started.
pub const MBEDTLS_ERR_SHA256_BAD_INPUT_DATA: c_int = -0x0074;

/// A SHA-224 or SHA-256 computation in progress. Caller-allocated;
/// all-bits-zero (what `mbedtls_sha256_init()` writes) is the "not started"
/// state. The members are private: `state` holds the library's hash state,
/// `kind` says which algorithm was started, if any.
/// cbindgen:field-names=[MBEDTLS_PRIVATE(state), MBEDTLS_PRIVATE(kind)]
#[repr(C)]
pub struct mbedtls_sha256_context {
    /// The hash state (library-owned bytes).
    pub state: [u64; 15],
    /// 0 until started, then a tag for the algorithm.
    pub kind: u32,
}
