//! The build configuration: which modules and options this build of the
//! library provides, derived from Cargo features.
//!
//! Shared by the library's `build.rs` and by `systest/build.rs` (through
//! `#[path]`), so the C configuration header, the Rust `cfg` flags and the
//! ABI checks are all derived from one place.

use std::env;

/// The threading backend selected by Cargo features.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Threading {
    /// `MBEDTLS_THREADING_C` is not defined; locking is compiled out.
    None,
    /// Our built-in mutex (parking-lot based), `MBEDTLS_THREADING_BUILTIN`.
    Builtin,
    /// Upstream's pthread layout, `MBEDTLS_THREADING_PTHREAD`.
    Pthread,
    /// The user's `threading_alt.h`, `MBEDTLS_THREADING_ALT`.
    Alt,
}

/// Rust cfgs that are not macros of our `mbedtls_config.h` but still map to
/// `#if defined(...)` conditions in the headers: (cfg, C macro, set by this
/// build). `mbedcrypto_psa_mutexes` is always set in Rust, so the PSA global
/// mutexes always exist, while C declares them only under upstream's
/// condition, `MBEDTLS_PSA_CRYPTO_C`. `MBEDTLS_PLATFORM_GMTIME_R_ALT` is
/// never set by us but is part of upstream's condition for the gmtime mutex.
pub const EXTRA_CFGS: &[(&str, &str, bool)] = &[
    ("mbedcrypto_psa_mutexes", "MBEDTLS_PSA_CRYPTO_C", true),
    (
        "mbedtls_platform_gmtime_r_alt",
        "MBEDTLS_PLATFORM_GMTIME_R_ALT",
        false,
    ),
];

/// Everything the build needs to know about the selected configuration.
#[derive(Clone, Debug)]
pub struct BuildConfig {
    /// The `std` feature: hosted build with OS services.
    pub std: bool,
    /// The threading backend.
    pub threading: Threading,
    /// `MBEDTLS_ENTROPY_HARDWARE_ALT`: the application supplies
    /// `mbedtls_hardware_poll()` (feature `entropy-hardware-alt`).
    pub entropy_hardware_alt: bool,
    /// `MBEDTLS_ENTROPY_NV_SEED` (feature `entropy-nv-seed`).
    pub entropy_nv_seed: bool,
    /// `MBEDTLS_CTR_DRBG_USE_128_BIT_KEY` (feature `ctr-drbg-128-bit-key`).
    pub ctr_drbg_128_bit_key: bool,
}

fn feature(name: &str) -> bool {
    let var = format!("CARGO_FEATURE_{}", name.to_uppercase().replace('-', "_"));
    env::var_os(var).is_some()
}

impl BuildConfig {
    /// Reads the configuration from the `CARGO_FEATURE_*` variables that Cargo
    /// sets for build scripts.
    pub fn from_cargo_features() -> BuildConfig {
        let std = feature("std");
        // Precedence, documented in Cargo.toml: alt > pthread > builtin.
        let threading = if feature("threading-alt") {
            Threading::Alt
        } else if feature("threading-pthread") {
            Threading::Pthread
        } else if feature("threading-builtin") {
            Threading::Builtin
        } else {
            Threading::None
        };
        BuildConfig {
            std,
            threading,
            entropy_hardware_alt: feature("entropy-hardware-alt"),
            entropy_nv_seed: feature("entropy-nv-seed"),
            ctr_drbg_128_bit_key: feature("ctr-drbg-128-bit-key"),
        }
    }

    /// `rustc --cfg` names for this configuration: every macro of
    /// `mbedtls_config.h` in lower case (`MBEDTLS_FS_IO` -> `mbedtls_fs_io`).
    pub fn rustc_cfgs(&self) -> Vec<String> {
        let mut cfgs: Vec<String> = self
            .config_macros()
            .iter()
            .map(|(name, _)| name.to_lowercase())
            .collect();
        for (cfg, _, on) in EXTRA_CFGS {
            if *on {
                cfgs.push(cfg.to_string());
            }
        }
        cfgs
    }

