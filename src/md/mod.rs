//! md.h and the SHA one-shots (sha1.h, sha256.h, sha512.h): message digests
//! and HMAC over the RustCrypto `sha1`, `sha2` and `hmac` crates (which use
//! the CPU's SHA instructions where it has them).
//!
//! This file is the safe core: the algorithm descriptors behind
//! `const mbedtls_md_info_t *`, and [`Hasher`] / [`HmacState`], which every
//! module that hashes (entropy, HMAC-DRBG, RSA) uses directly.

#[cfg(not(loom))]
pub(crate) mod ffi;
#[cfg(mbedtls_self_test)]
mod self_test;
#[cfg(any(mbedcrypto_sha1_compact, test))]
mod sha1_compact;
#[cfg(all(mbedtls_sha1_c, not(loom)))]
pub(crate) mod sha1_ffi;
#[cfg(all(mbedtls_sha256_c, not(loom)))]
pub(crate) mod sha256_ffi;
#[cfg(all(mbedtls_sha512_c, not(loom)))]
pub(crate) mod sha512_ffi;

use core::ffi::CStr;

use hmac::{HmacReset, KeyInit, Mac};
/// SHA-1: the `sha1` crate, or in firmware builds a compact block function
/// over the same `digest` traits ([`sha1_compact`]).
#[cfg(not(mbedcrypto_sha1_compact))]
pub(crate) use sha1::Sha1;
#[cfg(mbedcrypto_sha1_compact)]
pub(crate) use sha1_compact::Sha1Compact as Sha1;
use sha2::digest::{Digest, FixedOutputReset};
use sha2::{Sha224, Sha256, Sha384, Sha512};
use zeroize::Zeroize;

/// The algorithms this build provides, with upstream's `mbedtls_md_type_t`
/// values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub(crate) enum MdType {
    /// SHA-1 (`MBEDTLS_MD_SHA1`).
    Sha1 = 0x05,
    /// SHA-224 (`MBEDTLS_MD_SHA224`).
    Sha224 = 0x08,
    /// SHA-256 (`MBEDTLS_MD_SHA256`).
    Sha256 = 0x09,
    /// SHA-384 (`MBEDTLS_MD_SHA384`).
    Sha384 = 0x0a,
    /// SHA-512 (`MBEDTLS_MD_SHA512`).
    Sha512 = 0x0b,
}

impl MdType {
    /// The hash's block size in bytes (HMAC pads keys to it).
    pub(crate) fn block_size(self) -> usize {
        match self {
            MdType::Sha1 | MdType::Sha224 | MdType::Sha256 => 64,
            MdType::Sha384 | MdType::Sha512 => 128,
        }
    }

    /// This algorithm's descriptor.
    pub(crate) fn info(self) -> &'static MdInfo {
        match self {
            MdType::Sha512 => &INFOS[0],
            MdType::Sha384 => &INFOS[1],
            MdType::Sha256 => &INFOS[2],
            MdType::Sha224 => &INFOS[3],
            MdType::Sha1 => &INFOS[4],
        }
    }
}

/// An algorithm descriptor. C code holds `const mbedtls_md_info_t *`
/// pointers to the entries of [`INFOS`]; the library only accepts pointers
/// that are the address of one of them (see [`MdInfo::from_ptr`]), so a
/// stray pointer is an error, never a read.
#[derive(Debug)]
pub(crate) struct MdInfo {
    /// The algorithm.
    pub(crate) ty: MdType,
    /// Upstream's canonical name (`mbedtls_md_get_name`).
    pub(crate) name: &'static CStr,
    /// Digest length in bytes.
    pub(crate) size: usize,
}

/// The descriptors, in the order of upstream's `mbedtls_md_list()`.
pub(crate) static INFOS: [MdInfo; 5] = [
    MdInfo {
        ty: MdType::Sha512,
        name: c"SHA512",
        size: 64,
    },
    MdInfo {
        ty: MdType::Sha384,
        name: c"SHA384",
        size: 48,
    },
    MdInfo {
        ty: MdType::Sha256,
        name: c"SHA256",
        size: 32,
    },
    MdInfo {
        ty: MdType::Sha224,
        name: c"SHA224",
        size: 28,
    },
    MdInfo {
        ty: MdType::Sha1,
        name: c"SHA1",
        size: 20,
    },
];

/// The largest digest (`MBEDTLS_MD_MAX_SIZE` for these algorithms).
#[cfg_attr(not(any(mbedtls_fs_io, mbedtls_hmac_drbg_c)), allow(dead_code))]
pub(crate) const MAX_SIZE: usize = 64;

