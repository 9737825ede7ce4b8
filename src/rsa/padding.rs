//! RSA message encodings (PKCS#1 v2.2, RFC 8017), with the checks and error
//! distinctions of Mbed TLS 3.6's `rsa.c`.
//!
//! This file maps byte strings to encoded messages of the modulus length `k`
//! and back; it never touches big integers. The RSA module does the modular
//! exponentiation and translates [`PadError`] into `MBEDTLS_ERR_RSA_*`.
//!
//! Decryption decoders ([`v15_decrypt_decode`], [`oaep_decode`]) run in time
//! independent of where the padding ends and of why it is invalid; they
//! reveal validity only through their result.

use subtle::{
    Choice, ConditionallySelectable, ConstantTimeEq, ConstantTimeGreater, ConstantTimeLess,
};
use zeroize::{Zeroize, Zeroizing};

use crate::md::{Hasher, MAX_SIZE, MdType};

/// `MBEDTLS_RSA_SALT_LEN_ANY`: PSS salt length chosen by the signer, or not
/// checked by the verifier.
pub(crate) const SALT_LEN_ANY: i32 = -1;

/// Why an encoding or decoding failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PadError {
    /// Parameters or lengths are unusable (`MBEDTLS_ERR_RSA_BAD_INPUT_DATA`).
    BadInput,
    /// The encoded message is malformed (`MBEDTLS_ERR_RSA_INVALID_PADDING`).
    InvalidPadding,
    /// The PSS hash does not match (`MBEDTLS_ERR_RSA_VERIFY_FAILED`).
    VerifyFailed,
    /// The decoded message does not fit the output buffer
    /// (`MBEDTLS_ERR_RSA_OUTPUT_TOO_LARGE`).
    OutputTooLarge,
    /// The random source failed (`MBEDTLS_ERR_RSA_RNG_FAILED` plus this
    /// code; 0 when it kept producing zero bytes for PKCS#1 v1.5 padding).
    Rng(i32),
    /// No memory for a working copy (`MBEDTLS_ERR_MPI_ALLOC_FAILED`).
    NoMemory,
}

/// The random source: fills the buffer, or fails with the callback's
/// nonzero return code.
pub(crate) type RngFn<'a> = dyn FnMut(&mut [u8]) -> Result<(), i32> + 'a;

/// How many times a zero byte of PKCS#1 v1.5 encryption padding is drawn
/// before giving up (upstream's limit).
const NONZERO_DRAWS: u32 = 100;

/// A copy of an encoded message to decode in place, wiped when dropped.
/// On the heap: upstream's stack arrays of the largest key's size would
/// add 1 KB to a firmware task's stack for every call.
fn em_copy(em: &[u8]) -> Result<Zeroizing<alloc::vec::Vec<u8>>, PadError> {
    if em.len() > super::MAX_LEN {
        return Err(PadError::BadInput);
    }
    let mut copy = alloc::vec::Vec::new();
    copy.try_reserve_exact(em.len())
        .map_err(|_| PadError::NoMemory)?;
    copy.extend_from_slice(em);
    Ok(Zeroizing::new(copy))
}

/// The DER contents of the hash algorithm's OBJECT IDENTIFIER.
fn digest_oid(md: MdType) -> &'static [u8] {
    match md {
        // 1.3.14.3.2.26
        MdType::Sha1 => &[0x2b, 0x0e, 0x03, 0x02, 0x1a],
        // 2.16.840.1.101.3.4.2.{4,1,2,3}
        MdType::Sha224 => &[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x04],
        MdType::Sha256 => &[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01],
        MdType::Sha384 => &[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02],
        MdType::Sha512 => &[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03],
    }
}

/// EMSA-PKCS1-v1_5 for signatures: `em` (length `k`) becomes
/// `00 01 FF..FF 00 T`, where `T` is the DER DigestInfo of `hash` (with NULL
/// parameters) or, with `md` `None`, `hash` itself. At least 8 bytes of
/// `FF` are required.
pub(crate) fn digest_info_encode(
    md: Option<MdType>,
    hash: &[u8],
    em: &mut [u8],
) -> Result<(), PadError> {
    // SEQUENCE { SEQUENCE { OID, NULL }, OCTET STRING }: 10 bytes of tags
    // and one-byte lengths around the OID and the hash.
    let mut header = [0u8; 19];
    let header_len = match md {
        Some(md) => {
            if hash.len() != md.info().size {
                return Err(PadError::BadInput);
            }
            let oid = digest_oid(md);
            let (o, h) = (oid.len() as u8, hash.len() as u8);
            let (prefix, rest) = header.split_at_mut(6);
            prefix.copy_from_slice(&[0x30, 8 + o + h, 0x30, 4 + o, 0x06, o]);
            let (oid_out, tail) = rest.split_at_mut(oid.len());
            oid_out.copy_from_slice(oid);
            let suffix = tail.get_mut(..4).ok_or(PadError::BadInput)?;
            suffix.copy_from_slice(&[0x05, 0x00, 0x04, h]);
            10 + oid.len()
        }
        None => 0,
    };
    let payload_len = header_len + hash.len();
    if payload_len + 11 > em.len() {
        return Err(PadError::BadInput);
    }
    let ps_len = em.len() - payload_len - 3;
    let (pad, payload) = em.split_at_mut(ps_len + 3);
    pad.fill(0xFF);
    pad[0] = 0x00;
    pad[1] = 0x01;
    pad[ps_len + 2] = 0x00;
    let (der, digest) = payload.split_at_mut(header_len);
    der.copy_from_slice(&header[..header_len]);
    digest.copy_from_slice(hash);
    Ok(())
}

