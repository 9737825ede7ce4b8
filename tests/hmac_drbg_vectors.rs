//! NIST CAVP HMAC_DRBG vectors (SP 800-90A, CAVS 14.3) through the C API:
//! every SHA-1, SHA-224, SHA-256, SHA-384 and SHA-512 case of the
//! no_reseed, pr_false and pr_true files. SHA-512/224 and SHA-512/256 cases
//! are counted as skipped (Mbed TLS has no HMAC_DRBG over them).
//!
//! Each case seeds with `mbedtls_hmac_drbg_seed()` from an entropy callback
//! that serves EntropyInput, Nonce and then the reseed or
//! prediction-resistance inputs as the requests come (the seed asks for
//! `entropy_len` bytes and then `entropy_len / 2` bytes of nonce, set with
//! `mbedtls_hmac_drbg_set_entropy_len()`), makes two generate calls and
//! compares the second output with ReturnedBits. The no_reseed cases are
//! also run through `mbedtls_hmac_drbg_seed_buf()`, as upstream's tests do.
//!
//! The vectors are read from `$MBEDCRYPTO_VECTORS` or
//! `<repo>/../shared/vectors`; the test fails if they are missing.

mod common;
use common::{unhex, vectors_dir};
use std::ffi::{c_int, c_uchar, c_void};
use std::ptr;

use mbedcrypto::*;

/// A byte string served in order, whatever the sizes of the requests.
struct Feed {
    data: Vec<u8>,
    pos: usize,
}

unsafe extern "C" fn feed_entropy(p: *mut c_void, out: *mut c_uchar, len: usize) -> c_int {
    // SAFETY: p_entropy is the test's live Feed; out has len writable bytes.
    let (feed, out) = unsafe {
        (
            &mut *p.cast::<Feed>(),
            std::slice::from_raw_parts_mut(out, len),
        )
    };
    if feed.data.len() - feed.pos < len {
        return -1;
    }
    out.copy_from_slice(&feed.data[feed.pos..feed.pos + len]);
    feed.pos += len;
    0
}

/// One case: its algorithm and its fields in file order (AdditionalInput
/// and EntropyInputPR appear twice).
struct Case {
    alg: String,
    count: String,
    fields: Vec<(String, Vec<u8>)>,
}

impl Case {
    fn get(&self, name: &str, nth: usize) -> &[u8] {
        self.fields
            .iter()
            .filter(|(k, _)| k == name)
            .nth(nth)
            .map(|(_, v)| v.as_slice())
            .unwrap_or_else(|| panic!("{} COUNT {}: no {name} #{nth}", self.alg, self.count))
    }
}

fn parse(text: &str) -> Vec<Case> {
    let mut cases = Vec::new();
    let mut alg = String::new();
    let mut cur: Option<Case> = None;
    for line in text.lines().map(str::trim) {
        if line.starts_with('[') {
            let inner = &line[1..line.len() - 1];
            if !inner.contains('=') {
                alg = inner.to_string();
            }
            continue;
        }
        if line.is_empty() || line.starts_with('#') {
            if let Some(c) = cur.take() {
                cases.push(c);
            }
            continue;
        }
        let Some((k, v)) = line.split_once('=') else {
            continue;
        };
        let (k, v) = (k.trim(), v.trim());
        if k == "COUNT" {
            if let Some(c) = cur.take() {
                cases.push(c);
            }
            cur = Some(Case {
                alg: alg.clone(),
                count: v.to_string(),
                fields: Vec::new(),
            });
        } else if let Some(c) = cur.as_mut() {
            c.fields.push((k.to_string(), unhex(v)));
        }
    }
    if let Some(c) = cur.take() {
        cases.push(c);
    }
    cases
}

fn md_type(alg: &str) -> Option<mbedtls_md_type_t> {
    Some(match alg {
        "SHA-1" => 5,
        "SHA-224" => 8,
        "SHA-256" => 9,
        "SHA-384" => 10,
        "SHA-512" => 11,
        _ => return None,
    })
}

#[derive(Clone, Copy, PartialEq)]
enum Mode {
    NoReseed,
    PrFalse,
    PrTrue,
}

/// Optional data as a C pointer: NULL when empty, as upstream's tests pass it.
fn c_ptr(b: &[u8]) -> *const c_uchar {
    if b.is_empty() {
        ptr::null()
    } else {
        b.as_ptr()
    }
}

