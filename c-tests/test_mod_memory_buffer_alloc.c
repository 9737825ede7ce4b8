/*
 * test_mod_memory_buffer_alloc.c: the static-buffer heap through the C API.
 *
 * Every function, the errors a program can make (double free, a foreign
 * pointer, a pointer into the middle of a block, a corrupted header), the
 * lifecycle (use before init, init twice, free twice, hooks put back by
 * free), the statistics, the self-test, several threads sharing the heap
 * (MBEDTLS_THREADING_C), and an allocation-failure sweep over the modules
 * that allocate: each must fail cleanly with its *_ALLOC_FAILED code.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "mbedtls/ctr_drbg.h"
#include "mbedtls/entropy.h"
#include "mbedtls/hmac_drbg.h"
#include "mbedtls/md.h"
#include "mbedtls/memory_buffer_alloc.h"
#include "mbedtls/platform.h"
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

static long sweep_countdown;  /* the allocation that fails; <= 0: none */
static long sweep_live;
static int sweep_injected;
static void *failing_calloc(size_t n, size_t size)
{
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

/* Runs every module's allocating paths once; each result must be 0 or the
 * module's documented allocation-failure code. Returns how many calls
 * failed. */
static int sweep_run(void)
{
    int failed = 0, rc;
    unsigned char out[32];
    mbedtls_md_context_t md;
    mbedtls_md_init(&md);
    rc = mbedtls_md_setup(&md, mbedtls_md_info_from_type(MBEDTLS_MD_SHA256), 1);
    CHECK(rc == 0 || rc == MBEDTLS_ERR_MD_ALLOC_FAILED);
    failed += rc != 0;
    if (rc == 0) {
        CHECK_EQ(mbedtls_md_hmac_starts(&md, out, 16), 0);
    }
    mbedtls_md_free(&md);

    mbedtls_entropy_context ent;
    mbedtls_entropy_init(&ent);
    rc = mbedtls_entropy_func(&ent, out, sizeof(out));
    CHECK(rc == 0);
    mbedtls_entropy_free(&ent);

    mbedtls_ctr_drbg_context ctr;
    mbedtls_ctr_drbg_init(&ctr);
    rc = mbedtls_ctr_drbg_seed(&ctr, fixed_entropy, NULL, NULL, 0);
    CHECK(rc == 0);
    rc = mbedtls_ctr_drbg_random(&ctr, out, sizeof(out));
    CHECK(rc == 0);
    mbedtls_ctr_drbg_free(&ctr);

    mbedtls_hmac_drbg_context hmac;
    mbedtls_hmac_drbg_init(&hmac);
    rc = mbedtls_hmac_drbg_seed(&hmac, mbedtls_md_info_from_type(MBEDTLS_MD_SHA256),
                                fixed_entropy, NULL, NULL, 0);
    CHECK(rc == 0 || rc == MBEDTLS_ERR_MD_ALLOC_FAILED);
    failed += rc != 0;
    mbedtls_hmac_drbg_free(&hmac);
    return failed;
}

static void test_alloc_failure_sweep(void)
{
    long k;
    int clean_failures = 0;
    CHECK_EQ(mbedtls_platform_set_calloc_free(failing_calloc, failing_free), 0);
    for (k = 1; k < 1000; k++) {
        sweep_countdown = k;
        sweep_injected = 0;
        sweep_live = 0;
        int failed = sweep_run();
        CHECK_EQ(sweep_live, 0);          /* nothing leaked */
        if (!sweep_injected) {
            CHECK_EQ(failed, 0);
            break;
        }
        clean_failures += failed > 0;
    }
    sweep_countdown = 0;
    CHECK_EQ(mbedtls_platform_set_calloc_free(calloc, free), 0);
    printf("allocation-failure sweep: %ld allocation points, %d reported *_ALLOC_FAILED\n",
           k - 1, clean_failures);
    CHECK(k > 1);
}

/* The same modules over a small static heap: every size from too small to
 * enough either works or fails cleanly, and the heap ends empty. */
static void test_small_heaps(void)
{
    size_t used, blocks;
    int worked = 0;
    for (size_t size = 128; size <= 4096; size += 64) {
        mbedtls_memory_buffer_alloc_init(heap_buf, size);
        worked += sweep_run() == 0;
        mbedtls_memory_buffer_alloc_cur_get(&used, &blocks);
        CHECK_EQ(used, 0);
        CHECK_EQ(mbedtls_memory_buffer_alloc_verify(), 0);
        mbedtls_memory_buffer_alloc_free();
    }
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
