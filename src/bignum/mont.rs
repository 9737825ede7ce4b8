//! A fixed-size Montgomery exponentiation for the key sizes RSA uses.
//!
//! Why this exists beside crypto-bigint: the crate's boxed Montgomery
//! exponentiation takes about 770 us for a 1024-bit base and a 1280-bit
//! exponent on the CI machine (one RSA-2048 CRT half with upstream's
//! exponent blinding), which puts a signature at upstream's speed; the
//! product targets twice that. This kernel, the only limb arithmetic the
//! library writes itself, takes about 470 us for the same exponentiation.
//! It is monomorphised per limb count (`[Word; N]` arrays), multiplies
//! with CIOS with the inner loops unrolled by eight, squares by 8-limb
//! blocks (each cross product once; about 10% faster than the product),
//! and uses a fixed 5-bit window whose table is read in full at every
//! step. It is
//! constant-time in the values: no branch or index depends on them, and
//! the final subtraction is a mask. Public exponents (RSA's e) have their
//! own square-and-multiply, variable-time in the exponent only. The tests
//! compare both with crypto-bigint on random moduli of every size.
//!
//! On 32-bit targets (limbs of 32 bits, twice as many of them) the product
//! is the separated form, `Mont::mul_sos`: the whole product, then the
//! reduction rows, each row a multiply-accumulate written out by eight so
//! that it stays unrolled in the firmware's size-optimised builds (where
//! the CIOS loops above are not unrolled, and took about 1.5 times the
//! instructions); squaring uses the same product. The 64-bit code is the
//! CIOS one unchanged; the tests check that both forms agree.

use alloc::boxed::Box;
use alloc::vec::Vec;

use crypto_bigint::{WideWord, Word};
use zeroize::Zeroize;

const BITS: u32 = Word::BITS;
/// Bits per window of the exponentiation.
const WINDOW: usize = 5;
const TABLE: usize = 1 << WINDOW;

#[inline(always)]
fn mac(a: Word, b: Word, c: Word, carry: Word) -> (Word, Word) {
    let t = (a as WideWord) * (b as WideWord) + (c as WideWord) + (carry as WideWord);
    (t as Word, (t >> BITS) as Word)
}

#[inline(always)]
fn adc(a: Word, b: Word, carry: Word) -> (Word, Word) {
    let t = (a as WideWord) + (b as WideWord) + (carry as WideWord);
    (t as Word, (t >> BITS) as Word)
}

#[inline(always)]
fn sbb(a: Word, b: Word, borrow: Word) -> (Word, Word) {
    let t = (a as WideWord)
        .wrapping_sub(b as WideWord)
        .wrapping_sub(borrow as WideWord);
    (t as Word, ((t >> BITS) as Word) & 1)
}

/// Limbs `at..at + 8` of `a`.
#[cfg(target_pointer_width = "64")]
#[inline(always)]
fn block8<const N: usize>(a: &[Word; N], at: usize) -> [Word; 8] {
    core::array::from_fn(|i| a[at + i])
}

/// `t[at..at + 16]` = the sum of `x[i] * x[j]` over `i < j`, at limb
/// `i + j` (that part of `t` is zero before).
#[cfg(target_pointer_width = "64")]
#[inline(always)]
fn tri8<const W: usize>(t: &mut [Word; W], at: usize, x: &[Word; 8]) {
    for i in 0..7 {
        let mut c = 0;
        for j in i + 1..8 {
            (t[at + i + j], c) = mac(x[i], x[j], t[at + i + j], c);
        }
        t[at + i + 8] = c;
    }
}

/// `t[at..]` += x y, the carry running to the top of t (for every limb,
/// so the time does not depend on the values).
#[cfg(target_pointer_width = "64")]
#[inline(always)]
fn acc8x8<const W: usize>(t: &mut [Word; W], at: usize, x: &[Word; 8], y: &[Word; 8]) {
    let mut bit = 0;
    for i in 0..8 {
        let mut c = 0;
        for j in 0..8 {
            (t[at + i + j], c) = mac(x[i], y[j], t[at + i + j], c);
        }
        (t[at + i + 8], bit) = adc(t[at + i + 8], c, bit);
    }
    for w in t[at + 16..].iter_mut() {
        (*w, bit) = adc(*w, 0, bit);
    }
}

