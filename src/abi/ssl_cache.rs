//! ssl_cache.h: the session cache context and its defaults.

use core::ffi::{c_int, c_void};

#[cfg(mbedtls_threading_c)]
use super::threading::mbedtls_threading_mutex_t;

/// Default lifetime of a cached session, in seconds.
pub const MBEDTLS_SSL_CACHE_DEFAULT_TIMEOUT: c_int = 86400;
/// Default maximum number of cached sessions.
pub const MBEDTLS_SSL_CACHE_DEFAULT_MAX_ENTRIES: c_int = 50;

/// Words of a cache's join counters (`guard_joined`): in hosted builds 8
/// counters 64 bytes apart, so that threads on different cores count
/// themselves in on different cache lines.
#[cfg(not(mbedtls_no_platform_entropy))]
pub const MBEDCRYPTO_SSL_CACHE_JOIN_WORDS: usize = 128;
/// Words of a cache's join counters (`guard_joined`): one counter in
/// builds without an operating system (`MBEDTLS_NO_PLATFORM_ENTROPY`, the
/// firmware configuration), whose cores are few and share no cache lines
/// worth spreading over.
#[cfg(mbedtls_no_platform_entropy)]
pub const MBEDCRYPTO_SSL_CACHE_JOIN_WORDS: usize = 1;

/// A session cache. `chain` points to the library's hash index (NULL until
/// the first set), not to a list of entries as upstream's does.
/// cbindgen:field-names=[MBEDTLS_PRIVATE(chain), MBEDTLS_PRIVATE(timeout), MBEDTLS_PRIVATE(max_entries), MBEDTLS_PRIVATE(mutex), MBEDTLS_PRIVATE(guard_state), MBEDTLS_PRIVATE(guard_holder), MBEDTLS_PRIVATE(guard_joined)]
#[repr(C)]
pub struct mbedtls_ssl_cache_context {
    /// The index (library-owned).
    pub chain: *mut c_void,
    /// Lifetime of an entry in seconds; 0: no expiry.
    pub timeout: c_int,
    /// Most entries kept.
    pub max_entries: c_int,
    /// Upstream's mutex.
    #[cfg(mbedtls_threading_c)]
    pub mutex: mbedtls_threading_mutex_t,
    /// Lifecycle and users (ours).
    pub guard_state: u32,
    /// Holder of the mutex (ours).
    pub guard_holder: u32,
    /// Counters of the operations in flight (ours; get, set and remove
    /// lock one shard of the index, not the mutex): see
    /// `MBEDCRYPTO_SSL_CACHE_JOIN_WORDS`.
    pub guard_joined: [u32; MBEDCRYPTO_SSL_CACHE_JOIN_WORDS],
}
