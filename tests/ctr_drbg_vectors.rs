//! NIST CAVP CTR_DRBG vectors (SP 800-90A, CAVS 14.3) through the C API:
//! every "use df" case for this build's AES key size (AES-256, or AES-128
//! with the `ctr-drbg-128-bit-key` feature) of the no_reseed, pr_false and
//! pr_true files. "no df" cases and other ciphers are counted as skipped
//! (Mbed TLS always uses the derivation function).
//!
//! The vectors are read from `$MBEDCRYPTO_VECTORS` or
//! `<repo>/../shared/vectors`; the test fails if they are missing.

mod common;
use common::{unhex, vectors_dir};
use std::collections::HashMap;
use std::ffi::{c_int, c_uchar, c_void};

use mbedcrypto::*;

/// Serves the entropy inputs of a case in order.
struct Feed {
    chunks: Vec<Vec<u8>>,
    next: usize,
}

unsafe extern "C" fn feed_entropy(p: *mut c_void, out: *mut c_uchar, len: usize) -> c_int {
    // SAFETY: p_entropy is the test's live Feed; out has len bytes.
    let (feed, out) = unsafe {
        (
            &mut *p.cast::<Feed>(),
            std::slice::from_raw_parts_mut(out, len),
        )
    };
    match feed.chunks.get(feed.next) {
        Some(c) if c.len() == len => {
            out.copy_from_slice(c);
            feed.next += 1;
            0
        }
        _ => -1,
    }
}

/// One case: the fields in file order (AdditionalInput and EntropyInputPR
/// appear twice).
struct Case {
    fields: Vec<(String, Vec<u8>)>,
}

impl Case {
    fn get(&self, name: &str, nth: usize) -> &[u8] {
        self.fields
            .iter()
            .filter(|(n, _)| n == name)
            .nth(nth)
            .map(|(_, v)| v.as_slice())
            .unwrap_or_else(|| panic!("field {name} #{nth} missing"))
    }
}

/// Parses a .rsp file into (section, cases) in order.
fn parse(text: &str) -> Vec<(String, Case)> {
    let mut out = Vec::new();
    let mut section = String::new();
    let mut current: Option<Case> = None;
    for line in text.lines().map(str::trim) {
        if let Some(h) = line.strip_prefix('[') {
            let h = h.trim_end_matches(']');
            if !h.contains('=') {
                section = h.to_string();
            }
            continue;
        }
        if line.is_empty() || line.starts_with('#') {
            if let Some(c) = current.take() {
                out.push((section.clone(), c));
            }
            continue;
        }
        let Some((k, v)) = line.split_once('=') else {
            continue;
        };
        let (k, v) = (k.trim(), v.trim());
        if k == "COUNT" {
            if let Some(c) = current.take() {
                out.push((section.clone(), c));
            }
            current = Some(Case { fields: Vec::new() });
        } else if let Some(c) = current.as_mut() {
            c.fields.push((k.to_string(), unhex(v)));
        }
    }
    if let Some(c) = current.take() {
        out.push((section, c));
    }
    out
}

#[derive(Clone, Copy, PartialEq)]
enum Mode {
    NoReseed,
    PrFalse,
    PrTrue,
}

