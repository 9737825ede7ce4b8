/*
 * demo.c: several threads sharing contexts protected by the library's
 * mutexes (`make demo`).
 *
 * Eight "accounts", each a context with an embedded mbedtls mutex, are
 * shared by four threads that move money between them. Each transfer locks
 * two accounts in address order, so there is no deadlock. The total must be
 * the same at the end. Then four threads draw random blocks from one shared
 * CTR_DRBG seeded from one entropy context while a fifth reseeds it (upstream
 * leaves reseeding unlocked; here every entry point locks), and every block
 * must be distinct. Then a pool of worker threads signs requests with one
 * shared RSA-2048 key (drawing blinding values from that same DRBG) while
 * others verify the signatures; every signature must verify. The demo also
 * shows the library turning misuse into error codes instead of crashes or
 * hangs.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mbedtls/ctr_drbg.h"
#include "mbedtls/entropy.h"
#include "mbedtls/error.h"
#include "mbedtls/md.h"
#include "mbedtls/platform.h"
#include "mbedtls/rsa.h"
#include "mbedtls/threading.h"
#include "mbedtls/threading_ext.h"
#include "mbedtls/version.h"

#if defined(MBEDTLS_THREADING_ALT)
#include "threading_alt.h"
#endif

#define ACCOUNTS 8
#define THREADS 4
#define TRANSFERS 100000

typedef struct {
    long balance;
    mbedtls_threading_mutex_t mutex;
} account;

static account accounts[ACCOUNTS];
static mbedcrypto_once_t setup_once = MBEDCRYPTO_ONCE_INIT;

static void setup_accounts(void *arg)
{
    long initial = *(long *) arg;
    for (int i = 0; i < ACCOUNTS; i++) {
        accounts[i].balance = initial;
        mbedtls_mutex_init(&accounts[i].mutex);
    }
    printf("accounts set up once, %ld each\n", initial);
}

static void *teller(void *arg)
{
    unsigned seed = (unsigned) (size_t) arg;
    long initial = 1000;
    if (mbedcrypto_once(&setup_once, setup_accounts, &initial) != 0) {
        return (void *) 1;
    }
    for (int i = 0; i < TRANSFERS; i++) {
        seed = seed * 1103515245u + 12345u;
        int from = (int) ((seed >> 8) % ACCOUNTS);
        int to = (int) ((seed >> 16) % ACCOUNTS);
        if (from == to) {
            continue;
        }
        account *first = &accounts[from < to ? from : to];
        account *second = &accounts[from < to ? to : from];
        if (mbedtls_mutex_lock(&first->mutex) != 0) {
            return (void *) 1;
        }
        if (mbedtls_mutex_lock(&second->mutex) != 0) {
            mbedtls_mutex_unlock(&first->mutex);
            return (void *) 1;
        }
        long amount = (long) (seed % 50);
        accounts[from].balance -= amount;
        accounts[to].balance += amount;
        mbedtls_mutex_unlock(&second->mutex);
        mbedtls_mutex_unlock(&first->mutex);
    }
    return NULL;
}

#define DRAWERS 4
#define DRAWS 20000

static mbedtls_entropy_context entropy;
static mbedtls_ctr_drbg_context drbg;
static unsigned long long firsts[DRAWERS * DRAWS];
static volatile int drawing_done;

static void *drawer(void *arg)
{
    size_t id = (size_t) arg;
    unsigned char block[64];
    for (size_t i = 0; i < DRAWS; i++) {
        if (mbedtls_ctr_drbg_random(&drbg, block, sizeof(block)) != 0) {
            return (void *) 1;
        }
        memcpy(&firsts[id * DRAWS + i], block, sizeof(firsts[0]));
    }
    return NULL;
}

static void *reseeder(void *arg)
{
    long *reseeds = arg;
    while (!drawing_done) {
        if (mbedtls_ctr_drbg_reseed(&drbg, (const unsigned char *) "demo", 4) != 0) {
            return (void *) 1;
        }
        (*reseeds)++;
    }
    return NULL;
}

static int cmp_u64(const void *a, const void *b)
{
    unsigned long long x = *(const unsigned long long *) a;
    unsigned long long y = *(const unsigned long long *) b;
    return x < y ? -1 : x > y;
}

/* An entropy callback that calls back into the DRBG it is seeding. */
static int reentrant_entropy(void *ctx, unsigned char *out, size_t len)
{
    unsigned char tmp[16];
    int inner = mbedtls_ctr_drbg_random(ctx, tmp, sizeof(tmp));
    printf("  re-entrant f_entropy: the inner random returned -0x%04X\n", (unsigned) -inner);
    memset(out, 0x42, len);
    return inner == 0 ? 0 : -1;
}

