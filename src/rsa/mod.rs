//! rsa.h: RSA keys, the raw public and private operations, key generation,
//! the key checks, and (in [`padding`]) PKCS#1 v1.5, OAEP and PSS.
//!
//! This file is the safe core. [`Components`] are the key's integers as C
//! sees them (N, E, D, P, Q, DP, DQ, QP); [`KeyState`] is what operations
//! run on: the Montgomery parameters of N, P and Q and the exponents,
//! computed once and never changed, so `ffi.rs` can share one snapshot
//! between threads without a lock. Private operations use CRT, base
//! blinding with a pair from [`Blinding`], exponent blinding with 28 random
//! bytes per prime (as upstream), and check their result with the public
//! exponent. The derivations and checks follow upstream's rules and codes.

#[cfg(not(loom))]
pub(crate) mod ffi;
pub(crate) mod padding;

use alloc::sync::Arc;
use alloc::vec::Vec;

use crypto_bigint::Word;
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use crate::bignum::mont::{FastModulus, adc, mul_wide, sbb};
use crate::bignum::prime::{self, Rng};
use crate::bignum::{LIMB_BITS, LIMB_BYTES, Mpi, MpiError, or_bytes_into, sig_limbs};

/// Upstream's `MBEDTLS_MPI_MAX_SIZE`: the largest modulus, in bytes.
pub(crate) const MAX_LEN: usize = 1024;
/// Random bytes of the exponent blinding factor (upstream's value).
const EXPONENT_BLINDING: usize = 28;

/// Why an RSA operation failed; `ffi.rs` maps each to its C code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RsaError {
    /// `MBEDTLS_ERR_RSA_BAD_INPUT_DATA`.
    BadInput,
    /// `MBEDTLS_ERR_RSA_KEY_CHECK_FAILED`.
    KeyCheck,
    /// `MBEDTLS_ERR_RSA_VERIFY_FAILED`.
    Verify,
    /// A bignum error (added to the operation's high-level code).
    Mpi(MpiError),
}

impl From<MpiError> for RsaError {
    fn from(e: MpiError) -> RsaError {
        RsaError::Mpi(e)
    }
}

/// Shorthand for results of this module.
pub(crate) type RsaResult<T> = Result<T, RsaError>;

/// The key's integers, as the C context holds them (absent ones are zero).
#[derive(Clone)]
pub(crate) struct Components {
    /// The modulus.
    pub(crate) n: Mpi,
    /// The public exponent.
    pub(crate) e: Mpi,
    /// The private exponent.
    pub(crate) d: Mpi,
    /// The first prime.
    pub(crate) p: Mpi,
    /// The second prime.
    pub(crate) q: Mpi,
    /// D mod (P - 1).
    pub(crate) dp: Mpi,
    /// D mod (Q - 1).
    pub(crate) dq: Mpi,
    /// Q^-1 mod P.
    pub(crate) qp: Mpi,
}

fn positive(x: &Mpi) -> bool {
    !x.is_neg() && !x.is_zero()
}

fn one() -> Mpi {
    Mpi::from_i64(1)
}

/// Whether x <= 1 (without making a 1 to compare with).
fn at_most_one(x: &Mpi) -> bool {
    x.is_neg() || x.bitlen() <= 1
}

/// Whether 1 < x < n.
#[inline(never)]
fn between_one_and(x: &Mpi, n: &Mpi) -> bool {
    !at_most_one(x) && x.cmp_signed(n).is_lt()
}

/// Whether x == 1.
fn is_one(x: &Mpi) -> bool {
    !x.is_neg() && x.bitlen() == 1
}

/// Whether x = y mod m; false on any bignum failure (m <= 0 included).
#[inline(never)]
fn congruent(x: &Mpi, y: &Mpi, m: &Mpi) -> bool {
    Mpi::sub(x, y)
        .and_then(|d| Mpi::modulo(&d, m))
        .is_ok_and(|r| r.is_zero())
}

