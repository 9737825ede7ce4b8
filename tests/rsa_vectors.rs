//! Known answers for rsa.h (and the prime test of bignum.h) through the
//! exported C functions.
//!
//! Project Wycheproof (`wycheproof/`, every file, each test function takes
//! the files of one schema and `wycheproof_every_file_is_covered` checks
//! that no file is left out):
//! - `rsa_signature_*`: PKCS#1 v1.5 verification
//!   (`mbedtls_rsa_rsassa_pkcs1_v15_verify`; valid cases also through
//!   `mbedtls_rsa_pkcs1_verify`).
//! - `rsa_pkcs1_*_sig_gen_test`: PKCS#1 v1.5 signing (`mbedtls_rsa_pkcs1_sign`),
//!   deterministic, so the signature must equal the file's.
//! - `rsa_pss_*`: PSS verification with the group's salt length
//!   (`mbedtls_rsa_rsassa_pss_verify_ext`; valid cases also through
//!   `mbedtls_rsa_pkcs1_verify`, which accepts any salt length).
//! - `rsa_oaep_*`: OAEP decryption (`mbedtls_rsa_rsaes_oaep_decrypt`).
//! - `rsa_pkcs1_{2048,3072,4096}_test`: PKCS#1 v1.5 decryption
//!   (`mbedtls_rsa_rsaes_pkcs1_v15_decrypt`); every invalid case must fail.
//! - `primality_test`: `mbedtls_mpi_is_prime_ext` with 40 random bases.
//!
//! "valid" must succeed with the expected output, "invalid" must fail, and
//! "acceptable" is counted separately by outcome (an output, when there is
//! one, must still be right). Private keys are imported with
//! `mbedtls_rsa_import_raw` (N, P, Q, D, E; the signing files give only N,
//! E, D, and the library factors N) and `mbedtls_rsa_complete`; where the
//! file gives the CRT values, the ones the library derives must equal them.
//!
//! Rejected by design (counted, with the reason): cases upstream's rules
//! cannot express or refuse.
//! - PSS and OAEP groups whose MGF1 hash differs from the message (PSS) or
//!   label (OAEP) hash: upstream's PSS hashes M' with the MGF1 hash, and its
//!   OAEP uses the context's one hash for both the label and MGF1, so such
//!   signatures and ciphertexts cannot be processed. The calls are still
//!   made: a rejection counts as "by design", an accepted invalid case
//!   fails, an accepted valid case counts as passed (and is listed as a
//!   deviation from upstream).
//! - Hashes this build lacks (anything but SHA-1/224/256/384/512) and mask
//!   functions other than MGF1 (none occur in the current files).
//!
//! Signatures or ciphertexts whose length is not the modulus length cannot
//! be passed to rsa.h (it reads exactly `mbedtls_rsa_get_len()` bytes);
//! they are rejected before the call, as `mbedtls_pk_verify` does, and
//! counted as rejections with the code "length" (a valid case of such a
//! length would fail the test).
//!
//! NIST CAVP FIPS 186-3 (`nist-rsa/`): SigGen15 (sign, compare exactly),
//! SigGenPSS (sign with the file's salt, compare exactly: the test RNG
//! serves SaltVal for the first request of exactly the salt length, which
//! is how upstream draws the salt, before the private operation's blinding
//! draws), SigVer15 and SigVerPSS (Result P must verify, F must not; the
//! PSS salt length is the one the file's `# Combinations` header gives),
//! and KeyGen_RandomProbablyPrime3_3 (import P, Q, E, complete; N and D
//! must equal the file's, where d = e^-1 mod lcm(p-1, q-1) like upstream's
//! derivation; then `mbedtls_rsa_check_privkey`). Keys with only N, E, D
//! are completed by the library (it factors N).
//!
//! Each file prints one line (run with `--nocapture`): cases, passed,
//! rejected by design, acceptable accepted/rejected, failed, and the
//! rejections by error code.
//!
//! The vectors are read from `$MBEDCRYPTO_VECTORS` or
//! `<repo>/../shared/vectors`; the test fails if they are missing.

// Several thousand RSA operations up to 8192 bits: about two minutes in a
// debug build, 15 s optimised. CI runs this file once with `--release`
// (tools/ci-steps.sh, step "options"); debug builds compile it out.
#![cfg(not(debug_assertions))]

mod common;
use common::{unhex, vectors_dir};
use std::collections::BTreeMap;
use std::ffi::{CString, c_int, c_uchar, c_uint, c_void};
use std::fmt::Display;
use std::ptr::{null, null_mut};

use mbedcrypto::*;

// ------------------------------------------------------------------ JSON

/// A JSON value. `true`, `false` and `null` are not needed by the tests
/// and parse to `Lit`.
enum Json {
    Lit,
    Num(f64),
    Str(String),
    Arr(Vec<Json>),
    Obj(Vec<(String, Json)>),
}

impl Json {
    fn parse(text: &str) -> Result<Json, String> {
        let mut p = Parser {
            s: text.as_bytes(),
            i: 0,
        };
        let v = p.value()?;
        p.ws();
        if p.i != p.s.len() {
            return Err(format!("trailing data at byte {}", p.i));
        }
        Ok(v)
    }

