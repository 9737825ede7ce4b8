/*
 * test_mod_hmac_drbg.c: every function of hmac_drbg.h from C, with the
 * exact error codes of every misuse a caller can reach; lifecycles (free
 * after init, free twice, free(NULL), four seeds in a row then one free,
 * reuse after free, a zero-filled context); known answers; seed files in a
 * temporary directory; and, with MBEDTLS_THREADING_C, concurrent draws that
 * must equal a serial run, every entry point on a shared context, free
 * racing random, and re-entry from the entropy callback.
 */
#define _POSIX_C_SOURCE 200809L

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "mbedtls/hmac_drbg.h"
#include "mbedtls/md.h"
#include "mbedtls/threading.h"
#include "mbedtls/threading_ext.h"

#include "harness.h"

#define MD_BAD MBEDTLS_ERR_MD_BAD_INPUT_DATA
#define TOO_BIG MBEDTLS_ERR_HMAC_DRBG_INPUT_TOO_BIG
#define REQ_BIG MBEDTLS_ERR_HMAC_DRBG_REQUEST_TOO_BIG
#define ENTROPY_FAILED MBEDTLS_ERR_HMAC_DRBG_ENTROPY_SOURCE_FAILED
#define FILE_ERR MBEDTLS_ERR_HMAC_DRBG_FILE_IO_ERROR

static const mbedtls_md_info_t *md(mbedtls_md_type_t t)
{
    const mbedtls_md_info_t *info = mbedtls_md_info_from_type(t);
    CHECK(info != NULL);
    return info;
}

/* A deterministic entropy source: request k gets bytes derived from k.
 * Counts requests and bytes; fails while `fail` is set. Only ever called
 * with the context locked, so plain counters are enough. */
typedef struct {
    unsigned long calls;
    size_t bytes;
    int fail;
} source;

static int source_entropy(void *p, unsigned char *out, size_t len)
{
    source *s = p;
    if (s->fail) {
        return -1;
    }
    unsigned long k = s->calls++;
    s->bytes += len;
    for (size_t i = 0; i < len; i++) {
        out[i] = (unsigned char) (k * 131u ^ i * 7u);
    }
    return 0;
}

/* Serves a fixed byte string in order. */
typedef struct {
    const unsigned char *data;
    size_t len;
    size_t pos;
} feed;

static int feed_entropy(void *p, unsigned char *out, size_t len)
{
    feed *f = p;
    if (f->len - f->pos < len) {
        return -1;
    }
    memcpy(out, f->data + f->pos, len);
    f->pos += len;
    return 0;
}

static size_t unhex(const char *s, unsigned char *out)
{
    size_t n = strlen(s) / 2;
    for (size_t i = 0; i < n; i++) {
        unsigned int b;
        sscanf(s + 2 * i, "%2x", &b);
        out[i] = (unsigned char) b;
    }
    return n;
}

/* ---- constants ------------------------------------------------------------ */

static void test_constants(void)
{
    CHECK_EQ(MBEDTLS_ERR_HMAC_DRBG_REQUEST_TOO_BIG, -0x0003);
    CHECK_EQ(MBEDTLS_ERR_HMAC_DRBG_INPUT_TOO_BIG, -0x0005);
    CHECK_EQ(MBEDTLS_ERR_HMAC_DRBG_FILE_IO_ERROR, -0x0007);
    CHECK_EQ(MBEDTLS_ERR_HMAC_DRBG_ENTROPY_SOURCE_FAILED, -0x0009);
    CHECK_EQ(MBEDTLS_HMAC_DRBG_RESEED_INTERVAL, 10000);
    CHECK_EQ(MBEDTLS_HMAC_DRBG_MAX_INPUT, 256);
    CHECK_EQ(MBEDTLS_HMAC_DRBG_MAX_REQUEST, 1024);
    CHECK_EQ(MBEDTLS_HMAC_DRBG_MAX_SEED_INPUT, 384);
    CHECK_EQ(MBEDTLS_HMAC_DRBG_PR_OFF, 0);
    CHECK_EQ(MBEDTLS_HMAC_DRBG_PR_ON, 1);
}

/* ---- known answers -------------------------------------------------------- */

/* NIST CAVP no_reseed HMAC_DRBG.rsp, [SHA-256], COUNT = 0: through seed and
 * through seed_buf. */