/// x mod (m - 1).
#[inline(never)]
fn mod_minus_one(x: &Mpi, m: &Mpi) -> Result<Mpi, MpiError> {
    Mpi::modulo(x, &minus_one(m)?)
}

/// x - 1 (one copy of the code for the many P - 1 and DE - 1).
#[inline(never)]
fn minus_one(x: &Mpi) -> Result<Mpi, MpiError> {
    Mpi::sub(x, &one())
}

impl Components {
    /// All zero.
    #[cfg(test)]
    pub(crate) fn empty() -> Components {
        Components {
            n: Mpi::zero(),
            e: Mpi::zero(),
            d: Mpi::zero(),
            p: Mpi::zero(),
            q: Mpi::zero(),
            dp: Mpi::zero(),
            dq: Mpi::zero(),
            qp: Mpi::zero(),
        }
    }

    /// Whether N, P, Q, D and E are all present (upstream's "is_priv" of
    /// the export functions).
    pub(crate) fn has_private(&self) -> bool {
        [&self.n, &self.p, &self.q, &self.d, &self.e]
            .iter()
            .all(|x| !x.is_zero())
    }

    /// Upstream's structural check of a key for use (`len` is the C
    /// context's modulus length).
    pub(crate) fn check_context(&self, len: usize, private: bool) -> RsaResult<()> {
        if len != self.n.bitlen().div_ceil(8) || len > MAX_LEN {
            return Err(RsaError::BadInput);
        }
        if !positive(&self.n) || !self.n.is_odd() {
            return Err(RsaError::BadInput);
        }
        if private
            && (!positive(&self.p) || !self.p.is_odd() || !positive(&self.q) || !self.q.is_odd())
        {
            return Err(RsaError::BadInput);
        }
        if !positive(&self.e) {
            return Err(RsaError::BadInput);
        }
        if private && (!positive(&self.dp) || !positive(&self.dq) || !positive(&self.qp)) {
            return Err(RsaError::BadInput);
        }
        Ok(())
    }

    /// `mbedtls_rsa_check_pubkey`.
    pub(crate) fn check_pubkey(&self, len: usize) -> RsaResult<()> {
        self.check_context(len, false)
            .map_err(|_| RsaError::KeyCheck)?;
        if self.n.bitlen() < 128 {
            return Err(RsaError::KeyCheck);
        }
        if !self.e.is_odd() || self.e.bitlen() < 2 || self.e.cmp_signed(&self.n).is_ge() {
            return Err(RsaError::KeyCheck);
        }
        Ok(())
    }

    /// `mbedtls_rsa_check_privkey`: the public checks, the structural
    /// private ones, N = PQ, DE = 1 mod (P-1) and, and the CRT values.
    pub(crate) fn check_privkey(&self, len: usize) -> RsaResult<()> {
        self.check_pubkey(len)?;
        self.check_context(len, true)
            .map_err(|_| RsaError::KeyCheck)?;
        // Any bignum failure on the way is a failed check too.
        if self.validate() == Ok(true) {
            Ok(())
        } else {
            Err(RsaError::KeyCheck)
        }
    }

    /// N = PQ, 1 < D, E < N, P, Q > 1, DE = 1 mod (P-1) and, and
    /// the CRT values: DP = D mod (P-1), DQ = D mod, QP Q = 1 mod P.
    fn validate(&self) -> Result<bool, MpiError> {
        let k = Mpi::mul(&self.p, &self.q)?;
        if at_most_one(&self.n) || !k.cmp_signed(&self.n).is_eq() {
            return Ok(false);
        }
        if !between_one_and(&self.d, &self.n)
            || !between_one_and(&self.e, &self.n)
            || at_most_one(&self.p)
            || at_most_one(&self.q)
        {
            return Ok(false);
        }
        let (de, qpq) = (Mpi::mul(&self.d, &self.e)?, Mpi::mul(&self.qp, &self.q)?);
        let (p1, q1, one) = (minus_one(&self.p)?, minus_one(&self.q)?, one());
        Ok(congruent(&de, &one, &p1)
            && congruent(&de, &one, &q1)
            && congruent(&self.dp, &self.d, &p1)
            && congruent(&self.dq, &self.d, &q1)
            && congruent(&qpq, &one, &self.p))
    }

