/*
 * test_mod_ssl_ticket.c: session tickets through the C API: round trips
 * with each AEAD, every error, rotation by the application and by
 * lifetime, the lifecycle, and writers, parsers and a rotating thread on
 * one context with the outcomes checked.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "mbedtls/cipher.h"
#include "mbedtls/platform_time.h"
#include "mbedtls/ssl.h"
#include "mbedtls/ssl_ticket.h"
#if defined(MBEDTLS_THREADING_C)
#include <pthread.h>
#endif
#if defined(MBEDTLS_THREADING_ALT)
#include "threading_alt.h"
#endif

#include "harness.h"

/* The library calls f_rng without holding the ticket lock, so several
 * threads may call it at once: like mbedtls_ctr_drbg_random, it must be
 * thread-safe. */
static atomic_uint rng_counter;

static int counter_rng(void *p, unsigned char *out, size_t len)
{
    (void) p;
    for (size_t i = 0; i < len; i++) {
        out[i] = (unsigned char) (atomic_fetch_add(&rng_counter, 1) * 37 + 11);
    }
    return 0;
}

static int failing_rng(void *p, unsigned char *out, size_t len)
{
    (void) p;
    (void) out;
    (void) len;
    return -0x4242;
}

/* A TLS 1.2 server session whose ticket was made now. */
static void server_session(mbedtls_ssl_session *s, unsigned char tag)
{
    unsigned char blob[115];
    size_t n = 0;
    const unsigned char head[] = { 3, 6, 6, 0x00, 0xff, 0x03, 0x01, 0xc0, 0x2f };
    memcpy(blob, head, sizeof(head));
    n = sizeof(head);
    memset(blob + n, 0, 8);                 /* start */
    n += 8;
    blob[n++] = 32;
    memset(blob + n, tag, 80);              /* id and master secret */
    n += 80;
    memset(blob + n, 0, 4 + 3);             /* verify result, no certificate */
    n += 7;
    uint64_t ms = (uint64_t) mbedtls_ms_time();
    for (int i = 7; i >= 0; i--) {
        blob[n++] = (unsigned char) (ms >> (8 * i));
    }
    blob[n++] = 0;                          /* mfl */
    blob[n++] = 1;                          /* etm */
    mbedtls_ssl_session_init(s);
    CHECK_EQ(mbedtls_ssl_session_load(s, blob, n), 0);
}

static int same_session(const mbedtls_ssl_session *a, const mbedtls_ssl_session *b)
{
    unsigned char x[256], y[256];
    size_t lx = 0, ly = 0;
    return mbedtls_ssl_session_save(a, x, sizeof(x), &lx) == 0 &&
           mbedtls_ssl_session_save(b, y, sizeof(y), &ly) == 0 &&
           lx == ly && memcmp(x, y, lx) == 0;
}

