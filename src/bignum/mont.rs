//! Montgomery arithmetic for odd moduli: the exponentiations of RSA and of
//! `mbedtls_mpi_exp_mod`, the products modulo N, P and Q that RSA's
//! blinding and CRT need, the schoolbook product [`mul_wide`] and the
//! long division [`div_rem_words`].
//!
//! Why this exists beside crypto-bigint: the crate's boxed Montgomery
//! exponentiation takes about 770 us for a 1024-bit base and a 1280-bit
//! exponent on the CI machine (one RSA-2048 CRT half with upstream's
//! exponent blinding), which puts a signature at upstream's speed; the
//! product targets twice that. The fixed-size kernel here takes about
//! 470 us for the same exponentiation. And in a firmware image, the
//! crate's Montgomery form and Karatsuba product cost about 27 KB, against
//! a few KB for [`MontAny`].
//!
//! Two kernels:
//! - On 64-bit targets, a kernel monomorphised per limb count (`[Word; N]`
//!   arrays) for the sizes of RSA-2048 to RSA-8192. It multiplies with
//!   CIOS with the inner loops unrolled by eight, and squares by 8-limb
//!   blocks (each cross product once; about 10% faster than the product).
//! - Everywhere else (all sizes on 32-bit targets, other sizes on 64-bit
//!   ones), [`MontAny`], whose limb count is known at run time.
//!
//! Both use a fixed 5-bit window whose table is read in full at every
//! step, and are constant-time in the values: no branch or index depends
//! on them, and the final subtraction is a mask. Public exponents (RSA's
//! e) have their own square-and-multiply, variable-time in the exponent
//! only. The tests compare both with crypto-bigint on random moduli, and
//! the two kernels with each other.

#[cfg(target_pointer_width = "64")]
use alloc::boxed::Box;
use alloc::vec::Vec;

use crypto_bigint::{WideWord, Word};
use zeroize::Zeroize;

const BITS: u32 = Word::BITS;
/// Bits per window of the exponentiation.
const WINDOW: usize = 5;
const TABLE: usize = 1 << WINDOW;

/// a b + c + carry, as (low limb, high limb).
#[inline(always)]
pub(crate) fn mac(a: Word, b: Word, c: Word, carry: Word) -> (Word, Word) {
    let t = (a as WideWord) * (b as WideWord) + (c as WideWord) + (carry as WideWord);
    (t as Word, (t >> BITS) as Word)
}

/// a + b + carry, as (sum limb, carry 0 or 1).
#[inline(always)]
pub(crate) fn adc(a: Word, b: Word, carry: Word) -> (Word, Word) {
    let t = (a as WideWord) + (b as WideWord) + (carry as WideWord);
    (t as Word, (t >> BITS) as Word)
}

