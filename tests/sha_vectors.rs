//! NIST CAVP SHAVS known answers (byte-oriented ShortMsg, LongMsg and Monte
//! Carlo files for SHA-1, SHA-224, SHA-256, SHA-384 and SHA-512) through
//! the exported C functions.
//!
//! Every message goes through the one-shot `mbedtls_md()`; every third
//! one also through the streaming `mbedtls_md_setup/starts/update/finish`
//! (fed in uneven pieces) and through the algorithm's own sha*.h functions
//! (streaming and one-shot). The Monte Carlo test follows the SHAVS
//! description: for each of 100 checkpoints, MD0 = MD1 = MD2 = seed, then
//! 1000 times Mi = SHA(Mi-3 || Mi-2 || Mi-1); the last digest is the
//! checkpoint and the next seed. The chains also run through the sha*.h
//! one-shot and the md context, alternating per checkpoint.
//!
//! The vectors are read from `$MBEDCRYPTO_VECTORS/nist-sha` or
//! `<repo>/../shared/vectors/nist-sha`; the test fails if they are missing.

mod common;
use common::{unhex, vectors_dir};
use std::ffi::c_int;
use std::ptr::{null, null_mut};

use mbedcrypto::*;

#[derive(Clone, Copy, Debug)]
enum Alg {
    Sha1,
    Sha224,
    Sha256,
    Sha384,
    Sha512,
}

impl Alg {
    fn md_type(self) -> mbedtls_md_type_t {
        match self {
            Alg::Sha1 => 0x05,
            Alg::Sha224 => 0x08,
            Alg::Sha256 => 0x09,
            Alg::Sha384 => 0x0a,
            Alg::Sha512 => 0x0b,
        }
    }

    fn size(self) -> usize {
        match self {
            Alg::Sha1 => 20,
            Alg::Sha224 => 28,
            Alg::Sha256 => 32,
            Alg::Sha384 => 48,
            Alg::Sha512 => 64,
        }
    }

    fn file_prefix(self) -> &'static str {
        match self {
            Alg::Sha1 => "SHA1",
            Alg::Sha224 => "SHA224",
            Alg::Sha256 => "SHA256",
            Alg::Sha384 => "SHA384",
            Alg::Sha512 => "SHA512",
        }
    }

    /// One-shot through md.h.
    fn md(self, data: &[u8]) -> Vec<u8> {
        let mut out = vec![0u8; 64];
        let info = mbedtls_md_info_from_type(self.md_type());
        assert!(!info.is_null());
        // SAFETY: a descriptor from the library, a live input slice and a
        // 64-byte output.
        let r = unsafe { mbedtls_md(info, data.as_ptr(), data.len(), out.as_mut_ptr()) };
        assert_eq!(r, 0);
        assert!(
            out[self.size()..].iter().all(|&b| b == 0),
            "wrote past the digest"
        );
        out.truncate(self.size());
        out
    }

    /// One-shot through sha1.h / sha256.h / sha512.h.
    fn sha_one_shot(self, data: &[u8]) -> Vec<u8> {
        let mut out = vec![0u8; 64];
        let (p, n, o) = (data.as_ptr(), data.len(), out.as_mut_ptr());
        // SAFETY: a live input slice and a 64-byte output.
        let r = unsafe {
            match self {
                Alg::Sha1 => mbedtls_sha1(p, n, o),
                Alg::Sha224 => mbedtls_sha256(p, n, o, 1),
                Alg::Sha256 => mbedtls_sha256(p, n, o, 0),
                Alg::Sha384 => mbedtls_sha512(p, n, o, 1),
                Alg::Sha512 => mbedtls_sha512(p, n, o, 0),
            }
        };
        assert_eq!(r, 0);
        assert!(
            out[self.size()..].iter().all(|&b| b == 0),
            "wrote past the digest"
        );
        out.truncate(self.size());
        out
    }

    /// Streaming through sha*.h, fed in pieces of the given sizes (cycled).
    fn sha_streaming(self, data: &[u8], pieces: &[usize]) -> Vec<u8> {
        let mut out = vec![0u8; self.size()];
        let chunks = split(data, pieces);
        // SAFETY: contexts live on this stack frame; input slices are live;
        // outputs have room for the digest.
        unsafe {
            match self {
                Alg::Sha1 => {
                    let mut ctx = std::mem::zeroed::<mbedtls_sha1_context>();
                    mbedtls_sha1_init(&mut ctx);
                    assert_eq!(mbedtls_sha1_starts(&mut ctx), 0);
                    for c in &chunks {
                        assert_eq!(mbedtls_sha1_update(&mut ctx, c.as_ptr(), c.len()), 0);
                    }
                    assert_eq!(mbedtls_sha1_finish(&mut ctx, out.as_mut_ptr()), 0);
                    mbedtls_sha1_free(&mut ctx);
                }
                Alg::Sha224 | Alg::Sha256 => {
                    let is224 = c_int::from(matches!(self, Alg::Sha224));
                    let mut ctx = std::mem::zeroed::<mbedtls_sha256_context>();
                    mbedtls_sha256_init(&mut ctx);
                    assert_eq!(mbedtls_sha256_starts(&mut ctx, is224), 0);
                    for c in &chunks {
                        assert_eq!(mbedtls_sha256_update(&mut ctx, c.as_ptr(), c.len()), 0);
                    }
                    assert_eq!(mbedtls_sha256_finish(&mut ctx, out.as_mut_ptr()), 0);
                    mbedtls_sha256_free(&mut ctx);
                }
                Alg::Sha384 | Alg::Sha512 => {
                    let is384 = c_int::from(matches!(self, Alg::Sha384));
                    let mut ctx = std::mem::zeroed::<mbedtls_sha512_context>();
                    mbedtls_sha512_init(&mut ctx);
                    assert_eq!(mbedtls_sha512_starts(&mut ctx, is384), 0);
                    for c in &chunks {
                        assert_eq!(mbedtls_sha512_update(&mut ctx, c.as_ptr(), c.len()), 0);
                    }
                    assert_eq!(mbedtls_sha512_finish(&mut ctx, out.as_mut_ptr()), 0);
                    mbedtls_sha512_free(&mut ctx);
                }
            }
        }
        out
    }
}

