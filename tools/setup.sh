#!/usr/bin/env bash
# Installs what `make test` (or, with --minimal, `make demo`) needs and is
# missing: Debian packages and rustup components. Idempotent and quiet when
# everything is there.
set -euo pipefail

# --minimal: what `make demo` needs. --firmware: what `make firmware-test`
# needs (the Arm toolchain, newlib, QEMU and the Rust target).
minimal=0
firmware=0
[ "${1:-}" = "--minimal" ] && minimal=1
[ "${1:-}" = "--firmware" ] && firmware=1 && minimal=1

SUDO=""
if [ "$(id -u)" != 0 ] && command -v sudo >/dev/null 2>&1; then SUDO=sudo; fi

apt_missing=()
need_cmd() { command -v "$1" >/dev/null 2>&1 || apt_missing+=("$2"); }
need_cmd cc gcc
need_cmd make make
need_cmd python3 python3
need_firmware() {
    need_cmd arm-none-eabi-gcc gcc-arm-none-eabi
    need_cmd qemu-system-arm qemu-system-arm
    # newlib (and its semihosting specs) for the test firmware.
    if ! [ -f /usr/lib/arm-none-eabi/newlib/rdimon.specs ] && \
       ! [ -f "$(arm-none-eabi-gcc -print-file-name=rdimon.specs 2>/dev/null)" ]; then
        apt_missing+=(libnewlib-arm-none-eabi)
    fi
}
[ $firmware = 1 ] && need_firmware
if [ $minimal = 0 ]; then
    need_firmware
    need_cmd openssl openssl
    need_cmd valgrind valgrind
    need_cmd nm binutils
    need_cmd g++ g++
    # 32-bit C runtime (the bignum kernel's 32-bit path is tested as an
    # i686 build).
    if command -v cc >/dev/null 2>&1; then
        probe=$(mktemp -d)
        echo 'int main(void){return 0;}' > "$probe/p.c"
        if ! cc -m32 -o "$probe/p" "$probe/p.c" >/dev/null 2>&1; then
            apt_missing+=(gcc-multilib)
        fi
        rm -rf "$probe"
    fi
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
target_firmware() {
    if ! rustup target list --installed | grep -q '^thumbv7em-none-eabihf$'; then
        echo "setup: rustup target add thumbv7em-none-eabihf"
        rustup target add thumbv7em-none-eabihf >/dev/null
    fi
}
[ $firmware = 1 ] && target_firmware
[ $minimal = 1 ] && exit 0
# i686: the bignum kernel's 32-bit path, tested on the host.
if ! rustup target list --installed | grep -q '^i686-unknown-linux-gnu$'; then
    echo "setup: rustup target add i686-unknown-linux-gnu"
    rustup target add i686-unknown-linux-gnu >/dev/null
fi

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
# The firmware target, for the no_std build and the test firmware.
target_firmware
