//! bignum.h: signed integers of any size, over `crypto-bigint`'s
//! [`BoxedUint`].
//!
//! This file is the safe core. [`Mpi`] is a sign and a magnitude; it knows
//! nothing of the C struct, whose limbs `ffi.rs` copies in and out. The
//! limb arithmetic is split three ways: carry chains and division by one
//! limb are crypto-bigint's; products, long division and Montgomery
//! exponentiation are [`mont`]'s; gcd and inverse are crypto-bigint's
//! safegcd in hosted builds and the smaller `bingcd` in firmware builds
//! (`--cfg mbedcrypto_compact_gcd`). What is ours on top is upstream's
//! sign conventions, error codes, limits and text formats, and the prime
//! search of [`prime`].
//!
//! Variable-time shortcuts (trimming, comparisons) are used on values whose
//! size is public anyway. Secret-dependent work is constant-time in the
//! values for given lengths: the exponentiation in the exponent's value
//! for a given exponent length, gcd and inverse in their operands.

#[cfg(any(mbedcrypto_compact_gcd, test))]
mod bingcd;
#[cfg(not(loom))]
pub(crate) mod ffi;
pub(crate) mod mont;
pub(crate) mod prime;

use alloc::vec::Vec;
use core::cmp::Ordering;

use crypto_bigint::{BoxedUint, Limb, NonZero, Word};
#[cfg(any(not(mbedcrypto_compact_gcd), test))]
use crypto_bigint::{Gcd, Odd};
use zeroize::Zeroize;

/// Bits per limb.
pub(crate) const LIMB_BITS: usize = Word::BITS as usize;
/// Bytes per limb.
pub(crate) const LIMB_BYTES: usize = LIMB_BITS / 8;
/// Upstream's `MBEDTLS_MPI_MAX_LIMBS`.
pub(crate) const MAX_LIMBS: usize = 10000;
/// Upstream's `MBEDTLS_MPI_MAX_BITS`.
pub(crate) const MAX_BITS: usize = 8192;

/// Why a bignum operation failed; `ffi.rs` maps each to its C code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum MpiError {
    /// `MBEDTLS_ERR_MPI_FILE_IO_ERROR`.
    #[cfg_attr(not(mbedtls_fs_io), allow(dead_code))]
    FileIo,
    /// `MBEDTLS_ERR_MPI_BAD_INPUT_DATA`.
    BadInput,
    /// `MBEDTLS_ERR_MPI_INVALID_CHARACTER`.
    InvalidChar,
    /// `MBEDTLS_ERR_MPI_BUFFER_TOO_SMALL`.
    BufferTooSmall,
    /// `MBEDTLS_ERR_MPI_NEGATIVE_VALUE`.
    Negative,
    /// `MBEDTLS_ERR_MPI_DIVISION_BY_ZERO`.
    DivByZero,
    /// `MBEDTLS_ERR_MPI_NOT_ACCEPTABLE`.
    NotAcceptable,
    /// `MBEDTLS_ERR_MPI_ALLOC_FAILED`: too many limbs.
    Alloc,
    /// The caller's RNG returned this (nonzero) code.
    Rng(i32),
}

/// Shorthand for results of this module.
pub(crate) type MpiResult<T> = Result<T, MpiError>;

/// `n` limbs of xorshift64 output from `seed`: operands for tests.
#[cfg(test)]
pub(crate) fn test_words(seed: &mut u64, n: usize) -> Vec<Word> {
    (0..n)
        .map(|_| {
            *seed ^= *seed << 13;
            *seed ^= *seed >> 7;
            *seed ^= *seed << 17;
            *seed as Word
        })
        .collect()
}

/// The number of limbs needed for `bits` bits.
pub(crate) fn limbs_for_bits(bits: usize) -> usize {
    bits.div_ceil(LIMB_BITS)
}

/// A [`BoxedUint`] of exactly `n` limbs (at least one) holding the low
/// limbs of `words`.
pub(crate) fn uint_from_words(words: &[Word], n: usize) -> BoxedUint {
    let n = n.max(1);
    BoxedUint::from_words((0..n).map(|i| words.get(i).copied().unwrap_or(0)))
}

/// `x` with exactly `n` limbs (at least one); high limbs beyond `n` are
/// dropped, so callers only shrink values that fit.
pub(crate) fn resized(x: &BoxedUint, n: usize) -> BoxedUint {
    uint_from_words(x.as_words(), n)
}

