/*
 * rsa_genkey.c: generates an RSA key pair with public exponent 65537 from a
 * CTR_DRBG seeded by the entropy sources, and saves it in the text format
 * of upstream's programs/pkey/rsa_genkey.c: one "NAME = <HEX>" line per
 * component (mbedtls_mpi_write_file), N and E in the public file and
 * N, E, D, P, Q, DP, DQ, QP in the private one.
 *
 * usage: rsa_genkey <bits> <public key file> <private key file>
 */
#include <stdio.h>
#include <stdlib.h>

#include "mbedtls/bignum.h"
#include "mbedtls/ctr_drbg.h"
#include "mbedtls/entropy.h"
#include "mbedtls/platform.h"
#include "mbedtls/rsa.h"
#if defined(MBEDTLS_THREADING_C)
#include "mbedtls/threading.h"
#endif

#define PUBLIC_EXPONENT 65537

/* Writes the labelled components to a new file; 0 on success. */
static int save_components(const char *path, const char *const *labels,
                           const mbedtls_mpi *const *values, size_t count)
{
    FILE *f = fopen(path, "wb");
    int ret = 0;

    if (f == NULL) {
        mbedtls_printf("cannot create %s\n", path);
        return -1;
    }
    for (size_t i = 0; i < count && ret == 0; i++) {
        ret = mbedtls_mpi_write_file(labels[i], values[i], 16, f);
        if (ret != 0) {
            mbedtls_printf("mbedtls_mpi_write_file(%s) returned -0x%04X\n",
                           labels[i], (unsigned) -ret);
        }
    }
    if (fclose(f) != 0 && ret == 0) {
        mbedtls_printf("error closing %s\n", path);
        ret = -1;
    }
    return ret;
}

int main(int argc, char *argv[])
{
#if defined(MBEDTLS_THREADING_ALT)
    /* A firmware or RTOS program installs its mutex first. */
    mbedtls_threading_set_alt(example_alt_mutex_init, example_alt_mutex_free,
                              example_alt_mutex_lock, example_alt_mutex_unlock);
#endif
    mbedtls_rsa_context rsa;
    mbedtls_ctr_drbg_context drbg;
    mbedtls_entropy_context entropy;
    mbedtls_mpi N, E, D, P, Q, DP, DQ, QP;
    int status = MBEDTLS_EXIT_FAILURE;
    int ret;

    /* Everything is initialised first so the exit path can free it all. */
    mbedtls_rsa_init(&rsa);
    mbedtls_ctr_drbg_init(&drbg);
    mbedtls_entropy_init(&entropy);
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

    ret = mbedtls_ctr_drbg_seed(&drbg, mbedtls_entropy_func, &entropy,
                                (const unsigned char *) "rsa_genkey", 10);
    if (ret != 0) {
        mbedtls_printf("mbedtls_ctr_drbg_seed returned -0x%04X\n", (unsigned) -ret);
        goto exit;
    }

    mbedtls_printf("rsa_genkey: generating a %lu-bit key\n", bits);
    fflush(stdout);
    ret = mbedtls_rsa_gen_key(&rsa, mbedtls_ctr_drbg_random, &drbg,
                              (unsigned int) bits, PUBLIC_EXPONENT);
    if (ret != 0) {
        mbedtls_printf("mbedtls_rsa_gen_key returned -0x%04X\n", (unsigned) -ret);
        goto exit;
    }

    ret = mbedtls_rsa_export(&rsa, &N, &P, &Q, &D, &E);
    if (ret != 0) {
        mbedtls_printf("mbedtls_rsa_export returned -0x%04X\n", (unsigned) -ret);
        goto exit;
    }
    ret = mbedtls_rsa_export_crt(&rsa, &DP, &DQ, &QP);
    if (ret != 0) {
        mbedtls_printf("mbedtls_rsa_export_crt returned -0x%04X\n", (unsigned) -ret);
        goto exit;
    }

    static const char *const pub_labels[] = { "N = ", "E = " };
    const mbedtls_mpi *const pub_values[] = { &N, &E };
    if (save_components(argv[2], pub_labels, pub_values, 2) != 0) {
        goto exit;
    }
    mbedtls_printf("rsa_genkey: public key written to %s\n", argv[2]);

    static const char *const priv_labels[] = {
        "N = ", "E = ", "D = ", "P = ", "Q = ", "DP = ", "DQ = ", "QP = "
    };
    const mbedtls_mpi *const priv_values[] = { &N, &E, &D, &P, &Q, &DP, &DQ, &QP };
    if (save_components(argv[3], priv_labels, priv_values, 8) != 0) {
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
    mbedtls_ctr_drbg_free(&drbg);
    mbedtls_entropy_free(&entropy);
    return status;
}
