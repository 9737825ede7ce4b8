/*
 * threading_alt.h: an example MBEDTLS_THREADING_ALT mutex, for
 * mbedcrypto-rs's tests and as a template for applications.
 *
 * An application that builds mbedcrypto-rs with the threading-alt feature
 * provides a header named threading_alt.h that defines the type
 * mbedtls_threading_mutex_t, and four functions that it installs with
 * mbedtls_threading_set_alt(). This one wraps a POSIX mutex; a firmware
 * build would wrap its RTOS mutex the same way.
 *
 * The layout is deliberately different from the pthread backend's (an extra
 * magic word first) so the tests notice if the library mixes them up.
 */
#ifndef EXAMPLE_THREADING_ALT_H
#define EXAMPLE_THREADING_ALT_H

#include <pthread.h>

typedef struct mbedtls_threading_mutex_t {
    unsigned int magic;      /* EXAMPLE_ALT_MAGIC while initialised */
    pthread_mutex_t mutex;
} mbedtls_threading_mutex_t;

#define EXAMPLE_ALT_MAGIC 0xA17A17u

void example_alt_mutex_init(mbedtls_threading_mutex_t *mutex);
void example_alt_mutex_free(mbedtls_threading_mutex_t *mutex);
int example_alt_mutex_lock(mbedtls_threading_mutex_t *mutex);
int example_alt_mutex_unlock(mbedtls_threading_mutex_t *mutex);

/* Counters the tests use to check what the library called. */
extern volatile long example_alt_inits;
extern volatile long example_alt_frees;

#endif /* EXAMPLE_THREADING_ALT_H */
