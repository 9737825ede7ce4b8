/*
 * test_mod_memory_buffer_alloc.c: the static-buffer heap through the C API.
 *
 * Every function, the errors a program can make (double free, a foreign
 * pointer, a pointer into the middle of a block, a corrupted header), the
 * lifecycle (use before init, init twice, free twice, hooks put back by
 * free), the statistics, the self-test, several threads sharing the heap
 * (MBEDTLS_THREADING_C), and an allocation-failure sweep over every module
 * of the library: each must fail cleanly with its *_ALLOC_FAILED code,
 * leak nothing and stay usable (what the sweep can reach in a hosted
 * build is listed above sweep_run's helpers).
 */
#define _POSIX_C_SOURCE 200809L

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "mbedtls/bignum.h"
#include "mbedtls/cipher.h"
#include "mbedtls/ctr_drbg.h"
#include "mbedtls/entropy.h"
#include "mbedtls/hmac_drbg.h"
#include "mbedtls/md.h"
#include "mbedtls/memory_buffer_alloc.h"
#include "mbedtls/platform.h"
#include "mbedtls/platform_time.h"
#include "mbedtls/rsa.h"
#include "mbedtls/ssl.h"
#include "mbedtls/ssl_cache.h"
#include "mbedtls/ssl_cookie.h"
#include "mbedtls/ssl_ticket.h"
#if defined(MBEDTLS_THREADING_C)
#include <pthread.h>
#include "mbedtls/threading.h"
#endif
#if defined(MBEDTLS_THREADING_ALT)
#include "threading_alt.h"
#endif

#include "harness.h"

#if !defined(MBEDTLS_MEMORY_BUFFER_ALLOC_C) || !defined(MBEDTLS_MEMORY_DEBUG)
#error "this test needs MBEDTLS_MEMORY_BUFFER_ALLOC_C and MBEDTLS_MEMORY_DEBUG"
#endif

static unsigned char heap_buf[64 * 1024] __attribute__((aligned(16)));

/* Hooks that count, to see which allocator a call reaches. */
static long outer_calls;
static void *outer_calloc(size_t n, size_t size)
{
    outer_calls++;
    return calloc(n, size);
}
static void outer_free(void *p)
{
    free(p);
}

static int in_heap(const void *p)
{
    return (const unsigned char *) p >= heap_buf &&
           (const unsigned char *) p < heap_buf + sizeof(heap_buf);
}

static void test_before_init(void)
{
    size_t a = 99, b = 99;
    CHECK_EQ(mbedtls_memory_buffer_alloc_verify(), 1);
    mbedtls_memory_buffer_alloc_count_get(&a, &b);
    CHECK_EQ(a, 0);
    CHECK_EQ(b, 0);
    MISUSE(mbedtls_memory_buffer_alloc_free());  /* free without init */
    MISUSE(mbedtls_memory_buffer_alloc_status());
    MISUSE(mbedtls_memory_buffer_set_verify(MBEDTLS_MEMORY_VERIFY_ALWAYS));
    mbedtls_memory_buffer_alloc_count_get(NULL, NULL);
    mbedtls_memory_buffer_alloc_max_reset();
}

