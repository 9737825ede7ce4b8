/*
 * test_mod_entropy.c: every function of entropy.h from C: the accumulator
 * (upstream's output for deterministic sources), sources, thresholds,
 * manual updates, seed files, the platform source, self-tests, every error
 * a caller can reach, lifecycles, re-entry from a source, and several
 * threads sharing one context (with a free racing them).
 */
#define _POSIX_C_SOURCE 200809L
/* The tests read and reset source_count, as upstream's own tests do. */
#define MBEDTLS_ALLOW_PRIVATE_ACCESS

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "mbedtls/entropy.h"

#include "harness.h"

#define SOURCE_FAILED MBEDTLS_ERR_ENTROPY_SOURCE_FAILED
#define NO_SOURCES MBEDTLS_ERR_ENTROPY_NO_SOURCES_DEFINED
/* MBEDTLS_ERR_THREADING_MUTEX_ERROR (threading.h is only included with
 * MBEDTLS_THREADING_C; re-entry is refused in every configuration). */
#define REENTERED (-0x001E)

/* ---- Test sources ------------------------------------------------------ */

typedef struct {
    unsigned char next;   /* counter value of the next byte */
    size_t chunk;         /* bytes per poll */
    int counter;          /* 1: counting bytes, 0: `fill` */
    unsigned char fill;
    int ret;              /* returned by the source */
    atomic_long polls;
} test_source;

static int source_fn(void *data, unsigned char *output, size_t len, size_t *olen)
{
    test_source *s = data;
    atomic_fetch_add(&s->polls, 1);
    if (s->ret != 0) {
        return s->ret;
    }
    size_t n = s->chunk < len ? s->chunk : len;
    for (size_t i = 0; i < n; i++) {
        output[i] = s->counter ? s->next++ : s->fill;
    }
    *olen = n;
    return 0;
}

static void source_init(test_source *s, size_t chunk, int counter, unsigned char start)
{
    memset(s, 0, sizeof(*s));
    s->chunk = chunk;
    s->counter = counter;
    s->next = start;
    s->fill = start;
}

/* An initialised context without the default sources. */
static void bare_init(mbedtls_entropy_context *ctx)
{
    mbedtls_entropy_init(ctx);
    ctx->MBEDTLS_PRIVATE(source_count) = 0;
#if defined(MBEDTLS_ENTROPY_NV_SEED)
    /* No NV seed refresh: reproduce upstream's output without NV seed. */
    ctx->MBEDTLS_PRIVATE(initial_entropy_run) = 1;
#endif
}

#if defined(MBEDTLS_ENTROPY_NV_SEED)
/* In-memory NV seed, so the tests do not touch ./seedfile. */
static unsigned char nv_seed[MBEDTLS_ENTROPY_BLOCK_SIZE];
static atomic_long nv_writes;
static int nv_fail;

static int nv_read(unsigned char *buf, size_t len)
{
    if (nv_fail) {
        return -1;
    }
    size_t n = len < sizeof(nv_seed) ? len : sizeof(nv_seed);
    memcpy(buf, nv_seed, n);
    return (int) n;
}

static int nv_write(unsigned char *buf, size_t len)
{
    if (nv_fail) {
        return -1;
    }
    size_t n = len < sizeof(nv_seed) ? len : sizeof(nv_seed);
    memcpy(nv_seed, buf, n);
    atomic_fetch_add(&nv_writes, 1);
    return (int) n;
}
#endif

#if defined(MBEDTLS_ENTROPY_HARDWARE_ALT)
/* The application's hardware source. */
int mbedtls_hardware_poll(void *data, unsigned char *output, size_t len, size_t *olen)
{
    static unsigned char next = 1;
    (void) data;
    size_t n = len < 24 ? len : 24;
    for (size_t i = 0; i < n; i++) {
        output[i] = next;
        next = (unsigned char) (next + 29);
    }
    *olen = n;
    return 0;
}
#endif

/* ---- Upstream's output -------------------------------------------------- */

