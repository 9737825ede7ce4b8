/*
 * gen_entropy.c: writes blocks of output of the default entropy sources to
 * a file, the way programs/random/gen_entropy.c does with upstream.
 *
 * usage: gen_entropy <output file> [kilobytes]
 */
#include <stdio.h>
#include <stdlib.h>

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
    mbedtls_entropy_context entropy;
    unsigned char block[MBEDTLS_ENTROPY_BLOCK_SIZE];
    int status = MBEDTLS_EXIT_FAILURE;

    if (argc < 2) {
        mbedtls_fprintf(stderr, "usage: %s <output file> [kilobytes]\n", argv[0]);
        return status;
    }
    long kib = argc > 2 ? atol(argv[2]) : 64;
    FILE *out = fopen(argv[1], "wb");
    if (out == NULL) {
        mbedtls_printf("cannot open %s\n", argv[1]);
        return status;
    }

    mbedtls_entropy_init(&entropy);
    long blocks = kib * 1024 / (long) sizeof(block);
    for (long i = 0; i < blocks; i++) {
        int ret = mbedtls_entropy_func(&entropy, block, sizeof(block));
        if (ret != 0) {
            mbedtls_printf("mbedtls_entropy_func returned -0x%04X\n", (unsigned) -ret);
            goto exit;
        }
        if (fwrite(block, 1, sizeof(block), out) != sizeof(block)) {
            mbedtls_printf("short write\n");
            goto exit;
        }
    }
    mbedtls_printf("gen_entropy: wrote %ld bytes to %s\n", blocks * (long) sizeof(block), argv[1]);
    status = MBEDTLS_EXIT_SUCCESS;

exit:
    fclose(out);
    mbedtls_entropy_free(&entropy);
    return status;
}
