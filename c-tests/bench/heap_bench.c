/*
 * heap_bench - throughput of the static-buffer heap (memory_buffer_alloc.h)
 * behind mbedtls_calloc()/mbedtls_free(), with one or more threads.
 *
 * Written against the public Mbed TLS 3.6 API only (platform.h and
 * memory_buffer_alloc.h), so the same source builds against upstream
 * Mbed TLS 3.6 (configured with MBEDTLS_MEMORY_BUFFER_ALLOC_C and, for more
 * than one thread, MBEDTLS_THREADING_C) and against mbedcrypto-rs.
 *
 * Usage: heap_bench <threads 1..8> <seconds>
 *
 * The heap is a 1 MiB static buffer. Each thread keeps a window of 16 live
 * blocks; one step frees a block of the window chosen at random and puts a
 * new block of a random size (16..2048 bytes, a per-thread xorshift
 * sequence, so runs are repeatable) in its place. The blocks of all threads
 * interleave in the one heap, which therefore fragments. One op is one
 * step: one mbedtls_free() plus one mbedtls_calloc().
 *
 * Every new block is checked to be zeroed and to lie inside the buffer,
 * and gets a tag byte written at both ends; the tags are checked again
 * before the block is freed (two threads handed overlapping blocks would
 * show up here). A failed calloc is counted and the run goes on. After the
 * clock stops every block is freed, and the heap must verify
 * (mbedtls_memory_buffer_alloc_verify() == 0) and, with MBEDTLS_MEMORY_DEBUG,
 * report no bytes and no blocks in use.
 *
 * Prints one line:
 *   case=heap_calloc_free threads=T ops=N secs=S ops_per_s=R
 *       min_thread_ops=A max_thread_ops=B failed=F bad=X
 * (failed: callocs that returned NULL; bad: blocks outside the buffer, not
 * zeroed, or with a damaged tag). Exits 1 if anything failed or was bad.
 */

#if !defined(_POSIX_C_SOURCE)
#define _POSIX_C_SOURCE 200809L
#endif

#include "mbedtls/build_info.h"
#include "mbedtls/platform.h"
#include "mbedtls/memory_buffer_alloc.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#if !defined(MBEDTLS_MEMORY_BUFFER_ALLOC_C)
#error "heap_bench needs MBEDTLS_MEMORY_BUFFER_ALLOC_C in mbedtls_config.h"
#endif
#if !defined(MBEDTLS_PLATFORM_MEMORY) || defined(MBEDTLS_PLATFORM_CALLOC_MACRO)
#error "heap_bench needs MBEDTLS_PLATFORM_MEMORY without MBEDTLS_PLATFORM_CALLOC_MACRO"
#endif

#define HEAP_BYTES  (1024 * 1024)
#define MAX_THREADS 8
#define WINDOW      16
#define MIN_SIZE    16
#define MAX_SIZE    2048

static _Alignas(16) unsigned char g_heap[HEAP_BYTES];

typedef struct {
    pthread_t tid;
    int index;
    uint64_t rng;
    uint64_t ops;
    uint64_t failed;
    uint64_t bad;
} slot_t;

static slot_t g_slots[MAX_THREADS];
static pthread_barrier_t g_barrier;
static atomic_int g_stop;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

static uint64_t next_rand(uint64_t *s)
{
    uint64_t x = *s;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    *s = x;
    return x;
}

static int in_heap(const unsigned char *p, size_t size)
{
    uintptr_t a = (uintptr_t) p;
    uintptr_t lo = (uintptr_t) g_heap;
    return a >= lo && a + size <= lo + sizeof(g_heap);
}

/* Allocates a block of a random size into window entry i. */
static void fill(slot_t *s, unsigned char **blk, size_t *len, unsigned char *tag, int i)
{
    size_t size = MIN_SIZE + (size_t) (next_rand(&s->rng) % (MAX_SIZE - MIN_SIZE + 1));
    unsigned char *p = mbedtls_calloc(1, size);

    blk[i] = p;
    len[i] = size;
    if (p == NULL) {
        s->failed++;
        return;
    }
    if (!in_heap(p, size) || p[0] != 0 || p[size - 1] != 0) {
        s->bad++;
    }
    tag[i] = (unsigned char) (s->index * WINDOW + i + 1);
    p[0] = tag[i];
    p[size - 1] = tag[i];
}

/* Frees window entry i (if it holds a block), checking its tags first. */
static void drop(slot_t *s, unsigned char **blk, const size_t *len,
                 const unsigned char *tag, int i)
{
    unsigned char *p = blk[i];

    if (p == NULL) {
        return;
    }
    if (p[0] != tag[i] || p[len[i] - 1] != tag[i]) {
        s->bad++;
    }
    mbedtls_free(p);
    blk[i] = NULL;
}

