//! Measures the application's `mbedtls_threading_mutex_t` (from its
//! `threading_alt.h`) with the target's C compiler, without running anything,
//! so that it also works when cross-compiling for firmware.
//!
//! The probe compiles tiny translation units that contain a
//! `_Static_assert` on the size or alignment and bisects on whether they
//! compile. Each step is one `-fsyntax-only` compiler run.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Size and alignment of a C type, in bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Layout {
    /// `sizeof`.
    pub size: usize,
    /// `_Alignof`.
    pub align: usize,
}

/// The environment variable that names the directory holding the
/// application's `threading_alt.h`.
pub const ALT_INCLUDE_ENV: &str = "MBEDCRYPTO_THREADING_ALT_INCLUDE";

/// Largest mutex size the probe accepts.
const MAX_SIZE: usize = 4096;

fn compiles(compiler: &cc::Tool, dir: &Path, include: &Path, assertion: &str) -> bool {
    let src = dir.join("mbedcrypto_alt_probe.c");
    let text = format!(
        "#include <stddef.h>\n#include \"threading_alt.h\"\n_Static_assert({assertion}, \"probe\");\n"
    );
    fs::write(&src, text).expect("write probe source");
    let mut cmd: Command = compiler.to_command();
    cmd.arg("-std=c11")
        .arg("-fsyntax-only")
        .arg("-I")
        .arg(include)
        .arg(&src);
    match cmd.output() {
        Ok(out) => out.status.success(),
        Err(e) => panic!("cannot run the C compiler for the threading_alt.h probe: {e}"),
    }
}

/// Measures `mbedtls_threading_mutex_t` as declared by `include/threading_alt.h`.
///
/// Panics with a clear message when the header is missing or does not define
/// the type.
pub fn measure_alt_mutex(compiler: &cc::Tool, scratch: &Path, include: &Path) -> Layout {
    let header = include.join("threading_alt.h");
    assert!(
        header.is_file(),
        "{ALT_INCLUDE_ENV}={} does not contain threading_alt.h",
        include.display()
    );
    fs::create_dir_all(scratch).expect("create probe directory");
    assert!(
        compiles(
            compiler,
            scratch,
            include,
            "sizeof(mbedtls_threading_mutex_t) > 0"
        ),
        "{} does not define a complete type mbedtls_threading_mutex_t",
        header.display()
    );
    // Bisect the size: the smallest n with sizeof <= n.
    let (mut lo, mut hi) = (1usize, MAX_SIZE);
    assert!(
        compiles(
            compiler,
            scratch,
            include,
            &format!("sizeof(mbedtls_threading_mutex_t) <= {MAX_SIZE}")
        ),
        "mbedtls_threading_mutex_t is larger than {MAX_SIZE} bytes"
    );
    while lo < hi {
        let mid = (lo + hi) / 2;
        let a = format!("sizeof(mbedtls_threading_mutex_t) <= {mid}");
        if compiles(compiler, scratch, include, &a) {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    let size = lo;
    let mut align = 0;
    for candidate in [1usize, 2, 4, 8, 16, 32, 64, 128, 256] {
        let a = format!("_Alignof(mbedtls_threading_mutex_t) == {candidate}");
        if compiles(compiler, scratch, include, &a) {
            align = candidate;
            break;
        }
    }
    assert!(
        align > 0,
        "cannot determine the alignment of mbedtls_threading_mutex_t"
    );
    Layout { size, align }
}

/// Rust source for an opaque type with the measured layout. It is
/// `include!`d by `src/abi/threading.rs` under `mbedtls_threading = "alt"`.
pub fn alt_mutex_rust(layout: Layout) -> String {
    let mut s = String::new();
    writeln!(
        s,
        "/// The application's `mbedtls_threading_mutex_t` from its `threading_alt.h`,\n\
         /// seen from Rust as opaque storage of the same size and alignment\n\
         /// (measured by build.rs with the C compiler: {} bytes, {}-aligned).\n\
         /// cbindgen:ignore\n\
         #[repr(C, align({}))]\n\
         pub struct mbedtls_threading_mutex_t {{\n    \
             /// Opaque storage owned by the application's mutex functions.\n    \
             pub opaque: [u8; {}],\n\
         }}\n\n\
         /// Size of the application's mutex type, in bytes.\n\
         pub const MBEDCRYPTO_ALT_MUTEX_SIZE: usize = {};",
        layout.size, layout.align, layout.align, layout.size, layout.size
    )
    .unwrap();
    s
}

/// Where the probe writes its scratch files.
pub fn scratch_dir(out_dir: &Path) -> PathBuf {
    out_dir.join("alt-probe")
}