/// Fills `ps` with nonzero random bytes drawn one at a time, as upstream
/// does: each zero byte is redrawn, at most [`NONZERO_DRAWS`] draws a byte.
fn fill_nonzero(ps: &mut [u8], rng: &mut RngFn<'_>) -> Result<(), PadError> {
    for byte in ps.iter_mut() {
        let mut draws = NONZERO_DRAWS;
        loop {
            rng(core::slice::from_mut(byte)).map_err(PadError::Rng)?;
            if *byte != 0 {
                break;
            }
            draws -= 1;
            if draws == 0 {
                return Err(PadError::Rng(0));
            }
        }
    }
    Ok(())
}

/// EME-PKCS1-v1_5 encoding: `em` (length `k`) becomes `00 02 PS 00 msg` with
/// `PS` at least 8 nonzero random bytes. `em` is zeroed on failure.
pub(crate) fn v15_encrypt_encode(
    msg: &[u8],
    em: &mut [u8],
    rng: &mut RngFn<'_>,
) -> Result<(), PadError> {
    // No overflow: a slice is at most isize::MAX bytes.
    if msg.len() + 11 > em.len() {
        return Err(PadError::BadInput);
    }
    let ps_len = em.len() - msg.len() - 3;
    let (head, body) = em.split_at_mut(2 + ps_len);
    head[0] = 0x00;
    head[1] = 0x02;
    if let Err(e) = fill_nonzero(&mut head[2..], rng) {
        em.zeroize();
        return Err(e);
    }
    body[0] = 0x00;
    body[1..].copy_from_slice(msg);
    Ok(())
}

/// Shifts `buf` left by `amount` bytes (at most `buf.len()`), filling with
/// zeros, with a memory access pattern that depends only on `buf.len()`:
/// one conditional pass per bit of the amount.
fn shift_left_ct(buf: &mut [u8], amount: u64) {
    let len = buf.len();
    // A slice is at most isize::MAX bytes, so neither `step` nor `i + step`
    // overflows, and `amount <= len` has no bits at `step > len`.
    for bit in (0..usize::BITS).take_while(|&b| 1usize << b <= len) {
        let (step, on) = (1usize << bit, Choice::from(((amount >> bit) & 1) as u8));
        for i in 0..len {
            let moved = buf.get(i + step).copied().unwrap_or(0);
            buf[i].conditional_assign(&moved, on);
        }
    }
}

/// EME-PKCS1-v1_5 decoding in constant time: checks `00 02`, at least 8
/// nonzero bytes and a `00` separator, and returns the message length with
/// the message at the start of `out`.
///
/// Like upstream, it always writes `min(out.len(), k - 11)` bytes of `out`:
/// the message followed by zeros, or only zeros on failure. Invalid padding
/// wins over [`PadError::OutputTooLarge`]. `k < 11` is
/// [`PadError::BadInput`].
pub(crate) fn v15_decrypt_decode(em: &[u8], out: &mut [u8]) -> Result<usize, PadError> {
    let k = em.len();
    let room = k.checked_sub(11).ok_or(PadError::BadInput)?;
    let max = out.len().min(room);
    let (max64, k64) = (max as u64, k as u64);

    let mut bad = !em[0].ct_eq(&0) | !em[1].ct_eq(&2);
    let mut found = Choice::from(0);
    let mut pad_count = 0u64;
    for b in &em[2..] {
        found |= b.ct_eq(&0);
        pad_count += u64::conditional_select(&1, &0, found);
    }
    bad |= !found;
    bad |= pad_count.ct_lt(&8);

    // Without a separator this wraps; `bad` then discards it.
    let msg_len = k64.wrapping_sub(pad_count).wrapping_sub(3);
    let mut size = u64::conditional_select(&msg_len, &max64, bad);
    let too_large = size.ct_gt(&max64);
    size.conditional_assign(&max64, too_large);

    let mut copy = em_copy(em)?;
    let buf = &mut copy[..k];
    let wipe = bad | too_large;
    for b in buf[11..].iter_mut() {
        b.conditional_assign(&0, wipe);
    }
    // The last `max` bytes hold the message right-aligned: move it to the
    // front of that window without revealing its length.
    let window = &mut buf[k - max..];
    shift_left_ct(window, max64 - size);
    out[..max].copy_from_slice(window);

    if bool::from(bad) {
        Err(PadError::InvalidPadding)
    } else if bool::from(too_large) {
        Err(PadError::OutputTooLarge)
    } else {
        Ok(size as usize)
    }
}

