/*
 * selftest.c: runs the self-tests of the hash, bignum, RSA, entropy and DRBG modules, as
 * upstream's programs/test/selftest.c does for the modules it finds.
 * Exit status 0 only if every self-test passes.
 */
#include <stdio.h>
#include <string.h>

#include "mbedtls/bignum.h"
#include "mbedtls/ctr_drbg.h"
#include "mbedtls/entropy.h"
#include "mbedtls/hmac_drbg.h"
#include "mbedtls/platform.h"
#include "mbedtls/rsa.h"
#if defined(MBEDTLS_THREADING_C)
#include "mbedtls/threading.h"
#endif
#include "mbedtls/sha1.h"
#include "mbedtls/sha256.h"
#include "mbedtls/sha512.h"

struct self_test {
    const char *name;
    int (*run)(int verbose);
};

int main(int argc, char *argv[])
{
#if defined(MBEDTLS_THREADING_ALT)
    /* A firmware or RTOS program installs its mutex first. */
    mbedtls_threading_set_alt(example_alt_mutex_init, example_alt_mutex_free,
                              example_alt_mutex_lock, example_alt_mutex_unlock);
#endif
    const struct self_test tests[] = {
#if defined(MBEDTLS_SELF_TEST)
#if defined(MBEDTLS_SHA1_C)
        { "sha1", mbedtls_sha1_self_test },
#endif
#if defined(MBEDTLS_SHA224_C)
        { "sha224", mbedtls_sha224_self_test },
#endif
#if defined(MBEDTLS_SHA256_C)
        { "sha256", mbedtls_sha256_self_test },
#endif
#if defined(MBEDTLS_SHA384_C)
        { "sha384", mbedtls_sha384_self_test },
#endif
#if defined(MBEDTLS_SHA512_C)
        { "sha512", mbedtls_sha512_self_test },
#endif
#if defined(MBEDTLS_CTR_DRBG_C)
        { "ctr_drbg", mbedtls_ctr_drbg_self_test },
#endif
#if defined(MBEDTLS_HMAC_DRBG_C)
        { "hmac_drbg", mbedtls_hmac_drbg_self_test },
#endif
#if defined(MBEDTLS_BIGNUM_C)
        { "mpi", mbedtls_mpi_self_test },
#endif
#if defined(MBEDTLS_RSA_C)
        { "rsa", mbedtls_rsa_self_test },
#endif
#if defined(MBEDTLS_ENTROPY_C)
        { "entropy", mbedtls_entropy_self_test },
#endif
#endif
        { NULL, NULL },
    };
    int verbose = !(argc > 1 && strcmp(argv[1], "-q") == 0);
    int failures = 0, run = 0;

    for (const struct self_test *t = tests; t->name != NULL; t++) {
        if (verbose) {
            mbedtls_printf("=== %s\n", t->name);
        }
        run++;
        if (t->run(verbose) != 0) {
            mbedtls_printf("self-test %s FAILED\n", t->name);
            failures++;
        }
    }
    mbedtls_printf("selftest: %d of %d self-tests passed\n", run - failures, run);
    return failures == 0 && run > 0 ? MBEDTLS_EXIT_SUCCESS : MBEDTLS_EXIT_FAILURE;
}