static int shared_drbg_demo(void)
{
    mbedtls_entropy_init(&entropy);
    mbedtls_ctr_drbg_init(&drbg);
    int ret = mbedtls_ctr_drbg_seed(&drbg, mbedtls_entropy_func, &entropy,
                                    (const unsigned char *) "mbedcrypto-rs demo", 18);
    if (ret != 0) {
        printf("seed failed: -0x%04X\n", (unsigned) -ret);
        return 1;
    }
    pthread_t t[DRAWERS], r;
    long reseeds = 0;
    drawing_done = 0;
    if (pthread_create(&r, NULL, reseeder, &reseeds) != 0) {
        return 1;
    }
    for (size_t i = 0; i < DRAWERS; i++) {
        if (pthread_create(&t[i], NULL, drawer, (void *) i) != 0) {
            return 1;
        }
    }
    int failed = 0;
    for (int i = 0; i < DRAWERS; i++) {
        void *res;
        pthread_join(t[i], &res);
        failed |= res != NULL;
    }
    drawing_done = 1;
    void *res;
    pthread_join(r, &res);
    failed |= res != NULL;
    qsort(firsts, DRAWERS * DRAWS, sizeof(firsts[0]), cmp_u64);
    size_t dups = 0;
    for (size_t i = 1; i < DRAWERS * DRAWS; i++) {
        dups += firsts[i] == firsts[i - 1];
    }
    printf("%d threads drew %d 64-byte blocks each from one shared CTR_DRBG while another\n"
           "thread reseeded it %ld times: %zu repeated blocks (expected 0)\n",
           DRAWERS, DRAWS, reseeds, dups);
    mbedtls_ctr_drbg_free(&drbg);
    mbedtls_entropy_free(&entropy);
    return failed || dups != 0;
}

/* The RSA worker pool: SIGNERS threads take request numbers from a shared
 * counter and sign them with one shared key; VERIFIERS threads check the
 * signatures as they appear. */
#define SIGNERS 3
#define VERIFIERS 2
#define REQUESTS 60
static mbedtls_rsa_context pool_key;
static unsigned char pool_sigs[REQUESTS][256];
static int pool_signed[REQUESTS];
static long pool_next, pool_bad;
static mbedtls_threading_mutex_t pool_mutex;

static void request_hash(long n, unsigned char hash[32])
{
    char text[32];
    int len = snprintf(text, sizeof(text), "request %ld", n);
    mbedtls_md(mbedtls_md_info_from_type(MBEDTLS_MD_SHA256), (const unsigned char *) text,
               (size_t) len, hash);
}

static void *signer(void *arg)
{
    (void) arg;
    for (;;) {
        mbedtls_mutex_lock(&pool_mutex);
        long n = pool_next < REQUESTS ? pool_next++ : -1;
        mbedtls_mutex_unlock(&pool_mutex);
        if (n < 0) {
            return NULL;
        }
        unsigned char hash[32];
        request_hash(n, hash);
        int ret = mbedtls_rsa_pkcs1_sign(&pool_key, mbedtls_ctr_drbg_random, &drbg, MBEDTLS_MD_SHA256,
                                         32, hash, pool_sigs[n]);
        mbedtls_mutex_lock(&pool_mutex);
        pool_signed[n] = ret == 0 ? 1 : -1;
        pool_bad += ret != 0;
        mbedtls_mutex_unlock(&pool_mutex);
    }
}

static void *verifier(void *arg)
{
    long first = (long) (size_t) arg, checked = 0;
    while (checked < REQUESTS / VERIFIERS) {
        for (long n = first; n < REQUESTS; n += VERIFIERS) {
            mbedtls_mutex_lock(&pool_mutex);
            int state = pool_signed[n];
            if (state == -1) {
                /* Signing failed (already counted): nothing to verify. */
                pool_signed[n] = 3;
                checked++;
            }
            mbedtls_mutex_unlock(&pool_mutex);
            if (state != 1) {
                continue;
            }
            unsigned char hash[32];
            request_hash(n, hash);
            int ret = mbedtls_rsa_pkcs1_verify(&pool_key, MBEDTLS_MD_SHA256, 32, hash, pool_sigs[n]);
            mbedtls_mutex_lock(&pool_mutex);
            pool_signed[n] = 2;
            pool_bad += ret != 0;
            mbedtls_mutex_unlock(&pool_mutex);
            checked++;
        }
    }
    return NULL;
}

