//! build_info.h: the version of the Mbed TLS API we implement.
//!
//! The string forms (`MBEDTLS_VERSION_STRING`, `..._FULL`) are in
//! `build/templates/build_info.h.head`; a C test checks they agree.

/// Major version of the Mbed TLS API this library implements.
pub const MBEDTLS_VERSION_MAJOR: u32 = 3;
/// Minor version of the Mbed TLS API this library implements.
pub const MBEDTLS_VERSION_MINOR: u32 = 6;
/// Patch level of the Mbed TLS API this library implements.
pub const MBEDTLS_VERSION_PATCH: u32 = 6;
/// The version as one number, `0xMMNNPP00`.
pub const MBEDTLS_VERSION_NUMBER: u32 = 0x03060600;