/// Splits `data` into consecutive pieces of the given sizes (cycled; the
/// last piece may be shorter). Empty data gives one empty piece.
fn split<'a>(data: &'a [u8], pieces: &[usize]) -> Vec<&'a [u8]> {
    let mut out = Vec::new();
    let mut rest = data;
    let mut i = 0;
    loop {
        let n = pieces[i % pieces.len()].min(rest.len());
        let (a, b) = rest.split_at(n);
        out.push(a);
        rest = b;
        i += 1;
        if rest.is_empty() {
            break;
        }
    }
    out
}

/// A set-up md context, freed on drop.
struct MdCtx(Box<mbedtls_md_context_t>);

impl MdCtx {
    fn new(alg: Alg) -> MdCtx {
        // SAFETY: all-bits-zero is the init state.
        let mut ctx = Box::new(unsafe { std::mem::zeroed::<mbedtls_md_context_t>() });
        // SAFETY: a live boxed context and a descriptor from the library.
        unsafe {
            mbedtls_md_init(&mut *ctx);
            let info = mbedtls_md_info_from_type(alg.md_type());
            assert_eq!(mbedtls_md_setup(&mut *ctx, info, 0), 0);
        }
        MdCtx(ctx)
    }

    /// Streaming through md.h, fed in pieces.
    fn hash(&mut self, parts: &[&[u8]], size: usize) -> Vec<u8> {
        let mut out = vec![0u8; size];
        // SAFETY: a set-up context, live slices, output of digest size.
        unsafe {
            assert_eq!(mbedtls_md_starts(&mut *self.0), 0);
            for p in parts {
                assert_eq!(mbedtls_md_update(&mut *self.0, p.as_ptr(), p.len()), 0);
            }
            assert_eq!(mbedtls_md_finish(&mut *self.0, out.as_mut_ptr()), 0);
        }
        out
    }
}

impl Drop for MdCtx {
    fn drop(&mut self) {
        // SAFETY: a live context set up by new().
        unsafe { mbedtls_md_free(&mut *self.0) };
    }
}

/// The `name = value` lines of a response file, in order, CRs stripped;
/// comments, headers (`[L = 32]`) and blank lines dropped.
fn records(alg: Alg, kind: &str) -> Vec<(String, String)> {
    let path = vectors_dir("nist-sha").join(format!("{}{kind}.rsp", alg.file_prefix()));
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let mut header_l = None;
    let mut out = Vec::new();
    for line in text.lines() {
        let line = line.trim_end_matches('\r').trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(l) = line.strip_prefix("[L = ").and_then(|l| l.strip_suffix(']')) {
            header_l = Some(l.parse::<usize>().unwrap());
            continue;
        }
        let (k, v) = line.split_once('=').expect("name = value");
        out.push((k.trim().to_string(), v.trim().to_string()));
    }
    assert_eq!(
        header_l,
        Some(alg.size()),
        "[L = ...] of {}",
        path.display()
    );
    out
}

const ALGS: [Alg; 5] = [
    Alg::Sha1,
    Alg::Sha224,
    Alg::Sha256,
    Alg::Sha384,
    Alg::Sha512,
];