/// a - b - borrow, as (difference limb, borrow 0 or 1).
#[inline(always)]
pub(crate) fn sbb(a: Word, b: Word, borrow: Word) -> (Word, Word) {
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

/// `acc` += x y, both `y.len()` limbs; returns the carry out of the top
/// limb. Blocks of eight through [`mac8`], then the remaining limbs one by
/// one.
#[inline(always)]
fn row_mac(acc: &mut [Word], x: Word, y: &[Word]) -> Word {
    let (acc8, acc_tail) = acc.as_chunks_mut::<8>();
    let (y8, y_tail) = y.as_chunks::<8>();
    let mut c = 0;
    for (a, b) in acc8.iter_mut().zip(y8) {
        c = mac8(a, x, b, c);
    }
    for (a, &b) in acc_tail.iter_mut().zip(y_tail) {
        (*a, c) = mac(x, b, *a, c);
    }
    c
}

/// `acc` |= x & mask, limb by limb, written out by eight for the same
/// reason as [`mac8`].
#[inline(always)]
fn or_masked(acc: &mut [Word], x: &[Word], mask: Word) {
    let (acc8, acc_tail) = acc.as_chunks_mut::<8>();
    let (x8, x_tail) = x.as_chunks::<8>();
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
    for (a, &x) in acc_tail.iter_mut().zip(x_tail) {
        *a |= x & mask;
    }
}

/// `t` = 2 `t` + the squares `a[i]^2` at limb 2 i, for `t` of 2 `a.len()`
/// limbs holding the cross products of a square: the result, a^2, fits,
/// so no carry leaves the top. Shared by both kernels' squares.
#[inline(always)]
fn double_add_squares(t: &mut [Word], a: &[Word]) {
    let mut shifted_out = 0;
    let mut c = 0;
    for (i, &ai) in a.iter().enumerate() {
        let sq = (ai as WideWord) * (ai as WideWord);
        let (lo, hi) = (t[2 * i], t[2 * i + 1]);
        let d0 = (lo << 1) | shifted_out;
        let d1 = (hi << 1) | (lo >> (BITS - 1));
        shifted_out = hi >> (BITS - 1);
        (t[2 * i], c) = adc(d0, sq as Word, c);
        (t[2 * i + 1], c) = adc(d1, (sq >> BITS) as Word, c);
    }
}

/// 1 as a limb mask of all ones when `i == idx`, else 0, without a branch.
#[inline(always)]
fn eq_mask(i: usize, idx: usize) -> Word {
    let diff = (i ^ idx) as Word;
    ((diff | diff.wrapping_neg()) >> (BITS - 1)).wrapping_sub(1)
}

/// Bit `i` of the little-endian limbs `exp` (0 beyond them).
#[inline(always)]
fn exp_bit(exp: &[Word], i: usize) -> usize {
    exp.get(i / BITS as usize)
        .map_or(0, |w| ((w >> (i % BITS as usize)) & 1) as usize)
}

/// The `WINDOW`-bit digit `win` of the exponent's low `exp_bits` bits.
#[inline(always)]
fn exp_window(exp: &[Word], exp_bits: usize, win: usize) -> usize {
    let mut idx = 0;
    for k in 0..WINDOW {
        let pos = win * WINDOW + k;
        if pos < exp_bits {
            idx |= exp_bit(exp, pos) << k;
        }
    }
    idx
}

/// A modulus of N limbs prepared for Montgomery arithmetic (R = 2^(w N)
/// for w-bit limbs), for 64-bit targets;
/// `W` is 2 N, the width of a double-length product (a separate parameter
/// because stable Rust cannot write `[Word; 2 * N]`).
#[cfg(target_pointer_width = "64")]
#[derive(Clone)]
struct Mont<const N: usize, const W: usize> {
    n: [Word; N],
    /// -n^-1 mod 2^w.
    n0: Word,
    /// R^2 mod n.
    rr: [Word; N],
}

#[cfg(target_pointer_width = "64")]
impl<const N: usize, const W: usize> Drop for Mont<N, W> {
    fn drop(&mut self) {
        // The moduli of a private key are its primes.
        self.n.zeroize();
        self.rr.zeroize();
    }
}

#[cfg(target_pointer_width = "64")]
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
        for j in 0..N {
            r[j] = (t[j] & keep) | (r[j] & !keep);
        }
        r
    }

    /// One step of Montgomery reduction: adds the multiple of n that
    /// clears the low limb of `w`, and shifts `w` down a limb. Returns the
    /// carry out of the top limb (the caller puts the new top limb in
    /// place). Unrolled by eight (every supported N is a multiple of 8).
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
        double_add_squares(&mut t, a);
        self.redc(&t)
    }

    /// t R^-1 mod n for t < n R: N reduction rows over a sliding window of
    /// N limbs, each row bringing in the next high limb of t.
    #[inline(always)]
    fn redc(&self, t: &[Word; W]) -> [Word; N] {
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

    /// x mod n for x < R^2 (up to W limbs), without a division: the
    /// reduction gives x R^-1 (below R, not necessarily below n), the
    /// product with R^2 then x mod n.
    fn rem_wide(&self, x: &[Word]) -> [Word; N] {
        let mut t = arr::<W>(x);
        let r = self.mul(&self.redc(&t), &self.rr);
        t.zeroize();
        r
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

    /// a b mod n for a, b < n (normal form in and out).
    fn mul_mod(&self, a: &[Word; N], b: &[Word; N]) -> [Word; N] {
        self.mul(&self.mul(a, b), &self.rr)
    }

    /// base^exp mod n for a public exponent: left-to-right square and
    /// multiply, variable-time in exp only (RSA's e).
    fn pow_public(&self, base: &[Word; N], exp: &[Word], exp_bits: usize) -> [Word; N] {
        // Start at the top set bit: acc = base.
        let Some(top) = (0..exp_bits).rev().find(|&i| exp_bit(exp, i) == 1) else {
            return self.one();
        };
        let b = self.enter(base);
        let mut acc = b;
        for i in (0..top).rev() {
            acc = self.sqr(&acc);
            if exp_bit(exp, i) == 1 {
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
        let windows = exp_bits.div_ceil(WINDOW);
        let mut acc = table[0];
        for win in (0..windows).rev() {
            if win != windows - 1 {
                for _ in 0..WINDOW {
                    acc = self.sqr(&acc);
                }
            }
            let idx = exp_window(exp, exp_bits, win);
            // Read every entry; keep the one at idx.
            let mut sel = [0 as Word; N];
            for (i, entry) in table.iter().enumerate() {
                let is = eq_mask(i, idx);
                for j in 0..N {
                    sel[j] |= entry[j] & is;
                }
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

/// A modulus of any limb count known only at run time, prepared for
/// Montgomery arithmetic: the only kernel on 32-bit targets (one copy of
/// the code for every size, which is what a firmware image can afford),
/// and the one for sizes without a fixed-size kernel on 64-bit ones.
///
/// The product is the separated form: the whole product, then the
/// reduction rows, each row a multiply-accumulate written out by eight
/// ([`row_mac`]). On a Cortex-M4 each limb step is two loads, one UMAAL
/// and a store, and no row moves the others' limbs. Squares use the same
/// product. Masks are passed through `black_box`: on the Cortex-M4 the
/// compiler otherwise knows a mask is 0 or all ones and chooses between
/// two addresses with it, a secret-dependent memory access.
#[derive(Clone)]
struct MontAny {
    n: Vec<Word>,
    /// -n^-1 mod 2^w.
    n0: Word,
    /// R^2 mod n.
    rr: Vec<Word>,
}

impl Drop for MontAny {
    fn drop(&mut self) {
        self.n.zeroize();
        self.rr.zeroize();
    }
}

impl MontAny {
    fn len(&self) -> usize {
        self.n.len()
    }

    /// out = a b R^-1 mod n (a, b < n, all `len` limbs); `t` is scratch
    /// of 2 `len` limbs.
    fn mul(&self, a: &[Word], b: &[Word], t: &mut [Word], out: &mut [Word]) {
        let n = self.len();
        t.fill(0);
        // Row i adds a[i] b at limb i; its carry lands on limb i + n,
        // which no earlier row reached.
        for (i, &ai) in a.iter().enumerate() {
            t[i + n] = row_mac(&mut t[i..i + n], ai, b);
        }
        self.reduce(t, out);
    }

    /// out = a^2 R^-1 mod n (a < n, `len` limbs); `t` is scratch of 2
    /// `len` limbs. Each cross product `a[i] a[j]` (i < j) once, then doubled,
    /// plus the squares `a[i]^2`: about three quarters of the work of
    /// [`Self::mul`], the reduction included.
    fn sqr(&self, a: &[Word], t: &mut [Word], out: &mut [Word]) {
        let n = self.len();
        t.fill(0);
        // Row i adds a[i] a[i+1..] at limb 2 i + 1; its carry lands on
        // limb i + n, which no earlier row reached.
        for i in 0..n.saturating_sub(1) {
            t[i + n] = row_mac(&mut t[2 * i + 1..i + n], a[i], &a[i + 1..]);
        }
        double_add_squares(t, a);
        self.reduce(t, out);
    }

    /// out = t R^-1 mod n for t < n R (2 `len` limbs, clobbered).
    fn reduce(&self, t: &mut [Word], out: &mut [Word]) {
        let n = self.len();
        // Row i clears limb i with a multiple of n; its carry goes into
        // limb i + n, and the carry out of that into the next row's
        // (`top`, which is the bit at limb 2 n after the last row).
        let mut top: Word = 0;
        for i in 0..n {
            let m = t[i].wrapping_mul(self.n0);
            let c = row_mac(&mut t[i..i + n], m, &self.n);
            (t[i + n], top) = adc(t[i + n], c, top);
        }
        // out = the high half minus n, unless that is negative.
        let hi = &t[n..];
        let mut borrow = 0;
        for j in 0..n {
            (out[j], borrow) = sbb(hi[j], self.n[j], borrow);
        }
        let (_, borrow) = sbb(top, 0, borrow);
        let keep = core::hint::black_box(borrow.wrapping_neg());
        for j in 0..n {
            out[j] = (hi[j] & keep) | (out[j] & !keep);
        }
    }

    /// `x` (up to `len` limbs; the rest zero) as a `len`-limb vector.
    fn load(&self, x: &[Word]) -> Vec<Word> {
        let mut v = alloc::vec![0 as Word; self.len()];
        for (d, s) in v.iter_mut().zip(x) {
            *d = *s;
        }
        v
    }

    /// x mod n for x < R^2 (up to 2 `len` limbs), without a division (as
    /// the fixed-size kernel's).
    fn rem_wide(&self, x: &[Word]) -> Vec<Word> {
        let n = self.len();
        let mut t = alloc::vec![0 as Word; 2 * n];
        for (d, s) in t.iter_mut().zip(x) {
            *d = *s;
        }
        let mut xr = alloc::vec![0 as Word; n];
        let mut out = alloc::vec![0 as Word; n];
        self.reduce(&mut t, &mut xr);
        self.mul(&xr, &self.rr, &mut t, &mut out);
        zeroize_vec(t);
        zeroize_vec(xr);
        out
    }

    /// a b mod n for a, b < n.
    fn mul_mod(&self, a: &[Word], b: &[Word]) -> Vec<Word> {
        let n = self.len();
        let (a, b) = (self.load(a), self.load(b));
        let mut t = alloc::vec![0 as Word; 2 * n];
        let mut ab = alloc::vec![0 as Word; n];
        let mut out = alloc::vec![0 as Word; n];
        self.mul(&a, &b, &mut t, &mut ab);
        self.mul(&ab, &self.rr, &mut t, &mut out);
        for v in [a, b, t, ab] {
            zeroize_vec(v);
        }
        out
    }

    /// base^exp mod n for a public exponent: left-to-right square and
    /// multiply, variable-time in exp only (RSA's e).
    fn pow_public(&self, base: &[Word], exp: &[Word], exp_bits: usize) -> Vec<Word> {
        let n = self.len();
        let mut one = alloc::vec![0 as Word; n];
        one[0] = 1;
        let Some(top) = (0..exp_bits).rev().find(|&i| exp_bit(exp, i) == 1) else {
            return one;
        };
        let x = self.load(base);
        let mut t = alloc::vec![0 as Word; 2 * n];
        let mut b = alloc::vec![0 as Word; n];
        self.mul(&x, &self.rr, &mut t, &mut b);
        let mut acc = b.clone();
        let mut tmp = alloc::vec![0 as Word; n];
        for i in (0..top).rev() {
            self.sqr(&acc, &mut t, &mut tmp);
            core::mem::swap(&mut acc, &mut tmp);
            if exp_bit(exp, i) == 1 {
                self.mul(&acc, &b, &mut t, &mut tmp);
                core::mem::swap(&mut acc, &mut tmp);
            }
        }
        self.mul(&acc, &one, &mut t, &mut tmp);
        for v in [x, t, b, acc, one] {
            zeroize_vec(v);
        }
        tmp
    }

    /// base^exp mod n (base < n, normal form), constant-time in the
    /// values of base and exp for `exp_bits` exponent bits. The window
    /// table (32 values of n's size) is on the heap.
    fn pow(&self, base: &[Word], exp: &[Word], exp_bits: usize) -> Vec<Word> {
        let n = self.len();
        let mut table = alloc::vec![0 as Word; TABLE * n];
        let mut t = alloc::vec![0 as Word; 2 * n];
        let mut acc = alloc::vec![0 as Word; n];
        let mut tmp = alloc::vec![0 as Word; n];
        let mut sel = alloc::vec![0 as Word; n];
        // table[0] = R mod n (1 in Montgomery form), table[1] = base R.
        sel[0] = 1;
        self.mul(&sel, &self.rr, &mut t, &mut table[..n]);
        let x = self.load(base);
        self.mul(&x, &self.rr, &mut t, &mut table[n..2 * n]);
        zeroize_vec(x);
        for i in 2..TABLE {
            let (done, rest) = table.split_at_mut(i * n);
            self.mul(
                &done[(i - 1) * n..],
                &done[n..2 * n],
                &mut t,
                &mut rest[..n],
            );
        }
        let windows = exp_bits.div_ceil(WINDOW);
        acc.copy_from_slice(&table[..n]);
        for win in (0..windows).rev() {
            if win != windows - 1 {
                for _ in 0..WINDOW {
                    self.sqr(&acc, &mut t, &mut tmp);
                    core::mem::swap(&mut acc, &mut tmp);
                }
            }
            let idx = exp_window(exp, exp_bits, win);
            // Read every entry; keep the one at idx.
            sel.fill(0);
            for (i, entry) in table.chunks_exact(n).enumerate() {
                or_masked(&mut sel, entry, core::hint::black_box(eq_mask(i, idx)));
            }
            self.mul(&acc, &sel, &mut t, &mut tmp);
            core::mem::swap(&mut acc, &mut tmp);
        }
        // Leave Montgomery form: acc 1 R^-1.
        sel.fill(0);
        sel[0] = 1;
        self.mul(&acc, &sel, &mut t, &mut tmp);
        for v in [table, t, acc, sel] {
            zeroize_vec(v);
        }
        tmp
    }
}

/// The product a b in `a.len() + b.len()` limbs: the schoolbook method,
/// the same steps whatever the values. (crypto-bigint's product switches
/// to Karatsuba, whose code is monomorphised per size: about 20 KB of a
/// firmware image, for products that are never on a hot path here.)
pub(crate) fn mul_wide(a: &[Word], b: &[Word]) -> Vec<Word> {
    let mut t = alloc::vec![0 as Word; a.len() + b.len()];
    for (i, &ai) in a.iter().enumerate() {
        t[i + b.len()] = row_mac(&mut t[i..i + b.len()], ai, b);
    }
    t
}

/// The quotient and remainder of a / b for b > 0 (`b`'s top limb
/// nonzero): `a.len()` and `b.len()` limbs. Shift and subtract over the
/// bits of a, the same steps whatever the values. That is 16 to 40 times
/// slower than a word-wise division (crypto-bigint's, measured at 1 to 2
/// times a Montgomery exponent's size), but no hot path divides any
/// more: moduli are set up without it (`FastModulus::from_modulus`), RSA
/// and `exp_mod` reduce with `rem_wide`, and one-limb divisors (text
/// conversion) use crypto-bigint's division by a limb. What is left is
/// the C API's division and key derivations. (crypto-bigint's general
/// division costs about 2.5 KB of a firmware image.)
pub(crate) fn div_rem_words(a: &[Word], b: &[Word]) -> (Vec<Word>, Vec<Word>) {
    let nb = b.len();
    let mut q = alloc::vec![0 as Word; a.len()];
    // r < b before each step, so 2 r + 1 fits in nb + 1 limbs.
    let mut r = alloc::vec![0 as Word; nb + 1];
    let mut t = alloc::vec![0 as Word; nb + 1];
    for i in (0..a.len() * BITS as usize).rev() {
        let mut carry = (a[i / BITS as usize] >> (i % BITS as usize)) & 1;
        for w in r.iter_mut() {
            let out = *w >> (BITS - 1);
            *w = (*w << 1) | carry;
            carry = out;
        }
        let mut borrow = 0;
        for (j, (d, &x)) in t.iter_mut().zip(r.iter()).enumerate() {
            (*d, borrow) = sbb(x, b.get(j).copied().unwrap_or(0), borrow);
        }
        // No borrow: r >= b, keep r - b and set the quotient bit.
        let take = core::hint::black_box(borrow.wrapping_sub(1));
        for (x, &d) in r.iter_mut().zip(t.iter()) {
            *x = (d & take) | (*x & !take);
        }
        q[i / BITS as usize] |= (take & 1) << (i % BITS as usize);
    }
    zeroize_vec(t);
    r.truncate(nb);
    (q, r)
}

/// 2^e mod n for the odd n > 0 and e >= bitlen(n) - 1, by doubling from
/// 2^(bitlen(n) - 1) with a masked subtraction (the steps depend only on
/// n's length in bits). 0 for n = 1.
fn pow2_mod(n: &[Word], e: usize) -> Vec<Word> {
    let len = n.len();
    let mut x = alloc::vec![0 as Word; len];
    let bits = n.iter().rposition(|&w| w != 0).map_or(0, |i| {
        i * BITS as usize + (BITS - n[i].leading_zeros()) as usize
    });
    if bits <= 1 {
        return x;
    }
    let top = bits - 1;
    x[top / BITS as usize] = 1 << (top % BITS as usize);
    let mut t = alloc::vec![0 as Word; len];
    for _ in top..e {
        // x = 2 x mod n: 2 x < 2 n, so one subtraction at most.
        let mut carry = 0;
        for w in x.iter_mut() {
            let out = *w >> (BITS - 1);
            *w = (*w << 1) | carry;
            carry = out;
        }
        let mut borrow = 0;
        for j in 0..len {
            (t[j], borrow) = sbb(x[j], n[j], borrow);
        }
        let (_, borrow) = sbb(carry, 0, borrow);
        let take = core::hint::black_box(borrow.wrapping_sub(1));
        for j in 0..len {
            x[j] = (t[j] & take) | (x[j] & !take);
        }
    }
    zeroize_vec(t);
    x
}

/// Zeroises a vector of limbs and frees it.
fn zeroize_vec(mut v: Vec<Word>) {
    v.zeroize();
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

/// The kernel chosen for a modulus.
#[derive(Clone)]
enum Kernel {
    #[cfg(target_pointer_width = "64")]
    L16(Box<Mont<16, 32>>),
    #[cfg(target_pointer_width = "64")]
    L24(Box<Mont<24, 48>>),
    #[cfg(target_pointer_width = "64")]
    L32(Box<Mont<32, 64>>),
    #[cfg(target_pointer_width = "64")]
    L48(Box<Mont<48, 96>>),
    #[cfg(target_pointer_width = "64")]
    L64(Box<Mont<64, 128>>),
    Any(MontAny),
}

/// An odd modulus prepared for Montgomery arithmetic. On 64-bit targets
/// the limb counts 16, 24, 32, 48 and 64 (the halves and moduli of
/// RSA-2048 to RSA-8192) take a fixed-size kernel; every other size, and
/// every size on 32-bit targets, takes [`MontAny`].
#[derive(Clone)]
pub(crate) struct FastModulus(Kernel);

#[cfg(target_pointer_width = "64")]
fn arr<const N: usize>(x: &[Word]) -> [Word; N] {
    let mut a = [0 as Word; N];
    for (d, s) in a.iter_mut().zip(x) {
        *d = *s;
    }
    a
}

/// Matches on the kernel of `$self`: `$fixed` is evaluated with `$m`
/// bound to a fixed-size kernel (whichever it is), `$any` with `$a` bound
/// to the run-time-sized one.
macro_rules! on_kernel {
    ($self:expr, $m:ident => $fixed:expr, $a:ident => $any:expr) => {
        match &$self.0 {
            #[cfg(target_pointer_width = "64")]
            Kernel::L16($m) => $fixed,
            #[cfg(target_pointer_width = "64")]
            Kernel::L24($m) => $fixed,
            #[cfg(target_pointer_width = "64")]
            Kernel::L32($m) => $fixed,
            #[cfg(target_pointer_width = "64")]
            Kernel::L48($m) => $fixed,
            #[cfg(target_pointer_width = "64")]
            Kernel::L64($m) => $fixed,
            Kernel::Any($a) => $any,
        }
    };
}

impl FastModulus {
    /// Prepares `n` (odd, `n.len()` limbs) with `rr` = R^2 mod n for
    /// R = 2^(w n.len()); `None` if n is empty or even.
    pub(crate) fn new(n: &[Word], rr: &[Word]) -> Option<FastModulus> {
        if n.is_empty() || n[0] & 1 == 0 {
            return None;
        }
        let n0 = neg_inverse(n[0]);
        #[cfg(target_pointer_width = "64")]
        macro_rules! mk {
            ($v:ident, $k:literal, $w:literal) => {
                Kernel::$v(Box::new(Mont::<$k, $w> {
                    n: arr(n),
                    n0,
                    rr: arr(rr),
                }))
            };
        }
        let kernel = match n.len() {
            #[cfg(target_pointer_width = "64")]
            16 => mk!(L16, 16, 32),
            #[cfg(target_pointer_width = "64")]
            24 => mk!(L24, 24, 48),
            #[cfg(target_pointer_width = "64")]
            32 => mk!(L32, 32, 64),
            #[cfg(target_pointer_width = "64")]
            48 => mk!(L48, 48, 96),
            #[cfg(target_pointer_width = "64")]
            64 => mk!(L64, 64, 128),
            len => Kernel::Any(MontAny {
                n: n.to_vec(),
                n0,
                rr: (0..len).map(|i| rr.get(i).copied().unwrap_or(0)).collect(),
            }),
        };
        Some(FastModulus(kernel))
    }

    /// Prepares the odd `n` (`n.len()` limbs set R = 2^(w n.len())),
    /// computing R^2 mod n itself without a division: doublings give
    /// 2^a R mod n for a the odd part of w n.len(), which is 2^a in
    /// Montgomery form, and k Montgomery squarings (2^k a = w n.len()) turn
    /// it into R in Montgomery form, R^2 mod n. A few dozen doublings and
    /// about ten squarings, where the division took as long as an
    /// exponentiation with a small exponent. `None` if n is empty or even.
    pub(crate) fn from_modulus(n: &[Word]) -> Option<FastModulus> {
        let plain = FastModulus::new(n, &[])?;
        let wn = n.len() * BITS as usize;
        let k = wn.trailing_zeros();
        let a = wn >> k;
        let mut y = pow2_mod(n, a + wn);
        for _ in 0..k {
            y = plain.sqr(&y);
        }
        let m = FastModulus::new(n, &y);
        zeroize_vec(y);
        m
    }

    /// x^2 R^-1 mod n for x < n.
    fn sqr(&self, x: &[Word]) -> Vec<Word> {
        on_kernel!(self,
            m => {
                let mut a = arr(x);
                let r = m.sqr(&a);
                a.zeroize();
                r.to_vec()
            },
            k => {
                let mut t = alloc::vec![0 as Word; 2 * k.len()];
                let mut out = alloc::vec![0 as Word; k.len()];
                k.sqr(x, &mut t, &mut out);
                zeroize_vec(t);
                out
            }
        )
    }

    /// The stored R^2 mod n.
    pub(crate) fn rr(&self) -> Vec<Word> {
        on_kernel!(self, m => m.rr.to_vec(), k => k.rr.clone())
    }

    /// Whether a fixed-size kernel was chosen.
    #[cfg(test)]
    pub(crate) fn is_fixed(&self) -> bool {
        !matches!(self.0, Kernel::Any(_))
    }

    /// base^exp mod n for base < n (limbs beyond the modulus' count must
    /// be zero), constant-time for `exp_bits` exponent bits.
    pub(crate) fn pow(&self, base: &[Word], exp: &[Word], exp_bits: usize) -> Vec<Word> {
        on_kernel!(self,
            m => {
                let mut b = arr(base);
                let r = m.pow(&b, exp, exp_bits);
                b.zeroize();
                r.to_vec()
            },
            a => a.pow(base, exp, exp_bits)
        )
    }

    /// base^exp mod n for a public exponent (variable-time in exp only).
    pub(crate) fn pow_public(&self, base: &[Word], exp: &[Word], exp_bits: usize) -> Vec<Word> {
        on_kernel!(self,
            m => m.pow_public(&arr(base), exp, exp_bits).to_vec(),
            a => a.pow_public(base, exp, exp_bits)
        )
    }

    /// x mod n for x of at most twice the modulus' limbs (x < R^2, R =
    /// 2^(w n.len())), by Montgomery reduction instead of a division;
    /// constant-time in the values. Panics if x is longer.
    pub(crate) fn rem_wide(&self, x: &[Word]) -> Vec<Word> {
        on_kernel!(self,
            m => {
                assert!(x.len() <= 2 * m.n.len());
                m.rem_wide(x).to_vec()
            },
            k => {
                assert!(x.len() <= 2 * k.len());
                k.rem_wide(x)
            }
        )
    }

    /// a b mod n for a, b < n (limbs beyond the modulus' count must be
    /// zero), constant-time in the values.
    pub(crate) fn mul_mod(&self, a: &[Word], b: &[Word]) -> Vec<Word> {
        on_kernel!(self,
            m => {
                let (mut x, mut y) = (arr(a), arr(b));
                let r = m.mul_mod(&x, &y);
                x.zeroize();
                y.zeroize();
                r.to_vec()
            },
            k => k.mul_mod(a, b)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crypto_bigint::modular::{BoxedMontyForm, BoxedMontyParams};
    use crypto_bigint::{BoxedUint, Odd};

    use crate::bignum::test_words as words;

    #[test]
    fn matches_crypto_bigint() {
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        // The fixed sizes (on 64-bit targets) and sizes only the
        // run-time-sized kernel has: below and between them, and odd ones.
        for &n_limbs in &[16usize, 24, 32, 48, 64, 1, 2, 7, 9, 17, 33] {
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
                assert_eq!(
                    fast.is_fixed(),
                    cfg!(target_pointer_width = "64") && [16, 24, 32, 48, 64].contains(&n_limbs)
                );
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
                // The product mod n, against the crate's.
                let other = words(&mut seed, n_limbs);
                let other = BoxedUint::from_words(other).rem_vartime(params.modulus().as_nz_ref());
                let want = (BoxedMontyForm::new(BoxedUint::from_words(base.clone()), &params)
                    * BoxedMontyForm::new(other.clone(), &params))
                .retrieve();
                let got = fast.mul_mod(&base, other.as_words());
                assert_eq!(&got[..], want.as_words(), "{n_limbs} limbs, round {round}");
            }
        }
    }

    /// The fixed-size kernel's square and product, and the run-time-sized
    /// kernel's product, agree.
    #[cfg(target_pointer_width = "64")]
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
            let any = MontAny {
                n: n.to_vec(),
                n0: m.n0,
                rr: alloc::vec![0; N],
            };
            let mut t = alloc::vec![0; 2 * N];
            let mut sos = |x: &[Word; N], y: &[Word; N]| {
                let mut out = [0; N];
                any.mul(x, y, &mut t, &mut out);
                out
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
                assert_eq!(sos(&x, &x), want, "{N} limbs, round {round}");
                assert_eq!(sos(&x, &a), m.mul(&x, &a), "{N} limbs, round {round}");
                x = want;
            }
        }
    }

    /// Division against crypto-bigint's, over lengths of 1 to 40 limbs
    /// for the dividend and 1 to 20 for the divisor, with random values,
    /// divisors of one bit and all ones, and dividends below the divisor.
    #[test]
    fn division_matches_crypto_bigint() {
        let mut seed = 0x1234_5678u64;
        let cases = if cfg!(miri) { 30 } else { 600 };
        for case in 0..cases {
            let na = 1 + (words(&mut seed, 1)[0] as usize) % 40;
            let nb = 1 + (words(&mut seed, 1)[0] as usize) % 20;
            let a = words(&mut seed, na);
            let mut b = words(&mut seed, nb);
            match case % 4 {
                0 => b.iter_mut().for_each(|w| *w = Word::MAX),
                1 => {
                    b.iter_mut().for_each(|w| *w = 0);
                    b[nb - 1] = 1;
                }
                _ => {}
            }
            if b[nb - 1] == 0 {
                b[nb - 1] = 1;
            }
            let (q, r) = div_rem_words(&a, &b);
            let n = na.max(nb);
            let wide =
                |x: &[Word]| BoxedUint::from_words((0..n).map(|i| x.get(i).copied().unwrap_or(0)));
            let (wq, wr) = wide(&a).div_rem(&crypto_bigint::NonZero::new(wide(&b)).unwrap());
            assert_eq!(wide(&q), wq, "case {case}");
            assert_eq!(wide(&r), wr, "case {case}");
        }
    }

    /// R^2 mod n computed without a division equals the division's, for
    /// every limb count from 1 to 66 (fixed and run-time-sized kernels),
    /// with moduli whose top limb is full, small, or 1.
    #[test]
    fn rr_without_division() {
        let mut seed = 0x4242u64;
        for len in 1..=66usize {
            for round in 0..3 {
                let mut n = words(&mut seed, len);
                match round {
                    0 => n[len - 1] |= 1 << (BITS - 1),
                    1 => n[len - 1] = (n[len - 1] >> 20).max(1),
                    _ => n[len - 1] = 1,
                }
                n[0] |= 1;
                if len == 1 && round == 2 {
                    n[0] = 3;
                }
                let mut r2 = alloc::vec![0 as Word; 2 * len + 1];
                r2[2 * len] = 1;
                let (_, expect) = div_rem_words(&r2, &n);
                let rr = FastModulus::from_modulus(&n).unwrap().rr();
                assert_eq!(rr, expect, "{len} limbs, round {round}");
            }
        }
    }

    /// Reduction of values below n R without a division, on both kernels.
    #[test]
    fn rem_wide_matches_division() {
        let mut seed = 0x77u64;
        for &len in &[16usize, 32, 3, 9] {
            for round in 0..8 {
                let mut n = words(&mut seed, len);
                n[0] |= 1;
                n[len - 1] |= 1 << (BITS - 1);
                let rr =
                    crate::bignum::Mpi::mont_rr(&crate::bignum::Mpi::from_words(&n, false), len)
                        .unwrap();
                let m = FastModulus::new(&n, &rr.words()[..len]).unwrap();
                // x < n R: any 2 len limbs whose top half is below n.
                let mut x = words(&mut seed, 2 * len);
                x[2 * len - 1] >>= 1;
                if round == 0 {
                    x.truncate(len);
                }
                let (_, want) = div_rem_words(&x, &n);
                assert_eq!(m.rem_wide(&x), want, "{len} limbs, round {round}");
            }
        }
    }

    /// The run-time-sized kernel's square agrees with its product, at
    /// every size from 1 to 20 limbs and 32, for random values and the
    /// edge ones (0, n - 1, and a modulus just below R).
    #[test]
    fn any_square_matches_product() {
        let mut seed = 0xa5u64;
        for len in (1..=20).chain([32]) {
            for round in 0..12 {
                let mut n = words(&mut seed, len);
                n[0] |= 1;
                n[len - 1] |= 1 << (BITS - 1);
                if round % 3 == 1 {
                    n.iter_mut().skip(1).for_each(|w| *w = Word::MAX);
                }
                let m = MontAny {
                    n0: neg_inverse(n[0]),
                    rr: alloc::vec![0; len],
                    n: n.clone(),
                };
                let mut x = words(&mut seed, len);
                x[len - 1] >>= 1;
                match round % 4 {
                    0 => {}
                    1 => x.iter_mut().for_each(|w| *w = 0),
                    _ => {
                        x.clone_from(&n);
                        x[0] -= 1;
                    }
                }
                let mut t = alloc::vec![0; 2 * len];
                for _ in 0..3 {
                    let (mut p, mut q) = (alloc::vec![0; len], alloc::vec![0; len]);
                    m.mul(&x, &x, &mut t, &mut p);
                    m.sqr(&x, &mut t, &mut q);
                    assert_eq!(p, q, "{len} limbs, round {round}");
                    x = p;
                }
            }
        }
    }

    #[cfg(target_pointer_width = "64")]
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
        // Even or empty moduli are refused.
        let mut even = n.clone();
        even[0] ^= 1;
        assert!(FastModulus::new(&even, &rr.words()[..16]).is_none());
        assert!(FastModulus::new(&[], &[]).is_none());
    }
}
