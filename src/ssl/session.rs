//! Upstream Mbed TLS 3.6's serialized session format for TLS 1.2, so that a
//! session saved by upstream loads here and saves back byte for byte.
//!
//! Layout: a 5-byte header (library version 3.6.6 and a 16-bit flag word
//! naming the session options of the configuration), then TLS version
//! (minor byte), endpoint, ciphersuite (2 bytes); then with
//! `MBEDTLS_HAVE_TIME` the start time (8 bytes); the id length, the id (32
//! bytes), the master secret (48), the verification result (4); the
//! peer's certificate as a 3-byte length and its DER bytes; for a client
//! the ticket as a 3-byte length, the bytes and a 4-byte lifetime, for a
//! server (with time) the ticket creation time (8); the maximum fragment
//! length code and the encrypt-then-MAC flag (1 byte each). All integers
//! are big-endian.
//!
//! The flag word is the one upstream's default configuration writes:
//! time, certificates kept whole, client tickets, MFL, ETM, tickets, SNI
//! (0x00ff; 0x00fe without time). We keep the peer's certificate as
//! opaque bytes instead of parsing it, so any length-prefixed bytes load.

use crate::abi::build_info::{MBEDTLS_VERSION_MAJOR, MBEDTLS_VERSION_MINOR, MBEDTLS_VERSION_PATCH};

/// Session options of the format: bits 0 (time) to 7 (SNI) as upstream's
/// default configuration sets them; no time in builds without a clock.
pub(crate) const CONFIG_FLAGS: u16 = if cfg!(mbedtls_have_time) {
    0x00ff
} else {
    0x00fe
};

/// The header: the library version (3.6.6) and [`CONFIG_FLAGS`].
pub(crate) const HEADER: [u8; 5] = [
    MBEDTLS_VERSION_MAJOR as u8,
    MBEDTLS_VERSION_MINOR as u8,
    MBEDTLS_VERSION_PATCH as u8,
    (CONFIG_FLAGS >> 8) as u8,
    CONFIG_FLAGS as u8,
];

/// The minor version byte of TLS 1.2.
pub(crate) const TLS1_2_MINOR: u8 = 0x03;
/// Endpoint codes.
pub(crate) const CLIENT: u8 = 0;
/// Endpoint code of a server.
pub(crate) const SERVER: u8 = 1;
/// The longest ticket or certificate the 3-byte length can describe.
pub(crate) const MAX_BLOB: usize = 0xFF_FFFF;

/// Why a save or load failed (mapped to SSL error codes at the boundary).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Error {
    /// Malformed or truncated input (`MBEDTLS_ERR_SSL_BAD_INPUT_DATA`).
    BadInput,
    /// Another version or configuration (`MBEDTLS_ERR_SSL_VERSION_MISMATCH`).
    VersionMismatch,
    /// A session of a protocol version this library cannot serialize.
    FeatureUnavailable,
}

/// The fields of a session, borrowing its variable-length parts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Fields<'a> {
    /// Minor byte of the TLS version.
    pub(crate) tls_minor: u8,
    /// Endpoint code.
    pub(crate) endpoint: u8,
    /// Ciphersuite number.
    pub(crate) ciphersuite: u16,
    /// Start time (only with time).
    pub(crate) start: u64,
    /// Id length byte.
    pub(crate) id_len: u8,
    /// Session id.
    pub(crate) id: &'a [u8; 32],
    /// Master secret.
    pub(crate) master: &'a [u8; 48],
    /// Verification result.
    pub(crate) verify_result: u32,
    /// The peer's certificate (DER), possibly empty.
    pub(crate) cert: &'a [u8],
    /// The ticket (client), possibly empty.
    pub(crate) ticket: &'a [u8],
    /// Ticket lifetime (client).
    pub(crate) ticket_lifetime: u32,
    /// Ticket creation time (server, with time).
    pub(crate) ticket_creation_time: u64,
    /// Maximum fragment length code.
    pub(crate) mfl_code: u8,
    /// Encrypt-then-MAC flag byte.
    pub(crate) etm: u8,
}

