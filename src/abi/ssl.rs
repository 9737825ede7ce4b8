//! ssl.h (the part the session stores need): the SSL error codes. The
//! callback typedefs, which are function types that cbindgen cannot write,
//! are in `build/templates/ssl.h.head`.

use core::ffi::{c_int, c_uchar};

#[cfg(mbedtls_have_time)]
use super::platform_time::{mbedtls_ms_time_t, mbedtls_time_t};

/// The requested feature is not available in this build.
pub const MBEDTLS_ERR_SSL_FEATURE_UNAVAILABLE: c_int = -0x7080;
/// An argument is invalid.
pub const MBEDTLS_ERR_SSL_BAD_INPUT_DATA: c_int = -0x7100;
/// Authentication of a record or ticket failed.
pub const MBEDTLS_ERR_SSL_INVALID_MAC: c_int = -0x7180;
/// The peer sent a fatal alert.
pub const MBEDTLS_ERR_SSL_FATAL_ALERT_MESSAGE: c_int = -0x7780;
/// No session with this id is in the cache.
pub const MBEDTLS_ERR_SSL_CACHE_ENTRY_NOT_FOUND: c_int = -0x7E80;
/// Memory could not be allocated.
pub const MBEDTLS_ERR_SSL_ALLOC_FAILED: c_int = -0x7F00;
/// The session ticket has expired.
pub const MBEDTLS_ERR_SSL_SESSION_TICKET_EXPIRED: c_int = -0x6D80;
/// Internal error: the library reached a state it should not.
pub const MBEDTLS_ERR_SSL_INTERNAL_ERROR: c_int = -0x6C00;
/// The output buffer is too small.
pub const MBEDTLS_ERR_SSL_BUFFER_TOO_SMALL: c_int = -0x6A00;
/// The serialized data comes from another version or configuration.
pub const MBEDTLS_ERR_SSL_VERSION_MISMATCH: c_int = -0x5F00;

/// The session's endpoint: a client.
pub const MBEDTLS_SSL_IS_CLIENT: c_int = 0;
/// The session's endpoint: a server.
pub const MBEDTLS_SSL_IS_SERVER: c_int = 1;

/// A TLS session: what resuming it needs, in the fields that upstream's
/// serialization (`mbedtls_ssl_session_save()`) carries for TLS 1.2. The
/// peer's certificate is kept as its DER bytes and the ticket as bytes,
/// both allocated with `mbedtls_calloc()` and owned by the session.
/// cbindgen:field-names=[MBEDTLS_PRIVATE(mfl_code), MBEDTLS_PRIVATE(endpoint), MBEDTLS_PRIVATE(tls_version), MBEDTLS_PRIVATE(start), MBEDTLS_PRIVATE(ciphersuite), MBEDTLS_PRIVATE(id_len), MBEDTLS_PRIVATE(id), MBEDTLS_PRIVATE(master), MBEDTLS_PRIVATE(peer_cert_der), MBEDTLS_PRIVATE(peer_cert_len), MBEDTLS_PRIVATE(verify_result), MBEDTLS_PRIVATE(ticket), MBEDTLS_PRIVATE(ticket_len), MBEDTLS_PRIVATE(ticket_lifetime), MBEDTLS_PRIVATE(ticket_creation_time), MBEDTLS_PRIVATE(encrypt_then_mac)]
#[repr(C)]
pub struct mbedtls_ssl_session {
    /// The negotiated maximum fragment length code.
    pub mfl_code: c_uchar,
    /// `MBEDTLS_SSL_IS_CLIENT` or `MBEDTLS_SSL_IS_SERVER`.
    pub endpoint: c_uchar,
    /// `mbedtls_ssl_protocol_version` (0x0303 for TLS 1.2).
    pub tls_version: c_int,
    /// When the session started (seconds).
    #[cfg(mbedtls_have_time)]
    pub start: mbedtls_time_t,
    /// The ciphersuite's IANA number.
    pub ciphersuite: c_int,
    /// Bytes of `id` in use.
    pub id_len: usize,
    /// The session id.
    pub id: [c_uchar; 32],
    /// The master secret.
    pub master: [c_uchar; 48],
    /// The peer's certificate (DER), or NULL.
    pub peer_cert_der: *mut c_uchar,
    /// Bytes at `peer_cert_der`.
    pub peer_cert_len: usize,
    /// The result of verifying the peer's certificate.
    pub verify_result: u32,
    /// The session ticket (client), or NULL.
    pub ticket: *mut c_uchar,
    /// Bytes at `ticket`.
    pub ticket_len: usize,
    /// The ticket's lifetime in seconds (client).
    pub ticket_lifetime: u32,
    /// When the server made the ticket (milliseconds).
    #[cfg(mbedtls_have_time)]
    pub ticket_creation_time: mbedtls_ms_time_t,
    /// Whether encrypt-then-MAC was negotiated.
    pub encrypt_then_mac: c_int,
}
