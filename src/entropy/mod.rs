//! entropy.h (core): the entropy accumulator and its sources.
//!
//! The accumulator is upstream's construction, byte for byte, so that
//! deterministic sources give upstream's output: every piece of input is
//! fed to a running SHA-512 behind a two-byte header (source id, length);
//! input longer than a block (64 bytes) is first replaced by its SHA-512.
//! An output finishes the running hash, restarts it with the finished
//! value, and returns a prefix of the SHA-512 of that value.
//!
//! The state lives in the caller's C struct; this module works on
//! references to its fields ([`Entropy`]), which the C layer hands out
//! while it holds the context's lock. Calls into C (the sources, the NV
//! seed hook) go through [`Io`], which the C layer implements.

#[cfg(not(loom))]
pub(crate) mod ffi;
#[cfg(feature = "std")]
pub(crate) mod poll;
pub(crate) mod sha512;

use core::ffi::c_int;

use zeroize::Zeroize;

use crate::abi::entropy::{
    MBEDTLS_ENTROPY_BLOCK_SIZE, MBEDTLS_ENTROPY_MAX_GATHER, MBEDTLS_ENTROPY_MAX_SOURCES,
    MBEDTLS_ENTROPY_SOURCE_MANUAL, MBEDTLS_ENTROPY_SOURCE_STRONG,
    MBEDTLS_ERR_ENTROPY_FILE_IO_ERROR, MBEDTLS_ERR_ENTROPY_MAX_SOURCES,
    MBEDTLS_ERR_ENTROPY_NO_SOURCES_DEFINED, MBEDTLS_ERR_ENTROPY_NO_STRONG_SOURCE,
    MBEDTLS_ERR_ENTROPY_SOURCE_FAILED, mbedcrypto_entropy_accumulator,
    mbedtls_entropy_f_source_ptr, mbedtls_entropy_source_state,
};

/// The accumulator's block (and largest output).
pub(crate) const BLOCK_SIZE: usize = MBEDTLS_ENTROPY_BLOCK_SIZE;
/// Bytes asked of each source per poll.
pub(crate) const MAX_GATHER: usize = MBEDTLS_ENTROPY_MAX_GATHER;
/// The most sources a context holds.
pub(crate) const MAX_SOURCES: usize = MBEDTLS_ENTROPY_MAX_SOURCES;
/// Threshold of the default platform source (upstream's
/// `MBEDTLS_ENTROPY_MIN_PLATFORM`).
#[cfg_attr(mbedtls_no_platform_entropy, allow(dead_code))]
pub(crate) const MIN_PLATFORM: usize = 32;
/// Threshold of the hardware source (upstream's
/// `MBEDTLS_ENTROPY_MIN_HARDWARE`).
#[cfg_attr(not(mbedtls_entropy_hardware_alt), allow(dead_code))]
pub(crate) const MIN_HARDWARE: usize = 32;
/// Gathering rounds an output may take beyond the first (upstream's
/// `ENTROPY_MAX_LOOP`: it checks the count before incrementing it, so 257
/// rounds run before it gives up).
const MAX_LOOP: u32 = 256;

const _: () = assert!(sha512::DIGEST == BLOCK_SIZE);
const _: () = assert!(MAX_GATHER > BLOCK_SIZE && MAX_SOURCES < 256);

/// Why an operation failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Error {
    /// `MBEDTLS_ERR_ENTROPY_SOURCE_FAILED`.
    SourceFailed,
    /// `MBEDTLS_ERR_ENTROPY_MAX_SOURCES`.
    MaxSources,
    /// `MBEDTLS_ERR_ENTROPY_NO_SOURCES_DEFINED`.
    NoSources,
    /// `MBEDTLS_ERR_ENTROPY_NO_STRONG_SOURCE`.
    NoStrongSource,
    /// `MBEDTLS_ERR_ENTROPY_FILE_IO_ERROR`.
    #[cfg_attr(not(mbedtls_entropy_nv_seed), allow(dead_code))]
    FileIo,
    /// A source's own non-zero code, passed through as upstream does.
    Source(c_int),
}

