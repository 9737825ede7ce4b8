/*
 * test_mod_ctr_drbg.c: every function of ctr_drbg.h from C, its error
 * codes, lifecycles (free after init, free twice, free of a never-seeded
 * or zero-filled context, seeding again without free), seed files, and
 * (with MBEDTLS_THREADING_C) a context shared by threads: concurrent
 * draws, free racing random, and an entropy callback that re-enters.
 */
#define _POSIX_C_SOURCE 200809L

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "mbedtls/ctr_drbg.h"
#include "mbedtls/threading_ext.h"
#if defined(MBEDTLS_THREADING_C)
#include "mbedtls/threading.h"
#endif

#include "harness.h"

#define NOT_SEEDED MBEDTLS_ERR_CTR_DRBG_ENTROPY_SOURCE_FAILED
#define TOO_BIG MBEDTLS_ERR_CTR_DRBG_INPUT_TOO_BIG

/* An entropy source that records its calls and can be told to fail. */
typedef struct {
    int calls;
    size_t lens[16];
    int fail_at; /* 1-based call number that fails; 0: never */
    unsigned char next;
} source;

static int src_entropy(void *p, unsigned char *out, size_t len)
{
    source *s = (source *) p;
    s->calls++;
    if (s->calls <= 16) {
        s->lens[s->calls - 1] = len;
    }
    if (s->fail_at != 0 && s->calls == s->fail_at) {
        return -1;
    }
    for (size_t i = 0; i < len; i++) {
        out[i] = (unsigned char) (s->next + i);
    }
    s->next++;
    return 0;
}

static int seed_with(mbedtls_ctr_drbg_context *ctx, source *s)
{
    memset(s, 0, sizeof(*s));
    return mbedtls_ctr_drbg_seed(ctx, src_entropy, s, (const unsigned char *) "pers", 4);
}

static void test_null_and_unseeded(void)
{
    unsigned char buf[32];
    mbedtls_ctr_drbg_context ctx;

    MISUSE(mbedtls_ctr_drbg_init(NULL));
    MISUSE(mbedtls_ctr_drbg_free(NULL));
    MISUSE(mbedtls_ctr_drbg_set_prediction_resistance(NULL, MBEDTLS_CTR_DRBG_PR_ON));
    MISUSE(mbedtls_ctr_drbg_set_entropy_len(NULL, 32));
    MISUSE(mbedtls_ctr_drbg_set_reseed_interval(NULL, 5));
    MISUSE_EQ(mbedtls_ctr_drbg_set_nonce_len(NULL, 0), NOT_SEEDED);
    MISUSE_EQ(mbedtls_ctr_drbg_seed(NULL, src_entropy, NULL, NULL, 0), NOT_SEEDED);
    MISUSE_EQ(mbedtls_ctr_drbg_reseed(NULL, NULL, 0), NOT_SEEDED);
    MISUSE_EQ(mbedtls_ctr_drbg_update(NULL, buf, 4), NOT_SEEDED);
    MISUSE_EQ(mbedtls_ctr_drbg_random(NULL, buf, sizeof(buf)), NOT_SEEDED);
    MISUSE_EQ(mbedtls_ctr_drbg_random_with_add(NULL, buf, 16, buf, 4), NOT_SEEDED);

    mbedtls_ctr_drbg_init(&ctx);
    /* Upstream crashes here; we return an error. */
    MISUSE_EQ(mbedtls_ctr_drbg_random(&ctx, buf, sizeof(buf)), NOT_SEEDED);
    MISUSE_EQ(mbedtls_ctr_drbg_random_with_add(&ctx, buf, 16, buf, 4), NOT_SEEDED);
    MISUSE_EQ(mbedtls_ctr_drbg_reseed(&ctx, NULL, 0), NOT_SEEDED);
    MISUSE_EQ(mbedtls_ctr_drbg_update(&ctx, buf, 4), NOT_SEEDED);
    CHECK_EQ(mbedtls_ctr_drbg_update(&ctx, buf, 0), 0);
    /* Size checks come first, as upstream's. */
    unsigned char big[MBEDTLS_CTR_DRBG_MAX_SEED_INPUT + 1];
    memset(big, 0, sizeof(big));
    MISUSE_EQ(mbedtls_ctr_drbg_random_with_add(&ctx, big, MBEDTLS_CTR_DRBG_MAX_REQUEST + 1, big, 16),
              -0x36);
    MISUSE_EQ(mbedtls_ctr_drbg_random_with_add(&ctx, big, 16, big, MBEDTLS_CTR_DRBG_MAX_INPUT + 1),
              -0x38);
    MISUSE_EQ(mbedtls_ctr_drbg_reseed(&ctx, big, MBEDTLS_CTR_DRBG_MAX_SEED_INPUT + 1), TOO_BIG);
    mbedtls_ctr_drbg_set_entropy_len(&ctx, (size_t) ~0);
    MISUSE_EQ(mbedtls_ctr_drbg_reseed(&ctx, big, MBEDTLS_CTR_DRBG_MAX_SEED_INPUT), TOO_BIG);
    /* NULL buffers with a length. */
    MISUSE_EQ(mbedtls_ctr_drbg_random(&ctx, NULL, 16), TOO_BIG);
    MISUSE_EQ(mbedtls_ctr_drbg_random_with_add(&ctx, buf, 16, NULL, 4), TOO_BIG);
    MISUSE_EQ(mbedtls_ctr_drbg_update(&ctx, NULL, 4), TOO_BIG);
    MISUSE_EQ(mbedtls_ctr_drbg_reseed(&ctx, NULL, 4), TOO_BIG);
    MISUSE_EQ(mbedtls_ctr_drbg_seed(&ctx, src_entropy, NULL, NULL, 4), TOO_BIG);
    MISUSE_EQ(mbedtls_ctr_drbg_seed(&ctx, NULL, NULL, NULL, 0), NOT_SEEDED);
    mbedtls_ctr_drbg_free(&ctx);
}

