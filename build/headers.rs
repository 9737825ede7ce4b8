//! Generates the public C headers into `$OUT_DIR/include/mbedtls/`.
//!
//! Every header that declares types, constants, globals or functions is
//! produced by cbindgen from the Rust sources listed below; the hand-written
//! parts (include lines, macros that have no Rust counterpart, static inline
//! helpers) live in `build/templates/<header>.head` and `.tail` and are
//! passed to cbindgen as its preamble and trailer. `mbedtls_config.h` comes
//! from `build/config.rs`. The checked-in copies under `include/` must equal
//! what this produces for the default features (`tests/headers.rs`).

use std::fs;
use std::path::{Path, PathBuf};

use crate::config::BuildConfig;

/// One generated header.
pub struct HeaderSpec {
    /// File name under `include/mbedtls/`.
    pub name: &'static str,
    /// Rust sources cbindgen reads for this header (relative to the crate).
    pub sources: &'static [&'static str],
}

/// The headers produced by cbindgen, in dependency order.
pub const HEADERS: &[HeaderSpec] = &[
    HeaderSpec {
        name: "build_info.h",
        sources: &["src/abi/build_info.rs"],
    },
    HeaderSpec {
        name: "private_access.h",
        sources: &[],
    },
    HeaderSpec {
        name: "platform_time.h",
        sources: &["src/abi/platform_time.rs", "src/platform/time_ffi.rs"],
    },
    HeaderSpec {
        name: "platform_util.h",
        sources: &["src/abi/platform_util.rs", "src/platform/util_ffi.rs"],
    },
    HeaderSpec {
        name: "platform.h",
        sources: &["src/abi/platform.rs", "src/platform/ffi.rs"],
    },
    HeaderSpec {
        name: "error.h",
        sources: &["src/abi/error.rs", "src/error/ffi.rs"],
    },
    HeaderSpec {
        name: "version.h",
        sources: &["src/version/ffi.rs"],
    },
    HeaderSpec {
        name: "threading.h",
        sources: &["src/abi/threading.rs", "src/threading/ffi.rs"],
    },
    HeaderSpec {
        name: "bignum.h",
        sources: &["src/abi/bignum.rs", "src/bignum/ffi.rs"],
    },
    HeaderSpec {
        name: "md.h",
        sources: &["src/abi/md.rs", "src/md/ffi.rs"],
    },
    HeaderSpec {
        name: "sha1.h",
        sources: &["src/abi/sha1.rs", "src/md/sha1_ffi.rs"],
    },
    HeaderSpec {
        name: "sha256.h",
        sources: &["src/abi/sha256.rs", "src/md/sha256_ffi.rs"],
    },
    HeaderSpec {
        name: "sha512.h",
        sources: &["src/abi/sha512.rs", "src/md/sha512_ffi.rs"],
    },
    HeaderSpec {
        name: "rsa.h",
        sources: &["src/abi/rsa.rs", "src/rsa/ffi.rs"],
    },
    HeaderSpec {
        name: "entropy.h",
        sources: &["src/abi/entropy.rs", "src/entropy/ffi.rs"],
    },
    HeaderSpec {
        name: "ctr_drbg.h",
        sources: &["src/abi/ctr_drbg.rs", "src/ctr_drbg/ffi.rs"],
    },
    HeaderSpec {
        name: "hmac_drbg.h",
        sources: &["src/abi/hmac_drbg.rs", "src/hmac_drbg/ffi.rs"],
    },
    HeaderSpec {
        name: "memory_buffer_alloc.h",
        sources: &[
            "src/abi/memory_buffer_alloc.rs",
            "src/memory_buffer_alloc/ffi.rs",
        ],
    },
    HeaderSpec {
        name: "cipher.h",
        sources: &["src/abi/cipher.rs"],
    },
    HeaderSpec {
        name: "ssl.h",
        sources: &["src/abi/ssl.rs", "src/ssl/ffi.rs"],
    },
    HeaderSpec {
        name: "ssl_cache.h",
        sources: &["src/abi/ssl_cache.rs", "src/ssl_cache/ffi.rs"],
    },
    HeaderSpec {
        name: "ssl_cookie.h",
        sources: &["src/abi/ssl_cookie.rs", "src/ssl_cookie/ffi.rs"],
    },
    HeaderSpec {
        name: "ssl_ticket.h",
        sources: &["src/abi/ssl_ticket.rs", "src/ssl_ticket/ffi.rs"],
    },
    HeaderSpec {
        name: "threading_ext.h",
        sources: &["src/abi/threading_ext.rs", "src/threading/ext_ffi.rs"],
    },
];

fn guard_for(name: &str) -> String {
    format!("MBEDTLS_{}", name.replace('.', "_").to_uppercase())
}

fn read_template(root: &Path, name: &str, part: &str) -> Option<String> {
    let path = root.join("build/templates").join(format!("{name}.{part}"));
    // Most headers lack one of the two parts. Watching a missing file would
    // rerun this script on every build; the directory, watched in build.rs,
    // covers a part added later.
    let text = fs::read_to_string(&path).ok()?;
    println!("cargo::rerun-if-changed={}", path.display());
    Some(text)
}