impl Error {
    /// The C error code.
    pub(crate) fn code(self) -> c_int {
        match self {
            Error::SourceFailed => MBEDTLS_ERR_ENTROPY_SOURCE_FAILED,
            Error::MaxSources => MBEDTLS_ERR_ENTROPY_MAX_SOURCES,
            Error::NoSources => MBEDTLS_ERR_ENTROPY_NO_SOURCES_DEFINED,
            Error::NoStrongSource => MBEDTLS_ERR_ENTROPY_NO_STRONG_SOURCE,
            Error::FileIo => MBEDTLS_ERR_ENTROPY_FILE_IO_ERROR,
            Error::Source(code) => code,
        }
    }
}

/// What the core needs from the outside world.
pub(crate) trait Io {
    /// Polls `src` for up to `buf.len()` bytes into `buf`; returns the count
    /// delivered, or the source's non-zero code.
    fn poll(
        &mut self,
        src: &mbedtls_entropy_source_state,
        buf: &mut [u8; MAX_GATHER],
    ) -> Result<usize, c_int>;

    /// Writes a new NV seed; false if that failed.
    #[cfg(mbedtls_entropy_nv_seed)]
    fn nv_seed_write(&mut self, block: &[u8; BLOCK_SIZE]) -> bool;
}

/// The fields of a live context, borrowed while its lock is held.
pub(crate) struct Entropy<'a> {
    /// The running hash.
    pub(crate) acc: &'a mut mbedcrypto_entropy_accumulator,
    /// `accumulator_started`: 1 once the running hash has been started.
    pub(crate) started: &'a mut c_int,
    /// `source_count`.
    pub(crate) count: &'a mut c_int,
    /// The source table.
    pub(crate) sources: &'a mut [mbedtls_entropy_source_state; MAX_SOURCES],
    /// `initial_entropy_run`: 1 once the NV seed has been refreshed.
    #[cfg(mbedtls_entropy_nv_seed)]
    pub(crate) initial_run: &'a mut c_int,
}

/// An empty source slot.
pub(crate) const EMPTY_SOURCE: mbedtls_entropy_source_state = mbedtls_entropy_source_state {
    f_source: None,
    p_source: core::ptr::null_mut(),
    size: 0,
    threshold: 0,
    strong: 0,
};

