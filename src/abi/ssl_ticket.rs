//! ssl_ticket.h: the ticket context and its constants.

use core::ffi::{c_int, c_uchar, c_void};

#[cfg(mbedtls_threading_c)]
use super::threading::mbedtls_threading_mutex_t;

/// The largest ticket key, in bytes.
pub const MBEDTLS_SSL_TICKET_MAX_KEY_BYTES: c_int = 32;
/// Bytes of a key name.
pub const MBEDTLS_SSL_TICKET_KEY_NAME_BYTES: c_int = 4;

/// A ticket context. `keys` points to the library's current pair of key
/// generations (an immutable, reference-counted snapshot), not to
/// upstream's array of cipher contexts.
/// cbindgen:field-names=[MBEDTLS_PRIVATE(keys), MBEDTLS_PRIVATE(active), MBEDTLS_PRIVATE(ticket_lifetime), MBEDTLS_PRIVATE(f_rng), MBEDTLS_PRIVATE(p_rng), MBEDTLS_PRIVATE(mutex), MBEDTLS_PRIVATE(guard_state), MBEDTLS_PRIVATE(guard_holder)]
#[repr(C)]
pub struct mbedtls_ssl_ticket_context {
    /// The key pair (library-owned), NULL until setup.
    pub keys: *const c_void,
    /// Index of the active key in the pair (informative).
    pub active: c_uchar,
    /// Lifetime of tickets and of new keys, in seconds.
    pub ticket_lifetime: u32,
    /// The RNG for keys, names and IVs.
    pub f_rng: Option<unsafe extern "C" fn(*mut c_void, *mut c_uchar, usize) -> c_int>,
    /// The RNG's context.
    pub p_rng: *mut c_void,
    /// Upstream's mutex.
    #[cfg(mbedtls_threading_c)]
    pub mutex: mbedtls_threading_mutex_t,
    /// Lifecycle and users (ours).
    pub guard_state: u32,
    /// Holder of the mutex (ours).
    pub guard_holder: u32,
}