static void test_ciphers_and_errors(void)
{
    const mbedtls_cipher_type_t ciphers[] = {
        MBEDTLS_CIPHER_AES_128_GCM, MBEDTLS_CIPHER_AES_192_GCM,
        MBEDTLS_CIPHER_AES_256_GCM, MBEDTLS_CIPHER_CHACHA20_POLY1305,
    };
    mbedtls_ssl_session s, back;
    unsigned char t[512];
    size_t tlen;
    uint32_t life;
    server_session(&s, 0x21);
    for (size_t c = 0; c < sizeof(ciphers) / sizeof(ciphers[0]); c++) {
        mbedtls_ssl_ticket_context ctx;
        mbedtls_ssl_ticket_init(&ctx);
        CHECK_EQ(mbedtls_ssl_ticket_setup(&ctx, counter_rng, NULL, ciphers[c], 3600), 0);
        CHECK_EQ(mbedtls_ssl_ticket_write(&ctx, &s, t, t + sizeof(t), &tlen, &life), 0);
        CHECK_EQ(tlen, 34 + 115);
        CHECK_EQ(life, 3600);
        unsigned char copy[512];
        memcpy(copy, t, tlen);
        mbedtls_ssl_session_init(&back);
        CHECK_EQ(mbedtls_ssl_ticket_parse(&ctx, &back, copy, tlen), 0);
        CHECK(same_session(&s, &back));
        /* Any changed byte after the name fails authentication. */
        int caught = 0;
        for (size_t i = 4; i < tlen; i++) {
            if (i == 16 || i == 17) {
                continue;                   /* the length field */
            }
            memcpy(copy, t, tlen);
            copy[i] ^= 0x80;
            caught += mbedtls_ssl_ticket_parse(&ctx, &back, copy, tlen) == MBEDTLS_ERR_SSL_INVALID_MAC;
        }
        CHECK_EQ(caught, (int) tlen - 6);
        memcpy(copy, t, tlen);
        copy[0] ^= 1;                       /* unknown key name */
        MISUSE_EQ(mbedtls_ssl_ticket_parse(&ctx, &back, copy, tlen), MBEDTLS_ERR_SSL_SESSION_TICKET_EXPIRED);
        memcpy(copy, t, tlen);
        copy[17] ^= 1;                      /* length field */
        MISUSE_EQ(mbedtls_ssl_ticket_parse(&ctx, &back, copy, tlen), MBEDTLS_ERR_SSL_BAD_INPUT_DATA);
        MISUSE_EQ(mbedtls_ssl_ticket_parse(&ctx, &back, copy, 33), MBEDTLS_ERR_SSL_BAD_INPUT_DATA);
        MISUSE_EQ(mbedtls_ssl_ticket_write(&ctx, &s, t, t + 33, &tlen, &life), MBEDTLS_ERR_SSL_BUFFER_TOO_SMALL);
        MISUSE_EQ(mbedtls_ssl_ticket_write(&ctx, &s, t, t + 100, &tlen, &life), MBEDTLS_ERR_SSL_BUFFER_TOO_SMALL);
        CHECK_EQ(tlen, 0);
        mbedtls_ssl_session_free(&back);
        mbedtls_ssl_ticket_free(&ctx);
    }

    /* Setup and use errors. */
    mbedtls_ssl_ticket_context ctx;
    mbedtls_ssl_ticket_init(&ctx);
    MISUSE_EQ(mbedtls_ssl_ticket_write(&ctx, &s, t, t + sizeof(t), &tlen, &life), MBEDTLS_ERR_SSL_BAD_INPUT_DATA);
    MISUSE_EQ(mbedtls_ssl_ticket_parse(&ctx, &s, t, 40), MBEDTLS_ERR_SSL_BAD_INPUT_DATA);
    MISUSE_EQ(mbedtls_ssl_ticket_setup(&ctx, counter_rng, NULL, MBEDTLS_CIPHER_AES_128_CBC, 60), MBEDTLS_ERR_SSL_BAD_INPUT_DATA);
    MISUSE_EQ(mbedtls_ssl_ticket_setup(&ctx, counter_rng, NULL, MBEDTLS_CIPHER_AES_128_CCM, 60), MBEDTLS_ERR_SSL_FEATURE_UNAVAILABLE);
    MISUSE_EQ(mbedtls_ssl_ticket_setup(&ctx, NULL, NULL, MBEDTLS_CIPHER_AES_128_GCM, 60), MBEDTLS_ERR_SSL_BAD_INPUT_DATA);
    MISUSE_EQ(mbedtls_ssl_ticket_setup(&ctx, failing_rng, NULL, MBEDTLS_CIPHER_AES_128_GCM, 60), -0x4242);
    MISUSE_EQ(mbedtls_ssl_ticket_setup(NULL, counter_rng, NULL, MBEDTLS_CIPHER_AES_128_GCM, 60), MBEDTLS_ERR_SSL_BAD_INPUT_DATA);
    unsigned char key[32] = { 0 };
    MISUSE_EQ(mbedtls_ssl_ticket_rotate(&ctx, (const unsigned char *) "NAME", 4, key, 16, 60), MBEDTLS_ERR_SSL_BAD_INPUT_DATA);
    CHECK_EQ(mbedtls_ssl_ticket_setup(&ctx, counter_rng, NULL, MBEDTLS_CIPHER_AES_256_GCM, 60), 0);
    MISUSE_EQ(mbedtls_ssl_ticket_rotate(&ctx, (const unsigned char *) "NAM", 3, key, 32, 60), MBEDTLS_ERR_CIPHER_BAD_INPUT_DATA);
    MISUSE_EQ(mbedtls_ssl_ticket_rotate(&ctx, (const unsigned char *) "NAME", 4, key, 16, 60), MBEDTLS_ERR_CIPHER_BAD_INPUT_DATA);
    MISUSE_EQ(mbedtls_ssl_ticket_write(NULL, &s, t, t + sizeof(t), &tlen, &life), MBEDTLS_ERR_SSL_BAD_INPUT_DATA);
    MISUSE_EQ(mbedtls_ssl_ticket_write(&ctx, &s, t, t + sizeof(t), NULL, &life), MBEDTLS_ERR_SSL_BAD_INPUT_DATA);
    /* A client session has no ticket creation time: upstream's answer. */
    mbedtls_ssl_session client;
    mbedtls_ssl_session_init(&client);
    unsigned char cblob[200];
    size_t clen = 0;
    CHECK_EQ(mbedtls_ssl_session_save(&s, cblob, sizeof(cblob), &clen), 0);
    cblob[6] = 0;                           /* endpoint: client */
    /* client layout: ... cert(3) ticket_len(3) lifetime(4) mfl etm */
    memset(cblob + 102, 0, 3 + 3 + 4 + 2);
    CHECK_EQ(mbedtls_ssl_session_load(&client, cblob, 114), 0);
    CHECK_EQ(mbedtls_ssl_ticket_write(&ctx, &client, t, t + sizeof(t), &tlen, &life), 0);
    MISUSE_EQ(mbedtls_ssl_ticket_parse(&ctx, &back, t, tlen), MBEDTLS_ERR_SSL_BAD_INPUT_DATA);
    mbedtls_ssl_session_free(&client);
    mbedtls_ssl_session_free(&back);
    mbedtls_ssl_ticket_free(&ctx);
    MISUSE(mbedtls_ssl_ticket_free(&ctx));
    MISUSE(mbedtls_ssl_ticket_free(NULL));
    MISUSE_EQ(mbedtls_ssl_ticket_write(&ctx, &s, t, t + sizeof(t), &tlen, &life), MBEDTLS_ERR_SSL_BAD_INPUT_DATA);
    mbedtls_ssl_ticket_init(NULL);
    mbedtls_ssl_session_free(&s);
}

