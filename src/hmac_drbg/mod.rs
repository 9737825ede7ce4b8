//! hmac_drbg.h (core): the HMAC_DRBG of NIST SP 800-90A (section 10.1.2)
//! over SHA-1 and SHA-2, with the seeding conventions of Mbed TLS: the
//! nonce comes from a second call to the entropy source, for half the
//! entropy length, and the automatic reseed happens inside generate.
//!
//! The state lives in the caller's C context; [`Drbg`] borrows its fields
//! one by one (the ffi layer hands them over while it holds the context's
//! lock), so nothing is copied in or out and nothing is allocated.
//!
//! Fork safety: [`Drbg`] remembers the process's fork generation at every
//! (re)seed ([`crate::platform::fork`]). When generate finds it has moved
//! (this is the child of a `fork()` that copied the state), an instance with
//! an entropy source reseeds before producing output, so parent and child
//! never share output. An instance without an entropy source (seeded from a
//! buffer) is deterministic by design: in both processes it continues the
//! same sequence.

#[cfg(not(loom))]
pub(crate) mod ffi;

use zeroize::Zeroize;

use crate::md::{HmacState, MAX_SIZE, MdInfo};
use crate::platform::fork;

/// Outputs between automatic reseeds, as `init` sets it.
pub(crate) const RESEED_INTERVAL: i32 = 10000;
/// Longest additional input (personalisation, additional data), in bytes.
pub(crate) const MAX_INPUT: usize = 256;
/// Longest single request, in bytes.
pub(crate) const MAX_REQUEST: usize = 1024;
/// Longest seed material (entropy, nonce, additional data), in bytes.
pub(crate) const MAX_SEED_INPUT: usize = 384;

/// Why an operation failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Error {
    /// More than [`MAX_REQUEST`] bytes requested.
    RequestTooBig,
    /// Additional data or seed material over the limits.
    InputTooBig,
    /// The entropy source failed, or there is none.
    EntropySource,
}

/// An entropy source: fills the buffer, or returns false.
pub(crate) type Entropy<'e> = &'e mut dyn FnMut(&mut [u8]) -> bool;

/// The entropy length `seed` picks when none was set: the security
/// strength of the digest (SP 800-57), 16, 24 or 32 bytes.
pub(crate) fn default_entropy_len(md_size: usize) -> usize {
    if md_size <= 20 {
        16
    } else if md_size <= 28 {
        24
    } else {
        32
    }
}

/// Checks a generate request against the limits, in upstream's order.
pub(crate) fn check_request(out_len: usize, add_len: usize) -> Result<(), Error> {
    if out_len > MAX_REQUEST {
        return Err(Error::RequestTooBig);
    }
    if add_len > MAX_INPUT {
        return Err(Error::InputTooBig);
    }
    Ok(())
}

/// The starting HMAC key of an instance, and V set to 0x01 bytes.
///
/// SP 800-90A starts from K = 0x00 bytes; the key here is the current V,
/// which is all zero in an initialised (or freed) context. Seeding a seeded
/// context again without free keys with the old V, which is what Mbed TLS
/// does in that case, so outputs stay identical to upstream's.
pub(crate) fn initial_key(md: &MdInfo, v: &mut [u8; MAX_SIZE]) -> HmacState {
    let key = HmacState::new(md.ty, &v[..md.size]);
    v[..md.size].fill(0x01);
    key
}

/// A seeded instance: the fields of a context, borrowed for one operation.
pub(crate) struct Drbg<'a> {
    /// The HMAC keyed with K.
    pub(crate) hmac: &'a mut HmacState,
    /// V (the first digest-size bytes).
    pub(crate) v: &'a mut [u8; MAX_SIZE],
    /// Outputs since the last (re)seed.
    pub(crate) reseed_counter: &'a mut i32,
    /// Entropy bytes per (re)seed.
    pub(crate) entropy_len: &'a mut usize,
    /// Reseed before every output if `MBEDTLS_HMAC_DRBG_PR_ON` (1).
    pub(crate) prediction_resistance: i32,
    /// Outputs between automatic reseeds.
    pub(crate) reseed_interval: i32,
    /// Fork generation at the last (re)seed.
    pub(crate) fork_gen: &'a mut u32,
}

