/*
 * test_mod_ssl_cache.c: the session cache through the C API: round trips
 * (byte-identical), overwrite, eviction of the oldest, remove, timeouts,
 * limits and errors, the lifecycle, and several threads sharing a cache
 * with the invariants checked afterwards.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "mbedtls/ssl.h"
#include "mbedtls/ssl_cache.h"
#if defined(MBEDTLS_THREADING_C)
#include <pthread.h>
#endif
#if defined(MBEDTLS_THREADING_ALT)
#include "threading_alt.h"
#endif

#include "harness.h"

static const unsigned char upstream_blob[114] = {
    0x03, 0x06, 0x06, 0x00, 0xff, 0x03, 0x00, 0x00, 0xa8, 0x00, 0x00, 0x00,
    0x00, 0x6b, 0x04, 0x86, 0xe0, 0x20, 0x8a, 0xfe, 0xd2, 0x5e, 0xe7, 0x9e,
    0xf3, 0x57, 0x04, 0xe7, 0x59, 0xe9, 0xb5, 0x7b, 0xb0, 0x4a, 0xfa, 0xe8,
    0x71, 0x94, 0x8a, 0xcc, 0x72, 0x4d, 0x64, 0xc8, 0xfd, 0x57, 0x09, 0x36,
    0xf8, 0x73, 0x1a, 0x85, 0x25, 0x23, 0x93, 0x32, 0xe2, 0x63, 0x1d, 0x74,
    0xfe, 0xfc, 0x1c, 0xea, 0x56, 0xb7, 0xcf, 0x00, 0xfc, 0x9c, 0xfe, 0x1c,
    0x42, 0xb6, 0xca, 0xb6, 0xb1, 0x1f, 0x6e, 0xb2, 0x20, 0x01, 0x3d, 0x5a,
    0x3b, 0x6d, 0x49, 0x95, 0x2e, 0x2f, 0x5e, 0x1b, 0x27, 0xb1, 0xe1, 0xa7,
    0xc4, 0xf6, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
};
static mbedtls_ssl_session template_session;

static void make_id(unsigned char id[32], uint32_t n)
{
    memset(id, 0x5C, 32);
    id[0] = (unsigned char) (n >> 24);
    id[1] = (unsigned char) (n >> 16);
    id[2] = (unsigned char) (n >> 8);
    id[3] = (unsigned char) n;
}

/* 1 if the cache holds id n and it loads back to the template's bytes. */
static int holds(mbedtls_ssl_cache_context *c, uint32_t n)
{
    unsigned char id[32], out[200];
    size_t olen = 0;
    mbedtls_ssl_session s;
    make_id(id, n);
    mbedtls_ssl_session_init(&s);
    int ret = mbedtls_ssl_cache_get(c, id, 32, &s);
    if (ret == 0) {
        ret = mbedtls_ssl_session_save(&s, out, sizeof(out), &olen);
        ret = ret == 0 && olen == sizeof(upstream_blob) &&
              memcmp(out, upstream_blob, olen) == 0 ? 0 : -1;
    }
    mbedtls_ssl_session_free(&s);
    return ret == 0;
}

static int put(mbedtls_ssl_cache_context *c, uint32_t n)
{
    unsigned char id[32];
    make_id(id, n);
    return mbedtls_ssl_cache_set(c, id, 32, &template_session);
}