/* Produced by upstream Mbed TLS v3.6.6 (its libmbedcrypto.a): init, set
 * source_count to 0, register one strong source (threshold 0) delivering
 * 40 bytes per poll counting up from 0, then mbedtls_entropy_func() for
 * 64 bytes, 32 bytes, update_manual("abc"), and 64 bytes. */
static const unsigned char upstream_a1[64] = {
    0x03, 0xba, 0x7f, 0x6d, 0xc9, 0x1d, 0xe1, 0x02, 0xce, 0x96, 0x6b, 0x91, 0x53, 0xa5, 0x23, 0xb8,
    0xc6, 0xe8, 0x1d, 0x9c, 0x4b, 0xb1, 0xcb, 0xe8, 0xb9, 0x4a, 0xd3, 0x89, 0xbc, 0xf7, 0xf9, 0xeb,
    0xe1, 0x9f, 0x67, 0x3c, 0x4b, 0xca, 0x19, 0xf6, 0x3f, 0xb9, 0x14, 0xd5, 0x2a, 0x5a, 0xd6, 0xe2,
    0x0e, 0x95, 0x64, 0x3f, 0x6b, 0x17, 0xe1, 0x90, 0x3e, 0x0c, 0x20, 0x64, 0x6c, 0x80, 0x67, 0xd0,
};
static const unsigned char upstream_a2[32] = {
    0xe2, 0x82, 0x3c, 0x85, 0x7d, 0x1c, 0x77, 0x74, 0x87, 0x5a, 0x6a, 0xeb, 0xfd, 0x34, 0xb1, 0x32,
    0x71, 0x42, 0x38, 0xb6, 0x96, 0xa1, 0xca, 0xef, 0x9c, 0x52, 0x77, 0xce, 0x8d, 0x3f, 0xcf, 0x00,
};
static const unsigned char upstream_a3[64] = {
    0xb5, 0x25, 0x1e, 0xc3, 0xfc, 0xf1, 0xe9, 0x30, 0x55, 0x96, 0x15, 0x7a, 0x71, 0x12, 0xab, 0xb9,
    0xe2, 0x71, 0x10, 0x12, 0x88, 0xb6, 0x12, 0x66, 0xb4, 0x42, 0x72, 0xbb, 0x31, 0xdc, 0xe6, 0xe8,
    0x1d, 0x54, 0xa6, 0xaa, 0xd5, 0xe9, 0x2d, 0x08, 0x34, 0x1f, 0xef, 0x8a, 0xb0, 0x66, 0x6e, 0xd5,
    0xda, 0x2c, 0xcb, 0xbc, 0x5e, 0x8e, 0x92, 0xe9, 0x3a, 0x63, 0x8a, 0x0a, 0x3a, 0xb2, 0x29, 0x17,
};
/* Same, with a strong source delivering all 128 bytes asked for counting
 * up from 100 and a weak source (threshold 32) delivering 10 bytes of
 * 0xa5: func(64), func(64), update_manual(200 x 0x11), gather, func(48). */
static const unsigned char upstream_b3[48] = {
    0xf5, 0xa7, 0x68, 0x70, 0xbd, 0xba, 0xe2, 0x1d, 0x47, 0xfd, 0x0e, 0xa9, 0xa4, 0x20, 0x5b, 0xfe,
    0x33, 0x66, 0x51, 0x03, 0xdb, 0x60, 0x3c, 0x61, 0xa7, 0x42, 0x6b, 0x94, 0x6f, 0x42, 0x8b, 0x39,
    0x7b, 0x26, 0xeb, 0x4c, 0x39, 0x03, 0x85, 0xf5, 0x13, 0x40, 0x1e, 0x97, 0x92, 0xa0, 0x4b, 0x07,
};