    /// `mbedtls_rsa_complete`'s derivations: which of N, P, Q, D are
    /// missing decides what is computed (upstream's accepted sets).
    /// Returns whether the key is private.
    pub(crate) fn complete(&mut self) -> RsaResult<bool> {
        let have = |x: &Mpi| !x.is_zero();
        let (hn, hp, hq, hd, he) = (
            have(&self.n),
            have(&self.p),
            have(&self.q),
            have(&self.d),
            have(&self.e),
        );
        let (hdp, hdq, hqp) = (have(&self.dp), have(&self.dq), have(&self.qp));
        let n_missing = hp && hq && hd && he;
        let pq_missing = hn && !hp && !hq && hd && he;
        let d_missing = hp && hq && !hd && he;
        let is_pub = hn && !hp && !hq && !hd && he;
        let is_priv = n_missing || pq_missing || d_missing;
        if !is_priv && !is_pub {
            return Err(RsaError::BadInput);
        }
        if !hn && hp && hq {
            self.n = Mpi::mul(&self.p, &self.q)?;
        }
        if pq_missing {
            (self.p, self.q) = deduce_primes(&self.n, &self.e, &self.d)?;
        } else if d_missing {
            self.d = deduce_private_exponent(&self.p, &self.q, &self.e)?;
        }
        if is_priv && !(hdp && hdq && hqp) {
            self.deduce_crt()?;
        }
        Ok(is_priv)
    }

    /// DP, DQ and QP from P, Q and D, in place (on failure some may be
    /// updated already: callers then drop the components).
    fn deduce_crt(&mut self) -> Result<(), MpiError> {
        self.dp = mod_minus_one(&self.d, &self.p)?;
        self.dq = mod_minus_one(&self.d, &self.q)?;
        self.qp = Mpi::inv_mod(&self.q, &self.p)?;
        Ok(())
    }
}

/// Factors N from (N, E, D), upstream's method: with T the odd part of
/// DE - 1, for small primes k, gcd(k^(T 2^i) - 1, N) for i up to the
/// order of 2 in DE - 1 finds a factor.
pub(crate) fn deduce_primes(n: &Mpi, e: &Mpi, d: &Mpi) -> Result<(Mpi, Mpi), MpiError> {
    // u8: all below 256, a byte each in flash.
    const BASES: [u8; 54] = [
        2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73, 79, 83, 89,
        97, 101, 103, 107, 109, 113, 127, 131, 137, 139, 149, 151, 157, 163, 167, 173, 179, 181,
        191, 193, 197, 199, 211, 223, 227, 229, 233, 239, 241, 251,
    ];
    if !positive(n) || !between_one_and(d, n) || !between_one_and(e, n) {
        return Err(MpiError::BadInput);
    }
    let t = minus_one(&Mpi::mul(d, e)?)?;
    let order = t.lsb();
    if order == 0 {
        return Err(MpiError::BadInput);
    }
    let t = Mpi::shr(&t, order);
    let start = usize::from(n.words()[0] % 8 == 1);
    let (one, two) = (one(), Mpi::from_i64(2));
    for &base in &BASES[start..] {
        // The bases are prime: coprime to N unless they divide it (a
        // remainder by one limb, where a gcd would run over N's length).
        let k = Mpi::from_i64(i64::from(base));
        if Mpi::modulo(n, &k)?.is_zero() {
            continue;
        }
        let mut k = Mpi::exp_mod(&k, &t, n)?;
        for _ in 1..=order {
            if is_one(&k) {
                break;
            }
            let g = Mpi::gcd(&Mpi::add(&k, &one)?, n)?;
            if between_one_and(&g, n) {
                let (q, _) = Mpi::div_rem(n, &g)?;
                return Ok((g, q));
            }
            // k^2 mod N (N is odd: the exponentiation above accepted it).
            k = Mpi::exp_mod(&k, &two, n)?;
        }
        // k^(T 2^order) = k^(DE - 1) is 1 for a consistent key (the loop
        // only leaves early on a 1).
        if !is_one(&k) {
            break;
        }
    }
    Err(MpiError::BadInput)
}

