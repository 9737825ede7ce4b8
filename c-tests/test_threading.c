/*
 * test_threading.c: every function of threading.h and threading_ext.h,
 * every misuse case the library promises to turn into an error, and
 * multi-threaded use, for whichever backend the headers are configured
 * with (built-in, pthread or alt).
 *
 * Under MBEDTLS_THREADING_ALT it also covers the start-up order: mutexes
 * and contexts initialised before mbedtls_threading_set_alt().
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <time.h>

#include "mbedtls/threading.h"
#include "mbedtls/threading_ext.h"

#include "harness.h"

#if !defined(MBEDTLS_THREADING_C)
#error "test_threading.c needs a configuration with MBEDTLS_THREADING_C"
#endif

#define BAD_INPUT MBEDTLS_ERR_THREADING_BAD_INPUT_DATA
#define MUTEX_ERROR MBEDTLS_ERR_THREADING_MUTEX_ERROR

/* The library's global mutexes that upstream declares only with
 * MBEDTLS_PSA_CRYPTO_C; mbedcrypto-rs always defines them. */
extern mbedtls_threading_mutex_t mbedtls_threading_key_slot_mutex;
extern mbedtls_threading_mutex_t mbedtls_threading_psa_globaldata_mutex;
extern mbedtls_threading_mutex_t mbedtls_threading_psa_rngdata_mutex;

/* A stand-in for a context that embeds a mutex by value, as every shared
 * Mbed TLS context does. */
typedef struct {
    long value;
    mbedtls_threading_mutex_t mutex;
    char tail[3];
} toy_context;

static void run_in_thread(void *(*fn)(void *), void *arg)
{
    pthread_t t;
    CHECK_EQ(pthread_create(&t, NULL, fn, arg), 0);
    CHECK_EQ(pthread_join(t, NULL), 0);
}

/* ---- NULL and never-initialised mutexes ---------------------------------- */

static void test_null_pointers(void)
{
    MISUSE(mbedtls_mutex_init(NULL));
    MISUSE(mbedtls_mutex_free(NULL));
    MISUSE_EQ(mbedtls_mutex_lock(NULL), BAD_INPUT);
    MISUSE_EQ(mbedtls_mutex_unlock(NULL), BAD_INPUT);
}

static void test_misaligned(void)
{
    /* A mutex inside a packed struct, or at a bad address: refused. */
    _Alignas(16) unsigned char buf[sizeof(mbedtls_threading_mutex_t) + 16];
    memset(buf, 0, sizeof(buf));
    mbedtls_threading_mutex_t *bad = (mbedtls_threading_mutex_t *) (void *) (buf + 1);
    size_t live = mbedcrypto_mutex_live_count();
    MISUSE(mbedtls_mutex_init(bad));
    CHECK_EQ(mbedcrypto_mutex_live_count(), live);
    MISUSE_EQ(mbedtls_mutex_lock(bad), BAD_INPUT);
    MISUSE_EQ(mbedtls_mutex_unlock(bad), BAD_INPUT);
    MISUSE(mbedtls_mutex_free(bad));
    mbedcrypto_once_t *bad_once = (mbedcrypto_once_t *) (void *) (buf + 1);
    MISUSE_EQ(mbedcrypto_once(bad_once, NULL, NULL), BAD_INPUT);
}

static void test_zero_filled(void)
{
    mbedtls_threading_mutex_t m;
    memset(&m, 0, sizeof(m));
    size_t live = mbedcrypto_mutex_live_count();
    MISUSE_EQ(mbedtls_mutex_lock(&m), BAD_INPUT);
    MISUSE_EQ(mbedtls_mutex_unlock(&m), BAD_INPUT);
    MISUSE(mbedtls_mutex_free(&m));
    CHECK_EQ(mbedcrypto_mutex_live_count(), live);
    /* Zero-filled memory is a valid never-initialised mutex: init works. */
    mbedtls_mutex_init(&m);
    CHECK_EQ(mbedcrypto_mutex_live_count(), live + 1);
    CHECK_EQ(mbedtls_mutex_lock(&m), 0);
    CHECK_EQ(mbedtls_mutex_unlock(&m), 0);
    mbedtls_mutex_free(&m);
    CHECK_EQ(mbedcrypto_mutex_live_count(), live);

    /* Static storage is zero-filled too. */
    static mbedtls_threading_mutex_t static_mutex;
    MISUSE_EQ(mbedtls_mutex_lock(&static_mutex), BAD_INPUT);
}

