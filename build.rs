//! Build script: derives the configuration from Cargo features, measures the
//! application's mutex type under `threading-alt`, and generates the C
//! headers into `$OUT_DIR/include` (never into the source tree).

#[path = "build/config.rs"]
mod config;
#[path = "build/headers.rs"]
mod headers;
#[path = "build/probe.rs"]
mod probe;

use std::env;
use std::fs;
use std::path::PathBuf;

use config::{BuildConfig, Threading};

fn main() {
    let root = PathBuf::from(env::var("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR"));
    let out = PathBuf::from(env::var("OUT_DIR").expect("OUT_DIR"));
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-changed=build/config.rs");
    println!("cargo::rerun-if-changed=build/headers.rs");
    println!("cargo::rerun-if-changed=build/probe.rs");
    println!("cargo::rerun-if-changed=build/templates");

    let config = BuildConfig::from_cargo_features();

    // Every mbedtls_config.h macro is also a Rust cfg of the same name in
    // lower case, so Rust code and cbindgen's #if blocks agree.
    for name in BuildConfig::all_macros() {
        println!("cargo::rustc-check-cfg=cfg({})", name.to_lowercase());
    }
    for (cfg, _, _) in config::EXTRA_CFGS {
        println!("cargo::rustc-check-cfg=cfg({cfg})");
    }
    // Whether this is the configuration of the checked-in include/ tree.
    println!("cargo::rustc-check-cfg=cfg(mbedcrypto_default_config)");
    if config.std && config.threading == Threading::Builtin {
        println!("cargo::rustc-cfg=mbedcrypto_default_config");
    }
    for cfg in config.rustc_cfgs() {
        println!("cargo::rustc-cfg={cfg}");
    }

    // The option names behind mbedtls_version_check_feature().
    let mut features = String::from(
        "/// Names of the compiled-in options, without the `MBEDTLS_` prefix.\n\
         pub(crate) static COMPILED_FEATURES: &[&str] = &[\n",
    );
    for (name, _) in config.config_macros() {
        features.push_str(&format!("    {:?},\n", name.trim_start_matches("MBEDTLS_")));
    }
    features.push_str("];\n");
    fs::write(out.join("features.rs"), features).expect("write features.rs");

    // The application's mutex type, measured with the target's C compiler.
    println!("cargo::rerun-if-env-changed={}", probe::ALT_INCLUDE_ENV);
    let alt_rs = out.join("alt_mutex.rs");
    if config.threading == Threading::Alt {
        let include = env::var_os(probe::ALT_INCLUDE_ENV)
            .map(PathBuf::from)
            .unwrap_or_else(|| {
                panic!(
                    "the threading-alt feature needs {} to name the directory that \
                 holds your threading_alt.h",
                    probe::ALT_INCLUDE_ENV
                )
            });
        println!(
            "cargo::rerun-if-changed={}",
            include.join("threading_alt.h").display()
        );
        let compiler = cc::Build::new().cargo_metadata(false).get_compiler();
        let layout = probe::measure_alt_mutex(&compiler, &probe::scratch_dir(&out), &include);
        fs::write(&alt_rs, probe::alt_mutex_rust(layout)).expect("write alt_mutex.rs");
    } else {
        fs::write(&alt_rs, "").expect("write alt_mutex.rs");
    }

    // Capacity of the side table that tracks MBEDTLS_THREADING_ALT mutexes.
    println!("cargo::rerun-if-env-changed=MBEDCRYPTO_ALT_MUTEX_SLOTS");
    let slots: usize = match env::var("MBEDCRYPTO_ALT_MUTEX_SLOTS") {
        Ok(v) => v
            .parse()
            .expect("MBEDCRYPTO_ALT_MUTEX_SLOTS must be a number"),
        // 16 bytes a slot on 64-bit hosts; firmware keeps RAM small.
        Err(_) if config.std => 512,
        Err(_) => 64,
    };
    assert!(slots >= 8, "MBEDCRYPTO_ALT_MUTEX_SLOTS must be at least 8");
    fs::write(
        out.join("alt_slots.rs"),
        format!("/// Capacity of the ALT mutex side table (MBEDCRYPTO_ALT_MUTEX_SLOTS).\nconst SLOTS: usize = {slots};\n"),
    )
    .expect("write alt_slots.rs");

    let include = headers::generate(&root, &out, &config);
    println!(
        "cargo::rustc-env=MBEDCRYPTO_GENERATED_INCLUDE={}",
        include.display()
    );

    // A soname of our own: the library is source-compatible with upstream,
    // not binary-compatible, so it must never satisfy a binary linked
    // against upstream's libmbedcrypto.so.16.
    if env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("linux") {
        println!("cargo::rustc-cdylib-link-arg=-Wl,-soname,libmbedcrypto-rs.so.0");
    }
}
