//! error.h: the generic and platform error codes.

use core::ffi::c_int;

/// A generic error the library could not describe more precisely.
pub const MBEDTLS_ERR_ERROR_GENERIC_ERROR: c_int = -0x0001;
/// The library detected an internal inconsistency (a bug, or memory
/// corruption). mbedcrypto-rs also returns it when Rust code panics inside
/// a call, instead of unwinding into C.
pub const MBEDTLS_ERR_ERROR_CORRUPTION_DETECTED: c_int = -0x006E;
/// A hardware accelerator reported a failure.
pub const MBEDTLS_ERR_PLATFORM_HW_ACCEL_FAILED: c_int = -0x0070;
/// The requested feature is not available on this platform.
pub const MBEDTLS_ERR_PLATFORM_FEATURE_UNSUPPORTED: c_int = -0x0072;