/// Bytes the serialized form of `f` takes.
pub(crate) fn saved_len(f: &Fields<'_>) -> usize {
    let mut n = HEADER.len() + 4;
    if cfg!(mbedtls_have_time) {
        n += 8;
    }
    n += 1 + 32 + 48 + 4 + 3 + f.cert.len();
    if f.endpoint == CLIENT {
        n += 3 + f.ticket.len() + 4;
    }
    if f.endpoint == SERVER && cfg!(mbedtls_have_time) {
        n += 8;
    }
    n + 2
}

/// Writes the serialized form of `f` into `out`, which holds exactly
/// [`saved_len`] bytes.
pub(crate) fn save(f: &Fields<'_>, out: &mut [u8]) -> Result<(), Error> {
    if f.tls_minor != TLS1_2_MINOR {
        return Err(Error::FeatureUnavailable);
    }
    if f.cert.len() > MAX_BLOB || f.ticket.len() > MAX_BLOB {
        return Err(Error::BadInput);
    }
    debug_assert_eq!(out.len(), saved_len(f));
    let mut w = Writer { out, at: 0 };
    w.put(&HEADER);
    w.put(&[f.tls_minor, f.endpoint]);
    w.put(&f.ciphersuite.to_be_bytes());
    if cfg!(mbedtls_have_time) {
        w.put(&f.start.to_be_bytes());
    }
    w.put(&[f.id_len]);
    w.put(f.id);
    w.put(f.master);
    w.put(&f.verify_result.to_be_bytes());
    w.put(&(f.cert.len() as u32).to_be_bytes()[1..]);
    w.put(f.cert);
    if f.endpoint == CLIENT {
        w.put(&(f.ticket.len() as u32).to_be_bytes()[1..]);
        w.put(f.ticket);
        w.put(&f.ticket_lifetime.to_be_bytes());
    }
    if f.endpoint == SERVER && cfg!(mbedtls_have_time) {
        w.put(&f.ticket_creation_time.to_be_bytes());
    }
    w.put(&[f.mfl_code, f.etm]);
    Ok(())
}

struct Writer<'o> {
    out: &'o mut [u8],
    at: usize,
}

impl Default for Fields<'_> {
    fn default() -> Self {
        Fields {
            tls_minor: 0,
            endpoint: 0,
            ciphersuite: 0,
            start: 0,
            id_len: 0,
            id: &[0; 32],
            master: &[0; 48],
            verify_result: 0,
            cert: &[],
            ticket: &[],
            ticket_lifetime: 0,
            ticket_creation_time: 0,
            mfl_code: 0,
            etm: 0,
        }
    }
}

impl Writer<'_> {
    fn put(&mut self, b: &[u8]) {
        self.out[self.at..self.at + b.len()].copy_from_slice(b);
        self.at += b.len();
    }
}

/// A cursor over serialized bytes. Reading past the end yields empty
/// slices and zeros and marks the reader as failed, so that a parse reads
/// straight through and checks once at the end.
struct Reader<'a> {
    buf: &'a [u8],
    /// Whether a read ran past the end.
    short: bool,
}

impl<'a> Reader<'a> {
    /// The next `n` bytes, or an empty slice (and the failure mark) if
    /// fewer are left.
    fn take(&mut self, n: usize) -> &'a [u8] {
        match self.buf.split_at_checked(n) {
            Some((now, rest)) => {
                self.buf = rest;
                now
            }
            None => {
                self.short = true;
                self.buf = &[];
                &[]
            }
        }
    }
    /// The next `N` bytes (zeros if too few are left).
    fn array<const N: usize>(&mut self) -> &'a [u8; N] {
        self.take(N).try_into().unwrap_or(&[0; N])
    }
    /// The next `n` bytes as a big-endian number (0 if too few are left).
    fn be(&mut self, n: usize) -> u64 {
        self.take(n)
            .iter()
            .fold(0u64, |acc, &b| (acc << 8) | u64::from(b))
    }
    /// The next byte (0 if none is left).
    fn u8(&mut self) -> u8 {
        self.be(1) as u8
    }
}

