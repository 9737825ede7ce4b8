/*
 * test_mod_ssl_session.c: session serialization through the C API.
 *
 * The known answer is a TLS 1.2 client session saved by upstream Mbed TLS
 * 3.6.6 in its default configuration (the blob the shared benchmark
 * carries): it must load and save back byte for byte. Every truncation,
 * every header change and trailing bytes are refused with upstream's codes,
 * and a load failure leaves the session empty.
 */
#include <stdio.h>
#include <string.h>

#include "mbedtls/ssl.h"

#include "harness.h"

static const unsigned char upstream_blob[114] = {
    0x03, 0x06, 0x06, 0x00, 0xff, 0x03, 0x00, 0x00, 0xa8, 0x00, 0x00, 0x00,
    0x00, 0x6b, 0x04, 0x86, 0xe0, 0x20, 0x8a, 0xfe, 0xd2, 0x5e, 0xe7, 0x9e,
    0xf3, 0x57, 0x04, 0xe7, 0x59, 0xe9, 0xb5, 0x7b, 0xb0, 0x4a, 0xfa, 0xe8,
    0x71, 0x94, 0x8a, 0xcc, 0x72, 0x4d, 0x64, 0xc8, 0xfd, 0x57, 0x09, 0x36,
    0xf8, 0x73, 0x1a, 0x85, 0x25, 0x23, 0x93, 0x32, 0xe2, 0x63, 0x1d, 0x74,
    0xfe, 0xfc, 0x1c, 0xea, 0x56, 0xb7, 0xcf, 0x00, 0xfc, 0x9c, 0xfe, 0x1c,
    0x42, 0xb6, 0xca, 0xb6, 0xb1, 0x1f, 0x6e, 0xb2, 0x20, 0x01, 0x3d, 0x5a,
    0x3b, 0x6d, 0x49, 0x95, 0x2e, 0x2f, 0x5e, 0x1b, 0x27, 0xb1, 0xe1, 0xa7,
    0xc4, 0xf6, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
};

static void test_round_trip(void)
{
    mbedtls_ssl_session s;
    unsigned char out[256];
    size_t olen = 0;
    mbedtls_ssl_session_init(&s);
    CHECK_EQ(mbedtls_ssl_session_load(&s, upstream_blob, sizeof(upstream_blob)), 0);
    /* Too small, and a size query with NULL. */
    MISUSE_EQ(mbedtls_ssl_session_save(&s, out, 10, &olen), MBEDTLS_ERR_SSL_BUFFER_TOO_SMALL);
    CHECK_EQ(olen, sizeof(upstream_blob));
    olen = 0;
    CHECK_EQ(mbedtls_ssl_session_save(&s, NULL, 0, &olen), MBEDTLS_ERR_SSL_BUFFER_TOO_SMALL);
    CHECK_EQ(olen, sizeof(upstream_blob));
    CHECK_EQ(mbedtls_ssl_session_save(&s, out, sizeof(out), &olen), 0);
    CHECK_EQ(olen, sizeof(upstream_blob));
    CHECK(memcmp(out, upstream_blob, sizeof(upstream_blob)) == 0);
    MISUSE_EQ(mbedtls_ssl_session_save(&s, out, sizeof(out), NULL), MBEDTLS_ERR_SSL_BAD_INPUT_DATA);
    MISUSE_EQ(mbedtls_ssl_session_save(NULL, out, sizeof(out), &olen), MBEDTLS_ERR_SSL_INTERNAL_ERROR);
    /* Loading again over a loaded session frees the old contents. */
    CHECK_EQ(mbedtls_ssl_session_load(&s, out, olen), 0);
    mbedtls_ssl_session_free(&s);
    MISUSE(mbedtls_ssl_session_free(&s));
    MISUSE(mbedtls_ssl_session_free(NULL));
    mbedtls_ssl_session_init(NULL);

    /* A merely initialised session has no TLS version: upstream's answer. */
    mbedtls_ssl_session_init(&s);
    MISUSE_EQ(mbedtls_ssl_session_save(&s, out, sizeof(out), &olen), MBEDTLS_ERR_SSL_FEATURE_UNAVAILABLE);
    mbedtls_ssl_session_free(&s);
}