static void *thread_main(void *arg)
{
    slot_t *s = arg;
    unsigned char *blk[WINDOW];
    size_t len[WINDOW];
    unsigned char tag[WINDOW];
    uint64_t ops = 0;
    int r;

    for (int i = 0; i < WINDOW; i++) {
        fill(s, blk, len, tag, i);
    }
    r = pthread_barrier_wait(&g_barrier);
    if (r != 0 && r != PTHREAD_BARRIER_SERIAL_THREAD) {
        fprintf(stderr, "heap_bench: pthread_barrier_wait failed\n");
        exit(2);
    }
    while (!atomic_load_explicit(&g_stop, memory_order_relaxed)) {
        int i = (int) (next_rand(&s->rng) % WINDOW);
        drop(s, blk, len, tag, i);
        fill(s, blk, len, tag, i);
        ops++;
    }
    for (int i = 0; i < WINDOW; i++) {
        drop(s, blk, len, tag, i);
    }
    s->ops = ops;
    return NULL;
}

int main(int argc, char **argv)
{
    int threads;
    double seconds, t0, t1;
    struct timespec d;
    uint64_t total = 0, mn = UINT64_MAX, mx = 0, failed = 0, bad = 0;
    int r, ok = 1;

    if (argc != 3 || (threads = atoi(argv[1])) < 1 || threads > MAX_THREADS ||
        (seconds = atof(argv[2])) <= 0) {
        fprintf(stderr, "usage: %s <threads 1..%d> <seconds>\n", argv[0], MAX_THREADS);
        return 2;
    }
#if !defined(MBEDTLS_THREADING_C)
    if (threads > 1) {
        fprintf(stderr, "heap_bench: more than one thread needs MBEDTLS_THREADING_C\n");
        return 2;
    }
#endif

    mbedtls_memory_buffer_alloc_init(g_heap, sizeof(g_heap));

    /* The hooks must lead to the buffer, or we would time another heap. */
    {
        unsigned char *p = mbedtls_calloc(1, MIN_SIZE);
        if (p == NULL || !in_heap(p, MIN_SIZE)) {
            fprintf(stderr, "heap_bench: mbedtls_calloc does not use the static buffer\n");
            return 1;
        }
        mbedtls_free(p);
    }

    atomic_store(&g_stop, 0);
    if (pthread_barrier_init(&g_barrier, NULL, (unsigned) threads + 1) != 0) {
        fprintf(stderr, "heap_bench: pthread_barrier_init failed\n");
        return 2;
    }
    for (int i = 0; i < threads; i++) {
        g_slots[i].index = i;
        g_slots[i].rng = 0x9E3779B97F4A7C15ull * (uint64_t) (i + 1);
        if (pthread_create(&g_slots[i].tid, NULL, thread_main, &g_slots[i]) != 0) {
            fprintf(stderr, "heap_bench: pthread_create failed\n");
            return 2;
        }
    }
    r = pthread_barrier_wait(&g_barrier);
    if (r != 0 && r != PTHREAD_BARRIER_SERIAL_THREAD) {
        fprintf(stderr, "heap_bench: pthread_barrier_wait failed\n");
        return 2;
    }
    t0 = now_s();
    d.tv_sec = (time_t) seconds;
    d.tv_nsec = (long) ((seconds - (double) d.tv_sec) * 1e9);
    while (nanosleep(&d, &d) != 0 && errno == EINTR) {
    }
    atomic_store(&g_stop, 1);
    t1 = now_s();
    for (int i = 0; i < threads; i++) {
        if (pthread_join(g_slots[i].tid, NULL) != 0) {
            fprintf(stderr, "heap_bench: pthread_join failed\n");
            return 2;
        }
    }
    pthread_barrier_destroy(&g_barrier);

    for (int i = 0; i < threads; i++) {
        total += g_slots[i].ops;
        failed += g_slots[i].failed;
        bad += g_slots[i].bad;
        if (g_slots[i].ops < mn) {
            mn = g_slots[i].ops;
        }
        if (g_slots[i].ops > mx) {
            mx = g_slots[i].ops;
        }
    }

    if (mbedtls_memory_buffer_alloc_verify() != 0) {
        fprintf(stderr, "heap_bench: mbedtls_memory_buffer_alloc_verify failed\n");
        ok = 0;
    }
#if defined(MBEDTLS_MEMORY_DEBUG)
    {
        size_t used = 0, blocks = 0;
        mbedtls_memory_buffer_alloc_cur_get(&used, &blocks);
        if (used != 0 || blocks != 0) {
            fprintf(stderr, "heap_bench: %zu bytes in %zu blocks still in use\n", used, blocks);
            ok = 0;
        }
    }
#endif
    mbedtls_memory_buffer_alloc_free();

    printf("case=heap_calloc_free threads=%d ops=%llu secs=%.3f ops_per_s=%.1f "
           "min_thread_ops=%llu max_thread_ops=%llu failed=%llu bad=%llu\n",
           threads, (unsigned long long) total, t1 - t0, (double) total / (t1 - t0),
           (unsigned long long) mn, (unsigned long long) mx,
           (unsigned long long) failed, (unsigned long long) bad);
    fflush(stdout);
    if (failed != 0 || bad != 0) {
        ok = 0;
    }
    return ok ? 0 : 1;
}