static void test_constants(void)
{
    CHECK_EQ(MBEDTLS_ERR_ENTROPY_SOURCE_FAILED, -0x003C);
    CHECK_EQ(MBEDTLS_ERR_ENTROPY_MAX_SOURCES, -0x003E);
    CHECK_EQ(MBEDTLS_ERR_ENTROPY_NO_SOURCES_DEFINED, -0x0040);
    CHECK_EQ(MBEDTLS_ERR_ENTROPY_NO_STRONG_SOURCE, -0x003D);
    CHECK_EQ(MBEDTLS_ERR_ENTROPY_FILE_IO_ERROR, -0x003F);
    CHECK_EQ(MBEDTLS_ENTROPY_MAX_SOURCES, 20);
    CHECK_EQ(MBEDTLS_ENTROPY_MAX_GATHER, 128);
    CHECK_EQ(MBEDTLS_ENTROPY_MAX_SEED_SIZE, 1024);
    CHECK_EQ(MBEDTLS_ENTROPY_SOURCE_MANUAL, MBEDTLS_ENTROPY_MAX_SOURCES);
    CHECK_EQ(MBEDTLS_ENTROPY_SOURCE_STRONG, 1);
    CHECK_EQ(MBEDTLS_ENTROPY_SOURCE_WEAK, 0);
    CHECK_EQ(MBEDTLS_ENTROPY_BLOCK_SIZE, 64);
    CHECK_EQ(MBEDTLS_ENTROPY_MD, MBEDTLS_MD_SHA512);
#if !defined(MBEDTLS_ENTROPY_SHA512_ACCUMULATOR)
    CHECK(!"MBEDTLS_ENTROPY_SHA512_ACCUMULATOR is defined");
#endif
    mbedtls_entropy_f_source_ptr f = source_fn;
    CHECK(f != NULL);
}

static void test_upstream_output(void)
{
    mbedtls_entropy_context ctx;
    test_source s;
    unsigned char out[64];

    bare_init(&ctx);
    source_init(&s, 40, 1, 0);
    CHECK_EQ(mbedtls_entropy_add_source(&ctx, source_fn, &s, 0, MBEDTLS_ENTROPY_SOURCE_STRONG), 0);
    CHECK_EQ(mbedtls_entropy_func(&ctx, out, 64), 0);
    CHECK(memcmp(out, upstream_a1, 64) == 0);
    CHECK_EQ(atomic_load(&s.polls), 2);
    CHECK_EQ(mbedtls_entropy_func(&ctx, out, 32), 0);
    CHECK(memcmp(out, upstream_a2, 32) == 0);
    CHECK_EQ(mbedtls_entropy_update_manual(&ctx, (const unsigned char *) "abc", 3), 0);
    CHECK_EQ(mbedtls_entropy_func(&ctx, out, 64), 0);
    CHECK(memcmp(out, upstream_a3, 64) == 0);
    mbedtls_entropy_free(&ctx);

    test_source strong, weak;
    unsigned char manual[200];
    memset(manual, 0x11, sizeof(manual));
    bare_init(&ctx);
    source_init(&strong, 1000, 1, 100);
    source_init(&weak, 10, 0, 0xa5);
    CHECK_EQ(mbedtls_entropy_add_source(&ctx, source_fn, &strong, 0, MBEDTLS_ENTROPY_SOURCE_STRONG), 0);
    CHECK_EQ(mbedtls_entropy_add_source(&ctx, source_fn, &weak, 32, MBEDTLS_ENTROPY_SOURCE_WEAK), 0);
    CHECK_EQ(mbedtls_entropy_func(&ctx, out, 64), 0);
    /* The weak source's threshold takes 4 rounds. */
    CHECK_EQ(atomic_load(&weak.polls), 4);
    CHECK_EQ(mbedtls_entropy_func(&ctx, out, 64), 0);
    CHECK_EQ(mbedtls_entropy_update_manual(&ctx, manual, sizeof(manual)), 0);
    CHECK_EQ(mbedtls_entropy_gather(&ctx), 0);
    CHECK_EQ(mbedtls_entropy_func(&ctx, out, 48), 0);
    CHECK(memcmp(out, upstream_b3, 48) == 0);
    mbedtls_entropy_free(&ctx);
}

