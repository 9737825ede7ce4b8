//! The C surface of the session part of ssl.h.

use core::ffi::{c_int, c_uchar};

use zeroize::Zeroize;

use super::session::{self, Error, Fields};
use crate::abi::ssl::{
    MBEDTLS_ERR_SSL_ALLOC_FAILED, MBEDTLS_ERR_SSL_BAD_INPUT_DATA, MBEDTLS_ERR_SSL_BUFFER_TOO_SMALL,
    MBEDTLS_ERR_SSL_FEATURE_UNAVAILABLE, MBEDTLS_ERR_SSL_INTERNAL_ERROR,
    MBEDTLS_ERR_SSL_VERSION_MISMATCH, mbedtls_ssl_session,
};
use crate::ffi::{boundary, try_slice, try_slice_mut};
use crate::platform::ffi::{mbedtls_calloc, mbedtls_free};

fn code(e: Error) -> c_int {
    match e {
        Error::BadInput => MBEDTLS_ERR_SSL_BAD_INPUT_DATA,
        Error::VersionMismatch => MBEDTLS_ERR_SSL_VERSION_MISMATCH,
        Error::FeatureUnavailable => MBEDTLS_ERR_SSL_FEATURE_UNAVAILABLE,
    }
}

/// Wipes and frees a buffer the session owns.
///
/// # Safety
///
/// `p` is NULL or an `mbedtls_calloc()` block of at least `len` bytes.
unsafe fn drop_blob(p: *mut c_uchar, len: usize) {
    if p.is_null() {
        return;
    }
    // SAFETY: per the contract.
    unsafe {
        core::slice::from_raw_parts_mut(p, len).zeroize();
        mbedtls_free(p.cast());
    }
}

/// A copy of `b` in a block from `mbedtls_calloc()` (NULL for empty).
fn copy_blob(b: &[u8]) -> Result<*mut c_uchar, c_int> {
    if b.is_empty() {
        return Ok(core::ptr::null_mut());
    }
    let p = mbedtls_calloc(1, b.len()).cast::<c_uchar>();
    if p.is_null() {
        return Err(MBEDTLS_ERR_SSL_ALLOC_FAILED);
    }
    // SAFETY: a fresh block of b.len() bytes.
    unsafe { core::ptr::copy_nonoverlapping(b.as_ptr(), p, b.len()) };
    Ok(p)
}

/// Initialises a session to empty. NULL is ignored.
///
/// Thread safety: caller serialises.
///
/// # Safety
///
/// `session` is NULL or writable memory for a session.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mbedtls_ssl_session_init(session: *mut mbedtls_ssl_session) {
    boundary(|| {
        if !session.is_null() {
            // SAFETY: writable (caller); all-zero is the empty session.
            unsafe { core::ptr::write_bytes(session, 0, 1) };
        }
    })
}

/// Frees what the session owns (its ticket and the peer's certificate,
/// wiped first) and wipes the session, master secret included. NULL,
/// free twice and free after init are harmless.
///
/// Thread safety: caller serialises.
///
/// # Safety
///
/// `session` is NULL or an initialised (or zero-filled) session.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mbedtls_ssl_session_free(session: *mut mbedtls_ssl_session) {
    boundary(|| {
        if session.is_null() {
            return;
        }
        // SAFETY: an initialised session (caller) owns these blocks.
        unsafe {
            drop_blob((*session).ticket, (*session).ticket_len);
            drop_blob((*session).peer_cert_der, (*session).peer_cert_len);
            let bytes = core::slice::from_raw_parts_mut(
                session.cast::<u8>(),
                size_of::<mbedtls_ssl_session>(),
            );
            bytes.zeroize();
        }
    })
}

/// Reads a session's fields.
///
/// # Safety
///
/// `s` is a valid session whose blob pointers are NULL or hold their
/// lengths.
unsafe fn fields<'a>(s: *const mbedtls_ssl_session) -> Result<Fields<'a>, c_int> {
    // SAFETY: valid (caller).
    let s = unsafe { &*s };
    // SAFETY: blobs hold their lengths (caller).
    let cert = unsafe { try_slice(s.peer_cert_der, s.peer_cert_len) }
        .ok_or(MBEDTLS_ERR_SSL_BAD_INPUT_DATA)?;
    // SAFETY: as above.
    let ticket =
        unsafe { try_slice(s.ticket, s.ticket_len) }.ok_or(MBEDTLS_ERR_SSL_BAD_INPUT_DATA)?;
    if s.tls_version & !0xFF != 0x0300 {
        return Err(MBEDTLS_ERR_SSL_FEATURE_UNAVAILABLE);
    }
    Ok(Fields {
        tls_minor: s.tls_version as u8,
        endpoint: s.endpoint,
        ciphersuite: s.ciphersuite as u16,
        #[cfg(mbedtls_have_time)]
        start: s.start as u64,
        #[cfg(not(mbedtls_have_time))]
        start: 0,
        id_len: s.id_len as u8,
        id: &s.id,
        master: &s.master,
        verify_result: s.verify_result,
        cert,
        ticket,
        ticket_lifetime: s.ticket_lifetime,
        #[cfg(mbedtls_have_time)]
        ticket_creation_time: s.ticket_creation_time as u64,
        #[cfg(not(mbedtls_have_time))]
        ticket_creation_time: 0,
        mfl_code: s.mfl_code,
        etm: s.encrypt_then_mac as u8,
    })
}