/// a + b, or a - b with `sub`, over `n` limbs (at least one; carries
/// beyond them and a final borrow are dropped), missing limbs read as 0.
fn add_sub_limbs(a: &[Word], b: &[Word], n: usize, sub: bool) -> Vec<Word> {
    let mut out = alloc::vec![0 as Word; n.max(1)];
    let mut carry = 0;
    for (i, o) in out.iter_mut().enumerate() {
        let (x, y) = (
            a.get(i).copied().unwrap_or(0),
            b.get(i).copied().unwrap_or(0),
        );
        (*o, carry) = if sub {
            mont::sbb(x, y, carry)
        } else {
            mont::adc(x, y, carry)
        };
    }
    out
}

/// ORs `bytes` (in either order) into the little-endian limbs `words`,
/// which must have room for them (`bytes.len()` up to `words.len()` times
/// the limb size; zeroed limbs give the value).
pub(crate) fn or_bytes_into(words: &mut [Word], bytes: &[u8], big_endian: bool) {
    for i in 0..bytes.len() {
        let b = bytes[if big_endian { bytes.len() - 1 - i } else { i }];
        words[i / LIMB_BYTES] |= (b as Word) << (8 * (i % LIMB_BYTES));
    }
}

/// The number of limbs up to the highest nonzero one.
pub(crate) fn sig_limbs(words: &[Word]) -> usize {
    words.iter().rposition(|&w| w != 0).map_or(0, |i| i + 1)
}

/// A signed integer. Zero is never negative. The magnitude may carry
/// leading zero limbs.
pub(crate) struct Mpi {
    neg: bool,
    mag: BoxedUint,
}

impl Drop for Mpi {
    fn drop(&mut self) {
        self.mag.zeroize();
    }
}

impl Clone for Mpi {
    fn clone(&self) -> Mpi {
        Mpi {
            neg: self.neg,
            mag: self.mag.clone(),
        }
    }
}

impl core::fmt::Debug for Mpi {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        // Values may be secret: print only the size.
        write!(f, "Mpi({} bits)", self.bitlen())
    }
}

impl Mpi {
    /// Zero.
    pub(crate) fn zero() -> Mpi {
        Mpi::from_uint(BoxedUint::zero(), false)
    }

    /// A signed small value.
    pub(crate) fn from_i64(z: i64) -> Mpi {
        Mpi::from_uint(
            BoxedUint::from_words((0..(64 / LIMB_BITS)).map(|i| {
                let m = z.unsigned_abs();
                (m >> (i * LIMB_BITS)) as Word
            })),
            z < 0,
        )
    }

    /// A value from a sign and a magnitude (a zero magnitude is +0).
    pub(crate) fn from_uint(mag: BoxedUint, neg: bool) -> Mpi {
        let neg = neg && sig_limbs(mag.as_words()) != 0;
        Mpi { neg, mag }
    }

    /// A value from little-endian limbs and a sign.
    pub(crate) fn from_words(words: &[Word], neg: bool) -> Mpi {
        Mpi::from_uint(uint_from_words(words, words.len()), neg)
    }

    /// A value from working limbs, which are wiped and freed (the one
    /// place the many intermediate limb vectors end, so that the copy and
    /// the wipe are not repeated at every call site).
    #[inline(never)]
    pub(crate) fn from_vec(mut words: Vec<Word>, neg: bool) -> Mpi {
        let m = Mpi::from_words(&words, neg);
        words.zeroize();
        m
    }

    /// An unsigned value from big-endian bytes.
    pub(crate) fn from_be_bytes(bytes: &[u8]) -> Mpi {
        Mpi::from_bytes(bytes, true)
    }

    /// An unsigned value from little-endian bytes.
    pub(crate) fn from_le_bytes(bytes: &[u8]) -> Mpi {
        Mpi::from_bytes(bytes, false)
    }

    /// An unsigned value from bytes in either order.
    fn from_bytes(bytes: &[u8], big_endian: bool) -> Mpi {
        let n = bytes.len().div_ceil(LIMB_BYTES);
        let mut words = alloc::vec![0 as Word; n.max(1)];
        or_bytes_into(&mut words, bytes, big_endian);
        Mpi::from_vec(words, false)
    }

    /// The magnitude's limbs (possibly with leading zero limbs).
    pub(crate) fn words(&self) -> &[Word] {
        self.mag.as_words()
    }

    /// The magnitude.
    pub(crate) fn magnitude(&self) -> &BoxedUint {
        &self.mag
    }

    /// Whether the value is negative.
    pub(crate) fn is_neg(&self) -> bool {
        self.neg
    }

    /// Whether the value is zero.
    pub(crate) fn is_zero(&self) -> bool {
        sig_limbs(self.words()) == 0
    }

    /// Limbs up to the highest nonzero one.
    pub(crate) fn sig_limbs(&self) -> usize {
        sig_limbs(self.words())
    }

    /// Bit length of the magnitude; 0 for zero.
    pub(crate) fn bitlen(&self) -> usize {
        let w = self.words();
        match sig_limbs(w) {
            0 => 0,
            n => (n - 1) * LIMB_BITS + (LIMB_BITS - w[n - 1].leading_zeros() as usize),
        }
    }

