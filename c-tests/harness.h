/*
 * harness.h: a minimal test harness for mbedcrypto-rs's C tests.
 *
 * CHECK(cond) and CHECK_EQ(a, b) count checks and record failures without
 * stopping; MISUSE(...) marks a check that exercises a misuse case, so the
 * test can report how many misuse cases it covered. harness_finish()
 * prints the totals and returns the process exit status.
 */
#ifndef MBEDCRYPTO_TEST_HARNESS_H
#define MBEDCRYPTO_TEST_HARNESS_H

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

static atomic_long harness_checks;
static atomic_long harness_failures;
static atomic_long harness_misuse;

#define CHECK(cond)                                                                   \
    do {                                                                              \
        atomic_fetch_add(&harness_checks, 1);                                         \
        if (!(cond)) {                                                                \
            atomic_fetch_add(&harness_failures, 1);                                   \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);  \
        }                                                                             \
    } while (0)

#define CHECK_EQ(a, b)                                                                \
    do {                                                                              \
        long long check_a_ = (long long) (a);                                         \
        long long check_b_ = (long long) (b);                                         \
        atomic_fetch_add(&harness_checks, 1);                                         \
        if (check_a_ != check_b_) {                                                   \
            atomic_fetch_add(&harness_failures, 1);                                   \
            fprintf(stderr, "%s:%d: %s == %s failed: %lld (-0x%llX) != %lld (-0x%llX)\n", \
                    __FILE__, __LINE__, #a, #b, check_a_,                              \
                    (unsigned long long) (check_a_ < 0 ? -check_a_ : check_a_),        \
                    check_b_,                                                          \
                    (unsigned long long) (check_b_ < 0 ? -check_b_ : check_b_));       \
        }                                                                             \
    } while (0)

/* A check of the library's answer to a misuse (counted separately). */
#define MISUSE_EQ(a, b)                                                               \
    do {                                                                              \
        atomic_fetch_add(&harness_misuse, 1);                                         \
        CHECK_EQ(a, b);                                                               \
    } while (0)

/* A misuse whose only observable result is "nothing happened"; the
 * statement runs and the caller checks the state afterwards. */
#define MISUSE(stmt)                                                                  \
    do {                                                                              \
        atomic_fetch_add(&harness_misuse, 1);                                         \
        stmt;                                                                         \
    } while (0)

static inline int harness_finish(const char *name)
{
    long failures = atomic_load(&harness_failures);
    printf("%s: %ld checks, %ld misuse cases, %ld failures\n", name,
           atomic_load(&harness_checks), atomic_load(&harness_misuse), failures);
    return failures == 0 && atomic_load(&harness_checks) > 0 ? 0 : 1;
}

#endif /* MBEDCRYPTO_TEST_HARNESS_H */