static void test_errors(void)
{
    mbedtls_entropy_context ctx;
    test_source s;
    unsigned char out[65];

    /* NULL everything. */
    MISUSE(mbedtls_entropy_init(NULL));
    MISUSE(mbedtls_entropy_free(NULL));
    MISUSE_EQ(mbedtls_entropy_func(NULL, out, 16), NO_SOURCES);
    MISUSE_EQ(mbedtls_entropy_gather(NULL), NO_SOURCES);
    MISUSE_EQ(mbedtls_entropy_add_source(NULL, source_fn, NULL, 0, 1), SOURCE_FAILED);
    MISUSE_EQ(mbedtls_entropy_update_manual(NULL, out, 1), SOURCE_FAILED);

    bare_init(&ctx);
    MISUSE_EQ(mbedtls_entropy_func(&ctx, out, 65), SOURCE_FAILED);
    CHECK_EQ(mbedtls_entropy_gather(&ctx), NO_SOURCES);
    CHECK_EQ(mbedtls_entropy_func(&ctx, out, 16), NO_SOURCES);
    MISUSE_EQ(mbedtls_entropy_add_source(&ctx, NULL, NULL, 0, 1), SOURCE_FAILED);
    CHECK_EQ(ctx.MBEDTLS_PRIVATE(source_count), 0);

    /* Only a weak source. */
    source_init(&s, 64, 0, 7);
    CHECK_EQ(mbedtls_entropy_add_source(&ctx, source_fn, &s, 0, MBEDTLS_ENTROPY_SOURCE_WEAK), 0);
    CHECK_EQ(mbedtls_entropy_gather(&ctx), MBEDTLS_ERR_ENTROPY_NO_STRONG_SOURCE);
    CHECK_EQ(mbedtls_entropy_func(&ctx, out, 16), MBEDTLS_ERR_ENTROPY_NO_STRONG_SOURCE);

    /* A strong source that never delivers: 257 rounds, then failure. */
    test_source silent;
    source_init(&silent, 0, 0, 0);
    CHECK_EQ(mbedtls_entropy_add_source(&ctx, source_fn, &silent, 0, MBEDTLS_ENTROPY_SOURCE_STRONG), 0);
    CHECK_EQ(mbedtls_entropy_func(&ctx, out, 16), SOURCE_FAILED);
    CHECK_EQ(atomic_load(&silent.polls), 257);

    /* A source's own error passes through. */
    silent.ret = -0x0042;
    CHECK_EQ(mbedtls_entropy_gather(&ctx), -0x0042);
    CHECK_EQ(mbedtls_entropy_func(&ctx, out, 16), -0x0042);

    /* NULL buffers. */
    MISUSE_EQ(mbedtls_entropy_func(&ctx, NULL, 16), SOURCE_FAILED);
    MISUSE_EQ(mbedtls_entropy_update_manual(&ctx, NULL, 16), SOURCE_FAILED);
    CHECK_EQ(mbedtls_entropy_update_manual(&ctx, NULL, 0), 0);
    mbedtls_entropy_free(&ctx);
}

static void test_source_limit(void)
{
    mbedtls_entropy_context ctx;
    test_source s;
    source_init(&s, 1, 0, 0);
    mbedtls_entropy_init(&ctx);
    int defaults = ctx.MBEDTLS_PRIVATE(source_count);
    int expected = 0;
#if !defined(MBEDTLS_NO_PLATFORM_ENTROPY)
    expected++;
#endif
#if defined(MBEDTLS_ENTROPY_HARDWARE_ALT)
    expected++;
#endif
#if defined(MBEDTLS_ENTROPY_NV_SEED)
    expected++;
#endif
    CHECK_EQ(defaults, expected);
    for (int i = defaults; i < MBEDTLS_ENTROPY_MAX_SOURCES; i++) {
        CHECK_EQ(mbedtls_entropy_add_source(&ctx, source_fn, &s, 0, 0), 0);
    }
    MISUSE_EQ(mbedtls_entropy_add_source(&ctx, source_fn, &s, 0, 0), MBEDTLS_ERR_ENTROPY_MAX_SOURCES);
    CHECK_EQ(ctx.MBEDTLS_PRIVATE(source_count), MBEDTLS_ENTROPY_MAX_SOURCES);
    mbedtls_entropy_free(&ctx);
}

