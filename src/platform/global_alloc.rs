//! The Rust global allocator of no_std builds: every heap allocation the
//! library makes goes through `mbedtls_calloc()`/`mbedtls_free()`, so the
//! application's hooks (for example a `memory_buffer_alloc` heap over a
//! static array) can be the only heap in a firmware image.
//!
//! The hooks promise no particular alignment (upstream's static-buffer heap
//! aligns to 4 bytes), so each block is over-allocated: the caller's pointer
//! is the first suitably aligned address at least one pointer past the
//! block's start, and the word just below it records the block's start.
//!
//! Hosted builds keep Rust's default allocator.

use core::alloc::{GlobalAlloc, Layout};
use core::ffi::c_void;

use super::ffi::{mbedtls_calloc, mbedtls_free};

/// Forwards Rust's allocations to `mbedtls_calloc()`/`mbedtls_free()`.
struct CallocAlloc;

/// Room for the back-pointer below each block.
const HEADER: usize = size_of::<*mut c_void>();

/// Bytes to request from the hook for `layout`, or `None` on overflow.
fn request_size(layout: Layout) -> Option<usize> {
    let align = layout.align().max(align_of::<*mut c_void>());
    layout.size().checked_add(HEADER)?.checked_add(align - 1)
}

/// The aligned user address inside the block at `base`.
fn user_addr(base: *mut u8, layout: Layout) -> *mut u8 {
    let align = layout.align().max(align_of::<*mut c_void>());
    let first = base.wrapping_add(HEADER);
    let pad = (align - first.addr() % align) % align;
    first.wrapping_add(pad)
}

// SAFETY: `alloc` returns NULL or a block of at least `layout.size()`
// bytes at `layout.align()` alignment that no one else uses (the hook's
// block is fresh and `request_size` leaves room for the header and the
// padding); `dealloc` hands the hook back exactly the pointer it returned.
unsafe impl GlobalAlloc for CallocAlloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let Some(size) = request_size(layout) else {
            return core::ptr::null_mut();
        };
        let base = mbedtls_calloc(1, size).cast::<u8>();
        if base.is_null() {
            return base;
        }
        let user = user_addr(base, layout);
        // SAFETY: `user` is at least HEADER bytes past `base` and aligned
        // to a pointer, so the word below it lies inside the block.
        unsafe { user.cast::<*mut u8>().sub(1).write(base) };
        user
    }

    unsafe fn dealloc(&self, ptr: *mut u8, _layout: Layout) {
        // SAFETY: `ptr` came from `alloc` above, which stored the block's
        // start in the word below it.
        let base = unsafe { ptr.cast::<*mut u8>().sub(1).read() };
        // SAFETY: `base` is what `mbedtls_calloc` returned for this block.
        unsafe { mbedtls_free(base.cast()) };
    }
}

#[global_allocator]
static GLOBAL: CallocAlloc = CallocAlloc;
