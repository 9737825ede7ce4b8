//! md.h: message-digest algorithm identifiers, error codes and the
//! streaming context.

use core::ffi::{c_int, c_void};

/// The requested algorithm is not available in this build.
pub const MBEDTLS_ERR_MD_FEATURE_UNAVAILABLE: c_int = -0x5080;
/// Bad input parameters: a NULL pointer, an unknown algorithm, or a context
/// that was not set up (or not set up for HMAC).
pub const MBEDTLS_ERR_MD_BAD_INPUT_DATA: c_int = -0x5100;
/// Memory allocation failed.
pub const MBEDTLS_ERR_MD_ALLOC_FAILED: c_int = -0x5180;
/// Opening or reading a file failed.
pub const MBEDTLS_ERR_MD_FILE_IO_ERROR: c_int = -0x5200;

/// The largest digest of the algorithms in this build (SHA-512).
pub const MBEDTLS_MD_MAX_SIZE: c_int = 64;
/// The largest block of the algorithms in this build (SHA-384/512).
pub const MBEDTLS_MD_MAX_BLOCK_SIZE: c_int = 128;

/// `mbedtls_md_type_t`: an algorithm identifier. C sees upstream's enum
/// (written in `build/templates/md.h.head`); Rust takes the value as an
/// integer so that an out-of-range value from C is an error, not undefined
/// behaviour.
pub type mbedtls_md_type_t = core::ffi::c_uint;

/// An algorithm descriptor. C code only holds `const mbedtls_md_info_t *`
/// pointers returned by the library (the type is incomplete in md.h).
#[repr(C)]
pub struct mbedtls_md_info_t {
    _opaque: [u8; 0],
}

/// A streaming hash or HMAC context, laid out as upstream's (24 bytes on
/// 64-bit targets). `md_info` is the algorithm; `md_ctx` and `hmac_ctx`
/// point to state the library allocates with `mbedtls_calloc()` in
/// `mbedtls_md_setup()` and releases in `mbedtls_md_free()`. All-bits-zero
/// is the initialised state.
/// cbindgen:field-names=[MBEDTLS_PRIVATE(md_info), MBEDTLS_PRIVATE(md_ctx), MBEDTLS_PRIVATE(hmac_ctx)]
#[repr(C)]
pub struct mbedtls_md_context_t {
    /// The algorithm, NULL until set up.
    pub md_info: *const mbedtls_md_info_t,
    /// The hash state (library-owned).
    pub md_ctx: *mut c_void,
    /// The HMAC state (library-owned), NULL unless set up with `hmac != 0`.
    pub hmac_ctx: *mut c_void,
}