    /// Every macro that some configuration may define, for `check-cfg` and
    /// for cbindgen's cfg-to-`#if defined(...)` mapping.
    pub fn all_macros() -> Vec<&'static str> {
        let mut all: Vec<&'static str> = Vec::new();
        for std in [true, false] {
            for threading in [
                Threading::None,
                Threading::Builtin,
                Threading::Pthread,
                Threading::Alt,
            ] {
                let config = BuildConfig {
                    std,
                    threading,
                    entropy_hardware_alt: true,
                    entropy_nv_seed: true,
                    ctr_drbg_128_bit_key: true,
                };
                for (name, _) in config.config_macros() {
                    if !all.contains(&name) {
                        all.push(name);
                    }
                }
            }
        }
        all
    }

    /// The configuration macros this build defines, in the order they appear
    /// in `mbedtls_config.h`, each with a one-line description.
    ///
    /// This is the single source for `mbedtls_config.h` and for the feature
    /// list behind `mbedtls_version_check_feature`.
    pub fn config_macros(&self) -> Vec<(&'static str, &'static str)> {
        let mut m: Vec<(&'static str, &'static str)> = Vec::new();
        // System support.
        if self.std {
            m.push((
                "MBEDTLS_HAVE_TIME",
                "time() and mbedtls_ms_time() are available",
            ));
            m.push((
                "MBEDTLS_HAVE_TIME_DATE",
                "mbedtls_platform_gmtime_r() is available",
            ));
            m.push((
                "MBEDTLS_FS_IO",
                "functions that read and write files are available",
            ));
        }
        if !self.std {
            m.push((
                "MBEDTLS_NO_PLATFORM_ENTROPY",
                "no operating-system entropy source (firmware build)",
            ));
        }
        if self.entropy_hardware_alt {
            m.push((
                "MBEDTLS_ENTROPY_HARDWARE_ALT",
                "the application supplies mbedtls_hardware_poll(), a strong entropy source",
            ));
        }
        if self.entropy_nv_seed {
            m.push((
                "MBEDTLS_ENTROPY_NV_SEED",
                "entropy is also drawn from a seed kept in non-volatile storage",
            ));
        }
        if self.ctr_drbg_128_bit_key {
            m.push((
                "MBEDTLS_CTR_DRBG_USE_128_BIT_KEY",
                "CTR_DRBG uses AES-128 instead of AES-256",
            ));
        }
        // Modules.
        m.push(("MBEDTLS_BIGNUM_C", "bignum.h: multi-precision integers"));
        m.push((
            "MBEDTLS_CTR_DRBG_C",
            "ctr_drbg.h: the AES-CTR deterministic random bit generator",
        ));
        m.push((
            "MBEDTLS_ENTROPY_C",
            "entropy.h: the entropy accumulator and its sources",
        ));
        m.push(("MBEDTLS_ERROR_C", "error.h: mbedtls_strerror() and friends"));
        m.push((
            "MBEDTLS_GENPRIME",
            "prime generation and testing: mbedtls_mpi_gen_prime(), mbedtls_mpi_is_prime_ext()",
        ));
        m.push((
            "MBEDTLS_HMAC_DRBG_C",
            "hmac_drbg.h: the HMAC deterministic random bit generator",
        ));
        m.push((
            "MBEDTLS_MD_C",
            "md.h: the generic message-digest layer, with HMAC",
        ));
        m.push((
            "MBEDTLS_MEMORY_BUFFER_ALLOC_C",
            "memory_buffer_alloc.h: a heap over a static buffer behind mbedtls_calloc()",
        ));
        m.push((
            "MBEDTLS_MEMORY_DEBUG",
            "the heap's statistics: mbedtls_memory_buffer_alloc_status() and the counters",
        ));
        m.push((
            "MBEDTLS_PKCS1_V15",
            "rsa.h: PKCS#1 v1.5 encryption and signatures",
        ));
        m.push((
            "MBEDTLS_PKCS1_V21",
            "rsa.h: PKCS#1 v2.1 OAEP encryption and PSS signatures",
        ));
        m.push((
            "MBEDTLS_PLATFORM_C",
            "platform.h: the platform abstraction layer",
        ));
        m.push((
            "MBEDTLS_PLATFORM_MEMORY",
            "mbedtls_calloc()/mbedtls_free() are functions with a runtime hook",
        ));
        if self.threading != Threading::None {
            m.push((
                "MBEDTLS_THREADING_C",
                "threading.h: the mutex abstraction layer",
            ));
        }
        match self.threading {
            Threading::None => {}
            Threading::Builtin => m.push((
                "MBEDTLS_THREADING_BUILTIN",
                "mutexes are mbedcrypto-rs's built-in parking mutex (not an upstream option)",
            )),
            Threading::Pthread => m.push((
                "MBEDTLS_THREADING_PTHREAD",
                "mutexes are pthread mutexes in upstream's layout",
            )),
            Threading::Alt => m.push((
                "MBEDTLS_THREADING_ALT",
                "mutexes come from the application's threading_alt.h",
            )),
        }
        m.push(("MBEDTLS_RSA_C", "rsa.h: the RSA public-key cryptosystem"));
        m.push(("MBEDTLS_SELF_TEST", "the *_self_test() functions"));
        m.push(("MBEDTLS_SHA1_C", "sha1.h: SHA-1"));
        m.push(("MBEDTLS_SHA224_C", "sha256.h: SHA-224"));
        m.push(("MBEDTLS_SHA256_C", "sha256.h: SHA-256"));
        m.push(("MBEDTLS_SHA384_C", "sha512.h: SHA-384"));
        m.push(("MBEDTLS_SHA512_C", "sha512.h: SHA-512"));
        m.push((
            "MBEDTLS_SSL_CACHE_C",
            "ssl_cache.h: the server's session cache",
        ));
        m.push((
            "MBEDTLS_SSL_COOKIE_C",
            "ssl_cookie.h: DTLS HelloVerifyRequest cookies",
        ));
        m.push((
            "MBEDTLS_SSL_TICKET_C",
            "ssl_ticket.h: session tickets sealed with AES-GCM or ChaCha20-Poly1305",
        ));
        m.push((
            "MBEDTLS_SSL_TLS_C",
            "ssl.h: the session stores' part of the SSL layer (error codes, callback types)",
        ));
        m.push((
            "MBEDTLS_VERSION_C",
            "version.h: run-time version information",
        ));
        m.push((
            "MBEDTLS_VERSION_FEATURES",
            "mbedtls_version_check_feature() knows the compiled-in options",
        ));
        m
    }

    /// The text of `mbedtls_config.h` for this configuration.
    pub fn config_header(&self) -> String {
        let mut s = String::new();
        for line in [
            "/*",
            " * mbedtls_config.h: the configuration this build of mbedcrypto-rs was made with.",
            " *",
            " * Generated by build.rs from the Cargo features of the build; do not edit.",
            " * It defines exactly the modules and options that the library implements.",
            " * Changing it does not change the library: rebuild with other features",
            " * instead (see README.md, \"Configurations\").",
            " */",
            "",
        ] {
            s.push_str(line);
            s.push('\n');
        }
        s.push_str("#ifndef MBEDTLS_CONFIG_H\n#define MBEDTLS_CONFIG_H\n\n");
        for (name, what) in self.config_macros() {
            s.push_str(&format!("/* {what} */\n#define {name}\n\n"));
        }
        s.push_str("#endif /* MBEDTLS_CONFIG_H */\n");
        s
    }
}
