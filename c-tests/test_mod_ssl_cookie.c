/*
 * test_mod_ssl_cookie.c: DTLS cookies through the C API: the format
 * (checked against HMAC-SHA-256 computed with md.h), every error, the
 * lifecycle, expiry, and one context shared by several threads.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "mbedtls/md.h"
#include "mbedtls/ssl.h"
#include "mbedtls/ssl_cookie.h"
#if defined(MBEDTLS_THREADING_C)
#include <pthread.h>
#endif
#if defined(MBEDTLS_THREADING_ALT)
#include "threading_alt.h"
#endif

#include "harness.h"

static int fixed_rng(void *p, unsigned char *out, size_t len)
{
    unsigned char base = p != NULL ? *(unsigned char *) p : 0;
    for (size_t i = 0; i < len; i++) {
        out[i] = (unsigned char) (base + i);
    }
    return 0;
}

static int failing_rng(void *p, unsigned char *out, size_t len)
{
    (void) p;
    (void) out;
    (void) len;
    return -0x1234;
}

static const unsigned char client[] = "192.0.2.7:4433";

static void test_format_and_errors(void)
{
    mbedtls_ssl_cookie_ctx ctx;
    unsigned char buf[64], *p;
    unsigned char base = 3;
    mbedtls_ssl_cookie_init(&ctx);

    /* No key yet. */
    p = buf;
    MISUSE_EQ(mbedtls_ssl_cookie_write(&ctx, &p, buf + sizeof(buf), client, sizeof(client)),
              MBEDTLS_ERR_SSL_INTERNAL_ERROR);
    CHECK(p == buf);
    MISUSE_EQ(mbedtls_ssl_cookie_setup(&ctx, failing_rng, NULL), -0x1234);
    MISUSE_EQ(mbedtls_ssl_cookie_setup(&ctx, NULL, NULL), MBEDTLS_ERR_SSL_BAD_INPUT_DATA);
    MISUSE_EQ(mbedtls_ssl_cookie_setup(NULL, fixed_rng, NULL), MBEDTLS_ERR_SSL_BAD_INPUT_DATA);
    CHECK_EQ(mbedtls_ssl_cookie_setup(&ctx, fixed_rng, &base), 0);

    p = buf;
    CHECK_EQ(mbedtls_ssl_cookie_write(&ctx, &p, buf + sizeof(buf), client, sizeof(client)), 0);
    CHECK(p == buf + 32);
    /* 4-byte big-endian time, then HMAC-SHA-256(key, time || id)[0..28]. */
    unsigned long stamp = ((unsigned long) buf[0] << 24) | ((unsigned long) buf[1] << 16) |
                          ((unsigned long) buf[2] << 8) | buf[3];
    unsigned long now = (unsigned long) time(NULL) & 0xFFFFFFFFul;
    /* The library reads the precise clock; time() may read the kernel's
     * coarse one, which lags by up to a tick, so near a second boundary
     * the stamp can be one second ahead of `now`. */
    long drift = (long) now - (long) stamp;
    CHECK(drift >= -1 && drift <= 2);
    unsigned char key[32], msg[4 + sizeof(client)], mac[32];
    fixed_rng(&base, key, sizeof(key));
    memcpy(msg, buf, 4);
    memcpy(msg + 4, client, sizeof(client));
    CHECK_EQ(mbedtls_md_hmac(mbedtls_md_info_from_type(MBEDTLS_MD_SHA256), key, sizeof(key),
                             msg, sizeof(msg), mac), 0);
    CHECK(memcmp(buf + 4, mac, 28) == 0);

    CHECK_EQ(mbedtls_ssl_cookie_check(&ctx, buf, 32, client, sizeof(client)), 0);
    /* Wrong client, wrong length, any flipped bit: plain -1. */
    MISUSE_EQ(mbedtls_ssl_cookie_check(&ctx, buf, 32, client, sizeof(client) - 1), -1);
    MISUSE_EQ(mbedtls_ssl_cookie_check(&ctx, buf, 31, client, sizeof(client)), -1);
    MISUSE_EQ(mbedtls_ssl_cookie_check(&ctx, buf, 33, client, sizeof(client)), -1);
    int flips_caught = 0;
    for (int i = 0; i < 32 * 8; i++) {
        buf[i / 8] ^= (unsigned char) (1 << (i % 8));
        flips_caught += mbedtls_ssl_cookie_check(&ctx, buf, 32, client, sizeof(client)) == -1;
        buf[i / 8] ^= (unsigned char) (1 << (i % 8));
    }
    CHECK_EQ(flips_caught, 256);
    MISUSE_EQ(mbedtls_ssl_cookie_check(NULL, buf, 32, client, sizeof(client)),
              MBEDTLS_ERR_SSL_BAD_INPUT_DATA);
    MISUSE_EQ(mbedtls_ssl_cookie_check(&ctx, buf, 32, NULL, 0), MBEDTLS_ERR_SSL_BAD_INPUT_DATA);
    MISUSE_EQ(mbedtls_ssl_cookie_check(&ctx, NULL, 32, client, sizeof(client)), -1);

    /* Write errors. */
    p = buf;
    MISUSE_EQ(mbedtls_ssl_cookie_write(&ctx, &p, buf + 31, client, sizeof(client)),
              MBEDTLS_ERR_SSL_BUFFER_TOO_SMALL);
    CHECK(p == buf);
    MISUSE_EQ(mbedtls_ssl_cookie_write(NULL, &p, buf + 64, client, sizeof(client)),
              MBEDTLS_ERR_SSL_BAD_INPUT_DATA);
    MISUSE_EQ(mbedtls_ssl_cookie_write(&ctx, &p, buf + 64, NULL, 0), MBEDTLS_ERR_SSL_BAD_INPUT_DATA);
    MISUSE_EQ(mbedtls_ssl_cookie_write(&ctx, NULL, buf + 64, client, 1), MBEDTLS_ERR_SSL_BAD_INPUT_DATA);
    /* An empty client id is allowed. */
    p = buf;
    CHECK_EQ(mbedtls_ssl_cookie_write(&ctx, &p, buf + 64, client, 0), 0);
    CHECK_EQ(mbedtls_ssl_cookie_check(&ctx, buf, 32, client, 0), 0);

    /* A new key invalidates earlier cookies. */
    base = 99;
    CHECK_EQ(mbedtls_ssl_cookie_setup(&ctx, fixed_rng, &base), 0);
    CHECK_EQ(mbedtls_ssl_cookie_check(&ctx, buf, 32, client, 0), -1);

    /* Expiry: a cookie from the past, re-tagged with the current key. */
    p = buf;
    CHECK_EQ(mbedtls_ssl_cookie_write(&ctx, &p, buf + 64, client, sizeof(client)), 0);
    mbedtls_ssl_cookie_set_timeout(&ctx, 1);
    CHECK_EQ(mbedtls_ssl_cookie_check(&ctx, buf, 32, client, sizeof(client)), 0);
    sleep(2);
    CHECK_EQ(mbedtls_ssl_cookie_check(&ctx, buf, 32, client, sizeof(client)), -1);
    mbedtls_ssl_cookie_set_timeout(&ctx, 0);   /* never expires */
    CHECK_EQ(mbedtls_ssl_cookie_check(&ctx, buf, 32, client, sizeof(client)), 0);

    mbedtls_ssl_cookie_free(&ctx);
    MISUSE(mbedtls_ssl_cookie_free(&ctx));     /* twice */
    MISUSE(mbedtls_ssl_cookie_free(NULL));
    /* Use after free: an error, not a crash. */
    p = buf;
    MISUSE_EQ(mbedtls_ssl_cookie_write(&ctx, &p, buf + 64, client, 1), MBEDTLS_ERR_SSL_BAD_INPUT_DATA);
    MISUSE_EQ(mbedtls_ssl_cookie_check(&ctx, buf, 32, client, 1), MBEDTLS_ERR_SSL_BAD_INPUT_DATA);
    MISUSE_EQ(mbedtls_ssl_cookie_setup(&ctx, fixed_rng, NULL), MBEDTLS_ERR_SSL_BAD_INPUT_DATA);
    MISUSE(mbedtls_ssl_cookie_set_timeout(&ctx, 5));

    /* Free right after init. */
    mbedtls_ssl_cookie_init(&ctx);
    mbedtls_ssl_cookie_free(&ctx);
    /* A zero-filled context is safe to free. */
    memset(&ctx, 0, sizeof(ctx));
    mbedtls_ssl_cookie_free(&ctx);
    mbedtls_ssl_cookie_init(NULL);
}