static void test_basics(void)
{
    size_t used, blocks, allocs, frees;
    CHECK_EQ(mbedtls_platform_set_calloc_free(outer_calloc, outer_free), 0);
    /* An unaligned start is aligned up. */
    mbedtls_memory_buffer_alloc_init(heap_buf + 1, sizeof(heap_buf) - 1);
    long before = outer_calls;
    unsigned char *a = mbedtls_calloc(1, 10);
    unsigned char *b = mbedtls_calloc(3, 7);
    unsigned char *c = mbedtls_calloc(1, 200);
    CHECK_EQ(outer_calls, before);
    CHECK(a != NULL && b != NULL && c != NULL);
    CHECK(in_heap(a) && in_heap(b) && in_heap(c));
    CHECK((uintptr_t) a % MBEDTLS_MEMORY_ALIGN_MULTIPLE == 0);
    CHECK((uintptr_t) b % MBEDTLS_MEMORY_ALIGN_MULTIPLE == 0);
    int zero = 1;
    for (int i = 0; i < 200; i++) {
        zero &= c[i] == 0;
    }
    CHECK(zero);
    memset(a, 0xAA, 10);
    memset(b, 0xBB, 21);
    memset(c, 0xCC, 200);
    mbedtls_memory_buffer_alloc_cur_get(&used, &blocks);
    CHECK_EQ(used, 12 + 24 + 200);   /* sizes rounded up to the alignment */
    CHECK_EQ(blocks, 3);
    CHECK_EQ(mbedtls_memory_buffer_alloc_verify(), 0);

    /* Failures: zero sizes, overflow, too big. */
    CHECK(mbedtls_calloc(0, 8) == NULL);
    CHECK(mbedtls_calloc(8, 0) == NULL);
    CHECK(mbedtls_calloc(SIZE_MAX / 2, 4) == NULL);
    CHECK(mbedtls_calloc(1, sizeof(heap_buf)) == NULL);

    /* Misuse: none of these changes the heap. */
    int on_stack;
    MISUSE(mbedtls_free(&on_stack));         /* foreign pointer */
    MISUSE(mbedtls_free(c + 8));             /* inside a block */
    mbedtls_free(b);
    MISUSE(mbedtls_free(b));                 /* double free */
    mbedtls_free(NULL);
    CHECK_EQ(mbedtls_memory_buffer_alloc_verify(), 0);
    mbedtls_memory_buffer_alloc_count_get(&allocs, &frees);
    CHECK_EQ(allocs, 3);
    CHECK_EQ(frees, 1);
    /* The freed block is reused first (first fit). */
    unsigned char *b2 = mbedtls_calloc(1, 20);
    CHECK(b2 == b);
    mbedtls_memory_buffer_alloc_status();
    mbedtls_free(b2);
    mbedtls_free(a);
    mbedtls_free(c);
    mbedtls_memory_buffer_alloc_cur_get(&used, &blocks);
    CHECK_EQ(used, 0);
    CHECK_EQ(blocks, 0);
    mbedtls_memory_buffer_alloc_max_get(&used, &blocks);
    CHECK_EQ(used, 12 + 24 + 200);
    CHECK_EQ(blocks, 3);
    mbedtls_memory_buffer_alloc_max_reset();
    mbedtls_memory_buffer_alloc_max_get(&used, &blocks);
    CHECK_EQ(used, 0);
    CHECK_EQ(blocks, 0);
    /* Everything merged: one block takes (almost) the whole heap again. */
    void *big = mbedtls_calloc(1, sizeof(heap_buf) - 1024);
    CHECK(big != NULL);
    mbedtls_free(big);
    mbedtls_memory_buffer_alloc_status();

    /* A corrupted header is found, and with verification on, allocation
     * fails instead of using the heap. */
    unsigned char *x = mbedtls_calloc(1, 16);
    unsigned char *y = mbedtls_calloc(1, 16);
    CHECK(x != NULL && y != NULL);
    unsigned char saved[16];
    memcpy(saved, y - 16, 16);
    memset(y - 16, 0x5A, 16);                /* overwrite y's header end */
    CHECK_EQ(mbedtls_memory_buffer_alloc_verify(), 1);
    mbedtls_memory_buffer_set_verify(MBEDTLS_MEMORY_VERIFY_ALWAYS);
    CHECK(mbedtls_calloc(1, 16) == NULL);
    MISUSE(mbedtls_free(y));                 /* refused: not a block */
    memcpy(y - 16, saved, 16);               /* repair */
    CHECK_EQ(mbedtls_memory_buffer_alloc_verify(), 0);
    mbedtls_free(y);
    mbedtls_free(x);
    mbedtls_memory_buffer_set_verify(MBEDTLS_MEMORY_VERIFY_NONE);
    CHECK_EQ(mbedtls_memory_buffer_alloc_verify(), 0);

    /* Init again resets; free puts the outer hooks back. */
    void *keep = mbedtls_calloc(1, 100);
    CHECK(keep != NULL);
    mbedtls_memory_buffer_alloc_init(heap_buf, sizeof(heap_buf));
    mbedtls_memory_buffer_alloc_cur_get(&used, &blocks);
    CHECK_EQ(used, 0);
    mbedtls_memory_buffer_alloc_free();
    before = outer_calls;
    void *p = mbedtls_calloc(1, 8);
    CHECK(p != NULL && !in_heap(p));
    CHECK_EQ(outer_calls, before + 1);
    mbedtls_free(p);
    MISUSE(mbedtls_memory_buffer_alloc_free());  /* free twice */
    CHECK_EQ(mbedtls_memory_buffer_alloc_verify(), 1);

    /* A buffer too small for one block: every allocation fails. */
    mbedtls_memory_buffer_alloc_init(heap_buf, 16);
    CHECK(mbedtls_calloc(1, 1) == NULL);
    mbedtls_memory_buffer_alloc_free();
    mbedtls_memory_buffer_alloc_init(NULL, 100);
    CHECK(mbedtls_calloc(1, 1) == NULL);
    mbedtls_memory_buffer_alloc_free();
    CHECK_EQ(mbedtls_platform_set_calloc_free(calloc, free), 0);
}

/* ---- allocation-failure sweep ------------------------------------------ */

/*
 * What the sweep covers. A hook fails the k-th call of mbedtls_calloc()
 * (k = 1, 2, ... until a run injects no failure), and every size of a
 * small static heap is tried; each call must return 0 or its module's
 * allocation-failure code, nothing may leak, and the context must still
 * work: the failed call is made again and must then succeed (in the
 * small-heap runs it may fail the same way again, and the module stops).
 *
 * In these hosted builds the library's Rust code allocates through Rust's
 * default allocator; only the blocks it deliberately takes from
 * mbedtls_calloc() can be failed here (firmware builds route every Rust
 * allocation through the hooks, src/platform/global_alloc.rs). Those are:
 *
 *   md         mbedtls_md_setup: the hash state, and the HMAC pads
 *   bignum     the limbs of every mbedtls_mpi that grows (read_string,
 *              mul_mpi, exp_mod and its _RR, gen_prime, inv_mod, ...)
 *   rsa        the context's mpis: import_raw, complete, copy, export;
 *              sign, verify, encrypt and decrypt take none (their key
 *              state is Rust-allocated), and gen_key stores its key the
 *              way complete does (not swept: too slow under Valgrind)
 *   ssl        mbedtls_ssl_session_load: the peer certificate and the
 *              ticket; save takes none
 *   ssl_cache  get (it loads the session); set and remove take none
 *   ssl_cookie setup (its HMAC is an md context); write and check take none
 *   ssl_ticket parse (it loads the session); setup and write take none
 *   entropy, ctr_drbg, hmac_drbg: none (their state lives in the context)
 *
 * The printed table counts the allocation points per module. The Rust
 * allocations (the bignum arithmetic, RSA key states and blinding pool,
 * the cache's index, the ticket keys) are not reached by this test.
 */