    fn get(&self, key: &str) -> Option<&Json> {
        match self {
            Json::Obj(m) => m.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    fn at(&self, key: &str) -> &Json {
        self.get(key)
            .unwrap_or_else(|| panic!("JSON field {key:?} missing"))
    }

    fn str(&self) -> &str {
        match self {
            Json::Str(s) => s,
            _ => panic!("not a JSON string"),
        }
    }

    fn arr(&self) -> &[Json] {
        match self {
            Json::Arr(a) => a,
            _ => panic!("not a JSON array"),
        }
    }

    fn int(&self) -> i64 {
        match self {
            Json::Num(n) if n.fract() == 0.0 => *n as i64,
            _ => panic!("not a JSON integer"),
        }
    }

    fn hex(&self) -> Vec<u8> {
        unhex(self.str())
    }

    /// The hex field `key`, empty if absent.
    fn opt_hex(&self, key: &str) -> Vec<u8> {
        self.get(key).map(Json::hex).unwrap_or_default()
    }
}

struct Parser<'a> {
    s: &'a [u8],
    i: usize,
}

impl Parser<'_> {
    fn ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.s.get(self.i) {
            self.i += 1;
        }
    }

    fn next(&mut self) -> Result<u8, String> {
        let c = *self.s.get(self.i).ok_or("unexpected end of JSON")?;
        self.i += 1;
        Ok(c)
    }

    fn eat(&mut self, lit: &str) -> Result<(), String> {
        if self.s[self.i..].starts_with(lit.as_bytes()) {
            self.i += lit.len();
            Ok(())
        } else {
            Err(format!("expected {lit:?} at byte {}", self.i))
        }
    }

    fn value(&mut self) -> Result<Json, String> {
        self.ws();
        match self.s.get(self.i).copied() {
            Some(b'{') => {
                self.i += 1;
                let mut members = Vec::new();
                self.ws();
                if self.s.get(self.i) == Some(&b'}') {
                    self.i += 1;
                    return Ok(Json::Obj(members));
                }
                loop {
                    self.ws();
                    let key = self.string()?;
                    self.ws();
                    self.eat(":")?;
                    members.push((key, self.value()?));
                    self.ws();
                    match self.next()? {
                        b',' => {}
                        b'}' => return Ok(Json::Obj(members)),
                        c => return Err(format!("unexpected {:?} at byte {}", c as char, self.i)),
                    }
                }
            }
            Some(b'[') => {
                self.i += 1;
                let mut items = Vec::new();
                self.ws();
                if self.s.get(self.i) == Some(&b']') {
                    self.i += 1;
                    return Ok(Json::Arr(items));
                }
                loop {
                    items.push(self.value()?);
                    self.ws();
                    match self.next()? {
                        b',' => {}
                        b']' => return Ok(Json::Arr(items)),
                        c => return Err(format!("unexpected {:?} at byte {}", c as char, self.i)),
                    }
                }
            }
            Some(b'"') => Ok(Json::Str(self.string()?)),
            Some(b't') => self.eat("true").map(|()| Json::Lit),
            Some(b'f') => self.eat("false").map(|()| Json::Lit),
            Some(b'n') => self.eat("null").map(|()| Json::Lit),
            Some(_) => {
                let start = self.i;
                while let Some(b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E') = self.s.get(self.i)
                {
                    self.i += 1;
                }
                let t = std::str::from_utf8(&self.s[start..self.i]).map_err(|e| e.to_string())?;
                t.parse::<f64>()
                    .map(Json::Num)
                    .map_err(|_| format!("bad JSON value {t:?} at byte {start}"))
            }
            None => Err("unexpected end of JSON".into()),
        }
    }

    fn string(&mut self) -> Result<String, String> {
        if self.next()? != b'"' {
            return Err(format!("expected a string at byte {}", self.i - 1));
        }
        let mut out = Vec::new();
        loop {
            match self.next()? {
                b'"' => return String::from_utf8(out).map_err(|e| e.to_string()),
                b'\\' => {
                    let c = match self.next()? {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'u' => {
                            let hi = self.hex4()?;
                            let code = if (0xD800..0xDC00).contains(&hi) {
                                self.eat("\\u")?;
                                let lo = self.hex4()?;
                                0x10000 + ((hi - 0xD800) << 10) + (lo.wrapping_sub(0xDC00) & 0x3FF)
                            } else {
                                hi
                            };
                            char::from_u32(code).ok_or("bad \\u escape")?
                        }
                        c => return Err(format!("bad escape \\{}", c as char)),
                    };
                    out.extend_from_slice(c.encode_utf8(&mut [0u8; 4]).as_bytes());
                }
                c => out.push(c),
            }
        }
    }

    fn hex4(&mut self) -> Result<u32, String> {
        let t = self.s.get(self.i..self.i + 4).ok_or("short \\u escape")?;
        let t = std::str::from_utf8(t).map_err(|e| e.to_string())?;
        let v = u32::from_str_radix(t, 16).map_err(|e| e.to_string())?;
        self.i += 4;
        Ok(v)
    }
}

// ------------------------------------------------------- library helpers

/// The RNG callback type of rsa.h and bignum.h.
type FRng = Option<unsafe extern "C" fn(*mut c_void, *mut c_uchar, usize) -> c_int>;

/// The `f_rng` of every call that needs one: splitmix64, seeded per case so
/// that runs are reproducible. For PSS signing it also serves a vector's
/// salt: the first request of exactly the salt's length gets the salt.
/// `requests` logs the lengths asked for, for failure messages.
struct TestRng {
    state: u64,
    salt: Option<Vec<u8>>,
    requests: Vec<usize>,
    salt_served_at: Option<usize>,
}

impl TestRng {
    fn new(seed: u64) -> TestRng {
        TestRng {
            state: seed,
            salt: None,
            requests: Vec::new(),
            salt_served_at: None,
        }
    }

    fn with_salt(seed: u64, salt: Vec<u8>) -> TestRng {
        TestRng {
            salt: Some(salt),
            ..TestRng::new(seed)
        }
    }

    fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn fill(&mut self, out: &mut [u8]) {
        self.requests.push(out.len());
        if let Some(salt) = self.salt.take_if(|s| s.len() == out.len()) {
            out.copy_from_slice(&salt);
            self.salt_served_at = Some(self.requests.len() - 1);
            return;
        }
        for chunk in out.chunks_mut(8) {
            let w = self.next_u64().to_le_bytes();
            chunk.copy_from_slice(&w[..chunk.len()]);
        }
    }

    fn ptr(&mut self) -> *mut c_void {
        (self as *mut TestRng).cast()
    }
}

unsafe extern "C" fn test_rng(p: *mut c_void, out: *mut c_uchar, len: usize) -> c_int {
    // SAFETY: p_rng is the live TestRng the test passed along with this
    // callback, used by one thread at a time.
    let rng = unsafe { &mut *p.cast::<TestRng>() };
    if len == 0 {
        rng.fill(&mut []);
    } else {
        // SAFETY: the RNG contract: out has len writable bytes.
        rng.fill(unsafe { std::slice::from_raw_parts_mut(out, len) });
    }
    0
}

const RNG: FRng = Some(test_rng);

/// An error code as upstream writes it, e.g. `-0x4380`.
fn code(rc: c_int) -> String {
    if rc < 0 {
        format!("-0x{:04X}", -rc)
    } else {
        format!("{rc}")
    }
}

/// A hash of this build, from a Wycheproof ("SHA-256") or NIST ("SHA256")
/// name.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
struct Md {
    id: mbedtls_md_type_t,
    size: usize,
}

impl Md {
    fn by_name(name: &str) -> Option<Md> {
        let norm: String = name
            .chars()
            .filter(|&c| c != '-' && c != '_' && c != ' ')
            .collect::<String>()
            .to_ascii_uppercase();
        let (id, size) = match norm.as_str() {
            "SHA1" => (5, 20),
            "SHA224" => (8, 28),
            "SHA256" => (9, 32),
            "SHA384" => (10, 48),
            "SHA512" => (11, 64),
            _ => return None,
        };
        Some(Md { id, size })
    }

    /// The digest of `msg` through `mbedtls_md()`.
    fn hash(self, msg: &[u8]) -> Vec<u8> {
        let info = mbedtls_md_info_from_type(self.id);
        assert!(!info.is_null(), "md {} missing", self.id);
        let mut out = vec![0u8; self.size];
        // SAFETY: a descriptor from the library, a live input and an
        // output of the digest's size.
        let rc = unsafe { mbedtls_md(info, msg.as_ptr(), msg.len(), out.as_mut_ptr()) };
        assert_eq!(rc, 0, "mbedtls_md");
        out
    }

    fn hashlen(self) -> c_uint {
        self.size as c_uint
    }
}

/// `bytes` without leading zero bytes (Wycheproof's sign byte, NIST's
/// zero padding).
fn trim(bytes: &[u8]) -> &[u8] {
    let first = bytes.iter().position(|&b| b != 0).unwrap_or(bytes.len());
    &bytes[first..]
}

/// Bytes of a hex integer, left-padded with zeros to `len` bytes (NIST
/// files drop leading zero nibbles).
fn unhex_to(s: &str, len: usize) -> Vec<u8> {
    assert!(s.len() <= 2 * len, "hex value longer than {len} bytes");
    unhex(&format!("{s:0>width$}", width = 2 * len))
}