static void test_known_answer(void)
{
    unsigned char data[48], expected[128], out[128];
    size_t n = unhex("ca851911349384bffe89de1cbdc46e6831e44d34a4fb935ee285dd14b71a7488"
                     "659ba96c601dc69fc902940805ec0ca8", data);
    CHECK_EQ(n, 48);
    unhex("e528e9abf2dece54d47c7e75e5fe302149f817ea9fb4bee6f4199697d04d5b89"
          "d54fbb978a15b5c443c9ec21036d2460b6f73ebad0dc2aba6e624abf07745bc1"
          "07694bb7547bb0995f70de25d6b29e2d3011bb19d27676c07162c8b5ccde0668"
          "961df86803482cb37ed6d5c0bb8d50cf1f50d476aa0458bdaba806f48be9dcb8", expected);

    mbedtls_hmac_drbg_context ctx;
    feed f = { data, sizeof(data), 0 };
    mbedtls_hmac_drbg_init(&ctx);
    CHECK_EQ(mbedtls_hmac_drbg_seed(&ctx, md(MBEDTLS_MD_SHA256), feed_entropy, &f, NULL, 0), 0);
    CHECK_EQ(f.pos, 48);
    CHECK_EQ(mbedtls_hmac_drbg_random(&ctx, out, sizeof(out)), 0);
    CHECK_EQ(mbedtls_hmac_drbg_random_with_add(&ctx, out, sizeof(out), NULL, 0), 0);
    CHECK(memcmp(out, expected, sizeof(out)) == 0);
    mbedtls_hmac_drbg_free(&ctx);

    memset(out, 0, sizeof(out));
    CHECK_EQ(mbedtls_hmac_drbg_seed_buf(&ctx, md(MBEDTLS_MD_SHA256), data, sizeof(data)), 0);
    CHECK_EQ(mbedtls_hmac_drbg_random(&ctx, out, sizeof(out)), 0);
    CHECK_EQ(mbedtls_hmac_drbg_random(&ctx, out, sizeof(out)), 0);
    CHECK(memcmp(out, expected, sizeof(out)) == 0);
    mbedtls_hmac_drbg_free(&ctx);

#if defined(MBEDTLS_SELF_TEST)
    CHECK_EQ(mbedtls_hmac_drbg_self_test(0), 0);
    CHECK_EQ(mbedtls_hmac_drbg_self_test(1), 0);
#endif
}

/* ---- NULL pointers, unseeded contexts, bad arguments ---------------------- */