enum { M_MD, M_ENTROPY, M_CTR_DRBG, M_HMAC_DRBG, M_BIGNUM, M_RSA, M_SSL_SESSION,
       M_SSL_CACHE, M_SSL_COOKIE, M_SSL_TICKET, M_COUNT };
static const char *const sweep_module_names[M_COUNT] = {
    "md", "entropy", "ctr_drbg", "hmac_drbg", "bignum", "rsa", "ssl_session",
    "ssl_cache", "ssl_cookie", "ssl_ticket",
};
static int sweep_module;               /* whose calls are running */
static long sweep_points[M_COUNT];     /* its allocations in the current run */
static long sweep_reported[M_COUNT];   /* its calls that reported a failure */

static long sweep_countdown;  /* the allocation that fails; <= 0: none */
static long sweep_live;
static int sweep_injected;
static int sweep_small_heap;  /* failures persist: a retry may fail again */
static void *failing_calloc(size_t n, size_t size)
{
    sweep_points[sweep_module]++;
    if (sweep_countdown > 0 && --sweep_countdown == 0) {
        sweep_injected = 1;
        return NULL;
    }
    void *p = calloc(n, size);
    if (p != NULL) {
        sweep_live++;
    }
    return p;
}
static void failing_free(void *p)
{
    if (p != NULL) {
        sweep_live--;
    }
    free(p);
}

static int fixed_entropy(void *p, unsigned char *out, size_t len)
{
    (void) p;
    memset(out, 0x42, len);
    return 0;
}

/* A deterministic RNG for the sweep (never fails). */
static unsigned sweep_rng_state;
static int sweep_rng(void *p, unsigned char *out, size_t len)
{
    (void) p;
    for (size_t i = 0; i < len; i++) {
        sweep_rng_state = sweep_rng_state * 1103515245u + 12345u;
        out[i] = (unsigned char) (sweep_rng_state >> 16);
    }
    return 0;
}

/*
 * One call of the sweep: `rc = (call)` must be 0 or `alloc_code`. A failure
 * is counted in `failed` and the call made again (the context must still
 * be usable): in the countdown runs the retry must succeed; over a small
 * heap it may fail the same way, and then the module jumps to `out`.
 */
#define SWEEP_CALL(call, alloc_code)                                           \
    do {                                                                       \
        rc = (call);                                                           \
        CHECK(rc == 0 || rc == (alloc_code));                                  \
        if (rc != 0) {                                                         \
            failed++;                                                          \
            sweep_reported[sweep_module]++;                                    \
            rc = (call);                                                       \
            if (sweep_small_heap) {                                            \
                CHECK(rc == 0 || rc == (alloc_code));                          \
            } else {                                                           \
                CHECK_EQ(rc, 0);                                               \
            }                                                                  \
            if (rc != 0) {                                                     \
                goto out;                                                      \
            }                                                                  \
        }                                                                      \
    } while (0)

static int sweep_md(void)
{
    int failed = 0, rc;
    unsigned char out[32];
    mbedtls_md_context_t md;
    mbedtls_md_init(&md);
    SWEEP_CALL(mbedtls_md_setup(&md, mbedtls_md_info_from_type(MBEDTLS_MD_SHA256), 1),
               MBEDTLS_ERR_MD_ALLOC_FAILED);
    CHECK_EQ(mbedtls_md_hmac_starts(&md, out, 16), 0);
    CHECK_EQ(mbedtls_md_hmac_update(&md, out, 16), 0);
    CHECK_EQ(mbedtls_md_hmac_finish(&md, out), 0);
out:
    mbedtls_md_free(&md);
    return failed;
}

static int sweep_entropy(void)
{
    unsigned char out[32];
    mbedtls_entropy_context ent;
    mbedtls_entropy_init(&ent);
    CHECK_EQ(mbedtls_entropy_func(&ent, out, sizeof(out)), 0);
    mbedtls_entropy_free(&ent);
    return 0;
}

static int sweep_ctr_drbg(void)
{
    unsigned char out[32];
    mbedtls_ctr_drbg_context ctr;
    mbedtls_ctr_drbg_init(&ctr);
    CHECK_EQ(mbedtls_ctr_drbg_seed(&ctr, fixed_entropy, NULL, NULL, 0), 0);
    CHECK_EQ(mbedtls_ctr_drbg_random(&ctr, out, sizeof(out)), 0);
    mbedtls_ctr_drbg_free(&ctr);
    return 0;
}