/// Bytes of a hex integer of any length (odd lengths get a leading zero).
fn unhex_int(s: &str) -> Vec<u8> {
    unhex_to(s, s.len().div_ceil(2))
}

/// An initialised `mbedtls_rsa_context`, freed on drop.
struct Rsa(Box<mbedtls_rsa_context>);

impl Rsa {
    fn new() -> Rsa {
        // SAFETY: the context is a plain C struct (integers, pointers and
        // mpis with NULL limbs), for which all-bits-zero is a valid value.
        let mut ctx: Box<mbedtls_rsa_context> = Box::new(unsafe { std::mem::zeroed() });
        // SAFETY: a writable context.
        unsafe { mbedtls_rsa_init(&mut *ctx) };
        Rsa(ctx)
    }

    fn ctx(&mut self) -> *mut mbedtls_rsa_context {
        &mut *self.0
    }

    /// `mbedtls_rsa_import_raw` of the components given (NULL for the
    /// others), then `mbedtls_rsa_complete`.
    fn import(
        &mut self,
        n: Option<&[u8]>,
        p: Option<&[u8]>,
        q: Option<&[u8]>,
        d: Option<&[u8]>,
        e: Option<&[u8]>,
    ) -> Result<(), Outcome> {
        let part = |x: Option<&[u8]>| x.map_or((null(), 0), |v| (trim(v).as_ptr(), trim(v).len()));
        let (n, p, q, d, e) = (part(n), part(p), part(q), part(d), part(e));
        // SAFETY: a live context; each component is NULL or a live buffer
        // of the length passed.
        let rc = unsafe {
            mbedtls_rsa_import_raw(self.ctx(), n.0, n.1, p.0, p.1, q.0, q.1, d.0, d.1, e.0, e.1)
        };
        if rc != 0 {
            return Err(Outcome::Rejected(format!("import_raw {}", code(rc))));
        }
        // SAFETY: a live context.
        let rc = unsafe { mbedtls_rsa_complete(self.ctx()) };
        if rc != 0 {
            return Err(Outcome::Rejected(format!("complete {}", code(rc))));
        }
        Ok(())
    }

    /// A Wycheproof `privateKey` object: import N, P, Q, D, E (the
    /// signing files give only N, E, D, so the library factors N), complete,
    /// and check the derived CRT values against the file's when it has them.
    fn import_wycheproof_private(&mut self, key: &Json) -> Result<(), Outcome> {
        let h = |k: &str| key.get(k).map(Json::hex);
        self.import(
            h("modulus").as_deref(),
            h("prime1").as_deref(),
            h("prime2").as_deref(),
            h("privateExponent").as_deref(),
            h("publicExponent").as_deref(),
        )?;
        let (mut dp, mut dq, mut qp) = (Mpi::new(), Mpi::new(), Mpi::new());
        // SAFETY: a live context and three initialised mpis.
        let rc = unsafe { mbedtls_rsa_export_crt(self.ctx(), dp.ptr(), dq.ptr(), qp.ptr()) };
        if rc != 0 {
            return Err(Outcome::Wrong(format!("export_crt {}", code(rc))));
        }
        for (name, got, field) in [
            ("DP", dp, "exponent1"),
            ("DQ", dq, "exponent2"),
            ("QP", qp, "coefficient"),
        ] {
            if let Some(want) = h(field)
                && got.to_bytes() != trim(&want)
            {
                return Err(Outcome::Wrong(format!(
                    "derived {name} differs from {field}"
                )));
            }
        }
        Ok(())
    }

    fn len(&self) -> usize {
        // SAFETY: a live context.
        unsafe { mbedtls_rsa_get_len(&*self.0) }
    }

    fn set_padding(&mut self, padding: c_int, md: mbedtls_md_type_t) {
        // SAFETY: a live context.
        let rc = unsafe { mbedtls_rsa_set_padding(self.ctx(), padding, md) };
        assert_eq!(rc, 0, "set_padding({padding}, {md})");
    }
}

impl Drop for Rsa {
    fn drop(&mut self) {
        // SAFETY: an initialised context, freed once.
        unsafe { mbedtls_rsa_free(self.ctx()) };
    }
}

/// An initialised `mbedtls_mpi`, freed on drop.
struct Mpi(Box<mbedtls_mpi>);

impl Mpi {
    fn new() -> Mpi {
        // SAFETY: a plain C struct; all-bits-zero is valid, init sets it.
        let mut x: Box<mbedtls_mpi> = Box::new(unsafe { std::mem::zeroed() });
        // SAFETY: a writable mpi.
        unsafe { mbedtls_mpi_init(&mut *x) };
        Mpi(x)
    }

    fn ptr(&mut self) -> *mut mbedtls_mpi {
        &mut *self.0
    }

    /// The magnitude, big-endian, without leading zeros.
    fn to_bytes(&self) -> Vec<u8> {
        // SAFETY: an initialised mpi.
        let n = unsafe { mbedtls_mpi_size(&*self.0) };
        let mut out = vec![0u8; n];
        // SAFETY: an initialised mpi and a buffer of n bytes.
        let rc = unsafe { mbedtls_mpi_write_binary(&*self.0, out.as_mut_ptr(), n) };
        assert_eq!(rc, 0, "mpi_write_binary");
        out
    }
}

impl Drop for Mpi {
    fn drop(&mut self) {
        // SAFETY: an initialised mpi, freed once.
        unsafe { mbedtls_mpi_free(self.ptr()) };
    }
}

// -------------------------------------------------------------- counting

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Expect {
    Valid,
    Invalid,
    Acceptable,
}

impl Expect {
    fn wycheproof(t: &Json) -> Expect {
        match t.at("result").str() {
            "valid" => Expect::Valid,
            "invalid" => Expect::Invalid,
            "acceptable" => Expect::Acceptable,
            r => panic!("unknown result {r:?}"),
        }
    }
}

/// What the library did with a case.
#[derive(Clone, Debug)]
enum Outcome {
    /// Success, with the expected output if there is one.
    Accepted,
    /// An error; the string is the code (or "length" for inputs rejected
    /// before the call).
    Rejected(String),
    /// A wrong output, or a disagreement between two entry points.
    Wrong(String),
}

impl Outcome {
    /// 0 is acceptance; anything else a rejection with that code.
    fn of(rc: c_int) -> Outcome {
        if rc == 0 {
            Outcome::Accepted
        } else {
            Outcome::Rejected(code(rc))
        }
    }
}

/// The counts of one file.
struct Tally {
    file: String,
    expected_cases: Option<usize>,
    cases: usize,
    passed: usize,
    by_design: BTreeMap<String, usize>,
    accepted_anyway: BTreeMap<String, usize>,
    acceptable_accepted: usize,
    acceptable_rejected: usize,
    rejections: BTreeMap<String, usize>,
    failures: Vec<String>,
}

impl Tally {
    fn new(file: &str) -> Tally {
        Tally {
            file: file.to_string(),
            expected_cases: None,
            cases: 0,
            passed: 0,
            by_design: BTreeMap::new(),
            accepted_anyway: BTreeMap::new(),
            acceptable_accepted: 0,
            acceptable_rejected: 0,
            rejections: BTreeMap::new(),
            failures: Vec::new(),
        }
    }