impl MdInfo {
    /// The descriptor for an `mbedtls_md_type_t` value, if this build has it.
    pub(crate) fn from_type(ty: u32) -> Option<&'static MdInfo> {
        INFOS.iter().find(|i| i.ty as u32 == ty)
    }

    /// The descriptor for upstream's name (`"SHA"` is an alias of SHA-1).
    pub(crate) fn from_name(name: &[u8]) -> Option<&'static MdInfo> {
        let name = if name == b"SHA" { b"SHA1" } else { name };
        INFOS.iter().find(|i| i.name.to_bytes() == name)
    }

    /// The descriptor a C pointer designates, found by address: `None` for
    /// NULL or for any address that is not one of [`INFOS`].
    pub(crate) fn from_ptr<T>(p: *const T) -> Option<&'static MdInfo> {
        INFOS.iter().find(|i| core::ptr::eq(p.cast::<MdInfo>(), *i))
    }

    /// The address C code sees for this descriptor.
    pub(crate) fn as_ptr<T>(&'static self) -> *const T {
        core::ptr::from_ref(self).cast()
    }
}

macro_rules! dispatch {
    ($self:expr, $h:ident => $body:expr) => {
        match $self {
            Self::Sha1($h) => $body,
            Self::Sha224($h) => $body,
            Self::Sha256($h) => $body,
            Self::Sha384($h) => $body,
            Self::Sha512($h) => $body,
        }
    };
}

/// A running hash of one of the supported algorithms.
#[derive(Clone)]
pub(crate) enum Hasher {
    /// SHA-1.
    Sha1(Sha1),
    /// SHA-224.
    Sha224(Sha224),
    /// SHA-256.
    Sha256(Sha256),
    /// SHA-384.
    Sha384(Sha384),
    /// SHA-512.
    Sha512(Sha512),
}

impl Hasher {
    /// A fresh hash of algorithm `ty`.
    pub(crate) fn new(ty: MdType) -> Hasher {
        match ty {
            MdType::Sha1 => Hasher::Sha1(Sha1::new()),
            MdType::Sha224 => Hasher::Sha224(Sha224::new()),
            MdType::Sha256 => Hasher::Sha256(Sha256::new()),
            MdType::Sha384 => Hasher::Sha384(Sha384::new()),
            MdType::Sha512 => Hasher::Sha512(Sha512::new()),
        }
    }

    /// The algorithm.
    pub(crate) fn md_type(&self) -> MdType {
        match self {
            Hasher::Sha1(_) => MdType::Sha1,
            Hasher::Sha224(_) => MdType::Sha224,
            Hasher::Sha256(_) => MdType::Sha256,
            Hasher::Sha384(_) => MdType::Sha384,
            Hasher::Sha512(_) => MdType::Sha512,
        }
    }

    /// Digest length in bytes.
    pub(crate) fn size(&self) -> usize {
        self.md_type().info().size
    }

    /// Feeds data.
    pub(crate) fn update(&mut self, data: &[u8]) {
        dispatch!(self, h => Digest::update(h, data))
    }

    /// Restarts the hash.
    pub(crate) fn reset(&mut self) {
        dispatch!(self, h => Digest::reset(h))
    }

    /// Writes the digest into `out[..self.size()]` and restarts the hash.
    ///
    /// Panics if `out` is shorter than the digest (callers check lengths).
    pub(crate) fn finish_into(&mut self, out: &mut [u8]) {
        let n = self.size();
        dispatch!(self, h => out[..n].copy_from_slice(&FixedOutputReset::finalize_fixed_reset(h)))
    }

    /// One-shot digest of `data` into `out[..size]`.
    pub(crate) fn digest(ty: MdType, data: &[u8], out: &mut [u8]) {
        let mut h = Hasher::new(ty);
        h.update(data);
        h.finish_into(out);
    }
}

