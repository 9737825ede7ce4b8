//! The checked-in headers under `include/mbedtls/` must be exactly what the
//! build generates from the Rust sources (cbindgen) and the build
//! configuration. Refresh them with `make headers`.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

fn files(dir: &Path) -> BTreeSet<String> {
    fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("read {}: {e}", dir.display()))
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.ends_with(".h"))
        .collect()
}

#[test]
fn checked_in_headers_match_the_generated_ones() {
    let generated = PathBuf::from(mbedcrypto::GENERATED_INCLUDE_DIR).join("mbedtls");
    let checked_in = Path::new(env!("CARGO_MANIFEST_DIR")).join("include/mbedtls");
    assert_eq!(
        files(&generated),
        files(&checked_in),
        "the set of headers differs; run `make headers`"
    );
    let mut stale = Vec::new();
    for name in files(&generated) {
        // The configuration header describes the features of this build;
        // the checked-in one is the default configuration's.
        if name == "mbedtls_config.h" && !mbedcrypto::DEFAULT_CONFIG {
            continue;
        }
        let a = fs::read_to_string(generated.join(&name)).unwrap();
        let b = fs::read_to_string(checked_in.join(&name)).unwrap();
        if a != b {
            stale.push(name);
        }
    }
    assert!(
        stale.is_empty(),
        "checked-in headers differ from the generated ones: {stale:?}; run `make headers`"
    );
}

#[test]
fn config_header_matches_this_build() {
    let config = fs::read_to_string(
        PathBuf::from(mbedcrypto::GENERATED_INCLUDE_DIR).join("mbedtls/mbedtls_config.h"),
    )
    .unwrap();
    let defined = |m: &str| config.contains(&format!("#define {m}\n"));
    let backend = mbedcrypto::mbedcrypto_threading_backend();
    assert_eq!(
        defined("MBEDTLS_THREADING_C"),
        backend != mbedcrypto::MBEDCRYPTO_THREADING_NONE
    );
    assert_eq!(
        defined("MBEDTLS_THREADING_BUILTIN"),
        backend == mbedcrypto::MBEDCRYPTO_THREADING_BUILTIN
    );
    assert_eq!(
        defined("MBEDTLS_THREADING_PTHREAD"),
        backend == mbedcrypto::MBEDCRYPTO_THREADING_PTHREAD
    );
    assert_eq!(
        defined("MBEDTLS_THREADING_ALT"),
        backend == mbedcrypto::MBEDCRYPTO_THREADING_ALT
    );
}