fn run_messages(alg: Alg, kind: &str) -> usize {
    let recs = records(alg, kind);
    let mut ctx = MdCtx::new(alg);
    let mut passed = 0;
    for (i, rec) in recs.chunks(3).enumerate() {
        let [(lk, len), (mk, msg), (dk, md)] = rec else {
            panic!("{kind}: incomplete record {i}");
        };
        assert_eq!(
            (lk.as_str(), mk.as_str(), dk.as_str()),
            ("Len", "Msg", "MD")
        );
        let bits: usize = len.parse().unwrap();
        assert_eq!(bits % 8, 0, "byte-oriented files only");
        let mut msg = unhex(msg);
        if bits == 0 {
            // `Msg = 00` with `Len = 0` is the empty message.
            msg.clear();
        }
        assert_eq!(msg.len() * 8, bits, "{kind} record {i}");
        let want = unhex(md);
        assert_eq!(want.len(), alg.size());
        assert_eq!(
            alg.md(&msg),
            want,
            "{alg:?} {kind} Len = {bits}: mbedtls_md"
        );
        if i % 3 == 0 {
            let pieces: &[usize] = &[1, 63, 64, 65, 127, 200];
            let parts = split(&msg, pieces);
            assert_eq!(
                ctx.hash(&parts, alg.size()),
                want,
                "{alg:?} {kind} Len = {bits}: md streaming"
            );
            assert_eq!(
                alg.sha_streaming(&msg, &[7, 129]),
                want,
                "{alg:?} {kind} Len = {bits}: sha*.h streaming"
            );
            assert_eq!(
                alg.sha_one_shot(&msg),
                want,
                "{alg:?} {kind} Len = {bits}: sha*.h one-shot"
            );
        }
        passed += 1;
    }
    passed
}

fn run_monte(alg: Alg) -> usize {
    let recs = records(alg, "Monte");
    let (sk, seed) = &recs[0];
    assert_eq!(sk, "Seed");
    let mut seed = unhex(seed);
    let mut ctx = MdCtx::new(alg);
    let mut passed = 0;
    for (j, rec) in recs[1..].chunks(2).enumerate() {
        let [(ck, count), (dk, md)] = rec else {
            panic!("Monte: incomplete record {j}");
        };
        assert_eq!((ck.as_str(), dk.as_str()), ("COUNT", "MD"));
        assert_eq!(count.parse::<usize>().unwrap(), j);
        // Rotate through three C paths: md one-shot, sha*.h one-shot, and
        // the md context fed the three previous digests separately.
        let mut m = [seed.clone(), seed.clone(), seed.clone()];
        for _ in 3..1003 {
            let next = match j % 3 {
                0 => alg.md(&m.concat()),
                1 => alg.sha_one_shot(&m.concat()),
                _ => ctx.hash(&[&m[0], &m[1], &m[2]], alg.size()),
            };
            m = [m[1].clone(), m[2].clone(), next];
        }
        seed = m[2].clone();
        assert_eq!(seed, unhex(md), "{alg:?} Monte COUNT = {j}");
        passed += 1;
    }
    assert_eq!(passed, 100, "100 checkpoints");
    passed
}

#[test]
#[cfg_attr(miri, ignore)]
fn nist_short_and_long_messages() {
    for alg in ALGS {
        for kind in ["ShortMsg", "LongMsg"] {
            let n = run_messages(alg, kind);
            println!("{}{kind}.rsp: {n} cases passed", alg.file_prefix());
            assert!(n >= 64, "{alg:?} {kind}: only {n} cases");
        }
    }
}

#[test]
#[cfg_attr(miri, ignore)]
fn nist_monte_carlo() {
    for alg in ALGS {
        let n = run_monte(alg);
        println!("{}Monte.rsp: {n} checkpoints passed", alg.file_prefix());
    }
}

#[test]
#[cfg_attr(miri, ignore)]
fn streaming_argument_errors_do_not_disturb_the_hash() {
    // A refused call in the middle of a computation leaves it intact.
    let msg = b"abc";
    let mut ctx = MdCtx::new(Alg::Sha256);
    // SAFETY: a set-up context and live buffers.
    unsafe {
        assert_eq!(mbedtls_md_starts(&mut *ctx.0), 0);
        assert_eq!(mbedtls_md_update(&mut *ctx.0, msg.as_ptr(), 1), 0);
        assert_eq!(
            mbedtls_md_update(&mut *ctx.0, null(), 5),
            MBEDTLS_ERR_MD_BAD_INPUT_DATA
        );
        assert_eq!(
            mbedtls_md_finish(&mut *ctx.0, null_mut()),
            MBEDTLS_ERR_MD_BAD_INPUT_DATA
        );
        assert_eq!(mbedtls_md_update(&mut *ctx.0, msg[1..].as_ptr(), 2), 0);
        let mut out = [0u8; 32];
        assert_eq!(mbedtls_md_finish(&mut *ctx.0, out.as_mut_ptr()), 0);
        assert_eq!(out.to_vec(), Alg::Sha256.md(msg));
    }
}
