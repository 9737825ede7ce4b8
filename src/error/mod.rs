//! error.h: descriptions of error codes, in our own words.
//!
//! An Mbed TLS error code is the sum of an optional high-level code
//! (a multiple of 0x80 in 0x1000..=0x7F80, from modules such as RSA or MD)
//! and an optional low-level code (0x01..=0x7F, from modules such as bignum
//! or the DRBGs). `mbedtls_strerror` describes both halves in upstream's
//! format: `"<MODULE> - <text>"`, joined by `" : "`, with
//! `"UNKNOWN ERROR CODE (XXXX)"` for codes it does not know.

pub(crate) mod ffi;

use core::ffi::CStr;

/// A description as a `&'static CStr` kept in a static of its own. String
/// literals of a crate share one mergeable section, which a firmware linker
/// keeps whole if any of them is used; in their own statics these texts
/// drop out of images that never call `mbedtls_strerror` (2.8 KB of the
/// test firmware's flash).
macro_rules! text {
    ($s:literal) => {{
        const BYTES: &[u8] = concat!($s, "\0").as_bytes();
        static TEXT: [u8; BYTES.len()] = {
            let mut out = [0u8; BYTES.len()];
            let mut i = 0;
            while i < BYTES.len() {
                out[i] = BYTES[i];
                i += 1;
            }
            out
        };
        match CStr::from_bytes_with_nul(&TEXT) {
            Ok(text) => text,
            Err(_) => panic!("an error description contains a NUL"),
        }
    }};
}

/// Descriptions of high-level codes, by magnitude.
static HIGH_LEVEL: &[(u32, &CStr)] = &[
    (
        0x4080,
        text!("RSA - An argument is invalid (NULL pointer, wrong length or state)"),
    ),
    (
        0x4100,
        text!("RSA - Decryption found the padding malformed"),
    ),
    (0x4180, text!("RSA - Key generation did not produce a key")),
    (
        0x4200,
        text!("RSA - The key is incomplete, inconsistent or too weak"),
    ),
    (0x4280, text!("RSA - The public-key operation failed")),
    (0x4300, text!("RSA - The private-key operation failed")),
    (
        0x4380,
        text!("RSA - The signature does not match the message and key"),
    ),
    (
        0x4400,
        text!("RSA - The plaintext does not fit the output buffer"),
    ),
    (0x4480, text!("RSA - The random number generator failed")),
    (
        0x5080,
        text!("MD - The requested hash algorithm is not available"),
    ),
    (
        0x5100,
        text!("MD - An argument is invalid (NULL pointer, unknown algorithm, unset context)"),
    ),
    (
        0x5180,
        text!("MD - Memory for the hash context could not be allocated"),
    ),
    (0x5200, text!("MD - The file could not be opened or read")),
    (
        0x5F00,
        text!("SSL - The serialized data comes from another library version or configuration"),
    ),
    (0x6A00, text!("SSL - The output buffer is too small")),
    (
        0x6C00,
        text!("SSL - Internal error: the library reached a state it should not"),
    ),
    (0x6D80, text!("SSL - The session ticket has expired")),
    (
        0x7080,
        text!("SSL - The requested feature is not available"),
    ),
    (0x7100, text!("SSL - An argument is invalid")),
    (
        0x7180,
        text!("SSL - Authentication of the data failed (bad MAC)"),
    ),
    (0x7780, text!("SSL - The peer sent a fatal alert")),
    (
        0x7E80,
        text!("SSL - No session with this id is in the cache"),
    ),
    (0x7F00, text!("SSL - Memory could not be allocated")),
];