    /// Index of the lowest set bit; 0 for zero.
    pub(crate) fn lsb(&self) -> usize {
        for (i, &w) in self.words().iter().enumerate() {
            if w != 0 {
                return i * LIMB_BITS + w.trailing_zeros() as usize;
            }
        }
        0
    }

    /// Bit `pos` of the magnitude.
    pub(crate) fn get_bit(&self, pos: usize) -> bool {
        self.words()
            .get(pos / LIMB_BITS)
            .is_some_and(|w| (w >> (pos % LIMB_BITS)) & 1 == 1)
    }

    /// Whether the magnitude is odd.
    pub(crate) fn is_odd(&self) -> bool {
        self.get_bit(0)
    }

    /// The magnitude's low `n` limbs, zero-extended to `n`; wiped when
    /// dropped.
    #[cfg(any(mbedcrypto_compact_gcd, test))]
    fn padded_words(&self, n: usize) -> zeroize::Zeroizing<Vec<Word>> {
        let w = self.words();
        zeroize::Zeroizing::new((0..n).map(|i| w.get(i).copied().unwrap_or(0)).collect())
    }

    /// The absolute value.
    pub(crate) fn abs(&self) -> Mpi {
        Mpi::from_uint(self.mag.clone(), false)
    }

    /// Compares the magnitudes.
    pub(crate) fn cmp_abs(&self, other: &Mpi) -> Ordering {
        let (a, b) = (self.words(), other.words());
        let n = sig_limbs(a).max(sig_limbs(b));
        for i in (0..n).rev() {
            let (x, y) = (
                a.get(i).copied().unwrap_or(0),
                b.get(i).copied().unwrap_or(0),
            );
            match x.cmp(&y) {
                Ordering::Equal => continue,
                o => return o,
            }
        }
        Ordering::Equal
    }

    /// Signed comparison.
    pub(crate) fn cmp_signed(&self, other: &Mpi) -> Ordering {
        match (self.neg, other.neg) {
            (false, true) => Ordering::Greater,
            (true, false) => Ordering::Less,
            (false, false) => self.cmp_abs(other),
            (true, true) => other.cmp_abs(self),
        }
    }

    /// |a| + |b|.
    pub(crate) fn add_abs(a: &Mpi, b: &Mpi) -> MpiResult<Mpi> {
        let n = a.sig_limbs().max(b.sig_limbs()) + 1;
        check_limbs(n)?;
        Ok(Mpi::from_vec(
            add_sub_limbs(a.words(), b.words(), n, false),
            false,
        ))
    }

    /// |a| - |b|; `Negative` if |b| > |a|.
    pub(crate) fn sub_abs(a: &Mpi, b: &Mpi) -> MpiResult<Mpi> {
        if a.cmp_abs(b) == Ordering::Less {
            return Err(MpiError::Negative);
        }
        let n = a.sig_limbs().max(b.sig_limbs());
        Ok(Mpi::from_vec(
            add_sub_limbs(a.words(), b.words(), n, true),
            false,
        ))
    }

    /// a + b, or a - b with `flip`.
    fn add_sub(a: &Mpi, b: &Mpi, flip: bool) -> MpiResult<Mpi> {
        let b_neg = b.neg ^ flip;
        let (mut r, neg) = if a.neg == b_neg {
            (Mpi::add_abs(a, b)?, a.neg)
        } else if a.cmp_abs(b) == Ordering::Less {
            (Mpi::sub_abs(b, a)?, !a.neg)
        } else {
            (Mpi::sub_abs(a, b)?, a.neg)
        };
        // The magnitude is nonnegative; give it the sign (zero stays +0).
        r.neg = neg && !r.is_zero();
        Ok(r)
    }

    /// a + b.
    pub(crate) fn add(a: &Mpi, b: &Mpi) -> MpiResult<Mpi> {
        Mpi::add_sub(a, b, false)
    }

    /// a - b.
    pub(crate) fn sub(a: &Mpi, b: &Mpi) -> MpiResult<Mpi> {
        Mpi::add_sub(a, b, true)
    }

    /// a * b.
    pub(crate) fn mul(a: &Mpi, b: &Mpi) -> MpiResult<Mpi> {
        let (na, nb) = (a.sig_limbs().max(1), b.sig_limbs().max(1));
        check_limbs(na + nb)?;
        let p = mont::mul_wide(&a.words()[..na], &b.words()[..nb]);
        Ok(Mpi::from_vec(p, a.neg != b.neg))
    }

