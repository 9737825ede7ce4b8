//! A compact constant-time gcd and inverse for firmware builds (`--cfg
//! mbedcrypto_compact_gcd`, set for Cortex-M in `.cargo/config.toml`).
//!
//! Hosted builds use crypto-bigint's safegcd, which is several times
//! faster. In a Cortex-M image, though, the safegcd code with the signed
//! and boxed arithmetic it needs comes to about 4.5 KB, where this binary
//! method takes well under one: one loop of masked subtractions, swaps and
//! halvings over limb slices. RSA needs an inverse once per key (QP, and
//! D when it is deduced) and once per blinding pair, so the slower method
//! only shows in a key's first signature.
//!
//! The steps, and the memory they touch, depend only on the operands'
//! limb counts: every branch on a value is a mask. Tests compare both
//! functions with crypto-bigint on random operands.

use alloc::vec::Vec;

use crypto_bigint::Word;
use zeroize::Zeroize;

use super::mont::{adc, sbb};

const BITS: u32 = Word::BITS;

/// All ones if `bit` (0 or 1) is 1, else 0.
#[inline(always)]
fn mask(bit: Word) -> Word {
    core::hint::black_box(bit).wrapping_neg()
}

/// a -= b & m; returns the borrow (0 or 1).
fn sub_masked(a: &mut [Word], b: &[Word], m: Word) -> Word {
    let mut borrow = 0;
    for (x, &y) in a.iter_mut().zip(b) {
        (*x, borrow) = sbb(*x, y & m, borrow);
    }
    borrow
}

/// a += b & m; returns the carry (0 or 1).
fn add_masked(a: &mut [Word], b: &[Word], m: Word) -> Word {
    let mut carry = 0;
    for (x, &y) in a.iter_mut().zip(b) {
        (*x, carry) = adc(*x, y & m, carry);
    }
    carry
}

/// Swaps a and b where m is all ones.
fn swap_masked(a: &mut [Word], b: &mut [Word], m: Word) {
    for (x, y) in a.iter_mut().zip(b.iter_mut()) {
        let t = (*x ^ *y) & m;
        *x ^= t;
        *y ^= t;
    }
}

/// a = (a >> 1) with `top` (0 or 1) shifted in at the top, where m is all
/// ones.
fn shr1_masked(a: &mut [Word], top: Word, m: Word) {
    let mut carry = top;
    for x in a.iter_mut().rev() {
        let shifted = (*x >> 1) | (carry << (BITS - 1));
        carry = *x & 1;
        *x ^= (*x ^ shifted) & m;
    }
}

/// a = a << 1 where m is all ones (the top bit is dropped).
fn shl1_masked(a: &mut [Word], m: Word) {
    let mut carry = 0;
    for x in a.iter_mut() {
        let shifted = (*x << 1) | carry;
        carry = *x >> (BITS - 1);
        *x ^= (*x ^ shifted) & m;
    }
}

/// All ones if a < b (equal lengths).
fn lt_mask(a: &[Word], b: &[Word]) -> Word {
    let mut borrow = 0;
    for (&x, &y) in a.iter().zip(b) {
        (_, borrow) = sbb(x, y, borrow);
    }
    mask(borrow)
}

/// All ones if i < k.
fn below_mask(i: usize, k: usize) -> Word {
    // Both are bit counts far below 2^(usize::BITS - 1).
    mask((i.wrapping_sub(k) >> (usize::BITS - 1)) as Word)
}

/// Whether a == 1, without an early exit.
fn is_one(a: &[Word]) -> bool {
    let mut acc = a[0] ^ 1;
    for &x in &a[1..] {
        acc |= x;
    }
    acc == 0
}

