//! memory_buffer_alloc.h: the verification flags and the allocator's
//! alignment. There are no error codes: allocation failure is a NULL.

use core::ffi::c_int;

/// Alignment of every block the heap hands out, in bytes (upstream's
/// default; this build of the library uses this value, whatever a program
/// defines).
pub const MBEDTLS_MEMORY_ALIGN_MULTIPLE: c_int = 4;
/// Never check the block chain on its own.
pub const MBEDTLS_MEMORY_VERIFY_NONE: c_int = 0;
/// Check the block chain after every allocation.
pub const MBEDTLS_MEMORY_VERIFY_ALLOC: c_int = 1 << 0;
/// Check the block chain after every free.
pub const MBEDTLS_MEMORY_VERIFY_FREE: c_int = 1 << 1;
/// Check after every allocation and every free.
pub const MBEDTLS_MEMORY_VERIFY_ALWAYS: c_int =
    MBEDTLS_MEMORY_VERIFY_ALLOC | MBEDTLS_MEMORY_VERIFY_FREE;