static void test_lifecycles(void)
{
    mbedtls_entropy_context ctx;
    unsigned char out[32];

    /* Free right after init, twice. */
    mbedtls_entropy_init(&ctx);
    mbedtls_entropy_free(&ctx);
    CHECK_EQ(ctx.MBEDTLS_PRIVATE(accumulator_started), -1);
    MISUSE(mbedtls_entropy_free(&ctx));
    /* Use after free. */
    MISUSE_EQ(mbedtls_entropy_func(&ctx, out, 16), NO_SOURCES);
    MISUSE_EQ(mbedtls_entropy_gather(&ctx), NO_SOURCES);
    MISUSE_EQ(mbedtls_entropy_update_manual(&ctx, out, 4), SOURCE_FAILED);
    MISUSE_EQ(mbedtls_entropy_add_source(&ctx, source_fn, NULL, 0, 1), SOURCE_FAILED);
    /* Init again after free. */
    mbedtls_entropy_init(&ctx);
#if !defined(MBEDTLS_NO_PLATFORM_ENTROPY) && !defined(MBEDTLS_ENTROPY_NV_SEED)
    CHECK_EQ(mbedtls_entropy_func(&ctx, out, 32), 0);
#endif
    /* Free and init again: only the defaults remain. */
    test_source s;
    source_init(&s, 64, 1, 0);
    CHECK_EQ(mbedtls_entropy_add_source(&ctx, source_fn, &s, 0, 1), 0);
    int with_extra = ctx.MBEDTLS_PRIVATE(source_count);
    mbedtls_entropy_free(&ctx);
    mbedtls_entropy_init(&ctx);
    CHECK_EQ(ctx.MBEDTLS_PRIVATE(source_count), with_extra - 1);
    mbedtls_entropy_free(&ctx);

    /* Zero-filled memory, never initialised. */
    mbedtls_entropy_context zero;
    memset(&zero, 0, sizeof(zero));
    MISUSE_EQ(mbedtls_entropy_func(&zero, out, 16), NO_SOURCES);
    MISUSE_EQ(mbedtls_entropy_gather(&zero), NO_SOURCES);
    MISUSE_EQ(mbedtls_entropy_update_manual(&zero, out, 4), SOURCE_FAILED);
    MISUSE_EQ(mbedtls_entropy_add_source(&zero, source_fn, NULL, 0, 1), SOURCE_FAILED);
    MISUSE(mbedtls_entropy_free(&zero));
    MISUSE(mbedtls_entropy_free(&zero));

    /* Many contexts in a row (no leaks under ASan/Valgrind). */
    for (int i = 0; i < 50; i++) {
        mbedtls_entropy_init(&ctx);
        CHECK_EQ(mbedtls_entropy_update_manual(&ctx, out, sizeof(out)), 0);
        mbedtls_entropy_free(&ctx);
    }
}

/* ---- Re-entry from a source --------------------------------------------- */

typedef struct {
    mbedtls_entropy_context *ctx;
    int func_rc, gather_rc, add_rc, update_rc;
} reenter_state;

static int reentering_source(void *data, unsigned char *output, size_t len, size_t *olen)
{
    reenter_state *r = data;
    unsigned char tmp[8];
    r->func_rc = mbedtls_entropy_func(r->ctx, tmp, sizeof(tmp));
    r->gather_rc = mbedtls_entropy_gather(r->ctx);
    r->add_rc = mbedtls_entropy_add_source(r->ctx, source_fn, NULL, 0, 1);
    r->update_rc = mbedtls_entropy_update_manual(r->ctx, tmp, sizeof(tmp));
    mbedtls_entropy_free(r->ctx); /* refused: would wait for itself */
    memset(output, 0x3c, len);
    *olen = len;
    return 0;
}