    fn fail(&mut self, id: &dyn Display, expect: Expect, why: String) {
        self.failures
            .push(format!("{} {id} ({expect:?}): {why}", self.file));
    }

    /// Counts one case. `by_design` is the reason upstream's rules cannot
    /// handle the case, if any.
    fn record(
        &mut self,
        id: impl Display,
        expect: Expect,
        by_design: Option<&str>,
        outcome: Outcome,
    ) {
        self.cases += 1;
        if let Outcome::Rejected(c) = &outcome {
            *self.rejections.entry(c.clone()).or_default() += 1;
        }
        let design = |t: &mut Tally| {
            let r = by_design.expect("by design");
            *t.by_design.entry(r.to_string()).or_default() += 1;
        };
        match (expect, outcome) {
            (_, Outcome::Wrong(why)) => self.fail(&id, expect, why),
            (Expect::Valid, Outcome::Accepted) => {
                self.passed += 1;
                if let Some(r) = by_design {
                    *self.accepted_anyway.entry(r.to_string()).or_default() += 1;
                }
            }
            (Expect::Valid, Outcome::Rejected(c)) => match by_design {
                Some(_) => design(self),
                None => self.fail(&id, expect, format!("rejected: {c}")),
            },
            (Expect::Invalid, Outcome::Accepted) => self.fail(&id, expect, "accepted".into()),
            (Expect::Invalid, Outcome::Rejected(_)) => match by_design {
                Some(_) => design(self),
                None => self.passed += 1,
            },
            (Expect::Acceptable, Outcome::Accepted) => self.acceptable_accepted += 1,
            (Expect::Acceptable, Outcome::Rejected(_)) => match by_design {
                Some(_) => design(self),
                None => self.acceptable_rejected += 1,
            },
        }
    }

    /// Prints the file's line; returns its failures.
    fn report(self) -> Vec<String> {
        let design: usize = self.by_design.values().sum();
        let mut line = format!(
            "{}: {} cases: {} passed, {} rejected by design",
            self.file, self.cases, self.passed, design
        );
        if design > 0 {
            line += &format!(" {:?}", self.by_design);
        }
        line += &format!(
            ", acceptable {} accepted / {} rejected, {} failed; rejections by code {:?}",
            self.acceptable_accepted,
            self.acceptable_rejected,
            self.failures.len(),
            self.rejections
        );
        if !self.accepted_anyway.is_empty() {
            line += &format!(
                "; NOTE valid cases accepted although upstream rejects them by design: {:?}",
                self.accepted_anyway
            );
        }
        println!("{line}");
        let mut failures = self.failures;
        if self.cases == 0 {
            failures.push(format!("{}: no cases", self.file));
        }
        if let Some(n) = self.expected_cases
            && n != self.cases
        {
            failures.push(format!(
                "{}: ran {} cases, the file has {n}",
                self.file, self.cases
            ));
        }
        failures
    }
}

/// Prints the tallies' lines and fails on any failure.
fn finish(what: &str, tallies: Vec<Tally>) {
    let cases: usize = tallies.iter().map(|t| t.cases).sum();
    let files = tallies.len();
    assert!(files > 0, "{what}: no files");
    let failures: Vec<String> = tallies.into_iter().flat_map(Tally::report).collect();
    println!(
        "{what}: {files} files, {cases} cases, {} failures",
        failures.len()
    );
    assert!(
        failures.is_empty(),
        "{what}: {} failures:\n{}",
        failures.len(),
        failures[..failures.len().min(40)].join("\n")
    );
}

// ------------------------------------------------------------ Wycheproof

const PKCS1_VERIFY: &str = "rsassa_pkcs1_verify_schema_v1.json";
const PKCS1_SIGN: &str = "rsassa_pkcs1_generate_schema_v1.json";
const PSS_VERIFY: &str = "rsassa_pss_verify_schema_v1.json";
const OAEP_DECRYPT: &str = "rsaes_oaep_decrypt_schema_v1.json";
const PKCS1_DECRYPT: &str = "rsaes_pkcs1_decrypt_schema_v1.json";
const PRIMALITY: &str = "primality_test_schema_v1.json";

/// The schema a Wycheproof file of this folder uses, from its name.
fn schema_of(name: &str) -> Option<&'static str> {
    let stem = name.strip_suffix(".json")?;
    if stem == "primality_test" {
        Some(PRIMALITY)
    } else if stem.starts_with("rsa_signature_") {
        Some(PKCS1_VERIFY)
    } else if stem.starts_with("rsa_pkcs1_") && stem.ends_with("_sig_gen_test") {
        Some(PKCS1_SIGN)
    } else if stem.starts_with("rsa_pkcs1_") {
        Some(PKCS1_DECRYPT)
    } else if stem.starts_with("rsa_pss_") {
        Some(PSS_VERIFY)
    } else if stem.starts_with("rsa_oaep_") {
        Some(OAEP_DECRYPT)
    } else {
        None
    }
}

fn wycheproof_names() -> Vec<String> {
    let dir = vectors_dir("wycheproof");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .map(|e| {
            e.expect("dir entry")
                .file_name()
                .into_string()
                .expect("utf-8 name")
        })
        .filter(|n| n.ends_with(".json"))
        .collect();
    names.sort();
    names
}