/* ---- lifecycle ------------------------------------------------------------ */

static void test_lifecycle(void)
{
    mbedtls_threading_mutex_t m;
    memset(&m, 0, sizeof(m));
    size_t live = mbedcrypto_mutex_live_count();

    mbedtls_mutex_init(&m);
    CHECK_EQ(mbedtls_mutex_lock(&m), 0);
    CHECK_EQ(mbedtls_mutex_unlock(&m), 0);
    CHECK_EQ(mbedtls_mutex_lock(&m), 0);
    CHECK_EQ(mbedtls_mutex_unlock(&m), 0);
    MISUSE_EQ(mbedtls_mutex_unlock(&m), MUTEX_ERROR); /* not locked */

    mbedtls_mutex_free(&m);
    CHECK_EQ(mbedcrypto_mutex_live_count(), live);
    MISUSE_EQ(mbedtls_mutex_lock(&m), BAD_INPUT);   /* freed */
    MISUSE_EQ(mbedtls_mutex_unlock(&m), BAD_INPUT); /* freed */
    MISUSE(mbedtls_mutex_free(&m));                 /* double free */
    CHECK_EQ(mbedcrypto_mutex_live_count(), live);

    /* A freed mutex can be initialised again. */
    mbedtls_mutex_init(&m);
    CHECK_EQ(mbedtls_mutex_lock(&m), 0);
    CHECK_EQ(mbedtls_mutex_unlock(&m), 0);
    mbedtls_mutex_free(&m);
    CHECK_EQ(mbedcrypto_mutex_live_count(), live);
}

static void test_double_init(void)
{
    mbedtls_threading_mutex_t m;
    memset(&m, 0, sizeof(m));
    size_t live = mbedcrypto_mutex_live_count();
    mbedtls_mutex_init(&m);
    MISUSE(mbedtls_mutex_init(&m)); /* no leak, no second count */
    CHECK_EQ(mbedcrypto_mutex_live_count(), live + 1);

    CHECK_EQ(mbedtls_mutex_lock(&m), 0);
    MISUSE(mbedtls_mutex_init(&m)); /* must not release the holder's lock */
    MISUSE_EQ(mbedtls_mutex_lock(&m), MUTEX_ERROR); /* still held by us */
    CHECK_EQ(mbedtls_mutex_unlock(&m), 0);
    mbedtls_mutex_free(&m);
    CHECK_EQ(mbedcrypto_mutex_live_count(), live);
}

static void test_relock_does_not_deadlock(void)
{
    mbedtls_threading_mutex_t m;
    memset(&m, 0, sizeof(m));
    mbedtls_mutex_init(&m);
    CHECK_EQ(mbedtls_mutex_lock(&m), 0);
    MISUSE_EQ(mbedtls_mutex_lock(&m), MUTEX_ERROR);
    CHECK_EQ(mbedtls_mutex_unlock(&m), 0);
    CHECK_EQ(mbedtls_mutex_lock(&m), 0);
    CHECK_EQ(mbedtls_mutex_unlock(&m), 0);
    mbedtls_mutex_free(&m);
}

static void *unlock_from_other_thread(void *arg)
{
    MISUSE_EQ(mbedtls_mutex_unlock((mbedtls_threading_mutex_t *) arg), MUTEX_ERROR);
    return NULL;
}

static void *free_from_other_thread(void *arg)
{
    MISUSE(mbedtls_mutex_free((mbedtls_threading_mutex_t *) arg));
    return NULL;
}

