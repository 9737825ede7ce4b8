//! The C library's allocator, the default behind `mbedtls_calloc` and
//! `mbedtls_free`. Kept out of `ffi.rs` so cbindgen does not declare these
//! in platform.h.

#[cfg(feature = "std")]
pub(crate) use libc::{calloc as system_calloc, free as system_free};

#[cfg(not(feature = "std"))]
unsafe extern "C" {
    /// The C library's calloc (newlib's, in firmware).
    #[link_name = "calloc"]
    pub(crate) fn system_calloc(n: usize, size: usize) -> *mut core::ffi::c_void;
    /// The C library's free.
    #[link_name = "free"]
    pub(crate) fn system_free(ptr: *mut core::ffi::c_void);
}