fn run_case(mode: Mode, case: &Case) -> Result<(), String> {
    let entropy = case.get("EntropyInput", 0).to_vec();
    let nonce = case.get("Nonce", 0).to_vec();
    let pers = case.get("PersonalizationString", 0);
    let want = case.get("ReturnedBits", 0);
    let mut chunks = vec![entropy.clone(), nonce.clone()];
    match mode {
        Mode::NoReseed => {}
        Mode::PrFalse => chunks.push(case.get("EntropyInputReseed", 0).to_vec()),
        Mode::PrTrue => {
            chunks.push(case.get("EntropyInputPR", 0).to_vec());
            chunks.push(case.get("EntropyInputPR", 1).to_vec());
        }
    }
    let mut feed = Feed { chunks, next: 0 };
    let mut out = vec![0u8; want.len()];
    let mut ctx = std::mem::MaybeUninit::<mbedtls_ctr_drbg_context>::uninit();
    let c = ctx.as_mut_ptr();
    let check = |what: &str, rc: c_int| {
        if rc == 0 {
            Ok(())
        } else {
            Err(format!("{what} returned -0x{:04X}", -rc))
        }
    };
    // SAFETY: `c` is initialised first and freed last; all buffers are
    // live and of the lengths passed.
    let result = unsafe {
        mbedtls_ctr_drbg_init(c);
        mbedtls_ctr_drbg_set_entropy_len(c, entropy.len());
        let r = (|| -> Result<(), String> {
            check(
                "set_nonce_len",
                mbedtls_ctr_drbg_set_nonce_len(c, nonce.len()),
            )?;
            check(
                "seed",
                mbedtls_ctr_drbg_seed(
                    c,
                    Some(feed_entropy),
                    (&raw mut feed).cast(),
                    pers.as_ptr(),
                    pers.len(),
                ),
            )?;
            match mode {
                Mode::PrTrue => {
                    mbedtls_ctr_drbg_set_prediction_resistance(c, MBEDTLS_CTR_DRBG_PR_ON)
                }
                Mode::PrFalse => {
                    let add = case.get("AdditionalInputReseed", 0);
                    check(
                        "reseed",
                        mbedtls_ctr_drbg_reseed(c, add.as_ptr(), add.len()),
                    )?;
                }
                Mode::NoReseed => {}
            }
            for i in 0..2 {
                let add = case.get("AdditionalInput", i);
                check(
                    "random_with_add",
                    mbedtls_ctr_drbg_random_with_add(
                        c.cast(),
                        out.as_mut_ptr(),
                        out.len(),
                        add.as_ptr(),
                        add.len(),
                    ),
                )?;
            }
            Ok(())
        })();
        mbedtls_ctr_drbg_free(c);
        r
    };
    result?;
    if feed.next != feed.chunks.len() {
        return Err(format!(
            "used {} of {} entropy inputs",
            feed.next,
            feed.chunks.len()
        ));
    }
    if out != want {
        return Err("ReturnedBits differ".into());
    }
    Ok(())
}

#[test]
#[cfg_attr(miri, ignore)]
fn nist_ctr_drbg_vectors() {
    mbedcrypto::install_test_backend();
    let keysize = MBEDTLS_CTR_DRBG_KEYSIZE;
    assert_eq!(
        keysize,
        if cfg!(feature = "ctr-drbg-128-bit-key") {
            16
        } else {
            32
        }
    );
    let wanted = format!("AES-{} use df", keysize * 8);
    let dir = vectors_dir("nist-drbg");
    let mut total = 0;
    for (sub, mode) in [
        ("no_reseed", Mode::NoReseed),
        ("pr_false", Mode::PrFalse),
        ("pr_true", Mode::PrTrue),
    ] {
        let path = dir.join(sub).join("CTR_DRBG.rsp");
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
        let mut passed = 0;
        let mut skipped: HashMap<String, usize> = HashMap::new();
        let mut failures = Vec::new();
        for (i, (section, case)) in parse(&text).iter().enumerate() {
            if *section != wanted {
                *skipped.entry(section.clone()).or_default() += 1;
                continue;
            }
            match run_case(mode, case) {
                Ok(()) => passed += 1,
                Err(e) => failures.push(format!("case {i}: {e}")),
            }
        }
        let mut skipped: Vec<_> = skipped.into_iter().collect();
        skipped.sort();
        println!(
            "{sub}/CTR_DRBG.rsp [{wanted}]: {passed} passed; skipped (not applicable): {skipped:?}"
        );
        assert!(
            failures.is_empty(),
            "{sub}: {} failures: {:?}",
            failures.len(),
            &failures[..failures.len().min(5)]
        );
        assert_eq!(passed, 240, "{sub}: expected the 240 [{wanted}] cases");
        total += passed;
    }
    println!("CTR_DRBG vectors: {total} cases passed");
}