    /// Truncated division: a = q * b + r with |r| < |b|, q rounded toward
    /// zero, r taking a's sign.
    pub(crate) fn div_rem(a: &Mpi, b: &Mpi) -> MpiResult<(Mpi, Mpi)> {
        let nb = b.sig_limbs();
        if nb == 0 {
            return Err(MpiError::DivByZero);
        }
        let na = a.sig_limbs().max(1);
        if nb == 1 {
            // One limb: crypto-bigint's division by a limb (a multiply by
            // its reciprocal per limb), which the text conversions need
            // to be fast.
            let d = Option::<NonZero<Limb>>::from(NonZero::new(Limb(b.words()[0])))
                .ok_or(MpiError::DivByZero)?;
            let (q, r) = resized(&a.mag, na).div_rem_limb(d);
            return Ok((
                Mpi::from_uint(q, a.neg != b.neg),
                Mpi::from_words(&[r.0], a.neg),
            ));
        }
        let (q, r) = mont::div_rem_words(&a.words()[..na], &b.words()[..nb]);
        Ok((Mpi::from_vec(q, a.neg != b.neg), Mpi::from_vec(r, a.neg)))
    }

    /// a mod b in [0, b): `DivByZero` for b = 0, `Negative` for b < 0.
    pub(crate) fn modulo(a: &Mpi, b: &Mpi) -> MpiResult<Mpi> {
        if b.is_zero() {
            return Err(MpiError::DivByZero);
        }
        if b.neg {
            return Err(MpiError::Negative);
        }
        let (_, r) = Mpi::div_rem(a, b)?;
        if r.neg {
            // -|b| < r < 0: the representative is r + b.
            return Mpi::add(&r, b);
        }
        Ok(r)
    }

    /// a mod b for a small b: `DivByZero` / `Negative` as [`Mpi::modulo`].
    pub(crate) fn mod_word(a: &Mpi, b: i64) -> MpiResult<Word> {
        if b == 0 {
            return Err(MpiError::DivByZero);
        }
        if b < 0 {
            return Err(MpiError::Negative);
        }
        let r = Mpi::modulo(a, &Mpi::from_i64(b))?;
        Ok(r.words()[0])
    }

    /// x << count.
    pub(crate) fn shl(x: &Mpi, count: usize) -> MpiResult<Mpi> {
        let bits = x.bitlen().checked_add(count).ok_or(MpiError::Alloc)?;
        let n = limbs_for_bits(bits).max(x.words().len());
        check_limbs(n)?;
        let limb_shift = count / LIMB_BITS;
        let bit_shift = (count % LIMB_BITS) as u32;
        let src = x.words();
        let mut out = alloc::vec![0 as Word; n.max(1)];
        for (i, &w) in src.iter().enumerate() {
            let j = i + limb_shift;
            if j < out.len() {
                out[j] |= w << bit_shift;
            }
            if bit_shift != 0 && j + 1 < out.len() {
                out[j + 1] |= w >> (LIMB_BITS as u32 - bit_shift);
            }
        }
        Ok(Mpi::from_vec(out, x.neg))
    }

    /// x >> count (of the magnitude; the sign is kept unless the result is
    /// zero).
    pub(crate) fn shr(x: &Mpi, count: usize) -> Mpi {
        let src = x.words();
        let n = src.len();
        let limb_shift = count / LIMB_BITS;
        let bit_shift = (count % LIMB_BITS) as u32;
        let mut out = alloc::vec![0 as Word; n.max(1)];
        for (i, o) in out.iter_mut().enumerate() {
            let j = i + limb_shift;
            let lo = src.get(j).copied().unwrap_or(0);
            let hi = src.get(j + 1).copied().unwrap_or(0);
            *o = if bit_shift == 0 {
                lo
            } else {
                (lo >> bit_shift) | (hi << (LIMB_BITS as u32 - bit_shift))
            };
        }
        Mpi::from_vec(out, x.neg)
    }

    /// a^e mod n, constant-time in e's value for e's limb count; `n` must
    /// be odd and positive, e non-negative, both at most
    /// `MBEDTLS_MPI_MAX_BITS` long. A negative a gives upstream's answer:
    /// n - (|a|^e mod n) for odd e.
    pub(crate) fn exp_mod(a: &Mpi, e: &Mpi, n: &Mpi) -> MpiResult<Mpi> {
        if n.neg || !n.is_odd() || e.neg {
            return Err(MpiError::BadInput);
        }
        if e.bitlen() > MAX_BITS || n.bitlen() > MAX_BITS {
            return Err(MpiError::BadInput);
        }
        let nl = n.sig_limbs();
        if n.bitlen() == 1 {
            // Everything is 0 modulo 1.
            return Ok(Mpi::zero());
        }
        let modulus =
            mont::FastModulus::from_modulus(&n.words()[..nl]).ok_or(MpiError::BadInput)?;
        // |a| mod n: a Montgomery reduction when |a| fits in twice n's
        // limbs (no division), else a division.
        let al = a.sig_limbs();
        let base = if al <= 2 * nl {
            Mpi::from_vec(modulus.rem_wide(&a.words()[..al]), false)
        } else {
            Mpi::modulo(&a.abs(), n)?
        };
        let exp = e.words();
        let r = Mpi::from_vec(
            modulus.pow(base.words(), exp, exp.len().max(1) * LIMB_BITS),
            false,
        );
        if a.neg && e.is_odd() {
            return Mpi::sub(n, &r);
        }
        Ok(r)
    }