static int sweep_hmac_drbg(void)
{
    int failed = 0, rc;
    unsigned char out[32];
    mbedtls_hmac_drbg_context hmac;
    mbedtls_hmac_drbg_init(&hmac);
    SWEEP_CALL(mbedtls_hmac_drbg_seed(&hmac, mbedtls_md_info_from_type(MBEDTLS_MD_SHA256),
                                      fixed_entropy, NULL, NULL, 0),
               MBEDTLS_ERR_MD_ALLOC_FAILED);
    CHECK_EQ(mbedtls_hmac_drbg_random(&hmac, out, sizeof(out)), 0);
out:
    mbedtls_hmac_drbg_free(&hmac);
    return failed;
}

static int sweep_bignum(void)
{
    int failed = 0, rc;
    char text[80];
    size_t olen = 0;
    mbedtls_mpi A, B, X, N, RR, Q, R;
    mbedtls_mpi *all[] = { &A, &B, &X, &N, &RR, &Q, &R };
    for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
        mbedtls_mpi_init(all[i]);
    }
    const int E = MBEDTLS_ERR_MPI_ALLOC_FAILED;
    SWEEP_CALL(mbedtls_mpi_read_string(&A, 16, "123456789ABCDEF0123456789ABCDEF0FEDCBA9876543"), E);
    SWEEP_CALL(mbedtls_mpi_read_string(&B, 10, "-98765432109876543210987654321"), E);
    SWEEP_CALL(mbedtls_mpi_read_string(&N, 16, "F123456789ABCDEF0123456789ABCDEF1"), E);
    SWEEP_CALL(mbedtls_mpi_mul_mpi(&X, &A, &B), E);
    SWEEP_CALL(mbedtls_mpi_add_mpi(&X, &X, &A), E);
    SWEEP_CALL(mbedtls_mpi_div_mpi(&Q, &R, &X, &N), E);
    SWEEP_CALL(mbedtls_mpi_lset(&B, 65537), E);
    SWEEP_CALL(mbedtls_mpi_exp_mod(&X, &A, &B, &N, &RR), E);
    SWEEP_CALL(mbedtls_mpi_inv_mod(&X, &B, &N), E);
    SWEEP_CALL(mbedtls_mpi_gcd(&X, &A, &N), E);
    SWEEP_CALL(mbedtls_mpi_copy(&Q, &A), E);
    SWEEP_CALL(mbedtls_mpi_shift_l(&Q, 100), E);
    SWEEP_CALL(mbedtls_mpi_gen_prime(&X, 96, 0, sweep_rng, NULL), E);
    CHECK_EQ(mbedtls_mpi_write_string(&X, 16, text, sizeof(text), &olen), 0);
out:
    for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
        mbedtls_mpi_free(all[i]);
    }
    return failed;
}

/* A fixed RSA-1024 key (N, P, Q; E = 65537), made with OpenSSL for this
 * test only. */
static const unsigned char sweep_rsa_N[128] = {
    0xba, 0x1c, 0x82, 0xda, 0x47, 0x6c, 0xb5, 0xf7, 0x0c, 0x8c, 0xce, 0xb2,
    0xa3, 0xe1, 0xe7, 0xbd, 0xdb, 0x11, 0xf3, 0xeb, 0xac, 0xb8, 0x40, 0x27,
    0x0b, 0x01, 0x4b, 0xd7, 0x81, 0xd9, 0xe0, 0xca, 0xcf, 0xd1, 0x8b, 0xe1,
    0x80, 0x40, 0x4b, 0xc7, 0x9a, 0x0d, 0x7b, 0xdb, 0xb4, 0xe4, 0x94, 0x9c,
    0xf2, 0x63, 0x73, 0x05, 0x52, 0x29, 0xfb, 0x8e, 0x68, 0x56, 0xbd, 0x15,
    0xae, 0x01, 0xf1, 0xdf, 0x1c, 0x05, 0x75, 0x4b, 0x7e, 0xa5, 0x1c, 0x4b,
    0xa2, 0x46, 0x28, 0xf7, 0x26, 0xba, 0x73, 0xf3, 0x15, 0xed, 0x36, 0x29,
    0xc3, 0x44, 0x11, 0x32, 0xb3, 0x95, 0xca, 0xbe, 0xb4, 0x74, 0x50, 0x27,
    0x2b, 0x18, 0x17, 0x2e, 0x5b, 0x8d, 0x47, 0x2c, 0x40, 0xe1, 0x63, 0x46,
    0xe7, 0xa2, 0x65, 0x46, 0xcf, 0xfc, 0xa2, 0xc0, 0xc7, 0xf7, 0xc4, 0x11,
    0x8c, 0x90, 0x3a, 0x89, 0xcf, 0xcd, 0xe4, 0x2d,
};
static const unsigned char sweep_rsa_P[64] = {
    0xe0, 0x81, 0x27, 0x50, 0x23, 0xf4, 0xc2, 0x30, 0xea, 0xa0, 0x95, 0x41,
    0x11, 0xb1, 0xb1, 0xc3, 0xbd, 0x07, 0x55, 0x7b, 0xc0, 0xca, 0xa7, 0xf2,
    0x4a, 0x24, 0x4e, 0xfc, 0x9d, 0x33, 0xbb, 0xee, 0x48, 0xc9, 0x45, 0x18,
    0x04, 0x77, 0x5d, 0xcc, 0x4d, 0x1d, 0xae, 0x83, 0xf8, 0x61, 0x37, 0x12,
    0x19, 0x4b, 0x65, 0x98, 0x83, 0xe3, 0x9d, 0x59, 0xe0, 0x0c, 0x6e, 0x56,
    0x2d, 0xb3, 0xbe, 0x11,
};
static const unsigned char sweep_rsa_Q[64] = {
    0xd4, 0x38, 0x82, 0x0b, 0x17, 0x7e, 0xc2, 0xc5, 0x0a, 0xe8, 0x29, 0x66,
    0x86, 0x61, 0xcb, 0x68, 0x80, 0x5a, 0xe3, 0x39, 0x01, 0x9b, 0x28, 0x7a,
    0xc5, 0x19, 0xc9, 0x48, 0x91, 0xf9, 0xd5, 0x21, 0x31, 0xcc, 0xfa, 0x43,
    0x9d, 0xb5, 0x49, 0xfb, 0xcb, 0x13, 0xc4, 0xef, 0xa4, 0x65, 0x57, 0xce,
    0xa4, 0xd6, 0xa1, 0xe3, 0x93, 0xb7, 0x8c, 0x53, 0x48, 0x73, 0x65, 0x84,
    0x6d, 0x6c, 0x58, 0x5d,
};
static const unsigned char sweep_rsa_E[3] = { 0x01, 0x00, 0x01 };