static void test_other_threads_misuse(void)
{
    mbedtls_threading_mutex_t m;
    memset(&m, 0, sizeof(m));
    size_t live = mbedcrypto_mutex_live_count();
    mbedtls_mutex_init(&m);
    CHECK_EQ(mbedtls_mutex_lock(&m), 0);
    run_in_thread(unlock_from_other_thread, &m); /* not the holder */
    run_in_thread(free_from_other_thread, &m);   /* free of a locked mutex */
    MISUSE(mbedtls_mutex_free(&m));              /* same, by the holder */
    CHECK_EQ(mbedcrypto_mutex_live_count(), live + 1);
    CHECK_EQ(mbedtls_mutex_unlock(&m), 0); /* the holder is undisturbed */
    CHECK_EQ(mbedtls_mutex_lock(&m), 0);
    CHECK_EQ(mbedtls_mutex_unlock(&m), 0);
    mbedtls_mutex_free(&m);
    CHECK_EQ(mbedcrypto_mutex_live_count(), live);
}

static mbedtls_threading_mutex_t waited;
static int waiter_lock_ret = 12345;
static int waiter_unlock_ret = 12345;

static void *wait_for_mutex(void *arg)
{
    (void) arg;
    waiter_lock_ret = mbedtls_mutex_lock(&waited);
    if (waiter_lock_ret == 0) {
        waiter_unlock_ret = mbedtls_mutex_unlock(&waited);
    }
    return NULL;
}

/* A free while another thread waits for the mutex must leave it alone:
 * the waiter gets the mutex and can release it. */
static void test_free_with_waiter(void)
{
    memset(&waited, 0, sizeof(waited));
    size_t live = mbedcrypto_mutex_live_count();
    mbedtls_mutex_init(&waited);
    CHECK_EQ(mbedtls_mutex_lock(&waited), 0);
    pthread_t t;
    CHECK_EQ(pthread_create(&t, NULL, wait_for_mutex, NULL), 0);
    struct timespec nap = { 0, 50 * 1000 * 1000 };
    nanosleep(&nap, NULL); /* let the waiter block (the outcome is the same if not) */
    MISUSE(mbedtls_mutex_free(&waited));
    CHECK_EQ(mbedtls_mutex_unlock(&waited), 0);
    CHECK_EQ(pthread_join(t, NULL), 0);
    CHECK_EQ(waiter_lock_ret, 0);
    CHECK_EQ(waiter_unlock_ret, 0);
    mbedtls_mutex_free(&waited);
    CHECK_EQ(mbedcrypto_mutex_live_count(), live);
}

/* Memory of a mutex that was never freed, cleared and initialised again, is
 * a new, working mutex (the old one is leaked, as it would be anywhere).
 * Run last: it leaks one mutex on purpose. */
static void test_reused_memory(void)
{
    mbedtls_threading_mutex_t m;
    memset(&m, 0, sizeof(m));
    mbedtls_mutex_init(&m);
    CHECK_EQ(mbedtls_mutex_lock(&m), 0);
    CHECK_EQ(mbedtls_mutex_unlock(&m), 0);
    MISUSE(memset(&m, 0, sizeof(m))); /* forgotten free, memory reused */
    mbedtls_mutex_init(&m);
    CHECK_EQ(mbedtls_mutex_lock(&m), 0);
    CHECK_EQ(mbedtls_mutex_unlock(&m), 0);
    mbedtls_mutex_free(&m);
    MISUSE_EQ(mbedtls_mutex_lock(&m), BAD_INPUT);
}

/* ---- the pointers are variables a program may wrap ---------------------- */

static void (*orig_init)(mbedtls_threading_mutex_t *);
static void (*orig_free)(mbedtls_threading_mutex_t *);
static int (*orig_lock)(mbedtls_threading_mutex_t *);
static int (*orig_unlock)(mbedtls_threading_mutex_t *);
static atomic_long wrapped_calls;

static void wrap_init(mbedtls_threading_mutex_t *m)
{
    atomic_fetch_add(&wrapped_calls, 1);
    orig_init(m);
}
static void wrap_free(mbedtls_threading_mutex_t *m)
{
    atomic_fetch_add(&wrapped_calls, 1);
    orig_free(m);
}
static int wrap_lock(mbedtls_threading_mutex_t *m)
{
    atomic_fetch_add(&wrapped_calls, 1);
    return orig_lock(m);
}
static int wrap_unlock(mbedtls_threading_mutex_t *m)
{
    atomic_fetch_add(&wrapped_calls, 1);
    return orig_unlock(m);
}