static void test_reentry(void)
{
    mbedtls_entropy_context ctx;
    reenter_state r = { &ctx, 1, 1, 1, 1 };
    unsigned char out[32];
    bare_init(&ctx);
    CHECK_EQ(mbedtls_entropy_add_source(&ctx, reentering_source, &r, 0, 1), 0);
    CHECK_EQ(mbedtls_entropy_func(&ctx, out, sizeof(out)), 0);
    MISUSE_EQ(r.func_rc, REENTERED);
    MISUSE_EQ(r.gather_rc, REENTERED);
    MISUSE_EQ(r.add_rc, REENTERED);
    MISUSE_EQ(r.update_rc, REENTERED);
    CHECK_EQ(ctx.MBEDTLS_PRIVATE(source_count), 1);
    CHECK_EQ(mbedtls_entropy_func(&ctx, out, sizeof(out)), 0);
    mbedtls_entropy_free(&ctx);
}

/* ---- The platform source ------------------------------------------------ */

static void test_platform_source(void)
{
#if !defined(MBEDTLS_NO_PLATFORM_ENTROPY)
    unsigned char buf[128];
    unsigned char zero[128];
    size_t olen = 0;
    memset(buf, 0, sizeof(buf));
    memset(zero, 0, sizeof(zero));
    CHECK_EQ(mbedtls_platform_entropy_poll(NULL, buf, sizeof(buf), &olen), 0);
    CHECK_EQ(olen, sizeof(buf));
    CHECK(memcmp(buf, zero, sizeof(buf)) != 0);
    MISUSE_EQ(mbedtls_platform_entropy_poll(NULL, buf, sizeof(buf), NULL), SOURCE_FAILED);
    MISUSE_EQ(mbedtls_platform_entropy_poll(NULL, NULL, 4, &olen), SOURCE_FAILED);
    CHECK_EQ(mbedtls_platform_entropy_poll(NULL, NULL, 0, &olen), 0);
    CHECK(mbedtls_platform_dev_random != NULL);
    CHECK(strcmp(mbedtls_platform_dev_random, "/dev/random") == 0);
#endif
}

/* ---- Seed files ---------------------------------------------------------- */

static void test_seed_files(void)
{
#if defined(MBEDTLS_FS_IO)
    mbedtls_entropy_context ctx;
    test_source s;
    char path[64];
    unsigned char buf[64];
    snprintf(path, sizeof(path), "/tmp/mbedcrypto-c-seed-%ld", (long) getpid());

    bare_init(&ctx);
    source_init(&s, 40, 1, 0);
    CHECK_EQ(mbedtls_entropy_add_source(&ctx, source_fn, &s, 0, 1), 0);
    CHECK_EQ(mbedtls_entropy_write_seed_file(&ctx, path), 0);
    FILE *f = fopen(path, "rb");
    CHECK(f != NULL);
    if (f != NULL) {
        CHECK_EQ(fread(buf, 1, sizeof(buf) + 1, f), 64);
        fclose(f);
        CHECK(memcmp(buf, upstream_a1, 64) == 0);
    }
    /* A file longer than MBEDTLS_ENTROPY_MAX_SEED_SIZE is truncated. */
    f = fopen(path, "wb");
    CHECK(f != NULL);
    if (f != NULL) {
        for (int i = 0; i < 3000; i++) {
            fputc(0x33, f);
        }
        fclose(f);
    }
    CHECK_EQ(mbedtls_entropy_update_seed_file(&ctx, path), 0);
    f = fopen(path, "rb");
    CHECK(f != NULL);
    if (f != NULL) {
        unsigned char big[100];
        CHECK_EQ(fread(big, 1, sizeof(big), f), 64);
        fclose(f);
    }
    MISUSE_EQ(mbedtls_entropy_write_seed_file(&ctx, NULL), MBEDTLS_ERR_ENTROPY_FILE_IO_ERROR);
    MISUSE_EQ(mbedtls_entropy_update_seed_file(&ctx, NULL), MBEDTLS_ERR_ENTROPY_FILE_IO_ERROR);
    CHECK_EQ(mbedtls_entropy_write_seed_file(&ctx, "/nonexistent/dir/seed"),
             MBEDTLS_ERR_ENTROPY_FILE_IO_ERROR);
    CHECK_EQ(mbedtls_entropy_update_seed_file(&ctx, "/nonexistent/dir/seed"),
             MBEDTLS_ERR_ENTROPY_FILE_IO_ERROR);
    mbedtls_entropy_free(&ctx);
    /* No sources, or a freed context: SOURCE_FAILED, file untouched. */
    MISUSE_EQ(mbedtls_entropy_write_seed_file(&ctx, path), SOURCE_FAILED);
    MISUSE_EQ(mbedtls_entropy_update_seed_file(&ctx, path), SOURCE_FAILED);
    bare_init(&ctx);
    CHECK_EQ(mbedtls_entropy_write_seed_file(&ctx, path), SOURCE_FAILED);
    mbedtls_entropy_free(&ctx);
    remove(path);
#endif
}