static int rsa_pool_demo(void)
{
    mbedtls_entropy_init(&entropy);
    mbedtls_ctr_drbg_init(&drbg);
    mbedtls_rsa_init(&pool_key);
    mbedtls_mutex_init(&pool_mutex);
    int ret = mbedtls_ctr_drbg_seed(&drbg, mbedtls_entropy_func, &entropy,
                                    (const unsigned char *) "rsa pool", 8);
    if (ret == 0) {
        ret = mbedtls_rsa_gen_key(&pool_key, mbedtls_ctr_drbg_random, &drbg, 2048, 65537);
    }
    int failed = ret != 0;
    if (ret == 0) {
        pthread_t s[SIGNERS], v[VERIFIERS];
        for (size_t i = 0; i < SIGNERS; i++) {
            failed |= pthread_create(&s[i], NULL, signer, NULL) != 0;
        }
        for (size_t i = 0; i < VERIFIERS; i++) {
            failed |= pthread_create(&v[i], NULL, verifier, (void *) i) != 0;
        }
        for (size_t i = 0; i < SIGNERS; i++) {
            pthread_join(s[i], NULL);
        }
        for (size_t i = 0; i < VERIFIERS; i++) {
            pthread_join(v[i], NULL);
        }
        long verified = 0;
        for (int n = 0; n < REQUESTS; n++) {
            verified += pool_signed[n] == 2;
        }
        printf("%d threads signed %d requests with one shared RSA-%zu key while %d threads\n"
               "verified them: %ld verified, %ld errors (expected %d and 0)\n",
               SIGNERS, REQUESTS, mbedtls_rsa_get_bitlen(&pool_key), VERIFIERS, verified,
               pool_bad, REQUESTS);
        failed |= verified != REQUESTS || pool_bad != 0;
    } else {
        printf("RSA key generation failed: -0x%04X\n", (unsigned) -ret);
    }
    mbedtls_mutex_free(&pool_mutex);
    mbedtls_rsa_free(&pool_key);
    mbedtls_ctr_drbg_free(&drbg);
    mbedtls_entropy_free(&entropy);
    return failed;
}

static void show(const char *what, int ret)
{
    char text[160];
    mbedtls_strerror(ret, text, sizeof(text));
    printf("  %-38s -> %s%s%s\n", what, ret == 0 ? "0" : "", ret == 0 ? "" : "error: ", text);
}

int main(void)
{
#if defined(MBEDTLS_THREADING_ALT)
    mbedtls_threading_set_alt(example_alt_mutex_init, example_alt_mutex_free,
                              example_alt_mutex_lock, example_alt_mutex_unlock);
#endif
    char version[18];
    mbedtls_version_get_string_full(version);
    static const char *backends[] = { "none", "built-in", "pthread", "alt" };
    printf("%s API, mbedcrypto-rs %s, threading backend: %s\n", version,
           mbedcrypto_version_get_string(), backends[mbedcrypto_threading_backend()]);
    if (MBEDCRYPTO_THREADING_CHECK_ABI() != 0 || !mbedcrypto_threading_is_thread_safe()) {
        fprintf(stderr, "library and headers disagree, or no thread safety\n");
        return 1;
    }

    pthread_t t[THREADS];
    for (size_t i = 0; i < THREADS; i++) {
        if (pthread_create(&t[i], NULL, teller, (void *) (i + 1)) != 0) {
            return 1;
        }
    }
    int failed = 0;
    for (int i = 0; i < THREADS; i++) {
        void *res;
        pthread_join(t[i], &res);
        failed |= res != NULL;
    }
    long total = 0;
    for (int i = 0; i < ACCOUNTS; i++) {
        total += accounts[i].balance;
    }
    printf("%d threads made %d transfers each between %d shared accounts; total %ld (expected %d)\n",
           THREADS, TRANSFERS, ACCOUNTS, total, ACCOUNTS * 1000);

    failed |= shared_drbg_demo();
    failed |= rsa_pool_demo();

    printf("misuse is reported, not undefined behaviour:\n");
    unsigned char block[16];
    mbedtls_ctr_drbg_context fresh;
    mbedtls_ctr_drbg_init(&fresh);
    show("random from a never-seeded CTR_DRBG", mbedtls_ctr_drbg_random(&fresh, block, 16));
    show("seed whose f_entropy re-enters the DRBG",
         mbedtls_ctr_drbg_seed(&fresh, reentrant_entropy, &fresh, NULL, 0));
    mbedtls_ctr_drbg_free(&fresh);
    mbedtls_ctr_drbg_free(&fresh);
    show("random after free (freed twice)", mbedtls_ctr_drbg_random(&fresh, block, 16));
    mbedtls_threading_mutex_t m;
    memset(&m, 0, sizeof(m));
    show("lock of a never-initialised mutex", mbedtls_mutex_lock(&m));
    mbedtls_mutex_init(&m);
    show("unlock of an unlocked mutex", mbedtls_mutex_unlock(&m));
    show("lock", mbedtls_mutex_lock(&m));
    show("second lock by the same thread", mbedtls_mutex_lock(&m));
    mbedtls_mutex_free(&m);
    show("unlock after a free while locked", mbedtls_mutex_unlock(&m));
    mbedtls_mutex_free(&m);
    show("lock after free", mbedtls_mutex_lock(&m));

    for (int i = 0; i < ACCOUNTS; i++) {
        mbedtls_mutex_free(&accounts[i].mutex);
    }
    printf("live mutexes at exit: %zu\n", mbedcrypto_mutex_live_count());
#if defined(MBEDTLS_THREADING_ALT)
    mbedtls_threading_free_alt();
#endif
    if (failed || total != ACCOUNTS * 1000 || mbedcrypto_mutex_live_count() != 0) {
        printf("demo FAILED\n");
        return 1;
    }
    printf("demo OK\n");
    return 0;
}