static void test_lifecycles(void)
{
    mbedtls_ctr_drbg_context ctx, fresh;
    source s;
    unsigned char out[64];

    mbedtls_ctr_drbg_init(&fresh);
    /* Free after init, twice. */
    mbedtls_ctr_drbg_init(&ctx);
    mbedtls_ctr_drbg_free(&ctx);
    MISUSE(mbedtls_ctr_drbg_free(&ctx));
    CHECK(memcmp(&ctx, &fresh, sizeof(ctx)) == 0);

    /* Zero-filled memory: free is safe and leaves the init state. */
    memset(&ctx, 0, sizeof(ctx));
    MISUSE(mbedtls_ctr_drbg_free(&ctx));
    CHECK(memcmp(&ctx, &fresh, sizeof(ctx)) == 0);

    size_t live = mbedcrypto_mutex_live_count();
    mbedtls_ctr_drbg_init(&ctx);
    CHECK_EQ(seed_with(&ctx, &s), 0);
#if defined(MBEDTLS_THREADING_C)
    CHECK_EQ(mbedcrypto_mutex_live_count(), live + 1);
#endif
    CHECK_EQ(mbedtls_ctr_drbg_random(&ctx, out, sizeof(out)), 0);
    /* Seeding again without free: works, no second mutex. */
    MISUSE_EQ(seed_with(&ctx, &s), 0);
#if defined(MBEDTLS_THREADING_C)
    CHECK_EQ(mbedcrypto_mutex_live_count(), live + 1);
#endif
    CHECK_EQ(mbedtls_ctr_drbg_random(&ctx, out, sizeof(out)), 0);
    mbedtls_ctr_drbg_free(&ctx);
    CHECK_EQ(mbedcrypto_mutex_live_count(), live);
    /* Free leaves the init state (the mutex member aside). */
    CHECK(memcmp(&ctx, &fresh, offsetof(mbedtls_ctr_drbg_context, MBEDTLS_PRIVATE(p_entropy))) == 0);
    MISUSE_EQ(mbedtls_ctr_drbg_random(&ctx, out, sizeof(out)), NOT_SEEDED);
    MISUSE(mbedtls_ctr_drbg_free(&ctx));
    /* Seeding after free works. */
    CHECK_EQ(seed_with(&ctx, &s), 0);
    CHECK_EQ(mbedtls_ctr_drbg_random(&ctx, out, sizeof(out)), 0);
    mbedtls_ctr_drbg_free(&ctx);

    /* A failed seed still needs free, and produces nothing. */
    mbedtls_ctr_drbg_init(&ctx);
    memset(&s, 0, sizeof(s));
    s.fail_at = 1;
    CHECK_EQ(mbedtls_ctr_drbg_seed(&ctx, src_entropy, &s, NULL, 0), -0x34);
    MISUSE_EQ(mbedtls_ctr_drbg_random(&ctx, out, sizeof(out)), NOT_SEEDED);
    MISUSE_EQ(mbedtls_ctr_drbg_set_nonce_len(&ctx, 8), NOT_SEEDED);
    mbedtls_ctr_drbg_free(&ctx);
    CHECK_EQ(mbedcrypto_mutex_live_count(), live);
    mbedtls_ctr_drbg_free(&fresh);
}

