/*
 * test_platform.c: platform.h, platform_util.h and platform_time.h.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdint.h>
#include <string.h>
#include <time.h>

#include "mbedtls/platform.h"
#include "mbedtls/platform_time.h"
#include "mbedtls/platform_util.h"

#include "harness.h"

static long hook_callocs;
static long hook_frees;

static void *counting_calloc(size_t n, size_t size)
{
    hook_callocs++;
    return calloc(n, size);
}

static void counting_free(void *p)
{
    hook_frees++;
    free(p);
}

static void test_memory_hooks(void)
{
    /* Defaults: the C library. Memory is zero-filled. */
    unsigned char *p = mbedtls_calloc(16, 4);
    CHECK(p != NULL);
    int zero = 1;
    for (int i = 0; p != NULL && i < 64; i++) {
        zero &= p[i] == 0;
    }
    CHECK(zero);
    mbedtls_free(p);
    mbedtls_free(NULL);

    /* Overflowing requests are refused before they reach a hook. */
    CHECK(mbedtls_calloc(SIZE_MAX / 2, 3) == NULL);

    CHECK_EQ(mbedtls_platform_set_calloc_free(counting_calloc, counting_free), 0);
    p = mbedtls_calloc(3, 5);
    CHECK(p != NULL);
    mbedtls_free(p);
    mbedtls_free(NULL); /* not passed to the hook */
    CHECK(mbedtls_calloc(SIZE_MAX, SIZE_MAX) == NULL);
    CHECK_EQ(hook_callocs, 1);
    CHECK_EQ(hook_frees, 1);

    /* One NULL restores both C library functions (never a mixed pair). */
    MISUSE_EQ(mbedtls_platform_set_calloc_free(counting_calloc, NULL), 0);
    p = mbedtls_calloc(1, 1);
    mbedtls_free(p);
    CHECK_EQ(hook_callocs, 1);
    CHECK_EQ(hook_frees, 1);
    /* NULL restores the C library's functions instead of crashing later. */
    MISUSE_EQ(mbedtls_platform_set_calloc_free(NULL, NULL), 0);
    p = mbedtls_calloc(1, 1);
    CHECK(p != NULL);
    mbedtls_free(p);
    CHECK_EQ(hook_callocs, 1);
}

static void test_zeroize(void)
{
    unsigned char secret[37];
    memset(secret, 0xA5, sizeof(secret));
    mbedtls_platform_zeroize(secret + 1, sizeof(secret) - 2);
    CHECK_EQ(secret[0], 0xA5);
    CHECK_EQ(secret[sizeof(secret) - 1], 0xA5);
    int zero = 1;
    for (size_t i = 1; i + 1 < sizeof(secret); i++) {
        zero &= secret[i] == 0;
    }
    CHECK(zero);
    mbedtls_platform_zeroize(NULL, 0);
    MISUSE(mbedtls_platform_zeroize(NULL, 10)); /* NULL is ignored */
    mbedtls_platform_zeroize(secret, 0);
    CHECK_EQ(secret[0], 0xA5);
}

static void test_time(void)
{
#if defined(MBEDTLS_HAVE_TIME_DATE)
    mbedtls_time_t t = 1000000000; /* 2001-09-09T01:46:40Z */
    struct tm tm;
    memset(&tm, 0, sizeof(tm));
    CHECK(mbedtls_platform_gmtime_r(&t, &tm) == &tm);
    CHECK_EQ(tm.tm_year, 101);
    CHECK_EQ(tm.tm_mon, 8);
    CHECK_EQ(tm.tm_mday, 9);
    CHECK_EQ(tm.tm_hour, 1);
    CHECK_EQ(tm.tm_min, 46);
    CHECK_EQ(tm.tm_sec, 40);
    MISUSE_EQ(mbedtls_platform_gmtime_r(NULL, &tm) == NULL, 1);
    MISUSE_EQ(mbedtls_platform_gmtime_r(&t, NULL) == NULL, 1);
#endif
#if defined(MBEDTLS_HAVE_TIME)
    mbedtls_ms_time_t a = mbedtls_ms_time();
    struct timespec nap = { 0, 20 * 1000 * 1000 };
    nanosleep(&nap, NULL);
    mbedtls_ms_time_t b = mbedtls_ms_time();
    CHECK(a > 0);
    CHECK(b - a >= 19);
    CHECK(mbedtls_time(NULL) > 1700000000);
#endif
}

static void test_setup(void)
{
    mbedtls_platform_context ctx;
    memset(&ctx, 0, sizeof(ctx));
    CHECK_EQ(mbedtls_platform_setup(&ctx), 0);
    mbedtls_platform_teardown(&ctx);
    CHECK_EQ(mbedtls_platform_setup(NULL), 0);
    mbedtls_platform_teardown(NULL);
    CHECK_EQ(MBEDTLS_EXIT_SUCCESS, 0);
    char buf[16];
    CHECK_EQ(mbedtls_snprintf(buf, sizeof(buf), "%d", 42), 2);
}

/* The RNG callback type of platform_util.h is a function type. */
static int fake_rng(void *p_rng, unsigned char *output, size_t output_size)
{
    (void) p_rng;
    memset(output, 7, output_size);
    return 0;
}

static void test_f_rng_type(void)
{
    mbedtls_f_rng_t *f_rng = fake_rng;
    unsigned char out[4];
    CHECK_EQ(f_rng(NULL, out, sizeof(out)), 0);
    CHECK_EQ(out[3], 7);
}

int main(void)
{
    test_memory_hooks();
    test_zeroize();
    test_time();
    test_setup();
    test_f_rng_type();
    return harness_finish("test_platform");
}