static void test_malformed(void)
{
    mbedtls_ssl_session s;
    unsigned char buf[200];
    size_t olen;
    int truncations = 0, header_changes = 0;
    mbedtls_ssl_session_init(&s);
    for (size_t cut = 0; cut < sizeof(upstream_blob); cut++) {
        truncations += mbedtls_ssl_session_load(&s, upstream_blob, cut) ==
                       MBEDTLS_ERR_SSL_BAD_INPUT_DATA;
        /* A failed load leaves the session empty. */
        CHECK_EQ(mbedtls_ssl_session_save(&s, buf, sizeof(buf), &olen),
                 MBEDTLS_ERR_SSL_FEATURE_UNAVAILABLE);
    }
    CHECK_EQ(truncations, (int) sizeof(upstream_blob));
    for (int i = 0; i < 5; i++) {
        memcpy(buf, upstream_blob, sizeof(upstream_blob));
        buf[i] ^= 0x01;
        header_changes += mbedtls_ssl_session_load(&s, buf, sizeof(upstream_blob)) ==
                          MBEDTLS_ERR_SSL_VERSION_MISMATCH;
    }
    CHECK_EQ(header_changes, 5);
    memcpy(buf, upstream_blob, sizeof(upstream_blob));
    buf[sizeof(upstream_blob)] = 0;
    MISUSE_EQ(mbedtls_ssl_session_load(&s, buf, sizeof(upstream_blob) + 1), MBEDTLS_ERR_SSL_BAD_INPUT_DATA);
    buf[5] = 0x04;  /* TLS 1.3: not a format this library reads */
    MISUSE_EQ(mbedtls_ssl_session_load(&s, buf, sizeof(upstream_blob)), MBEDTLS_ERR_SSL_BAD_INPUT_DATA);
    /* A peer-certificate length that runs past the end. */
    memcpy(buf, upstream_blob, sizeof(upstream_blob));
    buf[102] = 0xff;
    MISUSE_EQ(mbedtls_ssl_session_load(&s, buf, sizeof(upstream_blob)), MBEDTLS_ERR_SSL_BAD_INPUT_DATA);
    MISUSE_EQ(mbedtls_ssl_session_load(&s, NULL, 10), MBEDTLS_ERR_SSL_BAD_INPUT_DATA);
    MISUSE_EQ(mbedtls_ssl_session_load(NULL, upstream_blob, sizeof(upstream_blob)), MBEDTLS_ERR_SSL_INTERNAL_ERROR);
    mbedtls_ssl_session_free(&s);
    printf("session blob: %d truncations and %d header changes refused\n", truncations, header_changes);
}

/* A client session with a ticket and a certificate survives a round trip,
 * and the owned buffers are released by free (checked by ASan/Valgrind). */
static void test_with_ticket(void)
{
    unsigned char blob[200], out[256];
    size_t olen;
    mbedtls_ssl_session s;
    /* Build from the upstream blob: a 3-byte certificate, a 5-byte ticket. */
    size_t n = 0;
    memcpy(blob, upstream_blob, 102);
    n = 102;
    blob[n++] = 0; blob[n++] = 0; blob[n++] = 3;
    blob[n++] = 0x30; blob[n++] = 0x01; blob[n++] = 0x00;
    blob[n++] = 0; blob[n++] = 0; blob[n++] = 5;
    memcpy(blob + n, "TICKT", 5); n += 5;
    blob[n++] = 0; blob[n++] = 1; blob[n++] = 0x51; blob[n++] = 0x80;
    blob[n++] = 0; blob[n++] = 1;
    mbedtls_ssl_session_init(&s);
    CHECK_EQ(mbedtls_ssl_session_load(&s, blob, n), 0);
    CHECK_EQ(mbedtls_ssl_session_save(&s, out, sizeof(out), &olen), 0);
    CHECK_EQ(olen, n);
    CHECK(memcmp(out, blob, n) == 0);
    mbedtls_ssl_session_free(&s);
}

int main(void)
{
    test_round_trip();
    test_malformed();
    test_with_ticket();
    return harness_finish("test_mod_ssl_session");
}