static void test_basics(void)
{
    mbedtls_ssl_cache_context c;
    unsigned char id[32];
    mbedtls_ssl_session s;
    mbedtls_ssl_cache_init(&c);
#if defined(MBEDTLS_HAVE_TIME)
    CHECK_EQ(mbedtls_ssl_cache_get_timeout(&c), MBEDTLS_SSL_CACHE_DEFAULT_TIMEOUT);
#endif
    CHECK(!holds(&c, 1));
    make_id(id, 1);
    mbedtls_ssl_session_init(&s);
    CHECK_EQ(mbedtls_ssl_cache_get(&c, id, 32, &s), MBEDTLS_ERR_SSL_CACHE_ENTRY_NOT_FOUND);
    CHECK_EQ(put(&c, 1), 0);
    CHECK(holds(&c, 1));
    CHECK_EQ(put(&c, 1), 0);       /* overwrite: still one entry */
    CHECK(holds(&c, 1));
    /* A different id length is a different id. */
    CHECK_EQ(mbedtls_ssl_cache_get(&c, id, 31, &s), MBEDTLS_ERR_SSL_CACHE_ENTRY_NOT_FOUND);
    /* Errors. */
    MISUSE_EQ(mbedtls_ssl_cache_set(&c, id, 33, &template_session), MBEDTLS_ERR_SSL_BAD_INPUT_DATA);
    MISUSE_EQ(mbedtls_ssl_cache_get(&c, id, 33, &s), MBEDTLS_ERR_SSL_CACHE_ENTRY_NOT_FOUND);
    MISUSE_EQ(mbedtls_ssl_cache_set(NULL, id, 32, &template_session), MBEDTLS_ERR_SSL_BAD_INPUT_DATA);
    MISUSE_EQ(mbedtls_ssl_cache_set(&c, NULL, 32, &template_session), MBEDTLS_ERR_SSL_BAD_INPUT_DATA);
    MISUSE_EQ(mbedtls_ssl_cache_set(&c, id, 32, NULL), MBEDTLS_ERR_SSL_BAD_INPUT_DATA);
    MISUSE_EQ(mbedtls_ssl_cache_get(&c, id, 32, NULL), MBEDTLS_ERR_SSL_BAD_INPUT_DATA);
    MISUSE_EQ(mbedtls_ssl_cache_remove(NULL, id, 32), MBEDTLS_ERR_SSL_BAD_INPUT_DATA);
    /* A session that was only initialised cannot be serialized. */
    mbedtls_ssl_session empty;
    mbedtls_ssl_session_init(&empty);
    MISUSE_EQ(mbedtls_ssl_cache_set(&c, id, 32, &empty), MBEDTLS_ERR_SSL_FEATURE_UNAVAILABLE);
    CHECK(holds(&c, 1));           /* unchanged */
    mbedtls_ssl_session_free(&empty);
    /* Remove: present, then absent (both 0). */
    CHECK_EQ(mbedtls_ssl_cache_remove(&c, id, 32), 0);
    CHECK(!holds(&c, 1));
    CHECK_EQ(mbedtls_ssl_cache_remove(&c, id, 32), 0);

    /* Eviction of the oldest when full, with an overwrite refreshing age. */
    mbedtls_ssl_cache_set_max_entries(&c, 3);
    CHECK_EQ(put(&c, 10), 0);
    CHECK_EQ(put(&c, 11), 0);
    CHECK_EQ(put(&c, 12), 0);
#if defined(MBEDTLS_HAVE_TIME)
    sleep(1);                      /* timestamps are in seconds */
#endif
    CHECK_EQ(put(&c, 10), 0);      /* 10 is now the newest */
    CHECK_EQ(put(&c, 13), 0);      /* evicts 11 */
    CHECK(holds(&c, 10) && !holds(&c, 11) && holds(&c, 12) && holds(&c, 13));
    /* A smaller maximum drops the oldest at once. */
    mbedtls_ssl_cache_set_max_entries(&c, 1);
    CHECK(holds(&c, 13) && !holds(&c, 12) && !holds(&c, 10));
    mbedtls_ssl_cache_set_max_entries(&c, -5);
    MISUSE_EQ(put(&c, 14), MBEDTLS_ERR_SSL_INTERNAL_ERROR);
    CHECK(!holds(&c, 13));

#if defined(MBEDTLS_HAVE_TIME)
    /* Timeouts: expired entries are not returned nor removed. */
    mbedtls_ssl_cache_set_max_entries(&c, 10);
    mbedtls_ssl_cache_set_timeout(&c, 1);
    CHECK_EQ(mbedtls_ssl_cache_get_timeout(&c), 1);
    CHECK_EQ(put(&c, 20), 0);
    CHECK(holds(&c, 20));
    sleep(2);
    CHECK(!holds(&c, 20));
    mbedtls_ssl_cache_set_timeout(&c, -3);
    CHECK_EQ(mbedtls_ssl_cache_get_timeout(&c), 0);
    CHECK(holds(&c, 20));          /* no expiry any more */
#endif
    mbedtls_ssl_session_free(&s);
    mbedtls_ssl_cache_free(&c);
    MISUSE(mbedtls_ssl_cache_free(&c));
    MISUSE(mbedtls_ssl_cache_free(NULL));
    MISUSE_EQ(put(&c, 1), MBEDTLS_ERR_SSL_BAD_INPUT_DATA);   /* use after free */
    mbedtls_ssl_cache_init(NULL);
    mbedtls_ssl_cache_init(&c);
    mbedtls_ssl_cache_free(&c);    /* free right after init */
}

