//! platform.h: the platform context.

use core::ffi::c_char;

/// Platform context for `mbedtls_platform_setup()`. This library needs no
/// platform state; the type exists so programs written for Mbed TLS compile.
/// cbindgen:field-names=[MBEDTLS_PRIVATE(dummy)]
#[repr(C)]
pub struct mbedtls_platform_context {
    /// Unused.
    pub dummy: c_char,
}