/// D = E^-1 mod lcm(P - 1, Q - 1); `NotAcceptable` for an even E or no
/// inverse.
// Inlined into its one firmware caller, `complete` (smaller there).
#[inline(always)]
pub(crate) fn deduce_private_exponent(p: &Mpi, q: &Mpi, e: &Mpi) -> Result<Mpi, MpiError> {
    if at_most_one(p) || at_most_one(q) || e.is_zero() {
        return Err(MpiError::BadInput);
    }
    if !e.is_odd() {
        return Err(MpiError::NotAcceptable);
    }
    let k = minus_one(p)?;
    let l = minus_one(q)?;
    let g = Mpi::gcd(&k, &l)?;
    let (lcm, _) = Mpi::div_rem(&Mpi::mul(&k, &l)?, &g)?;
    Mpi::inv_mod(e, &lcm)
}

/// Limbs of an intermediate value, wiped when dropped (one drop path for
/// every value of the operations below).
type Limbs = Zeroizing<Vec<Word>>;

/// The low `n` limbs of `words`, zero-extended to `n`.
fn padded(words: &[Word], n: usize) -> Limbs {
    Zeroizing::new((0..n).map(|i| words.get(i).copied().unwrap_or(0)).collect())
}

/// The bit length of `words` (variable-time: for public lengths).
fn bit_len(words: &[Word]) -> u32 {
    match sig_limbs(words) {
        0 => 0,
        n => (n * LIMB_BITS) as u32 - words[n - 1].leading_zeros(),
    }
}

/// acc + x mod 2^(w acc.len()), in place (x no longer than acc),
/// constant-time in the values.
fn add_into(acc: &mut [Word], x: &[Word]) {
    let mut carry = 0;
    for (i, a) in acc.iter_mut().enumerate() {
        (*a, carry) = adc(*a, x.get(i).copied().unwrap_or(0), carry);
    }
}

/// A modulus prepared for Montgomery arithmetic (`bignum::mont`), and
/// for division by it.
struct Modulus {
    /// The modulus in its significant limbs (the top one nonzero); wiped,
    /// as the moduli of a private key are its primes.
    m: Limbs,
    mont: FastModulus,
}

impl Modulus {
    /// Prepares the odd `m`.
    fn new(m: &Mpi) -> Option<Modulus> {
        let m = padded(m.words(), m.sig_limbs().max(1));
        let mont = FastModulus::from_modulus(&m)?;
        Some(Modulus { m, mont })
    }

    /// The limb count of values modulo m.
    fn limbs(&self) -> usize {
        self.m.len()
    }

    /// m - 1 for the odd m, in m's limbs.
    fn minus_one(&self) -> Limbs {
        let mut v = padded(&self.m, self.limbs());
        v[0] &= !1;
        v
    }

    /// x mod m, `limbs` limbs (x of any size), by division.
    fn rem(&self, x: &[Word]) -> Limbs {
        let (q, r) = crate::bignum::mont::div_rem_words(x, &self.m);
        drop(Limbs::new(q));
        Limbs::new(r)
    }

    /// x mod m, by Montgomery reduction when x fits in twice m's limbs (as
    /// every value below N does when P and Q have the same limb count, as
    /// generated keys do), else by division. The choice depends only on
    /// x's limb count, which is public (N's). (Out of line: three calls.)
    #[inline(never)]
    fn reduce(&self, x: &[Word]) -> Limbs {
        if x.len() <= 2 * self.limbs() {
            Limbs::new(self.mont.rem_wide(x))
        } else {
            self.rem(x)
        }
    }