/// MGF1 with hash `md`: XORs the mask generated from `seed` into `out`.
pub(crate) fn mgf1_xor(md: MdType, seed: &[u8], out: &mut [u8]) {
    let mut h = Hasher::new(md);
    let hlen = h.size();
    let mut mask = Zeroizing::new([0u8; MAX_SIZE]);
    let mut counter = 0u32;
    for chunk in out.chunks_mut(hlen) {
        h.update(seed);
        h.update(&counter.to_be_bytes());
        h.finish_into(&mut mask[..]);
        for (o, m) in chunk.iter_mut().zip(mask.iter()) {
            *o ^= m;
        }
        counter = counter.wrapping_add(1);
    }
}

/// EME-OAEP encoding with hash and MGF1 hash `md`: `em` (length `k`)
/// becomes `00 || maskedSeed || maskedDB`. Needs
/// `msg.len() + 2 * hlen + 2 <= k`. `em` is zeroed on failure.
pub(crate) fn oaep_encode(
    md: MdType,
    label: &[u8],
    msg: &[u8],
    em: &mut [u8],
    rng: &mut RngFn<'_>,
) -> Result<(), PadError> {
    let hlen = md.info().size;
    if msg.len() + 2 * hlen + 2 > em.len() {
        return Err(PadError::BadInput);
    }
    em.fill(0);
    let (head, db) = em.split_at_mut(1 + hlen);
    let seed = &mut head[1..];
    if let Err(code) = rng(seed) {
        em.zeroize();
        return Err(PadError::Rng(code));
    }
    // DB = lHash || 00..00 || 01 || msg
    Hasher::digest(md, label, &mut db[..hlen]);
    let one = db.len() - msg.len() - 1;
    db[one] = 0x01;
    db[one + 1..].copy_from_slice(msg);
    mgf1_xor(md, seed, db);
    mgf1_xor(md, db, seed);
    Ok(())
}

/// EME-OAEP decoding. The first byte, lHash, the zero run and the `01`
/// separator are checked in constant time and all fail as one
/// [`PadError::InvalidPadding`]; then a message longer than `out` is
/// [`PadError::OutputTooLarge`]. `2 * hlen + 2 > k` is
/// [`PadError::BadInput`]. On success the message is at the start of `out`.
pub(crate) fn oaep_decode(
    md: MdType,
    label: &[u8],
    em: &[u8],
    out: &mut [u8],
) -> Result<usize, PadError> {
    let hlen = md.info().size;
    if em.len() < 2 * hlen + 2 {
        return Err(PadError::BadInput);
    }
    let mut lhash = Zeroizing::new([0u8; MAX_SIZE]);
    Hasher::digest(md, label, &mut lhash[..]);

    let mut copy = em_copy(em)?;
    let buf = &mut copy[..em.len()];
    let (head, db) = buf.split_at_mut(1 + hlen);
    let (y, seed) = head.split_at_mut(1);
    mgf1_xor(md, db, seed);
    mgf1_xor(md, seed, db);

    let mut bad = !y[0].ct_eq(&0) | !db[..hlen].ct_eq(&lhash[..hlen]);
    // Scan everything after lHash: zeros, then 01; any other first nonzero
    // byte, or no 01 at all, is bad.
    let mut in_zeros = Choice::from(1);
    let mut start = 0u64;
    for (i, b) in db[hlen..].iter().enumerate() {
        let (zero, one) = (b.ct_eq(&0), b.ct_eq(&1));
        bad |= in_zeros & !zero & !one;
        start.conditional_assign(&(i as u64 + 1), in_zeros & one);
        in_zeros &= zero;
    }
    bad |= in_zeros;
    if bool::from(bad) {
        return Err(PadError::InvalidPadding);
    }

    let msg = db
        .get(hlen + start as usize..)
        .ok_or(PadError::InvalidPadding)?;
    let dst = out.get_mut(..msg.len()).ok_or(PadError::OutputTooLarge)?;
    dst.copy_from_slice(msg);
    Ok(msg.len())
}

/// `Hash(00 x 8 || mhash || salt)` with `md`, into `out[..hlen]`.
fn hash_mprime(md: MdType, mhash: &[u8], salt: &[u8], out: &mut [u8]) {
    let mut h = Hasher::new(md);
    h.update(&[0u8; 8]);
    h.update(mhash);
    h.update(salt);
    h.finish_into(out);
}

/// The PSS geometry of a `modulus_bits`-bit key whose encoded messages are
/// `k` bytes: the number of leading bits of the first byte that must be 0,
/// counting to 8 when the encoding is one byte shorter than `k` (then the
/// first byte is 0).
fn pss_top_bits(modulus_bits: usize, k: usize) -> Result<usize, PadError> {
    if modulus_bits == 0 || k == 0 || modulus_bits.div_ceil(8) != k {
        return Err(PadError::BadInput);
    }
    // The encoding has emBits = modulus_bits - 1 bits out of 8 * k.
    Ok(8 * k - (modulus_bits - 1))
}