static void test_wrapped_pointers(void)
{
    CHECK(mbedtls_mutex_init != NULL && mbedtls_mutex_free != NULL);
    CHECK(mbedtls_mutex_lock != NULL && mbedtls_mutex_unlock != NULL);
    orig_init = mbedtls_mutex_init;
    orig_free = mbedtls_mutex_free;
    orig_lock = mbedtls_mutex_lock;
    orig_unlock = mbedtls_mutex_unlock;
    mbedtls_mutex_init = wrap_init;
    mbedtls_mutex_free = wrap_free;
    mbedtls_mutex_lock = wrap_lock;
    mbedtls_mutex_unlock = wrap_unlock;

    mbedtls_threading_mutex_t m;
    memset(&m, 0, sizeof(m));
    mbedtls_mutex_init(&m);
    CHECK_EQ(mbedtls_mutex_lock(&m), 0);
    CHECK_EQ(mbedtls_mutex_unlock(&m), 0);
    MISUSE_EQ(mbedtls_mutex_unlock(&m), MUTEX_ERROR);
    mbedtls_mutex_free(&m);
    MISUSE_EQ(mbedtls_mutex_lock(&m), BAD_INPUT);
    CHECK_EQ(atomic_load(&wrapped_calls), 6);

    mbedtls_mutex_init = orig_init;
    mbedtls_mutex_free = orig_free;
    mbedtls_mutex_lock = orig_lock;
    mbedtls_mutex_unlock = orig_unlock;
}

/* ---- global mutexes -------------------------------------------------------- */

static void test_global_mutexes(void)
{
    mbedtls_threading_mutex_t *globals[] = {
#if defined(MBEDTLS_FS_IO)
        &mbedtls_threading_readdir_mutex,
#endif
#if defined(MBEDTLS_HAVE_TIME_DATE)
        &mbedtls_threading_gmtime_mutex,
#endif
        &mbedtls_threading_key_slot_mutex,
        &mbedtls_threading_psa_globaldata_mutex,
        &mbedtls_threading_psa_rngdata_mutex,
    };
    size_t live = mbedcrypto_mutex_live_count();
    for (size_t i = 0; i < sizeof(globals) / sizeof(globals[0]); i++) {
        CHECK_EQ(mbedtls_mutex_lock(globals[i]), 0);
        MISUSE_EQ(mbedtls_mutex_lock(globals[i]), MUTEX_ERROR);
        CHECK_EQ(mbedtls_mutex_unlock(globals[i]), 0);
        MISUSE_EQ(mbedtls_mutex_unlock(globals[i]), MUTEX_ERROR);
    }
    CHECK_EQ(mbedcrypto_mutex_live_count(), live); /* globals are not counted */
#if defined(MBEDTLS_FS_IO)
    /* Freeing (and re-initialising) a global is not counted either. */
    MISUSE(mbedtls_mutex_free(&mbedtls_threading_readdir_mutex));
    CHECK_EQ(mbedcrypto_mutex_live_count(), live);
    MISUSE_EQ(mbedtls_mutex_lock(&mbedtls_threading_readdir_mutex), BAD_INPUT);
    mbedtls_mutex_init(&mbedtls_threading_readdir_mutex);
    CHECK_EQ(mbedcrypto_mutex_live_count(), live);
    CHECK_EQ(mbedtls_mutex_lock(&mbedtls_threading_readdir_mutex), 0);
    CHECK_EQ(mbedtls_mutex_unlock(&mbedtls_threading_readdir_mutex), 0);
#endif
}

/* ---- contexts embedding a mutex ------------------------------------------ */

static void test_embedded_in_context(void)
{
    toy_context ctx;
    memset(&ctx, 0, sizeof(ctx));
    mbedtls_mutex_init(&ctx.mutex);
    CHECK_EQ(mbedtls_mutex_lock(&ctx.mutex), 0);
    ctx.value++;
    CHECK_EQ(mbedtls_mutex_unlock(&ctx.mutex), 0);
    mbedtls_mutex_free(&ctx.mutex);
    CHECK_EQ(ctx.value, 1);
}