/// `acc` += x y over 8 limbs, `c` carried in; returns the carry out.
/// Written out in full, so that it stays unrolled when optimising for
/// size (the firmware profile), where loops of eight are not unrolled.
#[cfg(any(test, not(target_pointer_width = "64")))]
#[inline(always)]
fn mac8(acc: &mut [Word; 8], x: Word, y: &[Word; 8], c: Word) -> Word {
    let (a0, c) = mac(x, y[0], acc[0], c);
    let (a1, c) = mac(x, y[1], acc[1], c);
    let (a2, c) = mac(x, y[2], acc[2], c);
    let (a3, c) = mac(x, y[3], acc[3], c);
    let (a4, c) = mac(x, y[4], acc[4], c);
    let (a5, c) = mac(x, y[5], acc[5], c);
    let (a6, c) = mac(x, y[6], acc[6], c);
    let (a7, c) = mac(x, y[7], acc[7], c);
    *acc = [a0, a1, a2, a3, a4, a5, a6, a7];
    c
}

/// `acc` += x y, both `y.len()` limbs (a multiple of 8); returns the
/// carry out of the top limb.
#[cfg(any(test, not(target_pointer_width = "64")))]
#[inline(always)]
fn row_mac(acc: &mut [Word], x: Word, y: &[Word]) -> Word {
    let (acc8, _) = acc.as_chunks_mut::<8>();
    let (y8, _) = y.as_chunks::<8>();
    let mut c = 0;
    for (a, b) in acc8.iter_mut().zip(y8) {
        c = mac8(a, x, b, c);
    }
    c
}

/// `acc` |= x & mask, limb by limb (a multiple of 8 of them), written out
/// by eight for the same reason as [`mac8`].
#[cfg(not(target_pointer_width = "64"))]
#[inline(always)]
fn or_masked(acc: &mut [Word], x: &[Word], mask: Word) {
    let (acc8, _) = acc.as_chunks_mut::<8>();
    let (x8, _) = x.as_chunks::<8>();
    for (a, x) in acc8.iter_mut().zip(x8) {
        a[0] |= x[0] & mask;
        a[1] |= x[1] & mask;
        a[2] |= x[2] & mask;
        a[3] |= x[3] & mask;
        a[4] |= x[4] & mask;
        a[5] |= x[5] & mask;
        a[6] |= x[6] & mask;
        a[7] |= x[7] & mask;
    }
}

/// A modulus of N limbs prepared for Montgomery arithmetic (R = 2^(w N)
/// for w-bit limbs);
/// `W` is 2 N, the width of a double-length product (a separate parameter
/// because stable Rust cannot write `[Word; 2 * N]`).
#[derive(Clone)]
struct Mont<const N: usize, const W: usize> {
    n: [Word; N],
    /// -n^-1 mod 2^w.
    n0: Word,
    /// R^2 mod n.
    rr: [Word; N],
}

impl<const N: usize, const W: usize> Mont<N, W> {
    /// t (N words plus a top word) minus n if that is not negative.
    #[inline(always)]
    fn final_sub(&self, t: &[Word; N], top: Word) -> [Word; N] {
        let mut r = [0 as Word; N];
        let mut borrow = 0;
        for j in 0..N {
            (r[j], borrow) = sbb(t[j], self.n[j], borrow);
        }
        let (_, borrow) = sbb(top, 0, borrow);
        // borrow = 1: t < n, keep t.
        let keep = borrow.wrapping_neg();
        // For 32-bit targets the compiler otherwise knows the mask is 0 or
        // all ones and chooses between the two arrays' addresses with it
        // (seen on the Cortex-M4); hidden, it has to mask every limb.
        #[cfg(not(target_pointer_width = "64"))]
        let keep = core::hint::black_box(keep);
        for j in 0..N {
            r[j] = (t[j] & keep) | (r[j] & !keep);
        }
        r
    }

    /// One step of Montgomery reduction: adds the multiple of n that
    /// clears the low limb of `w`, and shifts `w` down a limb. Returns the
    /// carry out of the top limb (the caller puts the new top limb in
    /// place). Unrolled by eight (every supported N is a multiple of 8).
    #[cfg(target_pointer_width = "64")]
    #[inline(always)]
    fn reduce_step(&self, w: &mut [Word; N]) -> Word {
        let m = w[0].wrapping_mul(self.n0);
        let (_, mut c) = mac(m, self.n[0], w[0], 0);
        let mut j = 1;
        while j + 7 < N {
            (w[j - 1], c) = mac(m, self.n[j], w[j], c);
            (w[j], c) = mac(m, self.n[j + 1], w[j + 1], c);
            (w[j + 1], c) = mac(m, self.n[j + 2], w[j + 2], c);
            (w[j + 2], c) = mac(m, self.n[j + 3], w[j + 3], c);
            (w[j + 3], c) = mac(m, self.n[j + 4], w[j + 4], c);
            (w[j + 4], c) = mac(m, self.n[j + 5], w[j + 5], c);
            (w[j + 5], c) = mac(m, self.n[j + 6], w[j + 6], c);
            (w[j + 6], c) = mac(m, self.n[j + 7], w[j + 7], c);
            j += 8;
        }
        while j < N {
            (w[j - 1], c) = mac(m, self.n[j], w[j], c);
            j += 1;
        }
        c
    }