static void test_null_and_unseeded(void)
{
    unsigned char out[32] = { 0 };
    source src = { 0 };
    MISUSE(mbedtls_hmac_drbg_init(NULL));
    MISUSE(mbedtls_hmac_drbg_free(NULL));
    MISUSE(mbedtls_hmac_drbg_set_prediction_resistance(NULL, 1));
    MISUSE(mbedtls_hmac_drbg_set_entropy_len(NULL, 16));
    MISUSE(mbedtls_hmac_drbg_set_reseed_interval(NULL, 5));
    MISUSE_EQ(mbedtls_hmac_drbg_seed(NULL, md(MBEDTLS_MD_SHA256), source_entropy, &src, NULL, 0),
              MD_BAD);
    MISUSE_EQ(mbedtls_hmac_drbg_seed_buf(NULL, md(MBEDTLS_MD_SHA256), NULL, 0), MD_BAD);
    MISUSE_EQ(mbedtls_hmac_drbg_update(NULL, NULL, 0), MD_BAD);
    MISUSE_EQ(mbedtls_hmac_drbg_reseed(NULL, NULL, 0), MD_BAD);
    MISUSE_EQ(mbedtls_hmac_drbg_random(NULL, out, sizeof(out)), MD_BAD);
    MISUSE_EQ(mbedtls_hmac_drbg_random_with_add(NULL, out, sizeof(out), NULL, 0), MD_BAD);
#if defined(MBEDTLS_FS_IO)
    MISUSE_EQ(mbedtls_hmac_drbg_write_seed_file(NULL, NULL), FILE_ERR);
    MISUSE_EQ(mbedtls_hmac_drbg_update_seed_file(NULL, NULL), FILE_ERR);
#endif

    mbedtls_hmac_drbg_context ctx;
    mbedtls_hmac_drbg_init(&ctx);
    /* Before the seed (upstream returns the MD error here too). */
    MISUSE_EQ(mbedtls_hmac_drbg_random(&ctx, out, sizeof(out)), MD_BAD);
    MISUSE_EQ(mbedtls_hmac_drbg_random_with_add(&ctx, out, 4, (const unsigned char *) "x", 1),
              MD_BAD);
    MISUSE_EQ(mbedtls_hmac_drbg_update(&ctx, (const unsigned char *) "x", 1), MD_BAD);
    MISUSE_EQ(mbedtls_hmac_drbg_reseed(&ctx, NULL, 0), MD_BAD);
    /* The length checks come first, as upstream's. */
    static unsigned char big[1025];
    MISUSE_EQ(mbedtls_hmac_drbg_random(&ctx, big, 1025), REQ_BIG);
    MISUSE_EQ(mbedtls_hmac_drbg_random_with_add(&ctx, out, 4, big, 257), TOO_BIG);
    MISUSE_EQ(mbedtls_hmac_drbg_reseed(&ctx, big, 257), TOO_BIG);
    for (size_t i = 0; i < sizeof(out); i++) {
        CHECK_EQ(out[i], 0);
    }

    /* Seed arguments: refused before the context is touched. */
    int dummy = 0;
    MISUSE_EQ(mbedtls_hmac_drbg_seed(&ctx, NULL, source_entropy, &src, NULL, 0), MD_BAD);
    MISUSE_EQ(mbedtls_hmac_drbg_seed(&ctx, (const mbedtls_md_info_t *) (void *) &dummy,
                                     source_entropy, &src, NULL, 0), MD_BAD);
    MISUSE_EQ(mbedtls_hmac_drbg_seed(&ctx, md(MBEDTLS_MD_SHA256), NULL, NULL, NULL, 0),
              ENTROPY_FAILED);
    MISUSE_EQ(mbedtls_hmac_drbg_seed(&ctx, md(MBEDTLS_MD_SHA256), source_entropy, &src, big, 257),
              TOO_BIG);
    MISUSE_EQ(mbedtls_hmac_drbg_seed_buf(&ctx, NULL, big, 10), MD_BAD);
    CHECK_EQ(src.calls, 0);
    MISUSE_EQ(mbedtls_hmac_drbg_random(&ctx, out, sizeof(out)), MD_BAD);

    /* Entropy plus data over MAX_SEED_INPUT: 256 + 128 + 1 > 384. */
    mbedtls_hmac_drbg_set_entropy_len(&ctx, 256);
    MISUSE_EQ(mbedtls_hmac_drbg_seed(&ctx, md(MBEDTLS_MD_SHA256), source_entropy, &src, big, 1),
              TOO_BIG);
    CHECK_EQ(mbedtls_hmac_drbg_seed(&ctx, md(MBEDTLS_MD_SHA256), source_entropy, &src, NULL, 0), 0);
    CHECK_EQ(src.bytes, 384);
    MISUSE_EQ(mbedtls_hmac_drbg_reseed(&ctx, big, 129), TOO_BIG);
    CHECK_EQ(mbedtls_hmac_drbg_reseed(&ctx, big, 128), 0);
    /* Bad buffers on a seeded context. */
    MISUSE_EQ(mbedtls_hmac_drbg_random(&ctx, NULL, 16), MD_BAD);
    CHECK_EQ(mbedtls_hmac_drbg_random(&ctx, NULL, 0), 0);
    CHECK_EQ(mbedtls_hmac_drbg_random(&ctx, big, 1024), 0);
    CHECK_EQ(mbedtls_hmac_drbg_random_with_add(&ctx, out, 8, big, 256), 0);
    /* NULL additional data counts as none, as upstream treats it. */
    CHECK_EQ(mbedtls_hmac_drbg_random_with_add(&ctx, out, 8, NULL, 7), 0);
    CHECK_EQ(mbedtls_hmac_drbg_update(&ctx, NULL, 7), 0);
    CHECK_EQ(mbedtls_hmac_drbg_update(&ctx, big, sizeof(big)), 0);
    mbedtls_hmac_drbg_free(&ctx);
}

/* ---- entropy sources ------------------------------------------------------ */

