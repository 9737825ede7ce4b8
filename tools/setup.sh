#!/usr/bin/env bash
# Installs what `make test` (or, with --minimal, `make demo`) needs and is
# missing: Debian packages and rustup components. Idempotent and quiet when
# everything is there.
set -euo pipefail

minimal=0
[ "${1:-}" = "--minimal" ] && minimal=1

SUDO=""
if [ "$(id -u)" != 0 ] && command -v sudo >/dev/null 2>&1; then SUDO=sudo; fi

apt_missing=()
need_cmd() { command -v "$1" >/dev/null 2>&1 || apt_missing+=("$2"); }
need_cmd cc gcc
need_cmd make make
need_cmd python3 python3
if [ $minimal = 0 ]; then
    need_cmd valgrind valgrind
    need_cmd nm binutils
    need_cmd g++ g++
    # The firmware build's C compiler (probes threading_alt.h for Cortex-M).
    need_cmd arm-none-eabi-gcc gcc-arm-none-eabi
    # GCC's sanitizer runtimes (for the ASan+UBSan C tests).
    if command -v cc >/dev/null 2>&1; then
        probe=$(mktemp -d)
        echo 'int main(void){return 0;}' > "$probe/p.c"
        if ! cc -fsanitize=address,undefined -o "$probe/p" "$probe/p.c" >/dev/null 2>&1; then
            apt_missing+=(libasan8 libubsan1)
        fi
        rm -rf "$probe"
    fi
fi
if [ ${#apt_missing[@]} -gt 0 ]; then
    echo "setup: installing ${apt_missing[*]}"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${apt_missing[@]}" >/dev/null
fi

if ! command -v rustup >/dev/null 2>&1; then
    echo "setup: rustup is required (https://rustup.rs)" >&2
    exit 1
fi
installed=$(rustup component list --installed 2>/dev/null || true)
for c in rustfmt clippy; do
    if ! grep -q "^$c" <<<"$installed"; then
        echo "setup: rustup component add $c"
        rustup component add "$c" >/dev/null
    fi
done
[ $minimal = 1 ] && exit 0

# Nightly: ThreadSanitizer (-Zbuild-std needs rust-src) and Miri.
if ! rustup toolchain list | grep -q '^nightly'; then
    echo "setup: rustup toolchain install nightly"
    rustup toolchain install nightly --profile minimal >/dev/null
fi
nightly=$(rustup component list --toolchain nightly --installed 2>/dev/null || true)
for c in rust-src miri; do
    if ! grep -q "^$c" <<<"$nightly"; then
        echo "setup: rustup component add $c --toolchain nightly"
        rustup component add "$c" --toolchain nightly >/dev/null
    fi
done
# The firmware target, for the no_std build check.
if ! rustup target list --installed | grep -q '^thumbv7em-none-eabihf$'; then
    echo "setup: rustup target add thumbv7em-none-eabihf"
    rustup target add thumbv7em-none-eabihf >/dev/null
fi