    /// a b R^-1 mod n (a, b < n): CIOS, the inner loops unrolled by eight
    /// (every supported N is a multiple of 8).
    #[cfg(target_pointer_width = "64")]
    #[inline(always)]
    fn mul(&self, a: &[Word; N], b: &[Word; N]) -> [Word; N] {
        let mut t = [0 as Word; N];
        let mut top: Word = 0;
        for &ai in a.iter() {
            let mut c = 0;
            let mut j = 0;
            while j < N {
                (t[j], c) = mac(ai, b[j], t[j], c);
                (t[j + 1], c) = mac(ai, b[j + 1], t[j + 1], c);
                (t[j + 2], c) = mac(ai, b[j + 2], t[j + 2], c);
                (t[j + 3], c) = mac(ai, b[j + 3], t[j + 3], c);
                (t[j + 4], c) = mac(ai, b[j + 4], t[j + 4], c);
                (t[j + 5], c) = mac(ai, b[j + 5], t[j + 5], c);
                (t[j + 6], c) = mac(ai, b[j + 6], t[j + 6], c);
                (t[j + 7], c) = mac(ai, b[j + 7], t[j + 7], c);
                j += 8;
            }
            let (t_n, t_n1) = adc(top, c, 0);
            let c = self.reduce_step(&mut t);
            let (s, c2) = adc(t_n, c, 0);
            t[N - 1] = s;
            top = t_n1 + c2;
        }
        self.final_sub(&t, top)
    }

    /// a^2 R^-1 mod n (a < n): the square by 8-limb blocks, each cross
    /// product once, then doubled, plus the diagonal squares; then a
    /// Montgomery reduction shaped like the one in `mul`. About 10%
    /// faster than `mul(a, a)` at 16 limbs on the CI machine.
    #[cfg(target_pointer_width = "64")]
    #[inline(always)]
    fn sqr(&self, a: &[Word; N]) -> [Word; N] {
        const { assert!(W == 2 * N && N.is_multiple_of(8)) };
        let blocks = N / 8;
        let mut t = [0 as Word; W];
        for b in 0..blocks {
            tri8(&mut t, 16 * b, &block8(a, 8 * b));
        }
        for bi in 0..blocks {
            for bj in bi + 1..blocks {
                acc8x8(
                    &mut t,
                    8 * (bi + bj),
                    &block8(a, 8 * bi),
                    &block8(a, 8 * bj),
                );
            }
        }
        // t = 2 t + the squares a[i]^2 at limb 2 i. The result, a^2, fits
        // in W limbs, so no carry leaves the top.
        let mut shifted_out = 0;
        let mut c = 0;
        for i in 0..N {
            let sq = (a[i] as WideWord) * (a[i] as WideWord);
            let (lo, hi) = (t[2 * i], t[2 * i + 1]);
            let d0 = (lo << 1) | shifted_out;
            let d1 = (hi << 1) | (lo >> (BITS - 1));
            shifted_out = hi >> (BITS - 1);
            (t[2 * i], c) = adc(d0, sq as Word, c);
            (t[2 * i + 1], c) = adc(d1, (sq >> BITS) as Word, c);
        }
        // Reduce: N rows over a sliding window of N limbs, each row
        // bringing in the next high limb of t.
        let mut w = [0 as Word; N];
        w.copy_from_slice(&t[..N]);
        let mut top: Word = 0;
        for i in 0..N {
            let c = self.reduce_step(&mut w);
            let (s, c2) = adc(t[N + i], c, top);
            w[N - 1] = s;
            top = c2;
        }
        self.final_sub(&w, top)
    }

    /// a b R^-1 mod n (a, b < n) on 32-bit targets.
    #[cfg(not(target_pointer_width = "64"))]
    #[inline(always)]
    fn mul(&self, a: &[Word; N], b: &[Word; N]) -> [Word; N] {
        self.mul_sos(a, b)
    }