/// EMSA-PSS encoding as Mbed TLS signs: `hash` is the message hash (its
/// length must match `md_hash` when given), `mgf_md` hashes M' and drives
/// MGF1, `saltlen` is a length or [`SALT_LEN_ANY`] (the hash length, or the
/// most that fits but at least `hlen - 2`), and `em` (length `k`, matching
/// `modulus_bits`) receives `maskedDB || H || BC`, preceded by a zero byte
/// when `modulus_bits % 8 == 1`. `em` is zeroed on failure.
///
/// Sizes are checked against the encoded length (`k - 1` when
/// `modulus_bits % 8 == 1`), as RFC 8017 says. Upstream checks against `k`,
/// and in the cases where the two differ writes the `01` separator into the
/// byte it then clears, producing signatures that cannot verify; here those
/// cases pick a shorter salt (`ANY`) or fail with
/// [`PadError::BadInput`].
pub(crate) fn pss_encode(
    md_hash: Option<MdType>,
    mgf_md: MdType,
    hash: &[u8],
    saltlen: i32,
    modulus_bits: usize,
    em: &mut [u8],
    rng: &mut RngFn<'_>,
) -> Result<(), PadError> {
    if md_hash.is_some_and(|md| md.info().size != hash.len()) {
        return Err(PadError::BadInput);
    }
    let hlen = mgf_md.info().size;
    let k = em.len();
    let top = pss_top_bits(modulus_bits, k)?;
    let offset = usize::from(top == 8);
    let em_len = k - offset;
    let slen = if saltlen == SALT_LEN_ANY {
        if em_len < 2 * hlen {
            return Err(PadError::BadInput);
        }
        hlen.min(em_len - hlen - 2)
    } else {
        let s = usize::try_from(saltlen).map_err(|_| PadError::BadInput)?;
        if s.checked_add(hlen + 2).is_none_or(|n| n > em_len) {
            return Err(PadError::BadInput);
        }
        s
    };

    em.fill(0);
    let db_end = k - hlen - 1;
    let (db, tail) = em.split_at_mut(db_end);
    let (ps, salt) = db.split_at_mut(db_end - slen);
    ps[db_end - slen - 1] = 0x01;
    if let Err(code) = rng(salt) {
        em.zeroize();
        return Err(PadError::Rng(code));
    }
    let (h, bc) = tail.split_at_mut(hlen);
    hash_mprime(mgf_md, hash, salt, h);
    bc[0] = 0xBC;
    mgf1_xor(mgf_md, h, &mut db[offset..]);
    db[0] &= (0xFFu16 >> top) as u8;
    Ok(())
}