/// The binary extended Euclid on u and the odd m (equal lengths, u of any
/// value): returns gcd(u, m) and, if `x` is given (1 on entry, m's
/// length), leaves in it a value with x u = gcd mod m.
///
/// Invariants: x1 u0 = u and x2 u0 = v modulo m, v odd, and (for m > 1)
/// x1, x2 < m. Each step with u > 0 takes at least one bit off
/// bitlen(u) + bitlen(v), so 2 * len * `Word::BITS` steps leave u = 0
/// and v = gcd (the worst cases need two steps fewer; the tests hold
/// some).
fn euclid(u: &mut [Word], m: &[Word], x: Option<&mut [Word]>) -> Vec<Word> {
    let len = u.len();
    debug_assert_eq!(len, m.len());
    debug_assert!(x.as_ref().is_none_or(|x| x.len() == len));
    let mut v = m.to_vec();
    let mut x1 = x;
    let mut x2 = alloc::vec![0 as Word; if x1.is_some() { len } else { 0 }];
    for _ in 0..2 * len * BITS as usize {
        let odd = mask(u[0] & 1);
        let swap = odd & lt_mask(u, &v);
        swap_masked(u, &mut v, swap);
        sub_masked(u, &v, odd);
        shr1_masked(u, 0, !0);
        if let Some(x1) = x1.as_deref_mut() {
            swap_masked(x1, &mut x2, swap);
            // x1 - x2 mod m: both below m, so one addition of m at most.
            let borrow = sub_masked(x1, &x2, odd);
            add_masked(x1, m, mask(borrow) & odd);
            // x1 / 2 mod m: add m (odd) first when x1 is odd.
            let carry = add_masked(x1, m, mask(x1[0] & 1));
            shr1_masked(x1, carry, !0);
        }
    }
    if let Some(x1) = x1 {
        x1.copy_from_slice(&x2);
    }
    x2.zeroize();
    v
}

/// a^-1 mod m for the odd m (a of m's length, any value; callers pass
/// a < m): `None` when gcd(a, m) != 1. For m = 1 the answer is 0.
pub(crate) fn inv_odd(a: &[Word], m: &[Word]) -> Option<Vec<Word>> {
    let len = m.len();
    let mut u = a.to_vec();
    let mut x = alloc::vec![0 as Word; len];
    x[0] = 1;
    let mut g = euclid(&mut u, m, Some(&mut x));
    let ok = is_one(&g);
    g.zeroize();
    u.zeroize();
    if ok {
        Some(x)
    } else {
        x.zeroize();
        None
    }
}