    /// a^2 R^-1 mod n (a < n) on 32-bit targets.
    #[cfg(not(target_pointer_width = "64"))]
    #[inline(always)]
    fn sqr(&self, a: &[Word; N]) -> [Word; N] {
        self.mul_sos(a, a)
    }

    /// a b R^-1 mod n (a, b < n) in the separated form, the one for
    /// 32-bit targets: the whole product first, then N reduction rows over
    /// it, every row a multiply-accumulate of N limbs in blocks of eight.
    /// On a Cortex-M4 each limb step is two loads, one UMAAL and a store,
    /// and no row moves the others' limbs.
    #[cfg(any(test, not(target_pointer_width = "64")))]
    #[inline(always)]
    fn mul_sos(&self, a: &[Word; N], b: &[Word; N]) -> [Word; N] {
        const { assert!(W == 2 * N && N.is_multiple_of(8)) };
        let mut t = [0 as Word; W];
        // Row i adds a[i] b at limb i; its carry lands on limb i + N,
        // which no earlier row reached.
        for (i, &ai) in a.iter().enumerate() {
            t[i + N] = row_mac(&mut t[i..i + N], ai, b);
        }
        // Row i clears limb i with a multiple of n; its carry goes into
        // limb i + N, and the carry out of that into the next row's
        // (`top`, which is the bit at limb 2 N after the last row).
        let mut top: Word = 0;
        for i in 0..N {
            let m = t[i].wrapping_mul(self.n0);
            let c = row_mac(&mut t[i..i + N], m, &self.n);
            (t[i + N], top) = adc(t[i + N], c, top);
        }
        let mut hi = [0 as Word; N];
        hi.copy_from_slice(&t[N..]);
        self.final_sub(&hi, top)
    }

    fn one(&self) -> [Word; N] {
        let mut one = [0 as Word; N];
        one[0] = 1;
        one
    }

    /// x R mod n for x < n.
    fn enter(&self, x: &[Word; N]) -> [Word; N] {
        self.mul(x, &self.rr)
    }

    /// x R^-1 mod n.
    fn leave(&self, x: &[Word; N]) -> [Word; N] {
        self.mul(x, &self.one())
    }

    /// base^exp mod n for a public exponent: left-to-right square and
    /// multiply, variable-time in exp only (RSA's e).
    fn pow_public(&self, base: &[Word; N], exp: &[Word], exp_bits: usize) -> [Word; N] {
        let bit = |i: usize| {
            exp.get(i / BITS as usize)
                .is_some_and(|w| (w >> (i % BITS as usize)) & 1 == 1)
        };
        // Start at the top set bit: acc = base.
        let Some(top) = (0..exp_bits).rev().find(|&i| bit(i)) else {
            return self.one();
        };
        let b = self.enter(base);
        let mut acc = b;
        for i in (0..top).rev() {
            acc = self.sqr(&acc);
            if bit(i) {
                acc = self.mul(&acc, &b);
            }
        }
        self.leave(&acc)
    }

    /// base^exp mod n (base < n, normal form), constant-time in the
    /// values of base and exp for `exp_bits` exponent bits.
    fn pow(&self, base: &[Word; N], exp: &[Word], exp_bits: usize) -> [Word; N] {
        let mut table = [[0 as Word; N]; TABLE];
        table[0] = self.enter(&self.one());
        table[1] = self.enter(base);
        for i in 2..TABLE {
            table[i] = self.mul(&table[i - 1], &table[1]);
        }
        let bit = |i: usize| -> usize {
            exp.get(i / BITS as usize)
                .map_or(0, |w| ((w >> (i % BITS as usize)) & 1) as usize)
        };
        let windows = exp_bits.div_ceil(WINDOW);
        let mut acc = table[0];
        for win in (0..windows).rev() {
            if win != windows - 1 {
                for _ in 0..WINDOW {
                    acc = self.sqr(&acc);
                }
            }
            let mut idx = 0;
            for k in 0..WINDOW {
                let pos = win * WINDOW + k;
                if pos < exp_bits {
                    idx |= bit(pos) << k;
                }
            }
            // Read every entry; keep the one at idx.
            let mut sel = [0 as Word; N];
            for (i, entry) in table.iter().enumerate() {
                let diff = (i ^ idx) as Word;
                let is = ((diff | diff.wrapping_neg()) >> (BITS - 1)).wrapping_sub(1);
                // As in `final_sub`: otherwise a conditional OR on the
                // Cortex-M4, predicated on the secret index.
                #[cfg(not(target_pointer_width = "64"))]
                let is = core::hint::black_box(is);
                #[cfg(target_pointer_width = "64")]
                for j in 0..N {
                    sel[j] |= entry[j] & is;
                }
                #[cfg(not(target_pointer_width = "64"))]
                or_masked(&mut sel, entry, is);
            }
            acc = self.mul(&acc, &sel);
            sel.zeroize();
        }
        let r = self.leave(&acc);
        acc.zeroize();
        for t in table.iter_mut() {
            t.zeroize();
        }
        r
    }
}