/* ---- many threads ---------------------------------------------------------- */

#define THREADS 4
#define ITERATIONS 20000

static mbedtls_threading_mutex_t shared_mutex;
static long shared_counter; /* protected by shared_mutex only */

static void *contend(void *arg)
{
    (void) arg;
    for (int i = 0; i < ITERATIONS; i++) {
        if (mbedtls_mutex_lock(&shared_mutex) != 0) {
            CHECK(0);
            return NULL;
        }
        shared_counter++;
        if (mbedtls_mutex_unlock(&shared_mutex) != 0) {
            CHECK(0);
            return NULL;
        }
    }
    return NULL;
}

static void *churn(void *arg)
{
    (void) arg;
    /* Each thread creates, uses and frees its own mutexes. */
    for (int i = 0; i < 500; i++) {
        mbedtls_threading_mutex_t m;
        memset(&m, 0, sizeof(m));
        mbedtls_mutex_init(&m);
        if (mbedtls_mutex_lock(&m) != 0 || mbedtls_mutex_unlock(&m) != 0) {
            CHECK(0);
        }
        if (mbedtls_mutex_unlock(&m) != MUTEX_ERROR) {
            CHECK(0);
        }
        mbedtls_mutex_free(&m);
        if (mbedtls_mutex_lock(&m) != BAD_INPUT) {
            CHECK(0);
        }
    }
    return NULL;
}

static void test_many_threads(void)
{
    size_t live = mbedcrypto_mutex_live_count();
    memset(&shared_mutex, 0, sizeof(shared_mutex));
    mbedtls_mutex_init(&shared_mutex);
    shared_counter = 0;
    pthread_t t[THREADS];
    for (int i = 0; i < THREADS; i++) {
        CHECK_EQ(pthread_create(&t[i], NULL, contend, NULL), 0);
    }
    for (int i = 0; i < THREADS; i++) {
        CHECK_EQ(pthread_join(t[i], NULL), 0);
    }
    CHECK_EQ(shared_counter, (long) THREADS * ITERATIONS);
    mbedtls_mutex_free(&shared_mutex);

    for (int i = 0; i < THREADS; i++) {
        CHECK_EQ(pthread_create(&t[i], NULL, churn, NULL), 0);
    }
    for (int i = 0; i < THREADS; i++) {
        CHECK_EQ(pthread_join(t[i], NULL), 0);
    }
    CHECK_EQ(mbedcrypto_mutex_live_count(), live);
}

/* ---- run-once -------------------------------------------------------------- */

static mbedcrypto_once_t once_flag = MBEDCRYPTO_ONCE_INIT;
static atomic_int once_runs;
static int once_value;
static int reentry_result = 12345;

static void once_fn(void *arg)
{
    atomic_fetch_add(&once_runs, 1);
    /* Re-entering the same flag must fail, not deadlock. */
    reentry_result = mbedcrypto_once(&once_flag, once_fn, arg);
    once_value = *(int *) arg;
}

static void *call_once_thread(void *arg)
{
    CHECK_EQ(mbedcrypto_once(&once_flag, once_fn, arg), 0);
    CHECK_EQ(once_value, 99); /* every caller sees the completed work */
    return NULL;
}

static void noop(void *arg)
{
    (void) arg;
}

static void test_once(void)
{
    int arg = 99;
    pthread_t t[THREADS];
    for (int i = 0; i < THREADS; i++) {
        CHECK_EQ(pthread_create(&t[i], NULL, call_once_thread, &arg), 0);
    }
    for (int i = 0; i < THREADS; i++) {
        CHECK_EQ(pthread_join(t[i], NULL), 0);
    }
    CHECK_EQ(atomic_load(&once_runs), 1);
    MISUSE_EQ(reentry_result, MUTEX_ERROR);
    CHECK_EQ(mbedcrypto_once(&once_flag, once_fn, &arg), 0);
    CHECK_EQ(atomic_load(&once_runs), 1);

    mbedcrypto_once_t zeroed;
    memset(&zeroed, 0, sizeof(zeroed));
    CHECK_EQ(mbedcrypto_once(&zeroed, noop, NULL), 0);
    MISUSE_EQ(mbedcrypto_once(NULL, noop, NULL), BAD_INPUT);
    MISUSE_EQ(mbedcrypto_once(&zeroed, NULL, NULL), BAD_INPUT);
    mbedcrypto_once_t corrupted;
    memset(&corrupted, 0x5A, sizeof(corrupted));
    MISUSE_EQ(mbedcrypto_once(&corrupted, noop, NULL), BAD_INPUT);
}

