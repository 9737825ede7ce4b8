/*
 * test_mod_md.c: every function of md.h, sha1.h, sha256.h and sha512.h from
 * C: lookups, lifecycles (free after init, free twice, free(NULL), setup
 * again without free), error paths, HMAC, mbedtls_md_file, allocation
 * failure through the calloc hook, the header's inline helper and
 * capability macros, and contexts used by several threads at once (one
 * context per thread).
 */
#define _POSIX_C_SOURCE 200809L
/* Turn the MBEDTLS_CHECK_RETURN_TYPICAL annotations into warnings (errors
 * under -Werror), so this file proves every result is checked and the
 * annotations compile. */
#define MBEDTLS_CHECK_RETURN_WARNING

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "mbedtls/md.h"
#include "mbedtls/platform.h"
#include "mbedtls/sha1.h"
#include "mbedtls/sha256.h"
#include "mbedtls/sha512.h"

#include "harness.h"

#if !defined(MBEDTLS_MD_LIGHT) || !defined(MBEDTLS_MD_C)
#error "MBEDTLS_MD_LIGHT and MBEDTLS_MD_C must be defined"
#endif
#if !defined(MBEDTLS_MD_CAN_SHA1) || !defined(MBEDTLS_MD_CAN_SHA224) || \
    !defined(MBEDTLS_MD_CAN_SHA256) || !defined(MBEDTLS_MD_CAN_SHA384) || \
    !defined(MBEDTLS_MD_CAN_SHA512)
#error "the MBEDTLS_MD_CAN_SHAxxx macros must be defined"
#endif
#if defined(MBEDTLS_MD_CAN_MD5) || defined(MBEDTLS_MD_CAN_SHA3_256)
#error "MD5 and SHA-3 are not provided"
#endif
#if MBEDTLS_MD_MAX_SIZE != 64
#error "MBEDTLS_MD_MAX_SIZE"
#endif

#if defined(MBEDTLS_THREADING_C)
#include <pthread.h>
#endif

#define BAD MBEDTLS_ERR_MD_BAD_INPUT_DATA

static const unsigned char ABC[3] = { 'a', 'b', 'c' };

struct alg {
    mbedtls_md_type_t type;
    const char *name;
    size_t size;
    const char *abc; /* FIPS 180-2 digest of "abc" */
};