    /// a b mod m for a, b < m.
    fn mul(&self, a: &[Word], b: &[Word]) -> Limbs {
        Limbs::new(self.mont.mul_mod(a, b))
    }

    /// a - b mod m for a, b < m (in m's limbs), constant-time in the
    /// values.
    fn sub(&self, a: &[Word], b: &[Word]) -> Limbs {
        // The borrow runs over b's limbs: b comes from `reduce` or `mul`,
        // exactly m's.
        debug_assert_eq!(b.len(), self.limbs());
        let mut d = padded(a, self.limbs());
        let mut borrow = 0;
        for (x, &y) in d.iter_mut().zip(b) {
            (*x, borrow) = sbb(*x, y, borrow);
        }
        // A borrow out means a < b: add m back.
        let mask = borrow.wrapping_neg();
        let mut carry = 0;
        for (x, &y) in d.iter_mut().zip(self.m.iter()) {
            (*x, carry) = adc(*x, y & mask, carry);
        }
        d
    }

    /// x^d mod m for any x below N, with exponent blinding: d' = d + r
    /// (m - 1) for a random r of [`EXPONENT_BLINDING`] bytes, processed
    /// for a number of bits that depends only on the (public) length of
    /// m (d < m - 1 and r < 2^(8 * 28)); constant-time in the values.
    #[inline(never)]
    fn pow_blinded(
        &self,
        x: &[Word],
        d: &[Word],
        m_minus_1: &[Word],
        rng: Rng<'_>,
    ) -> RsaResult<Limbs> {
        let r = prime::fill_random(EXPONENT_BLINDING, rng)?;
        let extra = EXPONENT_BLINDING.div_ceil(LIMB_BYTES);
        let rm = Limbs::new(mul_wide(&padded(r.words(), extra), m_minus_1));
        let mut exp = padded(&rm, m_minus_1.len() + extra + 1);
        drop(rm);
        add_into(&mut exp, d);
        let bits = bit_len(m_minus_1) + 8 * EXPONENT_BLINDING as u32 + 1;
        let base = self.reduce(x);
        Ok(Limbs::new(self.mont.pow(&base, &exp, bits as usize)))
    }
}

/// The private half of a [`KeyState`]; every member is wiped when dropped.
struct PrivateKey {
    p: Modulus,
    q: Modulus,
    dp: Limbs,
    dq: Limbs,
    /// QP, below P.
    qp: Limbs,
    p_minus_1: Limbs,
    q_minus_1: Limbs,
}

/// A key ready for operations; immutable once built.
pub(crate) struct KeyState {
    n: Modulus,
    e: Limbs,
    e_bits: u32,
    len: usize,
    bits: usize,
    private: Option<PrivateKey>,
}

/// A blinding pair: vi = vf^-e mod N, both below N, wiped when dropped.
pub(crate) struct Blinding {
    vi: Limbs,
    vf: Limbs,
}

impl KeyState {
    /// Builds the operation state of a key that passed
    /// [`Components::check_context`] for the public part; the private part
    /// is there when it passes for the private part too. Shared from the
    /// start (every user holds it in an `Arc`).
    pub(crate) fn new(c: &Components, len: usize) -> RsaResult<Arc<KeyState>> {
        c.check_context(len, false)?;
        let n = Modulus::new(&c.n).ok_or(RsaError::BadInput)?;
        let e = padded(c.e.words(), c.e.sig_limbs().max(1));
        let e_bits = c.e.bitlen() as u32;
        let private = if c.check_context(len, true).is_ok() {
            let p = Modulus::new(&c.p).ok_or(RsaError::BadInput)?;
            let q = Modulus::new(&c.q).ok_or(RsaError::BadInput)?;
            Some(PrivateKey {
                dp: padded(c.dp.words(), p.limbs()),
                dq: padded(c.dq.words(), q.limbs()),
                qp: p.rem(c.qp.words()),
                p_minus_1: p.minus_one(),
                q_minus_1: q.minus_one(),
                p,
                q,
            })
        } else {
            None
        };
        Ok(Arc::new(KeyState {
            n,
            e,
            e_bits,
            len,
            bits: c.n.bitlen(),
            private,
        }))
    }

