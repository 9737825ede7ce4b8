#!/usr/bin/env bash
# Everything `make test` runs, step by step; stops at the first failure and
# prints how long each step took. Steps: fmt clippy docs unit options abi
# valgrind_c shared tsan loom miri nostd firmware demo bench. Run `tools/setup.sh` first (make test does).
set -euo pipefail
cd "$(dirname "$0")/.."

export MBEDCRYPTO_THREADING_ALT_INCLUDE="${MBEDCRYPTO_THREADING_ALT_INCLUDE:-$PWD/c-tests/alt}"
export CARGO_TERM_COLOR=never
# A set RUSTFLAGS, even an empty one, replaces the target's rustflags in
# .cargo/config.toml (the firmware's compact backends and codegen options),
# so an empty one is removed.
if [ -z "${RUSTFLAGS:-}" ]; then unset RUSTFLAGS; fi

# The four configurations: Cargo features for each.
declare -A FEATURES=(
    [builtin]=""
    [pthread]="--features threading-pthread"
    [alt]="--no-default-features --features std,threading-alt"
    [none]="--no-default-features --features std"
)
CONFIGS="builtin pthread alt none"

start_all=$(date +%s)
step() {
    local name=$1; shift
    local t0=$(date +%s)
    echo
    echo "=== $name"
    "$@"
    echo "=== $name: ok ($(( $(date +%s) - t0 ))s)"
}

