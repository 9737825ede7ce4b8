/*
 * gen_random_ctr_drbg.c: a CTR_DRBG seeded from the entropy sources and a
 * seed file writes random data to a file, the flow of upstream's
 * programs/random/gen_random_ctr_drbg.c.
 *
 * usage: gen_random_ctr_drbg <output file> <seed file> [kilobytes]
 */
#include <stdio.h>
#include <stdlib.h>

#include "mbedtls/ctr_drbg.h"
#include "mbedtls/entropy.h"
#include "mbedtls/platform.h"
#if defined(MBEDTLS_THREADING_C)
#include "mbedtls/threading.h"
#endif

int main(int argc, char *argv[])
{
#if defined(MBEDTLS_THREADING_ALT)
    /* A firmware or RTOS program installs its mutex first. */
    mbedtls_threading_set_alt(example_alt_mutex_init, example_alt_mutex_free,
                              example_alt_mutex_lock, example_alt_mutex_unlock);
#endif
    mbedtls_ctr_drbg_context drbg;
    mbedtls_entropy_context entropy;
    unsigned char buf[1024];
    int status = MBEDTLS_EXIT_FAILURE;
    int ret;

    /* Both contexts are initialised first so the exit path can free them. */
    mbedtls_ctr_drbg_init(&drbg);
    mbedtls_entropy_init(&entropy);

    if (argc < 3) {
        mbedtls_fprintf(stderr, "usage: %s <output file> <seed file> [kilobytes]\n", argv[0]);
        goto exit;
    }
    long kib = argc > 3 ? atol(argv[3]) : 256;
    FILE *out = fopen(argv[1], "wb+");
    if (out == NULL) {
        mbedtls_printf("cannot open %s\n", argv[1]);
        goto exit;
    }

    ret = mbedtls_ctr_drbg_seed(&drbg, mbedtls_entropy_func, &entropy,
                                (const unsigned char *) "gen_random_ctr_drbg", 19);
    if (ret != 0) {
        mbedtls_printf("mbedtls_ctr_drbg_seed returned -0x%04X\n", (unsigned) -ret);
        goto close;
    }
    mbedtls_ctr_drbg_set_prediction_resistance(&drbg, MBEDTLS_CTR_DRBG_PR_OFF);

#if defined(MBEDTLS_FS_IO)
    ret = mbedtls_ctr_drbg_update_seed_file(&drbg, argv[2]);
    if (ret == MBEDTLS_ERR_CTR_DRBG_FILE_IO_ERROR) {
        mbedtls_printf("no seed file yet: writing %s\n", argv[2]);
        ret = mbedtls_ctr_drbg_write_seed_file(&drbg, argv[2]);
    }
    if (ret != 0) {
        mbedtls_printf("seed file: -0x%04X\n", (unsigned) -ret);
        goto close;
    }
#endif

    for (long i = 0; i < kib; i++) {
        ret = mbedtls_ctr_drbg_random(&drbg, buf, sizeof(buf));
        if (ret != 0) {
            mbedtls_printf("mbedtls_ctr_drbg_random returned -0x%04X\n", (unsigned) -ret);
            goto close;
        }
        if (fwrite(buf, 1, sizeof(buf), out) != sizeof(buf)) {
            mbedtls_printf("short write\n");
            goto close;
        }
    }
    mbedtls_printf("gen_random_ctr_drbg: wrote %ld KiB to %s\n", kib, argv[1]);
    status = MBEDTLS_EXIT_SUCCESS;

close:
    fclose(out);
exit:
    mbedtls_ctr_drbg_free(&drbg);
    mbedtls_entropy_free(&entropy);
    return status;
}
