/*
 * fw_main.c: the test firmware. Runs the portable checks of every module
 * on a Cortex-M4 (QEMU mps2-an386) with an interrupt-masking mutex, and
 * exits with 0 only if all of them pass.
 *
 * Groups: the threading layer and its misuse, hashes and HMAC, the DRBG
 * self-tests and known answers, and one CTR_DRBG and one HMAC_DRBG shared
 * between the main loop and the SysTick interrupt (which really preempts
 * the main loop between, and inside, its calls).
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "mbedtls/ctr_drbg.h"
#include "mbedtls/entropy.h"
#include "mbedtls/hmac_drbg.h"
#include "mbedtls/md.h"
#include "mbedtls/memory_buffer_alloc.h"
#include "mbedtls/platform.h"
#include "mbedtls/rsa.h"
#include "mbedtls/sha1.h"
#include "mbedtls/sha256.h"
#include "mbedtls/sha512.h"
#include "mbedtls/threading.h"
#include "mbedtls/ssl.h"
#include "mbedtls/ssl_cache.h"
#include "mbedtls/ssl_cookie.h"
#include "mbedtls/ssl_ticket.h"

#include "../c-tests/harness.h"
#include "fw.h"
#include "fw_rsa_key.h"

/* Linked against upstream Mbed TLS (docs/EMBEDDED.md, "Reproduce") to
 * compare figures: skips the misuse cases that upstream answers by
 * exiting (a bad free in its heap). */
#if __has_include("mbedtls/threading_ext.h")
#define FW_UPSTREAM 0
#else
#define FW_UPSTREAM 1
#endif

#if !defined(MBEDTLS_THREADING_ALT) || !defined(MBEDTLS_ENTROPY_HARDWARE_ALT)
#error "the test firmware is built with threading-alt and entropy-hardware-alt"
#endif

/* ---- the platform's entropy ------------------------------------------- */

/* The emulated board has no TRNG. This stands in for one (xorshift), so it
 * is NOT a source of entropy: real firmware reads its hardware here. */
static uint32_t fw_noise = 0x2545F491u;

int mbedtls_hardware_poll(void *data, unsigned char *output, size_t len, size_t *olen)
{
    (void) data;
    for (size_t i = 0; i < len; i++) {
        fw_noise ^= fw_noise << 13;
        fw_noise ^= fw_noise >> 17;
        fw_noise ^= fw_noise << 5;
        output[i] = (unsigned char) fw_noise;
    }
    *olen = len;
    return 0;
}

static uint32_t primask(void)
{
    uint32_t v;
    __asm volatile ("mrs %0, primask" : "=r"(v));
    return v;
}

/* ---- threading -------------------------------------------------------- */

typedef struct {
    mbedtls_ctr_drbg_context *ctx;
    int inner_rc;
} reenter_t;

static int reentering_entropy(void *p, unsigned char *out, size_t len)
{
    reenter_t *r = (reenter_t *) p;
    unsigned char buf[16];
    r->inner_rc = mbedtls_ctr_drbg_random(r->ctx, buf, sizeof(buf));
    memset(out, 0x5A, len);
    return r->inner_rc == 0 ? 0 : -1;
}

void fw_test_threading(void)
{
    mbedtls_threading_mutex_t a, b;
    mbedtls_mutex_init(&a);
    mbedtls_mutex_init(&b);
    CHECK_EQ(primask(), 0);
    CHECK_EQ(mbedtls_mutex_lock(&a), 0);
    CHECK_EQ(primask(), 1);
    MISUSE_EQ(mbedtls_mutex_lock(&a), MBEDTLS_ERR_THREADING_MUTEX_ERROR);
    /* Nested locks keep interrupts masked until the outermost unlock. */
    CHECK_EQ(mbedtls_mutex_lock(&b), 0);
    CHECK_EQ(mbedtls_mutex_unlock(&b), 0);
    CHECK_EQ(primask(), 1);
    CHECK_EQ(mbedtls_mutex_unlock(&a), 0);
    CHECK_EQ(primask(), 0);
    MISUSE_EQ(mbedtls_mutex_unlock(&a), MBEDTLS_ERR_THREADING_MUTEX_ERROR);
    mbedtls_mutex_free(&a);
    mbedtls_mutex_free(&b);
    /* The library refuses a freed mutex before the firmware sees it. */
    MISUSE_EQ(mbedtls_mutex_lock(&a), MBEDTLS_ERR_THREADING_BAD_INPUT_DATA);
    MISUSE_EQ(mbedtls_mutex_lock(NULL), MBEDTLS_ERR_THREADING_BAD_INPUT_DATA);

    /* An entropy callback that re-enters its DRBG gets an error, and the
     * seed fails cleanly, with no deadlock (here: no lock taken twice). */
    mbedtls_ctr_drbg_context ctx;
    reenter_t r = { &ctx, 0 };
    unsigned char out[16];
    mbedtls_ctr_drbg_init(&ctx);
    MISUSE_EQ(mbedtls_ctr_drbg_seed(&ctx, reentering_entropy, &r, NULL, 0),
              MBEDTLS_ERR_CTR_DRBG_ENTROPY_SOURCE_FAILED);
    CHECK_EQ(r.inner_rc, MBEDTLS_ERR_THREADING_MUTEX_ERROR);
    CHECK(mbedtls_ctr_drbg_random(&ctx, out, sizeof(out)) != 0);
    mbedtls_ctr_drbg_free(&ctx);
    mbedtls_ctr_drbg_free(&ctx);
    CHECK_EQ(primask(), 0);
}