    /// R^2 mod n for R = 2^(limbs * limb bits): upstream's `_RR` cache
    /// value for a modulus stored in `limbs` limbs.
    pub(crate) fn mont_rr(n: &Mpi, limbs: usize) -> MpiResult<Mpi> {
        if n.is_odd() && !n.neg && n.sig_limbs() <= limbs {
            let mut w = alloc::vec![0 as Word; limbs];
            w[..n.sig_limbs()].copy_from_slice(&n.words()[..n.sig_limbs()]);
            if let Some(m) = mont::FastModulus::from_modulus(&w) {
                return Ok(Mpi::from_words(&m.rr(), false));
            }
        }
        let one = Mpi::from_i64(1);
        let rr = Mpi::shl(&one, 2 * limbs * LIMB_BITS)?;
        Mpi::modulo(&rr, n)
    }

    /// gcd(|a|, |b|).
    pub(crate) fn gcd(a: &Mpi, b: &Mpi) -> MpiResult<Mpi> {
        if a.is_zero() {
            return Ok(b.abs());
        }
        if b.is_zero() {
            return Ok(a.abs());
        }
        let n = a.sig_limbs().max(b.sig_limbs());
        #[cfg(not(mbedcrypto_compact_gcd))]
        return Ok(Mpi::gcd_safegcd(a, b, n));
        #[cfg(mbedcrypto_compact_gcd)]
        return Ok(Mpi::gcd_binary(a, b, n));
    }

    /// gcd(|a|, |b|) of nonzero values of at most `n` limbs, by
    /// crypto-bigint's safegcd.
    #[cfg(any(not(mbedcrypto_compact_gcd), test))]
    fn gcd_safegcd(a: &Mpi, b: &Mpi, n: usize) -> Mpi {
        Mpi::from_uint(resized(&a.mag, n).gcd(&resized(&b.mag, n)), false)
    }

    /// gcd(|a|, |b|) of nonzero values of at most `n` limbs, by the
    /// compact binary method of firmware builds.
    #[cfg(any(mbedcrypto_compact_gcd, test))]
    fn gcd_binary(a: &Mpi, b: &Mpi, n: usize) -> Mpi {
        Mpi::from_vec(bingcd::gcd(&a.padded_words(n), &b.padded_words(n)), false)
    }

    /// The inverse of a modulo n, in [1, n-1]: `BadInput` if n <= 1,
    /// `NotAcceptable` if there is none.
    pub(crate) fn inv_mod(a: &Mpi, n: &Mpi) -> MpiResult<Mpi> {
        if n.neg || n.bitlen() <= 1 {
            return Err(MpiError::BadInput);
        }
        let r = Mpi::modulo(a, n)?;
        if n.is_odd() {
            return Mpi::inv_odd(&r, n);
        }
        // An even n: r must be odd, and then n^-1 mod r gives the answer.
        // With y = n^-1 mod r, n y = 1 + k r for some k, so r (-k) = 1
        // mod n and r^-1 = n - k, k = (n y - 1) / r (0 < k < n). This
        // avoids crypto-bigint's inverse modulo an even number, whose
        // 2^k part brings its Karatsuba product into the image.
        if !r.is_odd() {
            return Err(MpiError::NotAcceptable);
        }
        if r.bitlen() == 1 {
            return Ok(r);
        }
        let y = Mpi::inv_odd(&Mpi::modulo(n, &r)?, &r)?;
        let (k, rem) = Mpi::div_rem(&Mpi::sub(&Mpi::mul(n, &y)?, &Mpi::from_i64(1))?, &r)?;
        debug_assert!(rem.is_zero());
        Mpi::sub(n, &k)
    }

    /// The inverse of a (0 <= a < n) modulo the odd n > 1, in [1, n-1]:
    /// `NotAcceptable` if there is none.
    pub(crate) fn inv_odd(a: &Mpi, n: &Mpi) -> MpiResult<Mpi> {
        let nl = n.sig_limbs();
        if !n.is_odd() {
            return Err(MpiError::BadInput);
        }
        #[cfg(not(mbedcrypto_compact_gcd))]
        let inv = Mpi::inv_safegcd(a, n, nl)?;
        #[cfg(mbedcrypto_compact_gcd)]
        let inv = Mpi::inv_binary(a, n, nl)?;
        if inv.is_zero() {
            return Err(MpiError::NotAcceptable);
        }
        Ok(inv)
    }