static int sweep_rsa(void)
{
    int failed = 0, rc;
    unsigned char hash[32], sig[128], enc[128], dec[128];
    const unsigned char msg[] = "allocation-failure sweep";
    size_t olen = 0;
    mbedtls_rsa_context rsa, pss;
    mbedtls_mpi N, E;
    memset(hash, 0x3C, sizeof(hash));
    mbedtls_rsa_init(&rsa);
    mbedtls_rsa_init(&pss);
    mbedtls_mpi_init(&N);
    mbedtls_mpi_init(&E);
    const int IMPORT = MBEDTLS_ERR_RSA_BAD_INPUT_DATA + MBEDTLS_ERR_MPI_ALLOC_FAILED;
    SWEEP_CALL(mbedtls_rsa_import_raw(&rsa, sweep_rsa_N, sizeof(sweep_rsa_N),
                                      sweep_rsa_P, sizeof(sweep_rsa_P),
                                      sweep_rsa_Q, sizeof(sweep_rsa_Q), NULL, 0,
                                      sweep_rsa_E, sizeof(sweep_rsa_E)), IMPORT);
    SWEEP_CALL(mbedtls_rsa_complete(&rsa), IMPORT);
    CHECK_EQ(mbedtls_rsa_check_privkey(&rsa), 0);
    SWEEP_CALL(mbedtls_rsa_export(&rsa, &N, NULL, NULL, NULL, &E), MBEDTLS_ERR_MPI_ALLOC_FAILED);
    CHECK_EQ(mbedtls_mpi_cmp_int(&E, 65537), 0);
    /* PKCS#1 v1.5 */
    SWEEP_CALL(mbedtls_rsa_pkcs1_sign(&rsa, sweep_rng, NULL, MBEDTLS_MD_SHA256, 32, hash, sig),
               MBEDTLS_ERR_RSA_PRIVATE_FAILED + MBEDTLS_ERR_MPI_ALLOC_FAILED);
    SWEEP_CALL(mbedtls_rsa_pkcs1_verify(&rsa, MBEDTLS_MD_SHA256, 32, hash, sig),
               MBEDTLS_ERR_RSA_PUBLIC_FAILED + MBEDTLS_ERR_MPI_ALLOC_FAILED);
    /* PSS and OAEP on a copy */
    SWEEP_CALL(mbedtls_rsa_copy(&pss, &rsa), MBEDTLS_ERR_MPI_ALLOC_FAILED);
    CHECK_EQ(mbedtls_rsa_set_padding(&pss, MBEDTLS_RSA_PKCS_V21, MBEDTLS_MD_SHA256), 0);
    SWEEP_CALL(mbedtls_rsa_rsassa_pss_sign(&pss, sweep_rng, NULL, MBEDTLS_MD_SHA256, 32, hash, sig),
               MBEDTLS_ERR_RSA_PRIVATE_FAILED + MBEDTLS_ERR_MPI_ALLOC_FAILED);
    SWEEP_CALL(mbedtls_rsa_rsassa_pss_verify(&pss, MBEDTLS_MD_SHA256, 32, hash, sig),
               MBEDTLS_ERR_RSA_PUBLIC_FAILED + MBEDTLS_ERR_MPI_ALLOC_FAILED);
    SWEEP_CALL(mbedtls_rsa_rsaes_oaep_encrypt(&pss, sweep_rng, NULL, NULL, 0, sizeof(msg), msg, enc),
               MBEDTLS_ERR_RSA_PUBLIC_FAILED + MBEDTLS_ERR_MPI_ALLOC_FAILED);
    SWEEP_CALL(mbedtls_rsa_rsaes_oaep_decrypt(&pss, sweep_rng, NULL, NULL, 0, &olen, enc, dec,
                                              sizeof(dec)),
               MBEDTLS_ERR_RSA_PRIVATE_FAILED + MBEDTLS_ERR_MPI_ALLOC_FAILED);
    CHECK(olen == sizeof(msg) && memcmp(dec, msg, olen) == 0);
out:
    mbedtls_mpi_free(&N);
    mbedtls_mpi_free(&E);
    mbedtls_rsa_free(&pss);
    mbedtls_rsa_free(&rsa);
    return failed;
}

