/*
 * rsa_verify.c: checks a PKCS#1 v1.5 RSA/SHA-256 signature of a file, the
 * calls of upstream's programs/pkey/rsa_verify.c. The public key is read
 * from a text file in rsa_genkey's format (N and E lines; a private key
 * file works too, its first two lines being the same).
 *
 * The signature is read from <file>.sig (or the given signature file) as
 * hex bytes separated by white space, as rsa_sign writes it; with -bin it
 * is read as raw bytes. Exits with success only if the signature is valid.
 *
 * usage: rsa_verify [-bin] <public key file> <file> [<signature file>]
 */

/* The whole program is shared with its PSS twin, in rsa_files.h. */
#include "rsa_files.h"

int main(int argc, char *argv[])
{
    return rsa_verify_program(argc, argv, "rsa_verify", MBEDTLS_RSA_PKCS_V15, HEX_FILE);
}
