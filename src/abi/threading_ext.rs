//! threading_ext.h: mbedcrypto-rs extensions to the threading layer. These
//! names are ours and do not exist in upstream Mbed TLS.

use core::ffi::c_int;

/// Major version of mbedcrypto-rs itself (not of the Mbed TLS API).
pub const MBEDCRYPTO_VERSION_MAJOR: u32 = 0;
/// Minor version of mbedcrypto-rs itself.
pub const MBEDCRYPTO_VERSION_MINOR: u32 = 1;
/// Patch level of mbedcrypto-rs itself.
pub const MBEDCRYPTO_VERSION_PATCH: u32 = 0;

/// Value of `mbedcrypto_threading_backend()`: built without
/// `MBEDTLS_THREADING_C`; nothing is locked.
pub const MBEDCRYPTO_THREADING_NONE: c_int = 0;
/// Value of `mbedcrypto_threading_backend()`: the built-in mutex.
pub const MBEDCRYPTO_THREADING_BUILTIN: c_int = 1;
/// Value of `mbedcrypto_threading_backend()`: pthread mutexes.
pub const MBEDCRYPTO_THREADING_PTHREAD: c_int = 2;
/// Value of `mbedcrypto_threading_backend()`: the application's mutex
/// functions (`threading_alt.h`).
pub const MBEDCRYPTO_THREADING_ALT: c_int = 3;

/// A run-once flag for `mbedcrypto_once()`. Initialise it with
/// `MBEDCRYPTO_ONCE_INIT` or zero-filled memory; do not touch the fields.
/// cbindgen:field-names=[MBEDTLS_PRIVATE(state), MBEDTLS_PRIVATE(owner)]
#[repr(C)]
pub struct mbedcrypto_once_t {
    /// Not started, running, or done (accessed atomically).
    pub state: u32,
    /// Id of the thread running the function, 0 when none.
    pub owner: u32,
}
