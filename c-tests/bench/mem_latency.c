/*
 * mem_latency - the latency of one dependent load from memory, measured by
 * following a random cyclic chain of pointers, one per 64-byte line, through
 * a buffer far larger than the caches (default 256 MiB), with 4 KiB pages
 * and with transparent huge pages (madvise). It is the floor under any
 * data structure that must look at a random one of many entries, such as a
 * session cache with 1,000,000 sessions (docs/PERFORMANCE.md, "Session
 * cache").
 *
 *   cc -O2 -o mem_latency c-tests/bench/mem_latency.c && ./mem_latency [MiB [loads]]
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <time.h>

static uint64_t rng = 0x9E3779B97F4A7C15u;

static uint64_t next_random(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static double chase(size_t bytes, int huge, long steps)
{
    size_t lines = bytes / 64;
    char *m = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    size_t *order = malloc(lines * sizeof(size_t));
    if (m == MAP_FAILED || order == NULL) {
        perror("mem_latency");
        exit(1);
    }
    madvise(m, bytes, huge ? MADV_HUGEPAGE : MADV_NOHUGEPAGE);
    for (size_t i = 0; i < lines; i++) {
        order[i] = i;
    }
    for (size_t i = lines - 1; i > 0; i--) {
        size_t j = (size_t) (next_random() % (i + 1));
        size_t t = order[i];
        order[i] = order[j];
        order[j] = t;
    }
    for (size_t i = 0; i < lines; i++) {
        *(char **) (m + order[i] * 64) = m + order[(i + 1) % lines] * 64;
    }
    char *p = m + order[0] * 64;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (long i = 0; i < steps; i++) {
        p = *(char **) p;
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    /* Use the result so the loop stays. */
    if (p == NULL) {
        puts("?");
    }
    free(order);
    munmap(m, bytes);
    return ((double) (t1.tv_sec - t0.tv_sec) * 1e9 + (double) (t1.tv_nsec - t0.tv_nsec)) / (double) steps;
}

int main(int argc, char **argv)
{
    size_t mib = argc > 1 ? (size_t) strtoul(argv[1], NULL, 10) : 256;
    long steps = argc > 2 ? strtol(argv[2], NULL, 10) : 20000000;
    if (mib < 1 || steps < 1) {
        fprintf(stderr, "usage: %s [MiB [loads]]\n", argv[0]);
        return 2;
    }
    printf("buffer=%zuMiB pages=4KiB ns_per_load=%.1f\n", mib, chase(mib << 20, 0, steps));
    printf("buffer=%zuMiB pages=huge ns_per_load=%.1f\n", mib, chase(mib << 20, 1, steps));
    return 0;
}