/// -n^-1 mod 2^w for odd n (w the limb width; Newton's iteration
/// doubles the correct low bits from 1 to 128).
fn neg_inverse(n0: Word) -> Word {
    let mut inv: Word = 1;
    for _ in 0..7 {
        inv = inv.wrapping_mul((2 as Word).wrapping_sub(n0.wrapping_mul(inv)));
    }
    inv.wrapping_neg()
}

/// A prepared modulus of one of the supported sizes.
#[derive(Clone)]
enum Kernel {
    L16(Box<Mont<16, 32>>),
    L24(Box<Mont<24, 48>>),
    L32(Box<Mont<32, 64>>),
    L48(Box<Mont<48, 96>>),
    L64(Box<Mont<64, 128>>),
}

/// An odd modulus prepared for fast exponentiation, if its limb count is
/// one this kernel has (16, 24, 32, 48 or 64 limbs: with 64-bit limbs the
/// halves and moduli of RSA-2048 to RSA-8192, with 32-bit limbs those of
/// RSA-1024 to RSA-4096, RSA-4096's modulus excepted).
#[derive(Clone)]
pub(crate) struct FastModulus(Kernel);

fn arr<const N: usize>(x: &[Word]) -> [Word; N] {
    let mut a = [0 as Word; N];
    for (d, s) in a.iter_mut().zip(x) {
        *d = *s;
    }
    a
}

impl FastModulus {
    /// Prepares `n` (odd, `n.len()` limbs, top limb nonzero) with
    /// `rr` = R^2 mod n; `None` for an unsupported size.
    pub(crate) fn new(n: &[Word], rr: &[Word]) -> Option<FastModulus> {
        if n.is_empty() || n[0] & 1 == 0 {
            return None;
        }
        let n0 = neg_inverse(n[0]);
        macro_rules! mk {
            ($v:ident, $k:literal, $w:literal) => {
                Kernel::$v(Box::new(Mont::<$k, $w> {
                    n: arr(n),
                    n0,
                    rr: arr(rr),
                }))
            };
        }
        let s = match n.len() {
            16 => mk!(L16, 16, 32),
            24 => mk!(L24, 24, 48),
            32 => mk!(L32, 32, 64),
            48 => mk!(L48, 48, 96),
            64 => mk!(L64, 64, 128),
            _ => return None,
        };
        Some(FastModulus(s))
    }

    /// base^exp mod n for base < n (limbs beyond the modulus' count must
    /// be zero), constant-time for `exp_bits` exponent bits.
    pub(crate) fn pow(&self, base: &[Word], exp: &[Word], exp_bits: usize) -> Vec<Word> {
        macro_rules! run {
            ($m:expr) => {{
                let mut b = arr(base);
                let r = $m.pow(&b, exp, exp_bits);
                b.zeroize();
                r.to_vec()
            }};
        }
        match &self.0 {
            Kernel::L16(m) => run!(m),
            Kernel::L24(m) => run!(m),
            Kernel::L32(m) => run!(m),
            Kernel::L48(m) => run!(m),
            Kernel::L64(m) => run!(m),
        }
    }

