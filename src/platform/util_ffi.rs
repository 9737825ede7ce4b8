//! The C surface of platform_util.h: secure zeroisation and `gmtime_r`.

use core::ffi::c_void;

use crate::ffi::{boundary, try_slice_mut};

/// Overwrites `len` bytes at `buf` with zeros in a way the compiler cannot
/// remove, for wiping secrets. Does nothing if `len` is 0 or `buf` is NULL.
///
/// Thread safety: pure (on memory the caller owns).
///
/// # Safety
///
/// If non-NULL, `buf` must point to `len` writable bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mbedtls_platform_zeroize(buf: *mut c_void, len: usize) {
    boundary(|| {
        if buf.is_null() {
            return;
        }
        // SAFETY: non-NULL and writable for `len` bytes per the contract.
        if let Some(bytes) = unsafe { try_slice_mut(buf.cast(), len) } {
            zeroize::Zeroize::zeroize(bytes);
        }
    })
}

/// Breaks `*tt` down into UTC calendar time in `*tm_buf`, thread-safely (with
/// the C library's `gmtime_r`). Returns `tm_buf`, or NULL if either pointer
/// is NULL or the time cannot be represented.
///
/// Thread safety: pure.
///
/// # Safety
///
/// Non-NULL pointers must be valid for reading (`tt`) and writing (`tm_buf`).
#[cfg(mbedtls_have_time_date)]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mbedtls_platform_gmtime_r(
    tt: *const crate::abi::platform_time::mbedtls_time_t,
    tm_buf: *mut libc::tm,
) -> *mut libc::tm {
    boundary(|| {
        if tt.is_null() || tm_buf.is_null() {
            return core::ptr::null_mut();
        }
        // SAFETY: both pointers are non-NULL and valid per the contract.
        unsafe { libc::gmtime_r(tt, tm_buf) }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zeroize_wipes_exactly_the_range() {
        let mut buf = [0xA5u8; 16];
        // SAFETY: 14 writable bytes from offset 1.
        unsafe { mbedtls_platform_zeroize(buf.as_mut_ptr().add(1).cast(), 14) };
        assert_eq!(buf[0], 0xA5);
        assert_eq!(buf[15], 0xA5);
        assert!(buf[1..15].iter().all(|&b| b == 0));
        // SAFETY: NULL is ignored whatever the length.
        unsafe { mbedtls_platform_zeroize(core::ptr::null_mut(), 100) };
    }
}