/* A serialized TLS 1.2 session (upstream's default options) with an
 * 8-byte peer certificate; a client's also carries a 16-byte ticket, a
 * server's its ticket creation time (now). Returns the length. */
static size_t session_blob(unsigned char blob[160], int server)
{
    size_t n = 0;
#if defined(MBEDTLS_HAVE_TIME)
    const unsigned char flags = 0xff;
#else
    const unsigned char flags = 0xfe;
#endif
    const unsigned char head[] = { 3, 6, 6, 0x00, flags, 0x03, (unsigned char) server, 0xc0, 0x2f };
    memcpy(blob, head, sizeof(head));
    n = sizeof(head);
#if defined(MBEDTLS_HAVE_TIME)
    memset(blob + n, 0, 8);                 /* start */
    n += 8;
#endif
    blob[n++] = 32;
    memset(blob + n, 0x6D, 80);             /* id and master secret */
    n += 80;
    memset(blob + n, 0, 4);                 /* verify result */
    n += 4;
    blob[n++] = 0;
    blob[n++] = 0;
    blob[n++] = 8;
    memset(blob + n, 0xCE, 8);              /* "certificate" */
    n += 8;
    if (!server) {
        blob[n++] = 0;
        blob[n++] = 0;
        blob[n++] = 16;
        memset(blob + n, 0x71, 16);         /* ticket */
        n += 16;
        memset(blob + n, 0, 4);             /* lifetime */
        blob[n + 3] = 60;
        n += 4;
    }
#if defined(MBEDTLS_HAVE_TIME)
    else {
        uint64_t ms = (uint64_t) mbedtls_ms_time();
        for (int i = 7; i >= 0; i--) {
            blob[n++] = (unsigned char) (ms >> (8 * i));
        }
    }
#endif
    blob[n++] = 0;                          /* mfl */
    blob[n++] = 1;                          /* etm */
    return n;
}

static int sweep_ssl_session(void)
{
    int failed = 0, rc;
    unsigned char blob[160], back[200];
    size_t len = session_blob(blob, 0), olen = 0;
    mbedtls_ssl_session s;
    mbedtls_ssl_session_init(&s);
    SWEEP_CALL(mbedtls_ssl_session_load(&s, blob, len), MBEDTLS_ERR_SSL_ALLOC_FAILED);
    CHECK_EQ(mbedtls_ssl_session_save(&s, back, sizeof(back), &olen), 0);
    CHECK(olen == len && memcmp(back, blob, len) == 0);
out:
    mbedtls_ssl_session_free(&s);
    return failed;
}

static int sweep_ssl_cache(void)
{
    int failed = 0, rc;
    unsigned char blob[160], id[32];
    size_t len = session_blob(blob, 0);
    mbedtls_ssl_session s, got;
    mbedtls_ssl_cache_context cache;
    memset(id, 0x1D, sizeof(id));
    mbedtls_ssl_cache_init(&cache);
    mbedtls_ssl_session_init(&got);
    mbedtls_ssl_session_init(&s);
    /* The session module's allocations, counted as its own. */
    sweep_module = M_SSL_SESSION;
    SWEEP_CALL(mbedtls_ssl_session_load(&s, blob, len), MBEDTLS_ERR_SSL_ALLOC_FAILED);
    sweep_module = M_SSL_CACHE;
    SWEEP_CALL(mbedtls_ssl_cache_set(&cache, id, sizeof(id), &s), MBEDTLS_ERR_SSL_ALLOC_FAILED);
    SWEEP_CALL(mbedtls_ssl_cache_get(&cache, id, sizeof(id), &got), MBEDTLS_ERR_SSL_ALLOC_FAILED);
    CHECK_EQ(mbedtls_ssl_cache_remove(&cache, id, sizeof(id)), 0);
    CHECK_EQ(mbedtls_ssl_cache_get(&cache, id, sizeof(id), &got),
             MBEDTLS_ERR_SSL_CACHE_ENTRY_NOT_FOUND);
out:
    mbedtls_ssl_session_free(&s);
    mbedtls_ssl_session_free(&got);
    mbedtls_ssl_cache_free(&cache);
    return failed;
}