    /// a^-1 mod n (0 <= a < n, n odd of `nl` limbs) by crypto-bigint's
    /// safegcd: `NotAcceptable` if there is none.
    #[cfg(any(not(mbedcrypto_compact_gcd), test))]
    fn inv_safegcd(a: &Mpi, n: &Mpi, nl: usize) -> MpiResult<Mpi> {
        let odd = Option::<Odd<BoxedUint>>::from(Odd::new(resized(&n.mag, nl)))
            .ok_or(MpiError::BadInput)?;
        let inv = Option::<BoxedUint>::from(resized(&a.mag, nl).invert_odd_mod(&odd))
            .ok_or(MpiError::NotAcceptable)?;
        Ok(Mpi::from_uint(inv, false))
    }

    /// a^-1 mod n (0 <= a < n, n odd of `nl` limbs) by the compact binary
    /// method of firmware builds: `NotAcceptable` if there is none.
    #[cfg(any(mbedcrypto_compact_gcd, test))]
    fn inv_binary(a: &Mpi, n: &Mpi, nl: usize) -> MpiResult<Mpi> {
        debug_assert!(a.sig_limbs() <= nl);
        let w = bingcd::inv_odd(&a.padded_words(nl), &n.words()[..nl])
            .ok_or(MpiError::NotAcceptable)?;
        Ok(Mpi::from_vec(w, false))
    }

    /// |x| big-endian in exactly `out.len()` bytes, left-padded with zeros.
    pub(crate) fn write_be(&self, out: &mut [u8]) -> MpiResult<()> {
        if self.bitlen().div_ceil(8) > out.len() {
            return Err(MpiError::BufferTooSmall);
        }
        let w = self.words();
        let len = out.len();
        for (i, o) in out.iter_mut().enumerate() {
            let k = len - 1 - i;
            *o = w
                .get(k / LIMB_BYTES)
                .map_or(0, |x| (x >> (8 * (k % LIMB_BYTES))) as u8);
        }
        Ok(())
    }

    /// |x| little-endian in exactly `out.len()` bytes, right-padded.
    pub(crate) fn write_le(&self, out: &mut [u8]) -> MpiResult<()> {
        if self.bitlen().div_ceil(8) > out.len() {
            return Err(MpiError::BufferTooSmall);
        }
        let w = self.words();
        for (k, o) in out.iter_mut().enumerate() {
            *o = w
                .get(k / LIMB_BYTES)
                .map_or(0, |x| (x >> (8 * (k % LIMB_BYTES))) as u8);
        }
        Ok(())
    }

    /// Parses `s` (an optional `-`, then digits of `radix`) as
    /// `mbedtls_mpi_read_string` does.
    pub(crate) fn from_str_radix(s: &[u8], radix: u32) -> MpiResult<Mpi> {
        if !(2..=16).contains(&radix) {
            return Err(MpiError::BadInput);
        }
        let (neg, digits) = match s.split_first() {
            Some((b'-', rest)) => (true, rest),
            _ => (false, s),
        };
        // The limbs are wiped however this ends (the text may be a key).
        let mut words = zeroize::Zeroizing::new(Vec::<Word>::new());
        if radix == 16 {
            // Four bits a digit: place each digit directly.
            words.resize(limbs_for_bits(digits.len() * 4).max(1), 0);
            for (i, &c) in digits.iter().rev().enumerate() {
                let d = digit_value(c, radix)?;
                words[(i * 4) / LIMB_BITS] |= (d as Word) << ((i * 4) % LIMB_BITS);
            }
            check_limbs(sig_limbs(&words))?;
        } else {
            // words = words * radix + digit, growing by a limb when the
            // product carries out.
            for &c in digits {
                let mut carry = digit_value(c, radix)? as Word;
                for w in words.iter_mut() {
                    (*w, carry) = mont::mac(*w, radix as Word, 0, carry);
                }
                if carry != 0 {
                    check_limbs(words.len() + 1)?;
                    words.try_reserve(1).map_err(|_| MpiError::Alloc)?;
                    words.push(carry);
                }
            }
        }
        Ok(Mpi::from_words(&words, neg))
    }