static void test_entropy(void)
{
    static const struct {
        mbedtls_md_type_t type;
        size_t len;
    } algs[] = {
        { MBEDTLS_MD_SHA1, 16 }, { MBEDTLS_MD_SHA224, 24 }, { MBEDTLS_MD_SHA256, 32 },
        { MBEDTLS_MD_SHA384, 32 }, { MBEDTLS_MD_SHA512, 32 },
    };
    unsigned char out[16];
    for (size_t a = 0; a < sizeof(algs) / sizeof(algs[0]); a++) {
        size_t L = algs[a].len;
        source src = { 0 };
        mbedtls_hmac_drbg_context ctx;
        mbedtls_hmac_drbg_init(&ctx);
        mbedtls_hmac_drbg_set_reseed_interval(&ctx, 4);
        CHECK_EQ(mbedtls_hmac_drbg_seed(&ctx, md(algs[a].type), source_entropy, &src, NULL, 0), 0);
        CHECK_EQ(src.calls, 2);
        CHECK_EQ(src.bytes, L + L / 2);
        for (int i = 0; i < 4; i++) {
            CHECK_EQ(mbedtls_hmac_drbg_random(&ctx, out, sizeof(out)), 0);
        }
        CHECK_EQ(src.bytes, L + L / 2);
        CHECK_EQ(mbedtls_hmac_drbg_random(&ctx, out, sizeof(out)), 0);
        CHECK_EQ(src.bytes, 2 * L + L / 2);
        mbedtls_hmac_drbg_set_prediction_resistance(&ctx, MBEDTLS_HMAC_DRBG_PR_ON);
        CHECK_EQ(mbedtls_hmac_drbg_random(&ctx, out, sizeof(out)), 0);
        CHECK_EQ(src.bytes, 3 * L + L / 2);
        mbedtls_hmac_drbg_set_entropy_len(&ctx, 20);
        CHECK_EQ(mbedtls_hmac_drbg_reseed(&ctx, NULL, 0), 0);
        CHECK_EQ(src.bytes, 3 * L + L / 2 + 20);

        /* A failing source: reseed and PR draws fail, with no output. */
        src.fail = 1;
        memset(out, 0, sizeof(out));
        MISUSE_EQ(mbedtls_hmac_drbg_reseed(&ctx, NULL, 0), ENTROPY_FAILED);
        MISUSE_EQ(mbedtls_hmac_drbg_random(&ctx, out, sizeof(out)), ENTROPY_FAILED);
        CHECK_EQ(out[0] | out[15], 0);
        mbedtls_hmac_drbg_set_prediction_resistance(&ctx, MBEDTLS_HMAC_DRBG_PR_OFF);
        CHECK_EQ(mbedtls_hmac_drbg_random(&ctx, out, sizeof(out)), 0);
        mbedtls_hmac_drbg_free(&ctx);
    }

    /* A seed whose source fails: the context is live (free it) and gives
     * no output until a reseed succeeds. */
    source bad = { 0, 0, 1 };
    mbedtls_hmac_drbg_context ctx;
    mbedtls_hmac_drbg_init(&ctx);
    MISUSE_EQ(mbedtls_hmac_drbg_seed(&ctx, md(MBEDTLS_MD_SHA256), source_entropy, &bad, NULL, 0),
              ENTROPY_FAILED);
    MISUSE_EQ(mbedtls_hmac_drbg_random(&ctx, out, sizeof(out)), ENTROPY_FAILED);
    bad.fail = 0;
    CHECK_EQ(mbedtls_hmac_drbg_random(&ctx, out, sizeof(out)), 0);
    CHECK_EQ(bad.bytes, 32);
    mbedtls_hmac_drbg_free(&ctx);

    /* A deterministic instance never reseeds, and has no source. */
    mbedtls_hmac_drbg_init(&ctx);
    CHECK_EQ(mbedtls_hmac_drbg_seed_buf(&ctx, md(MBEDTLS_MD_SHA1), (const unsigned char *) "k", 1),
             0);
    mbedtls_hmac_drbg_set_reseed_interval(&ctx, 1);
    mbedtls_hmac_drbg_set_prediction_resistance(&ctx, MBEDTLS_HMAC_DRBG_PR_ON);
    unsigned char a[20], b[20];
    CHECK_EQ(mbedtls_hmac_drbg_random(&ctx, a, sizeof(a)), 0);
    CHECK_EQ(mbedtls_hmac_drbg_random(&ctx, b, sizeof(b)), 0);
    CHECK(memcmp(a, b, sizeof(a)) != 0);
    MISUSE_EQ(mbedtls_hmac_drbg_reseed(&ctx, NULL, 0), ENTROPY_FAILED);
    mbedtls_hmac_drbg_free(&ctx);
    mbedtls_hmac_drbg_init(&ctx);
    CHECK_EQ(mbedtls_hmac_drbg_seed_buf(&ctx, md(MBEDTLS_MD_SHA1), (const unsigned char *) "k", 1),
             0);
    CHECK_EQ(mbedtls_hmac_drbg_random(&ctx, b, sizeof(b)), 0);
    CHECK(memcmp(a, b, sizeof(a)) == 0);
    mbedtls_hmac_drbg_free(&ctx);
}