static int sweep_ssl_cookie(void)
{
    int failed = 0, rc;
    unsigned char buf[64], *p = buf;
    const unsigned char client[] = { 192, 0, 2, 7, 0x12, 0x34 };
    mbedtls_ssl_cookie_ctx ck;
    mbedtls_ssl_cookie_init(&ck);
    SWEEP_CALL(mbedtls_ssl_cookie_setup(&ck, sweep_rng, NULL), MBEDTLS_ERR_MD_ALLOC_FAILED);
    CHECK_EQ(mbedtls_ssl_cookie_write(&ck, &p, buf + sizeof(buf), client, sizeof(client)), 0);
    CHECK_EQ(mbedtls_ssl_cookie_check(&ck, buf, (size_t) (p - buf), client, sizeof(client)), 0);
out:
    mbedtls_ssl_cookie_free(&ck);
    return failed;
}

/* The ticket is decrypted in place, so each parse gets a fresh copy. */
static unsigned char sweep_ticket[256], sweep_ticket_copy[256];
static int parse_copy(mbedtls_ssl_ticket_context *t, mbedtls_ssl_session *s, size_t tlen)
{
    memcpy(sweep_ticket_copy, sweep_ticket, tlen);
    return mbedtls_ssl_ticket_parse(t, s, sweep_ticket_copy, tlen);
}

static int sweep_ssl_ticket(void)
{
    int failed = 0, rc;
    unsigned char blob[160];
    size_t len = session_blob(blob, 1), tlen = 0;
    uint32_t life = 0;
    mbedtls_ssl_session s, got;
    mbedtls_ssl_ticket_context t;
    mbedtls_ssl_ticket_init(&t);
    mbedtls_ssl_session_init(&got);
    mbedtls_ssl_session_init(&s);
    sweep_module = M_SSL_SESSION;
    SWEEP_CALL(mbedtls_ssl_session_load(&s, blob, len), MBEDTLS_ERR_SSL_ALLOC_FAILED);
    sweep_module = M_SSL_TICKET;
    SWEEP_CALL(mbedtls_ssl_ticket_setup(&t, sweep_rng, NULL, MBEDTLS_CIPHER_AES_256_GCM, 3600),
               MBEDTLS_ERR_SSL_ALLOC_FAILED);
    SWEEP_CALL(mbedtls_ssl_ticket_write(&t, &s, sweep_ticket, sweep_ticket + sizeof(sweep_ticket),
                                        &tlen, &life),
               MBEDTLS_ERR_SSL_ALLOC_FAILED);
    SWEEP_CALL(parse_copy(&t, &got, tlen), MBEDTLS_ERR_SSL_ALLOC_FAILED);
    {
        unsigned char back[200];
        size_t olen = 0;
        CHECK_EQ(mbedtls_ssl_session_save(&got, back, sizeof(back), &olen), 0);
        CHECK(olen == len && memcmp(back, blob, len) == 0);
    }
out:
    mbedtls_ssl_session_free(&s);
    mbedtls_ssl_session_free(&got);
    mbedtls_ssl_ticket_free(&t);
    return failed;
}

/* Runs every module's allocating paths once. Returns how many calls
 * failed (each with its module's allocation-failure code). */
static int sweep_run(void)
{
    static int (*const modules[M_COUNT])(void) = {
        sweep_md, sweep_entropy, sweep_ctr_drbg, sweep_hmac_drbg, sweep_bignum,
        sweep_rsa, sweep_ssl_session, sweep_ssl_cache, sweep_ssl_cookie, sweep_ssl_ticket,
    };
    int failed = 0;
    memset(sweep_points, 0, sizeof(sweep_points));
    for (int m = 0; m < M_COUNT; m++) {
        sweep_module = m;
        failed += modules[m]();
    }
    sweep_module = 0;
    return failed;
}

static void test_alloc_failure_sweep(void)
{
    long k;
    int clean_failures = 0;
    sweep_small_heap = 0;
    memset(sweep_reported, 0, sizeof(sweep_reported));
    CHECK_EQ(mbedtls_platform_set_calloc_free(failing_calloc, failing_free), 0);
    for (k = 1; k < 100000; k++) {
        sweep_countdown = k;
        sweep_injected = 0;
        sweep_live = 0;
        sweep_rng_state = 1;
        int failed = sweep_run();
        CHECK_EQ(sweep_live, 0);          /* nothing leaked */
        if (!sweep_injected) {
            CHECK_EQ(failed, 0);
            break;
        }
        CHECK(failed > 0);                /* the failure was reported */
        clean_failures += failed > 0;
    }
    sweep_countdown = 0;
    CHECK_EQ(mbedtls_platform_set_calloc_free(calloc, free), 0);
    printf("allocation-failure sweep: %ld allocation points, %d reported *_ALLOC_FAILED\n",
           k - 1, clean_failures);
    /* sweep_points holds the last (failure-free) run's counts. Every point
     * was failed once, and the module whose call it was reported it. */
    long total = 0;
    for (int m = 0; m < M_COUNT; m++) {
        printf("  %-12s %3ld allocation points, %3ld failures reported\n",
               sweep_module_names[m], sweep_points[m], sweep_reported[m]);
        total += sweep_points[m];
        CHECK_EQ(sweep_reported[m], sweep_points[m]);
    }
    CHECK_EQ(total, k - 1);
    CHECK(k > 1);
    CHECK(sweep_points[M_BIGNUM] > 0);
    CHECK(sweep_points[M_RSA] > 0);
    CHECK(sweep_points[M_SSL_SESSION] > 0);
    CHECK(sweep_points[M_SSL_CACHE] > 0);
    CHECK(sweep_points[M_SSL_COOKIE] > 0);
    CHECK(sweep_points[M_SSL_TICKET] > 0);
}

