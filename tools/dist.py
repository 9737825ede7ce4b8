#!/usr/bin/env python3
"""Builds mbedcrypto-rs for one configuration and assembles what a C
program needs into target/dist/<name>/:

    include/mbedtls/*.h   the headers generated for this configuration
    lib/libmbedcrypto.a   the static library
    lib/libmbedcrypto-rs.so.0 and lib/libmbedcrypto.so -> it (not for tsan)

Each configuration builds in its own Cargo target directory
(target/configs/<name>), so switching configurations never rebuilds or
mixes up another's library.

Usage: tools/dist.py CONFIG [--profile debug|release] [--tsan]
CONFIG is builtin, pthread, alt, none or firmware (thumbv7em-none-eabihf,
the `firmware` Cargo profile; --profile is ignored). For alt, the environment variable
MBEDCRYPTO_THREADING_ALT_INCLUDE must name the directory of threading_alt.h
(it defaults to c-tests/alt, the tested example). Prints the dist directory.
"""

import argparse
import json
import os
import shutil
import subprocess
import tempfile
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

FEATURES = {
    "builtin": ["--features", "threading-builtin"],
    "pthread": ["--features", "threading-pthread"],
    "alt": ["--no-default-features", "--features", "std,threading-alt"],
    "none": ["--no-default-features", "--features", "std"],
    # Cortex-M4 firmware (no_std): the application's interrupt-masking mutex
    # (threading_alt.h in firmware/) and its hardware entropy poll.
    "firmware": ["--no-default-features", "--features", "threading-alt,entropy-hardware-alt"],
}

FIRMWARE_TARGET = "thumbv7em-none-eabihf"
# The C toolchain of the test firmware, and its flags for this target (they
# select the multilib whose libc.a and libgcc.a a firmware links).
FIRMWARE_CC = ["arm-none-eabi-gcc", "-mcpu=cortex-m4", "-mthumb", "-mfloat-abi=hard", "-mfpu=fpv4-sp-d16"]


