/*
 * rsa_decrypt.c: decrypts a ciphertext with an RSA private key, the calls
 * of upstream's programs/pkey/rsa_decrypt.c. The key is read from a text
 * file in rsa_genkey's format (N, E, D, P, Q, DP, DQ, QP lines).
 *
 * The ciphertext is read as hex bytes separated by white space (what
 * rsa_encrypt writes), or with -bin as raw bytes. Padding is PKCS#1 v1.5,
 * or with -oaep PKCS#1 v2.1 OAEP with SHA-256 (also for MGF1) and an empty
 * label. The message is printed (bytes outside printable ASCII as \xNN)
 * and, if an output file is named, written there as raw bytes.
 *
 * usage: rsa_decrypt [-oaep] [-bin] <private key file> <ciphertext file> [<output file>]
 */
#include "rsa_files.h"

int main(int argc, char *argv[])
{
    install_alt_mutex();
    mbedtls_rsa_context rsa;
    struct rsa_rng rng;
    unsigned char in[MBEDTLS_MPI_MAX_SIZE];
    unsigned char result[MBEDTLS_MPI_MAX_SIZE];
    size_t olen = 0;
    int status = MBEDTLS_EXIT_FAILURE;
    int oaep = 0, binary = 0;
    int ret;

    mbedtls_rsa_init(&rsa);
    rng_init(&rng);

    static const char *const options[] = { "-oaep", "-bin" };
    int *const option_flags[] = { &oaep, &binary };
    int arg = parse_flags(argc, argv, options, option_flags, 2);
    if (argc - arg != 2 && argc - arg != 3) {
        mbedtls_fprintf(stderr, "usage: %s [-oaep] [-bin] <private key file> <ciphertext file> "
                                "[<output file>]\n", argc > 0 ? argv[0] : "rsa_decrypt");
        goto exit;
    }
    const char *key_path = argv[arg];
    const char *in_path = argv[arg + 1];
    const char *out_path = argc - arg == 3 ? argv[arg + 2] : NULL;

    /* The private-key operation is blinded, so it needs an RNG. */
    if (rng_seed(&rng, "rsa_decrypt") != 0 || load_private_key(&rsa, key_path) != 0) {
        goto exit;
    }
    if (oaep && use_pkcs1_v21(&rsa) != 0) {
        goto exit;
    }
    if (read_key_block(&rsa, in_path, in, sizeof(in), binary, "not a ciphertext file") != 0) {
        goto exit;
    }

    ret = mbedtls_rsa_pkcs1_decrypt(&rsa, mbedtls_ctr_drbg_random, &rng.drbg, &olen,
                                    in, result, sizeof(result));
    if (ret != 0) {
        print_ret("mbedtls_rsa_pkcs1_decrypt", ret);
        goto exit;
    }

    mbedtls_printf("rsa_decrypt: the decrypted result is: '");
    for (size_t i = 0; i < olen; i++) {
        if (isprint(result[i]) && result[i] != '\\') {
            mbedtls_printf("%c", result[i]);
        } else {
            mbedtls_printf("\\x%02X", result[i]);
        }
    }
    mbedtls_printf("' (%u bytes, %s)\n", (unsigned) olen, oaep ? "OAEP/SHA-256" : "PKCS#1 v1.5");

    if (out_path != NULL && write_bytes(out_path, result, olen, BINARY_FILE) != 0) {
        goto exit;
    }
    status = MBEDTLS_EXIT_SUCCESS;

exit:
    mbedtls_platform_zeroize(result, sizeof(result));
    mbedtls_rsa_free(&rsa);
    rng_free(&rng);
    return status;
}
