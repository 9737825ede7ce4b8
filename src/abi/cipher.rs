//! cipher.h: the cipher error codes and the cipher type identifiers. The
//! `mbedtls_cipher_id_t` and `mbedtls_cipher_type_t` enums are written in
//! `build/templates/cipher.h.head`; Rust sees the type as an integer.

use core::ffi::{c_int, c_uint};

/// A cipher type (`mbedtls_cipher_type_t`, upstream's enum values).
pub type mbedtls_cipher_type_t = c_uint;

/// The selected feature is not available.
pub const MBEDTLS_ERR_CIPHER_FEATURE_UNAVAILABLE: c_int = -0x6080;
/// Bad input parameters.
pub const MBEDTLS_ERR_CIPHER_BAD_INPUT_DATA: c_int = -0x6100;
/// Memory allocation failed.
pub const MBEDTLS_ERR_CIPHER_ALLOC_FAILED: c_int = -0x6180;
/// Input data contains invalid padding.
pub const MBEDTLS_ERR_CIPHER_INVALID_PADDING: c_int = -0x6200;
/// Decryption of a block requires a full block.
pub const MBEDTLS_ERR_CIPHER_FULL_BLOCK_EXPECTED: c_int = -0x6280;
/// Authentication failed (for AEAD modes).
pub const MBEDTLS_ERR_CIPHER_AUTH_FAILED: c_int = -0x6300;
/// The context is invalid.
pub const MBEDTLS_ERR_CIPHER_INVALID_CONTEXT: c_int = -0x6380;