static void test_seeding_rules(void)
{
    mbedtls_ctr_drbg_context ctx;
    source s;

    /* Default: one call of MBEDTLS_CTR_DRBG_ENTROPY_LEN (48 >= 1.5 * KEYSIZE: no nonce). */
    mbedtls_ctr_drbg_init(&ctx);
    CHECK_EQ(seed_with(&ctx, &s), 0);
    CHECK_EQ(s.calls, 1 + (MBEDTLS_CTR_DRBG_ENTROPY_NONCE_LEN != 0));
    CHECK_EQ(s.lens[0], MBEDTLS_CTR_DRBG_ENTROPY_LEN);
    mbedtls_ctr_drbg_free(&ctx);

    /* Entropy 32 with AES-256: a nonce of 16 in a second call. */
    mbedtls_ctr_drbg_init(&ctx);
    mbedtls_ctr_drbg_set_entropy_len(&ctx, 32);
    CHECK_EQ(seed_with(&ctx, &s), 0);
    if (MBEDTLS_CTR_DRBG_KEYSIZE == 32) {
        CHECK_EQ(s.calls, 2);
        CHECK_EQ(s.lens[1], 16);
    } else {
        CHECK_EQ(s.calls, 1);
    }
    CHECK_EQ(s.lens[0], 32);
    /* Nonce length is fixed once seeded. */
    CHECK_EQ(mbedtls_ctr_drbg_set_nonce_len(&ctx, 4), -0x34);
    mbedtls_ctr_drbg_free(&ctx);

    /* An explicit nonce length, and the limits. */
    mbedtls_ctr_drbg_init(&ctx);
    MISUSE_EQ(mbedtls_ctr_drbg_set_nonce_len(&ctx, MBEDTLS_CTR_DRBG_MAX_SEED_INPUT + 1), TOO_BIG);
    CHECK_EQ(mbedtls_ctr_drbg_set_nonce_len(&ctx, 5), 0);
    CHECK_EQ(seed_with(&ctx, &s), 0);
    CHECK_EQ(s.calls, 2);
    CHECK_EQ(s.lens[1], 5);
    mbedtls_ctr_drbg_free(&ctx);

    mbedtls_ctr_drbg_init(&ctx);
    mbedtls_ctr_drbg_set_entropy_len(&ctx, MBEDTLS_CTR_DRBG_MAX_SEED_INPUT + 1);
    MISUSE_EQ(seed_with(&ctx, &s), TOO_BIG);
    mbedtls_ctr_drbg_free(&ctx);

    mbedtls_ctr_drbg_init(&ctx);
    unsigned char custom[MBEDTLS_CTR_DRBG_MAX_SEED_INPUT];
    memset(custom, 1, sizeof(custom));
    memset(&s, 0, sizeof(s));
    MISUSE_EQ(mbedtls_ctr_drbg_seed(&ctx, src_entropy, &s, custom,
                                    MBEDTLS_CTR_DRBG_MAX_SEED_INPUT - 47), TOO_BIG);
    CHECK_EQ(mbedtls_ctr_drbg_seed(&ctx, src_entropy, &s, custom,
                                   MBEDTLS_CTR_DRBG_MAX_SEED_INPUT - 48), 0);
    mbedtls_ctr_drbg_free(&ctx);
}

