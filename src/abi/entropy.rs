//! entropy.h: error codes, limits, the source callback type, and the
//! entropy context.

use core::ffi::{c_int, c_uchar, c_void};

#[cfg(mbedtls_threading_c)]
use super::threading::mbedtls_threading_mutex_t;

/// A source failed critically, or the sources delivered too little entropy
/// within 256 gathering rounds, or more than `MBEDTLS_ENTROPY_BLOCK_SIZE`
/// bytes were requested from `mbedtls_entropy_func()`.
pub const MBEDTLS_ERR_ENTROPY_SOURCE_FAILED: c_int = -0x003C;
/// The context already has `MBEDTLS_ENTROPY_MAX_SOURCES` sources.
pub const MBEDTLS_ERR_ENTROPY_MAX_SOURCES: c_int = -0x003E;
/// The context has no sources to poll (also: the context was never
/// initialised, or was freed).
pub const MBEDTLS_ERR_ENTROPY_NO_SOURCES_DEFINED: c_int = -0x0040;
/// None of the context's sources is strong.
pub const MBEDTLS_ERR_ENTROPY_NO_STRONG_SOURCE: c_int = -0x003D;
/// Reading or writing a seed file failed.
pub const MBEDTLS_ERR_ENTROPY_FILE_IO_ERROR: c_int = -0x003F;

/// The most sources a context holds (the default platform source counts).
pub const MBEDTLS_ENTROPY_MAX_SOURCES: usize = 20;
/// The number of bytes asked of each source per poll.
pub const MBEDTLS_ENTROPY_MAX_GATHER: usize = 128;
/// The largest part of a seed file that is read.
pub const MBEDTLS_ENTROPY_MAX_SEED_SIZE: usize = 1024;
/// The source id under which manual updates are mixed in.
pub const MBEDTLS_ENTROPY_SOURCE_MANUAL: usize = MBEDTLS_ENTROPY_MAX_SOURCES;
/// The block size of the accumulator (SHA-512): the most that one call of
/// `mbedtls_entropy_func()` returns.
pub const MBEDTLS_ENTROPY_BLOCK_SIZE: usize = 64;
/// `strong` value of a source that is strong on its own.
pub const MBEDTLS_ENTROPY_SOURCE_STRONG: c_int = 1;
/// `strong` value of a source that only adds to the others.
pub const MBEDTLS_ENTROPY_SOURCE_WEAK: c_int = 0;

/// An entropy source: writes up to `len` bytes of entropy to `output`,
/// stores the count in `*olen` (which may be less than `len`, even 0) and
/// returns 0, or a non-zero error code if something critical failed.
/// `data` is the pointer given to `mbedtls_entropy_add_source()`.
pub type mbedtls_entropy_f_source_ptr = Option<
    unsafe extern "C" fn(
        data: *mut c_void,
        output: *mut c_uchar,
        len: usize,
        olen: *mut usize,
    ) -> c_int,
>;

/// One registered source and what it has delivered since the last output.
/// cbindgen:field-names=[MBEDTLS_PRIVATE(f_source), MBEDTLS_PRIVATE(p_source), MBEDTLS_PRIVATE(size), MBEDTLS_PRIVATE(threshold), MBEDTLS_PRIVATE(strong)]
#[repr(C)]
#[derive(Clone, Copy)]
pub struct mbedtls_entropy_source_state {
    /// The source callback.
    pub f_source: mbedtls_entropy_f_source_ptr,
    /// The callback's data pointer.
    pub p_source: *mut c_void,
    /// Bytes delivered since the last output.
    pub size: usize,
    /// Bytes this source must deliver before an output is produced.
    pub threshold: usize,
    /// `MBEDTLS_ENTROPY_SOURCE_STRONG` or `MBEDTLS_ENTROPY_SOURCE_WEAK`.
    pub strong: c_int,
}

/// The running SHA-512 hash of the accumulator, kept in the context itself
/// (upstream keeps an `mbedtls_md_context_t` whose state is allocated on
/// the heap). Plain data; only the library reads or writes it.
/// cbindgen:field-names=[MBEDTLS_PRIVATE(state), MBEDTLS_PRIVATE(total), MBEDTLS_PRIVATE(used), MBEDTLS_PRIVATE(block)]
#[repr(C)]
#[derive(Clone, Copy)]
pub struct mbedcrypto_entropy_accumulator {
    /// The chaining value.
    pub state: [u64; 8],
    /// Bytes hashed so far.
    pub total: u64,
    /// Bytes waiting in `block`.
    pub used: u64,
    /// The partial input block.
    pub block: [u8; 128],
}

/// An entropy accumulator with its sources. Initialise with
/// `mbedtls_entropy_init()` and release with `mbedtls_entropy_free()`.
/// The members before `guard_state` are upstream's, in upstream's order
/// (`source_count` is the number of registered sources, as upstream's);
/// `guard_state` and `guard_holder` are the library's lifecycle and
/// re-entry guard.
/// cbindgen:field-names=[MBEDTLS_PRIVATE(accumulator), MBEDTLS_PRIVATE(accumulator_started), MBEDTLS_PRIVATE(source_count), MBEDTLS_PRIVATE(source), MBEDTLS_PRIVATE(mutex), MBEDTLS_PRIVATE(initial_entropy_run), MBEDTLS_PRIVATE(guard_state), MBEDTLS_PRIVATE(guard_holder)]
#[repr(C)]
pub struct mbedtls_entropy_context {
    /// The accumulator's hash state.
    pub accumulator: mbedcrypto_entropy_accumulator,
    /// 0 after init, 1 once the accumulator is in use, -1 after free.
    pub accumulator_started: c_int,
    /// The number of registered sources.
    pub source_count: c_int,
    /// The registered sources.
    pub source: [mbedtls_entropy_source_state; MBEDTLS_ENTROPY_MAX_SOURCES],
    /// The context's mutex.
    #[cfg(mbedtls_threading_c)]
    pub mutex: mbedtls_threading_mutex_t,
    /// 0 until the first output has refreshed the NV seed.
    #[cfg(mbedtls_entropy_nv_seed)]
    pub initial_entropy_run: c_int,
    /// Lifecycle state and count of threads inside (library-owned).
    pub guard_state: u32,
    /// The thread holding the mutex (library-owned).
    pub guard_holder: u32,
}