    /// The bit length of N.
    pub(crate) fn bits(&self) -> usize {
        self.bits
    }

    /// Whether the private operation is available.
    pub(crate) fn is_private(&self) -> bool {
        self.private.is_some()
    }

    /// x^e mod N for x < N (e is public: variable-time in e).
    fn pow_e(&self, x: &[Word]) -> Limbs {
        Limbs::new(self.n.mont.pow_public(x, &self.e, self.e_bits as usize))
    }

    /// The input as an integer below N, in N's limbs: `BadInput` if it is
    /// not.
    fn input(&self, input: &[u8]) -> RsaResult<Limbs> {
        if input.len() != self.len {
            return Err(RsaError::BadInput);
        }
        // `len` bytes fit in N's limbs (`check_context`).
        let mut x = padded(&[], self.n.limbs());
        or_bytes_into(&mut x, input, true);
        // Limb strings of equal length compare from the top as the
        // numbers do (the input is public: variable-time is fine).
        if x.iter().rev().ge(self.n.m.iter().rev()) {
            return Err(RsaError::Mpi(MpiError::BadInput));
        }
        Ok(x)
    }

    /// x big-endian in `out`.
    fn output(&self, x: &[Word], out: &mut [u8]) -> RsaResult<()> {
        Ok(Mpi::from_words(x, false).write_be(out)?)
    }

    /// output = input^E mod N over `len`-byte big-endian buffers. Input not
    /// below N: `Mpi(BadInput)` (upstream's -0x4284 once combined).
    pub(crate) fn public(&self, input: &[u8], out: &mut [u8]) -> RsaResult<()> {
        let x = self.input(input)?;
        self.output(&self.pow_e(&x), out)
    }

    /// A fresh blinding pair from the caller's RNG: vf random, coprime to
    /// N; vi = vf^-e mod N.
    pub(crate) fn new_blinding(&self, rng: Rng<'_>) -> RsaResult<Blinding> {
        let n = Mpi::from_words(&self.n.m, false);
        for _ in 0..10 {
            let v = prime::fill_random(self.len - 1, rng)?;
            // vf^-1 exists unless vf shares a factor with N (never for a
            // real key, or vf = 0). vf has fewer bytes than N, so it is
            // below N already.
            let inv = match Mpi::inv_odd(&v, &n) {
                Ok(inv) => inv,
                Err(MpiError::NotAcceptable) => continue,
                Err(e) => return Err(e.into()),
            };
            let limbs = self.n.limbs();
            return Ok(Blinding {
                vi: self.pow_e(&padded(inv.words(), limbs)),
                vf: padded(v.words(), limbs),
            });
        }
        Err(RsaError::Mpi(MpiError::NotAcceptable))
    }

    /// The pair after `b` (this key's, both squared), as upstream
    /// refreshes.
    pub(crate) fn next_blinding(&self, b: &Blinding) -> Blinding {
        Blinding {
            vi: self.n.mul(&b.vi, &b.vi),
            vf: self.n.mul(&b.vf, &b.vf),
        }
    }

