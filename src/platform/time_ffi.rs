//! The C surface of platform_time.h.

use crate::abi::platform_time::mbedtls_ms_time_t;
use crate::ffi::boundary;

/// Milliseconds from a fixed but unspecified starting point, from a clock
/// that never goes backwards (`CLOCK_MONOTONIC`). Returns 0 if the clock is
/// unavailable.
///
/// Thread safety: pure.
#[unsafe(no_mangle)]
pub extern "C" fn mbedtls_ms_time() -> mbedtls_ms_time_t {
    boundary(|| {
        let mut ts = libc::timespec {
            tv_sec: 0,
            tv_nsec: 0,
        };
        // SAFETY: `ts` is a valid, writable timespec.
        if unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut ts) } != 0 {
            return 0;
        }
        // time_t and long are 32 or 64 bits depending on the target, so the
        // conversions are not useless everywhere.
        #[allow(clippy::useless_conversion)]
        i64::from(ts.tv_sec)
            .saturating_mul(1000)
            .saturating_add(i64::from(ts.tv_nsec) / 1_000_000)
    })
}
