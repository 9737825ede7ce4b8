//! md.h and the SHA one-shots (sha1.h, sha256.h, sha512.h): message digests
//! and HMAC over the block functions of the RustCrypto `sha1` and `sha2`
//! crates (which use the CPU's SHA instructions where it has them), through
//! one run-time-dispatched hash ([`engine`]).
//!
//! This file is the safe core: the algorithm descriptors behind
//! `const mbedtls_md_info_t *`, and [`Hasher`] / [`HmacState`], which every
//! module that hashes (entropy, HMAC-DRBG, RSA) uses directly.

pub(crate) mod engine;
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

use zeroize::Zeroize;

use engine::{Chain, Engine128};

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

/// A running hash of one of the supported algorithms, over [`engine`];
/// wiped when dropped.
#[derive(Clone)]
pub(crate) struct Hasher {
    /// The algorithm.
    ty: MdType,
    /// The state.
    e: Engine128,
}

impl Hasher {
    /// A fresh hash of algorithm `ty`.
    pub(crate) fn new(ty: MdType) -> Hasher {
        let mut h = Hasher {
            ty,
            e: Engine128::zeroed(),
        };
        h.reset();
        h
    }

    /// The algorithm.
    pub(crate) fn md_type(&self) -> MdType {
        self.ty
    }

    /// Digest length in bytes.
    pub(crate) fn size(&self) -> usize {
        self.ty.info().size
    }

    /// Feeds data.
    pub(crate) fn update(&mut self, data: &[u8]) {
        self.e.parts().update(self.ty, data)
    }

    /// Restarts the hash.
    pub(crate) fn reset(&mut self) {
        self.e.parts().start(self.ty)
    }

    /// Writes the digest into `out[..self.size()]` and restarts the hash.
    ///
    /// Panics if `out` is shorter than the digest (callers check lengths).
    pub(crate) fn finish_into(&mut self, out: &mut [u8]) {
        self.e.parts().finish(self.ty, out)
    }

    /// One-shot digest of `data` into `out[..size]`.
    pub(crate) fn digest(ty: MdType, data: &[u8], out: &mut [u8]) {
        engine::digest(ty, data, out)
    }
}

impl Drop for Hasher {
    fn drop(&mut self) {
        self.e.parts().wipe(self.ty);
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
    buf[..].zeroize();
    result?;
    h.finish_into(out);
    Ok(())
}

/// A keyed, resettable HMAC of one of the supported algorithms (RFC 2104),
/// over [`engine`]. It keeps the chaining values after the inner and the
/// outer padded key, so a reset or a MAC costs no key processing; the
/// whole state is wiped when dropped.
#[derive(Clone)]
pub(crate) struct HmacState {
    /// The algorithm.
    ty: MdType,
    /// The inner hash, running over the message.
    inner: Engine128,
    /// The chaining value after the key XOR ipad block.
    ipad: Chain,
    /// The chaining value after the key XOR opad block.
    opad: Chain,
}

impl HmacState {
    /// An HMAC of algorithm `ty` keyed with `key` (any length: longer keys
    /// are hashed first, as RFC 2104 says).
    pub(crate) fn new(ty: MdType, key: &[u8]) -> HmacState {
        let mut mac = HmacState {
            ty,
            inner: Engine128::zeroed(),
            ipad: [0; 16],
            opad: [0; 16],
        };
        mac.rekey(key);
        mac
    }

    /// Replaces the key with `key` (any length), keeping the algorithm, and
    /// starts a new MAC: computes the chaining values after the key XOR
    /// ipad and the key XOR opad blocks.
    #[inline(never)]
    pub(crate) fn rekey(&mut self, key: &[u8]) {
        let ty = self.ty;
        let bs = ty.block_size();
        let mut k0 = [0u8; engine::MAX_BLOCK];
        if key.len() > bs {
            // A key longer than a block is replaced by its digest.
            let mut long = Engine128::zeroed();
            let mut long = long.parts();
            long.start(ty);
            long.update(ty, key);
            long.finish(ty, &mut k0);
            long.wipe(ty);
        } else {
            k0[..key.len()].copy_from_slice(key);
        }
        for (pad, x) in [(&mut self.ipad, 0x36), (&mut self.opad, 0x36 ^ 0x5c)] {
            // The whole buffer, so that the loop has a fixed length; only
            // the first block is hashed.
            for b in &mut k0 {
                *b ^= x;
            }
            pad.copy_from_slice(engine::iv(ty));
            engine::compress(ty, pad, &k0[..bs]);
        }
        k0[..].zeroize();
        self.reset();
    }

    /// MAC length in bytes.
    pub(crate) fn size(&self) -> usize {
        self.ty.info().size
    }

    /// Feeds message data.
    pub(crate) fn update(&mut self, data: &[u8]) {
        self.inner.parts().update(self.ty, data)
    }

    /// Restarts the MAC with the same key.
    pub(crate) fn reset(&mut self) {
        self.inner
            .parts()
            .restart(&self.ipad, self.ty.block_size() as u64)
    }

    /// Writes the MAC into `out[..self.size()]` and restarts with the same
    /// key. Panics if `out` is shorter than the MAC.
    pub(crate) fn finish_into(&mut self, out: &mut [u8]) {
        let (ty, n) = (self.ty, self.size());
        let out = &mut out[..n];
        let bs = ty.block_size() as u64;
        let mut e = self.inner.parts();
        e.close(ty);
        let mut inner: Chain = [0; 16];
        inner.copy_from_slice(e.h);
        // The outer hash reuses the inner one's buffer.
        e.restart_with(ty, &self.opad, bs, &inner);
        inner[..].zeroize();
        e.close(ty);
        engine::put_be(e.h, out);
        // As reset() does.
        e.restart(&self.ipad, bs);
    }
}

impl Drop for HmacState {
    fn drop(&mut self) {
        self.inner.parts().wipe(self.ty);
        self.ipad[..].zeroize();
        self.opad[..].zeroize();
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