/// Hashes the contents of the file at `path` (bytes of a C string) with
/// algorithm `ty` into `out[..size]`, reading it in chunks. `out` is
/// written only on success.
#[cfg(mbedtls_fs_io)]
pub(crate) fn hash_file(ty: MdType, path: &[u8], out: &mut [u8]) -> std::io::Result<()> {
    use std::io::Read;
    use zeroize::Zeroize;

    #[cfg(unix)]
    let path = <std::ffi::OsStr as std::os::unix::ffi::OsStrExt>::from_bytes(path);
    #[cfg(not(unix))]
    let path = core::str::from_utf8(path)
        .map_err(|_| std::io::Error::from(std::io::ErrorKind::InvalidInput))?;
    let mut file = std::fs::File::open(path)?;
    let mut h = Hasher::new(ty);
    let mut buf = [0u8; 4096];
    let result = loop {
        match file.read(&mut buf) {
            Ok(0) => break Ok(()),
            Ok(n) => h.update(&buf[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => break Err(e),
        }
    };
    buf.zeroize();
    result?;
    h.finish_into(out);
    Ok(())
}

/// A keyed, resettable HMAC of one of the supported algorithms.
#[derive(Clone)]
pub(crate) enum HmacState {
    /// HMAC-SHA-1.
    Sha1(HmacReset<Sha1>),
    /// HMAC-SHA-224.
    Sha224(HmacReset<Sha224>),
    /// HMAC-SHA-256.
    Sha256(HmacReset<Sha256>),
    /// HMAC-SHA-384.
    Sha384(HmacReset<Sha384>),
    /// HMAC-SHA-512.
    Sha512(HmacReset<Sha512>),
}

impl HmacState {
    /// An HMAC of algorithm `ty` keyed with `key` (any length: longer keys
    /// are hashed first, as RFC 2104 says).
    pub(crate) fn new(ty: MdType, key: &[u8]) -> HmacState {
        // A key longer than the hash's block is replaced by its digest
        // (RFC 2104). Doing that here, through the shared `Hasher`, leaves
        // the `hmac` crate only keys that fit a block, so its own
        // long-key path (a whole digest per algorithm) is compiled out.
        if key.len() > ty.block_size() {
            let mut short = [0u8; MAX_SIZE];
            Hasher::digest(ty, key, &mut short);
            let mac = Self::with_short_key(ty, &short[..ty.info().size]);
            short.zeroize();
            mac
        } else {
            Self::with_short_key(ty, key)
        }
    }

    /// [`Self::new`] for a key of at most one block.
    #[inline(never)]
    fn with_short_key(ty: MdType, key: &[u8]) -> HmacState {
        // new_from_slice accepts every key length for HMAC. The key is at
        // most a block long (caller); saying so with `min` lets the
        // compiler drop the crate's long-key path.
        fn k<M: KeyInit>(key: &[u8], block: usize) -> M {
            M::new_from_slice(&key[..key.len().min(block)])
                .expect("HMAC accepts keys of any length")
        }
        let b = ty.block_size();
        match ty {
            MdType::Sha1 => HmacState::Sha1(k(key, b)),
            MdType::Sha224 => HmacState::Sha224(k(key, b)),
            MdType::Sha256 => HmacState::Sha256(k(key, b)),
            MdType::Sha384 => HmacState::Sha384(k(key, b)),
            MdType::Sha512 => HmacState::Sha512(k(key, b)),
        }
    }

    /// The algorithm.
    pub(crate) fn md_type(&self) -> MdType {
        match self {
            HmacState::Sha1(_) => MdType::Sha1,
            HmacState::Sha224(_) => MdType::Sha224,
            HmacState::Sha256(_) => MdType::Sha256,
            HmacState::Sha384(_) => MdType::Sha384,
            HmacState::Sha512(_) => MdType::Sha512,
        }
    }

    /// MAC length in bytes.
    pub(crate) fn size(&self) -> usize {
        self.md_type().info().size
    }

    /// Feeds message data.
    pub(crate) fn update(&mut self, data: &[u8]) {
        dispatch!(self, h => Mac::update(h, data))
    }

    /// Restarts the MAC with the same key.
    pub(crate) fn reset(&mut self) {
        dispatch!(self, h => Mac::reset(h))
    }

    /// Writes the MAC into `out[..self.size()]` and restarts with the same
    /// key. Panics if `out` is shorter than the MAC.
    pub(crate) fn finish_into(&mut self, out: &mut [u8]) {
        let n = self.size();
        dispatch!(self, h => out[..n].copy_from_slice(&Mac::finalize_reset(h).into_bytes()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(b: &[u8]) -> String {
        b.iter().map(|x| format!("{x:02x}")).collect()
    }

    #[test]
    fn descriptors_are_found_by_type_name_and_address() {
        for info in &INFOS {
            assert!(core::ptr::eq(
                MdInfo::from_type(info.ty as u32).unwrap(),
                info
            ));
            assert!(core::ptr::eq(
                MdInfo::from_name(info.name.to_bytes()).unwrap(),
                info
            ));
            assert!(core::ptr::eq(
                MdInfo::from_ptr::<u8>(info.as_ptr()).unwrap(),
                info
            ));
            assert_eq!(Hasher::new(info.ty).size(), info.size);
        }
        assert!(MdInfo::from_type(0).is_none());
        assert!(MdInfo::from_type(3).is_none(), "MD5 is not provided");
        assert_eq!(MdInfo::from_name(b"SHA").unwrap().ty, MdType::Sha1);
        assert!(
            MdInfo::from_name(b"sha256").is_none(),
            "names are case-sensitive"
        );
        let x = 0u64;
        assert!(MdInfo::from_ptr(&x).is_none());
        assert!(MdInfo::from_ptr::<u8>(core::ptr::null()).is_none());
    }

    #[test]
    fn known_digests() {
        let mut out = [0u8; 64];
        Hasher::digest(MdType::Sha256, b"abc", &mut out);
        assert_eq!(
            hex(&out[..32]),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        Hasher::digest(MdType::Sha1, b"abc", &mut out);
        assert_eq!(hex(&out[..20]), "a9993e364706816aba3e25717850c26c9cd0d89d");
    }

    #[test]
    fn hmac_rfc4231_case_2() {
        let mut h = HmacState::new(MdType::Sha256, b"Jefe");
        h.update(b"what do ya want for nothing?");
        let mut out = [0u8; 32];
        h.finish_into(&mut out);
        assert_eq!(
            hex(&out),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        // finish_into restarted with the same key.
        h.update(b"what do ya want for nothing?");
        let mut again = [0u8; 32];
        h.finish_into(&mut again);
        assert_eq!(out, again);
    }
}
