//! The C surface of error.h.

use core::ffi::{c_char, c_int};

use crate::ffi::{boundary, try_slice_mut};

/// Writes a description of the error code `errnum` (positive or negative)
/// into `buffer`: the high-level part, then `" : "` and the low-level part,
/// each as `"<MODULE> - <text>"` or `"UNKNOWN ERROR CODE (XXXX)"`. The
/// buffer is zero-filled first; the text is truncated to fit and always
/// NUL-terminated. Nothing is written if `buflen` is 0 or `buffer` is NULL.
/// The wording is our own; the format is upstream's.
///
/// Thread safety: pure.
///
/// # Safety
///
/// If non-NULL, `buffer` must point to `buflen` writable bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mbedtls_strerror(errnum: c_int, buffer: *mut c_char, buflen: usize) {
    boundary(|| {
        if buffer.is_null() {
            return;
        }
        // SAFETY: non-NULL and writable for `buflen` bytes per the contract.
        if let Some(buf) = unsafe { try_slice_mut(buffer.cast(), buflen) } {
            super::strerror(errnum, buf);
        }
    })
}

/// A static description of the high-level part of `error_code` (its sign
/// and low-level part are ignored), or NULL if the code is unknown.
///
/// Thread safety: pure.
#[unsafe(no_mangle)]
pub extern "C" fn mbedtls_high_level_strerr(error_code: c_int) -> *const c_char {
    boundary(|| match super::high_level(error_code) {
        Some(text) => text.as_ptr(),
        None => core::ptr::null(),
    })
}

/// A static description of the low-level part of `error_code` (its sign and
/// high-level part are ignored), or NULL if the code is unknown.
///
/// Thread safety: pure.
#[unsafe(no_mangle)]
pub extern "C" fn mbedtls_low_level_strerr(error_code: c_int) -> *const c_char {
    boundary(|| match super::low_level(error_code) {
        Some(text) => text.as_ptr(),
        None => core::ptr::null(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn c_api_handles_null_and_unknown_codes() {
        // SAFETY: NULL is accepted and ignored.
        unsafe { mbedtls_strerror(-0x4284, core::ptr::null_mut(), 100) };
        assert!(!mbedtls_high_level_strerr(-0x4284).is_null());
        assert!(!mbedtls_low_level_strerr(-0x4284).is_null());
        assert!(mbedtls_high_level_strerr(-0x1080).is_null());
        assert!(mbedtls_low_level_strerr(-0x0011).is_null());
        let mut buf = [0x55 as c_char; 8];
        // SAFETY: 8 writable bytes.
        unsafe { mbedtls_strerror(-0x001C, buf.as_mut_ptr(), buf.len()) };
        assert_eq!(buf[7], 0, "truncated and terminated");
    }
}