static void test_generate(void)
{
    mbedtls_ctr_drbg_context a, b;
    source sa, sb;
    unsigned char x[1024], y[1024], add[MBEDTLS_CTR_DRBG_MAX_INPUT];
    memset(add, 7, sizeof(add));

    mbedtls_ctr_drbg_init(&a);
    mbedtls_ctr_drbg_init(&b);
    CHECK_EQ(seed_with(&a, &sa), 0);
    CHECK_EQ(seed_with(&b, &sb), 0);
    /* Same seed, same output, every length up to the limit. */
    for (size_t len = 0; len <= 1024; len += 97) {
        CHECK_EQ(mbedtls_ctr_drbg_random(&a, x, len), 0);
        CHECK_EQ(mbedtls_ctr_drbg_random(&b, y, len), 0);
        CHECK(memcmp(x, y, len) == 0);
    }
    CHECK_EQ(mbedtls_ctr_drbg_random(&a, x, 1024), 0);
    CHECK_EQ(mbedtls_ctr_drbg_random(&b, y, 1024), 0);
    CHECK(memcmp(x, y, 1024) == 0);
    CHECK_EQ(mbedtls_ctr_drbg_random(&a, x, 1025), -0x36);
    unsigned char add257[MBEDTLS_CTR_DRBG_MAX_INPUT + 1];
    memset(add257, 0, sizeof(add257));
    CHECK_EQ(mbedtls_ctr_drbg_random_with_add(&a, x, 16, add257, sizeof(add257)), -0x38);
    /* Additional input changes the output; the same input, the same output. */
    CHECK_EQ(mbedtls_ctr_drbg_random_with_add(&a, x, 64, add, sizeof(add)), 0);
    CHECK_EQ(mbedtls_ctr_drbg_random_with_add(&b, y, 64, add, sizeof(add)), 0);
    CHECK(memcmp(x, y, 64) == 0);
    CHECK_EQ(mbedtls_ctr_drbg_random_with_add(&a, x, 64, add, 1), 0);
    CHECK_EQ(mbedtls_ctr_drbg_random(&b, y, 64), 0);
    CHECK(memcmp(x, y, 64) != 0);
    mbedtls_ctr_drbg_free(&a);
    mbedtls_ctr_drbg_free(&b);

    /* update: 0 bytes is a no-op, too long is refused, otherwise it changes the state. */
    CHECK_EQ(seed_with(&a, &sa), 0);
    CHECK_EQ(seed_with(&b, &sb), 0);
    CHECK_EQ(mbedtls_ctr_drbg_update(&a, add, 0), 0);
    CHECK_EQ(mbedtls_ctr_drbg_random(&a, x, 32), 0);
    CHECK_EQ(mbedtls_ctr_drbg_random(&b, y, 32), 0);
    CHECK(memcmp(x, y, 32) == 0);
    unsigned char big[MBEDTLS_CTR_DRBG_MAX_SEED_INPUT + 1];
    memset(big, 3, sizeof(big));
    MISUSE_EQ(mbedtls_ctr_drbg_update(&a, big, sizeof(big)), TOO_BIG);
    CHECK_EQ(mbedtls_ctr_drbg_update(&a, big, sizeof(big) - 1), 0);
    CHECK_EQ(mbedtls_ctr_drbg_random(&a, x, 32), 0);
    CHECK_EQ(mbedtls_ctr_drbg_random(&b, y, 32), 0);
    CHECK(memcmp(x, y, 32) != 0);
    mbedtls_ctr_drbg_free(&a);
    mbedtls_ctr_drbg_free(&b);

    /* Reseed interval: entropy is drawn again after `interval` requests. */
    mbedtls_ctr_drbg_init(&a);
    CHECK_EQ(seed_with(&a, &sa), 0);
    mbedtls_ctr_drbg_set_reseed_interval(&a, 3);
    int calls = sa.calls;
    for (int i = 0; i < 3; i++) {
        CHECK_EQ(mbedtls_ctr_drbg_random(&a, x, 16), 0);
    }
    CHECK_EQ(sa.calls, calls);
    CHECK_EQ(mbedtls_ctr_drbg_random(&a, x, 16), 0);
    CHECK_EQ(sa.calls, calls + 1);
    /* Prediction resistance: every request reseeds. */
    mbedtls_ctr_drbg_set_prediction_resistance(&a, MBEDTLS_CTR_DRBG_PR_ON);
    CHECK_EQ(mbedtls_ctr_drbg_random(&a, x, 16), 0);
    CHECK_EQ(mbedtls_ctr_drbg_random(&a, x, 16), 0);
    CHECK_EQ(sa.calls, calls + 3);
    /* A failing source: the request fails. */
    sa.fail_at = sa.calls + 1;
    CHECK_EQ(mbedtls_ctr_drbg_random(&a, x, 16), -0x34);
    mbedtls_ctr_drbg_set_prediction_resistance(&a, MBEDTLS_CTR_DRBG_PR_OFF);
    /* Explicit reseed: entropy_len bytes, no nonce; failure and limits. */
    calls = sa.calls;
    CHECK_EQ(mbedtls_ctr_drbg_reseed(&a, add, 16), 0);
    CHECK_EQ(sa.calls, calls + 1);
    CHECK_EQ(sa.lens[sa.calls - 1], MBEDTLS_CTR_DRBG_ENTROPY_LEN);
    sa.fail_at = sa.calls + 1;
    CHECK_EQ(mbedtls_ctr_drbg_reseed(&a, NULL, 0), -0x34);
    MISUSE_EQ(mbedtls_ctr_drbg_reseed(&a, big, MBEDTLS_CTR_DRBG_MAX_SEED_INPUT - 47), TOO_BIG);
    CHECK_EQ(mbedtls_ctr_drbg_reseed(&a, big, MBEDTLS_CTR_DRBG_MAX_SEED_INPUT - 48), 0);
    mbedtls_ctr_drbg_free(&a);

#if defined(MBEDTLS_SELF_TEST)
    CHECK_EQ(mbedtls_ctr_drbg_self_test(0), 0);
#endif
}

