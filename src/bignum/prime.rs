//! Random integers and primes: `mbedtls_mpi_fill_random`,
//! `mbedtls_mpi_random`, `mbedtls_mpi_is_prime_ext` and
//! `mbedtls_mpi_gen_prime`, drawing from the caller's RNG in the same
//! order and amounts as upstream (so a deterministic RNG gives upstream's
//! numbers).

use crypto_bigint::{Limb, NonZero, Word};
use zeroize::Zeroize;

use super::{LIMB_BITS, LIMB_BYTES, MAX_BITS, Mpi, MpiError, MpiResult, limbs_for_bits, resized};

/// The caller's RNG: fills the buffer or returns its nonzero error code.
pub(crate) type Rng<'a> = &'a mut dyn FnMut(&mut [u8]) -> Result<(), i32>;

/// The odd primes below 1000, the trial divisors.
const SMALL_PRIMES: [u16; 167] = small_primes();

const fn small_primes() -> [u16; 167] {
    let mut out = [0u16; 167];
    let mut count = 0;
    let mut n = 3u16;
    while n < 1000 {
        let mut d = 3u16;
        let mut prime = true;
        while d * d <= n {
            #[allow(clippy::manual_is_multiple_of)] // not const
            if n % d == 0 {
                prime = false;
                break;
            }
            d += 2;
        }
        if prime {
            out[count] = n;
            count += 1;
        }
        n += 2;
    }
    out
}

/// The trial divisors multiplied together in groups that fit a limb, so
/// that one division per group gives the residues of all its members.
struct DivisorGroups {
    groups: [(Word, u8, u8); 64],
    len: usize,
}

const fn divisor_groups() -> DivisorGroups {
    let mut groups = [(0 as Word, 0u8, 0u8); 64];
    let mut len = 0;
    let mut i = 0;
    while i < SMALL_PRIMES.len() {
        let start = i;
        let mut product: Word = 1;
        while i < SMALL_PRIMES.len() {
            let p = SMALL_PRIMES[i] as Word;
            match product.checked_mul(p) {
                Some(v) => {
                    product = v;
                    i += 1;
                }
                None => break,
            }
        }
        groups[len] = (product, start as u8, i as u8);
        len += 1;
    }
    DivisorGroups { groups, len }
}

const GROUPS: DivisorGroups = divisor_groups();

/// Draws `size` bytes from `rng` as one big-endian number in `limbs`
/// limbs (at least enough for `size` bytes), as
/// `mbedtls_mpi_fill_random` does.
pub(crate) fn fill_random(size: usize, rng: Rng<'_>) -> MpiResult<Mpi> {
    let mut buf = alloc::vec::Vec::new();
    buf.try_reserve_exact(size).map_err(|_| MpiError::Alloc)?;
    buf.resize(size, 0);
    rng(&mut buf).map_err(MpiError::Rng)?;
    let m = Mpi::from_be_bytes(&buf);
    buf.zeroize();
    Ok(m)
}

/// A uniform integer in [min, n - 1] by rejection sampling, upstream's
/// `mbedtls_mpi_random` (same draws, same retry limits).
pub(crate) fn random_range(min: u64, n: &Mpi, rng: Rng<'_>) -> MpiResult<Mpi> {
    if n.is_neg() || n.cmp_signed(&Mpi::from_i64(min as i64)) != core::cmp::Ordering::Greater {
        return Err(MpiError::BadInput);
    }
    let n_bits = n.bitlen();
    let n_bytes = n_bits.div_ceil(8);
    let mut count = if n_bytes > 4 { 30 } else { 250 };
    let min = Mpi::from_i64(min as i64);
    loop {
        let x = fill_random(n_bytes, rng)?;
        let x = Mpi::shr(&x, 8 * n_bytes - n_bits);
        count -= 1;
        if count == 0 {
            return Err(MpiError::NotAcceptable);
        }
        if x.cmp_signed(&min) != core::cmp::Ordering::Less
            && x.cmp_signed(n) == core::cmp::Ordering::Less
        {
            return Ok(x);
        }
    }
}

