/*
 * rsa_encrypt.c: encrypts a short message with an RSA public key, the calls
 * of upstream's programs/pkey/rsa_encrypt.c. The key is read from a text
 * file in rsa_genkey's format (N and E lines).
 *
 * The message is the <message> argument itself, or with -f the contents of
 * the file it names. Padding is PKCS#1 v1.5, or with -oaep PKCS#1 v2.1 OAEP
 * with SHA-256 (also for MGF1) and an empty label. The ciphertext is written
 * as upper-case hex bytes, 16 per "\r\n"-terminated line (upstream's
 * result-enc.txt format), or with -bin as raw bytes.
 *
 * usage: rsa_encrypt [-oaep] [-bin] [-f] <public key file> <message> <output file>
 */
#include "rsa_files.h"

int main(int argc, char *argv[])
{
    install_alt_mutex();
    mbedtls_rsa_context rsa;
    struct rsa_rng rng;
    unsigned char msg[MBEDTLS_MPI_MAX_SIZE];
    unsigned char out[MBEDTLS_MPI_MAX_SIZE];
    size_t msg_len = 0;
    int status = MBEDTLS_EXIT_FAILURE;
    int oaep = 0, binary = 0, from_file = 0;
    int ret;

    mbedtls_rsa_init(&rsa);
    rng_init(&rng);

    static const char *const options[] = { "-oaep", "-bin", "-f" };
    int *const option_flags[] = { &oaep, &binary, &from_file };
    int arg = parse_flags(argc, argv, options, option_flags, 3);
    if (argc - arg != 3) {
        mbedtls_fprintf(stderr, "usage: %s [-oaep] [-bin] [-f] <public key file> <message> "
                                "<output file>\n", argc > 0 ? argv[0] : "rsa_encrypt");
        goto exit;
    }
    const char *key_path = argv[arg];
    const char *message = argv[arg + 1];
    const char *out_path = argv[arg + 2];

    if (from_file) {
        long n = read_bytes(message, msg, sizeof(msg), BINARY_FILE, "read error or too long");
        if (n < 0) {
            goto exit;
        }
        msg_len = (size_t) n;
    } else {
        msg_len = strlen(message);
        if (msg_len > sizeof(msg)) {
            mbedtls_printf("message too long\n");
            goto exit;
        }
        memcpy(msg, message, msg_len);
    }

    if (rng_seed(&rng, "rsa_encrypt") != 0 || load_public_key(&rsa, key_path) != 0) {
        goto exit;
    }
    if (oaep && use_pkcs1_v21(&rsa) != 0) {
        goto exit;
    }

    ret = mbedtls_rsa_pkcs1_encrypt(&rsa, mbedtls_ctr_drbg_random, &rng.drbg, msg_len, msg, out);
    if (ret != 0) {
        print_ret("mbedtls_rsa_pkcs1_encrypt", ret);
        goto exit;
    }
    if (write_bytes(out_path, out, mbedtls_rsa_get_len(&rsa), binary) != 0) {
        goto exit;
    }
    mbedtls_printf("rsa_encrypt: %u-byte message encrypted (%s) into %s\n",
                   (unsigned) msg_len, oaep ? "OAEP/SHA-256" : "PKCS#1 v1.5", out_path);
    status = MBEDTLS_EXIT_SUCCESS;

exit:
    mbedtls_platform_zeroize(msg, sizeof(msg));
    mbedtls_rsa_free(&rsa);
    rng_free(&rng);
    return status;
}