    /// input^D mod N with CRT, base blinding by `blinding`, exponent
    /// blinding from `rng`, and a check of the result with E
    /// (`Verify` on mismatch). Every intermediate is wiped when dropped
    /// (m1 or h with the blinded value would factor N), most as soon as
    /// the next one is made.
    pub(crate) fn private(
        &self,
        blinding: &Blinding,
        rng: Rng<'_>,
        input: &[u8],
        out: &mut [u8],
    ) -> RsaResult<()> {
        let key = self.private.as_ref().ok_or(RsaError::BadInput)?;
        let x = self.input(input)?;
        // Base blinding.
        let blinded = self.n.mul(&x, &blinding.vi);
        // The halves, with blinded exponents (the RNG is drawn for P,
        // then for Q).
        let m1 = key.p.pow_blinded(&blinded, &key.dp, &key.p_minus_1, rng)?;
        let m2 = key.q.pow_blinded(&blinded, &key.dq, &key.q_minus_1, rng)?;
        drop(blinded);
        // h = qp (m1 - m2) mod p; m = m2 + h q.
        let diff = key.p.sub(&m1, &key.p.reduce(&m2));
        drop(m1);
        let h = key.p.mul(&diff, &key.qp);
        drop(diff);
        let hq = Limbs::new(mul_wide(&h, &key.q.m));
        drop(h);
        let mut m = padded(&hq, self.n.limbs());
        drop(hq);
        add_into(&mut m, &m2);
        drop(m2);
        // Unblind, then check against the input.
        let result = self.n.mul(&m, &blinding.vf);
        drop(m);
        if !bool::from(self.pow_e(&result).ct_eq(&x)) {
            return Err(RsaError::Verify);
        }
        self.output(&result, out)
    }
}

