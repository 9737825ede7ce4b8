//! The C surface of version.h.

use core::ffi::{c_char, c_int, c_uint};

use crate::abi::build_info::MBEDTLS_VERSION_NUMBER;
use crate::ffi::{boundary, try_cstr};

/// The version of the Mbed TLS API this library implements, as
/// `MBEDTLS_VERSION_NUMBER` (`0x03060600` for 3.6.6).
///
/// Thread safety: pure.
#[cfg(mbedtls_version_c)]
#[unsafe(no_mangle)]
pub extern "C" fn mbedtls_version_get_number() -> c_uint {
    boundary(|| MBEDTLS_VERSION_NUMBER)
}

/// Copies `MBEDTLS_VERSION_STRING` (`"3.6.6"`) and a NUL into `string`,
/// which must hold at least 9 bytes. Does nothing if `string` is NULL.
///
/// Thread safety: pure.
///
/// # Safety
///
/// If non-NULL, `string` must point to at least 9 writable bytes.
#[cfg(mbedtls_version_c)]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mbedtls_version_get_string(string: *mut c_char) {
    boundary(|| {
        if string.is_null() {
            return;
        }
        let text = super::VERSION_CSTR.to_bytes_with_nul();
        // SAFETY: the caller provides at least 9 bytes; the text is 6.
        unsafe { core::ptr::copy_nonoverlapping(text.as_ptr(), string.cast(), text.len()) };
    })
}

/// Copies `MBEDTLS_VERSION_STRING_FULL` (`"Mbed TLS 3.6.6"`) and a NUL into
/// `string`, which must hold at least 18 bytes. Does nothing if `string` is
/// NULL. (Our own version is `mbedcrypto_version_get_string()`.)
///
/// Thread safety: pure.
///
/// # Safety
///
/// If non-NULL, `string` must point to at least 18 writable bytes.
#[cfg(mbedtls_version_c)]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mbedtls_version_get_string_full(string: *mut c_char) {
    boundary(|| {
        if string.is_null() {
            return;
        }
        let text = super::VERSION_FULL_CSTR.to_bytes_with_nul();
        // SAFETY: the caller provides at least 18 bytes; the text is 15.
        unsafe { core::ptr::copy_nonoverlapping(text.as_ptr(), string.cast(), text.len()) };
    })
}

/// Returns 0 if the configuration option `feature` (for example
/// `"MBEDTLS_THREADING_C"`) is compiled into this library, and -1 if it is
/// not, if `feature` is NULL, or if it does not start with `"MBEDTLS_"`.
///
/// Thread safety: pure.
///
/// # Safety
///
/// If non-NULL, `feature` must be a NUL-terminated string.
#[cfg(mbedtls_version_c)]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mbedtls_version_check_feature(feature: *const c_char) -> c_int {
    boundary(|| {
        // SAFETY: NULL or NUL-terminated per the contract.
        match unsafe { try_cstr(feature) } {
            Some(name) => super::check_feature(name),
            None => -1,
        }
    })
}