#if defined(MBEDTLS_FS_IO)
static long file_size(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        return -1;
    }
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fclose(f);
    return n;
}

static void write_bytes(const char *path, size_t n)
{
    FILE *f = fopen(path, "wb");
    CHECK(f != NULL);
    if (f == NULL) {
        return;
    }
    for (size_t i = 0; i < n; i++) {
        fputc((int) i, f);
    }
    fclose(f);
}

static void test_seed_files(void)
{
    char dir[] = "/tmp/ctr_drbg_test_XXXXXX";
    char path[128], missing[160];
    mbedtls_ctr_drbg_context ctx;
    source s;

    CHECK(mkdtemp(dir) != NULL);
    snprintf(path, sizeof(path), "%s/seed", dir);
    snprintf(missing, sizeof(missing), "%s/no/such/dir/seed", dir);

    mbedtls_ctr_drbg_init(&ctx);
    MISUSE_EQ(mbedtls_ctr_drbg_write_seed_file(&ctx, path), NOT_SEEDED);
    CHECK_EQ(seed_with(&ctx, &s), 0);
    MISUSE_EQ(mbedtls_ctr_drbg_write_seed_file(&ctx, NULL), -0x3A);
    MISUSE_EQ(mbedtls_ctr_drbg_update_seed_file(&ctx, NULL), -0x3A);
    CHECK_EQ(mbedtls_ctr_drbg_write_seed_file(&ctx, missing), -0x3A);
    CHECK_EQ(mbedtls_ctr_drbg_update_seed_file(&ctx, missing), -0x3A);

    CHECK_EQ(mbedtls_ctr_drbg_write_seed_file(&ctx, path), 0);
    CHECK_EQ(file_size(path), MBEDTLS_CTR_DRBG_MAX_INPUT);
    CHECK_EQ(mbedtls_ctr_drbg_update_seed_file(&ctx, path), 0);
    CHECK_EQ(file_size(path), MBEDTLS_CTR_DRBG_MAX_INPUT);

    write_bytes(path, 1);
    CHECK_EQ(mbedtls_ctr_drbg_update_seed_file(&ctx, path), 0);
    CHECK_EQ(file_size(path), MBEDTLS_CTR_DRBG_MAX_INPUT);
    write_bytes(path, MBEDTLS_CTR_DRBG_MAX_INPUT + 1);
    MISUSE_EQ(mbedtls_ctr_drbg_update_seed_file(&ctx, path), TOO_BIG);
    write_bytes(path, 0);
    MISUSE_EQ(mbedtls_ctr_drbg_update_seed_file(&ctx, path), -0x3A);
    mbedtls_ctr_drbg_free(&ctx);

    unlink(path);
    rmdir(dir);
}
#endif

