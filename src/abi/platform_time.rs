//! platform_time.h: time types.

#[cfg(ctest)]
use super::ctest_libc::time_t;
#[cfg(not(ctest))]
use libc::time_t;

/// Seconds since the epoch, as the C library's `time_t`. (cbindgen drops
/// aliases of types it does not know, so the C typedef is written in
/// `build/templates/platform_time.h.head`; ctest checks both agree.)
/// cbindgen:ignore
pub type mbedtls_time_t = time_t;

/// Milliseconds from an arbitrary, monotonic starting point.
pub type mbedtls_ms_time_t = i64;