/// Runs a case through seed (and seed_buf for no_reseed); Err describes
/// the first mismatch.
fn run(case: &Case, md: mbedtls_md_type_t, mode: Mode) -> Result<(), String> {
    let entropy = case.get("EntropyInput", 0);
    let nonce = case.get("Nonce", 0);
    let pers = case.get("PersonalizationString", 0);
    let add1 = case.get("AdditionalInput", 0);
    let add2 = case.get("AdditionalInput", 1);
    let expected = case.get("ReturnedBits", 0);
    if nonce.len() != entropy.len() / 2 {
        return Err(format!(
            "nonce of {} bytes for {} bytes of entropy",
            nonce.len(),
            entropy.len()
        ));
    }
    let mut data = [entropy, nonce].concat();
    match mode {
        Mode::NoReseed => {}
        Mode::PrFalse => data.extend_from_slice(case.get("EntropyInputReseed", 0)),
        Mode::PrTrue => {
            data.extend_from_slice(case.get("EntropyInputPR", 0));
            data.extend_from_slice(case.get("EntropyInputPR", 1));
        }
    }
    let mut feed = Feed { data, pos: 0 };
    let mut out = vec![0u8; expected.len()];
    let info = mbedtls_md_info_from_type(md);
    // SAFETY: an all-zero context is valid memory for init; every pointer
    // passed below is live for the call, with the stated length.
    let mut ctx: mbedtls_hmac_drbg_context = unsafe { std::mem::zeroed() };
    let c = &raw mut ctx;
    let check = |what: &str, rc: c_int| {
        if rc == 0 {
            Ok(())
        } else {
            Err(format!("{what} returned -0x{:04X}", -rc))
        }
    };
    // SAFETY: as above.
    let result = unsafe {
        (|| {
            mbedtls_hmac_drbg_init(c);
            mbedtls_hmac_drbg_set_entropy_len(c, entropy.len());
            check(
                "seed",
                mbedtls_hmac_drbg_seed(
                    c,
                    info,
                    Some(feed_entropy),
                    (&raw mut feed).cast(),
                    c_ptr(pers),
                    pers.len(),
                ),
            )?;
            match mode {
                Mode::NoReseed => {}
                Mode::PrFalse => {
                    let ar = case.get("AdditionalInputReseed", 0);
                    check("reseed", mbedtls_hmac_drbg_reseed(c, c_ptr(ar), ar.len()))?;
                }
                Mode::PrTrue => {
                    mbedtls_hmac_drbg_set_prediction_resistance(c, MBEDTLS_HMAC_DRBG_PR_ON)
                }
            }
            for add in [add1, add2] {
                check(
                    "random_with_add",
                    mbedtls_hmac_drbg_random_with_add(
                        c.cast(),
                        out.as_mut_ptr(),
                        out.len(),
                        c_ptr(add),
                        add.len(),
                    ),
                )?;
            }
            if feed.pos != feed.data.len() {
                return Err(format!(
                    "used {} of {} entropy bytes",
                    feed.pos,
                    feed.data.len()
                ));
            }
            if out != expected {
                return Err("output differs (seed)".into());
            }
            if mode == Mode::NoReseed {
                // The deterministic instance: entropy || nonce || pers.
                mbedtls_hmac_drbg_free(c);
                let buf = [entropy, nonce, pers].concat();
                check(
                    "seed_buf",
                    mbedtls_hmac_drbg_seed_buf(c, info, buf.as_ptr(), buf.len()),
                )?;
                out.fill(0);
                for add in [add1, add2] {
                    check(
                        "random_with_add",
                        mbedtls_hmac_drbg_random_with_add(
                            c.cast(),
                            out.as_mut_ptr(),
                            out.len(),
                            c_ptr(add),
                            add.len(),
                        ),
                    )?;
                }
                if out != expected {
                    return Err("output differs (seed_buf)".into());
                }
            }
            Ok(())
        })()
    };
    // SAFETY: the context was initialised above.
    unsafe { mbedtls_hmac_drbg_free(c) };
    result
}

#[test]
#[cfg_attr(miri, ignore)]
fn nist_hmac_drbg_vectors() {
    mbedcrypto::install_test_backend();
    let dir = vectors_dir("nist-drbg");
    let mut total = 0;
    for (sub, mode) in [
        ("no_reseed", Mode::NoReseed),
        ("pr_false", Mode::PrFalse),
        ("pr_true", Mode::PrTrue),
    ] {
        let path = dir.join(sub).join("HMAC_DRBG.rsp");
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
        let (mut passed, mut skipped) = (0, 0);
        let mut failures = Vec::new();
        for case in parse(&text) {
            let Some(md) = md_type(&case.alg) else {
                skipped += 1;
                continue;
            };
            match run(&case, md, mode) {
                Ok(()) => passed += 1,
                Err(e) => failures.push(format!("{} COUNT {}: {e}", case.alg, case.count)),
            }
        }
        println!(
            "{sub}/HMAC_DRBG.rsp: {passed} cases passed, {skipped} skipped (SHA-512/224, SHA-512/256), {} failed",
            failures.len()
        );
        assert!(
            failures.is_empty(),
            "{sub}: {} failures, first: {}",
            failures.len(),
            failures[0]
        );
        assert!(passed > 0, "{sub}: no applicable cases found");
        total += passed;
    }
    assert_eq!(total, 3 * 1200, "every applicable case of the three files");
}