    /// The digits of `self` in `radix` (2..=16), upper case, with upstream's
    /// hex rule (whole bytes, leading zero bytes dropped, `"00"` for a
    /// zero with `limbs` > 0, empty for no limbs) and a leading `-` for a
    /// negative value. `limbs` is the C value's allocated limb count.
    pub(crate) fn to_str_radix(&self, radix: u32, limbs: usize) -> MpiResult<Vec<u8>> {
        if !(2..=16).contains(&radix) {
            return Err(MpiError::BadInput);
        }
        const DIGITS: &[u8; 16] = b"0123456789ABCDEF";
        // Room for every digit (each carries at least floor(log2(radix))
        // bits), a sign and the "00" of zero, reserved up front so that
        // running out of memory is an error, not an abort.
        let bits = self.words().len().max(1) * LIMB_BITS;
        let most = bits.div_ceil(radix.ilog2() as usize) + 3;
        let mut out = Vec::new();
        out.try_reserve_exact(most).map_err(|_| MpiError::Alloc)?;
        if self.neg {
            out.push(b'-');
        }
        if radix == 16 {
            let n = sig_limbs(self.words()).max(limbs.min(1));
            let mut started = false;
            for i in (0..n * LIMB_BYTES).rev() {
                let byte = (self.words().get(i / LIMB_BYTES).copied().unwrap_or(0)
                    >> (8 * (i % LIMB_BYTES))) as u8;
                if byte == 0 && !started && i != 0 {
                    continue;
                }
                started = true;
                out.push(DIGITS[(byte >> 4) as usize]);
                out.push(DIGITS[(byte & 15) as usize]);
            }
            return Ok(out);
        }
        let mut digits = Vec::new();
        digits
            .try_reserve_exact(most)
            .map_err(|_| MpiError::Alloc)?;
        let mut t = self.abs();
        let rad = Mpi::from_i64(radix as i64);
        loop {
            let (q, r) = Mpi::div_rem(&t, &rad)?;
            digits.push(DIGITS[r.words()[0] as usize]);
            t = q;
            if t.is_zero() {
                break;
            }
        }
        out.extend(digits.iter().rev());
        Ok(out)
    }
}

/// `Alloc` when a value would need more than `MBEDTLS_MPI_MAX_LIMBS` limbs.
pub(crate) fn check_limbs(n: usize) -> MpiResult<()> {
    if n > MAX_LIMBS {
        Err(MpiError::Alloc)
    } else {
        Ok(())
    }
}