/* ---- extension queries ----------------------------------------------------- */

static void test_extension_queries(void)
{
    CHECK_EQ(mbedcrypto_threading_backend(), MBEDCRYPTO_THREADING_BACKEND);
#if defined(MBEDTLS_THREADING_BUILTIN)
    CHECK_EQ(mbedcrypto_threading_backend(), MBEDCRYPTO_THREADING_BUILTIN);
#elif defined(MBEDTLS_THREADING_PTHREAD)
    CHECK_EQ(mbedcrypto_threading_backend(), MBEDCRYPTO_THREADING_PTHREAD);
#elif defined(MBEDTLS_THREADING_ALT)
    CHECK_EQ(mbedcrypto_threading_backend(), MBEDCRYPTO_THREADING_ALT);
#endif
    CHECK_EQ(mbedcrypto_threading_is_thread_safe(), 1);
    CHECK_EQ(MBEDCRYPTO_THREADING_CHECK_ABI(), 0);
    MISUSE_EQ(mbedcrypto_threading_abi_matches(MBEDCRYPTO_THREADING_BACKEND,
                                               sizeof(mbedtls_threading_mutex_t) + 8,
                                               MBEDCRYPTO_MUTEX_ALIGNOF),
              BAD_INPUT);
    MISUSE_EQ(mbedcrypto_threading_abi_matches(MBEDCRYPTO_THREADING_BACKEND,
                                               sizeof(mbedtls_threading_mutex_t),
                                               MBEDCRYPTO_MUTEX_ALIGNOF * 2),
              BAD_INPUT);
    CHECK_EQ(mbedcrypto_threading_abi_matches(MBEDCRYPTO_THREADING_BACKEND,
                                              sizeof(mbedtls_threading_mutex_t), 0),
             0);
    MISUSE_EQ(mbedcrypto_threading_abi_matches(MBEDCRYPTO_THREADING_NONE, 0, 0), BAD_INPUT);
    CHECK(strcmp(mbedcrypto_version_get_string(), MBEDCRYPTO_VERSION_STRING) == 0);
}

/* ---- MBEDTLS_THREADING_ALT start-up order ----------------------------------- */

#if defined(MBEDTLS_THREADING_ALT)
static toy_context early_context; /* initialised before set_alt */
static mbedtls_threading_mutex_t early_unused;

static void test_alt_before_set_alt(void)
{
    CHECK_EQ(mbedcrypto_threading_is_thread_safe(), 0);
    size_t live = mbedcrypto_mutex_live_count();
    mbedtls_mutex_init(&early_context.mutex);
    mbedtls_mutex_init(&early_unused);
    CHECK_EQ(mbedcrypto_mutex_live_count(), live + 2);
    CHECK_EQ(example_alt_inits, 0); /* nothing to call yet */
    /* Upstream returns BAD_INPUT_DATA here too; the difference is below. */
    CHECK_EQ(mbedtls_mutex_lock(&early_context.mutex), BAD_INPUT);
    CHECK_EQ(mbedtls_mutex_unlock(&early_context.mutex), BAD_INPUT);

    /* Initialised and freed before any backend: never reaches the
     * application's functions. */
    mbedtls_threading_mutex_t transient;
    memset(&transient, 0, sizeof(transient));
    mbedtls_mutex_init(&transient);
    mbedtls_mutex_free(&transient);
    CHECK_EQ(example_alt_inits, 0);
    CHECK_EQ(example_alt_frees, 0);
    CHECK_EQ(mbedcrypto_mutex_live_count(), live + 2);

    /* An incomplete backend is refused. */
    MISUSE(mbedtls_threading_set_alt(example_alt_mutex_init, NULL, example_alt_mutex_lock,
                                     example_alt_mutex_unlock));
    CHECK_EQ(mbedcrypto_threading_is_thread_safe(), 0);
    CHECK_EQ(example_alt_inits, 0);
}

