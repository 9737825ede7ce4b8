/*
 * rsa_verify_pss.c: checks an RSASSA-PSS (PKCS#1 v2.1) signature of the
 * SHA-256 hash of a file, with MGF1-SHA-256 and any salt length, what
 * upstream's programs/pkey/rsa_verify_pss.c does through pk.h, here with
 * rsa.h directly. The public key is read from a text file in rsa_genkey's
 * format (N and E lines; a private key file works too).
 *
 * The signature is read from <file>.sig (or the given signature file) as
 * raw bytes, as rsa_sign_pss writes it; with -hex as hex bytes separated by
 * white space. Exits with success only if the signature is valid.
 *
 * usage: rsa_verify_pss [-hex] <public key file> <file> [<signature file>]
 */

/* The whole program is shared with its PKCS#1 v1.5 twin, in rsa_files.h. */
#include "rsa_files.h"

int main(int argc, char *argv[])
{
    return rsa_verify_program(argc, argv, "rsa_verify_pss", MBEDTLS_RSA_PKCS_V21,
                              BINARY_FILE);
}