#if defined(MBEDTLS_THREADING_C)
#define THREADS 4
#define ROUNDS 2000
static mbedtls_ssl_cookie_ctx shared;

static void *cookie_worker(void *arg)
{
    long bad = 0;
    unsigned char id[8], buf[32], *p;
    memset(id, (int) (uintptr_t) arg, sizeof(id));
    for (int i = 0; i < ROUNDS; i++) {
        id[0] = (unsigned char) i;
        p = buf;
        bad += mbedtls_ssl_cookie_write(&shared, &p, buf + 32, id, sizeof(id)) != 0;
        bad += mbedtls_ssl_cookie_check(&shared, buf, 32, id, sizeof(id)) != 0;
        id[1] ^= 1;  /* another client's id must not pass */
        bad += mbedtls_ssl_cookie_check(&shared, buf, 32, id, sizeof(id)) != -1;
        id[1] ^= 1;
        if (i % 100 == 0) {
            mbedtls_ssl_cookie_set_timeout(&shared, 60);
        }
    }
    return (void *) (intptr_t) bad;
}

static void test_threads(void)
{
    pthread_t t[THREADS];
    unsigned char base = 1;
    mbedtls_ssl_cookie_init(&shared);
    CHECK_EQ(mbedtls_ssl_cookie_setup(&shared, fixed_rng, &base), 0);
    for (int i = 0; i < THREADS; i++) {
        CHECK_EQ(pthread_create(&t[i], NULL, cookie_worker, (void *) (uintptr_t) (i + 1)), 0);
    }
    long total_bad = 0;
    for (int i = 0; i < THREADS; i++) {
        void *bad;
        pthread_join(t[i], &bad);
        total_bad += (intptr_t) bad;
    }
    CHECK_EQ(total_bad, 0);
    printf("cookie threads: %d threads x %d write/check/reject rounds, %ld wrong results\n",
           THREADS, ROUNDS, total_bad);
    mbedtls_ssl_cookie_free(&shared);
}
#endif

int main(void)
{
#if defined(MBEDTLS_THREADING_ALT)
    mbedtls_threading_set_alt(example_alt_mutex_init, example_alt_mutex_free,
                              example_alt_mutex_lock, example_alt_mutex_unlock);
    long live_before = example_alt_inits - example_alt_frees;
#endif
    test_format_and_errors();
#if defined(MBEDTLS_THREADING_C)
    test_threads();
#endif
#if defined(MBEDTLS_THREADING_ALT)
    CHECK_EQ(example_alt_inits - example_alt_frees, live_before);
    mbedtls_threading_free_alt();
#endif
    return harness_finish("test_mod_ssl_cookie");
}