#if defined(MBEDTLS_THREADING_C)
#define T 4
#define N 300

static mbedtls_ctr_drbg_context shared;
static unsigned char drawn[T][N][64];

static void *drawer(void *arg)
{
    long t = (long) arg;
    for (int i = 0; i < N; i++) {
        CHECK_EQ(mbedtls_ctr_drbg_random(&shared, drawn[t][i], 64), 0);
    }
    return NULL;
}

static int cmp64(const void *a, const void *b)
{
    return memcmp(a, b, 64);
}

static void test_threads_equal_serial(int interval)
{
    source s1, s2;
    mbedtls_ctr_drbg_context ref;
    pthread_t th[T];
    static unsigned char serial[T * N][64];

    mbedtls_ctr_drbg_init(&shared);
    mbedtls_ctr_drbg_set_reseed_interval(&shared, interval);
    CHECK_EQ(seed_with(&shared, &s1), 0);
    for (long t = 0; t < T; t++) {
        CHECK_EQ(pthread_create(&th[t], NULL, drawer, (void *) t), 0);
    }
    for (int t = 0; t < T; t++) {
        CHECK_EQ(pthread_join(th[t], NULL), 0);
    }
    mbedtls_ctr_drbg_init(&ref);
    mbedtls_ctr_drbg_set_reseed_interval(&ref, interval);
    CHECK_EQ(seed_with(&ref, &s2), 0);
    for (int i = 0; i < T * N; i++) {
        CHECK_EQ(mbedtls_ctr_drbg_random(&ref, serial[i], 64), 0);
    }
    unsigned char x[16], y[16];
    CHECK_EQ(mbedtls_ctr_drbg_random(&shared, x, 16), 0);
    CHECK_EQ(mbedtls_ctr_drbg_random(&ref, y, 16), 0);
    CHECK(memcmp(x, y, 16) == 0);
    CHECK_EQ(s1.calls, s2.calls);
    qsort(drawn, T * N, 64, cmp64);
    qsort(serial, T * N, 64, cmp64);
    CHECK(memcmp(drawn, serial, sizeof(serial)) == 0);
    for (int i = 1; i < T * N; i++) {
        if (memcmp(serial[i - 1], serial[i], 64) == 0) {
            CHECK(!"two draws are equal");
        }
    }
    mbedtls_ctr_drbg_free(&ref);
    mbedtls_ctr_drbg_free(&shared);
}