/// What trial division says about an odd candidate.
#[derive(Debug, PartialEq, Eq)]
enum Trial {
    /// No small factor.
    Unknown,
    /// It is one of the small primes.
    SmallPrime,
    /// It has a small factor (or is even).
    Composite,
}

fn trial_division(x: &Mpi) -> Trial {
    if !x.is_odd() {
        return Trial::Composite;
    }
    let n = x.sig_limbs().max(1);
    let mag = resized(x.magnitude(), n);
    for g in &GROUPS.groups[..GROUPS.len] {
        let (product, start, end) = *g;
        let Some(nz) = NonZero::new(Limb(product)).into_option() else {
            continue;
        };
        let r = mag.rem_limb(nz).0;
        for &p in &SMALL_PRIMES[start as usize..end as usize] {
            if r.is_multiple_of(p as Word) {
                let small = x.bitlen() <= 16 && x.words()[0] == p as Word;
                return if small {
                    Trial::SmallPrime
                } else {
                    Trial::Composite
                };
            }
        }
    }
    Trial::Unknown
}

/// `rounds` Miller-Rabin rounds on the odd x > 3 with bases drawn as
/// upstream draws them (`limbs` is x's limb count in the C value).
fn miller_rabin(x: &Mpi, limbs: usize, rounds: usize, rng: Rng<'_>) -> MpiResult<()> {
    let one = Mpi::from_i64(1);
    let w = Mpi::sub(x, &one)?;
    let s = w.lsb();
    let r = Mpi::shr(&w, s);
    let nl = x.sig_limbs();
    let modulus =
        super::mont::FastModulus::from_modulus(&x.words()[..nl]).ok_or(MpiError::NotAcceptable)?;
    let exp = &r.words()[..r.sig_limbs().max(1)];
    let exp_bits = exp.len() * LIMB_BITS;
    let k = w.bitlen();
    for _ in 0..rounds {
        let mut count = 0;
        let a = loop {
            let mut a = fill_random(limbs * LIMB_BYTES, rng)?;
            if a.bitlen() > k {
                // Keep the bits below k - 1, so that a < w.
                a = truncate_bits(&a, k - 1);
            }
            if count > 30 {
                return Err(MpiError::NotAcceptable);
            }
            count += 1;
            if a.cmp_signed(&w) == core::cmp::Ordering::Less
                && a.cmp_signed(&one) == core::cmp::Ordering::Greater
            {
                break a;
            }
        };
        // Powers of `a` modulo a candidate that may become a secret prime:
        // wiped when replaced and when dropped (`v` is an Mpi, which
        // wipes itself).
        let mut y = zeroize::Zeroizing::new(modulus.pow(a.words(), exp, exp_bits));
        let mut v = Mpi::from_words(&y, false);
        if v.cmp_abs(&w).is_eq() || v.cmp_abs(&one).is_eq() {
            continue;
        }
        let mut j = 1;
        while j < s && !v.cmp_abs(&w).is_eq() {
            let next = modulus.mul_mod(&y, &y);
            y.zeroize();
            *y = next;
            v = Mpi::from_words(&y, false);
            if v.cmp_abs(&one).is_eq() {
                break;
            }
            j += 1;
        }
        if !v.cmp_abs(&w).is_eq() || v.cmp_abs(&one).is_eq() {
            return Err(MpiError::NotAcceptable);
        }
    }
    Ok(())
}

/// The low `bits` bits of |x|.
fn truncate_bits(x: &Mpi, bits: usize) -> Mpi {
    let mut words = x.words().to_vec();
    for (i, w) in words.iter_mut().enumerate() {
        let lo = i * LIMB_BITS;
        if lo >= bits {
            *w = 0;
        } else if bits - lo < LIMB_BITS {
            *w &= ((1 as Word) << (bits - lo)) - 1;
        }
    }
    let m = Mpi::from_words(&words, false);
    words.zeroize();
    m
}

