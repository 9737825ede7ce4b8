/*
 * rsa_sign.c: signs the SHA-256 hash of a file with PKCS#1 v1.5, the calls
 * of upstream's programs/pkey/rsa_sign.c. The private key is read from a
 * text file in rsa_genkey's format (N, E, D, P, Q, DP, DQ, QP lines).
 *
 * The signature goes to <file>.sig (or the given signature file) as
 * upper-case hex bytes separated by spaces, 16 per "\r\n"-terminated line;
 * with -bin it is written as raw bytes instead.
 *
 * usage: rsa_sign [-bin] <private key file> <file> [<signature file>]
 */

/* The whole program is shared with its PSS twin, in rsa_files.h. */
#include "rsa_files.h"

int main(int argc, char *argv[])
{
    return rsa_sign_program(argc, argv, "rsa_sign", MBEDTLS_RSA_PKCS_V15, HEX_FILE);
}