/// gcd(a, b) for a and b of equal lengths, not both zero.
pub(crate) fn gcd(a: &[Word], b: &[Word]) -> Vec<Word> {
    debug_assert_eq!(a.len(), b.len());
    let bits = a.len() * BITS as usize;
    let mut a = a.to_vec();
    let mut b = b.to_vec();
    // Take out 2^k, k the trailing zeros shared by a and b.
    let mut k = 0;
    for _ in 0..bits {
        let both_even = mask(!(a[0] | b[0]) & 1);
        shr1_masked(&mut a, 0, both_even);
        shr1_masked(&mut b, 0, both_even);
        k += (both_even & 1) as usize;
    }
    // One of them is odd now: make it b, the modulus of the loop.
    let b_even = mask(!b[0] & 1);
    swap_masked(&mut a, &mut b, b_even);
    let mut g = euclid(&mut a, &b, None);
    for i in 0..bits {
        shl1_masked(&mut g, below_mask(i, k));
    }
    a.zeroize();
    b.zeroize();
    g
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bignum::test_words;
    use crypto_bigint::{BoxedUint, Gcd, Odd};

    /// x = 3 x (x's top two bits clear).
    fn times3(x: &mut [Word]) {
        let y = x.to_vec();
        add_masked(x, &y, mask(1));
        add_masked(x, &y, mask(1));
    }

    fn uint(w: &[Word]) -> BoxedUint {
        BoxedUint::from_words(w.iter().copied())
    }

    #[test]
    fn inverse_matches_crypto_bigint() {
        let mut seed: u64 = 0x1234_5678_9abc_def1;
        for n in [1, 2, 3, 5, 8, 17] {
            for round in 0..20 {
                let mut m = test_words(&mut seed, n);
                m[0] |= 1;
                if n == 1 && m[0] == 1 {
                    m[0] = 3;
                }
                let mut a = test_words(&mut seed, n);
                a[n - 1] %= m[n - 1].max(1);
                if round % 5 == 4 {
                    // m and a both multiples of 3: no inverse.
                    m[n - 1] >>= 2;
                    m[0] |= 1;
                    a = m.clone();
                    a[n - 1] >>= 2;
                    times3(&mut m);
                    times3(&mut a);
                }
                let odd = Odd::new(uint(&m)).unwrap();
                let want = Option::<BoxedUint>::from(uint(&a).invert_odd_mod(&odd));
                let got = inv_odd(&a, &m).map(|x| uint(&x));
                assert_eq!(got, want, "n = {n}, round {round}");
            }
        }
    }

    #[test]
    fn gcd_matches_crypto_bigint() {
        let mut seed: u64 = 0x0fed_cba9_8765_4321;
        for n in [1, 2, 3, 4, 9] {
            for round in 0..30 {
                let mut a = test_words(&mut seed, n);
                let mut b = test_words(&mut seed, n);
                // Shared powers of two and a shared odd factor.
                let common = test_words(&mut seed, 1)[0] | 1;
                let shift = (seed % 20) as u32;
                a[0] = a[0].wrapping_mul(common) << shift;
                b[0] = b[0].wrapping_mul(common) << (shift + round % 3);
                a[0] |= Word::from(a.iter().all(|&w| w == 0));
                b[0] |= Word::from(b.iter().all(|&w| w == 0));
                let want = uint(&a).gcd(&uint(&b));
                assert_eq!(uint(&gcd(&a, &b)), want, "n = {n}, round {round}");
            }
        }
        assert_eq!(gcd(&[12], &[18]), [6]);
        assert_eq!(gcd(&[0, 1], &[8, 0]), [8, 0]);
    }

    /// Inputs that need (nearly) every step of the loop, and gcds that a
    /// look at one limb or too few halvings would get wrong.
    #[test]
    fn worst_cases() {
        let top: Word = 1 << (BITS - 1);
        // m = 2^(N-1) + 3, a = 3 * 2^(N-2): 2N - 2 steps for N bits.
        for n in [1usize, 2, 5] {
            let mut m = alloc::vec![0 as Word; n];
            m[0] = 3;
            m[n - 1] |= top;
            let mut a = alloc::vec![0 as Word; n];
            a[n - 1] = 3 << (BITS - 2);
            let odd = Odd::new(uint(&m)).unwrap();
            let want = Option::<BoxedUint>::from(uint(&a).invert_odd_mod(&odd));
            assert!(want.is_some());
            assert_eq!(inv_odd(&a, &m).map(|x| uint(&x)), want, "n = {n}");
            // m = 2^N - 1 with a = 2^N - 2.
            let m = alloc::vec![!0 as Word; n];
            let mut a = m.clone();
            a[0] -= 1;
            let odd = Odd::new(uint(&m)).unwrap();
            let want = Option::<BoxedUint>::from(uint(&a).invert_odd_mod(&odd));
            assert_eq!(inv_odd(&a, &m).map(|x| uint(&x)), want, "n = {n}");
        }
        // A gcd above one limb whose low limb is 1: (2^BITS + 1).
        assert_eq!(gcd(&[3, 3], &[5, 5]), [1, 1]);
        assert_eq!(inv_odd(&[3, 3], &[5, 5]), None);
        // Shared powers of two beyond one limb.
        assert_eq!(gcd(&[0, 2], &[0, 6]), [0, 2]);
        assert_eq!(gcd(&[0, 0, 12], &[0, 0, 18]), [0, 0, 6]);
        // One zero operand.
        assert_eq!(gcd(&[0, 0], &[0, 8]), [0, 8]);
    }

    #[test]
    fn no_inverse_without_coprimality() {
        assert_eq!(inv_odd(&[0], &[9]), None);
        assert_eq!(inv_odd(&[6], &[9]), None);
        assert_eq!(inv_odd(&[2], &[9]), Some(alloc::vec![5]));
        assert_eq!(inv_odd(&[1], &[9]), Some(alloc::vec![1]));
    }
}
