/*
 * rsa_genkey.c: generates an RSA key pair with public exponent 65537 from a
 * CTR_DRBG seeded by the entropy sources, and saves it in the text format
 * of upstream's programs/pkey/rsa_genkey.c: one "NAME = <HEX>" line per
 * component (mbedtls_mpi_write_file), N and E in the public file and
 * N, E, D, P, Q, DP, DQ, QP in the private one.
 *
 * usage: rsa_genkey <bits> <public key file> <private key file>
 */
#include "rsa_files.h"

#define PUBLIC_EXPONENT 65537

int main(int argc, char *argv[])
{
    install_alt_mutex();
    mbedtls_rsa_context rsa;
    struct rsa_rng rng;
    mbedtls_mpi N, E, D, P, Q, DP, DQ, QP;
    int status = MBEDTLS_EXIT_FAILURE;
    int ret;

    /* Everything is initialised first so the exit path can free it all. */
    mbedtls_rsa_init(&rsa);
    rng_init(&rng);
    mbedtls_mpi_init(&N);
    mbedtls_mpi_init(&E);
    mbedtls_mpi_init(&D);
    mbedtls_mpi_init(&P);
    mbedtls_mpi_init(&Q);
    mbedtls_mpi_init(&DP);
    mbedtls_mpi_init(&DQ);
    mbedtls_mpi_init(&QP);

    if (argc != 4) {
        mbedtls_fprintf(stderr, "usage: %s <bits> <public key file> <private key file>\n",
                        argc > 0 ? argv[0] : "rsa_genkey");
        goto exit;
    }
    char *end = NULL;
    unsigned long bits = strtoul(argv[1], &end, 10);
    if (end == argv[1] || *end != '\0' || bits == 0 || bits > MBEDTLS_MPI_MAX_BITS) {
        mbedtls_printf("invalid key size: %s\n", argv[1]);
        goto exit;
    }

    if (rng_seed(&rng, "rsa_genkey") != 0) {
        goto exit;
    }

    mbedtls_printf("rsa_genkey: generating a %lu-bit key\n", bits);
    fflush(stdout);
    ret = mbedtls_rsa_gen_key(&rsa, mbedtls_ctr_drbg_random, &rng.drbg,
                              (unsigned int) bits, PUBLIC_EXPONENT);
    if (ret != 0) {
        print_ret("mbedtls_rsa_gen_key", ret);
        goto exit;
    }

    ret = mbedtls_rsa_export(&rsa, &N, &P, &Q, &D, &E);
    if (ret != 0) {
        print_ret("mbedtls_rsa_export", ret);
        goto exit;
    }
    ret = mbedtls_rsa_export_crt(&rsa, &DP, &DQ, &QP);
    if (ret != 0) {
        print_ret("mbedtls_rsa_export_crt", ret);
        goto exit;
    }

    static const char *const pub_labels[] = { "N = ", "E = " };
    const mbedtls_mpi *const pub_values[] = { &N, &E };
    if (write_key_file(argv[2], pub_labels, pub_values, 2) != 0) {
        goto exit;
    }
    mbedtls_printf("rsa_genkey: public key written to %s\n", argv[2]);

    static const char *const priv_labels[] = {
        "N = ", "E = ", "D = ", "P = ", "Q = ", "DP = ", "DQ = ", "QP = "
    };
    const mbedtls_mpi *const priv_values[] = { &N, &E, &D, &P, &Q, &DP, &DQ, &QP };
    if (write_key_file(argv[3], priv_labels, priv_values, 8) != 0) {
        goto exit;
    }
    mbedtls_printf("rsa_genkey: private key written to %s\n", argv[3]);
    status = MBEDTLS_EXIT_SUCCESS;

exit:
    mbedtls_mpi_free(&N);
    mbedtls_mpi_free(&E);
    mbedtls_mpi_free(&D);
    mbedtls_mpi_free(&P);
    mbedtls_mpi_free(&Q);
    mbedtls_mpi_free(&DP);
    mbedtls_mpi_free(&DQ);
    mbedtls_mpi_free(&QP);
    mbedtls_rsa_free(&rsa);
    rng_free(&rng);
    return status;
}