/// EMSA-PSS verification of `em` (the public-key result, length `k`,
/// decoded in place: its contents are undefined afterwards) as
/// Mbed TLS's `rsa_rsassa_pss_verify_ext` does after the RSA operation:
/// last byte not `BC`, no `01` after the zero run, or a salt length other
/// than `expected_salt_len` (unless [`SALT_LEN_ANY`]) is
/// [`PadError::InvalidPadding`]; nonzero bits above the encoding or
/// unusable sizes are [`PadError::BadInput`]; a hash mismatch is
/// [`PadError::VerifyFailed`].
pub(crate) fn pss_verify(
    md_hash: Option<MdType>,
    mgf_md: MdType,
    hash: &[u8],
    expected_salt_len: i32,
    modulus_bits: usize,
    em: &mut [u8],
) -> Result<(), PadError> {
    let k = em.len();
    let top = pss_top_bits(modulus_bits, k)?;
    if em[k - 1] != 0xBC {
        return Err(PadError::InvalidPadding);
    }
    if md_hash.is_some_and(|md| md.info().size != hash.len()) {
        return Err(PadError::BadInput);
    }
    let hlen = mgf_md.info().size;
    if u16::from(em[0]) >> (8 - top) != 0 {
        return Err(PadError::BadInput);
    }
    let offset = usize::from(top == 8);
    let em_len = k - offset;
    if em_len < hlen + 2 {
        return Err(PadError::BadInput);
    }

    let work = &mut em[offset..];
    let db_len = em_len - hlen - 1;
    let (db, tail) = work.split_at_mut(db_len);
    let h = &tail[..hlen];
    mgf1_xor(mgf_md, h, db);
    if offset == 0 {
        db[0] &= 0xFF >> top;
    }
    // The separator search stops at the last DB byte, which must then be 01.
    let zeros = db[..db_len - 1].iter().take_while(|&&b| b == 0).count();
    if db[zeros] != 0x01 {
        return Err(PadError::InvalidPadding);
    }
    let salt = &db[zeros + 1..];
    if expected_salt_len != SALT_LEN_ANY && usize::try_from(expected_salt_len) != Ok(salt.len()) {
        return Err(PadError::InvalidPadding);
    }
    let mut expected = Zeroizing::new([0u8; MAX_SIZE]);
    hash_mprime(mgf_md, hash, salt, &mut expected[..hlen]);
    if bool::from(expected[..hlen].ct_eq(h)) {
        Ok(())
    } else {
        Err(PadError::VerifyFailed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use MdType::*;
    use PadError::*;
    use alloc::vec::Vec;
    use alloc::{format, vec};

    type Res<T> = Result<T, PadError>;

    const ALL: [MdType; 5] = [Sha1, Sha224, Sha256, Sha384, Sha512];
    const PS8: [u8; 11] = [0, 1, 255, 255, 255, 255, 255, 255, 255, 255, 0];

    fn hex(s: &str) -> Vec<u8> {
        let digit = |i| u8::from_str_radix(&s[i..i + 2], 16).unwrap();
        (0..s.len()).step_by(2).map(digit).collect()
    }

    /// The first `N` space-separated words of `s`.
    fn words<const N: usize>(s: &str) -> [&str; N] {
        let mut it = s.split(' ');
        [(); N].map(|()| it.next().unwrap())
    }

    /// Deterministic random bytes: `first` (hex), then a fixed pattern.
    fn rng(first: &str) -> impl FnMut(&mut [u8]) -> Result<(), i32> + use<> {
        let (first, mut pos) = (hex(first), 0usize);
        move |buf: &mut [u8]| {
            for b in buf.iter_mut() {
                let next = (pos as u8).wrapping_mul(37) ^ 0x5C;
                *b = first.get(pos).copied().unwrap_or(next);
                pos += 1;
            }
            Ok(())
        }
    }

    fn broken(buf: &mut [u8]) -> Result<(), i32> {
        buf.fill(0x55);
        Err(-0x34)
    }

    fn di(md: Option<MdType>, hash: &[u8], k: usize) -> Res<Vec<u8>> {
        let mut em = vec![0; k];
        digest_info_encode(md, hash, &mut em).map(|()| em)
    }

    fn v15e(msg: &[u8], k: usize, r: &mut RngFn) -> Res<Vec<u8>> {
        let mut em = vec![0xAA; k];
        v15_encrypt_encode(msg, &mut em, r).map(|()| em)
    }

    /// Decodes into `cap` bytes that start as EE.
    fn v15d(em: &[u8], cap: usize) -> (Result<usize, PadError>, Vec<u8>) {
        let mut out = vec![0xEE; cap];
        (v15_decrypt_decode(em, &mut out), out)
    }

    fn oaep_enc(md: MdType, msg: &[u8], k: usize, r: &mut RngFn) -> Res<Vec<u8>> {
        let mut em = vec![0xAA; k];
        oaep_encode(md, b"label", msg, &mut em, r).map(|()| em)
    }

    fn oaep_dec(md: MdType, label: &[u8], em: &[u8], cap: usize) -> Res<Vec<u8>> {
        let mut out = vec![0; cap];
        let n = oaep_decode(md, label, em, &mut out)?;
        out.truncate(n);
        Ok(out)
    }

    /// PSS with `md` for both the message hash and MGF1.
    fn pss_enc(md: MdType, h: &[u8], s: i32, bits: usize, r: &mut RngFn) -> Res<Vec<u8>> {
        let mut em = vec![0xAA; bits.div_ceil(8)];
        pss_encode(Some(md), md, h, s, bits, &mut em, r).map(|()| em)
    }

    fn pss_ver(md: MdType, h: &[u8], salt: i32, bits: usize, em: &[u8]) -> Res<()> {
        pss_verify(Some(md), md, h, salt, bits, &mut em.to_vec())
    }

    #[test]
    fn digest_info_layout() {
        let prefix = hex("3031300d060960864801650304020105000420");
        let want = [&[0, 1][..], &[255; 10], &[0], &prefix, &[0xAB; 32]].concat();
        assert_eq!(di(Some(Sha256), &[0xAB; 32], 64), Ok(want));
        let sha1 = [&PS8[..], &hex("3021300906052b0e03021a05000414"), &[7; 20]].concat();
        assert_eq!(di(Some(Sha1), &[7; 20], 46), Ok(sha1));
        for md in ALL {
            let (hlen, olen) = (md.info().size, digest_oid(md).len());
            let hash = vec![3; hlen];
            // Exactly 8 bytes of FF fit; one fewer does not.
            let em = di(Some(md), &hash, hlen + olen + 21).unwrap();
            assert_eq!(em[..11], PS8);
            let lengths = [em[12], em[14], em[16]].map(usize::from);
            assert_eq!(lengths, [hlen + olen + 8, olen + 4, olen]);
            assert_eq!(em[17..17 + olen], *digest_oid(md));
            assert_eq!(em[17 + olen..21 + olen], [5, 0, 4, hlen as u8]);
            assert_eq!(di(Some(md), &hash, hlen + olen + 20), Err(BadInput));
            assert_eq!(di(Some(md), &hash[1..], 128), Err(BadInput));
        }
        assert_eq!(di(None, b"raw", 14), Ok([&PS8[..], b"raw"].concat()));
        assert_eq!(di(None, b"raw", 13), Err(BadInput));
    }

    #[test]
    fn v15_encrypt_round_trip() {
        for len in [0usize, 1, 17, 53] {
            let msg = vec![0x5A; len];
            // Zero bytes from the source are redrawn.
            let em = v15e(&msg, 64, &mut rng("0000070009")).unwrap();
            assert_eq!(em[..4], [0, 2, 7, 9]);
            assert!(em[2..63 - len].iter().all(|&b| b != 0));
            assert_eq!(em[63 - len..], [&[0][..], &msg].concat());
            let (r, out) = v15d(&em, 64);
            assert_eq!((r, &out[..len]), (Ok(len), &msg[..]));
            assert!(out[len..53].iter().all(|&b| b == 0));
            assert!(out[53..].iter().all(|&b| b == 0xEE));
            assert_eq!(v15d(&em, len).0, Ok(len));
            if len > 0 {
                assert_eq!(v15d(&em, len - 1).0, Err(OutputTooLarge));
            }
        }
        assert_eq!(v15e(&[1; 22], 32, &mut rng("")), Err(BadInput));
        assert!(v15e(&[1; 21], 32, &mut rng("")).is_ok());
        let mut em = [0xAAu8; 32];
        let r = v15_encrypt_encode(&[1; 4], &mut em, &mut broken);
        assert_eq!((r, em), (Err(Rng(-0x34)), [0; 32]));
        // 99 zero draws then a nonzero one are fine; 100 zero draws are not.
        assert!(v15e(&[1; 4], 32, &mut rng(&"00".repeat(99))).is_ok());
        let mut r = rng(&format!("07{}", "00".repeat(100)));
        assert_eq!(v15e(&[1; 4], 32, &mut r), Err(Rng(0)));
    }

    #[test]
    fn v15_decode_rejects_each_malformation() {
        let mut good = [0x33u8; 40];
        (good[0], good[1], good[20]) = (0, 2, 0);
        assert_eq!(v15d(&good, 40).0, Ok(19));
        // First byte, second byte, no separator, and padding under 8 bytes.
        let edits = [(0, 1), (1, 0), (1, 1), (1, 3), (1, 0x82), (20, 1)];
        for (i, v) in edits.into_iter().chain((2..10).map(|i| (i, 0))) {
            let mut e = good;
            e[i] = v;
            let (r, out) = v15d(&e, 40);
            assert_eq!(r, Err(InvalidPadding), "byte {i} = {v}");
            assert!(out[..29].iter().all(|&b| b == 0));
            // Invalid padding wins over a short output buffer.
            assert_eq!(v15d(&e, 2).0, Err(InvalidPadding));
        }
        good[10] = 0; // exactly 8 padding bytes
        assert_eq!(v15d(&good, 40).0, Ok(29));
        let mut e = [0x44u8; 40];
        (e[0], e[1], e[39]) = (0, 2, 0);
        assert_eq!(v15d(&e, 0).0, Ok(0));
        assert_eq!(v15d(&e[..10], 40).0, Err(BadInput));
    }

    #[test]
    fn shift_is_exact_for_every_amount() {
        for len in [0u8, 1, 5, 8, 13] {
            for amount in 0..=len {
                let mut buf: Vec<u8> = (1..=len).collect();
                shift_left_ct(&mut buf, amount.into());
                let mut want: Vec<u8> = (1 + amount..=len).collect();
                want.resize(len.into(), 0);
                assert_eq!(buf, want);
            }
        }
    }

    #[test]
    fn mgf1_known_answer() {
        let mut out = [0u8; 80];
        mgf1_xor(Sha256, b"mbedcrypto-rs mgf1", &mut out);
        let want = hex(concat!(
            "d4cfdbe6b6bfd3eebb6a87c4b5facf6665ce504aa2bc2baee41f54ec6f01e7f5",
            "8a16987bd98217ba1abf8018967d8e689209895e560407a0963e251074a2d416",
            "2a43d3b6a2364318a02c338e288f0233"
        ));
        assert_eq!(out[..], want);
    }

    /// RSAES-OAEP vectors (SHA-1, empty label, 1024 and 1025 bits): seed,
    /// message, and EM = c^d mod n.
    const OAEP_KAT: [&str; 2] = [
        "aafd12f659cae63489b479e5076ddec2f06cb58f d436e99569fd32a7c8a05bbc90d32c49 00eb7a19ace9e3006350e329504b45e2ca82310b26dcd87d5c68f1eea8f55267c31b2e8bb4251f84d7e0b2c04626f5aff93edcfb25c9c2b3ff8ae10e839a2ddb4cdcfe4ff47728b4a1b7c1362baad29ab48d2869d5024121435811591be392f982fb3e87d095aeb40448db972f3ac14f7bc275195281ce32d2f1b76d4d353e2d",
        "8c407b5ec2899e5099c53e8ce793bf94e71b1782 8ff00caa605c702830634d9a6c3d42c652b58cf1d92fec570beee7 008ea3542d6b424892d568b3a0f1640e3ccd2a05b44e4677ce2f381cb6af4dfb0723b1b477b333a1a6aaeee461acf45c963393f598d7c0866593d8dffa72fcb544068dda7be4dbb927883c1852df5cf42dd67fd8f088441445db48e3e710c03a546475935443ddbccc5af11aa8dbe0ab7de7ee4fc55cf2136749f46d225465fe11",
    ];

    #[test]
    fn oaep_known_answers() {
        for kat in OAEP_KAT {
            let [seed, msg, want] = words(kat);
            let (msg, want) = (hex(msg), hex(want));
            let mut em = vec![0u8; want.len()];
            oaep_encode(Sha1, b"", &msg, &mut em, &mut rng(seed)).unwrap();
            assert_eq!(em, want);
            assert_eq!(oaep_dec(Sha1, b"", &want, 128), Ok(msg));
        }
    }

    #[test]
    fn oaep_round_trips_and_failures() {
        for md in ALL {
            let hlen = md.info().size;
            let k = 2 * hlen + 2 + 30;
            for len in [0usize, 1, 30] {
                let msg = vec![0xC3u8; len];
                let em = oaep_enc(md, &msg, k, &mut rng("")).unwrap();
                assert_eq!(oaep_dec(md, b"label", &em, len), Ok(msg));
                assert_eq!(oaep_dec(md, b"lab", &em, len), Err(InvalidPadding));
                if len > 0 {
                    let r = oaep_dec(md, b"label", &em, len - 1);
                    assert_eq!(r, Err(OutputTooLarge));
                }
                for i in [0, 1, hlen + 1, k - 1] {
                    let mut bad = em.clone();
                    bad[i] ^= 0x01;
                    let r = oaep_dec(md, b"label", &bad, 64);
                    assert_eq!(r, Err(InvalidPadding));
                }
            }
            assert_eq!(oaep_enc(md, &[0; 31], k, &mut rng("")), Err(BadInput));
            let mut em = vec![0xAAu8; k];
            let r = oaep_encode(md, b"", &[0; 3], &mut em, &mut broken);
            assert_eq!((r, em), (Err(Rng(-0x34)), vec![0; k]));
            let r = oaep_dec(md, b"", &vec![0; 2 * hlen + 1], 8);
            assert_eq!(r, Err(BadInput));
            // Hand-made DBs: a bad byte after the zero run, or no 01 at all.
            for last in [0x02u8, 0x00] {
                let mut em = vec![0u8; k];
                let (head, db) = em.split_at_mut(1 + hlen);
                Hasher::digest(md, b"", &mut db[..hlen]);
                db[hlen + 5] = last;
                mgf1_xor(md, &head[1..], db);
                mgf1_xor(md, db, &mut head[1..]);
                assert_eq!(oaep_dec(md, b"", &em, 64), Err(InvalidPadding));
            }
        }
    }

    /// RSASSA-PSS vectors 1.1 (1024 bits) and 2.1 (1025 bits), SHA-1:
    /// bits, mHash, salt, and EM = s^e mod n.
    const PSS_KAT: [&str; 2] = [
        "1024 cd8b6538cb8e8de566b68bd067569dbf1ee2718e dee959c7e06411361420ff80185ed57f3e6776af 2009bca4cb0ee7fdf35a762c488a3fee0e4058130dde835ae61eb830dec8d50d3120ee732a1ae8a0c9e5e86a256b5c71d75bbc66735110cbde3ca5bfa81203607a0b8b8ab1f857452900d36002fa7a87003c79ee6069bb46cdeb8f281140f1d3e9f296e05bd56b26bcf707a6a14b02f4344ff91bd17f29b79b4606e70afd99bc",
        "1025 5c81a3e2a658246628cd0ee8b00bb4c012bc9739 57bf160bcb02bb1dc7280cf0458530b7d2832ff7 00f3c2356f768ce90b44c6f9cef4f15ba931c0b921c400d5c8a95211ac7c55eeda50d1148bc3b38c034f6f60cabaa7c878d7968e0b85a53d4cb8ca7ac8d9fe62da5240281af558430592583aba237a7979b9c62fd5ad950398c4bea205f99202227c0508c2e3741b51f7a651ebb6a9ef9900d36bd61fa4c54447d95721bde622bc",
    ];

    #[test]
    fn pss_known_answers() {
        for kat in PSS_KAT {
            let [bits, hash, salt, want] = words(kat);
            let bits: usize = bits.parse().unwrap();
            let (mut hash, want) = (hex(hash), hex(want));
            for saltlen in [SALT_LEN_ANY, 20] {
                let em = pss_enc(Sha1, &hash, saltlen, bits, &mut rng(salt));
                assert_eq!(em.as_ref(), Ok(&want));
            }
            assert_eq!(pss_ver(Sha1, &hash, SALT_LEN_ANY, bits, &want), Ok(()));
            assert_eq!(pss_ver(Sha1, &hash, 20, bits, &want), Ok(()));
            let r = [19, -2].map(|s| pss_ver(Sha1, &hash, s, bits, &want));
            assert_eq!(r, [Err(InvalidPadding); 2]);
            hash[0] ^= 1;
            assert_eq!(pss_ver(Sha1, &hash, 20, bits, &want), Err(VerifyFailed));
        }
    }

    /// Signs and verifies; returns the salt length the verifier accepts.
    fn pss_round_trip(md: MdType, saltlen: i32, bits: usize) -> Res<usize> {
        let hash = vec![0x17u8; md.info().size];
        let em = pss_enc(md, &hash, saltlen, bits, &mut rng(""))?;
        assert_eq!(pss_ver(md, &hash, SALT_LEN_ANY, bits, &em), Ok(()));
        let fits = |s: &usize| pss_ver(md, &hash, *s as i32, bits, &em).is_ok();
        Ok((0..=bits / 8)
            .find(fits)
            .expect("some salt length verifies"))
    }

    #[test]
    fn pss_round_trips() {
        for md in ALL {
            let hlen = md.info().size;
            for bits in [1024usize, 1025, 1031, 1535, 2048, 2049] {
                let em_len = (bits - 1).div_ceil(8);
                let full = if 2 * hlen + 2 <= em_len {
                    Ok(hlen)
                } else {
                    Err(BadInput)
                };
                assert_eq!(pss_round_trip(md, 0, bits), Ok(0));
                assert_eq!(pss_round_trip(md, hlen as i32, bits), full);
                let any = Ok(hlen.min(em_len - hlen - 2));
                assert_eq!(pss_round_trip(md, SALT_LEN_ANY, bits), any);
            }
        }
        // Upstream's small-key cases with SHA-512, then 1025 bits, whose
        // 128-byte encoding holds a 62-byte salt but not 63.
        let cases = [
            (-1, 1024, Ok(62)),
            (-1, 1016, Err(BadInput)),
            (-1, 520, Err(BadInput)),
        ];
        let more = [
            (0, 520, Err(BadInput)),
            (0, 528, Ok(0)),
            (1, 528, Err(BadInput)),
        ];
        let last = [
            (-1, 528, Err(BadInput)),
            (-1, 1025, Ok(62)),
            (63, 1025, Err(BadInput)),
        ];
        for (salt, bits, want) in cases.into_iter().chain(more).chain(last) {
            assert_eq!(pss_round_trip(Sha512, salt, bits), want, "{salt} {bits}");
        }
        assert_eq!(pss_round_trip(Sha256, 256 - 34, 2048), Ok(256 - 34));
        assert_eq!(pss_round_trip(Sha256, 256 - 33, 2048), Err(BadInput));
        assert_eq!(pss_round_trip(Sha256, -2, 2048), Err(BadInput));
    }

    #[test]
    fn pss_mixed_hashes_and_raw_hash() {
        let (hash, mut em) = ([0x42u8; 32], [0u8; 128]);
        pss_encode(Some(Sha256), Sha1, &hash, 20, 1024, &mut em, &mut rng("")).unwrap();
        let v = |mgf| pss_verify(Some(Sha256), mgf, &hash, 20, 1024, &mut em.clone());
        assert_eq!((v(Sha1), v(Sha256)), (Ok(()), Err(InvalidPadding)));
        // Without a message hash algorithm the "hash" may have any length.
        pss_encode(None, Sha256, b"short", -1, 1024, &mut em, &mut rng("")).unwrap();
        let v = |h: &[u8]| pss_verify(None, Sha256, h, 32, 1024, &mut em.clone());
        assert_eq!((v(b"short"), v(b"shorT")), (Ok(()), Err(VerifyFailed)));
    }

    #[test]
    fn pss_failures() {
        let hash = [9u8; 32];
        let mut em = [0xAAu8; 128];
        let r = pss_enc(Sha256, &hash[1..], 0, 1024, &mut rng(""));
        assert_eq!(r, Err(BadInput));
        let mut r = rng("");
        for bits in [1016, 1032] {
            let e = pss_encode(None, Sha256, &hash, 0, bits, &mut em, &mut r);
            assert_eq!(e, Err(BadInput));
        }
        assert_eq!(
            pss_encode(None, Sha256, &hash, 0, 0, &mut [], &mut r),
            Err(BadInput)
        );
        let r = pss_encode(None, Sha256, &hash, 0, 1024, &mut em, &mut broken);
        assert_eq!((r, em), (Err(Rng(-0x34)), [0; 128]));

        for bits in [1024usize, 1025] {
            let k = bits.div_ceil(8);
            let em = pss_enc(Sha256, &hash, 32, bits, &mut rng("")).unwrap();
            let verify = |em: &[u8]| pss_ver(Sha256, &hash, 32, bits, em);
            let flip = |i: usize, bits: u8| {
                let mut e = em.clone();
                e[i] ^= bits;
                verify(&e)
            };
            assert_eq!(verify(&em), Ok(()));
            assert_eq!(flip(k - 1, 1), Err(InvalidPadding));
            let top = if bits % 8 == 1 { 0x01 } else { 0x80 };
            assert_eq!(flip(0, top), Err(BadInput));
            assert!(flip(k - 2, 1).is_err()); // inside H
            assert_eq!(flip(k - 34, 1), Err(VerifyFailed)); // in the salt
            assert_eq!(pss_ver(Sha256, &hash[1..], 32, bits, &em), Err(BadInput));
            assert_eq!(pss_ver(Sha256, &hash, 32, bits + 8, &em), Err(BadInput));
            assert_eq!(pss_ver(Sha256, &hash, 32, bits, &[]), Err(BadInput));

            // A DB that unmasks to all zeros has no separator.
            let (mut e, off) = (vec![0u8; k], usize::from(bits % 8 == 1));
            e[k - 33..].fill(0x5A);
            e[k - 1] = 0xBC;
            let (db, h) = e.split_at_mut(k - 33);
            mgf1_xor(Sha256, &h[..32], &mut db[off..]);
            db[0] &= if off == 1 { 0 } else { 0x7F };
            assert_eq!(verify(&e), Err(InvalidPadding));
        }
        // 521 bits with SHA-512: 65 encoded bytes cannot hold H and 2 more.
        let mut e = [0u8; 66];
        e[65] = 0xBC;
        assert_eq!(pss_ver(Sha512, &[0; 64], -1, 521, &e), Err(BadInput));
    }
}