fn read_wycheproof(name: &str) -> Json {
    let path = vectors_dir("wycheproof").join(name);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    Json::parse(&text).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// Runs `case` on every test of every file of `schema`; `case` gets the
/// group, its per-group state and the test, and returns the by-design
/// reason (if any) and the outcome.
fn run_wycheproof<S>(
    schema: &str,
    mut group_setup: impl FnMut(&Json) -> S,
    mut case: impl FnMut(&Json, &mut S, &Json) -> (Option<String>, Outcome),
) -> Vec<Tally> {
    let mut tallies = Vec::new();
    for name in wycheproof_names()
        .into_iter()
        .filter(|n| schema_of(n) == Some(schema))
    {
        let json = read_wycheproof(&name);
        assert_eq!(json.at("schema").str(), schema, "{name}");
        let mut tally = Tally::new(&name);
        tally.expected_cases = Some(json.at("numberOfTests").int() as usize);
        for group in json.at("testGroups").arr() {
            let mut state = group_setup(group);
            for t in group.at("tests").arr() {
                let (design, outcome) = case(group, &mut state, t);
                tally.record(
                    format!("tcId {}", t.at("tcId").int()),
                    Expect::wycheproof(t),
                    design.as_deref(),
                    outcome,
                );
            }
        }
        tallies.push(tally);
    }
    tallies
}

/// The group's hash, or the by-design reason it is missing.
fn group_md(group: &Json, field: &str) -> Result<Md, String> {
    let name = group.at(field).str();
    Md::by_name(name).ok_or_else(|| format!("hash {name} not in this build"))
}

/// Every file in the folder belongs to one of the tests below.
#[test]
#[cfg_attr(miri, ignore)]
fn wycheproof_every_file_is_covered() {
    let names = wycheproof_names();
    assert!(!names.is_empty(), "no Wycheproof files");
    let mut per_schema: BTreeMap<&str, usize> = BTreeMap::new();
    for name in &names {
        let schema = schema_of(name).unwrap_or_else(|| panic!("{name}: no test covers it"));
        let json = read_wycheproof(name);
        assert_eq!(json.at("schema").str(), schema, "{name}: unexpected schema");
        *per_schema.entry(schema).or_default() += 1;
    }
    println!(
        "Wycheproof: {} files, by schema {per_schema:?}",
        names.len()
    );
    for s in [
        PKCS1_VERIFY,
        PKCS1_SIGN,
        PSS_VERIFY,
        OAEP_DECRYPT,
        PKCS1_DECRYPT,
        PRIMALITY,
    ] {
        assert!(per_schema.contains_key(s), "no file for {s}");
    }
}

/// A public key from a Wycheproof verify group.
fn wycheproof_public(group: &Json) -> (Rsa, Result<(), Outcome>) {
    let key = group.at("publicKey");
    let mut rsa = Rsa::new();
    let r = rsa.import(
        Some(&key.at("modulus").hex()),
        None,
        None,
        None,
        Some(&key.at("publicExponent").hex()),
    );
    (rsa, r)
}

#[test]
#[cfg_attr(miri, ignore)]
fn wycheproof_pkcs1_v15_verify() {
    mbedcrypto::install_test_backend();
    let tallies = run_wycheproof(
        PKCS1_VERIFY,
        |g| (wycheproof_public(g), group_md(g, "sha")),
        |_, ((rsa, key), md), t| {
            let md = match md {
                Ok(md) => *md,
                Err(why) => return (Some(why.clone()), Outcome::Rejected("hash".into())),
            };
            if let Err(o) = key {
                return (None, o.clone());
            }
            let hash = md.hash(&t.at("msg").hex());
            let sig = t.at("sig").hex();
            if sig.len() != rsa.len() {
                return (None, Outcome::Rejected("length".into()));
            }
            // SAFETY: a live public key; a digest of hashlen bytes and a
            // signature of the modulus length.
            let rc = unsafe {
                mbedtls_rsa_rsassa_pkcs1_v15_verify(
                    rsa.ctx(),
                    md.id,
                    md.hashlen(),
                    hash.as_ptr(),
                    sig.as_ptr(),
                )
            };
            let outcome = Outcome::of(rc);
            if rc == 0 {
                // The generic entry point (padding V15 after init) agrees.
                // SAFETY: as above.
                let rc2 = unsafe {
                    mbedtls_rsa_pkcs1_verify(
                        rsa.ctx(),
                        md.id,
                        md.hashlen(),
                        hash.as_ptr(),
                        sig.as_ptr(),
                    )
                };
                if rc2 != 0 {
                    return (
                        None,
                        Outcome::Wrong(format!("pkcs1_verify returned {}", code(rc2))),
                    );
                }
            }
            (None, outcome)
        },
    );
    finish("Wycheproof PKCS#1 v1.5 verify", tallies);
}

#[test]
#[cfg_attr(miri, ignore)]
fn wycheproof_pkcs1_v15_sign() {
    mbedcrypto::install_test_backend();
    let mut seed = 1u64;
    let tallies = run_wycheproof(
        PKCS1_SIGN,
        |g| {
            let mut rsa = Rsa::new();
            let key = rsa.import_wycheproof_private(g.at("privateKey"));
            (rsa, key, group_md(g, "sha"))
        },
        |_, (rsa, key, md), t| {
            let md = match md {
                Ok(md) => *md,
                Err(why) => return (Some(why.clone()), Outcome::Rejected("hash".into())),
            };
            if let Err(o) = key {
                return (None, o.clone());
            }
            let hash = md.hash(&t.at("msg").hex());
            let want = t.at("sig").hex();
            let mut sig = vec![0u8; rsa.len()];
            seed += 1;
            let mut rng = TestRng::new(seed);
            // SAFETY: a live private key (padding V15 after init), a live
            // RNG, a digest of hashlen bytes and a buffer of the modulus
            // length.
            let rc = unsafe {
                mbedtls_rsa_pkcs1_sign(
                    rsa.ctx(),
                    RNG,
                    rng.ptr(),
                    md.id,
                    md.hashlen(),
                    hash.as_ptr(),
                    sig.as_mut_ptr(),
                )
            };
            if rc != 0 {
                return (None, Outcome::of(rc));
            }
            if sig != want {
                return (None, Outcome::Wrong("signature differs".into()));
            }
            // SAFETY: as above; the signature has the modulus length.
            let rc = unsafe {
                mbedtls_rsa_rsassa_pkcs1_v15_verify(
                    rsa.ctx(),
                    md.id,
                    md.hashlen(),
                    hash.as_ptr(),
                    sig.as_ptr(),
                )
            };
            if rc != 0 {
                return (
                    None,
                    Outcome::Wrong(format!("own signature: verify returned {}", code(rc))),
                );
            }
            (None, Outcome::Accepted)
        },
    );
    finish("Wycheproof PKCS#1 v1.5 sign", tallies);
}

#[test]
#[cfg_attr(miri, ignore)]
fn wycheproof_pss_verify() {
    mbedcrypto::install_test_backend();
    let tallies = run_wycheproof(
        PSS_VERIFY,
        |g| {
            let mds = group_md(g, "sha").and_then(|md| Ok((md, group_md(g, "mgfSha")?)));
            let mgf = g.at("mgf").str();
            let design = match &mds {
                _ if mgf != "MGF1" => Some(format!("mask function {mgf}")),
                Err(why) => Some(why.clone()),
                Ok((md, mgf_md)) if md != mgf_md => Some(
                    "MGF1 hash differs from the message hash (upstream hashes M' with the MGF1 hash)"
                        .to_string(),
                ),
                Ok(_) => None,
            };
            (wycheproof_public(g), mds, design)
        },
        |g, ((rsa, key), mds, design), t| {
            let Ok((md, mgf_md)) = *mds else {
                return (design.clone(), Outcome::Rejected("hash".into()));
            };
            if let Err(o) = key {
                return (design.clone(), o.clone());
            }
            let slen = g.at("sLen").int() as c_int;
            let hash = md.hash(&t.at("msg").hex());
            let sig = t.at("sig").hex();
            if sig.len() != rsa.len() {
                return (design.clone(), Outcome::Rejected("length".into()));
            }
            // SAFETY: a live public key; a digest of hashlen bytes and a
            // signature of the modulus length.
            let rc = unsafe {
                mbedtls_rsa_rsassa_pss_verify_ext(
                    rsa.ctx(),
                    md.id,
                    md.hashlen(),
                    hash.as_ptr(),
                    mgf_md.id,
                    slen,
                    sig.as_ptr(),
                )
            };
            if rc == 0 && design.is_none() && Expect::wycheproof(t) == Expect::Valid {
                // Any salt length through the generic entry point.
                rsa.set_padding(MBEDTLS_RSA_PKCS_V21, md.id);
                // SAFETY: as above.
                let rc2 = unsafe {
                    mbedtls_rsa_pkcs1_verify(
                        rsa.ctx(),
                        md.id,
                        md.hashlen(),
                        hash.as_ptr(),
                        sig.as_ptr(),
                    )
                };
                if rc2 != 0 {
                    return (
                        None,
                        Outcome::Wrong(format!("pkcs1_verify (V21) returned {}", code(rc2))),
                    );
                }
            }
            (design.clone(), Outcome::of(rc))
        },
    );
    finish("Wycheproof PSS verify", tallies);
}

/// Decrypts `ct` with `decrypt(olen, input, output, output_max_len)` and
/// compares with `msg`.
fn decrypt_case(
    rsa: &Rsa,
    ct: &[u8],
    msg: &[u8],
    decrypt: impl FnOnce(*mut usize, *const c_uchar, *mut c_uchar, usize) -> c_int,
) -> Outcome {
    if ct.len() != rsa.len() {
        return Outcome::Rejected("length".into());
    }
    let mut out = vec![0u8; rsa.len()];
    let mut olen = usize::MAX;
    let rc = decrypt(&mut olen, ct.as_ptr(), out.as_mut_ptr(), out.len());
    if rc != 0 {
        return Outcome::of(rc);
    }
    if olen > out.len() || out[..olen] != *msg {
        return Outcome::Wrong(format!(
            "decrypted {} bytes, not the expected {}",
            olen.min(out.len()),
            msg.len()
        ));
    }
    Outcome::Accepted
}

#[test]
#[cfg_attr(miri, ignore)]
fn wycheproof_oaep_decrypt() {
    mbedcrypto::install_test_backend();
    let mut seed = 1u64 << 32;
    let tallies = run_wycheproof(
        OAEP_DECRYPT,
        |g| {
            let mds = group_md(g, "sha").and_then(|md| Ok((md, group_md(g, "mgfSha")?)));
            let mgf = g.at("mgf").str();
            let design = match &mds {
                _ if mgf != "MGF1" => Some(format!("mask function {mgf}")),
                Err(why) => Some(why.clone()),
                Ok((md, mgf_md)) if md != mgf_md => Some(
                    "MGF1 hash differs from the label hash (upstream's OAEP uses one hash)"
                        .to_string(),
                ),
                Ok(_) => None,
            };
            let mut rsa = Rsa::new();
            let key = rsa.import_wycheproof_private(g.at("privateKey"));
            if let Ok((md, _)) = mds {
                // The label hash; upstream's OAEP also runs MGF1 with it.
                rsa.set_padding(MBEDTLS_RSA_PKCS_V21, md.id);
            }
            (rsa, key, mds.is_ok(), design)
        },
        |_, (rsa, key, have_md, design), t| {
            if !*have_md {
                return (design.clone(), Outcome::Rejected("hash".into()));
            }
            if let Err(o) = key {
                return (design.clone(), o.clone());
            }
            let label = t.opt_hex("label");
            seed += 1;
            let mut rng = TestRng::new(seed);
            let ctx = rsa.ctx();
            let outcome = decrypt_case(
                rsa,
                &t.at("ct").hex(),
                &t.at("msg").hex(),
                |olen, input, output, max| {
                    // SAFETY: a live private key, a live RNG, a label of
                    // label.len() bytes, an input of the modulus length and
                    // an output of max bytes.
                    unsafe {
                        mbedtls_rsa_rsaes_oaep_decrypt(
                            ctx,
                            RNG,
                            rng.ptr(),
                            label.as_ptr(),
                            label.len(),
                            olen,
                            input,
                            output,
                            max,
                        )
                    }
                },
            );
            (design.clone(), outcome)
        },
    );
    finish("Wycheproof OAEP decrypt", tallies);
}

#[test]
#[cfg_attr(miri, ignore)]
fn wycheproof_pkcs1_v15_decrypt() {
    mbedcrypto::install_test_backend();
    let mut seed = 2u64 << 32;
    let tallies = run_wycheproof(
        PKCS1_DECRYPT,
        |g| {
            let mut rsa = Rsa::new();
            let key = rsa.import_wycheproof_private(g.at("privateKey"));
            rsa.set_padding(MBEDTLS_RSA_PKCS_V15, 0);
            (rsa, key)
        },
        |_, (rsa, key), t| {
            if let Err(o) = key {
                return (None, o.clone());
            }
            seed += 1;
            let mut rng = TestRng::new(seed);
            let ctx = rsa.ctx();
            let outcome = decrypt_case(
                rsa,
                &t.at("ct").hex(),
                &t.at("msg").hex(),
                |olen, input, output, max| {
                    // SAFETY: a live private key, a live RNG, an input of
                    // the modulus length and an output of max bytes.
                    unsafe {
                        mbedtls_rsa_rsaes_pkcs1_v15_decrypt(
                            ctx,
                            RNG,
                            rng.ptr(),
                            olen,
                            input,
                            output,
                            max,
                        )
                    }
                },
            );
            (None, outcome)
        },
    );
    finish("Wycheproof PKCS#1 v1.5 decrypt", tallies);
}

/// Miller-Rabin rounds for the primality vectors: at most 2^-80 per
/// composite.
const PRIME_ROUNDS: c_int = 40;

/// A Wycheproof two's-complement hex integer as a sign and a hex magnitude
/// for `mbedtls_mpi_read_string`.
fn signed_hex(s: &str) -> String {
    let mut bytes = unhex(s);
    let negative = bytes.first().is_some_and(|&b| b >= 0x80);
    if negative {
        // Magnitude = two's complement: invert and add one.
        for b in bytes.iter_mut() {
            *b = !*b;
        }
        for b in bytes.iter_mut().rev() {
            let (v, carry) = b.overflowing_add(1);
            *b = v;
            if !carry {
                break;
            }
        }
    }
    let mag: String = trim(&bytes).iter().map(|b| format!("{b:02x}")).collect();
    let mag = if mag.is_empty() { "0".to_string() } else { mag };
    if negative { format!("-{mag}") } else { mag }
}

#[test]
#[cfg_attr(miri, ignore)]
fn wycheproof_primality() {
    assert_eq!(signed_hex("00"), "0");
    assert_eq!(signed_hex("ff"), "-01");
    assert_eq!(signed_hex("fdcf"), "-0231");
    assert_eq!(signed_hex("00bc18d1"), "bc18d1");
    let tallies = run_wycheproof(
        PRIMALITY,
        |_| (),
        |_, (), t| {
            let value = CString::new(signed_hex(t.at("value").str())).expect("no NUL");
            let mut x = Mpi::new();
            // SAFETY: an initialised mpi and a NUL-terminated string.
            let rc = unsafe { mbedtls_mpi_read_string(x.ptr(), 16, value.as_ptr()) };
            assert_eq!(rc, 0, "read_string {value:?}");
            let mut rng = TestRng::new(t.at("tcId").int() as u64);
            // SAFETY: an initialised mpi and a live RNG.
            let rc = unsafe { mbedtls_mpi_is_prime_ext(&*x.0, PRIME_ROUNDS, RNG, rng.ptr()) };
            let outcome = match rc {
                0 => Outcome::Accepted,
                MBEDTLS_ERR_MPI_NOT_ACCEPTABLE => Outcome::Rejected(code(rc)),
                _ => Outcome::Wrong(format!("returned {}", code(rc))),
            };
            (None, outcome)
        },
    );
    finish("Wycheproof primality", tallies);
}

// ------------------------------------------------------------------ NIST

/// A NIST file: its `#` comment lines and its records. A record is the
/// running value of every `name = value` field (and `mod` from the
/// `[mod = N]` headers) at each line naming `last`.
struct Nist {
    comments: Vec<String>,
    records: Vec<BTreeMap<String, String>>,
}

impl Nist {
    fn read(name: &str, last: &str) -> Nist {
        let path = vectors_dir("nist-rsa").join(name);
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
        let mut comments = Vec::new();
        let mut records = Vec::new();
        let mut state: BTreeMap<String, String> = BTreeMap::new();
        for line in text.lines().map(str::trim) {
            if let Some(c) = line.strip_prefix('#') {
                comments.push(c.to_string());
                continue;
            }
            let line = line.trim_start_matches('[').trim_end_matches(']');
            let Some((k, v)) = line.split_once('=') else {
                continue;
            };
            let (k, v) = (k.trim(), v.trim());
            state.insert(k.to_string(), v.to_string());
            if k == last {
                records.push(state.clone());
            }
        }
        assert!(!records.is_empty(), "{name}: no records");
        Nist { comments, records }
    }

    /// The PSS salt lengths of the `# Combinations selected:` header, by
    /// modulus size and hash: "Mod Size 1024 with SHA-1(Salt len: 20); …".
    fn salt_lengths(&self) -> BTreeMap<(usize, mbedtls_md_type_t), usize> {
        let line = self
            .comments
            .iter()
            .find(|c| c.contains("Combinations"))
            .expect("no Combinations header");
        let mut out = BTreeMap::new();
        for part in line.split("Mod Size ").skip(1) {
            let bits: usize = part
                .split_whitespace()
                .next()
                .and_then(|b| b.parse().ok())
                .expect("modulus size");
            for item in part.split(';') {
                let Some((alg, len)) = item.split_once("(Salt len:") else {
                    continue;
                };
                let alg = alg.split_whitespace().last().expect("hash name");
                let md = Md::by_name(alg).unwrap_or_else(|| panic!("hash {alg}"));
                let len: usize = len
                    .trim()
                    .trim_end_matches(')')
                    .trim()
                    .parse()
                    .expect("salt length");
                out.insert((bits, md.id), len);
            }
        }
        assert!(!out.is_empty(), "no salt lengths in the header");
        out
    }
}

fn field<'a>(r: &'a BTreeMap<String, String>, k: &str) -> &'a str {
    r.get(k)
        .unwrap_or_else(|| panic!("field {k} missing"))
        .as_str()
}