impl Entropy<'_> {
    /// Puts the fields in the just-initialised state: no sources, an idle
    /// accumulator.
    pub(crate) fn reset(&mut self) {
        *self.count = 0;
        self.sources.fill(EMPTY_SOURCE);
        *self.started = 0;
        sha512::wipe(self.acc);
        #[cfg(mbedtls_entropy_nv_seed)]
        {
            *self.initial_run = 0;
        }
    }

    /// Wipes everything, marking the context freed (`accumulator_started`
    /// = -1, as upstream).
    pub(crate) fn wipe(&mut self) {
        self.reset();
        *self.started = -1;
    }

    /// The registered sources (a corrupted count is clamped to the table).
    fn registered(&self) -> usize {
        usize::try_from(*self.count).unwrap_or(0).min(MAX_SOURCES)
    }

    /// Appends a source.
    pub(crate) fn add_source(
        &mut self,
        f_source: mbedtls_entropy_f_source_ptr,
        p_source: *mut core::ffi::c_void,
        threshold: usize,
        strong: c_int,
    ) -> Result<(), Error> {
        let n = self.registered();
        if n >= MAX_SOURCES {
            return Err(Error::MaxSources);
        }
        if f_source.is_none() {
            return Err(Error::SourceFailed);
        }
        self.sources[n] = mbedtls_entropy_source_state {
            f_source,
            p_source,
            size: 0,
            threshold,
            strong,
        };
        *self.count = n as c_int + 1;
        Ok(())
    }

    /// Mixes `data` into the accumulator under source id `id`.
    fn mix(&mut self, id: u8, data: &[u8]) {
        let mut tmp = [0u8; BLOCK_SIZE];
        let data = if data.len() > BLOCK_SIZE {
            sha512::digest(data, &mut tmp);
            &tmp[..]
        } else {
            data
        };
        if *self.started != 1 {
            sha512::reset(self.acc);
            *self.started = 1;
        }
        // The header and short data go in as one piece: the same bytes as
        // two updates, one copy fewer.
        let mut piece = [0u8; 2 + BLOCK_SIZE];
        piece[0] = id;
        piece[1] = data.len() as u8;
        piece[2..2 + data.len()].copy_from_slice(data);
        sha512::update(self.acc, &piece[..2 + data.len()]);
        piece[..].zeroize();
        tmp[..].zeroize();
    }

    /// Mixes caller data in (`mbedtls_entropy_update_manual`).
    pub(crate) fn update_manual(&mut self, data: &[u8]) {
        self.mix(MBEDTLS_ENTROPY_SOURCE_MANUAL as u8, data);
    }

    /// Polls every source once and mixes in what they deliver.
    pub(crate) fn gather(&mut self, io: &mut impl Io) -> Result<(), Error> {
        let n = self.registered();
        if n == 0 {
            return Err(Error::NoSources);
        }
        let mut buf = [0u8; MAX_GATHER];
        let mut have_strong = false;
        let mut result = Ok(());
        for i in 0..n {
            let src = self.sources[i];
            if src.strong == MBEDTLS_ENTROPY_SOURCE_STRONG {
                have_strong = true;
            }
            let olen = match io.poll(&src, &mut buf) {
                Ok(olen) if olen <= MAX_GATHER => olen,
                // A source that claims more than it was given room for.
                Ok(_) => {
                    result = Err(Error::SourceFailed);
                    break;
                }
                Err(code) => {
                    result = Err(Error::Source(code));
                    break;
                }
            };
            if olen > 0 {
                self.mix(i as u8, &buf[..olen]);
                let s = &mut self.sources[i].size;
                *s = s.saturating_add(olen);
            }
        }
        buf[..].zeroize();
        result?;
        if !have_strong {
            return Err(Error::NoStrongSource);
        }
        Ok(())
    }

    /// Produces `out.len()` (at most [`BLOCK_SIZE`]) bytes of entropy
    /// (`mbedtls_entropy_func`), refreshing the NV seed first on the first
    /// call.
    #[cfg_attr(
        not(any(mbedtls_fs_io, mbedtls_entropy_nv_seed, test)),
        allow(dead_code)
    )]
    pub(crate) fn func(&mut self, io: &mut impl Io, out: &mut [u8]) -> Result<(), Error> {
        if out.len() > BLOCK_SIZE {
            return Err(Error::SourceFailed);
        }
        let mut value = [0u8; BLOCK_SIZE];
        self.extract(io, &mut value)?;
        output(&mut value, out);
        Ok(())
    }

    /// The state-changing part of [`Entropy::func`]: gathers until the
    /// sources' thresholds are met, then finishes the accumulator, restarts
    /// it with the finished value and writes that value to `value` (left
    /// untouched on an error). [`output`] turns
    /// the value into the caller's bytes; it needs no access to the
    /// context, so the C layer runs it after unlocking.
    pub(crate) fn extract(&mut self, io: &mut impl Io, value: &mut Block) -> Result<(), Error> {
        #[cfg(mbedtls_entropy_nv_seed)]
        if *self.initial_run == 0 {
            *self.initial_run = 1;
            self.update_nv_seed(io)?;
        }
        let mut rounds = 0u32;
        loop {
            if rounds > MAX_LOOP {
                return Err(Error::SourceFailed);
            }
            rounds += 1;
            self.gather(io)?;
            let n = self.registered();
            let srcs = &self.sources[..n];
            let thresholds = srcs.iter().all(|s| s.size >= s.threshold);
            let strong: usize = srcs
                .iter()
                .filter(|s| s.strong == MBEDTLS_ENTROPY_SOURCE_STRONG)
                .fold(0usize, |a, s| a.saturating_add(s.size));
            if thresholds && strong >= BLOCK_SIZE {
                break;
            }
        }
        if *self.started != 1 {
            // Unreachable: a strong source delivered bytes above. Keep the
            // hash well defined anyway.
            sha512::reset(self.acc);
            *self.started = 1;
        }
        sha512::finish(self.acc, value);
        // The accumulator was restarted by finish; recycle the value.
        sha512::update(self.acc, &value[..]);
        let n = self.registered();
        for s in &mut self.sources[..n] {
            s.size = 0;
        }
        Ok(())
    }

    /// Writes a fresh block to the NV seed and diverges the accumulator
    /// from it (`mbedtls_entropy_update_nv_seed`).
    #[cfg(mbedtls_entropy_nv_seed)]
    pub(crate) fn update_nv_seed(&mut self, io: &mut impl Io) -> Result<(), Error> {
        let mut block = [0u8; BLOCK_SIZE];
        let r = self.func(io, &mut block);
        let written = r.is_ok() && io.nv_seed_write(&block);
        block[..].zeroize();
        r?;
        if !written {
            return Err(Error::FileIo);
        }
        self.update_manual(&[0u8; BLOCK_SIZE]);
        Ok(())
    }
}

