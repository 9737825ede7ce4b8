//! Drives the C test programs in `c-tests/` for the configuration this test
//! binary was built with: `tools/dist.py` builds the library for that
//! configuration (in its own target directory) and `make -C c-tests check`
//! compiles every test with `-Wall -Wextra -Wpedantic -Werror` and runs it.
//!
//! `MBEDCRYPTO_C_TESTS_SAN` picks the sanitizer (default `asan`, which is
//! ASan + UBSan; `none` to run without); `VALGRIND=1` wraps each test in
//! Valgrind memcheck.

use std::path::Path;
use std::process::Command;

fn config_name() -> &'static str {
    match mbedcrypto::mbedcrypto_threading_backend() {
        mbedcrypto::MBEDCRYPTO_THREADING_BUILTIN => "builtin",
        mbedcrypto::MBEDCRYPTO_THREADING_PTHREAD => "pthread",
        mbedcrypto::MBEDCRYPTO_THREADING_ALT => "alt",
        _ => "none",
    }
}

#[test]
#[cfg_attr(miri, ignore)]
fn c_tests_pass() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let config = config_name();
    let dist = Command::new("python3")
        .arg(root.join("tools/dist.py"))
        .args([config, "--profile", "debug"])
        .current_dir(root)
        .output()
        .expect("run tools/dist.py");
    assert!(
        dist.status.success(),
        "tools/dist.py {config} failed:\n{}",
        String::from_utf8_lossy(&dist.stderr)
    );
    let dist_dir = String::from_utf8(dist.stdout).unwrap().trim().to_string();

    let san = std::env::var("MBEDCRYPTO_C_TESTS_SAN").unwrap_or_else(|_| "asan".into());
    let out = Command::new("make")
        .args(["-C", "c-tests", "--no-print-directory", "check"])
        .arg(format!("DIST={dist_dir}"))
        .arg(format!("CONFIG={config}"))
        .arg(format!("SAN={san}"))
        .current_dir(root)
        .output()
        .expect("run make");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    println!("{stdout}");
    eprintln!("{stderr}");
    assert!(out.status.success(), "C tests failed for {config} ({san})");
    // Every test program reports its totals; make sure they all ran.
    let reports = stdout.lines().filter(|l| l.contains(" checks, ")).count();
    // The programs the Makefile builds for this configuration.
    let list = Command::new("make")
        .args(["-s", "-C", "c-tests", "--no-print-directory", "print-tests"])
        .arg(format!("CONFIG={config}"))
        .current_dir(root)
        .output()
        .expect("run make print-tests");
    let expected = String::from_utf8_lossy(&list.stdout)
        .split_whitespace()
        .count();
    assert!(expected >= 3, "make print-tests listed too few programs");
    assert_eq!(reports, expected, "not every C test program reported");
    assert!(
        !stdout.contains(" 0 checks"),
        "a C test program checked nothing"
    );
}