/// `mbedtls_mpi_is_prime_ext`: Ok for a probable prime (of |x|),
/// `NotAcceptable` for a composite, 0 or 1. `limbs` is the C value's limb
/// count (it sizes the random bases, as upstream).
pub(crate) fn is_prime(x: &Mpi, limbs: usize, rounds: usize, rng: Rng<'_>) -> MpiResult<()> {
    let x = x.abs();
    if x.bitlen() <= 1 {
        return Err(MpiError::NotAcceptable);
    }
    if x.bitlen() == 2 && x.words()[0] == 2 {
        return Ok(());
    }
    match trial_division(&x) {
        Trial::SmallPrime => Ok(()),
        Trial::Composite => Err(MpiError::NotAcceptable),
        Trial::Unknown => miller_rabin(&x, limbs.max(x.sig_limbs()), rounds, rng),
    }
}

/// Flag of [`gen_prime`]: (X - 1) / 2 must be prime too.
pub(crate) const FLAG_DH: i32 = 1;
/// Flag of [`gen_prime`]: error probability 2^-100 instead of 2^-80.
pub(crate) const FLAG_LOW_ERR: i32 = 2;

/// Upstream's Miller-Rabin round counts (HAC table 4.4, and fact 4.48 for
/// the low-error variant).
fn mr_rounds(nbits: usize, low_err: bool) -> usize {
    if !low_err {
        match nbits {
            1300.. => 2,
            850.. => 3,
            650.. => 4,
            350.. => 8,
            250.. => 12,
            150.. => 18,
            _ => 27,
        }
    } else {
        match nbits {
            1450.. => 4,
            1150.. => 5,
            1000.. => 6,
            850.. => 7,
            750.. => 8,
            500.. => 13,
            250.. => 28,
            150.. => 40,
            _ => 51,
        }
    }
}

/// The smallest top limb of a candidate: ceil(limb max / sqrt(2)), so
/// that a product of two candidates has twice their bit length.
#[cfg(target_pointer_width = "64")]
const TOP_LIMB_MIN: Word = 0xb504_f333_f9de_6485;
#[cfg(not(target_pointer_width = "64"))]
const TOP_LIMB_MIN: Word = 0xb504_f334;

/// `mbedtls_mpi_gen_prime`: a random (probable) prime of exactly `nbits`
/// bits, at least sqrt(2) * 2^(nbits-1). Returns it with its limb count.
pub(crate) fn gen_prime(nbits: usize, flags: i32, rng: Rng<'_>) -> MpiResult<(Mpi, usize)> {
    if !(3..=MAX_BITS).contains(&nbits) {
        return Err(MpiError::BadInput);
    }
    let n = limbs_for_bits(nbits);
    let rounds = mr_rounds(nbits, flags & FLAG_LOW_ERR != 0);
    loop {
        let x = fill_random(n * LIMB_BYTES, rng)?;
        if x.words().get(n - 1).copied().unwrap_or(0) < TOP_LIMB_MIN {
            continue;
        }
        let k = n * LIMB_BITS;
        let mut x = Mpi::shr(&x, k - nbits);
        x = set_low_bits(&x, 1);
        if flags & FLAG_DH == 0 {
            match is_prime(&x, n, rounds, rng) {
                Ok(()) => return Ok((x, n)),
                Err(MpiError::NotAcceptable) => continue,
                Err(e) => return Err(e),
            }
        }
        // A safe prime: X = 3 mod 4 and X = 2 mod 3, stepping by 12.
        x = set_low_bits(&x, 2);
        match Mpi::mod_word(&x, 3)? {
            0 => x = Mpi::add(&x, &Mpi::from_i64(8))?,
            1 => x = Mpi::add(&x, &Mpi::from_i64(4))?,
            _ => {}
        }
        let mut y = Mpi::shr(&x, 1);
        loop {
            let found = trial_division(&x) == Trial::Unknown
                && trial_division(&y) == Trial::Unknown
                && passes(miller_rabin(&x, n, rounds, rng))?
                && passes(miller_rabin(&y, n, rounds, rng))?;
            if found {
                return Ok((x, n));
            }
            x = Mpi::add(&x, &Mpi::from_i64(12))?;
            y = Mpi::add(&y, &Mpi::from_i64(6))?;
        }
    }
}