impl Drbg<'_> {
    fn md_len(&self) -> usize {
        self.hmac.size()
    }

    /// The HMAC_DRBG update function (10.1.2.2): one round without data,
    /// two with.
    pub(crate) fn update(&mut self, data: &[u8]) {
        let n = self.md_len();
        let rounds: u8 = if data.is_empty() { 1 } else { 2 };
        let mut k = [0u8; MAX_SIZE];
        for sep in 0..rounds {
            // K = HMAC(K, V || sep || data)
            self.hmac.update(&self.v[..n]);
            self.hmac.update(&[sep]);
            if rounds == 2 {
                self.hmac.update(data);
            }
            self.hmac.finish_into(&mut k);
            self.hmac.rekey(&k[..n]);
            // V = HMAC(K, V)
            self.hmac.update(&self.v[..n]);
            self.hmac.finish_into(&mut self.v[..]);
        }
        k.zeroize();
    }

    /// Reseed (10.1.2.4), and instantiate when `nonce` is set (10.1.2.3,
    /// the nonce drawn from the entropy source): entropy, nonce and
    /// `additional` are concatenated and fed to [`Self::update`].
    fn reseed_core(
        &mut self,
        entropy: Option<Entropy<'_>>,
        additional: &[u8],
        nonce: bool,
    ) -> Result<(), Error> {
        let el = *self.entropy_len;
        let nonce_len = if nonce { el / 2 } else { 0 };
        let total = el
            .checked_add(nonce_len)
            .and_then(|t| t.checked_add(additional.len()));
        if additional.len() > MAX_INPUT || total.is_none_or(|t| t > MAX_SEED_INPUT) {
            return Err(Error::InputTooBig);
        }
        let Some(entropy) = entropy else {
            return Err(Error::EntropySource);
        };
        let mut seed = [0u8; MAX_SEED_INPUT];
        let result = (|| {
            if !entropy(&mut seed[..el]) {
                return Err(Error::EntropySource);
            }
            if nonce && !entropy(&mut seed[el..el + nonce_len]) {
                return Err(Error::EntropySource);
            }
            let len = el + nonce_len;
            seed[len..len + additional.len()].copy_from_slice(additional);
            self.update(&seed[..len + additional.len()]);
            *self.reseed_counter = 0;
            *self.fork_gen = fork::generation();
            Ok(())
        })();
        seed.zeroize();
        result
    }

    /// Instantiates from the entropy source and the personalisation string
    /// `custom` (the HMAC key and V must already be at their starting
    /// values, see [`initial_key`]). Picks the default entropy length if
    /// none is set. On failure the instance is marked as needing a reseed,
    /// so it never produces output from an unseeded state: its next
    /// generate reseeds first (or fails).
    pub(crate) fn seed(&mut self, entropy: Entropy<'_>, custom: &[u8]) -> Result<(), Error> {
        if *self.entropy_len == 0 {
            *self.entropy_len = default_entropy_len(self.md_len());
        }
        let r = self.reseed_core(Some(entropy), custom, true);
        if r.is_err() {
            *self.reseed_counter = i32::MAX;
        }
        r
    }

    /// Instantiates from a buffer alone (no entropy source; used for
    /// deterministic signatures). The instance never reseeds.
    pub(crate) fn seed_buf(&mut self, data: &[u8]) {
        self.update(data);
        *self.fork_gen = fork::generation();
    }

    /// Reseeds with fresh entropy and `additional`.
    pub(crate) fn reseed(
        &mut self,
        entropy: Option<Entropy<'_>>,
        additional: &[u8],
    ) -> Result<(), Error> {
        self.reseed_core(entropy, additional, false)
    }

    /// Generate (10.1.2.5): fills `out` (at most [`MAX_REQUEST`] bytes),
    /// reseeding first if the instance has an entropy source and
    /// prediction resistance is on, the reseed interval is reached, or the
    /// process has forked since the last (re)seed.
    pub(crate) fn generate(
        &mut self,
        entropy: Option<Entropy<'_>>,
        out: &mut [u8],
        additional: &[u8],
    ) -> Result<(), Error> {
        check_request(out.len(), additional.len())?;
        let mut additional = additional;
        if let Some(entropy) = entropy
            && (self.prediction_resistance == 1
                || *self.reseed_counter >= self.reseed_interval
                || *self.fork_gen != fork::generation())
        {
            self.reseed_core(Some(entropy), additional, false)?;
            additional = &[];
        }
        if !additional.is_empty() {
            self.update(additional);
        }
        let n = self.md_len();
        for chunk in out.chunks_mut(n) {
            self.hmac.update(&self.v[..n]);
            self.hmac.finish_into(&mut self.v[..]);
            chunk.copy_from_slice(&self.v[..chunk.len()]);
        }
        self.update(additional);
        *self.reseed_counter = self.reseed_counter.saturating_add(1);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::md::MdType;

    struct Owned {
        hmac: HmacState,
        v: [u8; MAX_SIZE],
        counter: i32,
        entropy_len: usize,
        pr: i32,
        interval: i32,
        fork_gen: u32,
    }

    impl Owned {
        fn new(ty: MdType) -> Owned {
            let mut v = [0u8; MAX_SIZE];
            let hmac = initial_key(ty.info(), &mut v);
            Owned {
                hmac,
                v,
                counter: 0,
                entropy_len: 0,
                pr: 0,
                interval: RESEED_INTERVAL,
                fork_gen: 0,
            }
        }

        fn drbg(&mut self) -> Drbg<'_> {
            Drbg {
                hmac: &mut self.hmac,
                v: &mut self.v,
                reseed_counter: &mut self.counter,
                entropy_len: &mut self.entropy_len,
                prediction_resistance: self.pr,
                reseed_interval: self.interval,
                fork_gen: &mut self.fork_gen,
            }
        }
    }

    fn unhex(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    /// A source serving a fixed byte string in order.
    fn serve(data: Vec<u8>) -> impl FnMut(&mut [u8]) -> bool {
        let mut pos = 0;
        move |buf: &mut [u8]| {
            if pos + buf.len() > data.len() {
                return false;
            }
            buf.copy_from_slice(&data[pos..pos + buf.len()]);
            pos += buf.len();
            true
        }
    }

    #[test]
    fn nist_sha1_pr_false_count_0() {
        // drbgvectors_pr_false/HMAC_DRBG.rsp, [SHA-1], no personalisation or
        // additional input, COUNT = 0: entropy, nonce, reseed entropy.
        let mut src = serve(unhex(
            "79349bbf7cdda5799557866621c913831146733abf8c35c8c7215b5b96c48e9b338c74e3e99dfedf",
        ));
        let mut o = Owned::new(MdType::Sha1);
        o.drbg().seed(&mut src, &[]).unwrap();
        o.drbg().reseed(Some(&mut src), &[]).unwrap();
        let mut out = [0u8; 80];
        o.drbg().generate(Some(&mut src), &mut out, &[]).unwrap();
        o.drbg().generate(Some(&mut src), &mut out, &[]).unwrap();
        assert_eq!(
            out.to_vec(),
            unhex(
                "c6a16ab8d420706f0f34ab7fec5adca9d8ca3a133e159ca6ac43c6f8a2be22834a4c0a0affb10d7194f1c1a5cf7322ec1ae0964ed4bf122746e087fdb5b3e91b3493d5bb98faed49e85f130fc8a459b7"
            )
        );
    }

    #[test]
    fn limits_and_missing_entropy() {
        let mut o = Owned::new(MdType::Sha256);
        let mut src = serve(vec![7u8; 1000]);
        let mut out = [0u8; MAX_REQUEST + 1];
        o.drbg().seed(&mut src, &[]).unwrap();
        assert_eq!(o.entropy_len, 32);
        assert_eq!(
            o.drbg().generate(None, &mut out, &[]),
            Err(Error::RequestTooBig)
        );
        assert_eq!(
            o.drbg().generate(None, &mut out[..16], &[0; MAX_INPUT + 1]),
            Err(Error::InputTooBig)
        );
        assert_eq!(
            o.drbg().reseed(Some(&mut src), &[0; MAX_INPUT + 1]),
            Err(Error::InputTooBig)
        );
        // Entropy plus data: 129 + 256 > 384, 128 + 256 fits.
        o.entropy_len = 129;
        assert_eq!(
            o.drbg().reseed(Some(&mut src), &[0; MAX_INPUT]),
            Err(Error::InputTooBig)
        );
        o.entropy_len = 128;
        assert_eq!(o.drbg().reseed(Some(&mut src), &[0; MAX_INPUT]), Ok(()));
        o.entropy_len = usize::MAX;
        assert_eq!(o.drbg().reseed(None, &[]), Err(Error::InputTooBig));
        o.entropy_len = 32;
        assert_eq!(o.drbg().reseed(None, &[]), Err(Error::EntropySource));
    }

    #[test]
    fn failed_seed_forces_a_reseed() {
        let mut o = Owned::new(MdType::Sha256);
        let mut empty = serve(Vec::new());
        assert_eq!(o.drbg().seed(&mut empty, &[]), Err(Error::EntropySource));
        let mut out = [0u8; 16];
        assert_eq!(
            o.drbg().generate(Some(&mut empty), &mut out, &[]),
            Err(Error::EntropySource),
            "no output from an unseeded state"
        );
        let mut good = serve(vec![1u8; 64]);
        assert_eq!(o.drbg().generate(Some(&mut good), &mut out, &[]), Ok(()));
        assert_eq!(o.counter, 1);
    }
}