/// A case id for NIST failure messages.
fn nist_id(i: usize, r: &BTreeMap<String, String>) -> String {
    format!(
        "#{i} (mod {}, {})",
        r.get("mod").map_or("?", String::as_str),
        r.get("SHAAlg").map_or("-", String::as_str)
    )
}

/// The key of the record, imported once while it stays the same.
struct KeyCache {
    fields: Vec<String>,
    rsa: Option<(Rsa, Result<(), Outcome>)>,
}

impl KeyCache {
    fn new() -> KeyCache {
        KeyCache {
            fields: Vec::new(),
            rsa: None,
        }
    }

    /// The key of `r` from N, E and (with `private`) D.
    fn get(
        &mut self,
        r: &BTreeMap<String, String>,
        private: bool,
    ) -> &mut (Rsa, Result<(), Outcome>) {
        let names: &[&str] = if private {
            &["n", "e", "d"]
        } else {
            &["n", "e"]
        };
        let fields: Vec<String> = names.iter().map(|k| field(r, k).to_string()).collect();
        if self.rsa.is_none() || fields != self.fields {
            let mut rsa = Rsa::new();
            let ints: Vec<Vec<u8>> = fields.iter().map(|f| unhex_int(f)).collect();
            let res = rsa.import(
                Some(&ints[0]),
                None,
                None,
                ints.get(2).map(Vec::as_slice),
                Some(&ints[1]),
            );
            self.fields = fields;
            self.rsa = Some((rsa, res));
        }
        self.rsa.as_mut().expect("key")
    }
}