/// Serializes a session in upstream 3.6's format (TLS 1.2 sessions). With
/// `buf_len` too small (or `buf` NULL) returns
/// `MBEDTLS_ERR_SSL_BUFFER_TOO_SMALL` and the size needed in `*olen`.
/// Other results: 0, `MBEDTLS_ERR_SSL_INTERNAL_ERROR` (NULL session, as
/// upstream), `MBEDTLS_ERR_SSL_BAD_INPUT_DATA` (NULL `olen`, or a blob
/// pointer that is NULL with a length),
/// `MBEDTLS_ERR_SSL_FEATURE_UNAVAILABLE` (not a TLS 1.2 session).
///
/// Thread safety: caller serialises (reads the session).
///
/// # Safety
///
/// `session` is NULL or an initialised session; `buf` is NULL or writable
/// for `buf_len` bytes; `olen` is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mbedtls_ssl_session_save(
    session: *const mbedtls_ssl_session,
    buf: *mut c_uchar,
    buf_len: usize,
    olen: *mut usize,
) -> c_int {
    boundary(|| {
        if session.is_null() {
            return MBEDTLS_ERR_SSL_INTERNAL_ERROR;
        }
        if olen.is_null() {
            return MBEDTLS_ERR_SSL_BAD_INPUT_DATA;
        }
        // SAFETY: per the contract.
        let f = match unsafe { fields(session) } {
            Ok(f) => f,
            Err(e) => return e,
        };
        if f.tls_minor != session::TLS1_2_MINOR {
            return MBEDTLS_ERR_SSL_FEATURE_UNAVAILABLE;
        }
        let needed = session::saved_len(&f);
        // SAFETY: writable (caller).
        unsafe { *olen = needed };
        if buf_len < needed || buf.is_null() {
            return MBEDTLS_ERR_SSL_BUFFER_TOO_SMALL;
        }
        // SAFETY: writable for buf_len >= needed bytes (caller).
        let Some(out) = (unsafe { try_slice_mut(buf, needed) }) else {
            return MBEDTLS_ERR_SSL_BAD_INPUT_DATA;
        };
        match session::save(&f, out) {
            Ok(()) => 0,
            Err(e) => code(e),
        }
    })
}

/// Loads a session saved by `mbedtls_ssl_session_save()` (ours or upstream
/// 3.6's with the same options). Whatever the session held before is freed
/// first. On failure the session is freed (left empty), as upstream does.
/// Returns 0, `MBEDTLS_ERR_SSL_BAD_INPUT_DATA` (truncated or malformed
/// data, trailing bytes, NULL `buf` with a length, not TLS 1.2),
/// `MBEDTLS_ERR_SSL_VERSION_MISMATCH` (another version or configuration),
/// `MBEDTLS_ERR_SSL_ALLOC_FAILED`, or `MBEDTLS_ERR_SSL_INTERNAL_ERROR` for a
/// NULL session.
///
/// Thread safety: caller serialises (writes the session).
///
/// # Safety
///
/// `session` is NULL or an initialised session; `buf` is NULL or readable
/// for `len` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mbedtls_ssl_session_load(
    session: *mut mbedtls_ssl_session,
    buf: *const c_uchar,
    len: usize,
) -> c_int {
    boundary(|| {
        if session.is_null() {
            return MBEDTLS_ERR_SSL_INTERNAL_ERROR;
        }
        // SAFETY: an initialised session (caller).
        unsafe { mbedtls_ssl_session_free(session) };
        // SAFETY: readable for len bytes (caller).
        let Some(input) = (unsafe { try_slice(buf, len) }) else {
            return MBEDTLS_ERR_SSL_BAD_INPUT_DATA;
        };
        let f = match session::load(input) {
            Ok(f) => f,
            Err(e) => return code(e),
        };
        let cert = match copy_blob(f.cert) {
            Ok(c) => c,
            Err(e) => return e,
        };
        let ticket = match copy_blob(f.ticket) {
            Ok(t) => t,
            Err(e) => {
                // SAFETY: the block we just allocated (or NULL).
                unsafe { drop_blob(cert, f.cert.len()) };
                return e;
            }
        };
        // SAFETY: writable session (caller), emptied above.
        let s = unsafe { &mut *session };
        s.tls_version = 0x0300 | c_int::from(f.tls_minor);
        s.endpoint = f.endpoint;
        s.ciphersuite = c_int::from(f.ciphersuite);
        #[cfg(mbedtls_have_time)]
        {
            s.start = f.start as _;
            s.ticket_creation_time = f.ticket_creation_time as _;
        }
        s.id_len = usize::from(f.id_len);
        s.id = *f.id;
        s.master = *f.master;
        s.verify_result = f.verify_result;
        s.peer_cert_der = cert;
        s.peer_cert_len = f.cert.len();
        s.ticket = ticket;
        s.ticket_len = f.ticket.len();
        s.ticket_lifetime = f.ticket_lifetime;
        s.mfl_code = f.mfl_code;
        s.encrypt_then_mac = c_int::from(f.etm);
        0
    })
}