/// An accumulator value.
pub(crate) type Block = [u8; BLOCK_SIZE];

/// The output for an accumulator `value` from [`Entropy::extract`]: the
/// first `out.len()` bytes of its SHA-512. Wipes `value`.
pub(crate) fn output(value: &mut Block, out: &mut [u8]) {
    let mut second = [0u8; BLOCK_SIZE];
    sha512::digest(&value[..], &mut second);
    out.copy_from_slice(&second[..out.len()]);
    second[..].zeroize();
    value[..].zeroize();
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::abi::entropy::MBEDTLS_ENTROPY_SOURCE_WEAK;
    use core::ffi::c_void;

    /// Owned storage for the fields of a context.
    pub(crate) struct Fields {
        acc: mbedcrypto_entropy_accumulator,
        started: c_int,
        count: c_int,
        sources: [mbedtls_entropy_source_state; MAX_SOURCES],
        #[cfg(mbedtls_entropy_nv_seed)]
        initial_run: c_int,
    }

    impl Fields {
        pub(crate) fn new() -> Fields {
            Fields {
                acc: sha512::fresh(),
                started: 0,
                count: 0,
                sources: [EMPTY_SOURCE; MAX_SOURCES],
                // NV seed refresh is tested through the C layer.
                #[cfg(mbedtls_entropy_nv_seed)]
                initial_run: 1,
            }
        }

        pub(crate) fn view(&mut self) -> Entropy<'_> {
            Entropy {
                acc: &mut self.acc,
                started: &mut self.started,
                count: &mut self.count,
                sources: &mut self.sources,
                #[cfg(mbedtls_entropy_nv_seed)]
                initial_run: &mut self.initial_run,
            }
        }
    }

    /// A placeholder callback: the test Io below never calls it.
    unsafe extern "C" fn never(_: *mut c_void, _: *mut u8, _: usize, _: *mut usize) -> c_int {
        unreachable!()
    }

    /// Test sources, told apart by `p_source` (an index into `plans`).
    /// Source k delivers bytes `counter, counter+1, ...` of length `plans[k]`.
    struct Plan {
        plans: Vec<Result<usize, c_int>>,
        counter: u8,
        polls: usize,
    }

    impl Io for Plan {
        fn poll(
            &mut self,
            src: &mbedtls_entropy_source_state,
            buf: &mut [u8; MAX_GATHER],
        ) -> Result<usize, c_int> {
            self.polls += 1;
            let n = self.plans[src.p_source as usize]?;
            for b in buf.iter_mut().take(n.min(MAX_GATHER)) {
                *b = self.counter;
                self.counter = self.counter.wrapping_add(1);
            }
            Ok(n)
        }
        #[cfg(mbedtls_entropy_nv_seed)]
        fn nv_seed_write(&mut self, _: &[u8; BLOCK_SIZE]) -> bool {
            true
        }
    }

    fn add(e: &mut Entropy<'_>, k: usize, threshold: usize, strong: c_int) -> Result<(), Error> {
        e.add_source(Some(never), k as *mut c_void, threshold, strong)
    }

    /// The construction written out by hand with the `sha2` crate: the
    /// expected output of one source delivering `chunk` bytes per poll,
    /// polled `rounds` times, after `prior` (the previous output's value).
    fn reference(prior: Option<&[u8]>, polls: &[Vec<u8>]) -> [u8; 64] {
        use sha2::{Digest, Sha512};
        let mut acc = Sha512::new();
        if let Some(p) = prior {
            acc.update(p);
        }
        for data in polls {
            let d: Vec<u8> = if data.len() > 64 {
                Sha512::digest(data).to_vec()
            } else {
                data.clone()
            };
            acc.update([0u8, d.len() as u8]);
            acc.update(&d);
        }
        let first = acc.finalize();
        let mut out = [0u8; 64];
        out.copy_from_slice(&Sha512::digest(first));
        out
    }

    #[test]
    fn output_is_the_documented_construction() {
        let mut f = Fields::new();
        let mut e = f.view();
        add(&mut e, 0, 0, MBEDTLS_ENTROPY_SOURCE_STRONG).unwrap();
        let mut io = Plan {
            plans: vec![Ok(40)],
            counter: 0,
            polls: 0,
        };
        let mut out = [0u8; 64];
        e.func(&mut io, &mut out).unwrap();
        // 40 bytes per poll: two polls reach the 64-byte strong minimum.
        assert_eq!(io.polls, 2);
        let p1: Vec<u8> = (0..40).collect();
        let p2: Vec<u8> = (40..80).collect();
        assert_eq!(out, reference(None, &[p1.clone(), p2.clone()]));
        // The next output chains on the first one's accumulator value.
        use sha2::{Digest, Sha512};
        let mut acc = Sha512::new();
        for d in [&p1, &p2] {
            acc.update([0u8, 40]);
            acc.update(d);
        }
        let first_value = acc.finalize();
        let mut out2 = [0u8; 32];
        e.func(&mut io, &mut out2).unwrap();
        let p3: Vec<u8> = (80..120).collect();
        let p4: Vec<u8> = (120..160).collect();
        assert_eq!(out2[..], reference(Some(&first_value), &[p3, p4])[..32]);
    }

    #[test]
    fn long_polls_are_prehashed() {
        let mut f = Fields::new();
        let mut e = f.view();
        add(&mut e, 0, 0, MBEDTLS_ENTROPY_SOURCE_STRONG).unwrap();
        let mut io = Plan {
            plans: vec![Ok(100)],
            counter: 7,
            polls: 0,
        };
        let mut out = [0u8; 16];
        e.func(&mut io, &mut out).unwrap();
        assert_eq!(io.polls, 1);
        let p: Vec<u8> = (7..107).collect();
        assert_eq!(out[..], reference(None, &[p])[..16]);
    }

    #[test]
    fn thresholds_and_strength() {
        let mut f = Fields::new();
        let mut e = f.view();
        let mut io = Plan {
            plans: vec![Ok(10), Ok(64)],
            counter: 0,
            polls: 0,
        };
        let mut out = [0u8; 8];
        assert_eq!(e.gather(&mut io), Err(Error::NoSources));
        assert_eq!(e.func(&mut io, &mut out), Err(Error::NoSources));
        // A weak source alone is refused, though its data is mixed in.
        add(&mut e, 0, 0, MBEDTLS_ENTROPY_SOURCE_WEAK).unwrap();
        assert_eq!(e.gather(&mut io), Err(Error::NoStrongSource));
        assert_eq!(*e.started, 1, "data was mixed in");
        assert_eq!(e.sources[0].size, 10);
        assert_eq!(e.func(&mut io, &mut out), Err(Error::NoStrongSource));
        // A weak source with threshold 50 and a strong one delivering 64:
        // the weak one's threshold (10 bytes a round) takes 5 rounds, though
        // the strong minimum is reached in one.
        e.sources[0].threshold = 50;
        e.sources[0].size = 0;
        add(&mut e, 1, 0, MBEDTLS_ENTROPY_SOURCE_STRONG).unwrap();
        io.polls = 0;
        e.func(&mut io, &mut out).unwrap();
        assert_eq!(io.polls, 10, "5 rounds of 2 sources");
        assert!(e.sources.iter().all(|s| s.size == 0), "sizes are reset");
        assert_eq!(e.func(&mut io, &mut [0u8; 65]), Err(Error::SourceFailed));
    }

    #[test]
    fn a_silent_source_fails_after_257_rounds() {
        let mut f = Fields::new();
        let mut e = f.view();
        add(&mut e, 0, 0, MBEDTLS_ENTROPY_SOURCE_STRONG).unwrap();
        let mut io = Plan {
            plans: vec![Ok(0)],
            counter: 0,
            polls: 0,
        };
        assert_eq!(e.func(&mut io, &mut [0u8; 4]), Err(Error::SourceFailed));
        assert_eq!(io.polls, 257);
        // A source error passes through unchanged.
        io.plans[0] = Err(-0x1234);
        assert_eq!(e.gather(&mut io), Err(Error::Source(-0x1234)));
        assert_eq!(e.func(&mut io, &mut [0u8; 4]).unwrap_err().code(), -0x1234);
        // A source that claims more than MAX_GATHER bytes.
        io.plans[0] = Ok(MAX_GATHER + 1);
        assert_eq!(e.gather(&mut io), Err(Error::SourceFailed));
    }

    #[test]
    fn manual_updates_change_the_output() {
        let run = |manual: Option<&[u8]>| {
            let mut f = Fields::new();
            let mut e = f.view();
            add(&mut e, 0, 0, MBEDTLS_ENTROPY_SOURCE_STRONG).unwrap();
            if let Some(m) = manual {
                e.update_manual(m);
            }
            let mut io = Plan {
                plans: vec![Ok(64)],
                counter: 0,
                polls: 0,
            };
            let mut out = [0u8; 64];
            e.func(&mut io, &mut out).unwrap();
            out
        };
        let plain = run(None);
        let short = run(Some(b"hello"));
        let long = run(Some(&[5u8; 200]));
        assert_ne!(plain, short);
        assert_ne!(short, long);
        // The manual piece is (20, len, data) before the source's piece.
        use sha2::{Digest, Sha512};
        let mut acc = Sha512::new();
        acc.update([20u8, 5]);
        acc.update(b"hello");
        acc.update([0u8, 64]);
        acc.update((0..64).collect::<Vec<u8>>());
        assert_eq!(short[..], Sha512::digest(acc.finalize())[..]);
    }

    #[test]
    fn source_table_limits() {
        let mut f = Fields::new();
        let mut e = f.view();
        for k in 0..MAX_SOURCES {
            add(&mut e, k, 1, MBEDTLS_ENTROPY_SOURCE_WEAK).unwrap();
        }
        assert_eq!(*e.count, 20);
        assert_eq!(add(&mut e, 0, 1, 1), Err(Error::MaxSources));
        e.reset();
        assert_eq!(*e.count, 0);
        assert_eq!(
            e.add_source(None, core::ptr::null_mut(), 0, 1),
            Err(Error::SourceFailed)
        );
        e.wipe();
        assert_eq!(*e.started, -1);
    }
}
