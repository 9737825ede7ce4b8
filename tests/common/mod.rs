//! Helpers shared by the known-answer tests (`mod common;` in each).
//! Not every test uses every helper, hence the `dead_code` allowances.

use std::path::PathBuf;

/// The folder `sub` of the test vectors: under `$MBEDCRYPTO_VECTORS`, or
/// `<repo>/../shared/vectors`. Fails the test if it is missing.
#[allow(dead_code)]
pub fn vectors_dir(sub: &str) -> PathBuf {
    let dir = std::env::var_os("MBEDCRYPTO_VECTORS")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/vectors"))
        .join(sub);
    assert!(
        dir.is_dir(),
        "test vectors not found at {} (set MBEDCRYPTO_VECTORS)",
        dir.display()
    );
    dir
}

/// Bytes from a hex string (even length).
#[allow(dead_code)]
pub fn unhex(s: &str) -> Vec<u8> {
    assert!(s.len().is_multiple_of(2), "odd hex length: {s}");
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex"))
        .collect()
}
