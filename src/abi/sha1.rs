//! sha1.h: the SHA-1 streaming context and error code.

use core::ffi::c_int;

/// Bad input parameters: a NULL pointer, or a context that was never
/// started.
pub const MBEDTLS_ERR_SHA1_BAD_INPUT_DATA: c_int = -0x0073;

/// A SHA-1 computation in progress. Caller-allocated; all-bits-zero (what
/// `mbedtls_sha1_init()` writes) is the "not started" state. The members
/// are private: `state` holds the library's hash state, `kind` says whether
/// a computation was started.
/// cbindgen:field-names=[MBEDTLS_PRIVATE(state), MBEDTLS_PRIVATE(kind)]
#[repr(C)]
pub struct mbedtls_sha1_context {
    /// The hash state (library-owned bytes).
    pub state: [u64; 14],
    /// 0 until started, then a tag for the algorithm.
    pub kind: u32,
}