/// The value of digit `c` in `radix`, or `InvalidChar`.
pub(crate) fn digit_value(c: u8, radix: u32) -> MpiResult<u32> {
    let d = match c {
        b'0'..=b'9' => (c - b'0') as u32,
        b'A'..=b'F' => (c - b'A') as u32 + 10,
        b'a'..=b'f' => (c - b'a') as u32 + 10,
        _ => return Err(MpiError::InvalidChar),
    };
    if d >= radix {
        return Err(MpiError::InvalidChar);
    }
    Ok(d)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(s: &str) -> Mpi {
        Mpi::from_str_radix(s.as_bytes(), 16).unwrap()
    }

    fn to_hex(m: &Mpi) -> String {
        String::from_utf8(m.to_str_radix(16, 1).unwrap()).unwrap()
    }

    /// Both gcd and inverse methods (safegcd for hosted builds, the
    /// binary one for firmware) agree through `Mpi`'s wrappers, with
    /// operands of differing lengths and leading zero limbs.
    #[test]
    fn gcd_and_inverse_methods_agree() {
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        for round in 0..60 {
            // Operands of 1 to 5 limbs with a partly filled top limb, every
            // tenth round of up to RSA-2048's size.
            let max = if round % 10 == 9 { 2048 / LIMB_BITS } else { 5 };
            let operand = |seed: &mut u64| {
                let n = 1 + (test_words(seed, 1)[0] as usize) % max;
                let mut w = test_words(seed, n);
                w[n - 1] >>= (*seed % LIMB_BITS as u64) as u32;
                Mpi::from_words(&w, false)
            };
            let mut a = operand(&mut seed);
            let b = operand(&mut seed);
            if round % 4 == 0 {
                // A shared factor and shared powers of two.
                a = Mpi::mul(&b, &Mpi::from_i64(12)).unwrap();
            }
            // Leading zero limbs on a.
            let a = Mpi::from_words(&[a.words(), &[0, 0]].concat(), false);
            if a.is_zero() || b.is_zero() {
                continue;
            }
            let n = a.sig_limbs().max(b.sig_limbs());
            let want = Mpi::gcd_safegcd(&a, &b, n);
            assert!(
                Mpi::gcd_binary(&a, &b, n).cmp_signed(&want).is_eq(),
                "round {round}"
            );

            let mut m = b.clone();
            if !m.is_odd() {
                m = Mpi::add(&m, &Mpi::from_i64(1)).unwrap();
            }
            if m.bitlen() <= 1 {
                continue;
            }
            let r = Mpi::modulo(&a, &m).unwrap();
            let nl = m.sig_limbs();
            let want = Mpi::inv_safegcd(&r, &m, nl).map(|v| to_hex(&v));
            let got = Mpi::inv_binary(&r, &m, nl).map(|v| to_hex(&v));
            assert_eq!(got, want, "round {round}");
        }
    }

    #[test]
    fn add_sub_signs() {
        let a = Mpi::from_i64(5);
        let b = Mpi::from_i64(-7);
        assert_eq!(to_hex(&Mpi::add(&a, &b).unwrap()), "-02");
        assert_eq!(to_hex(&Mpi::sub(&a, &b).unwrap()), "0C");
        assert_eq!(to_hex(&Mpi::sub(&b, &b).unwrap()), "00");
        assert!(!Mpi::sub(&b, &b).unwrap().is_neg());
        assert_eq!(Mpi::sub_abs(&a, &b).map(|_| ()), Err(MpiError::Negative));
        // Carries and borrows across every limb (32- and 64-bit limbs).
        let ones = hex(&"F".repeat(32));
        let top = alloc::format!("01{}", "0".repeat(32));
        let one = Mpi::from_i64(1);
        let up = Mpi::add(&ones, &one).unwrap();
        assert_eq!(to_hex(&up), top);
        assert_eq!(to_hex(&Mpi::sub(&up, &one).unwrap()), "F".repeat(32));
        assert_eq!(
            to_hex(&Mpi::sub(&one, &up).unwrap()),
            alloc::format!("-{}", "F".repeat(32))
        );
        assert_eq!(
            to_hex(&Mpi::add_abs(&ones, &ones).unwrap()),
            alloc::format!("01{}E", "F".repeat(31))
        );
    }

    #[test]
    fn mul_div_mod() {
        let a = hex("123456789ABCDEF0123456789ABCDEF0123456789");
        let b = hex("-FEDCBA987654321");
        let p = Mpi::mul(&a, &b).unwrap();
        let (q, r) = Mpi::div_rem(&p, &b).unwrap();
        assert_eq!(q.cmp_signed(&a), Ordering::Equal);
        assert!(r.is_zero());
        let m = Mpi::modulo(&Mpi::from_i64(-7), &Mpi::from_i64(3)).unwrap();
        assert_eq!(to_hex(&m), "02");
        assert_eq!(Mpi::modulo(&a, &b).map(|_| ()), Err(MpiError::Negative));
        assert_eq!(Mpi::mod_word(&Mpi::from_i64(-7), 3), Ok(2));
    }

    #[test]
    fn exp_mod_small() {
        // 4^13 mod 497 = 445
        let r = Mpi::exp_mod(&Mpi::from_i64(4), &Mpi::from_i64(13), &Mpi::from_i64(497)).unwrap();
        assert_eq!(r.cmp_signed(&Mpi::from_i64(445)), Ordering::Equal);
        let r = Mpi::exp_mod(&Mpi::from_i64(-4), &Mpi::from_i64(13), &Mpi::from_i64(497)).unwrap();
        assert_eq!(r.cmp_signed(&Mpi::from_i64(52)), Ordering::Equal);
        assert!(Mpi::exp_mod(&Mpi::from_i64(4), &Mpi::from_i64(13), &Mpi::from_i64(496)).is_err());
    }

    #[test]
    fn shifts_and_text() {
        let a = hex("1");
        let s = Mpi::shl(&a, 200).unwrap();
        assert_eq!(s.bitlen(), 201);
        assert_eq!(Mpi::shr(&s, 200).cmp_signed(&a), Ordering::Equal);
        let d = Mpi::from_str_radix(b"-1234567890123456789012345678901234567890", 10).unwrap();
        assert_eq!(
            d.to_str_radix(10, 1).unwrap(),
            b"-1234567890123456789012345678901234567890"
        );
        assert_eq!(
            Mpi::from_str_radix(b"12G", 16).map(|_| ()),
            Err(MpiError::InvalidChar)
        );
        assert!(!Mpi::from_str_radix(b"-0", 10).unwrap().is_neg());
    }

    #[test]
    fn inverse_and_gcd() {
        let inv = Mpi::inv_mod(&Mpi::from_i64(3), &Mpi::from_i64(40)).unwrap();
        assert_eq!(inv.cmp_signed(&Mpi::from_i64(27)), Ordering::Equal);
        assert_eq!(
            Mpi::inv_mod(&Mpi::from_i64(4), &Mpi::from_i64(40)).map(|_| ()),
            Err(MpiError::NotAcceptable)
        );
        let g = Mpi::gcd(&Mpi::from_i64(-48), &Mpi::from_i64(180)).unwrap();
        assert_eq!(g.cmp_signed(&Mpi::from_i64(12)), Ordering::Equal);
    }
}
