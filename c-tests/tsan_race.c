/*
 * tsan_race.c: a deliberate data race. Under ThreadSanitizer this program
 * must be reported; the test run checks that it is, which proves the
 * sanitizer is really active for the C side (the Rust side is checked for
 * its __tsan_* calls separately).
 */
#include <pthread.h>
#include <stdio.h>

#include "mbedtls/threading.h"

static long unprotected;
static mbedtls_threading_mutex_t unused;

static void *racer(void *arg)
{
    (void) arg;
    for (int i = 0; i < 100000; i++) {
        unprotected++;
    }
    return NULL;
}

int main(void)
{
    mbedtls_mutex_init(&unused); /* link the library in */
    pthread_t a, b;
    pthread_create(&a, NULL, racer, NULL);
    pthread_create(&b, NULL, racer, NULL);
    pthread_join(a, NULL);
    pthread_join(b, NULL);
    mbedtls_mutex_free(&unused);
    printf("tsan_race: %ld\n", unprotected);
    return 0;
}
