//! platform.h, platform_util.h and platform_time.h: the memory hooks,
//! secure zeroisation, and time.

pub(crate) mod ffi;
mod sys;
#[cfg(mbedtls_have_time)]
pub(crate) mod time_ffi;
pub(crate) mod util_ffi;
