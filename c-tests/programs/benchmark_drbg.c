/*
 * benchmark_drbg.c: the hash and DRBG calls of upstream's
 * programs/test/benchmark.c (one-shot SHA-1/256/512 over a buffer; a
 * CTR_DRBG and an HMAC_DRBG seeded from an f_rng-shaped callback, with and
 * without prediction resistance, the HMAC_DRBG seeded again without free),
 * timed roughly. It checks the calls succeed; speed is reported, not judged.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "mbedtls/ctr_drbg.h"
#include "mbedtls/hmac_drbg.h"
#include "mbedtls/md.h"
#include "mbedtls/platform.h"
#if defined(MBEDTLS_THREADING_C)
#include "mbedtls/threading.h"
#endif
#include "mbedtls/sha1.h"
#include "mbedtls/sha256.h"
#include "mbedtls/sha512.h"

#define BUFSIZE 1024
#define ROUNDS 500

static unsigned char buf[BUFSIZE];
static unsigned char out[64];

/* An f_rng-shaped stand-in for an entropy source (benchmark.c has one too). */
static int fake_entropy(void *ctx, unsigned char *output, size_t len)
{
    static unsigned long counter;
    (void) ctx;
    for (size_t i = 0; i < len; i++) {
        output[i] = (unsigned char) (counter++ * 2654435761u >> 24);
    }
    return 0;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

#define TIME(label, call)                                                        \
    do {                                                                         \
        double t0 = now();                                                       \
        for (int i = 0; i < ROUNDS; i++) {                                       \
            if ((call) != 0) {                                                   \
                mbedtls_printf("%s: call failed\n", label);                      \
                return MBEDTLS_EXIT_FAILURE;                                     \
            }                                                                    \
        }                                                                        \
        double dt = now() - t0;                                                  \
        mbedtls_printf("%-28s %10.0f KiB/s\n", label,                            \
                       ROUNDS * (double) BUFSIZE / 1024.0 / (dt > 0 ? dt : 1e-9)); \
    } while (0)

int main(void)
{
#if defined(MBEDTLS_THREADING_ALT)
    /* A firmware or RTOS program installs its mutex first. */
    mbedtls_threading_set_alt(example_alt_mutex_init, example_alt_mutex_free,
                              example_alt_mutex_lock, example_alt_mutex_unlock);
#endif
    memset(buf, 0x5A, sizeof(buf));

    TIME("SHA-1", mbedtls_sha1(buf, BUFSIZE, out));
    TIME("SHA-256", mbedtls_sha256(buf, BUFSIZE, out, 0));
    TIME("SHA-512", mbedtls_sha512(buf, BUFSIZE, out, 0));

    mbedtls_ctr_drbg_context ctr;
    mbedtls_ctr_drbg_init(&ctr);
    if (mbedtls_ctr_drbg_seed(&ctr, fake_entropy, NULL, NULL, 0) != 0) {
        return MBEDTLS_EXIT_FAILURE;
    }
    TIME("CTR_DRBG (NOPR)", mbedtls_ctr_drbg_random(&ctr, buf, BUFSIZE));
    mbedtls_ctr_drbg_free(&ctr);
    mbedtls_ctr_drbg_init(&ctr);
    if (mbedtls_ctr_drbg_seed(&ctr, fake_entropy, NULL, NULL, 0) != 0) {
        return MBEDTLS_EXIT_FAILURE;
    }
    mbedtls_ctr_drbg_set_prediction_resistance(&ctr, MBEDTLS_CTR_DRBG_PR_ON);
    TIME("CTR_DRBG (PR)", mbedtls_ctr_drbg_random(&ctr, buf, BUFSIZE));
    mbedtls_ctr_drbg_free(&ctr);

    /* As benchmark.c does: one HMAC_DRBG context seeded four times, with
     * two algorithms, and freed once at the end. */
    mbedtls_hmac_drbg_context hmac;
    mbedtls_hmac_drbg_init(&hmac);
    const mbedtls_md_type_t types[2] = { MBEDTLS_MD_SHA1, MBEDTLS_MD_SHA256 };
    const char *names[2][2] = { { "HMAC_DRBG SHA-1 (NOPR)", "HMAC_DRBG SHA-1 (PR)" },
                                { "HMAC_DRBG SHA-256 (NOPR)", "HMAC_DRBG SHA-256 (PR)" } };
    for (int t = 0; t < 2; t++) {
        const mbedtls_md_info_t *md = mbedtls_md_info_from_type(types[t]);
        if (md == NULL) {
            return MBEDTLS_EXIT_FAILURE;
        }
        if (mbedtls_hmac_drbg_seed(&hmac, md, fake_entropy, NULL, NULL, 0) != 0) {
            return MBEDTLS_EXIT_FAILURE;
        }
        TIME(names[t][0], mbedtls_hmac_drbg_random(&hmac, buf, BUFSIZE));
        if (mbedtls_hmac_drbg_seed(&hmac, md, fake_entropy, NULL, NULL, 0) != 0) {
            return MBEDTLS_EXIT_FAILURE;
        }
        mbedtls_hmac_drbg_set_prediction_resistance(&hmac, MBEDTLS_HMAC_DRBG_PR_ON);
        TIME(names[t][1], mbedtls_hmac_drbg_random(&hmac, buf, BUFSIZE));
    }
    mbedtls_hmac_drbg_free(&hmac);
    mbedtls_printf("benchmark_drbg: all calls succeeded\n");
    return MBEDTLS_EXIT_SUCCESS;
}