/* The same modules over a small static heap: every size from too small to
 * enough either works or fails cleanly, and the heap ends empty. */
static void test_small_heaps(void)
{
    size_t used, blocks;
    int worked = 0;
    sweep_small_heap = 1;
    for (size_t size = 128; size <= 4096; size += 64) {
        mbedtls_memory_buffer_alloc_init(heap_buf, size);
        sweep_rng_state = 1;
        worked += sweep_run() == 0;
        mbedtls_memory_buffer_alloc_cur_get(&used, &blocks);
        CHECK_EQ(used, 0);
        CHECK_EQ(mbedtls_memory_buffer_alloc_verify(), 0);
        mbedtls_memory_buffer_alloc_free();
    }
    sweep_small_heap = 0;
    printf("small heaps: %d of 63 sizes (128..4096 bytes) ran every module\n", worked);
    CHECK(worked > 0);
}

/* ---- threads -------------------------------------------------------- */

#if defined(MBEDTLS_THREADING_C)
#define THREADS 4
#define ROUNDS 4000

static void *heap_worker(void *arg)
{
    unsigned id = (unsigned) (uintptr_t) arg;
    unsigned seed = id * 2654435761u + 1;
    unsigned char *held[8] = { 0 };
    size_t held_len[8] = { 0 };
    long bad = 0;
    for (int i = 0; i < ROUNDS; i++) {
        seed = seed * 1103515245u + 12345u;
        int slot = (seed >> 8) % 8;
        if (held[slot] != NULL) {
            for (size_t j = 0; j < held_len[slot]; j++) {
                bad += held[slot][j] != (unsigned char) (id + slot);
            }
            mbedtls_free(held[slot]);
            held[slot] = NULL;
        } else {
            size_t len = 1 + (seed >> 12) % 300;
            held[slot] = mbedtls_calloc(1, len);
            if (held[slot] != NULL) {
                held_len[slot] = len;
                memset(held[slot], id + slot, len);
            }
        }
        if (i % 500 == 0) {
            bad += mbedtls_memory_buffer_alloc_verify() != 0;
            size_t u, b;
            mbedtls_memory_buffer_alloc_cur_get(&u, &b);
        }
    }
    for (int s = 0; s < 8; s++) {
        mbedtls_free(held[s]);
    }
    return (void *) (intptr_t) bad;
}

static void test_threads(void)
{
    pthread_t t[THREADS];
    size_t allocs, frees, used, blocks;
    mbedtls_memory_buffer_alloc_init(heap_buf, sizeof(heap_buf));
    for (int i = 0; i < THREADS; i++) {
        CHECK_EQ(pthread_create(&t[i], NULL, heap_worker, (void *) (uintptr_t) i), 0);
    }
    for (int i = 0; i < THREADS; i++) {
        void *bad;
        pthread_join(t[i], &bad);
        CHECK_EQ((intptr_t) bad, 0);
    }
    mbedtls_memory_buffer_alloc_count_get(&allocs, &frees);
    mbedtls_memory_buffer_alloc_cur_get(&used, &blocks);
    printf("heap stress: %d threads, %zu allocations, %zu frees, %zu bytes left\n",
           THREADS, allocs, frees, used);
    CHECK_EQ(allocs, frees);
    CHECK(allocs > 1000);
    CHECK_EQ(used, 0);
    CHECK_EQ(blocks, 0);
    CHECK_EQ(mbedtls_memory_buffer_alloc_verify(), 0);
    mbedtls_memory_buffer_alloc_free();
}
#endif

int main(void)
{
#if defined(MBEDTLS_THREADING_ALT)
    /* The heap set up before the mutex functions are known still locks
     * once they are (upstream's would never have initialised its mutex). */
    mbedtls_memory_buffer_alloc_init(heap_buf, sizeof(heap_buf));
    mbedtls_threading_set_alt(example_alt_mutex_init, example_alt_mutex_free,
                              example_alt_mutex_lock, example_alt_mutex_unlock);
    void *early = mbedtls_calloc(1, 32);
    CHECK(early != NULL && in_heap(early));
    mbedtls_free(early);
    CHECK_EQ(mbedtls_memory_buffer_alloc_verify(), 0);
    mbedtls_memory_buffer_alloc_free();
#endif
    test_before_init();
    test_basics();
    test_alloc_failure_sweep();
    test_small_heaps();
    CHECK_EQ(mbedtls_memory_buffer_alloc_self_test(0), 0);
#if defined(MBEDTLS_THREADING_C)
    test_threads();
#endif
#if defined(MBEDTLS_THREADING_ALT)
    mbedtls_threading_free_alt();
#endif
    return harness_finish("test_mod_memory_buffer_alloc");
}
