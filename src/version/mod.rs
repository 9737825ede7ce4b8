//! version.h: which Mbed TLS API version we implement, which options are
//! compiled in, and our own version (for threading_ext.h).

use core::ffi::CStr;

pub(crate) mod ffi;

include!(concat!(env!("OUT_DIR"), "/features.rs"));

/// `MBEDTLS_VERSION_STRING`.
pub(crate) const VERSION_CSTR: &CStr = c"3.6.6";
/// `MBEDTLS_VERSION_STRING_FULL`.
pub(crate) const VERSION_FULL_CSTR: &CStr = c"Mbed TLS 3.6.6";
/// The version of mbedcrypto-rs itself (Cargo.toml's `version`).
pub(crate) const MBEDCRYPTO_VERSION_CSTR: &CStr = c"0.1.0";

/// Whether the option `name` (with its `MBEDTLS_` prefix) is compiled in:
/// 0 if it is, -1 if it is not or does not start with `MBEDTLS_`.
pub(crate) fn check_feature(name: &[u8]) -> i32 {
    let Some(rest) = name.strip_prefix(b"MBEDTLS_") else {
        return -1;
    };
    if COMPILED_FEATURES.iter().any(|f| f.as_bytes() == rest) {
        0
    } else {
        -1
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::abi::build_info::*;
    use crate::abi::threading_ext::*;

    #[test]
    fn versions_agree() {
        let numeric =
            std::format!("{MBEDTLS_VERSION_MAJOR}.{MBEDTLS_VERSION_MINOR}.{MBEDTLS_VERSION_PATCH}");
        assert_eq!(VERSION_CSTR.to_str().unwrap(), numeric);
        assert_eq!(
            VERSION_FULL_CSTR.to_str().unwrap(),
            std::format!("Mbed TLS {numeric}")
        );
        assert_eq!(
            MBEDTLS_VERSION_NUMBER,
            MBEDTLS_VERSION_MAJOR << 24 | MBEDTLS_VERSION_MINOR << 16 | MBEDTLS_VERSION_PATCH << 8
        );
        let ours = std::format!(
            "{MBEDCRYPTO_VERSION_MAJOR}.{MBEDCRYPTO_VERSION_MINOR}.{MBEDCRYPTO_VERSION_PATCH}"
        );
        assert_eq!(ours, env!("CARGO_PKG_VERSION"));
        assert_eq!(MBEDCRYPTO_VERSION_CSTR.to_str().unwrap(), ours);
    }

    #[test]
    fn features() {
        assert_eq!(check_feature(b"MBEDTLS_PLATFORM_C"), 0);
        assert_eq!(check_feature(b"MBEDTLS_VERSION_C"), 0);
        assert_eq!(check_feature(b"PLATFORM_C"), -1, "the prefix is required");
        assert_eq!(check_feature(b"MBEDTLS_PLATFORM"), -1, "exact match only");
        assert_eq!(check_feature(b"MBEDTLS_RSA_NO_CRT"), -1);
        assert_eq!(
            check_feature(b"MBEDTLS_THREADING_C"),
            if cfg!(mbedtls_threading_c) { 0 } else { -1 }
        );
    }
}
