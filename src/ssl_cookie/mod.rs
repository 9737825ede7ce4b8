//! ssl_cookie.h: stateless DTLS cookies (RFC 6347 HelloVerifyRequest).
//!
//! A cookie is a 4-byte big-endian timestamp followed by the first 28 bytes
//! of HMAC-SHA-256(key, timestamp || client id), upstream's format. The
//! check recomputes the tag, compares it in constant time and then applies
//! the timeout. The timestamp is the time in seconds, or without
//! `MBEDTLS_HAVE_TIME` a count of cookies issued.

#[cfg(not(loom))]
pub(crate) mod ffi;

use subtle::ConstantTimeEq;

/// Bytes of the time field.
pub(crate) const TIME_LEN: usize = 4;
/// Bytes of the truncated HMAC.
pub(crate) const TAG_LEN: usize = 28;
/// Bytes of a cookie.
pub(crate) const COOKIE_LEN: usize = TIME_LEN + TAG_LEN;
/// Bytes of the HMAC key drawn at setup (the hash's output size).
pub(crate) const KEY_LEN: usize = 32;

/// Whether `tag` equals the first [`TAG_LEN`] bytes of `full`, in time
/// that does not depend on the contents.
pub(crate) fn tag_matches(tag: &[u8], full: &[u8]) -> bool {
    tag.len() == TAG_LEN && bool::from(tag.ct_eq(&full[..TAG_LEN]))
}

/// Whether a cookie stamped `stamp` has expired at `now` (upstream's
/// unsigned arithmetic: a stamp from the future counts as very old).
pub(crate) fn expired(now: u32, stamp: u32, timeout: u64) -> bool {
    timeout != 0 && u64::from(now.wrapping_sub(stamp)) > timeout
}

/// The current time in seconds, truncated to 32 bits as in the cookie.
#[cfg(mbedtls_have_time)]
pub(crate) fn now() -> u32 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expiry_rules() {
        assert!(!expired(100, 100, 60));
        assert!(!expired(160, 100, 60));
        assert!(expired(161, 100, 60));
        assert!(!expired(1_000_000, 100, 0));
        // A stamp from the future wraps around to a huge age.
        assert!(expired(100, 101, 60));
        assert!(!expired(5, u32::MAX - 10, 60));
    }

    #[test]
    fn tags() {
        let full = [7u8; 32];
        assert!(tag_matches(&full[..28], &full));
        let mut bad = full;
        bad[27] ^= 1;
        assert!(!tag_matches(&bad[..28], &full));
        assert!(!tag_matches(&full[..27], &full));
    }
}