/// NIST messages are 128 bytes; some lost leading zero nibbles.
const NIST_MSG_LEN: usize = 128;

#[test]
#[cfg_attr(miri, ignore)]
fn nist_sig_gen_15() {
    mbedcrypto::install_test_backend();
    let name = "SigGen15_186-3.txt";
    let nist = Nist::read(name, "S");
    let mut tally = Tally::new(name);
    let mut keys = KeyCache::new();
    for (i, r) in nist.records.iter().enumerate() {
        let md = Md::by_name(field(r, "SHAAlg")).expect("hash");
        let (rsa, key) = keys.get(r, true);
        let outcome = match key {
            Err(o) => o.clone(),
            Ok(()) => {
                let k = rsa.len();
                let hash = md.hash(&unhex_to(field(r, "Msg"), NIST_MSG_LEN));
                let want = unhex_to(field(r, "S"), k);
                let mut sig = vec![0u8; k];
                let mut rng = TestRng::new(i as u64);
                // SAFETY: a live private key (padding V15 after init), a
                // live RNG, a digest of hashlen bytes and a buffer of the
                // modulus length.
                let rc = unsafe {
                    mbedtls_rsa_rsassa_pkcs1_v15_sign(
                        rsa.ctx(),
                        RNG,
                        rng.ptr(),
                        md.id,
                        md.hashlen(),
                        hash.as_ptr(),
                        sig.as_mut_ptr(),
                    )
                };
                match rc {
                    0 if sig == want => Outcome::Accepted,
                    0 => Outcome::Wrong("signature differs".into()),
                    _ => Outcome::of(rc),
                }
            }
        };
        tally.record(nist_id(i, r), Expect::Valid, None, outcome);
    }
    tally.expected_cases = Some(150);
    finish("NIST SigGen15", vec![tally]);
}

/// The salt length of a NIST PSS record (from the header), checked
/// against its SaltVal; and the salt.
fn nist_salt(
    r: &BTreeMap<String, String>,
    lens: &BTreeMap<(usize, mbedtls_md_type_t), usize>,
    md: Md,
) -> Vec<u8> {
    let bits: usize = field(r, "mod").parse().expect("mod");
    let len = *lens
        .get(&(bits, md.id))
        .unwrap_or_else(|| panic!("no salt length for mod {bits}, hash {}", md.id));
    let hex = field(r, "SaltVal");
    if len == 0 {
        assert!(
            trim(&unhex_int(hex)).is_empty(),
            "SaltVal {hex} for salt length 0"
        );
        Vec::new()
    } else {
        unhex_to(hex, len)
    }
}