static void test_rotation(void)
{
    mbedtls_ssl_ticket_context ctx;
    mbedtls_ssl_session s, back;
    unsigned char t1[256], t2[256], tmp[256], key[32];
    size_t l1, l2;
    uint32_t life;
    server_session(&s, 0x33);
    mbedtls_ssl_session_init(&back);
    mbedtls_ssl_ticket_init(&ctx);
    CHECK_EQ(mbedtls_ssl_ticket_setup(&ctx, counter_rng, NULL, MBEDTLS_CIPHER_CHACHA20_POLY1305, 600), 0);
    CHECK_EQ(mbedtls_ssl_ticket_write(&ctx, &s, t1, t1 + sizeof(t1), &l1, &life), 0);
    memset(key, 0x11, sizeof(key));
    CHECK_EQ(mbedtls_ssl_ticket_rotate(&ctx, (const unsigned char *) "KEY1", 4, key, 32, 900), 0);
    CHECK_EQ(mbedtls_ssl_ticket_write(&ctx, &s, t2, t2 + sizeof(t2), &l2, &life), 0);
    CHECK_EQ(life, 900);
    CHECK(memcmp(t2, "KEY1", 4) == 0);
    memcpy(tmp, t1, l1);                    /* the previous generation still parses */
    CHECK_EQ(mbedtls_ssl_ticket_parse(&ctx, &back, tmp, l1), 0);
    memset(key, 0x22, sizeof(key));
    CHECK_EQ(mbedtls_ssl_ticket_rotate(&ctx, (const unsigned char *) "KEY2", 4, key, 32, 900), 0);
    memcpy(tmp, t1, l1);                    /* two generations back: gone */
    CHECK_EQ(mbedtls_ssl_ticket_parse(&ctx, &back, tmp, l1), MBEDTLS_ERR_SSL_SESSION_TICKET_EXPIRED);
    memcpy(tmp, t2, l2);
    CHECK_EQ(mbedtls_ssl_ticket_parse(&ctx, &back, tmp, l2), 0);
    mbedtls_ssl_ticket_free(&ctx);

    /* Rotation by lifetime, and tickets older than their key's lifetime. */
    mbedtls_ssl_ticket_init(&ctx);
    CHECK_EQ(mbedtls_ssl_ticket_setup(&ctx, counter_rng, NULL, MBEDTLS_CIPHER_AES_128_GCM, 1), 0);
    CHECK_EQ(mbedtls_ssl_ticket_write(&ctx, &s, t1, t1 + sizeof(t1), &l1, &life), 0);
    sleep(2);
    CHECK_EQ(mbedtls_ssl_ticket_write(&ctx, &s, t2, t2 + sizeof(t2), &l2, &life), 0);
    CHECK(memcmp(t1, t2, 4) != 0);          /* a new key was made */
    memcpy(tmp, t1, l1);
    CHECK_EQ(mbedtls_ssl_ticket_parse(&ctx, &back, tmp, l1), MBEDTLS_ERR_SSL_SESSION_TICKET_EXPIRED);
    mbedtls_ssl_ticket_free(&ctx);
    mbedtls_ssl_session_free(&back);
    mbedtls_ssl_session_free(&s);
}