/* ---- lifecycles ----------------------------------------------------------- */

static size_t live_mutexes(void)
{
#if defined(MBEDTLS_THREADING_C)
    return mbedcrypto_mutex_live_count();
#else
    return 0;
#endif
}

static void test_lifecycles(void)
{
    unsigned char out[64];
    source src = { 0 };
    size_t live = live_mutexes();
    mbedtls_hmac_drbg_context ctx;

    /* Free after init, free twice. */
    mbedtls_hmac_drbg_init(&ctx);
    mbedtls_hmac_drbg_free(&ctx);
    MISUSE(mbedtls_hmac_drbg_free(&ctx));
    CHECK_EQ(live_mutexes(), live);

    /* Four seeds in a row (benchmark.c does this), then one free. */
    static const mbedtls_md_type_t order[] = { MBEDTLS_MD_SHA256, MBEDTLS_MD_SHA1,
                                               MBEDTLS_MD_SHA512, MBEDTLS_MD_SHA256 };
    for (int i = 0; i < 4; i++) {
        MISUSE_EQ(mbedtls_hmac_drbg_seed(&ctx, md(order[i]), source_entropy, &src,
                                         (const unsigned char *) "bench", 5), 0);
#if defined(MBEDTLS_THREADING_C)
        CHECK_EQ(live_mutexes(), live + 1);
#endif
        CHECK_EQ(mbedtls_hmac_drbg_random(&ctx, out, sizeof(out)), 0);
    }
    mbedtls_hmac_drbg_set_prediction_resistance(&ctx, MBEDTLS_HMAC_DRBG_PR_ON);
    mbedtls_hmac_drbg_set_reseed_interval(&ctx, 3);
    mbedtls_hmac_drbg_free(&ctx);
    CHECK_EQ(live_mutexes(), live);
    MISUSE_EQ(mbedtls_hmac_drbg_random(&ctx, out, sizeof(out)), MD_BAD);

    /* Free leaves the just-initialised state: a fresh init compares equal
     * on upstream's members. */
    mbedtls_hmac_drbg_context fresh;
    mbedtls_hmac_drbg_init(&fresh);
    CHECK(memcmp(&ctx, &fresh, offsetof(mbedtls_hmac_drbg_context, MBEDTLS_PRIVATE(p_entropy))
                 + sizeof(void *)) == 0);

    /* Reuse after free without init; a seed_buf instance. */
    CHECK_EQ(mbedtls_hmac_drbg_seed(&ctx, md(MBEDTLS_MD_SHA384), source_entropy, &src, NULL, 0), 0);
    CHECK_EQ(mbedtls_hmac_drbg_random(&ctx, out, sizeof(out)), 0);
    CHECK_EQ(mbedtls_hmac_drbg_seed_buf(&ctx, md(MBEDTLS_MD_SHA224), out, 10), 0);
    CHECK_EQ(mbedtls_hmac_drbg_random(&ctx, out, sizeof(out)), 0);
    mbedtls_hmac_drbg_free(&ctx);
    mbedtls_hmac_drbg_free(&fresh);

    /* A zero-filled context that was never initialised: free is safe. */
    mbedtls_hmac_drbg_context *zero = calloc(1, sizeof(*zero));
    CHECK(zero != NULL);
    MISUSE(mbedtls_hmac_drbg_free(zero));
    free(zero);

    /* A heap context seeded and freed (Valgrind / ASan see no leak). */
    mbedtls_hmac_drbg_context *heap = malloc(sizeof(*heap));
    CHECK(heap != NULL);
    mbedtls_hmac_drbg_init(heap);
    CHECK_EQ(mbedtls_hmac_drbg_seed(heap, md(MBEDTLS_MD_SHA512), source_entropy, &src, NULL, 0), 0);
    CHECK_EQ(mbedtls_hmac_drbg_random(heap, out, sizeof(out)), 0);
    mbedtls_hmac_drbg_free(heap);
    free(heap);
    CHECK_EQ(live_mutexes(), live);
}