/// Rewrites `#define MBEDTLS_ERR_X -28` as `#define MBEDTLS_ERR_X -0x001C`,
/// the spelling C programmers know from upstream's headers, and the version
/// number as hex. cbindgen prints integer constants in decimal.
fn hex_constants(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.lines() {
        let mut done = false;
        if let Some(rest) = line.strip_prefix("#define ") {
            let mut parts = rest.splitn(2, ' ');
            let name = parts.next().unwrap_or("");
            let value = parts.next().unwrap_or("").trim();
            let negative = value.strip_prefix('-').and_then(|v| v.parse::<u32>().ok());
            if let (true, Some(mag)) = (name.contains("_ERR_"), negative) {
                out.push_str(&format!("#define {name} -0x{mag:04X}\n"));
                done = true;
            } else if let (true, Ok(v)) = (name == "MBEDTLS_VERSION_NUMBER", value.parse::<u32>()) {
                out.push_str(&format!("#define {name} 0x{v:08X}\n"));
                done = true;
            }
        }
        if !done {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

/// cbindgen (style "both") defines `typedef struct X {...} X;`, which C code
/// can name either way, but refers to the types as `struct X`. Upstream's
/// prototypes use the typedef name, and an application's `threading_alt.h`
/// may define `mbedtls_threading_mutex_t` as a typedef of an anonymous
/// struct, for which `struct mbedtls_threading_mutex_t` would be a different
/// (incomplete) type. So references use the typedef name.
fn typedef_names(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.lines() {
        if line.trim_start().starts_with("typedef struct") {
            out.push_str(line);
        } else {
            let mut rest = line;
            while let Some(i) = rest.find("struct mbed") {
                out.push_str(&rest[..i]);
                rest = &rest[i + "struct ".len()..];
            }
            out.push_str(rest);
        }
        out.push('\n');
    }
    out
}

/// cbindgen writes a struct member that has a `cfg` as
/// `#if defined(X)` / member / `#endif` / `;`, leaving a stray `;` (an
/// error under `-Wpedantic -Werror`) when X is not defined. Moves the `;`
/// onto the member, inside the condition.
fn conditional_members(text: &str) -> String {
    let mut out: Vec<String> = Vec::new();
    for line in text.lines() {
        let n = out.len();
        if line.trim() == ";" && n >= 2 && out[n - 1].trim() == "#endif" {
            out[n - 2].push(';');
            continue;
        }
        out.push(line.to_string());
    }
    let mut s = out.join("\n");
    s.push('\n');
    s
}

/// Writes every header for `config` into `out/include/mbedtls/`.
pub fn generate(root: &Path, out: &Path, config: &BuildConfig) -> PathBuf {
    let dir = out.join("include").join("mbedtls");
    fs::create_dir_all(&dir).expect("create include dir");
    let base_path = root.join("cbindgen.toml");
    println!("cargo::rerun-if-changed={}", base_path.display());
    let base = cbindgen::Config::from_file(&base_path).expect("read cbindgen.toml");

    fs::write(dir.join("mbedtls_config.h"), config.config_header()).expect("write config");

    for spec in HEADERS {
        let head = read_template(root, spec.name, "head").unwrap_or_default();
        let tail = read_template(root, spec.name, "tail");
        let text = if spec.sources.is_empty() {
            // A header with nothing to generate: the template is the header.
            head
        } else {
            let mut cfg = base.clone();
            // The guard is written here rather than by cbindgen, whose
            // trailer would land outside it.
            let guard = guard_for(spec.name);
            cfg.include_guard = None;
            cfg.after_includes = Some(format!("#ifndef {guard}\n#define {guard}\n\n{head}"));
            cfg.trailer = Some(format!(
                "{}\n#endif /* {guard} */",
                tail.unwrap_or_default()
            ));
            for name in BuildConfig::all_macros() {
                cfg.defines.insert(name.to_lowercase(), name.to_string());
            }
            for (rust_cfg, macro_name, _) in crate::config::EXTRA_CFGS {
                cfg.defines
                    .insert(rust_cfg.to_string(), macro_name.to_string());
            }
            let mut builder = cbindgen::Builder::new().with_config(cfg);
            for src in spec.sources {
                let path = root.join(src);
                println!("cargo::rerun-if-changed={}", path.display());
                builder = builder.with_src(path);
            }
            let bindings = builder
                .generate()
                .unwrap_or_else(|e| panic!("cbindgen failed for {}: {e}", spec.name));
            let mut buf = Vec::new();
            bindings.write(&mut buf);
            conditional_members(&typedef_names(&hex_constants(
                &String::from_utf8(buf).expect("cbindgen wrote UTF-8"),
            )))
        };
        fs::write(dir.join(spec.name), text).expect("write header");
    }
    out.join("include")
}
