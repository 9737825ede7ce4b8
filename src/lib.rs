//! mbedcrypto-rs: the thread-shared crypto core of Mbed TLS 3.6 in Rust,
//! behind Mbed TLS's own C API.
//!
//! C programs include the generated headers under `include/` and link with
//! `-lmbedcrypto`. Each C header family has one module here: a thin
//! `extern "C"` layer (`ffi.rs`) that checks pointers and maps errors, over a
//! safe core that knows nothing about C. The C-visible types and constants
//! live in [`abi`], which has no dependencies so the ABI checks (`systest/`)
//! can read it on its own.
//!
//! `unsafe` code lives only in the C boundary (`*/ffi.rs`, `*_ffi.rs`,
//! `ffi/`, `platform/sys.rs`, `platform/fork.rs`) and in the mutex
//! backends (`threading/{builtin,pthread,alt,park,ctx}.rs`, and the test
//! backend `threading/alt_test_backend.rs`).

#![cfg_attr(not(feature = "std"), no_std)]
#![allow(non_camel_case_types, non_upper_case_globals)]
// loom builds compile only the state machines' models; the C surface that
// uses the rest is left out.
#![cfg_attr(loom, allow(dead_code))]

extern crate alloc;

pub mod abi;
#[cfg(all(
    any(mbedcrypto_aes_batches_only, test),
    any(mbedtls_ctr_drbg_c, mbedtls_ssl_ticket_c)
))]
mod aes_batch;
#[cfg(mbedtls_bignum_c)]
mod bignum;
#[cfg(mbedtls_ctr_drbg_c)]
mod ctr_drbg;
#[cfg(mbedtls_entropy_c)]
mod entropy;
mod error;
mod ffi;
#[cfg(mbedtls_self_test)]
mod hex;
#[cfg(mbedtls_hmac_drbg_c)]
mod hmac_drbg;
#[cfg(mbedtls_md_c)]
mod md;
#[cfg(mbedtls_memory_buffer_alloc_c)]
mod memory_buffer_alloc;
mod platform;
#[cfg(mbedtls_rsa_c)]
mod rsa;
#[cfg(mbedtls_ssl_tls_c)]
mod ssl;
#[cfg(mbedtls_ssl_cache_c)]
mod ssl_cache;
#[cfg(mbedtls_ssl_cookie_c)]
mod ssl_cookie;
#[cfg(mbedtls_ssl_ticket_c)]
mod ssl_ticket;
mod threading;
mod version;

#[cfg(mbedtls_bignum_c)]
pub use abi::bignum::*;
pub use abi::build_info::*;
#[cfg(mbedtls_ssl_ticket_c)]
pub use abi::cipher::*;
#[cfg(mbedtls_ctr_drbg_c)]
pub use abi::ctr_drbg::*;
#[cfg(mbedtls_entropy_c)]
pub use abi::entropy::*;
pub use abi::error::*;
#[cfg(mbedtls_hmac_drbg_c)]
pub use abi::hmac_drbg::*;
#[cfg(mbedtls_md_c)]
pub use abi::md::*;
#[cfg(mbedtls_memory_buffer_alloc_c)]
pub use abi::memory_buffer_alloc::*;
pub use abi::platform::*;
#[cfg(mbedtls_have_time)]
pub use abi::platform_time::*;
#[cfg(mbedtls_rsa_c)]
pub use abi::rsa::*;
#[cfg(mbedtls_sha1_c)]
pub use abi::sha1::*;
#[cfg(mbedtls_sha256_c)]
pub use abi::sha256::*;
#[cfg(mbedtls_sha512_c)]
pub use abi::sha512::*;
#[cfg(mbedtls_ssl_tls_c)]
pub use abi::ssl::*;
#[cfg(mbedtls_ssl_cache_c)]
pub use abi::ssl_cache::*;
#[cfg(mbedtls_ssl_cookie_c)]
pub use abi::ssl_cookie::*;
#[cfg(mbedtls_ssl_ticket_c)]
pub use abi::ssl_ticket::*;
pub use abi::threading::*;
pub use abi::threading_ext::*;
#[cfg(all(mbedtls_bignum_c, not(loom)))]
pub use bignum::ffi::*;
#[cfg(all(mbedtls_ctr_drbg_c, not(loom)))]
pub use ctr_drbg::ffi::*;
#[cfg(all(mbedtls_entropy_c, not(loom)))]
pub use entropy::ffi::*;
pub use error::ffi::*;
#[cfg(all(mbedtls_hmac_drbg_c, not(loom)))]
pub use hmac_drbg::ffi::*;
#[cfg(all(mbedtls_md_c, not(loom)))]
pub use md::ffi::*;
#[cfg(all(mbedtls_sha1_c, not(loom)))]
pub use md::sha1_ffi::*;
#[cfg(all(mbedtls_sha256_c, not(loom)))]
pub use md::sha256_ffi::*;
#[cfg(all(mbedtls_sha512_c, not(loom)))]
pub use md::sha512_ffi::*;
#[cfg(all(mbedtls_memory_buffer_alloc_c, not(loom)))]
pub use memory_buffer_alloc::ffi::*;
pub use platform::ffi::*;
#[cfg(mbedtls_have_time)]
pub use platform::time_ffi::*;
pub use platform::util_ffi::*;
#[cfg(all(mbedtls_rsa_c, not(loom)))]
pub use rsa::ffi::*;
#[cfg(all(mbedtls_ssl_tls_c, not(loom)))]
pub use ssl::ffi::*;
#[cfg(all(mbedtls_ssl_cache_c, not(loom)))]
pub use ssl_cache::ffi::*;
#[cfg(all(mbedtls_ssl_cookie_c, not(loom)))]
pub use ssl_cookie::ffi::*;
#[cfg(all(mbedtls_ssl_ticket_c, not(loom)))]
pub use ssl_ticket::ffi::*;
#[cfg(not(loom))]
pub use threading::ext_ffi::*;
#[cfg(all(mbedtls_threading_c, not(loom)))]
pub use threading::ffi::*;
pub use version::ffi::*;

#[doc(hidden)]
#[cfg(not(loom))]
pub use threading::install_test_backend;

/// The directory where the build script wrote the C headers for the
/// features this crate was compiled with (`$OUT_DIR/include`). Tests use it
/// to compare them with the checked-in `include/` and to compile C programs.
#[doc(hidden)]
pub const GENERATED_INCLUDE_DIR: &str = env!("MBEDCRYPTO_GENERATED_INCLUDE");

/// Whether this build has the default configuration, the one the checked-in
/// `include/` tree describes.
#[doc(hidden)]
pub const DEFAULT_CONFIG: bool = cfg!(mbedcrypto_default_config);

#[cfg(all(not(feature = "std"), not(test)))]
#[panic_handler]
fn panic(_info: &core::panic::PanicInfo<'_>) -> ! {
    // Firmware builds use panic = "abort"; there is nobody to report to.
    loop {
        core::hint::spin_loop();
    }
}
