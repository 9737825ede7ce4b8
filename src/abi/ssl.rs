//! ssl.h (the part the session stores need): the SSL error codes. The
//! callback typedefs, which are function types that cbindgen cannot write,
//! are in `build/templates/ssl.h.head`.

use core::ffi::c_int;

/// The requested feature is not available in this build.
pub const MBEDTLS_ERR_SSL_FEATURE_UNAVAILABLE: c_int = -0x7080;
/// An argument is invalid.
pub const MBEDTLS_ERR_SSL_BAD_INPUT_DATA: c_int = -0x7100;
/// Authentication of a record or ticket failed.
pub const MBEDTLS_ERR_SSL_INVALID_MAC: c_int = -0x7180;
/// The peer sent a fatal alert.
pub const MBEDTLS_ERR_SSL_FATAL_ALERT_MESSAGE: c_int = -0x7780;
/// No session with this id is in the cache.
pub const MBEDTLS_ERR_SSL_CACHE_ENTRY_NOT_FOUND: c_int = -0x7E80;
/// Memory could not be allocated.
pub const MBEDTLS_ERR_SSL_ALLOC_FAILED: c_int = -0x7F00;
/// The session ticket has expired.
pub const MBEDTLS_ERR_SSL_SESSION_TICKET_EXPIRED: c_int = -0x6D80;
/// Internal error: the library reached a state it should not.
pub const MBEDTLS_ERR_SSL_INTERNAL_ERROR: c_int = -0x6C00;
/// The output buffer is too small.
pub const MBEDTLS_ERR_SSL_BUFFER_TOO_SMALL: c_int = -0x6A00;