/* ---- re-entry from the entropy callback ----------------------------------- */

typedef struct {
    mbedtls_hmac_drbg_context *ctx;
    int inner;
} reenter;

static int reentering_entropy(void *p, unsigned char *out, size_t len)
{
    reenter *r = p;
    unsigned char buf[16];
    r->inner = mbedtls_hmac_drbg_random(r->ctx, buf, sizeof(buf));
    /* Neither may deadlock or change the context. */
    mbedtls_hmac_drbg_set_reseed_interval(r->ctx, 1);
    mbedtls_hmac_drbg_free(r->ctx);
    memset(out, 0x5a, len);
    return r->inner;
}

static void test_reentry(void)
{
    mbedtls_hmac_drbg_context ctx;
    mbedtls_hmac_drbg_init(&ctx);
    reenter r = { &ctx, 1 };
    MISUSE_EQ(mbedtls_hmac_drbg_seed(&ctx, md(MBEDTLS_MD_SHA256), reentering_entropy, &r, NULL, 0),
              ENTROPY_FAILED);
    CHECK_EQ(r.inner, MBEDTLS_ERR_THREADING_MUTEX_ERROR);
    source src = { 0 };
    unsigned char out[16];
    CHECK_EQ(mbedtls_hmac_drbg_seed(&ctx, md(MBEDTLS_MD_SHA256), source_entropy, &src, NULL, 0), 0);
    CHECK_EQ(mbedtls_hmac_drbg_random(&ctx, out, sizeof(out)), 0);
    mbedtls_hmac_drbg_free(&ctx);
}

/* ---- seed files ----------------------------------------------------------- */

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

static void write_file(const char *path, size_t n)
{
    FILE *f = fopen(path, "wb");
    CHECK(f != NULL);
    for (size_t i = 0; i < n; i++) {
        fputc((int) i, f);
    }
    fclose(f);
}

static void test_seed_files(void)
{
    char dir[] = "/tmp/hmac_drbg_XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char seed[64], big[64], empty[64], missing[64], nodir[80];
    snprintf(seed, sizeof(seed), "%s/seed", dir);
    snprintf(big, sizeof(big), "%s/big", dir);
    snprintf(empty, sizeof(empty), "%s/empty", dir);
    snprintf(missing, sizeof(missing), "%s/missing", dir);
    snprintf(nodir, sizeof(nodir), "%s/no/such/file", dir);

    source src = { 0 };
    mbedtls_hmac_drbg_context ctx;
    mbedtls_hmac_drbg_init(&ctx);
    MISUSE_EQ(mbedtls_hmac_drbg_write_seed_file(&ctx, seed), MD_BAD);
    CHECK_EQ(mbedtls_hmac_drbg_seed(&ctx, md(MBEDTLS_MD_SHA256), source_entropy, &src, NULL, 0), 0);
    CHECK_EQ(mbedtls_hmac_drbg_write_seed_file(&ctx, seed), 0);
    CHECK_EQ(file_size(seed), 256);
    CHECK_EQ(mbedtls_hmac_drbg_update_seed_file(&ctx, seed), 0);
    CHECK_EQ(file_size(seed), 256);
    write_file(big, 257);
    MISUSE_EQ(mbedtls_hmac_drbg_update_seed_file(&ctx, big), TOO_BIG);
    CHECK_EQ(file_size(big), 257);
    write_file(big, 256);
    CHECK_EQ(mbedtls_hmac_drbg_update_seed_file(&ctx, big), 0);
    write_file(empty, 0);
    MISUSE_EQ(mbedtls_hmac_drbg_update_seed_file(&ctx, empty), FILE_ERR);
    MISUSE_EQ(mbedtls_hmac_drbg_update_seed_file(&ctx, missing), FILE_ERR);
    MISUSE_EQ(mbedtls_hmac_drbg_write_seed_file(&ctx, nodir), FILE_ERR);
    MISUSE_EQ(mbedtls_hmac_drbg_write_seed_file(&ctx, NULL), FILE_ERR);
    MISUSE_EQ(mbedtls_hmac_drbg_update_seed_file(&ctx, NULL), FILE_ERR);
    mbedtls_hmac_drbg_free(&ctx);

    remove(seed);
    remove(big);
    remove(empty);
    rmdir(dir);
}
#endif

