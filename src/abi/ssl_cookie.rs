//! ssl_cookie.h: the cookie context and its default timeout.

use core::ffi::c_ulong;

use super::md::mbedtls_md_context_t;
#[cfg(mbedtls_threading_c)]
use super::threading::mbedtls_threading_mutex_t;

/// Default cookie lifetime: seconds (with `MBEDTLS_HAVE_TIME`), otherwise
/// a number of cookies issued since.
pub const MBEDTLS_SSL_COOKIE_TIMEOUT: c_ulong = 60;

/// A DTLS cookie context: the keyed HMAC, the timeout, upstream's mutex,
/// and our two guard words (see `threading/ctx.rs`).
/// cbindgen:field-names=[MBEDTLS_PRIVATE(hmac_ctx), MBEDTLS_PRIVATE(serial), MBEDTLS_PRIVATE(timeout), MBEDTLS_PRIVATE(mutex), MBEDTLS_PRIVATE(guard_state), MBEDTLS_PRIVATE(guard_holder)]
#[repr(C)]
pub struct mbedtls_ssl_cookie_ctx {
    /// HMAC-SHA-256 keyed by `setup`.
    pub hmac_ctx: mbedtls_md_context_t,
    /// Cookies issued (the clock without `MBEDTLS_HAVE_TIME`).
    #[cfg(not(mbedtls_have_time))]
    pub serial: c_ulong,
    /// Lifetime of a cookie; 0: no expiry.
    pub timeout: c_ulong,
    /// Upstream's mutex.
    #[cfg(mbedtls_threading_c)]
    pub mutex: mbedtls_threading_mutex_t,
    /// Lifecycle and users (ours).
    pub guard_state: u32,
    /// Holder of the mutex (ours).
    pub guard_holder: u32,
}