#[test]
#[cfg_attr(miri, ignore)]
fn nist_sig_gen_pss() {
    mbedcrypto::install_test_backend();
    let name = "SigGenPSS_186-3.txt";
    let nist = Nist::read(name, "SaltVal");
    let lens = nist.salt_lengths();
    let mut tally = Tally::new(name);
    let mut keys = KeyCache::new();
    for (i, r) in nist.records.iter().enumerate() {
        let md = Md::by_name(field(r, "SHAAlg")).expect("hash");
        let salt = nist_salt(r, &lens, md);
        let (rsa, key) = keys.get(r, true);
        let outcome = match key {
            Err(o) => o.clone(),
            Ok(()) => {
                let k = rsa.len();
                let hash = md.hash(&unhex_to(field(r, "Msg"), NIST_MSG_LEN));
                let want = unhex_to(field(r, "S"), k);
                let mut sig = vec![0u8; k];
                let slen = salt.len() as c_int;
                let mut rng = TestRng::with_salt(i as u64, salt);
                rsa.set_padding(MBEDTLS_RSA_PKCS_V21, md.id);
                // SAFETY: a live private key (padding V21), a live RNG, a
                // digest of hashlen bytes and a buffer of the modulus
                // length.
                let rc = unsafe {
                    mbedtls_rsa_rsassa_pss_sign_ext(
                        rsa.ctx(),
                        RNG,
                        rng.ptr(),
                        md.id,
                        md.hashlen(),
                        hash.as_ptr(),
                        slen,
                        sig.as_mut_ptr(),
                    )
                };
                if rc != 0 {
                    Outcome::of(rc)
                } else if sig != want {
                    Outcome::Wrong(format!(
                        "signature differs (RNG requests {:?}, salt served at {:?})",
                        rng.requests, rng.salt_served_at
                    ))
                } else {
                    // SAFETY: as above; sig has the modulus length.
                    let rc = unsafe {
                        mbedtls_rsa_rsassa_pss_verify_ext(
                            rsa.ctx(),
                            md.id,
                            md.hashlen(),
                            hash.as_ptr(),
                            md.id,
                            slen,
                            sig.as_ptr(),
                        )
                    };
                    match rc {
                        0 => Outcome::Accepted,
                        _ => Outcome::Wrong(format!("verify_ext returned {}", code(rc))),
                    }
                }
            }
        };
        tally.record(nist_id(i, r), Expect::Valid, None, outcome);
    }
    tally.expected_cases = Some(150);
    finish("NIST SigGenPSS", vec![tally]);
}

fn nist_expect(r: &BTreeMap<String, String>) -> Expect {
    match field(r, "Result").chars().next() {
        Some('P') => Expect::Valid,
        Some('F') => Expect::Invalid,
        _ => panic!("Result {}", field(r, "Result")),
    }
}

#[test]
#[cfg_attr(miri, ignore)]
fn nist_sig_ver_15() {
    mbedcrypto::install_test_backend();
    let name = "SigVer15_186-3.rsp";
    let nist = Nist::read(name, "Result");
    let mut tally = Tally::new(name);
    let mut keys = KeyCache::new();
    for (i, r) in nist.records.iter().enumerate() {
        let md = Md::by_name(field(r, "SHAAlg")).expect("hash");
        let (rsa, key) = keys.get(r, false);
        let outcome = match key {
            Err(o) => o.clone(),
            Ok(()) => {
                let hash = md.hash(&unhex_to(field(r, "Msg"), NIST_MSG_LEN));
                let sig = unhex_to(field(r, "S"), rsa.len());
                // SAFETY: a live public key (padding V15 after init), a
                // digest of hashlen bytes and a signature of the modulus
                // length.
                Outcome::of(unsafe {
                    mbedtls_rsa_pkcs1_verify(
                        rsa.ctx(),
                        md.id,
                        md.hashlen(),
                        hash.as_ptr(),
                        sig.as_ptr(),
                    )
                })
            }
        };
        tally.record(nist_id(i, r), nist_expect(r), None, outcome);
    }
    tally.expected_cases = Some(270);
    finish("NIST SigVer15", vec![tally]);
}

#[test]
#[cfg_attr(miri, ignore)]
fn nist_sig_ver_pss() {
    mbedcrypto::install_test_backend();
    let name = "SigVerPSS_186-3.rsp";
    let nist = Nist::read(name, "Result");
    let lens = nist.salt_lengths();
    let mut tally = Tally::new(name);
    let mut keys = KeyCache::new();
    for (i, r) in nist.records.iter().enumerate() {
        let md = Md::by_name(field(r, "SHAAlg")).expect("hash");
        let slen = nist_salt(r, &lens, md).len() as c_int;
        let expect = nist_expect(r);
        let (rsa, key) = keys.get(r, false);
        let outcome = match key {
            Err(o) => o.clone(),
            Ok(()) => {
                let hash = md.hash(&unhex_to(field(r, "Msg"), NIST_MSG_LEN));
                let sig = unhex_to(field(r, "S"), rsa.len());
                // SAFETY: a live public key, a digest of hashlen bytes and a
                // signature of the modulus length.
                let rc = unsafe {
                    mbedtls_rsa_rsassa_pss_verify_ext(
                        rsa.ctx(),
                        md.id,
                        md.hashlen(),
                        hash.as_ptr(),
                        md.id,
                        slen,
                        sig.as_ptr(),
                    )
                };
                let mut outcome = Outcome::of(rc);
                if rc == 0 && expect == Expect::Valid {
                    rsa.set_padding(MBEDTLS_RSA_PKCS_V21, md.id);
                    // SAFETY: as above.
                    let rc2 = unsafe {
                        mbedtls_rsa_pkcs1_verify(
                            rsa.ctx(),
                            md.id,
                            md.hashlen(),
                            hash.as_ptr(),
                            sig.as_ptr(),
                        )
                    };
                    if rc2 != 0 {
                        outcome = Outcome::Wrong(format!("pkcs1_verify returned {}", code(rc2)));
                    }
                }
                outcome
            }
        };
        tally.record(nist_id(i, r), expect, None, outcome);
    }
    tally.expected_cases = Some(270);
    finish("NIST SigVerPSS", vec![tally]);
}

#[test]
#[cfg_attr(miri, ignore)]
fn nist_key_gen() {
    mbedcrypto::install_test_backend();
    let name = "KeyGen_RandomProbablyPrime3_3.rsp";
    let nist = Nist::read(name, "d");
    let mut tally = Tally::new(name);
    for (i, r) in nist.records.iter().enumerate() {
        let int = |k: &str| unhex_int(field(r, k));
        let n = int("n");
        let k = trim(&n).len();
        let mut rsa = Rsa::new();
        let outcome = match rsa.import(
            None,
            Some(&int("p")),
            Some(&int("q")),
            None,
            Some(&int("e")),
        ) {
            Err(o) => o,
            Ok(()) => {
                let (mut got_n, mut got_d) = (vec![0u8; k], vec![0u8; k]);
                // SAFETY: a live context; N and D buffers of k bytes, NULL
                // for the components not asked for.
                let rc = unsafe {
                    mbedtls_rsa_export_raw(
                        rsa.ctx(),
                        got_n.as_mut_ptr(),
                        k,
                        null_mut(),
                        0,
                        null_mut(),
                        0,
                        got_d.as_mut_ptr(),
                        k,
                        null_mut(),
                        0,
                    )
                };
                // SAFETY: a live context.
                let check = unsafe { mbedtls_rsa_check_privkey(rsa.ctx()) };
                if rc != 0 {
                    Outcome::Wrong(format!("export_raw returned {}", code(rc)))
                } else if rsa.len() != k || got_n != unhex_to(field(r, "n"), k) {
                    Outcome::Wrong("N differs".into())
                } else if got_d != unhex_to(field(r, "d"), k) {
                    Outcome::Wrong("D differs (the file's d is e^-1 mod lcm(p-1, q-1))".into())
                } else if check != 0 {
                    Outcome::Wrong(format!("check_privkey returned {}", code(check)))
                } else {
                    Outcome::Accepted
                }
            }
        };
        tally.record(nist_id(i, r), Expect::Valid, None, outcome);
    }
    tally.expected_cases = Some(40);
    finish("NIST KeyGen", vec![tally]);
}