/* ---- threads -------------------------------------------------------------- */

#if defined(MBEDTLS_THREADING_C)
#define T 4
#define N 300
#define BLOCK 64

static mbedtls_hmac_drbg_context shared;
static unsigned char drawn[T * N][BLOCK];

static void *draw_blocks(void *arg)
{
    size_t t = (size_t) (uintptr_t) arg;
    for (size_t i = 0; i < N; i++) {
        CHECK_EQ(mbedtls_hmac_drbg_random(&shared, drawn[t * N + i], BLOCK), 0);
    }
    return NULL;
}

static int cmp_block(const void *a, const void *b)
{
    return memcmp(a, b, BLOCK);
}

static void seed_for_equivalence(mbedtls_hmac_drbg_context *ctx, source *src, int interval)
{
    mbedtls_hmac_drbg_init(ctx);
    CHECK_EQ(mbedtls_hmac_drbg_seed(ctx, md(MBEDTLS_MD_SHA256), source_entropy, src,
                                    (const unsigned char *) "equivalence", 11), 0);
    mbedtls_hmac_drbg_set_reseed_interval(ctx, interval);
}

/* T threads draw N blocks each from one shared context; the next output
 * and the multiset of outputs equal a serial run's. */
static void test_concurrent_equals_serial(int interval)
{
    static unsigned char serial[T * N][BLOCK];
    source src = { 0 }, ref_src = { 0 };
    seed_for_equivalence(&shared, &src, interval);
    pthread_t th[T];
    for (size_t t = 0; t < T; t++) {
        CHECK_EQ(pthread_create(&th[t], NULL, draw_blocks, (void *) (uintptr_t) t), 0);
    }
    for (size_t t = 0; t < T; t++) {
        CHECK_EQ(pthread_join(th[t], NULL), 0);
    }
    unsigned char next[BLOCK], ref_next[BLOCK];
    CHECK_EQ(mbedtls_hmac_drbg_random(&shared, next, BLOCK), 0);

    mbedtls_hmac_drbg_context ref;
    seed_for_equivalence(&ref, &ref_src, interval);
    for (size_t i = 0; i < T * N; i++) {
        CHECK_EQ(mbedtls_hmac_drbg_random(&ref, serial[i], BLOCK), 0);
    }
    CHECK_EQ(mbedtls_hmac_drbg_random(&ref, ref_next, BLOCK), 0);
    CHECK(memcmp(next, ref_next, BLOCK) == 0);
    CHECK_EQ(src.calls, ref_src.calls);
    qsort(drawn, T * N, BLOCK, cmp_block);
    qsort(serial, T * N, BLOCK, cmp_block);
    CHECK(memcmp(drawn, serial, sizeof(serial)) == 0);
    for (size_t i = 1; i < T * N; i++) {
        CHECK(memcmp(serial[i - 1], serial[i], BLOCK) != 0);
    }
    mbedtls_hmac_drbg_free(&ref);
    mbedtls_hmac_drbg_free(&shared);
}

static source hammer_src;

static void *hammer(void *arg)
{
    size_t t = (size_t) (uintptr_t) arg;
    unsigned char out[100];
    for (size_t i = 0; i < 300; i++) {
        int rc = 0;
        switch ((t + i) % 8) {
            case 0: rc = mbedtls_hmac_drbg_random(&shared, out, sizeof(out)); break;
            case 1:
                rc = mbedtls_hmac_drbg_random_with_add(&shared, out, sizeof(out),
                                                       (const unsigned char *) "add", 3);
                break;
            case 2: rc = mbedtls_hmac_drbg_reseed(&shared, (const unsigned char *) "r", 1); break;
            case 3: rc = mbedtls_hmac_drbg_update(&shared, (const unsigned char *) "u", 1); break;
            case 4: mbedtls_hmac_drbg_set_reseed_interval(&shared, 2 + (int) (i % 5)); break;
            case 5: mbedtls_hmac_drbg_set_prediction_resistance(&shared, (int) (i % 2)); break;
            case 6: mbedtls_hmac_drbg_set_entropy_len(&shared, 32 + i % 8); break;
            default:
                rc = mbedtls_hmac_drbg_seed(&shared, md(MBEDTLS_MD_SHA256), source_entropy,
                                            &hammer_src, NULL, 0);
                break;
        }
        CHECK_EQ(rc, 0);
    }
    return NULL;
}

