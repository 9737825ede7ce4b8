//! The C boundary shared by every exported function.
//!
//! Every `extern "C"` function's body runs inside [`boundary`]. A Rust panic
//! (a bug in this library) never unwinds into C: functions returning `int`
//! return `MBEDTLS_ERR_ERROR_CORRUPTION_DETECTED`, pointer-returning ones
//! NULL, and functions that return nothing print a message and abort, since
//! they have no way to report failure. The fallback comes from the return
//! type through [`PanicFallback`], so nobody picks it by hand.
//!
//! Pointer arguments are checked by the helpers below before anything else;
//! a pointer-and-length pair may be NULL only when the length is 0.

use core::ffi::{c_char, c_int, c_uint};

use crate::abi::error::MBEDTLS_ERR_ERROR_CORRUPTION_DETECTED;

/// The value an exported function returns when its body panicked.
#[cfg_attr(not(feature = "std"), allow(dead_code))]
pub(crate) trait PanicFallback {
    /// The fallback value (or an abort, for types that cannot carry one).
    fn on_panic() -> Self;
}

impl PanicFallback for c_int {
    fn on_panic() -> Self {
        MBEDTLS_ERR_ERROR_CORRUPTION_DETECTED
    }
}

impl PanicFallback for c_uint {
    fn on_panic() -> Self {
        0
    }
}

impl PanicFallback for usize {
    fn on_panic() -> Self {
        0
    }
}

impl PanicFallback for i64 {
    fn on_panic() -> Self {
        0
    }
}

impl<T> PanicFallback for *const T {
    fn on_panic() -> Self {
        core::ptr::null()
    }
}

impl<T> PanicFallback for *mut T {
    fn on_panic() -> Self {
        core::ptr::null_mut()
    }
}

impl PanicFallback for () {
    fn on_panic() -> Self {
        abort_after_panic()
    }
}

#[cfg(feature = "std")]
fn abort_after_panic() -> ! {
    // The panic message has already been printed by the panic hook.
    std::eprintln!("mbedcrypto-rs: internal error in a function that cannot report it; aborting");
    std::process::abort()
}

#[cfg(not(feature = "std"))]
#[allow(dead_code)]
fn abort_after_panic() -> ! {
    // Firmware builds use panic = "abort"; a panic never gets here.
    loop {
        core::hint::spin_loop();
    }
}

/// Runs the body of an exported function, turning a panic into the return
/// type's fallback value.
#[cfg(feature = "std")]
#[inline(always)]
pub(crate) fn boundary<R: PanicFallback>(body: impl FnOnce() -> R) -> R {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(body)) {
        Ok(r) => r,
        Err(_) => R::on_panic(),
    }
}

/// Runs the body of an exported function. Firmware builds abort on panic,
/// so there is nothing to catch.
#[cfg(not(feature = "std"))]
#[inline(always)]
pub(crate) fn boundary<R: PanicFallback>(body: impl FnOnce() -> R) -> R {
    body()
}

/// A shared slice from a C pointer and length: `None` if the pointer is NULL
/// and the length is not 0, or if the length exceeds `isize::MAX` (no object
/// can be that large). A NULL pointer with length 0 is an empty slice.
///
/// # Safety
///
/// If non-NULL, `ptr` must point to `len` readable bytes that stay valid and
/// unmodified for `'a`.
#[allow(dead_code)]
pub(crate) unsafe fn try_slice<'a>(ptr: *const u8, len: usize) -> Option<&'a [u8]> {
    if ptr.is_null() {
        return if len == 0 { Some(&[]) } else { None };
    }
    if len > isize::MAX as usize {
        // No object is that large: a bad length, not a buffer.
        return None;
    }
    // SAFETY: non-NULL, and valid for `len` bytes per the caller.
    Some(unsafe { core::slice::from_raw_parts(ptr, len) })
}

/// A mutable slice from a C pointer and length, with the rules of
/// [`try_slice`].
///
/// # Safety
///
/// If non-NULL, `ptr` must point to `len` writable bytes that nothing else
/// accesses for `'a`.
pub(crate) unsafe fn try_slice_mut<'a>(ptr: *mut u8, len: usize) -> Option<&'a mut [u8]> {
    if ptr.is_null() {
        return if len == 0 { Some(&mut []) } else { None };
    }
    if len > isize::MAX as usize {
        return None;
    }
    // SAFETY: non-NULL, and valid and exclusive for `len` bytes per the
    // caller.
    Some(unsafe { core::slice::from_raw_parts_mut(ptr, len) })
}

/// Reads a NUL-terminated C string as bytes (without the NUL); `None` if
/// the pointer is NULL.
///
/// # Safety
///
/// If non-NULL, `ptr` must point to a NUL-terminated string that stays valid
/// for `'a`.
pub(crate) unsafe fn try_cstr<'a>(ptr: *const c_char) -> Option<&'a [u8]> {
    if ptr.is_null() {
        return None;
    }
    // SAFETY: non-NULL and NUL-terminated per the caller.
    Some(unsafe { core::ffi::CStr::from_ptr(ptr) }.to_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn panics_become_fallbacks() {
        let r: c_int = boundary(|| panic!("test panic"));
        assert_eq!(r, MBEDTLS_ERR_ERROR_CORRUPTION_DETECTED);
        let p: *const u8 = boundary(|| panic!("test panic"));
        assert!(p.is_null());
        let ok: c_int = boundary(|| 7);
        assert_eq!(ok, 7);
    }

    #[test]
    fn slices_follow_the_null_rule() {
        // SAFETY: NULL pointers are never dereferenced by try_slice.
        unsafe {
            assert_eq!(try_slice(core::ptr::null(), 0), Some(&[][..]));
            assert_eq!(try_slice(core::ptr::null(), 1), None);
            let byte = 0u8;
            assert_eq!(try_slice(&byte, usize::MAX), None, "checked before use");
        }
        let data = [1u8, 2, 3];
        // SAFETY: `data` is a live array of 3 bytes.
        assert_eq!(unsafe { try_slice(data.as_ptr(), 3) }, Some(&data[..]));
    }
}