/// Parses a serialized session, in upstream's order of checks: the header
/// (too short: bad input; different: version mismatch), then the fields,
/// where a truncation, a TLS version other than 1.2 and trailing bytes are
/// all bad input.
pub(crate) fn load(buf: &[u8]) -> Result<Fields<'_>, Error> {
    if buf.len() < HEADER.len() {
        return Err(Error::BadInput);
    }
    let mut r = Reader { buf, short: false };
    if r.take(HEADER.len()) != HEADER {
        return Err(Error::VersionMismatch);
    }
    let mut f = Fields {
        tls_minor: r.u8(),
        endpoint: r.u8(),
        ciphersuite: r.be(2) as u16,
        ..Fields::default()
    };
    if cfg!(mbedtls_have_time) {
        f.start = r.be(8);
    }
    f.id_len = r.u8();
    f.id = r.array();
    f.master = r.array();
    f.verify_result = r.be(4) as u32;
    let cert_len = r.be(3) as usize;
    f.cert = r.take(cert_len);
    if f.endpoint == CLIENT {
        let ticket_len = r.be(3) as usize;
        f.ticket = r.take(ticket_len);
        f.ticket_lifetime = r.be(4) as u32;
    }
    if f.endpoint == SERVER && cfg!(mbedtls_have_time) {
        f.ticket_creation_time = r.be(8);
    }
    f.mfl_code = r.u8();
    f.etm = r.u8();
    if r.short || !r.buf.is_empty() || f.tls_minor != TLS1_2_MINOR {
        return Err(Error::BadInput);
    }
    Ok(f)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample<'a>(endpoint: u8, cert: &'a [u8], ticket: &'a [u8]) -> Fields<'a> {
        Fields {
            tls_minor: TLS1_2_MINOR,
            endpoint,
            ciphersuite: 0xC02F,
            start: 1_700_000_000,
            id_len: 32,
            id: &[0x11; 32],
            master: &[0x22; 48],
            verify_result: 0,
            cert,
            ticket,
            ticket_lifetime: 86400,
            ticket_creation_time: 1_700_000_000_123,
            mfl_code: 0,
            etm: 1,
        }
    }

    #[test]
    fn round_trip_and_every_truncation() {
        for (ep, cert, ticket) in [
            (CLIENT, &b""[..], &b""[..]),
            (CLIENT, &b"\x30\x03\x02\x01\x05"[..], &b"ticket bytes"[..]),
            (SERVER, &b""[..], &b""[..]),
            (7, &b"x"[..], &b""[..]),
        ] {
            let f = sample(ep, cert, ticket);
            let mut out = vec![0u8; saved_len(&f)];
            save(&f, &mut out).unwrap();
            let mut back = load(&out).unwrap();
            if ep != CLIENT {
                back.ticket = f.ticket;
                back.ticket_lifetime = f.ticket_lifetime;
            }
            if ep != SERVER {
                back.ticket_creation_time = f.ticket_creation_time;
            }
            assert_eq!(back, f);
            for cut in 0..out.len() {
                assert_eq!(load(&out[..cut]), Err(Error::BadInput), "cut at {cut}");
            }
            let mut longer = out.clone();
            longer.push(0);
            assert_eq!(load(&longer), Err(Error::BadInput));
            for i in 0..HEADER.len() {
                let mut bad = out.clone();
                bad[i] ^= 0x40;
                assert_eq!(load(&bad), Err(Error::VersionMismatch));
            }
        }
    }

    #[test]
    fn other_versions() {
        let mut f = sample(CLIENT, b"", b"");
        let mut out = vec![0u8; saved_len(&f)];
        save(&f, &mut out).unwrap();
        out[5] = 0x04;
        assert_eq!(load(&out), Err(Error::BadInput));
        f.tls_minor = 0x04;
        assert_eq!(save(&f, &mut out), Err(Error::FeatureUnavailable));
    }
}
