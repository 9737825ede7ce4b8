#!/usr/bin/env bash
# Interoperability of our RSA sample programs (c-tests/programs/rsa_*.c)
# with the OpenSSL command line tool (tested with OpenSSL 3.0):
#
#   1. an `openssl genrsa` key, converted to the programs' text key format:
#      our PKCS#1 v1.5 and PSS signatures verify with openssl, and openssl's
#      verify with ours;
#   2. OAEP (SHA-256, MGF1-SHA-256, empty label) and v1.5 ciphertexts made
#      by openssl decrypt with ours, and ours decrypt with openssl;
#   3. a key made by our rsa_genkey, turned into a DER RSAPrivateKey, passes
#      `openssl rsa -check`, and signatures made with it verify with openssl.
#
# usage: tools/openssl_interop.sh <directory with the built programs>
#
# RUN, if set, is a command prefix for our programs (for example
# RUN="valgrind -q --error-exitcode=99"); openssl is never run under it.
# Everything happens in a temporary directory, removed at exit. Each check
# prints a PASS line; the first failure prints FAIL and exits non-zero.

set -euo pipefail

if [ $# -ne 1 ] || [ ! -d "$1" ]; then
    echo "usage: $0 <directory with the built programs>" >&2
    exit 2
fi
BIN=$(cd "$1" && pwd)
read -r -a RUN_PREFIX <<< "${RUN:-}"

if ! command -v openssl > /dev/null; then
    echo "FAIL: the openssl command line tool is not installed" >&2
    exit 2
fi
for p in rsa_genkey rsa_sign rsa_verify rsa_sign_pss rsa_verify_pss rsa_encrypt rsa_decrypt; do
    if [ ! -x "$BIN/$p" ]; then
        echo "FAIL: $BIN/$p is missing" >&2
        exit 2
    fi
done

WORK=$(mktemp -d "${TMPDIR:-/tmp}/openssl_interop.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"
echo "openssl_interop: $(openssl version), programs from $BIN, working in $WORK"

fail() {
    echo "FAIL: $*"
    exit 1
}
pass() {
    echo "PASS: $*"
}

# ours PROGRAM ARGS...: runs one of our programs, its output kept in
# ours.log; returns the program's status.
ours() {
    local prog=$1
    shift
    ${RUN_PREFIX[@]+"${RUN_PREFIX[@]}"} "$BIN/$prog" "$@" > ours.log 2>&1
}

# must PROGRAM ARGS...: runs one of our programs that has to succeed.
must() {
    if ! ours "$@"; then
        cat ours.log
        fail "$1 ${*:2} exited with an error"
    fi
}

# must_fail PROGRAM ARGS...: runs one of our programs that has to refuse
# (exit status 1, so a crash or a Valgrind error does not count).
must_fail() {
    local rc=0
    ours "$@" || rc=$?
    if [ "$rc" -ne 1 ]; then
        cat ours.log
        fail "$1 ${*:2} exited with status $rc, expected 1"
    fi
}

# ssl ARGS...: runs openssl, its output kept in ssl.log; shows it on failure.
ssl() {
    if ! openssl "$@" > ssl.log 2>&1; then
        cat ssl.log
        return 1
    fi
}

# norm_hex HEX: upper case, no leading zero bytes, an even number of digits
# (what mbedtls_mpi_write_file writes).
norm_hex() {
    local h
    h=$(printf '%s' "$1" | tr 'a-f' 'A-F' | sed 's/^0*//')
    [ -n "$h" ] || h=00
    if [ $(( ${#h} % 2 )) -eq 1 ]; then
        h="0$h"
    fi
    printf '%s' "$h"
}

# der_to_text KEY.DER PRIV.TXT PUB.TXT: converts a DER RSAPrivateKey
# (PKCS#1) into the "NAME = HEX\r\n" text files of rsa_genkey.
der_to_text() {
    local der=$1 priv=$2 pub=$3
    local -a ints
    local names=(N E D P Q DP DQ QP)
    mapfile -t ints < <(openssl asn1parse -inform DER -in "$der" |
                        awk -F: '/prim: *INTEGER/ { print $NF }')
    [ "${#ints[@]}" -eq 9 ] || fail "$der: expected 9 INTEGERs, found ${#ints[@]}"
    [ "$(norm_hex "${ints[0]}")" = 00 ] || fail "$der: not a two-prime key (version ${ints[0]})"
    : > "$priv"
    for i in "${!names[@]}"; do
        printf '%s = %s\r\n' "${names[$i]}" "$(norm_hex "${ints[$((i + 1))]}")" >> "$priv"
    done
    head -n 2 "$priv" > "$pub"
}

# text_to_der PRIV.TXT KEY.DER: builds a DER RSAPrivateKey from our text
# key with `openssl asn1parse -genconf`.
text_to_der() {
    local priv=$1 der=$2 conf=$2.cnf
    local names=(N E D P Q DP DQ QP)
    local i=0 name eq value
    printf '%s\n' "asn1 = SEQUENCE:rsa_private_key" "[rsa_private_key]" "version = INTEGER:0" > "$conf"
    while IFS=' ' read -r name eq value; do
        [ "$i" -lt 8 ] && [ "$name" = "${names[$i]}" ] && [ "$eq" = "=" ] ||
            fail "$priv: line $((i + 1)) is not '${names[$i]:-(end of file)} = <hex>'"
        [[ "$value" =~ ^([0-9A-F]{2})+$ ]] ||
            fail "$priv: ${names[$i]} is not upper-case hex with whole bytes: '$value'"
        echo "c$i = INTEGER:0x$value" >> "$conf"
        i=$((i + 1))
    done < <(tr -d '\r' < "$priv")
    [ "$i" -eq 8 ] || fail "$priv: expected 8 lines, found $i"
    ssl asn1parse -genconf "$conf" -out "$der" -noout || fail "asn1parse -genconf on $priv"
}

# unhex TEXT BINARY: converts a file of hex bytes (white space ignored) to
# raw bytes.
unhex() {
    printf '%b' "$(tr -d ' \r\n' < "$1" | sed 's/../\\x&/g')" > "$2"
}

# hex_of FILE: the bytes of FILE as lower-case hex, one line.
hex_of() {
    od -An -tx1 -v "$1" | tr -d ' \n'
}

PSS_VERIFY_OPTS=(-pkeyopt rsa_padding_mode:pss -pkeyopt rsa_pss_saltlen:-2 -pkeyopt digest:sha256)
OAEP_OPTS=(-pkeyopt rsa_padding_mode:oaep -pkeyopt rsa_oaep_md:sha256 -pkeyopt rsa_mgf1_md:sha256)
V15_OPTS=(-pkeyopt rsa_padding_mode:pkcs1)

# The message: some kilobytes of binary data, so the file hashing is not a
# single block.
ssl rand -out msg.bin 5000 || fail "openssl rand"
ssl dgst -sha256 -binary -out msg.sha256 msg.bin || fail "openssl dgst -sha256"
cp msg.bin tampered.bin
printf 'x' >> tampered.bin

echo "== 1. an openssl key with our signature programs"
ssl genrsa -out ossl_key.pem 2048 || fail "openssl genrsa 2048"
ssl rsa -in ossl_key.pem -pubout -out ossl_pub.pem || fail "openssl rsa -pubout"
ssl rsa -in ossl_key.pem -traditional -outform DER -out ossl_key.der || fail "openssl rsa -traditional"
der_to_text ossl_key.der ossl_priv.txt ossl_pub.txt
pass "openssl genrsa 2048 key converted to our text format"

must rsa_sign ossl_priv.txt msg.bin
[ -s msg.bin.sig ] || fail "rsa_sign did not write msg.bin.sig"
must rsa_sign -bin ossl_priv.txt msg.bin sig_v15.bin
[ "$(wc -c < sig_v15.bin)" -eq 256 ] || fail "the binary v1.5 signature is not 256 bytes"
[ "$(tr -d ' \r\n' < msg.bin.sig | tr 'A-F' 'a-f')" = "$(hex_of sig_v15.bin)" ] ||
    fail "the hex and binary v1.5 signatures differ"
[ "$(head -c 49 msg.bin.sig | tail -c 2 | od -An -c | tr -d ' ')" = '\r\n' ] ||
    fail "msg.bin.sig does not have 16 hex bytes per CRLF line"
pass "rsa_sign wrote the signature as hex lines and as binary (identical)"

ssl dgst -sha256 -verify ossl_pub.pem -signature sig_v15.bin msg.bin || fail "openssl rejects our v1.5 signature"
grep -q 'Verified OK' ssl.log || fail "openssl dgst -verify did not say Verified OK"
pass "openssl dgst -sha256 -verify accepts our PKCS#1 v1.5 signature"

if openssl dgst -sha256 -verify ossl_pub.pem -signature sig_v15.bin tampered.bin > /dev/null 2>&1; then
    fail "openssl accepts our v1.5 signature for a different file"
fi
pass "openssl rejects our v1.5 signature on a modified file"

ssl dgst -sha256 -sign ossl_key.pem -out ossl_v15.sig msg.bin || fail "openssl dgst -sign"
cmp -s ossl_v15.sig sig_v15.bin || fail "openssl's v1.5 signature differs from ours (it is deterministic)"
pass "openssl's PKCS#1 v1.5 signature is byte-identical to ours"

must rsa_verify -bin ossl_pub.txt msg.bin ossl_v15.sig
must rsa_verify ossl_pub.txt msg.bin
must_fail rsa_verify -bin ossl_pub.txt tampered.bin ossl_v15.sig
pass "rsa_verify accepts openssl's v1.5 signature and rejects it on a modified file"

must rsa_sign_pss ossl_priv.txt msg.bin
[ "$(wc -c < msg.bin.sig)" -eq 256 ] || fail "the PSS signature is not 256 bytes"
ssl pkeyutl -verify -pubin -inkey ossl_pub.pem -in msg.sha256 -sigfile msg.bin.sig \
    "${PSS_VERIFY_OPTS[@]}" || fail "openssl rejects our PSS signature"
grep -q 'Signature Verified Successfully' ssl.log || fail "openssl pkeyutl -verify did not succeed"
pass "openssl pkeyutl -verify (PSS, SHA-256, salt length auto) accepts our PSS signature"

# With SALT_LEN_ANY, a 2048-bit key and SHA-256 the salt must be 32 bytes.
ssl pkeyutl -verify -pubin -inkey ossl_pub.pem -in msg.sha256 -sigfile msg.bin.sig \
    -pkeyopt rsa_padding_mode:pss -pkeyopt rsa_pss_saltlen:32 -pkeyopt digest:sha256 ||
    fail "our PSS signature does not have a 32-byte salt"
pass "our PSS signature has a 32-byte salt (the hash length)"

if openssl dgst -sha256 -binary tampered.bin | openssl pkeyutl -verify -pubin -inkey ossl_pub.pem \
       -sigfile msg.bin.sig "${PSS_VERIFY_OPTS[@]}" > /dev/null 2>&1; then
    fail "openssl accepts our PSS signature for a different file"
fi
pass "openssl rejects our PSS signature on a modified file"

for salt in digest max 0; do
    ssl pkeyutl -sign -inkey ossl_key.pem -in msg.sha256 -out "ossl_pss_$salt.sig" \
        -pkeyopt rsa_padding_mode:pss -pkeyopt "rsa_pss_saltlen:$salt" -pkeyopt digest:sha256 ||
        fail "openssl pkeyutl -sign PSS saltlen $salt"
    must rsa_verify_pss ossl_pub.txt msg.bin "ossl_pss_$salt.sig"
    must_fail rsa_verify_pss ossl_pub.txt tampered.bin "ossl_pss_$salt.sig"
    pass "rsa_verify_pss accepts openssl's PSS signature (salt length $salt), rejects it on a modified file"
done
must_fail rsa_verify ossl_pub.txt msg.bin ossl_pss_digest.sig
pass "rsa_verify (v1.5) rejects a PSS signature"

echo "== 2. encryption between openssl and ours"
# The longest messages that fit a 2048-bit key: 256 - 2*32 - 2 for OAEP with
# SHA-256, 256 - 11 for v1.5; plus short ones.
ssl rand -out pt_oaep_max.bin 190 || fail "openssl rand"
ssl rand -out pt_v15_max.bin 245 || fail "openssl rand"
printf 'interop test message' > pt_short.bin
: > pt_empty.bin

for pt in pt_oaep_max.bin pt_short.bin pt_empty.bin; do
    ssl pkeyutl -encrypt -pubin -inkey ossl_pub.pem -in "$pt" -out ct.bin "${OAEP_OPTS[@]}" ||
        fail "openssl OAEP encryption of $pt"
    must rsa_decrypt -oaep -bin ossl_priv.txt ct.bin out.bin
    cmp -s "$pt" out.bin || fail "rsa_decrypt -oaep: wrong plaintext for $pt"
    pass "rsa_decrypt -oaep decrypts openssl's OAEP/SHA-256 ciphertext ($(wc -c < "$pt") bytes)"
done

for pt in pt_v15_max.bin pt_short.bin pt_empty.bin; do
    ssl pkeyutl -encrypt -pubin -inkey ossl_pub.pem -in "$pt" -out ct.bin "${V15_OPTS[@]}" ||
        fail "openssl v1.5 encryption of $pt"
    must rsa_decrypt -bin ossl_priv.txt ct.bin out.bin
    cmp -s "$pt" out.bin || fail "rsa_decrypt: wrong plaintext for $pt"
    pass "rsa_decrypt decrypts openssl's PKCS#1 v1.5 ciphertext ($(wc -c < "$pt") bytes)"
done
# (Not the other way round: a v1.5 decryption of an OAEP ciphertext
# succeeds by chance about once in 256 tries.)
must_fail rsa_decrypt -oaep -bin ossl_priv.txt ct.bin out.bin
pass "rsa_decrypt -oaep rejects a PKCS#1 v1.5 ciphertext"

for pt in pt_oaep_max.bin pt_short.bin; do
    must rsa_encrypt -oaep -bin -f ossl_pub.txt "$pt" ct.bin
    [ "$(wc -c < ct.bin)" -eq 256 ] || fail "our OAEP ciphertext is not 256 bytes"
    ssl pkeyutl -decrypt -inkey ossl_key.pem -in ct.bin -out out.bin "${OAEP_OPTS[@]}" ||
        fail "openssl cannot decrypt our OAEP ciphertext of $pt"
    cmp -s "$pt" out.bin || fail "openssl decrypts our OAEP ciphertext of $pt to something else"
    pass "openssl pkeyutl -decrypt (OAEP/SHA-256) decrypts our ciphertext ($(wc -c < "$pt") bytes)"
done
must_fail rsa_encrypt -oaep -bin -f ossl_pub.txt pt_v15_max.bin ct.bin
pass "rsa_encrypt -oaep refuses a message too long for OAEP"

for pt in pt_v15_max.bin pt_short.bin; do
    must rsa_encrypt -bin -f ossl_pub.txt "$pt" ct.bin
    ssl pkeyutl -decrypt -inkey ossl_key.pem -in ct.bin -out out.bin "${V15_OPTS[@]}" ||
        fail "openssl cannot decrypt our v1.5 ciphertext of $pt"
    cmp -s "$pt" out.bin || fail "openssl decrypts our v1.5 ciphertext of $pt to something else"
    pass "openssl pkeyutl -decrypt (PKCS#1 v1.5) decrypts our ciphertext ($(wc -c < "$pt") bytes)"
done

# The hex text format of rsa_encrypt, decrypted by openssl.
must rsa_encrypt -oaep ossl_pub.txt "hello from rsa_encrypt" ct.txt
unhex ct.txt ct.bin
ssl pkeyutl -decrypt -inkey ossl_key.pem -in ct.bin -out out.bin "${OAEP_OPTS[@]}" ||
    fail "openssl cannot decrypt the hex ciphertext file of rsa_encrypt"
[ "$(cat out.bin)" = "hello from rsa_encrypt" ] || fail "wrong plaintext from the hex ciphertext file"
pass "openssl decrypts rsa_encrypt's hex ciphertext file (OAEP)"

echo "== 3. a key made by our rsa_genkey"
must rsa_genkey 2048 gen_pub.txt gen_priv.txt
text_to_der gen_priv.txt gen_key.der
ssl rsa -in gen_key.der -inform DER -check -noout || fail "openssl rsa -check fails on our key"
grep -qx 'RSA key ok' ssl.log || { cat ssl.log; fail "openssl rsa -check did not say 'RSA key ok'"; }
ssl rsa -in gen_key.der -inform DER -text -noout || fail "openssl rsa -text"
grep -q 'Private-Key: (2048 bit, 2 primes)' ssl.log || fail "our key is not a 2048-bit two-prime key"
grep -q 'publicExponent: 65537' ssl.log || fail "our key's public exponent is not 65537"
pass "openssl rsa -check: our 2048-bit key is ok (RSA key ok, e = 65537)"

# Our public key file must match the private one.
[ "$(tr -d '\r' < gen_pub.txt)" = "$(head -n 2 gen_priv.txt | tr -d '\r')" ] ||
    fail "gen_pub.txt is not the N and E of gen_priv.txt"
ssl rsa -in gen_key.der -inform DER -pubout -out gen_pub.pem || fail "openssl rsa -pubout on our key"
ssl rsa -in gen_key.der -inform DER -traditional -outform DER -out gen_key_ossl.der ||
    fail "openssl rsa -traditional on our key"
der_to_text gen_key_ossl.der gen_priv_ossl.txt gen_pub_ossl.txt
cmp -s gen_priv.txt gen_priv_ossl.txt || fail "our key text does not survive a round trip through openssl"
pass "our key text format round-trips through openssl's DER byte for byte"

must rsa_sign -bin gen_priv.txt msg.bin gen_v15.sig
ssl dgst -sha256 -verify gen_pub.pem -signature gen_v15.sig msg.bin || fail "openssl rejects our v1.5 signature (our key)"
must rsa_sign_pss gen_priv.txt msg.bin gen_pss.sig
ssl pkeyutl -verify -pubin -inkey gen_pub.pem -in msg.sha256 -sigfile gen_pss.sig \
    "${PSS_VERIFY_OPTS[@]}" || fail "openssl rejects our PSS signature (our key)"
pass "openssl verifies our v1.5 and PSS signatures made with our generated key"

ssl pkeyutl -encrypt -pubin -inkey gen_pub.pem -in pt_short.bin -out ct.bin "${OAEP_OPTS[@]}" ||
    fail "openssl OAEP encryption to our key"
must rsa_decrypt -oaep -bin gen_priv.txt ct.bin out.bin
cmp -s pt_short.bin out.bin || fail "wrong plaintext (our key)"
pass "rsa_decrypt -oaep decrypts openssl's ciphertext for our generated key"

echo "openssl_interop: all checks passed"