    /// base^exp mod n for a public exponent (variable-time in exp only).
    pub(crate) fn pow_public(&self, base: &[Word], exp: &[Word], exp_bits: usize) -> Vec<Word> {
        macro_rules! run {
            ($m:expr) => {
                $m.pow_public(&arr(base), exp, exp_bits).to_vec()
            };
        }
        match &self.0 {
            Kernel::L16(m) => run!(m),
            Kernel::L24(m) => run!(m),
            Kernel::L32(m) => run!(m),
            Kernel::L48(m) => run!(m),
            Kernel::L64(m) => run!(m),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crypto_bigint::modular::{BoxedMontyForm, BoxedMontyParams};
    use crypto_bigint::{BoxedUint, Odd};

    fn words(seed: &mut u64, n: usize) -> Vec<Word> {
        (0..n)
            .map(|_| {
                *seed ^= *seed << 13;
                *seed ^= *seed >> 7;
                *seed ^= *seed << 17;
                *seed as Word
            })
            .collect()
    }

    #[test]
    fn matches_crypto_bigint() {
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        for &n_limbs in &[16usize, 24, 32, 48, 64] {
            for round in 0..3 {
                let mut n = words(&mut seed, n_limbs);
                n[0] |= 1;
                if round == 0 {
                    // A modulus just below R.
                    n.iter_mut().skip(1).for_each(|w| *w = Word::MAX);
                }
                n[n_limbs - 1] |= 1 << (BITS - 1);
                let nb = BoxedUint::from_words(n.clone());
                let params = BoxedMontyParams::new_vartime(Odd::new(nb.clone()).unwrap());
                let rr = crate::bignum::Mpi::mont_rr(
                    &crate::bignum::Mpi::from_words(&n, false),
                    n_limbs,
                )
                .unwrap();
                let fast = FastModulus::new(&n, &rr.words()[..n_limbs]).unwrap();
                let mut base = words(&mut seed, n_limbs);
                base[n_limbs - 1] >>= 1;
                let exp_len = if round == 2 { 1 } else { n_limbs / 2 + 1 };
                let exp = words(&mut seed, exp_len);
                let bits = exp_len * BITS as usize;
                let expect = BoxedMontyForm::new(BoxedUint::from_words(base.clone()), &params)
                    .pow(&BoxedUint::from_words(exp.clone()))
                    .retrieve();
                let got = fast.pow(&base, &exp, bits);
                assert_eq!(
                    &got[..],
                    expect.as_words(),
                    "{n_limbs} limbs, round {round}"
                );
                let public = fast.pow_public(&base, &exp, bits);
                assert_eq!(
                    &public[..],
                    expect.as_words(),
                    "{n_limbs} limbs, round {round}"
                );
            }
        }
    }

    fn square_vs_product<const N: usize, const W: usize>(seed: &mut u64) {
        for round in 0..40 {
            let mut n = arr::<N>(&words(seed, N));
            n[0] |= 1;
            n[N - 1] |= 1 << (BITS - 1);
            if round % 4 == 1 {
                // A modulus just below R, where the final subtraction matters.
                n.iter_mut().skip(1).for_each(|w| *w = Word::MAX);
            }
            let m = Mont::<N, W> {
                n,
                n0: neg_inverse(n[0]),
                rr: [0; N],
            };
            let mut a = arr::<N>(&words(seed, N));
            match round % 4 {
                0 => a[N - 1] >>= 1,
                1 => a = m.final_sub(&[Word::MAX; N], 0), // R - 1 - n
                2 => {
                    // n - 1, the largest input.
                    a = n;
                    a[0] -= 1;
                }
                _ => a = [0; N],
            }
            let mut x = a;
            for _ in 0..4 {
                let want = m.mul(&x, &x);
                assert_eq!(m.sqr(&x), want, "{N} limbs, round {round}");
                // The separated form (32-bit targets' product) agrees with
                // the interleaved one, squaring and not.
                assert_eq!(m.mul_sos(&x, &x), want, "{N} limbs, round {round}");
                assert_eq!(m.mul_sos(&x, &a), m.mul(&x, &a), "{N} limbs, round {round}");
                x = want;
            }
        }
    }

    #[test]
    fn square_matches_product() {
        let mut seed = 0x51u64;
        square_vs_product::<16, 32>(&mut seed);
        square_vs_product::<24, 48>(&mut seed);
        square_vs_product::<32, 64>(&mut seed);
        square_vs_product::<48, 96>(&mut seed);
        square_vs_product::<64, 128>(&mut seed);
    }

    #[test]
    fn edge_exponents() {
        let mut seed = 7u64;
        let mut n = words(&mut seed, 16);
        n[0] |= 1;
        n[15] |= 1 << (BITS - 1);
        let rr =
            crate::bignum::Mpi::mont_rr(&crate::bignum::Mpi::from_words(&n, false), 16).unwrap();
        let fast = FastModulus::new(&n, &rr.words()[..16]).unwrap();
        let base = vec![5 as Word; 16];
        // x^0 = 1; x^1 = x.
        let one = fast.pow(&base, &[0], 64);
        assert_eq!(one[0], 1);
        assert!(one[1..].iter().all(|&w| w == 0));
        assert_eq!(fast.pow(&base, &[1], 1), base);
        assert!(FastModulus::new(&n[..15], &rr.words()[..15]).is_none());
    }
}