def drop_c_duplicates(archive):
    """Removes from a firmware static library the members of Rust's
    compiler_builtins whose C symbols (memcpy, memset, __aeabi_memclr4,
    __aeabi_uldivmod, ...) the C toolchain's libc.a or libgcc.a also
    defines. A firmware links those libraries anyway; without this, the
    first archive on the link line wins and the image carries Rust's copies
    (about 3 KB) beside or instead of the C library's. Returns the names of
    the members removed (none if the toolchain is missing)."""
    readelf = FIRMWARE_CC[0].replace("gcc", "readelf")
    ar = FIRMWARE_CC[0].replace("gcc", "ar")

    def defined(path):
        """(member, symbol) for each global or weak symbol an archive's
        members define (readelf: nm skips some of Rust's objects)."""
        out = subprocess.run([readelf, "-s", "-W", path], check=True, stdout=subprocess.PIPE,
                             stderr=subprocess.DEVNULL, text=True).stdout
        member = None
        for line in out.splitlines():
            if line.startswith("File: "):
                member = line[line.find("(") + 1:line.rfind(")")]
                continue
            f = line.split()
            # Num: Value Size Type Bind Vis Ndx Name
            if len(f) == 8 and f[4] in ("GLOBAL", "WEAK") and f[6] != "UND":
                yield member, f[7]

    provided = set()
    c_symbols = {}
    try:
        for lib in ("libc.a", "libgcc.a"):
            path = subprocess.run(FIRMWARE_CC + [f"-print-file-name={lib}"], check=True,
                                  stdout=subprocess.PIPE, text=True).stdout.strip()
            if not os.path.isabs(path):
                return []
            provided.update(sym for _, sym in defined(path))
        for member, sym in defined(archive):
            if member.startswith("compiler_builtins"):
                entry = c_symbols.setdefault(member, [])
                # Rust-mangled symbols are the crate's own internals.
                if not sym.startswith(("_R", "_ZN")):
                    entry.append(sym)
    except (OSError, subprocess.CalledProcessError):
        print("dist.py: could not list the symbols of the arm-none-eabi C libraries or of the"
              " library; compiler_builtins kept whole", file=sys.stderr)
        return []
    drop = sorted(m for m, syms in c_symbols.items() if syms and all(s in provided for s in syms))
    if drop:
        # The members removed go to libmbedcrypto_builtins.a beside the
        # library, for links without newlib's libc.a and libgcc.a (-nostdlib,
        # another C library): link it after them. (ar's LLVM plugin complains
        # about the Rust objects' bitcode; noise.)
        out_dir = os.path.dirname(archive)
        builtins = os.path.join(out_dir, "libmbedcrypto_builtins.a")
        with tempfile.TemporaryDirectory() as tmp:
            subprocess.run([ar, "x", os.path.abspath(archive)] + drop, check=True, cwd=tmp,
                           stderr=subprocess.DEVNULL)
            if os.path.exists(builtins):
                os.remove(builtins)
            subprocess.run([ar, "rcs", builtins] + drop, check=True, cwd=tmp,
                           stderr=subprocess.DEVNULL)
        subprocess.run([ar, "d", archive] + drop, check=True, stderr=subprocess.DEVNULL)
    return drop


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("config", choices=sorted(FEATURES))
    ap.add_argument("--profile", default="release", choices=["debug", "release"])
    ap.add_argument("--tsan", action="store_true", help="nightly, -Zsanitizer=thread, -Zbuild-std")
    args = ap.parse_args()

    name = args.config + ("-tsan" if args.tsan else "") + ("-debug" if args.profile == "debug" else "")
    target_dir = os.path.join(ROOT, "target", "configs", name)
    env = dict(os.environ)
    if args.config == "alt":
        env.setdefault("MBEDCRYPTO_THREADING_ALT_INCLUDE", os.path.join(ROOT, "c-tests", "alt"))
    if args.config == "firmware":
        env["MBEDCRYPTO_THREADING_ALT_INCLUDE"] = os.path.join(ROOT, "firmware")
        name = "firmware"
        # A set RUSTFLAGS, even an empty one, would replace the size
        # options that .cargo/config.toml gives this target.
        if not env.get("RUSTFLAGS", "").strip():
            env.pop("RUSTFLAGS", None)

    cmd = ["cargo"]
    if args.tsan:
        cmd.append("+nightly")
    if args.config == "firmware":
        # Only the static library: when rustc also emits the rlib (and the
        # cdylib) of Cargo.toml's crate-type list, it links the dependencies'
        # own object files instead of optimising the whole program as one
        # LTO unit, and the firmware pulls in about 27 KB more.
        cmd += ["rustc", "--lib", "--crate-type", "staticlib"]
    else:
        cmd += ["build", "--lib"]
    cmd += ["--message-format=json-render-diagnostics", "--target-dir", target_dir]
    cmd += FEATURES[args.config]
    if args.config == "firmware":
        cmd += ["--target", FIRMWARE_TARGET, "--profile", "firmware"]
    elif args.profile == "release":
        cmd.append("--release")
    if args.tsan:
        host = "x86_64-unknown-linux-gnu"
        cmd += ["-Zbuild-std", "--target", host]
        env["RUSTFLAGS"] = (env.get("RUSTFLAGS", "") + " -Zsanitizer=thread").strip()
        # The nightly toolchain's own standard library is rebuilt with the
        # sanitizer; keep debug info for readable reports.
        env["CARGO_PROFILE_RELEASE_DEBUG"] = "true"

    proc = subprocess.run(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
    if proc.returncode != 0:
        sys.exit(f"cargo build failed for {name}")

    out_dir = None
    artifacts = []
    for line in proc.stdout.splitlines():
        msg = json.loads(line)
        if "mbedcrypto-rs" not in msg.get("package_id", ""):
            continue
        if msg.get("reason") == "build-script-executed":
            out_dir = msg["out_dir"]
        if msg.get("reason") == "compiler-artifact" and msg["target"]["name"] == "mbedcrypto":
            artifacts = msg["filenames"]
    if out_dir is None or not artifacts:
        sys.exit("could not find the build outputs in cargo's messages")

    dist = os.path.join(ROOT, "target", "dist", name)
    if os.path.isdir(dist):
        shutil.rmtree(dist)
    os.makedirs(os.path.join(dist, "lib"))
    shutil.copytree(os.path.join(out_dir, "include"), os.path.join(dist, "include"))
    for path in artifacts:
        base = os.path.basename(path)
        if base == "libmbedcrypto.a":
            shutil.copy2(path, os.path.join(dist, "lib", base))
            if args.config == "firmware":
                drop_c_duplicates(os.path.join(dist, "lib", base))
        elif base == "libmbedcrypto.so" and not args.tsan:
            real = os.path.join(dist, "lib", "libmbedcrypto-rs.so.0")
            shutil.copy2(path, real)
            os.symlink("libmbedcrypto-rs.so.0", os.path.join(dist, "lib", "libmbedcrypto.so"))
    if not os.path.exists(os.path.join(dist, "lib", "libmbedcrypto.a")):
        sys.exit("no static library was built")
    print(dist)


if __name__ == "__main__":
    main()