/* ---- hashes ----------------------------------------------------------- */

static int hex_eq(const unsigned char *got, const char *hex, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        unsigned int byte;
        if (sscanf(hex + 2 * i, "%2x", &byte) != 1 || got[i] != byte) {
            return 0;
        }
    }
    return 1;
}

void fw_test_hashes(void)
{
    static const unsigned char abc[] = "abc";
    unsigned char out[64];

    CHECK_EQ(mbedtls_sha1(abc, 3, out), 0);
    CHECK(hex_eq(out, "a9993e364706816aba3e25717850c26c9cd0d89d", 20));
    CHECK_EQ(mbedtls_sha256(abc, 3, out, 0), 0);
    CHECK(hex_eq(out, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", 32));
    CHECK_EQ(mbedtls_sha256(abc, 3, out, 1), 0);
    CHECK(hex_eq(out, "23097d223405d8228642a477bda255b32aadbce4bda0b3f7e36c9da7", 28));
    CHECK_EQ(mbedtls_sha512(abc, 3, out, 0), 0);
    CHECK(hex_eq(out, "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
                      "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f", 64));
    CHECK_EQ(mbedtls_sha512(abc, 3, out, 1), 0);
    CHECK(hex_eq(out, "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed"
                      "8086072ba1e7cc2358baeca134c825a7", 48));

    /* HMAC-SHA-256, RFC 4231 test case 2. */
    const mbedtls_md_info_t *info = mbedtls_md_info_from_type(MBEDTLS_MD_SHA256);
    CHECK(info != NULL);
    static const unsigned char key[] = "Jefe";
    static const unsigned char msg[] = "what do ya want for nothing?";
    CHECK_EQ(mbedtls_md_hmac(info, key, 4, msg, 28, out), 0);
    CHECK(hex_eq(out, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843", 32));

    /* The streaming interface agrees with the one-shot. */
    mbedtls_md_context_t md;
    unsigned char out2[32];
    mbedtls_md_init(&md);
    CHECK_EQ(mbedtls_md_setup(&md, info, 1), 0);
    CHECK_EQ(mbedtls_md_hmac_starts(&md, key, 4), 0);
    CHECK_EQ(mbedtls_md_hmac_update(&md, msg, 10), 0);
    CHECK_EQ(mbedtls_md_hmac_update(&md, msg + 10, 18), 0);
    CHECK_EQ(mbedtls_md_hmac_finish(&md, out2), 0);
    CHECK(memcmp(out, out2, 32) == 0);
    mbedtls_md_free(&md);
    mbedtls_md_free(&md);

    CHECK_EQ(mbedtls_sha1_self_test(0), 0);
    CHECK_EQ(mbedtls_sha256_self_test(0), 0);
    CHECK_EQ(mbedtls_sha512_self_test(0), 0);
}

/* ---- DRBGs ------------------------------------------------------------ */

void fw_test_drbg(void)
{
    CHECK_EQ(mbedtls_ctr_drbg_self_test(0), 0);
    CHECK_EQ(mbedtls_hmac_drbg_self_test(0), 0);
    CHECK_EQ(mbedtls_entropy_self_test(0), 0);
    CHECK_EQ(mbedtls_entropy_source_self_test(0), 0);

    /* Seeded from the entropy module over the hardware poll. */
    mbedtls_entropy_context entropy;
    mbedtls_ctr_drbg_context ctr;
    unsigned char a[48], b[48];
    mbedtls_entropy_init(&entropy);
    mbedtls_ctr_drbg_init(&ctr);
    CHECK_EQ(mbedtls_ctr_drbg_seed(&ctr, mbedtls_entropy_func, &entropy,
                                   (const unsigned char *) "fw", 2), 0);
    CHECK_EQ(mbedtls_ctr_drbg_random(&ctr, a, sizeof(a)), 0);
    CHECK_EQ(mbedtls_ctr_drbg_random(&ctr, b, sizeof(b)), 0);
    CHECK(memcmp(a, b, sizeof(a)) != 0);
    CHECK_EQ(mbedtls_ctr_drbg_reseed(&ctr, NULL, 0), 0);
    mbedtls_ctr_drbg_free(&ctr);
    mbedtls_entropy_free(&entropy);
}

/* ---- a DRBG shared with an interrupt handler -------------------------- */

#define SHARED_MAIN_DRAWS 600
#define SHARED_MAX_ISR_DRAWS 600
#define BLOCK 16

typedef int (*draw_fn)(void *, unsigned char *, size_t);

static struct {
    draw_fn draw;
    void *ctx;
    unsigned char main_out[SHARED_MAIN_DRAWS][BLOCK];
    unsigned char isr_out[SHARED_MAX_ISR_DRAWS][BLOCK];
    volatile uint32_t isr_draws;
    volatile uint32_t isr_errors;
    volatile uint32_t main_inside;    /* 1 while main is inside a draw */
    volatile uint32_t isr_while_inside; /* ISR draws that preempted one */
} shared;

static void shared_tick(void)
{
    uint32_t n = shared.isr_draws;
    if (n >= SHARED_MAX_ISR_DRAWS) {
        return;
    }
    if (shared.main_inside) {
        shared.isr_while_inside++;
    }
    if (shared.draw(shared.ctx, shared.isr_out[n], BLOCK) != 0) {
        shared.isr_errors++;
        return;
    }
    shared.isr_draws = n + 1;
}

/* Deterministic entropy, so that the reference run repeats the seed. */
static int counting_entropy(void *p, unsigned char *out, size_t len)
{
    (void) p;
    for (size_t i = 0; i < len; i++) {
        out[i] = (unsigned char) (i * 7 + 1);
    }
    return 0;
}

static int block_cmp(const void *a, const void *b)
{
    return memcmp(a, b, BLOCK);
}

/* All blocks, main's and the interrupt's, sorted. */
static unsigned char all_blocks[SHARED_MAIN_DRAWS + SHARED_MAX_ISR_DRAWS][BLOCK];
static unsigned char ref_blocks[SHARED_MAIN_DRAWS + SHARED_MAX_ISR_DRAWS][BLOCK];

/* Runs main's draws with the SysTick handler drawing too, then checks that
 * the blocks drawn are exactly those of a serial run of as many draws, and
 * that the context's next output is the serial run's next one. */
static void shared_run(const char *name, draw_fn draw, void *ctx, void *ref, uint32_t reload)
{
    memset(&shared, 0, sizeof(shared));
    shared.draw = draw;
    shared.ctx = ctx;
    uint32_t errors = 0;
    fw_tick_hook = shared_tick;
    fw_systick(reload);
    for (int i = 0; i < SHARED_MAIN_DRAWS; i++) {
        shared.main_inside = 1;
        errors += draw(ctx, shared.main_out[i], BLOCK) != 0;
        shared.main_inside = 0;
    }
    fw_systick(0);
    fw_tick_hook = 0;
    CHECK_EQ(errors, 0);
    CHECK_EQ(shared.isr_errors, 0);
    uint32_t total = SHARED_MAIN_DRAWS + shared.isr_draws;
    printf("%s: %d draws in main, %lu in the interrupt (%lu of them inside a main draw)\n",
           name, SHARED_MAIN_DRAWS, (unsigned long) shared.isr_draws,
           (unsigned long) shared.isr_while_inside);
    CHECK(shared.isr_draws > 0);
    CHECK(shared.isr_while_inside > 0);

    memcpy(all_blocks, shared.main_out, sizeof(shared.main_out));
    memcpy(all_blocks[SHARED_MAIN_DRAWS], shared.isr_out, (size_t) shared.isr_draws * BLOCK);
    for (uint32_t i = 0; i < total; i++) {
        CHECK_EQ(draw(ref, ref_blocks[i], BLOCK), 0);
    }
    qsort(all_blocks, total, BLOCK, block_cmp);
    qsort(ref_blocks, total, BLOCK, block_cmp);
    CHECK(memcmp(all_blocks, ref_blocks, (size_t) total * BLOCK) == 0);
    unsigned char next[BLOCK], next_ref[BLOCK];
    CHECK_EQ(draw(ctx, next, BLOCK), 0);
    CHECK_EQ(draw(ref, next_ref, BLOCK), 0);
    CHECK(memcmp(next, next_ref, BLOCK) == 0);
}

void fw_test_shared_drbg(void)
{
    static mbedtls_ctr_drbg_context ctr, ctr_ref;
    static mbedtls_hmac_drbg_context hmac, hmac_ref;
    static const unsigned char pers[] = "shared";
    mbedtls_ctr_drbg_context *c[2] = { &ctr, &ctr_ref };
    for (int i = 0; i < 2; i++) {
        mbedtls_ctr_drbg_init(c[i]);
        CHECK_EQ(mbedtls_ctr_drbg_seed(c[i], counting_entropy, NULL, pers, sizeof(pers)), 0);
        /* No reseed in between: both runs make the same number of draws
         * but the reseed point would depend on the interleaving. */
        mbedtls_ctr_drbg_set_reseed_interval(c[i], 100000);
    }
    shared_run("ctr_drbg", mbedtls_ctr_drbg_random, &ctr, &ctr_ref, 3000);
    mbedtls_ctr_drbg_free(&ctr);
    mbedtls_ctr_drbg_free(&ctr_ref);

    const mbedtls_md_info_t *info = mbedtls_md_info_from_type(MBEDTLS_MD_SHA256);
    mbedtls_hmac_drbg_context *h[2] = { &hmac, &hmac_ref };
    for (int i = 0; i < 2; i++) {
        mbedtls_hmac_drbg_init(h[i]);
        CHECK_EQ(mbedtls_hmac_drbg_seed(h[i], info, counting_entropy, NULL, pers, sizeof(pers)), 0);
        mbedtls_hmac_drbg_set_reseed_interval(h[i], 100000);
    }
    shared_run("hmac_drbg", mbedtls_hmac_drbg_random, &hmac, &hmac_ref, 3000);
    mbedtls_hmac_drbg_free(&hmac);
    mbedtls_hmac_drbg_free(&hmac_ref);
}

/* ---- the static-buffer heap ------------------------------------------ */

static unsigned char fw_heap[96 * 1024] __attribute__((aligned(8)));

static int in_fw_heap(const void *p)
{
    return (const unsigned char *) p >= fw_heap &&
           (const unsigned char *) p < fw_heap + sizeof(fw_heap);
}

void fw_test_heap(void)
{
    size_t used, blocks;
    /* The library's own allocations land in the static heap. */
    mbedtls_md_context_t md;
    mbedtls_md_init(&md);
    CHECK_EQ(mbedtls_md_setup(&md, mbedtls_md_info_from_type(MBEDTLS_MD_SHA512), 1), 0);
    mbedtls_memory_buffer_alloc_cur_get(&used, &blocks);
    CHECK(used > 0);
    mbedtls_md_free(&md);

    /* An allocation while a lock is held: the heap's lock nests inside it
     * and interrupts stay masked until the outer unlock. */
    mbedtls_threading_mutex_t outer;
    mbedtls_mutex_init(&outer);
    CHECK_EQ(mbedtls_mutex_lock(&outer), 0);
    void *p = mbedtls_calloc(1, 100);
    CHECK(p != NULL && in_fw_heap(p));
    CHECK_EQ(primask(), 1);
    mbedtls_free(p);
    CHECK_EQ(primask(), 1);
    CHECK_EQ(mbedtls_mutex_unlock(&outer), 0);
    CHECK_EQ(primask(), 0);
    mbedtls_mutex_free(&outer);

    /* A bad free is reported and ignored. */
    int on_stack;
    if (!FW_UPSTREAM) {
        MISUSE(mbedtls_free(&on_stack));
    }
    CHECK_EQ(mbedtls_memory_buffer_alloc_verify(), 0);
    mbedtls_memory_buffer_alloc_cur_get(&used, &blocks);
    CHECK_EQ(used, 0);
}

/* ---- the session stores ---------------------------------------------- */

int mbedtls_hardware_poll(void *data, unsigned char *output, size_t len, size_t *olen);

static int fw_rng(void *p, unsigned char *out, size_t len)
{
    (void) p;
    size_t olen;
    return mbedtls_hardware_poll(NULL, out, len, &olen);
}

/* An RNG that counts: byte k of the stream is k (mod 256), from 0 at each
 * reset, so that ticket keys, key names and IVs are known. */
static unsigned fw_count_next;

static int fw_counting_rng(void *p, unsigned char *out, size_t len)
{
    (void) p;
    for (size_t i = 0; i < len; i++) {
        out[i] = (unsigned char) fw_count_next++;
    }
    return 0;
}

/* Writes a ticket for `s` (whose serialized form is `n` bytes) with each
 * AEAD, keys and IV from the counting RNG, and compares the ticket's
 * SHA-256 with the known answer. The answers were computed independently
 * (Python's `cryptography`: AESGCM and ChaCha20Poly1305 of the session
 * bytes, with the key name, IV and length as additional data): setup draws
 * a name (4 bytes) and a key (32 bytes, the first 16/24/32 used) for each
 * of its two keys, then the write draws the IV, so the active key is
 * bytes 4..35 of the stream and the IV bytes 72..83. This checks the
 * firmware build's AES (its batch-only path) and GCM byte for byte. */
static void fw_ticket_known_answers(mbedtls_ssl_session *s, size_t n)
{
    static const struct {
        mbedtls_cipher_type_t cipher;
        unsigned char sha256[32];
    } kat[] = {
        { MBEDTLS_CIPHER_AES_128_GCM,
          { 0x3d, 0xd7, 0x11, 0xea, 0x68, 0x4c, 0xcf, 0x11, 0xaf, 0x7b, 0xb9, 0xe0, 0xef, 0xa8, 0x52, 0x57,
            0xea, 0xed, 0x3a, 0x76, 0x07, 0xe3, 0xea, 0xe7, 0xe8, 0xc6, 0x54, 0x09, 0x12, 0x7d, 0xb9, 0x25 } },
        { MBEDTLS_CIPHER_AES_192_GCM,
          { 0x54, 0xf4, 0xde, 0x04, 0x9f, 0x1d, 0xba, 0x08, 0x4d, 0x72, 0x48, 0x50, 0xbb, 0x9e, 0xef, 0x56,
            0x81, 0x86, 0x20, 0x06, 0xa6, 0x55, 0xcb, 0x07, 0xd1, 0x8a, 0x78, 0x9a, 0xd4, 0x0a, 0x9a, 0xb1 } },
        { MBEDTLS_CIPHER_AES_256_GCM,
          { 0xe4, 0xe6, 0xf7, 0xdf, 0xe3, 0xf4, 0x8f, 0x85, 0xe6, 0xea, 0xaf, 0xaa, 0xef, 0xa5, 0xc5, 0x4b,
            0xc0, 0x52, 0x3c, 0x08, 0x04, 0xa4, 0xa8, 0xc8, 0xbe, 0xeb, 0x43, 0x3d, 0x17, 0x67, 0xce, 0xf4 } },
        { MBEDTLS_CIPHER_CHACHA20_POLY1305,
          { 0x85, 0x1e, 0xbc, 0x91, 0x75, 0xfe, 0xb7, 0x97, 0x77, 0x89, 0x53, 0x97, 0x2d, 0x36, 0x4d, 0xa2,
            0xa3, 0xe5, 0x95, 0xb2, 0x03, 0xa2, 0x4a, 0x09, 0x9c, 0xc1, 0xe0, 0xaa, 0x32, 0x1e, 0x99, 0xb2 } },
    };
    for (size_t i = 0; i < sizeof(kat) / sizeof(kat[0]); i++) {
        mbedtls_ssl_ticket_context tk;
        unsigned char ticket[160], digest[32];
        size_t tlen = 0;
        uint32_t life = 0;
        fw_count_next = 0;
        mbedtls_ssl_ticket_init(&tk);
        CHECK_EQ(mbedtls_ssl_ticket_setup(&tk, fw_counting_rng, NULL, kat[i].cipher, 3600), 0);
        CHECK_EQ(mbedtls_ssl_ticket_write(&tk, s, ticket, ticket + sizeof(ticket), &tlen, &life), 0);
        CHECK_EQ(tlen, 34 + n);
        CHECK_EQ(mbedtls_sha256(ticket, tlen, digest, 0), 0);
        CHECK(memcmp(digest, kat[i].sha256, 32) == 0);
        mbedtls_ssl_ticket_free(&tk);
    }
}

void fw_test_stores(void)
{
    /* A TLS 1.2 client session in the serialized form of a build without
     * a clock (flag word 0x00fe: no time fields). */
    unsigned char blob[106], out[128];
    size_t n = 0, olen = 0;
    const unsigned char head[] = { 3, 6, 6, 0x00, 0xfe, 0x03, 0x00, 0x00, 0xa8, 32 };
    memcpy(blob, head, sizeof(head));
    n = sizeof(head);
    for (int i = 0; i < 80; i++) {
        blob[n++] = (unsigned char) (i * 3);     /* id, then master secret */
    }
    memset(blob + n, 0, 16);                     /* verify, cert, ticket, lifetime, mfl, etm */
    n += 16;
    CHECK_EQ(n, sizeof(blob));
    mbedtls_ssl_session s, back;
    mbedtls_ssl_session_init(&s);
    mbedtls_ssl_session_init(&back);
    CHECK_EQ(mbedtls_ssl_session_load(&s, blob, n), 0);
    CHECK_EQ(mbedtls_ssl_session_save(&s, out, sizeof(out), &olen), 0);
    CHECK(olen == n && memcmp(out, blob, n) == 0);

    /* The cache: the heap holds the index and the sessions' bytes. */
    mbedtls_ssl_cache_context cache;
    unsigned char id[32];
    mbedtls_ssl_cache_init(&cache);
    for (int i = 0; i < 60; i++) {
        memset(id, i, sizeof(id));
        CHECK_EQ(mbedtls_ssl_cache_set(&cache, id, sizeof(id), &s), 0);
    }
    memset(id, 59, sizeof(id));
    CHECK_EQ(mbedtls_ssl_cache_get(&cache, id, sizeof(id), &back), 0);
    CHECK_EQ(mbedtls_ssl_session_save(&back, out, sizeof(out), &olen), 0);
    CHECK(olen == n && memcmp(out, blob, n) == 0);
    /* Session tickets (AES-128-GCM, keys from the hardware poll). */
    mbedtls_ssl_ticket_context tk;
    unsigned char ticket[160];
    size_t tlen = 0;
    uint32_t life = 0;
    mbedtls_ssl_ticket_init(&tk);
    CHECK_EQ(mbedtls_ssl_ticket_setup(&tk, fw_rng, NULL, MBEDTLS_CIPHER_AES_128_GCM, 3600), 0);
    CHECK_EQ(mbedtls_ssl_ticket_write(&tk, &s, ticket, ticket + sizeof(ticket), &tlen, &life), 0);
    CHECK_EQ(tlen, 34 + n);
    mbedtls_ssl_session_free(&back);
    CHECK_EQ(mbedtls_ssl_ticket_parse(&tk, &back, ticket, tlen), 0);
    CHECK_EQ(mbedtls_ssl_session_save(&back, out, sizeof(out), &olen), 0);
    CHECK(olen == n && memcmp(out, blob, n) == 0);
    ticket[20] ^= 1;
    CHECK_EQ(mbedtls_ssl_ticket_parse(&tk, &back, ticket, tlen), MBEDTLS_ERR_SSL_INVALID_MAC);
    mbedtls_ssl_ticket_free(&tk);
    fw_ticket_known_answers(&s, n);

    memset(id, 0, sizeof(id));                   /* evicted: 50 entries at most */
    CHECK_EQ(mbedtls_ssl_cache_get(&cache, id, sizeof(id), &back),
             MBEDTLS_ERR_SSL_CACHE_ENTRY_NOT_FOUND);
    mbedtls_ssl_cache_free(&cache);
    mbedtls_ssl_session_free(&back);
    mbedtls_ssl_session_free(&s);

    /* DTLS cookies; without a clock the timeout counts cookies issued. */
    mbedtls_ssl_cookie_ctx ck;
    unsigned char cookie[32], *p = cookie;
    const unsigned char client[] = "10.0.0.1:5684";
    mbedtls_ssl_cookie_init(&ck);
    CHECK_EQ(mbedtls_ssl_cookie_setup(&ck, fw_rng, NULL), 0);
    CHECK_EQ(mbedtls_ssl_cookie_write(&ck, &p, cookie + sizeof(cookie), client, sizeof(client)), 0);
    CHECK_EQ(mbedtls_ssl_cookie_check(&ck, cookie, sizeof(cookie), client, sizeof(client)), 0);
    CHECK_EQ(mbedtls_ssl_cookie_check(&ck, cookie, sizeof(cookie), client, 3), -1);
    mbedtls_ssl_cookie_set_timeout(&ck, 2);
    for (int i = 0; i < 3; i++) {
        unsigned char other[32], *q = other;
        CHECK_EQ(mbedtls_ssl_cookie_write(&ck, &q, other + sizeof(other), client, 1), 0);
    }
    CHECK_EQ(mbedtls_ssl_cookie_check(&ck, cookie, sizeof(cookie), client, sizeof(client)), -1);
    mbedtls_ssl_cookie_free(&ck);
}

/* ---- RSA-2048 --------------------------------------------------------- */

/* Hex string to bytes; returns the length (0 if it does not fit). */
static size_t unhex(unsigned char *out, size_t cap, const char *hex)
{
    size_t n = strlen(hex) / 2;
    if (n > cap) {
        return 0;
    }
    for (size_t i = 0; i < n; i++) {
        unsigned char b = 0;
        for (int k = 0; k < 2; k++) {
            char c = hex[2 * i + k];
            b = (unsigned char) (b << 4);
            b |= (unsigned char) (c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
        }
        out[i] = b;
    }
    return n;
}

/* The test key from fw_rsa_key.h: N, P, Q, D and E imported, the CRT
 * values left to mbedtls_rsa_complete(). */
static int fw_rsa_load(mbedtls_rsa_context *rsa)
{
    static unsigned char n[256], p[128], q[128], d[256], e[4];
    size_t nl = unhex(n, sizeof(n), fw_rsa_n), pl = unhex(p, sizeof(p), fw_rsa_p);
    size_t ql = unhex(q, sizeof(q), fw_rsa_q), dl = unhex(d, sizeof(d), fw_rsa_d);
    size_t el = unhex(e, sizeof(e), fw_rsa_e);
    int ret = mbedtls_rsa_import_raw(rsa, n, nl, p, pl, q, ql, d, dl, e, el);
    if (ret == 0) {
        ret = mbedtls_rsa_complete(rsa);
    }
    return ret;
}

/* A CTR_DRBG with a fixed seed, for blinding and PSS salts. */
static int fw_rsa_drbg(mbedtls_ctr_drbg_context *drbg)
{
    mbedtls_ctr_drbg_init(drbg);
    return mbedtls_ctr_drbg_seed(drbg, counting_entropy, NULL, (const unsigned char *) "rsa", 3);
}

/* The heap's peak before the RSA test (which measures its own). */
static size_t fw_heap_peak_before_rsa, fw_heap_peak_blocks_before_rsa;

/* ---- stack depth ---------------------------------------------------- */

#define FW_STACK_PAINT 0x5AC3A5C3u
#define FW_STACK_SPAN (48u * 1024u)

/* Fills the FW_STACK_SPAN bytes below the caller's frame with a pattern
 * and returns the address just above them. (This function's own frame is
 * smaller than the 64 bytes left out.) */
static __attribute__((noinline)) uintptr_t fw_stack_paint(void)
{
    volatile uint32_t marker = 0;
    uintptr_t top = ((uintptr_t) &marker - 64) & ~(uintptr_t) 7;
    for (volatile uint32_t *p = (uint32_t *) (top - FW_STACK_SPAN); p < (uint32_t *) top; p++) {
        *p = FW_STACK_PAINT;
    }
    return top + marker;
}

/* How many bytes below `top` were written since fw_stack_paint(). */
static size_t fw_stack_used(uintptr_t top)
{
    const volatile uint32_t *p = (const uint32_t *) (top - FW_STACK_SPAN);
    while (p < (const uint32_t *) top && *p == FW_STACK_PAINT) {
        p++;
    }
    return top - (uintptr_t) p;
}

void fw_test_rsa(void)
{
    static unsigned char hash[32], sig[256], want[256], other[256];
    mbedtls_ctr_drbg_context drbg;
    mbedtls_rsa_context rsa;
    size_t peak, peak_blocks;
    uintptr_t stack_top = fw_stack_paint();
    mbedtls_memory_buffer_alloc_max_get(&fw_heap_peak_before_rsa,
                                        &fw_heap_peak_blocks_before_rsa);
    mbedtls_memory_buffer_alloc_max_reset();
    CHECK_EQ(fw_rsa_drbg(&drbg), 0);
    mbedtls_rsa_init(&rsa);
    CHECK_EQ(fw_rsa_load(&rsa), 0);
    CHECK_EQ(mbedtls_rsa_check_pubkey(&rsa), 0);
    CHECK_EQ(mbedtls_rsa_check_privkey(&rsa), 0);
    CHECK_EQ(mbedtls_rsa_get_len(&rsa), 256);
    CHECK_EQ(mbedtls_rsa_get_bitlen(&rsa), 2048);

    /* The CRT values mbedtls_rsa_complete() derived are openssl's. */
    mbedtls_mpi dp, dq, qp, x;
    mbedtls_mpi_init(&dp);
    mbedtls_mpi_init(&dq);
    mbedtls_mpi_init(&qp);
    mbedtls_mpi_init(&x);
    CHECK_EQ(mbedtls_rsa_export_crt(&rsa, &dp, &dq, &qp), 0);
    CHECK_EQ(mbedtls_mpi_read_string(&x, 16, fw_rsa_dp), 0);
    CHECK_EQ(mbedtls_mpi_cmp_mpi(&x, &dp), 0);
    CHECK_EQ(mbedtls_mpi_read_string(&x, 16, fw_rsa_dq), 0);
    CHECK_EQ(mbedtls_mpi_cmp_mpi(&x, &dq), 0);
    CHECK_EQ(mbedtls_mpi_read_string(&x, 16, fw_rsa_qp), 0);
    CHECK_EQ(mbedtls_mpi_cmp_mpi(&x, &qp), 0);
    mbedtls_mpi_free(&dp);
    mbedtls_mpi_free(&dq);
    mbedtls_mpi_free(&qp);
    mbedtls_mpi_free(&x);

    /* PKCS#1 v1.5: openssl's signature, twice (the second sign uses the
     * refreshed blinding values); verify; a flipped bit is refused. */
    CHECK_EQ(mbedtls_sha256((const unsigned char *) FW_RSA_MSG, strlen(FW_RSA_MSG), hash, 0), 0);
    CHECK(hex_eq(hash, fw_rsa_hash, 32));
    CHECK_EQ(unhex(want, sizeof(want), fw_rsa_sig_v15), 256);
    for (int i = 0; i < 2; i++) {
        memset(sig, 0, sizeof(sig));
        CHECK_EQ(mbedtls_rsa_pkcs1_sign(&rsa, mbedtls_ctr_drbg_random, &drbg,
                                        MBEDTLS_MD_SHA256, 32, hash, sig), 0);
        CHECK(memcmp(sig, want, 256) == 0);
    }
    CHECK_EQ(mbedtls_rsa_pkcs1_verify(&rsa, MBEDTLS_MD_SHA256, 32, hash, sig), 0);
    sig[100] ^= 0x08;
    CHECK_EQ(mbedtls_rsa_pkcs1_verify(&rsa, MBEDTLS_MD_SHA256, 32, hash, sig),
             MBEDTLS_ERR_RSA_VERIFY_FAILED);
    sig[100] ^= 0x08;
    hash[0] ^= 0x80;
    CHECK_EQ(mbedtls_rsa_pkcs1_verify(&rsa, MBEDTLS_MD_SHA256, 32, hash, sig),
             MBEDTLS_ERR_RSA_VERIFY_FAILED);
    hash[0] ^= 0x80;

    /* PSS (SHA-256, MGF1-SHA-256): openssl's signature verifies; ours
     * verifies and differs from it (random salt); a flipped bit fails. */
    CHECK_EQ(mbedtls_rsa_set_padding(&rsa, MBEDTLS_RSA_PKCS_V21, MBEDTLS_MD_SHA256), 0);
    CHECK_EQ(unhex(other, sizeof(other), fw_rsa_sig_pss), 256);
    CHECK_EQ(mbedtls_rsa_pkcs1_verify(&rsa, MBEDTLS_MD_SHA256, 32, hash, other), 0);
    CHECK_EQ(mbedtls_rsa_pkcs1_sign(&rsa, mbedtls_ctr_drbg_random, &drbg,
                                    MBEDTLS_MD_SHA256, 32, hash, sig), 0);
    CHECK(memcmp(sig, other, 256) != 0);
    CHECK_EQ(mbedtls_rsa_rsassa_pss_verify_ext(&rsa, MBEDTLS_MD_SHA256, 32, hash,
                                               MBEDTLS_MD_SHA256, 32, sig), 0);
    /* (Which error depends on where the garbled encoding first fails.) */
    sig[100] ^= 0x08;
    int ret = mbedtls_rsa_pkcs1_verify(&rsa, MBEDTLS_MD_SHA256, 32, hash, sig);
    CHECK(ret == MBEDTLS_ERR_RSA_VERIFY_FAILED || ret == MBEDTLS_ERR_RSA_INVALID_PADDING);
    mbedtls_rsa_free(&rsa);
    mbedtls_ctr_drbg_free(&drbg);
    mbedtls_memory_buffer_alloc_max_get(&peak, &peak_blocks);
    printf("rsa: heap peak %lu bytes in %lu blocks\n", (unsigned long) peak,
           (unsigned long) peak_blocks);
    size_t stack = fw_stack_used(stack_top);
    /* The whole span written would mean the paint was too short. */
    CHECK(stack < FW_STACK_SPAN);
    printf("rsa: stack %lu bytes below the test's frame\n", (unsigned long) stack);
}

/* ---- instruction counts ---------------------------------------------- */

/* Prints the instructions one call of each operation takes (the SysTick
 * clock counts 40 instructions per tick under -icount shift=0). */
static void fw_measure(void)
{
    static unsigned char buf[1024];
    unsigned char out[64];
    uint64_t t0, t1;

    fw_clock_start();
    t0 = fw_clock();
    CHECK_EQ(mbedtls_sha256(buf, sizeof(buf), out, 0), 0);
    t1 = fw_clock();
    printf("insns: sha256_1024=%lu\n", (unsigned long) ((t1 - t0) * FW_INSNS_PER_COUNT));

    mbedtls_ctr_drbg_context ctr;
    mbedtls_ctr_drbg_init(&ctr);
    CHECK_EQ(mbedtls_ctr_drbg_seed(&ctr, counting_entropy, NULL, NULL, 0), 0);
    t0 = fw_clock();
    CHECK_EQ(mbedtls_ctr_drbg_random(&ctr, out, 64), 0);
    t1 = fw_clock();
    printf("insns: ctr_drbg_random_64=%lu\n", (unsigned long) ((t1 - t0) * FW_INSNS_PER_COUNT));
    mbedtls_ctr_drbg_free(&ctr);

    mbedtls_hmac_drbg_context hmac;
    mbedtls_hmac_drbg_init(&hmac);
    CHECK_EQ(mbedtls_hmac_drbg_seed(&hmac, mbedtls_md_info_from_type(MBEDTLS_MD_SHA256),
                                    counting_entropy, NULL, NULL, 0), 0);
    t0 = fw_clock();
    CHECK_EQ(mbedtls_hmac_drbg_random(&hmac, out, 64), 0);
    t1 = fw_clock();
    printf("insns: hmac_drbg_sha256_random_64=%lu\n", (unsigned long) ((t1 - t0) * FW_INSNS_PER_COUNT));
    mbedtls_hmac_drbg_free(&hmac);

    /* RSA-2048: the first signature of a context (it also makes the
     * blinding values), the next one, and a verification. */
    static unsigned char hash[32], sig[256];
    static const char *const rsa_names[3] = {
        "rsa2048_pkcs1v15_sign_first", "rsa2048_pkcs1v15_sign", "rsa2048_pkcs1v15_verify"
    };
    mbedtls_ctr_drbg_context drbg;
    mbedtls_rsa_context rsa;
    CHECK_EQ(fw_rsa_drbg(&drbg), 0);
    mbedtls_rsa_init(&rsa);
    CHECK_EQ(fw_rsa_load(&rsa), 0);
    CHECK_EQ(unhex(hash, sizeof(hash), fw_rsa_hash), 32);
    for (int i = 0; i < 3; i++) {
        t0 = fw_clock();
        if (i < 2) {
            CHECK_EQ(mbedtls_rsa_pkcs1_sign(&rsa, mbedtls_ctr_drbg_random, &drbg,
                                            MBEDTLS_MD_SHA256, 32, hash, sig), 0);
        } else {
            CHECK_EQ(mbedtls_rsa_pkcs1_verify(&rsa, MBEDTLS_MD_SHA256, 32, hash, sig), 0);
        }
        t1 = fw_clock();
        printf("insns: %s=%lu\n", rsa_names[i], (unsigned long) ((t1 - t0) * FW_INSNS_PER_COUNT));
    }
    mbedtls_rsa_free(&rsa);
    mbedtls_ctr_drbg_free(&drbg);
    fw_clock_stop();
}

/* The size of every context a firmware allocates (docs/EMBEDDED.md,
 * "Context sizes"; the same lines come from upstream's headers when the
 * firmware is linked against upstream). */
static void fw_print_sizes(void)
{
#define FW_SIZE(type) printf("sizeof: %s=%lu\n", #type, (unsigned long) sizeof(type))
    FW_SIZE(mbedtls_threading_mutex_t);
    FW_SIZE(mbedtls_entropy_context);
    FW_SIZE(mbedtls_ctr_drbg_context);
    FW_SIZE(mbedtls_hmac_drbg_context);
    FW_SIZE(mbedtls_md_context_t);
    FW_SIZE(mbedtls_sha1_context);
    FW_SIZE(mbedtls_sha256_context);
    FW_SIZE(mbedtls_sha512_context);
    FW_SIZE(mbedtls_rsa_context);
    FW_SIZE(mbedtls_mpi);
    FW_SIZE(mbedtls_ssl_cache_context);
    FW_SIZE(mbedtls_ssl_ticket_context);
    FW_SIZE(mbedtls_ssl_cookie_ctx);
    FW_SIZE(mbedtls_ssl_session);
#undef FW_SIZE
}

int main(void)
{
    printf("mbedcrypto-rs test firmware (Cortex-M4, interrupt-masking mutex)\n");
    fw_print_sizes();
    for (int order = 0; order < 2; order++) {
        /* Run 0 sets the heap up before the mutex functions are known
         * (upstream's heap would then never lock); run 1 the usual way. */
        if (order == 0) {
            mbedtls_memory_buffer_alloc_init(fw_heap, sizeof(fw_heap));
            fw_threading_setup();
        } else {
            fw_threading_setup();
            mbedtls_memory_buffer_alloc_init(fw_heap, sizeof(fw_heap));
        }
        printf("run %d: %s\n", order + 1,
               order == 0 ? "heap before mbedtls_threading_set_alt()"
                          : "mbedtls_threading_set_alt() before the heap");
        fw_test_threading();
        fw_test_hashes();
        fw_test_drbg();
        fw_test_shared_drbg();
        fw_test_heap();
        fw_test_stores();
        fw_test_rsa();
        size_t used, blocks, peak, peak_blocks, allocs, frees;
        mbedtls_memory_buffer_alloc_cur_get(&used, &blocks);
        mbedtls_memory_buffer_alloc_max_get(&peak, &peak_blocks);
        /* (Two separate maxima, as the heap keeps them.) */
        if (fw_heap_peak_before_rsa > peak) {
            peak = fw_heap_peak_before_rsa;
        }
        if (fw_heap_peak_blocks_before_rsa > peak_blocks) {
            peak_blocks = fw_heap_peak_blocks_before_rsa;
        }
        mbedtls_memory_buffer_alloc_count_get(&allocs, &frees);
        CHECK_EQ(used, 0);
        CHECK(allocs > 0);
        CHECK_EQ(allocs, frees);
        printf("heap: %lu allocations, peak %lu bytes in %lu blocks\n",
               (unsigned long) allocs, (unsigned long) peak, (unsigned long) peak_blocks);
        if (order == 1) {
            fw_measure();
        }
        mbedtls_memory_buffer_alloc_free();
        mbedtls_threading_free_alt();
    }
    printf("locks taken: %lu\n", (unsigned long) fw_lock_count);
    return harness_finish("firmware");
}
