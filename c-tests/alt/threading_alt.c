/*
 * threading_alt.c: the example MBEDTLS_THREADING_ALT functions (see
 * threading_alt.h). They check their own preconditions loudly, so a test
 * fails if the library ever calls them on a mutex that is not initialised.
 */
#include "threading_alt.h"

#include <stdio.h>
#include <stdlib.h>

#include "mbedtls/threading.h"

volatile long example_alt_inits = 0;
volatile long example_alt_frees = 0;

static void fail(const char *what, const mbedtls_threading_mutex_t *mutex)
{
    fprintf(stderr, "threading_alt example: %s on %p (magic %#x)\n", what, (const void *) mutex,
            mutex->magic);
    abort();
}

void example_alt_mutex_init(mbedtls_threading_mutex_t *mutex)
{
    if (mutex->magic == EXAMPLE_ALT_MAGIC) {
        fail("init of a live mutex", mutex);
    }
    if (pthread_mutex_init(&mutex->mutex, NULL) != 0) {
        mutex->magic = 0; /* lock will then report an error */
        return;
    }
    mutex->magic = EXAMPLE_ALT_MAGIC;
    __atomic_fetch_add(&example_alt_inits, 1, __ATOMIC_RELAXED);
}

void example_alt_mutex_free(mbedtls_threading_mutex_t *mutex)
{
    if (mutex->magic != EXAMPLE_ALT_MAGIC) {
        fail("free of a mutex that is not initialised", mutex);
    }
    if (pthread_mutex_destroy(&mutex->mutex) != 0) {
        fail("free of a locked mutex", mutex);
    }
    mutex->magic = 0;
    __atomic_fetch_add(&example_alt_frees, 1, __ATOMIC_RELAXED);
}

int example_alt_mutex_lock(mbedtls_threading_mutex_t *mutex)
{
    if (mutex->magic != EXAMPLE_ALT_MAGIC) {
        fail("lock of a mutex that is not initialised", mutex);
    }
    return pthread_mutex_lock(&mutex->mutex) == 0 ? 0 : MBEDTLS_ERR_THREADING_MUTEX_ERROR;
}

int example_alt_mutex_unlock(mbedtls_threading_mutex_t *mutex)
{
    if (mutex->magic != EXAMPLE_ALT_MAGIC) {
        fail("unlock of a mutex that is not initialised", mutex);
    }
    return pthread_mutex_unlock(&mutex->mutex) == 0 ? 0 : MBEDTLS_ERR_THREADING_MUTEX_ERROR;
}