static void test_alt_after_set_alt(long inits_at_set_alt)
{
    /* set_alt initialised the library's lazy-init mutex and the globals. */
    long expected = 1 + 3;
#if defined(MBEDTLS_FS_IO)
    expected++;
#endif
#if defined(MBEDTLS_HAVE_TIME_DATE)
    expected++;
#endif
    CHECK_EQ(inits_at_set_alt, expected);

    /* The early context's mutex is initialised at its first lock. */
    long before = example_alt_inits;
    CHECK_EQ(mbedtls_mutex_lock(&early_context.mutex), 0);
    CHECK_EQ(example_alt_inits, before + 1);
    early_context.value = 7;
    CHECK_EQ(mbedtls_mutex_unlock(&early_context.mutex), 0);
    CHECK_EQ(mbedtls_mutex_lock(&early_context.mutex), 0);
    CHECK_EQ(example_alt_inits, before + 1); /* only once */
    CHECK_EQ(mbedtls_mutex_unlock(&early_context.mutex), 0);
    mbedtls_mutex_free(&early_context.mutex);
    CHECK_EQ(example_alt_frees, 1);

    /* Never locked: freed without ever calling the application. */
    mbedtls_mutex_free(&early_unused);
    CHECK_EQ(example_alt_inits, before + 1);
    CHECK_EQ(example_alt_frees, 1);

    /* A second, complete set_alt keeps working mutexes working. */
    mbedtls_threading_mutex_t m;
    memset(&m, 0, sizeof(m));
    mbedtls_mutex_init(&m);
    mbedtls_threading_set_alt(example_alt_mutex_init, example_alt_mutex_free,
                              example_alt_mutex_lock, example_alt_mutex_unlock);
    CHECK_EQ(mbedtls_mutex_lock(&m), 0);
    CHECK_EQ(mbedtls_mutex_unlock(&m), 0);
    mbedtls_mutex_free(&m);
}

static void test_alt_free_alt(void)
{
    mbedtls_threading_mutex_t late;
    memset(&late, 0, sizeof(late));
    mbedtls_mutex_init(&late);
    mbedtls_threading_free_alt();
    CHECK_EQ(mbedcrypto_threading_is_thread_safe(), 0);
    /* Live mutexes keep working with the installed functions. */
    CHECK_EQ(mbedtls_mutex_lock(&late), 0);
    CHECK_EQ(mbedtls_mutex_unlock(&late), 0);
    mbedtls_mutex_free(&late);
    /* Everything the application initialised has been freed. */
    CHECK_EQ(example_alt_inits, example_alt_frees);
    MISUSE(mbedtls_threading_free_alt()); /* twice is harmless */
    CHECK_EQ(example_alt_inits, example_alt_frees);
}
#endif

int main(void)
{
#if defined(MBEDTLS_THREADING_ALT)
    test_alt_before_set_alt();
    mbedtls_threading_set_alt(example_alt_mutex_init, example_alt_mutex_free,
                              example_alt_mutex_lock, example_alt_mutex_unlock);
    test_alt_after_set_alt(example_alt_inits);
#endif
    size_t live_at_start = mbedcrypto_mutex_live_count();
    test_null_pointers();
    test_misaligned();
    test_zero_filled();
    test_lifecycle();
    test_double_init();
    test_relock_does_not_deadlock();
    test_other_threads_misuse();
    test_free_with_waiter();
    test_wrapped_pointers();
    test_global_mutexes();
    test_embedded_in_context();
    test_many_threads();
    test_once();
    test_extension_queries();
    CHECK_EQ(mbedcrypto_mutex_live_count(), live_at_start);
#if defined(MBEDTLS_THREADING_ALT)
    test_alt_free_alt();
    CHECK_EQ(mbedcrypto_threading_alt_overflows(), 0);
#endif
    test_reused_memory();
    return harness_finish("test_threading");
}