fmt()      { cargo fmt --all -- --check; }
clippy()   {
    for c in $CONFIGS; do
        echo "--- clippy ($c)"
        cargo clippy --workspace --all-targets ${FEATURES[$c]} -- -D warnings
    done
    echo "--- clippy (firmware, no_std, without threading and with threading-alt)"
    cargo clippy --lib --target thumbv7em-none-eabihf --no-default-features -- -D warnings
    MBEDCRYPTO_THREADING_ALT_INCLUDE=$PWD/firmware \
        cargo clippy --lib --target thumbv7em-none-eabihf --no-default-features \
        --features threading-alt -- -D warnings
}
docs()     { RUSTDOCFLAGS="-D warnings" cargo doc --no-deps --lib --document-private-items; }
unit()     {
    # Rust unit tests, the header check and the C tests (ASan + UBSan) for
    # every configuration.
    for c in $CONFIGS; do
        echo "--- cargo test ($c)"
        cargo test ${FEATURES[$c]}
    done
}
abi()      {
    for c in builtin pthread alt; do
        echo "--- ctest ABI check ($c)"
        cargo run -q -p mbedcrypto-systest ${FEATURES[$c]}
    done
}
valgrind_c() {
    python3 tools/dist.py builtin >/dev/null
    make -C c-tests --no-print-directory check DIST=$PWD/target/dist/builtin CONFIG=builtin VALGRIND=1
}
shared()   { make -C c-tests --no-print-directory check DIST=$PWD/target/dist/builtin CONFIG=builtin LINK=shared; }
tsan()     {
    for c in builtin pthread; do
        echo "--- ThreadSanitizer ($c)"
        make --no-print-directory c-test CONFIG=$c SAN=tsan
    done
}
loom()     {
    LOOM_MAX_PREEMPTIONS=3 RUSTFLAGS="--cfg loom" cargo test --release --lib \
        --no-default-features --features std --target-dir target/loom threading::loom_tests
}
miri()     {
    # The core's unit tests (state machines, error tables, boundary) and the
    # FFI tests of the built-in backend; the alt side table in its own build.
    # parking_lot_core casts integers to pointers, hence permissive provenance.
    # Everything but the long-running crypto tests (self-tests over a
    # million bytes, threaded entropy runs, prime and RSA key generation,
    # the Montgomery kernel's and the compact gcd's differential tests, and
    # the RSA padding tests, which are safe code over SHA-2 and take hours
    # here), plus the entropy FFI's lifecycle, NULL and re-entry tests.
    export MIRIFLAGS=-Zmiri-permissive-provenance
    cargo +nightly miri test --lib --target-dir target/miri -- \
        --skip md::self_test --skip entropy::ffi --skip bignum::prime::tests::generated_primes \
        --skip bignum::prime::tests::primality --skip bignum::ffi::self_test \
        --skip rsa::tests --skip rsa::ffi::self_test --skip rsa::kernel_choice \
        --skip bignum::mont --skip rsa::padding \
        --skip bignum::bingcd --skip bignum::tests::gcd_and_inverse_methods_agree
    cargo +nightly miri test --lib --target-dir target/miri -- \
        entropy::ffi::tests::lifecycles entropy::ffi::tests::null_pointers_and_lengths \
        entropy::ffi::tests::reentry
    cargo +nightly miri test --lib --target-dir target/miri ${FEATURES[alt]} threading::alt_table
}
nostd()    {
    # Without threading, and with an interrupt-masking firmware mutex
    # (threading_alt.h measured by arm-none-eabi-gcc).
    cargo rustc --lib --crate-type staticlib --target thumbv7em-none-eabihf \
        --no-default-features --profile firmware
    MBEDCRYPTO_THREADING_ALT_INCLUDE=$PWD/firmware \
        cargo rustc --lib --crate-type staticlib --target thumbv7em-none-eabihf \
        --no-default-features --features threading-alt --profile firmware
    ls -l target/thumbv7em-none-eabihf/firmware/libmbedcrypto.a
}
firmware() {
    # The test firmware on QEMU's Cortex-M4 board (firmware/).
    python3 tools/dist.py firmware >/dev/null
    make -C firmware --no-print-directory check DIST=$PWD/target/dist/firmware
}
options()  {
    # Module options (upstream's config macros as Cargo features): the
    # library's tests and the known answers for the other CTR_DRBG key size.
    # (The header check compares with the default configuration only.)
    cargo test --release --test rsa_vectors -- --nocapture
    # The firmware's bignum as an i686 build: the kernel's 32-bit path and
    # the compact gcd and inverse (--cfg mbedcrypto_compact_gcd), against
    # crypto-bigint and the 64-bit form, and RSA's known answers (key
    # completion, factoring N from D) on top of them.
    RUSTFLAGS="--cfg mbedcrypto_compact_gcd" \
        cargo test --release --target i686-unknown-linux-gnu --lib -- bignum:: rsa::
    RUSTFLAGS="--cfg mbedcrypto_compact_gcd" \
        cargo test --release --target i686-unknown-linux-gnu --test rsa_vectors
    cargo test --features ctr-drbg-128-bit-key --test ctr_drbg_vectors -- --nocapture
    cargo test --features ctr-drbg-128-bit-key --lib ctr_drbg
    cargo test --features entropy-nv-seed --lib
    cargo test --features entropy-hardware-alt --lib
    cargo test --features entropy-hardware-alt --test entropy_hardware_alt
    cargo clippy --all-targets --features entropy-nv-seed,entropy-hardware-alt,ctr-drbg-128-bit-key -- -D warnings
    cargo clippy --lib --target thumbv7em-none-eabihf --no-default-features \
        --features entropy-hardware-alt,entropy-nv-seed -- -D warnings
}
demo()     { make --no-print-directory demo; make --no-print-directory demo CONFIG=pthread; make --no-print-directory demo CONFIG=alt; }
bench()    {
    python3 tools/bench.py --smoke; tools/heap_bench.sh --smoke
    # The memory-latency probe behind the cache analysis: builds and runs.
    cc -std=c11 -O2 -Wall -Wextra -Wpedantic -Werror -o target/mem_latency c-tests/bench/mem_latency.c
    target/mem_latency 8 100000
}

# `tools/ci-steps.sh loom miri` runs only the named steps.
if [ $# -gt 0 ]; then
    for name in "$@"; do step "$name" "$name"; done
    exit 0
fi

step "rustfmt" fmt
step "clippy (all configurations, warnings denied)" clippy
step "rustdoc (warnings denied)" docs
step "unit, header and C tests (all configurations)" unit
step "RSA known answers, 32-bit bignum; module options (entropy NV seed / hardware source, AES-128 CTR_DRBG)" options
step "ABI check with ctest" abi
step "Valgrind memcheck of the C tests" valgrind_c
step "C tests against the shared library" shared
step "ThreadSanitizer (C and Rust instrumented)" tsan
step "loom models" loom
step "Miri" miri
step "no_std firmware build" nostd
step "test firmware under QEMU (Cortex-M4)" firmware
step "demo (three backends)" demo
step "benchmark smoke run" bench
echo
echo "make test: all steps passed in $(( $(date +%s) - start_all ))s"
