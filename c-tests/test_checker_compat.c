/*
 * test_checker_compat.c (pthread backend): a program that wraps the
 * mbedtls_mutex_* pointers with a mutex-usage checker of the kind upstream's
 * test framework uses keeps working with our library.
 *
 * Such a checker keeps the `state` byte of the pthread mutex itself
 * (0 freed, 1 idle, 2 locked): it sets it after the library's init and
 * lock, clears it before the library's unlock, and inspects it after the
 * library's free. The library must therefore leave `state` alone except in
 * init (where it writes 1, as the checker does), or the checker would report
 * errors that are not there. This file is our own implementation of that
 * protocol, written for this test.
 */
#define MBEDTLS_ALLOW_PRIVATE_ACCESS

#include <pthread.h>
#include <string.h>

#include "mbedtls/threading.h"
#include "mbedtls/threading_ext.h"

#include "harness.h"

#if !defined(MBEDTLS_THREADING_PTHREAD)
#error "test_checker_compat.c is for the pthread backend"
#endif

enum { ST_FREED = 0, ST_IDLE = 1, ST_LOCKED = 2 };

static void (*lib_init)(mbedtls_threading_mutex_t *);
static void (*lib_free)(mbedtls_threading_mutex_t *);
static int (*lib_lock)(mbedtls_threading_mutex_t *);
static int (*lib_unlock)(mbedtls_threading_mutex_t *);

static pthread_mutex_t checker_lock = PTHREAD_MUTEX_INITIALIZER;
static int checker_errors;
static int checker_live;

static void checker_error(const char *what)
{
    fprintf(stderr, "checker: %s\n", what);
    checker_errors++;
}

static void chk_init(mbedtls_threading_mutex_t *m)
{
    lib_init(m);
    pthread_mutex_lock(&checker_lock);
    m->state = ST_IDLE;
    checker_live++;
    pthread_mutex_unlock(&checker_lock);
}

static void chk_free(mbedtls_threading_mutex_t *m)
{
    lib_free(m);
    pthread_mutex_lock(&checker_lock);
    switch (m->state) {
        case ST_IDLE: m->state = ST_FREED; checker_live--; break;
        case ST_FREED: checker_error("free without init, or double free"); break;
        case ST_LOCKED: checker_error("free of a locked mutex"); break;
        default: checker_error("corrupted state"); break;
    }
    pthread_mutex_unlock(&checker_lock);
}

static int chk_lock(mbedtls_threading_mutex_t *m)
{
    int ret = lib_lock(m);
    pthread_mutex_lock(&checker_lock);
    switch (m->state) {
        case ST_IDLE: if (ret == 0) m->state = ST_LOCKED; break;
        case ST_FREED: checker_error("lock without init"); break;
        case ST_LOCKED: checker_error("double lock"); break;
        default: checker_error("corrupted state"); break;
    }
    pthread_mutex_unlock(&checker_lock);
    return ret;
}

static int chk_unlock(mbedtls_threading_mutex_t *m)
{
    pthread_mutex_lock(&checker_lock);
    switch (m->state) {
        case ST_LOCKED: m->state = ST_IDLE; break;
        case ST_IDLE: checker_error("unlock without lock"); break;
        case ST_FREED: checker_error("unlock without init"); break;
        default: checker_error("corrupted state"); break;
    }
    pthread_mutex_unlock(&checker_lock);
    return lib_unlock(m);
}

static mbedtls_threading_mutex_t shared;
static long counter;

static void *worker(void *arg)
{
    (void) arg;
    for (int i = 0; i < 5000; i++) {
        CHECK_EQ(mbedtls_mutex_lock(&shared), 0);
        counter++;
        CHECK_EQ(mbedtls_mutex_unlock(&shared), 0);
    }
    return NULL;
}

int main(void)
{
    lib_init = mbedtls_mutex_init;
    lib_free = mbedtls_mutex_free;
    lib_lock = mbedtls_mutex_lock;
    lib_unlock = mbedtls_mutex_unlock;
    mbedtls_mutex_init = chk_init;
    mbedtls_mutex_free = chk_free;
    mbedtls_mutex_lock = chk_lock;
    mbedtls_mutex_unlock = chk_unlock;

    /* Correct use, single- and multi-threaded: the checker sees no error. */
    mbedtls_threading_mutex_t m;
    memset(&m, 0, sizeof(m));
    mbedtls_mutex_init(&m);
    CHECK_EQ(mbedtls_mutex_lock(&m), 0);
    CHECK_EQ(mbedtls_mutex_unlock(&m), 0);
    mbedtls_mutex_free(&m);
    CHECK_EQ(m.state, ST_FREED);

    mbedtls_mutex_init(&shared);
    pthread_t t[3];
    for (int i = 0; i < 3; i++) {
        CHECK_EQ(pthread_create(&t[i], NULL, worker, NULL), 0);
    }
    for (int i = 0; i < 3; i++) {
        CHECK_EQ(pthread_join(t[i], NULL), 0);
    }
    mbedtls_mutex_free(&shared);
    CHECK_EQ(counter, 15000);
    CHECK_EQ(checker_errors, 0);
    CHECK_EQ(checker_live, 0);

    /* Misuse: the checker reports it, and the library still refuses it. */
    MISUSE_EQ(mbedtls_mutex_lock(&m), MBEDTLS_ERR_THREADING_BAD_INPUT_DATA);
    CHECK_EQ(checker_errors, 1);
    mbedtls_mutex_init(&m);
    MISUSE_EQ(mbedtls_mutex_unlock(&m), MBEDTLS_ERR_THREADING_MUTEX_ERROR);
    CHECK_EQ(checker_errors, 2);
    mbedtls_mutex_free(&m);
    CHECK_EQ(checker_live, 0);
    CHECK_EQ(mbedcrypto_mutex_live_count(), 0);
    return harness_finish("test_checker_compat");
}