/// Ok(true) for a pass, Ok(false) for a composite, the error otherwise.
fn passes(r: MpiResult<()>) -> MpiResult<bool> {
    match r {
        Ok(()) => Ok(true),
        Err(MpiError::NotAcceptable) => Ok(false),
        Err(e) => Err(e),
    }
}

/// x with the bits of `mask` set in its lowest limb.
fn set_low_bits(x: &Mpi, mask: Word) -> Mpi {
    let mut words = x.words().to_vec();
    if words.is_empty() {
        words.push(0);
    }
    words[0] |= mask;
    let m = Mpi::from_words(&words, x.is_neg());
    words.zeroize();
    m
}

/// An RNG over a byte counter, for tests.
#[cfg(test)]
pub(crate) fn counter_rng(seed: u64) -> impl FnMut(&mut [u8]) -> Result<(), i32> {
    let mut state = seed;
    move |buf: &mut [u8]| {
        for b in buf.iter_mut() {
            // xorshift64*
            state ^= state >> 12;
            state ^= state << 25;
            state ^= state >> 27;
            *b = (state.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 56) as u8;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_primes_table() {
        assert_eq!(SMALL_PRIMES[0], 3);
        assert_eq!(SMALL_PRIMES[166], 997);
        let covered: usize = GROUPS.groups[..GROUPS.len]
            .iter()
            .map(|g| (g.2 - g.1) as usize)
            .sum();
        assert_eq!(covered, 167);
    }

    #[test]
    fn primality() {
        let mut rng = counter_rng(1);
        for (v, prime) in [
            (2i64, true),
            (3, true),
            (9, false),
            (997, true),
            (1009, true),
            (1_000_003, true),
            (1_000_001, false),
            (561, false),
            (0, false),
            (1, false),
            (-7, true),
        ] {
            assert_eq!(
                is_prime(&Mpi::from_i64(v), 1, 20, &mut rng).is_ok(),
                prime,
                "{v}"
            );
        }
        // 2^127 - 1 is prime, 2^127 + 1 is not.
        let m = Mpi::sub(
            &Mpi::shl(&Mpi::from_i64(1), 127).unwrap(),
            &Mpi::from_i64(1),
        )
        .unwrap();
        assert!(is_prime(&m, 2, 10, &mut rng).is_ok());
        let c = Mpi::add(&m, &Mpi::from_i64(2)).unwrap();
        assert!(is_prime(&c, 2, 10, &mut rng).is_err());
    }

    #[test]
    fn generated_primes() {
        let mut rng = counter_rng(7);
        for bits in [3usize, 64, 65, 256, 512] {
            let (p, _) = gen_prime(bits, 0, &mut rng).unwrap();
            assert_eq!(p.bitlen(), bits);
            assert!(is_prime(&p, 1, 20, &mut rng).is_ok());
        }
        let (p, _) = gen_prime(128, FLAG_DH, &mut rng).unwrap();
        let q = Mpi::shr(&p, 1);
        assert!(is_prime(&q, 1, 20, &mut rng).is_ok());
        assert_eq!(
            gen_prime(2, 0, &mut rng).map(|_| ()),
            Err(MpiError::BadInput)
        );
        let mut failing = |_: &mut [u8]| Err(-0x34);
        assert_eq!(
            gen_prime(64, 0, &mut failing).map(|_| ()),
            Err(MpiError::Rng(-0x34))
        );
    }

    #[test]
    fn random_in_range() {
        let mut rng = counter_rng(3);
        let n = Mpi::from_i64(1000);
        for _ in 0..200 {
            let x = random_range(5, &n, &mut rng).unwrap();
            assert!(x.cmp_signed(&Mpi::from_i64(5)).is_ge() && x.cmp_signed(&n).is_lt());
        }
        assert_eq!(
            random_range(5, &Mpi::from_i64(5), &mut rng).map(|_| ()),
            Err(MpiError::BadInput)
        );
    }
}
