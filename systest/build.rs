//! Generates the ABI check with ctest: a C file that includes our headers
//! (for the configuration selected by this crate's features) and reports
//! sizes, alignments, field offsets and constant values, and a Rust file
//! that compares them with `mbedcrypto::abi`.

#[allow(dead_code)]
#[path = "../build/config.rs"]
mod config;
#[path = "../build/probe.rs"]
mod probe;

use std::env;
use std::fs;
use std::path::PathBuf;

use config::{BuildConfig, Threading};

fn main() {
    let root = PathBuf::from(env::var("CARGO_MANIFEST_DIR").unwrap()).join("..");
    let out = PathBuf::from(env::var("OUT_DIR").unwrap());
    println!("cargo::rerun-if-changed=../src/abi");
    println!("cargo::rerun-if-changed=../include");
    println!("cargo::rerun-if-changed=../build/config.rs");
    println!("cargo::rerun-if-env-changed={}", probe::ALT_INCLUDE_ENV);

    let config = BuildConfig::from_cargo_features();

    // The configuration header of this build goes first on the include
    // path; the other headers are the checked-in ones (tests/headers.rs
    // keeps them equal to what the library generates).
    let inc = out.join("include");
    fs::create_dir_all(inc.join("mbedtls")).unwrap();
    fs::write(inc.join("mbedtls/mbedtls_config.h"), config.config_header()).unwrap();

    // The abi module include!s the measured ALT mutex from OUT_DIR.
    let mut alt_include = None;
    if config.threading == Threading::Alt {
        let dir = PathBuf::from(
            env::var_os(probe::ALT_INCLUDE_ENV).expect("set MBEDCRYPTO_THREADING_ALT_INCLUDE"),
        );
        let compiler = cc::Build::new().cargo_metadata(false).get_compiler();
        let layout = probe::measure_alt_mutex(&compiler, &probe::scratch_dir(&out), &dir);
        fs::write(out.join("alt_mutex.rs"), probe::alt_mutex_rust(layout)).unwrap();
        alt_include = Some(dir);
    } else {
        fs::write(out.join("alt_mutex.rs"), "").unwrap();
    }

    let mut cfg = ctest::TestGenerator::new();
    cfg.include(&inc).include(root.join("include"));
    if let Some(dir) = &alt_include {
        cfg.include(dir);
    }
    cfg.define("MBEDTLS_ALLOW_PRIVATE_ACCESS", None);
    for name in config.rustc_cfgs() {
        cfg.cfg(&name, None);
    }
    cfg.cfg("ctest", None);
    for h in [
        "mbedtls/build_info.h",
        "mbedtls/bignum.h",
        "mbedtls/ctr_drbg.h",
        "mbedtls/entropy.h",
        "mbedtls/error.h",
        "mbedtls/hmac_drbg.h",
        "mbedtls/md.h",
        "mbedtls/memory_buffer_alloc.h",
        "mbedtls/platform.h",
        "mbedtls/platform_time.h",
        "mbedtls/platform_util.h",
        "mbedtls/rsa.h",
        "mbedtls/sha1.h",
        "mbedtls/sha256.h",
        "mbedtls/sha512.h",
        "mbedtls/cipher.h",
        "mbedtls/ssl_ticket.h",
        "mbedtls/ssl.h",
        "mbedtls/ssl_cache.h",
        "mbedtls/ssl_cookie.h",
        "mbedtls/threading.h",
        "mbedtls/threading_ext.h",
    ] {
        cfg.header(h);
    }
    let alt = config.threading == Threading::Alt;
    // Under ALT the mutex is the application's type: Rust sees opaque
    // storage, so only its size and alignment can be compared.
    cfg.skip_struct_field(move |s, _| alt && s.ident() == "mbedtls_threading_mutex_t");
    // Stand-ins for libc types that only exist for ctest's expansion.
    cfg.skip_alias(|t| t.ident() == "time_t" || t.ident() == "pthread_mutex_t");
    // md.h: an incomplete type in C (Rust has a zero-sized marker), and
    // an enum in C that Rust takes as an integer.
    cfg.skip_struct(|s| s.ident() == "mbedtls_md_info_t");
    cfg.skip_alias(|t| t.ident() == "mbedtls_md_type_t");
    // Rust-only helper constant.
    cfg.skip_const(|c| c.ident() == "MBEDCRYPTO_ALT_MUTEX_SIZE");
    ctest::generate_test(&mut cfg, root.join("src/abi/mod.rs"), "all.rs").unwrap();
}
