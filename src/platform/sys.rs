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

/// Huge pages from here on: a hint that the whole 2 MiB pages inside
/// `len` bytes at `ptr` (a large array the caller is about to fill and
/// then read at random places, such as a big session cache's entries)
/// should be backed by transparent huge pages, so that random accesses
/// miss the TLB less often. Linux with `std` only; elsewhere, or if the
/// kernel refuses, nothing happens. It never changes the memory's contents.
#[cfg(all(feature = "std", target_os = "linux"))]
pub(crate) fn advise_huge_pages(ptr: *const u8, len: usize) {
    const HUGE: usize = 2 << 20;
    let start = (ptr as usize).next_multiple_of(HUGE);
    let end = (ptr as usize).saturating_add(len) / HUGE * HUGE;
    if end <= start || cfg!(miri) {
        return;
    }
    // SAFETY: `start..end` lies inside the caller's allocation (rounded
    // inwards to whole huge pages), so no other object shares these pages;
    // MADV_HUGEPAGE only changes how the kernel backs them, never their
    // contents, and an error (an old kernel, THP disabled) is harmless.
    let _ = unsafe { libc::madvise(start as *mut libc::c_void, end - start, libc::MADV_HUGEPAGE) };
}

/// Elsewhere there is nothing to hint.
#[cfg(not(all(feature = "std", target_os = "linux")))]
pub(crate) fn advise_huge_pages(_ptr: *const u8, _len: usize) {}
