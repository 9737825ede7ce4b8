//! platform.h, platform_util.h and platform_time.h: the memory hooks,
//! secure zeroisation, and time.

pub(crate) mod ffi;
#[cfg_attr(not(any(mbedtls_ctr_drbg_c, mbedtls_hmac_drbg_c)), allow(dead_code))]
pub(crate) mod fork;
#[cfg(all(not(feature = "std"), not(test)))]
mod global_alloc;
mod sys;
#[cfg(mbedtls_have_time)]
pub(crate) mod time_ffi;
pub(crate) mod util_ffi;