/* ---- NV seed -------------------------------------------------------------- */

static void test_nv_seed(void)
{
#if defined(MBEDTLS_ENTROPY_NV_SEED)
    mbedtls_entropy_context ctx;
    unsigned char out[32];
    CHECK_EQ(mbedtls_platform_set_nv_seed(nv_read, nv_write), 0);
    mbedtls_entropy_init(&ctx);
    long before = atomic_load(&nv_writes);
    CHECK_EQ(mbedtls_entropy_func(&ctx, out, sizeof(out)), 0);
    CHECK_EQ(atomic_load(&nv_writes), before + 1);
    CHECK_EQ(mbedtls_entropy_func(&ctx, out, sizeof(out)), 0);
    CHECK_EQ(atomic_load(&nv_writes), before + 1);
    CHECK_EQ(mbedtls_entropy_update_nv_seed(&ctx), 0);
    CHECK_EQ(atomic_load(&nv_writes), before + 2);
    nv_fail = 1;
    CHECK_EQ(mbedtls_entropy_update_nv_seed(&ctx), SOURCE_FAILED);
    mbedtls_entropy_free(&ctx);
    mbedtls_entropy_init(&ctx);
    CHECK_EQ(mbedtls_entropy_func(&ctx, out, sizeof(out)), SOURCE_FAILED);
    mbedtls_entropy_free(&ctx);
    nv_fail = 0;
    MISUSE_EQ(mbedtls_entropy_update_nv_seed(NULL), NO_SOURCES);
    MISUSE_EQ(mbedtls_entropy_update_nv_seed(&ctx), NO_SOURCES);
#endif
}

/* ---- Self-tests ------------------------------------------------------------ */

static void test_self_tests(void)
{
#if defined(MBEDTLS_SELF_TEST) && !defined(MBEDTLS_NO_PLATFORM_ENTROPY)
    CHECK_EQ(mbedtls_entropy_self_test(0), 0);
    CHECK_EQ(mbedtls_entropy_self_test(1), 0);
#endif
#if defined(MBEDTLS_SELF_TEST) && defined(MBEDTLS_ENTROPY_HARDWARE_ALT)
    CHECK_EQ(mbedtls_entropy_source_self_test(1), 0);
#endif
}

/* ---- Threads ----------------------------------------------------------------- */

#if defined(MBEDTLS_THREADING_C)
#define THREADS 4
#define ITERATIONS 300

typedef struct {
    mbedtls_entropy_context *ctx;
    test_source *src;
    int id;
    atomic_int *freed;
    long ok;
} worker_arg;