/// Descriptions of low-level codes, by magnitude.
static LOW_LEVEL: &[(u32, &CStr)] = &[
    (
        0x0001,
        text!("ERROR - An error the library could not describe more precisely"),
    ),
    (
        0x0002,
        text!("BIGNUM - A file could not be read or written"),
    ),
    (
        0x0003,
        text!("HMAC_DRBG - The request asks for more bytes than one call may return"),
    ),
    (0x0004, text!("BIGNUM - An argument is invalid")),
    (
        0x0005,
        text!("HMAC_DRBG - The additional or personalisation input is too long"),
    ),
    (
        0x0006,
        text!("BIGNUM - The text contains a character that is not a digit of the radix"),
    ),
    (
        0x0007,
        text!("HMAC_DRBG - The seed file could not be read or written"),
    ),
    (
        0x0008,
        text!("BIGNUM - The output buffer is too small for the number"),
    ),
    (0x0009, text!("HMAC_DRBG - The entropy source failed")),
    (
        0x000A,
        text!("BIGNUM - The operation needs a non-negative number"),
    ),
    (0x000C, text!("BIGNUM - Division by zero")),
    (
        0x000E,
        text!("BIGNUM - The number does not meet the requirement (for example, no inverse exists)"),
    ),
    (
        0x0010,
        text!("BIGNUM - Memory for the number could not be allocated"),
    ),
    (
        0x001C,
        text!("THREADING - The mutex is NULL, not initialised, freed, or no backend is installed"),
    ),
    (
        0x001E,
        text!("THREADING - The mutex could not be locked, unlocked or freed as asked"),
    ),
    (0x0034, text!("CTR_DRBG - The entropy source failed")),
    (
        0x0036,
        text!("CTR_DRBG - The request asks for more bytes than one call may return"),
    ),
    (
        0x0038,
        text!("CTR_DRBG - The additional or personalisation input is too long"),
    ),
    (
        0x003A,
        text!("CTR_DRBG - The seed file could not be read or written"),
    ),
    (0x003C, text!("ENTROPY - An entropy source failed")),
    (
        0x003D,
        text!("ENTROPY - No strong entropy source is registered"),
    ),
    (
        0x003E,
        text!("ENTROPY - No more entropy sources can be registered"),
    ),
    (
        0x003F,
        text!("ENTROPY - The seed file could not be read or written"),
    ),
    (0x0040, text!("ENTROPY - No entropy source is registered")),
    (
        0x006E,
        text!("ERROR - Internal inconsistency detected (a library bug or memory corruption)"),
    ),
    (0x0070, text!("PLATFORM - The hardware accelerator failed")),
    (
        0x0072,
        text!("PLATFORM - The feature is not supported on this platform"),
    ),
    (
        0x0073,
        text!("SHA1 - A bad argument (NULL pointer or a context that was not started)"),
    ),
    (
        0x0074,
        text!(
            "SHA256 - A bad argument (NULL pointer, bad is224 flag, or a context that was not started)"
        ),
    ),
    (
        0x0075,
        text!(
            "SHA512 - A bad argument (NULL pointer, bad is384 flag, or a context that was not started)"
        ),
    ),
];

/// The magnitude of an error code (positive and negative codes are treated
/// alike, as upstream does).
fn magnitude(code: i32) -> u32 {
    code.unsigned_abs()
}

/// The description of the high-level part of `code`, if known.
pub(crate) fn high_level(code: i32) -> Option<&'static CStr> {
    let high = magnitude(code) & 0xFF80;
    HIGH_LEVEL.iter().find(|(c, _)| *c == high).map(|(_, s)| *s)
}

/// The description of the low-level part of `code`, if known.
pub(crate) fn low_level(code: i32) -> Option<&'static CStr> {
    let low = magnitude(code) & 0x007F;
    LOW_LEVEL.iter().find(|(c, _)| *c == low).map(|(_, s)| *s)
}

/// A tiny writer into a fixed buffer that always leaves room for a NUL and
/// silently truncates.
struct Out<'a> {
    buf: &'a mut [u8],
    len: usize,
}

impl Out<'_> {
    fn push(&mut self, s: &[u8]) {
        let room = self.buf.len().saturating_sub(1).saturating_sub(self.len);
        let n = s.len().min(room);
        self.buf[self.len..self.len + n].copy_from_slice(&s[..n]);
        self.len += n;
    }

    fn push_unknown(&mut self, part: u32) {
        let mut text = *b"UNKNOWN ERROR CODE (0000)";
        let hex = b"0123456789ABCDEF";
        for i in 0..4 {
            text[20 + i] = hex[((part >> (12 - 4 * i)) & 0xF) as usize];
        }
        self.push(&text);
    }
}