static atomic_int stop_drawing;

static void *until_freed(void *arg)
{
    (void) arg;
    unsigned char out[1024];
    for (int i = 0; !atomic_load(&stop_drawing); i++) {
        int rc = mbedtls_ctr_drbg_random(&shared, out, (i & 1) ? 1024 : 48);
        if (rc != 0) {
            CHECK_EQ(rc, NOT_SEEDED);
            break;
        }
    }
    return NULL;
}

static void test_free_racing_random(void)
{
    source s;
    pthread_t th[T];
    for (int round = 0; round < 10; round++) {
        atomic_store(&stop_drawing, 0);
        mbedtls_ctr_drbg_init(&shared);
        mbedtls_ctr_drbg_set_reseed_interval(&shared, 5);
        CHECK_EQ(seed_with(&shared, &s), 0);
        for (long t = 0; t < T; t++) {
            CHECK_EQ(pthread_create(&th[t], NULL, until_freed, NULL), 0);
        }
        struct timespec ms = { 0, 1000000 };
        nanosleep(&ms, NULL);
        mbedtls_ctr_drbg_free(&shared);
        for (int t = 0; t < T; t++) {
            CHECK_EQ(pthread_join(th[t], NULL), 0);
        }
        /* Free again once everybody is out: harmless. */
        mbedtls_ctr_drbg_free(&shared);
    }
}

typedef struct {
    mbedtls_ctr_drbg_context *ctx;
    int inner_rc;
} reenter;

static int reentering_entropy(void *p, unsigned char *out, size_t len)
{
    reenter *r = (reenter *) p;
    unsigned char buf[16];
    r->inner_rc = mbedtls_ctr_drbg_random(r->ctx, buf, sizeof(buf));
    mbedtls_ctr_drbg_free(r->ctx); /* refused: we are inside it */
    memset(out, 0x33, len);
    return r->inner_rc == 0 ? 0 : -1;
}

static void test_reentry(void)
{
    mbedtls_ctr_drbg_context ctx;
    reenter r = { &ctx, 0 };
    unsigned char out[16];
    mbedtls_ctr_drbg_init(&ctx);
    MISUSE_EQ(mbedtls_ctr_drbg_seed(&ctx, reentering_entropy, &r, NULL, 0), NOT_SEEDED);
    CHECK_EQ(r.inner_rc, MBEDTLS_ERR_THREADING_MUTEX_ERROR);
    MISUSE_EQ(mbedtls_ctr_drbg_random(&ctx, out, sizeof(out)), NOT_SEEDED);
    mbedtls_ctr_drbg_free(&ctx);
}
#endif /* MBEDTLS_THREADING_C */

int main(void)
{
#if defined(MBEDTLS_THREADING_ALT)
    mbedtls_threading_set_alt(example_alt_mutex_init, example_alt_mutex_free,
                              example_alt_mutex_lock, example_alt_mutex_unlock);
    long live_before = example_alt_inits - example_alt_frees;
#endif
    test_null_and_unseeded();
    test_lifecycles();
    test_seeding_rules();
    test_generate();
#if defined(MBEDTLS_FS_IO)
    test_seed_files();
#endif
#if defined(MBEDTLS_THREADING_C)
    test_threads_equal_serial(7);
    test_threads_equal_serial(10000);
    test_free_racing_random();
    test_reentry();
#endif
#if defined(MBEDTLS_THREADING_ALT)
    /* Every context's mutex was freed by mbedtls_ctr_drbg_free(). */
    CHECK_EQ(example_alt_inits - example_alt_frees, live_before);
    mbedtls_threading_free_alt();
#endif
    return harness_finish("test_mod_ctr_drbg");
}
