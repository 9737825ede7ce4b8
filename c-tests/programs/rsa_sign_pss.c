/*
 * rsa_sign_pss.c: signs the SHA-256 hash of a file with RSASSA-PSS
 * (PKCS#1 v2.1, MGF1 with SHA-256, the largest salt up to 32 bytes), what
 * upstream's programs/pkey/rsa_sign_pss.c does through pk.h, here with
 * rsa.h directly. The private key is read from a text file in rsa_genkey's
 * format (N, E, D, P, Q, DP, DQ, QP lines).
 *
 * The signature goes to <file>.sig (or the given signature file) as raw
 * bytes, as upstream's PSS sample writes it; with -hex it is written as
 * upper-case hex bytes, 16 per "\r\n"-terminated line, like rsa_sign's.
 *
 * usage: rsa_sign_pss [-hex] <private key file> <file> [<signature file>]
 */

/* The whole program is shared with its PKCS#1 v1.5 twin, in rsa_files.h. */
#include "rsa_files.h"

int main(int argc, char *argv[])
{
    return rsa_sign_program(argc, argv, "rsa_sign_pss", MBEDTLS_RSA_PKCS_V21, BINARY_FILE);
}