/// Writes the description of `code` into `buf` as upstream's
/// `mbedtls_strerror` does: the buffer is zero-filled first, the text is
/// truncated to fit and always NUL-terminated; an empty buffer is left
/// untouched.
pub(crate) fn strerror(code: i32, buf: &mut [u8]) {
    if buf.is_empty() {
        return;
    }
    buf.fill(0);
    let m = magnitude(code);
    let (high, low) = (m & 0xFF80, m & 0x007F);
    let mut out = Out { buf, len: 0 };
    if high != 0 {
        match high_level(code) {
            Some(text) => out.push(text.to_bytes()),
            None => out.push_unknown(high),
        }
        // A fatal alert from the peer has no meaningful low-level part.
        if high == 0x7780 {
            return;
        }
    }
    if low == 0 {
        return;
    }
    if high != 0 {
        // Upstream appends the low-level part only if at least 5 bytes of
        // the buffer are left.
        if out.buf.len() - out.len < 5 {
            return;
        }
        out.push(b" : ");
    }
    match low_level(code) {
        Some(text) => out.push(text.to_bytes()),
        None => out.push_unknown(low),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(code: i32, size: usize) -> std::string::String {
        let mut buf = std::vec![0xAAu8; size];
        strerror(code, &mut buf);
        let end = buf.iter().position(|&b| b == 0).expect("NUL-terminated");
        assert!(
            buf[end..].iter().all(|&b| b == 0),
            "rest of the buffer is zero-filled"
        );
        std::string::String::from_utf8(buf[..end].to_vec()).unwrap()
    }

    #[test]
    fn compound_codes() {
        assert_eq!(
            text(-0x4284, 200),
            "RSA - The public-key operation failed : BIGNUM - An argument is invalid"
        );
        assert_eq!(text(0x4284, 200), text(-0x4284, 200), "sign is ignored");
        assert_eq!(
            text(-0x001C, 200),
            low_level(-0x1C).unwrap().to_str().unwrap()
        );
        assert_eq!(text(0, 10), "");
    }

    #[test]
    fn unknown_codes() {
        assert_eq!(text(-0x0011, 100), "UNKNOWN ERROR CODE (0011)");
        assert_eq!(text(-0x1080, 100), "UNKNOWN ERROR CODE (1080)");
        assert_eq!(
            text(-0x1091, 100),
            "UNKNOWN ERROR CODE (1080) : UNKNOWN ERROR CODE (0011)"
        );
        assert_eq!(text(i32::MIN, 100), "", "no bits in either part");
    }

    #[test]
    fn truncation() {
        assert_eq!(text(-0x4284, 8), "RSA - T");
        // 38 bytes of high-level text; with a 42-byte buffer only 4 remain,
        // fewer than 5, so no separator is added.
        let high = high_level(-0x4280).unwrap().to_str().unwrap();
        assert_eq!(text(-0x4284, high.len() + 4), high);
        assert_eq!(text(-0x4284, high.len() + 5), std::format!("{high} : B"));
        let mut empty: [u8; 0] = [];
        strerror(-1, &mut empty);
    }

    #[test]
    fn fatal_alert_has_no_low_part() {
        assert_eq!(
            text(-0x7781, 200),
            high_level(-0x7780).unwrap().to_str().unwrap()
        );
    }

    #[test]
    fn tables_are_well_formed() {
        for (c, s) in HIGH_LEVEL {
            assert!(c & 0x7F == 0 && (0x1000..=0x7F80).contains(c), "{c:#x}");
            assert!(s.to_str().unwrap().contains(" - "), "{s:?}");
        }
        for (c, s) in LOW_LEVEL {
            assert!((1..=0x7F).contains(c), "{c:#x}");
            assert!(s.to_str().unwrap().contains(" - "), "{s:?}");
        }
    }
}