#if defined(MBEDTLS_THREADING_C)
#define WRITERS 3
#define ROUNDS 1500
static mbedtls_ssl_ticket_context shared;
static mbedtls_ssl_session shared_session;
static atomic_int stop_rotating;
static long results_ok, results_expired, results_other;
static pthread_mutex_t results_lock = PTHREAD_MUTEX_INITIALIZER;

static void *ticket_worker(void *arg)
{
    (void) arg;
    unsigned char t[256];
    size_t tlen;
    uint32_t life;
    long ok = 0, expired = 0, other = 0;
    mbedtls_ssl_session back;
    mbedtls_ssl_session_init(&back);
    for (int i = 0; i < ROUNDS; i++) {
        if (mbedtls_ssl_ticket_write(&shared, &shared_session, t, t + sizeof(t), &tlen, &life) != 0) {
            other++;
            continue;
        }
        int rc = mbedtls_ssl_ticket_parse(&shared, &back, t, tlen);
        if (rc == 0) {
            ok += same_session(&back, &shared_session);
            other += !same_session(&back, &shared_session);
        } else if (rc == MBEDTLS_ERR_SSL_SESSION_TICKET_EXPIRED) {
            expired++;                      /* two rotations in between */
        } else {
            other++;
        }
    }
    mbedtls_ssl_session_free(&back);
    pthread_mutex_lock(&results_lock);
    results_ok += ok;
    results_expired += expired;
    results_other += other;
    pthread_mutex_unlock(&results_lock);
    return NULL;
}

static void *rotator(void *arg)
{
    (void) arg;
    unsigned char key[32];
    unsigned char name[4] = { 'R', 0, 0, 0 };
    long n = 0;
    while (!atomic_load(&stop_rotating)) {
        memset(key, (int) n, sizeof(key));
        name[1] = (unsigned char) n;
        name[2] = (unsigned char) (n >> 8);
        if (mbedtls_ssl_ticket_rotate(&shared, name, 4, key, 32, 3600) != 0) {
            pthread_mutex_lock(&results_lock);
            results_other++;
            pthread_mutex_unlock(&results_lock);
        }
        n++;
        struct timespec pause = { 0, 200 * 1000 };
        nanosleep(&pause, NULL);
    }
    return (void *) (intptr_t) n;
}

static void test_threads(void)
{
    pthread_t w[WRITERS], r;
    server_session(&shared_session, 0x44);
    mbedtls_ssl_ticket_init(&shared);
    CHECK_EQ(mbedtls_ssl_ticket_setup(&shared, counter_rng, NULL, MBEDTLS_CIPHER_AES_256_GCM, 3600), 0);
    CHECK_EQ(pthread_create(&r, NULL, rotator, NULL), 0);
    for (int i = 0; i < WRITERS; i++) {
        CHECK_EQ(pthread_create(&w[i], NULL, ticket_worker, NULL), 0);
    }
    for (int i = 0; i < WRITERS; i++) {
        pthread_join(w[i], NULL);
    }
    atomic_store(&stop_rotating, 1);
    void *rotations;
    pthread_join(r, &rotations);
    printf("ticket threads: %d writers x %d write+parse, %ld rotations: %ld parsed back, "
           "%ld expired by two rotations, %ld other results\n",
           WRITERS, ROUNDS, (long) (intptr_t) rotations, results_ok, results_expired, results_other);
    CHECK_EQ(results_other, 0);
    CHECK_EQ(results_ok + results_expired, WRITERS * ROUNDS);
    CHECK(results_ok > 0);
    CHECK((long) (intptr_t) rotations > 0);
    mbedtls_ssl_ticket_free(&shared);
    mbedtls_ssl_session_free(&shared_session);
}
#endif

int main(void)
{
#if defined(MBEDTLS_THREADING_ALT)
    mbedtls_threading_set_alt(example_alt_mutex_init, example_alt_mutex_free,
                              example_alt_mutex_lock, example_alt_mutex_unlock);
#endif
    test_ciphers_and_errors();
    test_rotation();
#if defined(MBEDTLS_THREADING_C)
    test_threads();
#endif
#if defined(MBEDTLS_THREADING_ALT)
    mbedtls_threading_free_alt();
#endif
    return harness_finish("test_mod_ssl_ticket");
}