static void test_every_entry_point_shared(void)
{
    size_t live = live_mutexes();
    mbedtls_hmac_drbg_init(&shared);
    CHECK_EQ(mbedtls_hmac_drbg_seed(&shared, md(MBEDTLS_MD_SHA256), source_entropy, &hammer_src,
                                    NULL, 0), 0);
    pthread_t th[T];
    for (size_t t = 0; t < T; t++) {
        CHECK_EQ(pthread_create(&th[t], NULL, hammer, (void *) (uintptr_t) t), 0);
    }
    for (size_t t = 0; t < T; t++) {
        CHECK_EQ(pthread_join(th[t], NULL), 0);
    }
    CHECK_EQ(live_mutexes(), live + 1);
    mbedtls_hmac_drbg_free(&shared);
    CHECK_EQ(live_mutexes(), live);
}

static void *draw_until_freed(void *arg)
{
    long *bad = arg;
    unsigned char out[64];
    for (int i = 0; i < 3000; i++) {
        int rc = mbedtls_hmac_drbg_random(&shared, out, sizeof(out));
        if (rc != 0 && rc != MD_BAD) {
            (*bad)++;
        }
    }
    return NULL;
}

static void test_free_racing_random(void)
{
    for (int round = 0; round < 10; round++) {
        source src = { 0 };
        long bad[T] = { 0 };
        mbedtls_hmac_drbg_init(&shared);
        CHECK_EQ(mbedtls_hmac_drbg_seed(&shared, md(MBEDTLS_MD_SHA512), source_entropy, &src,
                                        NULL, 0), 0);
        pthread_t th[T];
        for (size_t t = 0; t < T; t++) {
            CHECK_EQ(pthread_create(&th[t], NULL, draw_until_freed, &bad[t]), 0);
        }
        struct timespec ts = { 0, 100000L * round };
        nanosleep(&ts, NULL);
        mbedtls_hmac_drbg_free(&shared);
        unsigned char out[8];
        MISUSE_EQ(mbedtls_hmac_drbg_random(&shared, out, sizeof(out)), MD_BAD);
        for (size_t t = 0; t < T; t++) {
            CHECK_EQ(pthread_join(th[t], NULL), 0);
            CHECK_EQ(bad[t], 0);
        }
    }
}
#endif /* MBEDTLS_THREADING_C */

#if defined(MBEDTLS_THREADING_ALT)
/* Before mbedtls_threading_set_alt() no mutex can be locked: a seed gets
 * the lock's error unchanged, and free still works. */
static void test_alt_before_set_alt(void)
{
    source src = { 0 };
    unsigned char out[16];
    mbedtls_hmac_drbg_context ctx;
    mbedtls_hmac_drbg_init(&ctx);
    MISUSE_EQ(mbedtls_hmac_drbg_seed(&ctx, md(MBEDTLS_MD_SHA256), source_entropy, &src, NULL, 0),
              MBEDTLS_ERR_THREADING_BAD_INPUT_DATA);
    CHECK_EQ(src.calls, 0);
    MISUSE_EQ(mbedtls_hmac_drbg_random(&ctx, out, sizeof(out)),
              MBEDTLS_ERR_THREADING_BAD_INPUT_DATA);
    mbedtls_hmac_drbg_free(&ctx);
    MISUSE_EQ(mbedtls_hmac_drbg_random(&ctx, out, sizeof(out)), MD_BAD);
}
#endif

int main(void)
{
#if defined(MBEDTLS_THREADING_ALT)
    test_alt_before_set_alt();
    mbedtls_threading_set_alt(example_alt_mutex_init, example_alt_mutex_free,
                              example_alt_mutex_lock, example_alt_mutex_unlock);
#endif
    test_constants();
    test_known_answer();
    test_null_and_unseeded();
    test_entropy();
    test_lifecycles();
    test_reentry();
#if defined(MBEDTLS_FS_IO)
    test_seed_files();
#endif
#if defined(MBEDTLS_THREADING_C)
    test_concurrent_equals_serial(10000);
    test_concurrent_equals_serial(5);
    test_every_entry_point_shared();
    test_free_racing_random();
#endif
#if defined(MBEDTLS_THREADING_ALT)
    mbedtls_threading_free_alt();
#endif
    return harness_finish("test_mod_hmac_drbg");
}