static const struct alg ALGS[5] = {
    { MBEDTLS_MD_SHA1, "SHA1", 20, "a9993e364706816aba3e25717850c26c9cd0d89d" },
    { MBEDTLS_MD_SHA224, "SHA224", 28,
      "23097d223405d8228642a477bda255b32aadbce4bda0b3f7e36c9da7" },
    { MBEDTLS_MD_SHA256, "SHA256", 32,
      "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
    { MBEDTLS_MD_SHA384, "SHA384", 48,
      "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed"
      "8086072ba1e7cc2358baeca134c825a7" },
    { MBEDTLS_MD_SHA512, "SHA512", 64,
      "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
      "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f" },
};

static int hex_eq(const unsigned char *b, size_t n, const char *hex)
{
    char buf[2 * 64 + 1];
    if (strlen(hex) != 2 * n || n > 64) {
        return 0;
    }
    for (size_t i = 0; i < n; i++) {
        snprintf(buf + 2 * i, 3, "%02x", b[i]);
    }
    return memcmp(buf, hex, 2 * n) == 0;
}

static int all_bytes(const unsigned char *b, size_t n, unsigned char v)
{
    for (size_t i = 0; i < n; i++) {
        if (b[i] != v) {
            return 0;
        }
    }
    return 1;
}

/* ---- Lookups ---------------------------------------------------------------- */

static void test_lookups(void)
{
    for (int i = 0; i < 5; i++) {
        const mbedtls_md_info_t *info = mbedtls_md_info_from_type(ALGS[i].type);
        CHECK(info != NULL);
        CHECK_EQ(mbedtls_md_get_size(info), ALGS[i].size);
        CHECK_EQ(mbedtls_md_get_size_from_type(ALGS[i].type), ALGS[i].size);
        CHECK_EQ(mbedtls_md_get_type(info), ALGS[i].type);
        CHECK(mbedtls_md_get_name(info) != NULL &&
              strcmp(mbedtls_md_get_name(info), ALGS[i].name) == 0);
        CHECK(mbedtls_md_info_from_string(ALGS[i].name) == info);
        CHECK(mbedtls_md_info_from_type(ALGS[i].type) == info);
    }
    CHECK(mbedtls_md_info_from_string("SHA") == mbedtls_md_info_from_type(MBEDTLS_MD_SHA1));
    MISUSE_EQ(mbedtls_md_info_from_string("sha256") == NULL, 1);
    MISUSE_EQ(mbedtls_md_info_from_string("MD5") == NULL, 1);
    MISUSE_EQ(mbedtls_md_info_from_string("SHA3-256") == NULL, 1);
    MISUSE_EQ(mbedtls_md_info_from_string("") == NULL, 1);
    MISUSE_EQ(mbedtls_md_info_from_string(NULL) == NULL, 1);
    MISUSE_EQ(mbedtls_md_info_from_type(MBEDTLS_MD_NONE) == NULL, 1);
    MISUSE_EQ(mbedtls_md_info_from_type(MBEDTLS_MD_MD5) == NULL, 1);
    MISUSE_EQ(mbedtls_md_info_from_type(MBEDTLS_MD_RIPEMD160) == NULL, 1);
    MISUSE_EQ(mbedtls_md_info_from_type(MBEDTLS_MD_SHA3_512) == NULL, 1);
    MISUSE_EQ(mbedtls_md_info_from_type((mbedtls_md_type_t) 0x7f) == NULL, 1);
    MISUSE_EQ(mbedtls_md_get_size_from_type(MBEDTLS_MD_MD5), 0);
    MISUSE_EQ(mbedtls_md_get_size(NULL), 0);
    MISUSE_EQ(mbedtls_md_get_type(NULL), MBEDTLS_MD_NONE);
    MISUSE_EQ(mbedtls_md_get_name(NULL) == NULL, 1);
    MISUSE_EQ(mbedtls_md_info_from_ctx(NULL) == NULL, 1);

    const int *list = mbedtls_md_list();
    static const int expected[6] = { MBEDTLS_MD_SHA512, MBEDTLS_MD_SHA384, MBEDTLS_MD_SHA256,
                                     MBEDTLS_MD_SHA224, MBEDTLS_MD_SHA1, MBEDTLS_MD_NONE };
    CHECK(list != NULL);
    for (int i = 0; list != NULL && i < 6; i++) {
        CHECK_EQ(list[i], expected[i]);
    }
    CHECK(mbedtls_md_list() == list);
}

/* ---- One-shot and streaming hashes -------------------------------------------- */

static void test_hashes(void)
{
    unsigned char out[64];
    for (int i = 0; i < 5; i++) {
        const mbedtls_md_info_t *info = mbedtls_md_info_from_type(ALGS[i].type);
        memset(out, 0xee, sizeof(out));
        CHECK_EQ(mbedtls_md(info, ABC, 3, out), 0);
        CHECK(hex_eq(out, ALGS[i].size, ALGS[i].abc));
        CHECK(all_bytes(out + ALGS[i].size, 64 - ALGS[i].size, 0xee));

        mbedtls_md_context_t ctx;
        mbedtls_md_init(&ctx);
        CHECK_EQ(mbedtls_md_setup(&ctx, info, 0), 0);
        CHECK(mbedtls_md_info_from_ctx(&ctx) == info);
        CHECK_EQ(mbedtls_md_starts(&ctx), 0);
        CHECK_EQ(mbedtls_md_update(&ctx, ABC, 1), 0);
        CHECK_EQ(mbedtls_md_update(&ctx, NULL, 0), 0);
        CHECK_EQ(mbedtls_md_update(&ctx, ABC + 1, 2), 0);
        memset(out, 0, sizeof(out));
        CHECK_EQ(mbedtls_md_finish(&ctx, out), 0);
        CHECK(hex_eq(out, ALGS[i].size, ALGS[i].abc));
        /* Restart and hash again in one piece. */
        CHECK_EQ(mbedtls_md_starts(&ctx), 0);
        CHECK_EQ(mbedtls_md_update(&ctx, ABC, 3), 0);
        memset(out, 0, sizeof(out));
        CHECK_EQ(mbedtls_md_finish(&ctx, out), 0);
        CHECK(hex_eq(out, ALGS[i].size, ALGS[i].abc));
        mbedtls_md_free(&ctx);
    }
    /* The empty message, with a NULL input. */
    CHECK_EQ(mbedtls_md(mbedtls_md_info_from_type(MBEDTLS_MD_SHA256), NULL, 0, out), 0);
    CHECK(hex_eq(out, 32, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
}

static void test_md_misuse(void)
{
    const mbedtls_md_info_t *sha256 = mbedtls_md_info_from_type(MBEDTLS_MD_SHA256);
    unsigned char out[64];
    mbedtls_md_context_t ctx;

    MISUSE_EQ(mbedtls_md(NULL, ABC, 3, out), BAD);
    MISUSE_EQ(mbedtls_md(sha256, NULL, 3, out), BAD);
    MISUSE_EQ(mbedtls_md(sha256, ABC, 3, NULL), BAD);
    /* A pointer that is not a descriptor is refused, not read. */
    static const unsigned char fake[64];
    MISUSE_EQ(mbedtls_md((const mbedtls_md_info_t *) (const void *) fake, ABC, 3, out), BAD);
    MISUSE_EQ(mbedtls_md_get_size((const mbedtls_md_info_t *) (const void *) fake), 0);

    /* NULL contexts. */
    MISUSE(mbedtls_md_init(NULL));
    MISUSE(mbedtls_md_free(NULL));
    MISUSE_EQ(mbedtls_md_setup(NULL, sha256, 0), BAD);
    MISUSE_EQ(mbedtls_md_starts(NULL), BAD);
    MISUSE_EQ(mbedtls_md_update(NULL, ABC, 3), BAD);
    MISUSE_EQ(mbedtls_md_finish(NULL, out), BAD);
    MISUSE_EQ(mbedtls_md_clone(NULL, NULL), BAD);
    MISUSE_EQ(mbedtls_md_hmac_starts(NULL, ABC, 3), BAD);
    MISUSE_EQ(mbedtls_md_hmac_update(NULL, ABC, 3), BAD);
    MISUSE_EQ(mbedtls_md_hmac_finish(NULL, out), BAD);
    MISUSE_EQ(mbedtls_md_hmac_reset(NULL), BAD);

    /* Initialised but not set up. */
    mbedtls_md_init(&ctx);
    MISUSE_EQ(mbedtls_md_info_from_ctx(&ctx) == NULL, 1);
    MISUSE_EQ(mbedtls_md_starts(&ctx), BAD);
    MISUSE_EQ(mbedtls_md_update(&ctx, ABC, 3), BAD);
    MISUSE_EQ(mbedtls_md_finish(&ctx, out), BAD);
    MISUSE_EQ(mbedtls_md_hmac_starts(&ctx, ABC, 3), BAD);
    MISUSE_EQ(mbedtls_md_hmac_update(&ctx, ABC, 3), BAD);
    MISUSE_EQ(mbedtls_md_hmac_finish(&ctx, out), BAD);
    MISUSE_EQ(mbedtls_md_hmac_reset(&ctx), BAD);
    MISUSE_EQ(mbedtls_md_setup(&ctx, NULL, 0), BAD);
    MISUSE_EQ(mbedtls_md_setup(&ctx, (const mbedtls_md_info_t *) (const void *) fake, 0), BAD);
    MISUSE_EQ(mbedtls_md_info_from_ctx(&ctx) == NULL, 1);

    /* Set up: bad buffers. */
    CHECK_EQ(mbedtls_md_setup(&ctx, sha256, 0), 0);
    MISUSE_EQ(mbedtls_md_update(&ctx, NULL, 1), BAD);
    MISUSE_EQ(mbedtls_md_finish(&ctx, NULL), BAD);
    /* Set up without HMAC: the HMAC functions refuse. */
    MISUSE_EQ(mbedtls_md_hmac_starts(&ctx, ABC, 3), BAD);
    MISUSE_EQ(mbedtls_md_hmac_update(&ctx, ABC, 3), BAD);
    MISUSE_EQ(mbedtls_md_hmac_finish(&ctx, out), BAD);
    MISUSE_EQ(mbedtls_md_hmac_reset(&ctx), BAD);
    mbedtls_md_free(&ctx);
}

static void test_lifecycle(void)
{
    const mbedtls_md_info_t *sha512 = mbedtls_md_info_from_type(MBEDTLS_MD_SHA512);
    const mbedtls_md_info_t *sha1 = mbedtls_md_info_from_type(MBEDTLS_MD_SHA1);
    unsigned char out[64];
    mbedtls_md_context_t ctx;

    /* Free after init only, twice. */
    mbedtls_md_init(&ctx);
    mbedtls_md_free(&ctx);
    MISUSE(mbedtls_md_free(&ctx));

    /* Zero-filled memory is the init state. */
    memset(&ctx, 0, sizeof(ctx));
    MISUSE_EQ(mbedtls_md_starts(&ctx), BAD);
    mbedtls_md_free(&ctx);

    /* Setup again without free does not leak (ASan/Valgrind check). */
    mbedtls_md_init(&ctx);
    CHECK_EQ(mbedtls_md_setup(&ctx, sha512, 1), 0);
    CHECK_EQ(mbedtls_md_hmac_starts(&ctx, ABC, 3), 0);
    MISUSE_EQ(mbedtls_md_setup(&ctx, sha512, 1), 0);
    MISUSE_EQ(mbedtls_md_setup(&ctx, sha1, 0), 0);
    CHECK(mbedtls_md_info_from_ctx(&ctx) == sha1);
    CHECK_EQ(mbedtls_md_hmac_reset(&ctx), BAD);
    CHECK_EQ(mbedtls_md_update(&ctx, ABC, 3), 0);
    CHECK_EQ(mbedtls_md_finish(&ctx, out), 0);
    CHECK(hex_eq(out, 20, ALGS[0].abc));
    /* A refused setup leaves the context as it was... */
    MISUSE_EQ(mbedtls_md_setup(&ctx, NULL, 0), BAD);
    CHECK(mbedtls_md_info_from_ctx(&ctx) == sha1);
    /* Free twice; reuse after free without init. */
    mbedtls_md_free(&ctx);
    CHECK(mbedtls_md_info_from_ctx(&ctx) == NULL);
    MISUSE(mbedtls_md_free(&ctx));
    MISUSE_EQ(mbedtls_md_finish(&ctx, out), BAD);
    CHECK_EQ(mbedtls_md_setup(&ctx, sha512, 0), 0);
    CHECK_EQ(mbedtls_md_starts(&ctx), 0);
    CHECK_EQ(mbedtls_md_update(&ctx, ABC, 3), 0);
    CHECK_EQ(mbedtls_md_finish(&ctx, out), 0);
    CHECK(hex_eq(out, 64, ALGS[4].abc));
    mbedtls_md_free(&ctx);
}

static void test_clone(void)
{
    const mbedtls_md_info_t *sha384 = mbedtls_md_info_from_type(MBEDTLS_MD_SHA384);
    const mbedtls_md_info_t *sha256 = mbedtls_md_info_from_type(MBEDTLS_MD_SHA256);
    mbedtls_md_context_t a, b, c, unset;
    unsigned char x[64], y[64];

    mbedtls_md_init(&a);
    mbedtls_md_init(&b);
    mbedtls_md_init(&c);
    mbedtls_md_init(&unset);
    CHECK_EQ(mbedtls_md_setup(&a, sha384, 0), 0);
    CHECK_EQ(mbedtls_md_setup(&b, sha384, 1), 0);
    CHECK_EQ(mbedtls_md_setup(&c, sha256, 0), 0);
    MISUSE_EQ(mbedtls_md_clone(&c, &a), BAD);
    MISUSE_EQ(mbedtls_md_clone(&unset, &a), BAD);
    MISUSE_EQ(mbedtls_md_clone(&a, &unset), BAD);
    MISUSE_EQ(mbedtls_md_clone(&a, NULL), BAD);
    MISUSE_EQ(mbedtls_md_clone(NULL, &a), BAD);
    CHECK_EQ(mbedtls_md_starts(&a), 0);
    CHECK_EQ(mbedtls_md_update(&a, ABC, 2), 0);
    CHECK_EQ(mbedtls_md_clone(&b, &a), 0);
    CHECK_EQ(mbedtls_md_clone(&a, &a), 0);
    CHECK_EQ(mbedtls_md_update(&a, ABC + 2, 1), 0);
    CHECK_EQ(mbedtls_md_update(&b, ABC + 2, 1), 0);
    CHECK_EQ(mbedtls_md_finish(&a, x), 0);
    CHECK_EQ(mbedtls_md_finish(&b, y), 0);
    CHECK(hex_eq(x, 48, ALGS[3].abc));
    CHECK(memcmp(x, y, 48) == 0);
    /* The HMAC key of the destination is not touched (none was set). */
    CHECK_EQ(mbedtls_md_hmac_reset(&b), BAD);
    mbedtls_md_free(&a);
    mbedtls_md_free(&b);
    mbedtls_md_free(&c);
    mbedtls_md_free(&unset);
}

/* ---- HMAC ------------------------------------------------------------------------ */

static void test_hmac(void)
{
    /* RFC 4231 test case 2 (HMAC-SHA-256) and case 6 (key longer than a
     * block, HMAC-SHA-512). */
    static const char *key2 = "Jefe";
    static const char *msg2 = "what do ya want for nothing?";
    static const char *mac2 = "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843";
    static const char *msg6 = "Test Using Larger Than Block-Size Key - Hash Key First";
    static const char *mac6 =
        "80b24263c7c1a3ebb71493c1dd7be8b49b46d1f41b4aeec1121b013783f8f352"
        "6b56d037e05f2598bd0fd2215d6a1e5295e64f73f63f0aec8b915a985d786598";
    unsigned char key6[131];
    memset(key6, 0xaa, sizeof(key6));
    const mbedtls_md_info_t *sha256 = mbedtls_md_info_from_type(MBEDTLS_MD_SHA256);
    const mbedtls_md_info_t *sha512 = mbedtls_md_info_from_type(MBEDTLS_MD_SHA512);
    unsigned char out[64];
    mbedtls_md_context_t ctx;

    CHECK_EQ(mbedtls_md_hmac(sha256, (const unsigned char *) key2, 4,
                             (const unsigned char *) msg2, strlen(msg2), out), 0);
    CHECK(hex_eq(out, 32, mac2));
    CHECK_EQ(mbedtls_md_hmac(sha512, key6, sizeof(key6), (const unsigned char *) msg6,
                             strlen(msg6), out), 0);
    CHECK(hex_eq(out, 64, mac6));

    mbedtls_md_init(&ctx);
    CHECK_EQ(mbedtls_md_setup(&ctx, sha256, 1), 0);
    MISUSE_EQ(mbedtls_md_hmac_update(&ctx, ABC, 3), BAD); /* not keyed yet */
    MISUSE_EQ(mbedtls_md_hmac_finish(&ctx, out), BAD);
    MISUSE_EQ(mbedtls_md_hmac_reset(&ctx), BAD);
    MISUSE_EQ(mbedtls_md_hmac_starts(&ctx, NULL, 4), BAD);
    CHECK_EQ(mbedtls_md_hmac_starts(&ctx, (const unsigned char *) key2, 4), 0);
    CHECK_EQ(mbedtls_md_hmac_update(&ctx, (const unsigned char *) msg2, 10), 0);
    CHECK_EQ(mbedtls_md_hmac_update(&ctx, (const unsigned char *) msg2 + 10, strlen(msg2) - 10), 0);
    MISUSE_EQ(mbedtls_md_hmac_update(&ctx, NULL, 1), BAD);
    MISUSE_EQ(mbedtls_md_hmac_finish(&ctx, NULL), BAD);
    memset(out, 0, sizeof(out));
    CHECK_EQ(mbedtls_md_hmac_finish(&ctx, out), 0);
    CHECK(hex_eq(out, 32, mac2));
    /* Reset: same key, fresh message. */
    CHECK_EQ(mbedtls_md_hmac_update(&ctx, ABC, 3), 0);
    CHECK_EQ(mbedtls_md_hmac_reset(&ctx), 0);
    CHECK_EQ(mbedtls_md_hmac_update(&ctx, (const unsigned char *) msg2, strlen(msg2)), 0);
    memset(out, 0, sizeof(out));
    CHECK_EQ(mbedtls_md_hmac_finish(&ctx, out), 0);
    CHECK(hex_eq(out, 32, mac2));
    mbedtls_md_free(&ctx);
    MISUSE_EQ(mbedtls_md_hmac_reset(&ctx), BAD);

    MISUSE_EQ(mbedtls_md_hmac(NULL, ABC, 3, ABC, 3, out), BAD);
    MISUSE_EQ(mbedtls_md_hmac(sha256, NULL, 3, ABC, 3, out), BAD);
    MISUSE_EQ(mbedtls_md_hmac(sha256, ABC, 3, NULL, 3, out), BAD);
    MISUSE_EQ(mbedtls_md_hmac(sha256, ABC, 3, ABC, 3, NULL), BAD);
    CHECK_EQ(mbedtls_md_hmac(sha256, NULL, 0, NULL, 0, out), 0);
    CHECK(hex_eq(out, 32, "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad"));
}

/* ---- mbedtls_md_file --------------------------------------------------------------- */

static void test_md_file(void)
{
#if defined(MBEDTLS_FS_IO)
    const mbedtls_md_info_t *sha256 = mbedtls_md_info_from_type(MBEDTLS_MD_SHA256);
    char path[] = "/tmp/mbedcrypto-md-XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    if (fd < 0) {
        return;
    }
    static unsigned char data[10000];
    for (size_t i = 0; i < sizeof(data); i++) {
        data[i] = (unsigned char) (i * 31 + 7);
    }
    CHECK_EQ(write(fd, data, sizeof(data)), (long long) sizeof(data));
    CHECK_EQ(close(fd), 0);

    unsigned char got[64], want[64];
    for (int i = 0; i < 5; i++) {
        const mbedtls_md_info_t *info = mbedtls_md_info_from_type(ALGS[i].type);
        CHECK_EQ(mbedtls_md_file(info, path, got), 0);
        CHECK_EQ(mbedtls_md(info, data, sizeof(data), want), 0);
        CHECK(memcmp(got, want, ALGS[i].size) == 0);
    }
    MISUSE_EQ(mbedtls_md_file(NULL, path, got), BAD);
    MISUSE_EQ(mbedtls_md_file(sha256, NULL, got), BAD);
    MISUSE_EQ(mbedtls_md_file(sha256, path, NULL), BAD);
    CHECK_EQ(unlink(path), 0);
    memset(got, 0xee, sizeof(got));
    MISUSE_EQ(mbedtls_md_file(sha256, path, got), MBEDTLS_ERR_MD_FILE_IO_ERROR);
    MISUSE_EQ(mbedtls_md_file(sha256, "/tmp", got), MBEDTLS_ERR_MD_FILE_IO_ERROR);
    CHECK(all_bytes(got, sizeof(got), 0xee));
#endif
}

/* ---- Allocation failure ------------------------------------------------------------ */

#if defined(MBEDTLS_PLATFORM_MEMORY)
static int calls_before_failure = -1;
static long live_blocks;

static void *failing_calloc(size_t n, size_t size)
{
    if (calls_before_failure == 0) {
        return NULL;
    }
    if (calls_before_failure > 0) {
        calls_before_failure--;
    }
    void *p = calloc(n, size);
    if (p != NULL) {
        live_blocks++;
    }
    return p;
}

static void counting_free(void *p)
{
    if (p != NULL) {
        live_blocks--;
    }
    free(p);
}
#endif

static void test_alloc_failure(void)
{
#if defined(MBEDTLS_PLATFORM_MEMORY)
    const mbedtls_md_info_t *sha256 = mbedtls_md_info_from_type(MBEDTLS_MD_SHA256);
    mbedtls_md_context_t ctx;
    unsigned char out[32];
    CHECK_EQ(mbedtls_platform_set_calloc_free(failing_calloc, counting_free), 0);
    mbedtls_md_init(&ctx);
    calls_before_failure = 0;
    MISUSE_EQ(mbedtls_md_setup(&ctx, sha256, 1), MBEDTLS_ERR_MD_ALLOC_FAILED);
    CHECK(mbedtls_md_info_from_ctx(&ctx) == NULL);
    calls_before_failure = 1;
    MISUSE_EQ(mbedtls_md_setup(&ctx, sha256, 1), MBEDTLS_ERR_MD_ALLOC_FAILED);
    CHECK(mbedtls_md_info_from_ctx(&ctx) == NULL);
    CHECK_EQ(live_blocks, 0);
    /* One-shots need no memory. */
    calls_before_failure = 0;
    CHECK_EQ(mbedtls_md(sha256, ABC, 3, out), 0);
    CHECK_EQ(mbedtls_md_hmac(sha256, ABC, 3, ABC, 3, out), 0);
    calls_before_failure = -1;
    CHECK_EQ(mbedtls_md_setup(&ctx, sha256, 1), 0);
    CHECK_EQ(live_blocks, 2);
    mbedtls_md_free(&ctx);
    CHECK_EQ(live_blocks, 0);
    mbedtls_md_free(&ctx);
    CHECK_EQ(mbedtls_platform_set_calloc_free(calloc, free), 0);
#endif
}

/* ---- sha1.h, sha256.h, sha512.h ---------------------------------------------------- */

static void test_sha1(void)
{
    mbedtls_sha1_context a, b;
    unsigned char out[20];

    MISUSE(mbedtls_sha1_init(NULL));
    MISUSE(mbedtls_sha1_free(NULL));
    MISUSE(mbedtls_sha1_clone(NULL, NULL));
    MISUSE_EQ(mbedtls_sha1_starts(NULL), MBEDTLS_ERR_SHA1_BAD_INPUT_DATA);
    MISUSE_EQ(mbedtls_sha1_update(NULL, ABC, 3), MBEDTLS_ERR_SHA1_BAD_INPUT_DATA);
    MISUSE_EQ(mbedtls_sha1_finish(NULL, out), MBEDTLS_ERR_SHA1_BAD_INPUT_DATA);

    mbedtls_sha1_init(&a);
    mbedtls_sha1_init(&b);
    MISUSE_EQ(mbedtls_sha1_update(&a, ABC, 3), MBEDTLS_ERR_SHA1_BAD_INPUT_DATA);
    MISUSE_EQ(mbedtls_sha1_finish(&a, out), MBEDTLS_ERR_SHA1_BAD_INPUT_DATA);
    CHECK_EQ(mbedtls_sha1_starts(&a), 0);
    MISUSE_EQ(mbedtls_sha1_update(&a, NULL, 1), MBEDTLS_ERR_SHA1_BAD_INPUT_DATA);
    MISUSE_EQ(mbedtls_sha1_finish(&a, NULL), MBEDTLS_ERR_SHA1_BAD_INPUT_DATA);
    CHECK_EQ(mbedtls_sha1_update(&a, ABC, 1), 0);
    mbedtls_sha1_clone(&b, &a);
    CHECK_EQ(mbedtls_sha1_update(&a, ABC + 1, 2), 0);
    CHECK_EQ(mbedtls_sha1_finish(&a, out), 0);
    CHECK(hex_eq(out, 20, ALGS[0].abc));
    CHECK_EQ(mbedtls_sha1_update(&b, ABC + 1, 2), 0);
    memset(out, 0, sizeof(out));
    CHECK_EQ(mbedtls_sha1_finish(&b, out), 0);
    CHECK(hex_eq(out, 20, ALGS[0].abc));
    mbedtls_sha1_free(&a);
    MISUSE(mbedtls_sha1_free(&a));
    MISUSE_EQ(mbedtls_sha1_update(&a, ABC, 3), MBEDTLS_ERR_SHA1_BAD_INPUT_DATA);
    mbedtls_sha1_free(&b);

    memset(out, 0, sizeof(out));
    CHECK_EQ(mbedtls_sha1(ABC, 3, out), 0);
    CHECK(hex_eq(out, 20, ALGS[0].abc));
    MISUSE_EQ(mbedtls_sha1(NULL, 3, out), MBEDTLS_ERR_SHA1_BAD_INPUT_DATA);
    MISUSE_EQ(mbedtls_sha1(ABC, 3, NULL), MBEDTLS_ERR_SHA1_BAD_INPUT_DATA);
#if defined(MBEDTLS_SELF_TEST)
    CHECK_EQ(mbedtls_sha1_self_test(0), 0);
    CHECK_EQ(mbedtls_sha1_self_test(1), 0);
#endif
}

static void test_sha256(void)
{
    mbedtls_sha256_context a, b;
    unsigned char out[32];

    MISUSE(mbedtls_sha256_init(NULL));
    MISUSE(mbedtls_sha256_free(NULL));
    MISUSE(mbedtls_sha256_clone(NULL, NULL));
    MISUSE_EQ(mbedtls_sha256_starts(NULL, 0), MBEDTLS_ERR_SHA256_BAD_INPUT_DATA);
    MISUSE_EQ(mbedtls_sha256_update(NULL, ABC, 3), MBEDTLS_ERR_SHA256_BAD_INPUT_DATA);
    MISUSE_EQ(mbedtls_sha256_finish(NULL, out), MBEDTLS_ERR_SHA256_BAD_INPUT_DATA);

    for (int is224 = 0; is224 <= 1; is224++) {
        const struct alg *alg = &ALGS[is224 ? 1 : 2];
        mbedtls_sha256_init(&a);
        mbedtls_sha256_init(&b);
        MISUSE_EQ(mbedtls_sha256_update(&a, ABC, 3), MBEDTLS_ERR_SHA256_BAD_INPUT_DATA);
        MISUSE_EQ(mbedtls_sha256_finish(&a, out), MBEDTLS_ERR_SHA256_BAD_INPUT_DATA);
        MISUSE_EQ(mbedtls_sha256_starts(&a, 2), MBEDTLS_ERR_SHA256_BAD_INPUT_DATA);
        MISUSE_EQ(mbedtls_sha256_starts(&a, -1), MBEDTLS_ERR_SHA256_BAD_INPUT_DATA);
        CHECK_EQ(mbedtls_sha256_starts(&a, is224), 0);
        MISUSE_EQ(mbedtls_sha256_update(&a, NULL, 1), MBEDTLS_ERR_SHA256_BAD_INPUT_DATA);
        MISUSE_EQ(mbedtls_sha256_finish(&a, NULL), MBEDTLS_ERR_SHA256_BAD_INPUT_DATA);
        CHECK_EQ(mbedtls_sha256_update(&a, ABC, 1), 0);
        mbedtls_sha256_clone(&b, &a);
        CHECK_EQ(mbedtls_sha256_update(&a, ABC + 1, 2), 0);
        memset(out, 0xee, sizeof(out));
        CHECK_EQ(mbedtls_sha256_finish(&a, out), 0);
        CHECK(hex_eq(out, alg->size, alg->abc));
        CHECK(all_bytes(out + alg->size, 32 - alg->size, 0xee));
        /* Copy by assignment, as upstream's clone does. */
        a = b;
        CHECK_EQ(mbedtls_sha256_update(&a, ABC + 1, 2), 0);
        memset(out, 0, sizeof(out));
        CHECK_EQ(mbedtls_sha256_finish(&a, out), 0);
        CHECK(hex_eq(out, alg->size, alg->abc));
        mbedtls_sha256_free(&a);
        MISUSE(mbedtls_sha256_free(&a));
        mbedtls_sha256_free(&b);

        memset(out, 0, sizeof(out));
        CHECK_EQ(mbedtls_sha256(ABC, 3, out, is224), 0);
        CHECK(hex_eq(out, alg->size, alg->abc));
    }
    MISUSE_EQ(mbedtls_sha256(ABC, 3, out, 2), MBEDTLS_ERR_SHA256_BAD_INPUT_DATA);
    MISUSE_EQ(mbedtls_sha256(NULL, 3, out, 0), MBEDTLS_ERR_SHA256_BAD_INPUT_DATA);
    MISUSE_EQ(mbedtls_sha256(ABC, 3, NULL, 0), MBEDTLS_ERR_SHA256_BAD_INPUT_DATA);
#if defined(MBEDTLS_SELF_TEST)
    CHECK_EQ(mbedtls_sha224_self_test(0), 0);
    CHECK_EQ(mbedtls_sha256_self_test(1), 0);
#endif
}

static void test_sha512(void)
{
    mbedtls_sha512_context a, b;
    unsigned char out[64];

    MISUSE(mbedtls_sha512_init(NULL));
    MISUSE(mbedtls_sha512_free(NULL));
    MISUSE(mbedtls_sha512_clone(NULL, NULL));
    MISUSE_EQ(mbedtls_sha512_starts(NULL, 0), MBEDTLS_ERR_SHA512_BAD_INPUT_DATA);
    MISUSE_EQ(mbedtls_sha512_update(NULL, ABC, 3), MBEDTLS_ERR_SHA512_BAD_INPUT_DATA);
    MISUSE_EQ(mbedtls_sha512_finish(NULL, out), MBEDTLS_ERR_SHA512_BAD_INPUT_DATA);

    for (int is384 = 0; is384 <= 1; is384++) {
        const struct alg *alg = &ALGS[is384 ? 3 : 4];
        mbedtls_sha512_init(&a);
        mbedtls_sha512_init(&b);
        MISUSE_EQ(mbedtls_sha512_update(&a, ABC, 3), MBEDTLS_ERR_SHA512_BAD_INPUT_DATA);
        MISUSE_EQ(mbedtls_sha512_finish(&a, out), MBEDTLS_ERR_SHA512_BAD_INPUT_DATA);
        MISUSE_EQ(mbedtls_sha512_starts(&a, 2), MBEDTLS_ERR_SHA512_BAD_INPUT_DATA);
        CHECK_EQ(mbedtls_sha512_starts(&a, is384), 0);
        MISUSE_EQ(mbedtls_sha512_update(&a, NULL, 1), MBEDTLS_ERR_SHA512_BAD_INPUT_DATA);
        MISUSE_EQ(mbedtls_sha512_finish(&a, NULL), MBEDTLS_ERR_SHA512_BAD_INPUT_DATA);
        CHECK_EQ(mbedtls_sha512_update(&a, ABC, 1), 0);
        mbedtls_sha512_clone(&b, &a);
        CHECK_EQ(mbedtls_sha512_update(&a, ABC + 1, 2), 0);
        memset(out, 0xee, sizeof(out));
        CHECK_EQ(mbedtls_sha512_finish(&a, out), 0);
        CHECK(hex_eq(out, alg->size, alg->abc));
        CHECK(all_bytes(out + alg->size, 64 - alg->size, 0xee));
        a = b;
        CHECK_EQ(mbedtls_sha512_update(&a, ABC + 1, 2), 0);
        memset(out, 0, sizeof(out));
        CHECK_EQ(mbedtls_sha512_finish(&a, out), 0);
        CHECK(hex_eq(out, alg->size, alg->abc));
        mbedtls_sha512_free(&a);
        MISUSE(mbedtls_sha512_free(&a));
        mbedtls_sha512_free(&b);

        memset(out, 0, sizeof(out));
        CHECK_EQ(mbedtls_sha512(ABC, 3, out, is384), 0);
        CHECK(hex_eq(out, alg->size, alg->abc));
    }
    MISUSE_EQ(mbedtls_sha512(ABC, 3, out, 2), MBEDTLS_ERR_SHA512_BAD_INPUT_DATA);
    MISUSE_EQ(mbedtls_sha512(NULL, 3, out, 0), MBEDTLS_ERR_SHA512_BAD_INPUT_DATA);
    MISUSE_EQ(mbedtls_sha512(ABC, 3, NULL, 0), MBEDTLS_ERR_SHA512_BAD_INPUT_DATA);
#if defined(MBEDTLS_SELF_TEST)
    CHECK_EQ(mbedtls_sha384_self_test(0), 0);
    CHECK_EQ(mbedtls_sha512_self_test(1), 0);
#endif
}

/* ---- Threads: one context each, the same data ---------------------------------------- */

#if defined(MBEDTLS_THREADING_C)
#define THREADS 8
#define ROUNDS 50

static unsigned char shared_data[4096];

struct worker {
    unsigned char digest[64];
    unsigned char mac[32];
    unsigned char sha[32];
    int errors;
};

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    mbedtls_md_context_t md, mac;
    mbedtls_sha256_context sha;
    mbedtls_md_init(&md);
    mbedtls_md_init(&mac);
    mbedtls_sha256_init(&sha);
    w->errors += mbedtls_md_setup(&md, mbedtls_md_info_from_type(MBEDTLS_MD_SHA512), 0) != 0;
    w->errors += mbedtls_md_setup(&mac, mbedtls_md_info_from_type(MBEDTLS_MD_SHA256), 1) != 0;
    w->errors += mbedtls_md_hmac_starts(&mac, ABC, 3) != 0;
    for (int r = 0; r < ROUNDS; r++) {
        w->errors += mbedtls_md_starts(&md) != 0;
        w->errors += mbedtls_md_update(&md, shared_data, sizeof(shared_data)) != 0;
        w->errors += mbedtls_md_finish(&md, w->digest) != 0;
        w->errors += mbedtls_md_hmac_update(&mac, shared_data, sizeof(shared_data)) != 0;
        w->errors += mbedtls_md_hmac_finish(&mac, w->mac) != 0;
        w->errors += mbedtls_sha256_starts(&sha, 0) != 0;
        w->errors += mbedtls_sha256_update(&sha, shared_data, sizeof(shared_data)) != 0;
        w->errors += mbedtls_sha256_finish(&sha, w->sha) != 0;
    }
    mbedtls_md_free(&md);
    mbedtls_md_free(&mac);
    mbedtls_sha256_free(&sha);
    return NULL;
}

static void test_threads(void)
{
    for (size_t i = 0; i < sizeof(shared_data); i++) {
        shared_data[i] = (unsigned char) (i ^ (i >> 8));
    }
    unsigned char digest[64], mac[32], sha[32];
    CHECK_EQ(mbedtls_md(mbedtls_md_info_from_type(MBEDTLS_MD_SHA512), shared_data,
                        sizeof(shared_data), digest), 0);
    CHECK_EQ(mbedtls_md_hmac(mbedtls_md_info_from_type(MBEDTLS_MD_SHA256), ABC, 3, shared_data,
                             sizeof(shared_data), mac), 0);
    CHECK_EQ(mbedtls_sha256(shared_data, sizeof(shared_data), sha, 0), 0);

    static struct worker workers[THREADS];
    pthread_t threads[THREADS];
    for (int i = 0; i < THREADS; i++) {
        CHECK_EQ(pthread_create(&threads[i], NULL, worker_main, &workers[i]), 0);
    }
    for (int i = 0; i < THREADS; i++) {
        CHECK_EQ(pthread_join(threads[i], NULL), 0);
        CHECK_EQ(workers[i].errors, 0);
        CHECK(memcmp(workers[i].digest, digest, 64) == 0);
        CHECK(memcmp(workers[i].mac, mac, 32) == 0);
        CHECK(memcmp(workers[i].sha, sha, 32) == 0);
    }
}
#endif

int main(void)
{
    test_lookups();
    test_hashes();
    test_md_misuse();
    test_lifecycle();
    test_clone();
    test_hmac();
    test_md_file();
    test_alloc_failure();
    test_sha1();
    test_sha256();
    test_sha512();
#if defined(MBEDTLS_THREADING_C)
    test_threads();
#endif
    return harness_finish("test_mod_md");
}