/// `mbedtls_rsa_gen_key`'s search: primes P > Q of nbits/2 bits, far
/// enough apart, with D = E^-1 mod lcm(P-1, Q-1) longer than nbits/2.
pub(crate) fn gen_key(nbits: usize, exponent: i64, rng: Rng<'_>) -> RsaResult<Components> {
    let half = nbits / 2;
    let flags = if nbits > 1024 { prime::FLAG_LOW_ERR } else { 0 };
    let e = Mpi::from_i64(exponent);
    loop {
        let (p, _) = prime::gen_prime(half, flags, rng)?;
        let (q, _) = prime::gen_prime(half, flags, rng)?;
        let h = Mpi::sub(&p, &q)?;
        let min_gap = if nbits >= 200 { half - 99 } else { 0 };
        if h.bitlen() <= min_gap {
            continue;
        }
        let (p, q) = if h.is_neg() { (q, p) } else { (p, q) };
        let d = match deduce_private_exponent(&p, &q, &e) {
            Ok(d) => d,
            Err(MpiError::NotAcceptable) => continue,
            Err(err) => return Err(err.into()),
        };
        if d.bitlen() <= nbits.div_ceil(2) {
            continue;
        }
        let n = Mpi::mul(&p, &q)?;
        let mut c = Components {
            n,
            e,
            d,
            p,
            q,
            dp: Mpi::zero(),
            dq: Mpi::zero(),
            qp: Mpi::zero(),
        };
        c.deduce_crt()?;
        return Ok(c);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bignum::prime::counter_rng;

    fn key(bits: usize) -> Components {
        let mut rng = counter_rng(11);
        gen_key(bits, 65537, &mut rng).unwrap()
    }

    #[test]
    fn private_inverts_public() {
        let c = key(1024);
        let len = c.n.bitlen().div_ceil(8);
        c.check_privkey(len).unwrap();
        let k = KeyState::new(&c, len).unwrap();
        let mut rng = counter_rng(5);
        let b = k.new_blinding(&mut rng).unwrap();
        let mut msg = vec![0u8; len];
        msg[1..]
            .iter_mut()
            .enumerate()
            .for_each(|(i, x)| *x = i as u8);
        let (mut sig, mut back) = (vec![0u8; len], vec![0u8; len]);
        k.private(&b, &mut rng, &msg, &mut sig).unwrap();
        k.public(&sig, &mut back).unwrap();
        assert_eq!(back, msg);
        // The next blinding pair works too.
        k.private(&k.next_blinding(&b), &mut rng, &msg, &mut sig)
            .unwrap();
        k.public(&sig, &mut back).unwrap();
        assert_eq!(back, msg);
        // Input >= N.
        let big = vec![0xffu8; len];
        assert_eq!(
            k.public(&big, &mut back),
            Err(RsaError::Mpi(MpiError::BadInput))
        );
    }

    /// A private key whose primes do not multiply to N (here far shorter
    /// than N, so that a value below N is longer than twice a prime's
    /// limbs) makes the private operation fail its check with E, not
    /// panic: the reduction modulo P falls back to division.
    #[test]
    fn private_with_primes_unrelated_to_n_fails_cleanly() {
        let c = key(1024);
        let len = c.n.bitlen().div_ceil(8);
        let mut bad = c.clone();
        bad.p = Mpi::from_i64(3);
        bad.q = Mpi::from_i64(5);
        bad.dp = one();
        bad.dq = one();
        bad.qp = one();
        let k = KeyState::new(&bad, len).unwrap();
        assert!(k.is_private());
        let mut rng = counter_rng(6);
        let b = k.new_blinding(&mut rng).unwrap();
        let mut msg = vec![0u8; len];
        msg[1] = 7;
        let mut sig = vec![0u8; len];
        assert_eq!(
            k.private(&b, &mut rng, &msg, &mut sig),
            Err(RsaError::Verify)
        );
    }

    #[test]
    fn complete_derives_everything() {
        let c = key(1024);
        let len = c.n.bitlen().div_ceil(8);
        // From N, E, D.
        let mut partial = Components::empty();
        partial.n = c.n.clone();
        partial.e = c.e.clone();
        partial.d = c.d.clone();
        assert!(partial.complete().unwrap());
        partial.check_privkey(len).unwrap();
        // From P, Q, E.
        let mut partial = Components::empty();
        partial.p = c.p.clone();
        partial.q = c.q.clone();
        partial.e = c.e.clone();
        assert!(partial.complete().unwrap());
        assert!(partial.n.cmp_signed(&c.n).is_eq());
        assert!(partial.d.cmp_signed(&c.d).is_eq());
        // Nothing usable.
        let mut empty = Components::empty();
        assert_eq!(empty.complete().map(|_| ()), Err(RsaError::BadInput));
        // A broken key fails the check.
        let mut bad = c.clone();
        bad.d = Mpi::add(&bad.d, &one()).unwrap();
        assert_eq!(bad.check_privkey(len), Err(RsaError::KeyCheck));
    }

    /// Factoring N from D skips the bases that divide N. N = 33 = 3 * 11
    /// with E = 3, D = 7 (3 * 7 = 1 mod lcm(2, 10)): N = 1 mod 8, so the
    /// search starts at 3, which divides N and would not factor it (3^5
    /// and 3^10 mod 33 are 12 and 12); base 5 does (5^5 + 1 = 24 mod 33,
    /// sharing 3 with N). Small moduli whose only usable base is one that
    /// divides them give an error.
    #[test]
    fn deduce_primes_skips_bases_dividing_n() {
        let m = |v: i64| Mpi::from_i64(v);
        let (p, q) = deduce_primes(&m(33), &m(3), &m(7)).unwrap();
        let mut f = [p.words()[0], q.words()[0]];
        f.sort_unstable();
        assert_eq!(f, [3, 11]);
        assert_eq!(p.sig_limbs(), 1);
        assert_eq!(q.sig_limbs(), 1);
        // N = 15 = 3 * 5, E = 3, D = 3 (9 = 1 mod lcm(2, 4)).
        let (p, q) = deduce_primes(&m(15), &m(3), &m(3)).unwrap();
        assert_eq!(Mpi::mul(&p, &q).unwrap().words()[0], 15);
        assert!(!at_most_one(&p) && !at_most_one(&q));
    }
}
#[cfg(test)]
mod kernel_choice {
    /// RSA-2048's modulus and primes take the fixed-size kernel.
    #[test]
    fn rsa_2048_uses_the_fast_kernel() {
        let mut rng = crate::bignum::prime::counter_rng(3);
        let c = super::gen_key(2048, 65537, &mut rng).unwrap();
        let k = super::KeyState::new(&c, 256).unwrap();
        let fixed = cfg!(target_pointer_width = "64");
        assert_eq!(k.n.mont.is_fixed(), fixed, "n limbs {}", k.n.limbs());
        assert_eq!(k.private.as_ref().unwrap().p.mont.is_fixed(), fixed);
    }
}
