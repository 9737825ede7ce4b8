//! The C-visible types and constants, one file per header.
//!
//! This module depends on nothing but `core` (and, by path only, on `libc`
//! type names), because the ABI check in `systest/` hands it to `ctest` as a
//! crate of its own. cbindgen reads these files (with the matching `ffi.rs`)
//! to write `include/mbedtls/*.h`.
//!
//! Struct fields are plain integers even where the library accesses them
//! atomically: C code allocates these structs, and the library only ever
//! touches them through raw pointers (see `threading/builtin.rs`).

#![allow(non_camel_case_types)]

#[cfg(mbedtls_bignum_c)]
pub mod bignum;
pub mod build_info;
#[cfg(mbedtls_ssl_ticket_c)]
pub mod cipher;
#[cfg(mbedtls_ctr_drbg_c)]
pub mod ctr_drbg;
#[cfg(mbedtls_entropy_c)]
pub mod entropy;
pub mod error;
#[cfg(mbedtls_hmac_drbg_c)]
pub mod hmac_drbg;
#[cfg(mbedtls_md_c)]
pub mod md;
#[cfg(mbedtls_memory_buffer_alloc_c)]
pub mod memory_buffer_alloc;
pub mod platform;
#[cfg(mbedtls_have_time)]
pub mod platform_time;
pub mod platform_util;
#[cfg(mbedtls_rsa_c)]
pub mod rsa;
#[cfg(mbedtls_sha1_c)]
pub mod sha1;
#[cfg(mbedtls_sha256_c)]
pub mod sha256;
#[cfg(mbedtls_sha512_c)]
pub mod sha512;
#[cfg(mbedtls_ssl_tls_c)]
pub mod ssl;
#[cfg(mbedtls_ssl_cache_c)]
pub mod ssl_cache;
#[cfg(mbedtls_ssl_cookie_c)]
pub mod ssl_cookie;
#[cfg(mbedtls_ssl_ticket_c)]
pub mod ssl_ticket;
pub mod threading;
pub mod threading_ext;

/// Stand-ins for C library types, used only when ctest expands this module
/// on its own (without the libc crate) for the ABI check. ctest is told to
/// skip them; the generated checks use the real libc types.
#[cfg(ctest)]
pub mod ctest_libc {
    /// `time_t` on the 64-bit Linux hosts the check runs on.
    pub type time_t = core::ffi::c_long;
    /// Opaque stand-in for `pthread_mutex_t` (an alias, so that ctest
    /// spells it without `struct`).
    pub type pthread_mutex_t = [u64; 5];
}