/* Many entries: every one findable, the maximum respected. */
static void test_many(void)
{
    mbedtls_ssl_cache_context c;
    int missing = 0;
    mbedtls_ssl_cache_init(&c);
    mbedtls_ssl_cache_set_max_entries(&c, 5000);
    for (uint32_t n = 0; n < 6000; n++) {
        CHECK_EQ(put(&c, n), 0);
    }
    for (uint32_t n = 0; n < 6000; n += 7) {
        missing += holds(&c, n) != (n >= 1000);
    }
    CHECK_EQ(missing, 0);
    mbedtls_ssl_cache_free(&c);
}

#if defined(MBEDTLS_THREADING_C)
#define THREADS 4
#define PER_THREAD 1500
static mbedtls_ssl_cache_context shared;

static void *cache_worker(void *arg)
{
    uint32_t t = (uint32_t) (uintptr_t) arg;
    long bad = 0;
    unsigned char id[32];
    /* Own ids: set all, remove the even ones. */
    for (uint32_t i = 0; i < PER_THREAD; i++) {
        bad += put(&shared, t * 100000 + i) != 0;
        /* Contended ids: every thread writes the same ten. */
        bad += put(&shared, 900000 + i % 10) != 0;
        bad += !holds(&shared, 900000 + i % 10);
    }
    for (uint32_t i = 0; i < PER_THREAD; i += 2) {
        make_id(id, t * 100000 + i);
        bad += mbedtls_ssl_cache_remove(&shared, id, 32) != 0;
    }
    return (void *) (intptr_t) bad;
}

static void test_threads(void)
{
    pthread_t th[THREADS];
    long bad = 0;
    mbedtls_ssl_cache_init(&shared);
    mbedtls_ssl_cache_set_max_entries(&shared, THREADS * PER_THREAD + 100);
    for (int i = 0; i < THREADS; i++) {
        CHECK_EQ(pthread_create(&th[i], NULL, cache_worker, (void *) (uintptr_t) (i + 1)), 0);
    }
    for (int i = 0; i < THREADS; i++) {
        void *r;
        pthread_join(th[i], &r);
        bad += (intptr_t) r;
    }
    CHECK_EQ(bad, 0);
    /* Afterwards: odd own ids present, even ones gone, the ten shared ids
     * present once each (a single remove makes each disappear). */
    long lost = 0, extra = 0, dup = 0;
    for (uint32_t t = 1; t <= THREADS; t++) {
        for (uint32_t i = 0; i < PER_THREAD; i++) {
            int h = holds(&shared, t * 100000 + i);
            lost += (i % 2 == 1) && !h;
            extra += (i % 2 == 0) && h;
        }
    }
    unsigned char id[32];
    for (uint32_t k = 0; k < 10; k++) {
        lost += !holds(&shared, 900000 + k);
        make_id(id, 900000 + k);
        CHECK_EQ(mbedtls_ssl_cache_remove(&shared, id, 32), 0);
        dup += holds(&shared, 900000 + k);
    }
    CHECK_EQ(lost, 0);
    CHECK_EQ(extra, 0);
    CHECK_EQ(dup, 0);
    printf("cache stress: %d threads x %d own + %d shared sets; lost %ld, extra %ld, duplicated %ld\n",
           THREADS, PER_THREAD, PER_THREAD, lost, extra, dup);
    mbedtls_ssl_cache_free(&shared);
}
#endif

int main(void)
{
#if defined(MBEDTLS_THREADING_ALT)
    mbedtls_threading_set_alt(example_alt_mutex_init, example_alt_mutex_free,
                              example_alt_mutex_lock, example_alt_mutex_unlock);
#endif
    mbedtls_ssl_session_init(&template_session);
    CHECK_EQ(mbedtls_ssl_session_load(&template_session, upstream_blob, sizeof(upstream_blob)), 0);
    test_basics();
    test_many();
#if defined(MBEDTLS_THREADING_C)
    test_threads();
#endif
    mbedtls_ssl_session_free(&template_session);
#if defined(MBEDTLS_THREADING_ALT)
    mbedtls_threading_free_alt();
#endif
    return harness_finish("test_mod_ssl_cache");
}