static void *worker(void *p)
{
    worker_arg *a = p;
    unsigned char out[32];
    memset(out, 0, sizeof(out));
    for (int i = 0; i < ITERATIONS; i++) {
        int rc;
        switch ((a->id + i) % 4) {
            case 0:
            case 1:
                rc = mbedtls_entropy_func(a->ctx, out, sizeof(out));
                break;
            case 2:
                rc = mbedtls_entropy_update_manual(a->ctx, out, sizeof(out));
                break;
            default:
                rc = (i % 50 == 3)
                     ? mbedtls_entropy_add_source(a->ctx, source_fn, a->src, 0, 0)
                     : mbedtls_entropy_gather(a->ctx);
                break;
        }
        if (rc == 0) {
            a->ok++;
        } else if (atomic_load(a->freed)) {
            CHECK(rc == NO_SOURCES || rc == SOURCE_FAILED);
        } else {
            CHECK_EQ(rc, MBEDTLS_ERR_ENTROPY_MAX_SOURCES);
        }
    }
    return NULL;
}

static void run_workers(int free_during)
{
    mbedtls_entropy_context ctx;
    test_source s;
    pthread_t t[THREADS];
    worker_arg a[THREADS];
    atomic_int freed = 0;

    bare_init(&ctx);
    source_init(&s, 64, 0, 9);
    CHECK_EQ(mbedtls_entropy_add_source(&ctx, source_fn, &s, 0, 1), 0);
    for (int i = 0; i < THREADS; i++) {
        a[i] = (worker_arg) { &ctx, &s, i, &freed, 0 };
        CHECK_EQ(pthread_create(&t[i], NULL, worker, &a[i]), 0);
    }
    if (free_during) {
        struct timespec pause = { 0, 500000 };
        nanosleep(&pause, NULL);
        atomic_store(&freed, 1);
        mbedtls_entropy_free(&ctx); /* waits for calls in progress */
    }
    long ok = 0;
    for (int i = 0; i < THREADS; i++) {
        CHECK_EQ(pthread_join(t[i], NULL), 0);
        ok += a[i].ok;
    }
    if (!free_during) {
        /* Every func, update and gather succeeded; some adds did not. */
        CHECK(ok >= THREADS * ITERATIONS * 3 / 4);
        unsigned char o1[16], o2[16];
        CHECK_EQ(mbedtls_entropy_func(&ctx, o1, sizeof(o1)), 0);
        CHECK_EQ(mbedtls_entropy_func(&ctx, o2, sizeof(o2)), 0);
        CHECK(memcmp(o1, o2, sizeof(o1)) != 0);
        atomic_store(&freed, 1);
        mbedtls_entropy_free(&ctx);
    }
    unsigned char o[8];
    CHECK_EQ(mbedtls_entropy_func(&ctx, o, sizeof(o)), NO_SOURCES);
}

static void test_threads(void)
{
    run_workers(0);
    for (int i = 0; i < 5; i++) {
        run_workers(1);
    }
}
#else
static void test_threads(void)
{
}
#endif

int main(void)
{
#if defined(MBEDTLS_THREADING_ALT)
    mbedtls_threading_set_alt(example_alt_mutex_init, example_alt_mutex_free,
                              example_alt_mutex_lock, example_alt_mutex_unlock);
    long live_before = example_alt_inits - example_alt_frees;
#endif
#if defined(MBEDTLS_ENTROPY_NV_SEED)
    mbedtls_platform_set_nv_seed(nv_read, nv_write);
#endif
    test_constants();
    test_upstream_output();
    test_errors();
    test_source_limit();
    test_lifecycles();
    test_reentry();
    test_platform_source();
    test_seed_files();
    test_nv_seed();
    test_self_tests();
    test_threads();
#if defined(MBEDTLS_THREADING_ALT)
    /* Every context's mutex was freed by mbedtls_entropy_free(). */
    CHECK_EQ(example_alt_inits - example_alt_frees, live_before);
    mbedtls_threading_free_alt();
#endif
    return harness_finish("test_mod_entropy");
}
