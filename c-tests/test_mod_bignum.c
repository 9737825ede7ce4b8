/*
 * test_mod_bignum.c: bignum.h through the C API: every function, its error
 * codes, upstream's text and binary formats, limb counts that C code can
 * see in the struct, aliasing of outputs with inputs, known answers
 * (computed independently with Python integers), algebraic identities on
 * random values, primes, and allocation failure through mbedtls_calloc.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mbedtls/bignum.h"
#include "mbedtls/platform.h"

#include "harness.h"

#define X_N(x) ((x).MBEDTLS_PRIVATE(n))
#define X_S(x) ((x).MBEDTLS_PRIVATE(s))
#define X_P(x) ((x).MBEDTLS_PRIVATE(p))

static const char A_DEC[] =
    "191735952591503448727367619147947664587185337082468561936735509924939725473035584224539704";
static const char B_DEC[] = "320810476735481913784214496354586885840863718394360";
static const char AB_HEX[] =
    "14A93FE2B01318A15E94ABE30A1611939CA7E5E375FD3A5E9DEA1E9A6F499F6102A72ADA3CDDA4AFABF54A02B79F48BA8936F54E9199451568E40";
static const char A_HEX[] =
    "181892F902BD23F0824128B2F330C5C7FD0A6A3A4506513270E269E0D37F2A74DE452E6B438";
static const char A_BASE7[] =
    "3345525513100203135645351250632246010402236441155023664423651140235422530065205126512115322253066102440060";
static const char A_DIV_B[] = "597661131714210279653588213827810902869";
static const char A_MOD_B[] = "234435445265358662948423079162316815535869627120864";

/* A deterministic RNG: xorshift64* over the state at p. */
static int xs_rng(void *p, unsigned char *out, size_t len)
{
    uint64_t *s = p;
    for (size_t i = 0; i < len; i++) {
        *s ^= *s >> 12;
        *s ^= *s << 25;
        *s ^= *s >> 27;
        out[i] = (unsigned char) ((*s * 0x2545F4914F6CDD1DULL) >> 56);
    }
    return 0;
}

/* Counts up from the byte at p. */
static int counting_rng(void *p, unsigned char *out, size_t len)
{
    unsigned char *c = p;
    for (size_t i = 0; i < len; i++) {
        out[i] = (*c)++;
    }
    return 0;
}

static int ff_rng(void *p, unsigned char *out, size_t len)
{
    (void) p;
    memset(out, 0xFF, len);
    return 0;
}

static int failing_rng(void *p, unsigned char *out, size_t len)
{
    (void) p;
    (void) out;
    (void) len;
    return -0x0034;
}

static int eq_dec(const mbedtls_mpi *x, const char *dec)
{
    mbedtls_mpi t;
    mbedtls_mpi_init(&t);
    int ok = mbedtls_mpi_read_string(&t, 10, dec) == 0 && mbedtls_mpi_cmp_mpi(x, &t) == 0;
    mbedtls_mpi_free(&t);
    return ok;
}

static int str_is(const mbedtls_mpi *x, int radix, const char *expected)
{
    char buf[4096];
    size_t olen = 0;
    int ret = mbedtls_mpi_write_string(x, radix, buf, sizeof(buf), &olen);
    if (ret != 0 || olen != strlen(expected) + 1 || strcmp(buf, expected) != 0) {
        fprintf(stderr, "  got '%s' (ret %d), expected '%s'\n", ret == 0 ? buf : "", ret, expected);
        return 0;
    }
    return 1;
}

static void test_lifecycle_and_storage(void)
{
    mbedtls_mpi x, y, z;
    mbedtls_mpi_init(&x);
    CHECK(X_P(x) == NULL && X_N(x) == 0 && X_S(x) == 1);
    mbedtls_mpi_free(&x);
    mbedtls_mpi_free(&x);
    MISUSE(mbedtls_mpi_free(NULL));
    MISUSE(mbedtls_mpi_init(NULL));
    CHECK(X_P(x) == NULL && X_N(x) == 0 && X_S(x) == 1);

    /* A zero-filled mpi is safe to free. */
    memset(&z, 0, sizeof(z));
    mbedtls_mpi_free(&z);

    CHECK_EQ(mbedtls_mpi_grow(&x, 5), 0);
    CHECK_EQ(X_N(x), 5);
    CHECK_EQ(mbedtls_mpi_grow(&x, 3), 0);
    CHECK_EQ(X_N(x), 5);
    MISUSE_EQ(mbedtls_mpi_grow(&x, MBEDTLS_MPI_MAX_LIMBS + 1), MBEDTLS_ERR_MPI_ALLOC_FAILED);
    CHECK_EQ(X_N(x), 5);
    MISUSE_EQ(mbedtls_mpi_grow(NULL, 1), MBEDTLS_ERR_MPI_BAD_INPUT_DATA);
    CHECK_EQ(mbedtls_mpi_lset(&x, 7), 0);
    CHECK_EQ(X_N(x), 5);
    CHECK_EQ(mbedtls_mpi_shrink(&x, 2), 0);
    CHECK_EQ(X_N(x), 2);
    CHECK_EQ(mbedtls_mpi_cmp_int(&x, 7), 0);
    CHECK_EQ(mbedtls_mpi_shrink(&x, 0), 0);
    CHECK_EQ(X_N(x), 1);
    CHECK_EQ(mbedtls_mpi_shrink(&x, 4), 0);
    CHECK_EQ(X_N(x), 4);
    MISUSE_EQ(mbedtls_mpi_shrink(&x, MBEDTLS_MPI_MAX_LIMBS + 1), MBEDTLS_ERR_MPI_ALLOC_FAILED);

    /* copy keeps a larger destination's limbs; self-copy does nothing. */
    mbedtls_mpi_init(&y);
    CHECK_EQ(mbedtls_mpi_lset(&y, -3), 0);
    CHECK_EQ(mbedtls_mpi_copy(&x, &y), 0);
    CHECK_EQ(X_N(x), 4);
    CHECK_EQ(mbedtls_mpi_cmp_int(&x, -3), 0);
    CHECK_EQ(mbedtls_mpi_copy(&x, &x), 0);
    CHECK_EQ(mbedtls_mpi_cmp_int(&x, -3), 0);
    MISUSE_EQ(mbedtls_mpi_copy(NULL, &y), MBEDTLS_ERR_MPI_BAD_INPUT_DATA);
    /* Copying an empty mpi gives +0 with the limbs kept. */
    mbedtls_mpi_init(&z);
    CHECK_EQ(mbedtls_mpi_copy(&x, &z), 0);
    CHECK_EQ(mbedtls_mpi_cmp_int(&x, 0), 0);
    CHECK_EQ(X_S(x), 1);
    CHECK_EQ(X_N(x), 4);

    /* swap exchanges the structs. */
    CHECK_EQ(mbedtls_mpi_lset(&x, 11), 0);
    mbedtls_mpi_uint *px = X_P(x), *py = X_P(y);
    mbedtls_mpi_swap(&x, &y);
    CHECK(X_P(x) == py && X_P(y) == px);
    CHECK_EQ(mbedtls_mpi_cmp_int(&x, -3), 0);
    CHECK_EQ(mbedtls_mpi_cmp_int(&y, 11), 0);
    MISUSE(mbedtls_mpi_swap(&x, NULL));
    CHECK_EQ(mbedtls_mpi_cmp_int(&x, -3), 0);

    /* Constant-time assign and swap. */
    CHECK_EQ(mbedtls_mpi_safe_cond_assign(&x, &y, 0), 0);
    CHECK_EQ(mbedtls_mpi_cmp_int(&x, -3), 0);
    CHECK_EQ(mbedtls_mpi_safe_cond_assign(&x, &y, 1), 0);
    CHECK_EQ(mbedtls_mpi_cmp_int(&x, 11), 0);
    CHECK_EQ(mbedtls_mpi_lset(&x, -5), 0);
    CHECK_EQ(mbedtls_mpi_read_string(&z, 16, "123456789ABCDEF0123456789ABCDEF0"), 0);
    CHECK_EQ(mbedtls_mpi_safe_cond_swap(&x, &z, 0), 0);
    CHECK_EQ(mbedtls_mpi_cmp_int(&x, -5), 0);
    CHECK_EQ(mbedtls_mpi_safe_cond_swap(&x, &z, 1), 0);
    CHECK_EQ(mbedtls_mpi_cmp_int(&z, -5), 0);
    CHECK(X_N(x) == X_N(z));
    CHECK(str_is(&x, 16, "123456789ABCDEF0123456789ABCDEF0"));
    MISUSE_EQ(mbedtls_mpi_safe_cond_assign(NULL, &y, 1), MBEDTLS_ERR_MPI_BAD_INPUT_DATA);
    MISUSE_EQ(mbedtls_mpi_safe_cond_swap(&x, NULL, 1), MBEDTLS_ERR_MPI_BAD_INPUT_DATA);

    /* An mpi whose pointer is NULL with limbs claimed is refused. */
    mbedtls_mpi bad;
    X_P(bad) = NULL;
    X_N(bad) = 3;
    X_S(bad) = 1;
    MISUSE_EQ(mbedtls_mpi_copy(&x, &bad), MBEDTLS_ERR_MPI_BAD_INPUT_DATA);
    MISUSE_EQ(mbedtls_mpi_add_mpi(&x, &bad, &y), MBEDTLS_ERR_MPI_BAD_INPUT_DATA);

    mbedtls_mpi_free(&x);
    mbedtls_mpi_free(&y);
    mbedtls_mpi_free(&z);
}

static void test_bits(void)
{
    mbedtls_mpi x;
    mbedtls_mpi_init(&x);
    CHECK_EQ(mbedtls_mpi_bitlen(&x), 0);
    CHECK_EQ(mbedtls_mpi_size(&x), 0);
    CHECK_EQ(mbedtls_mpi_lsb(&x), 0);
    CHECK_EQ(mbedtls_mpi_get_bit(&x, 100), 0);
    CHECK_EQ(mbedtls_mpi_set_bit(&x, 100, 0), 0);
    CHECK_EQ(X_N(x), 0);
    CHECK_EQ(mbedtls_mpi_set_bit(&x, 100, 1), 0);
    CHECK_EQ(mbedtls_mpi_bitlen(&x), 101);
    CHECK_EQ(mbedtls_mpi_size(&x), 13);
    CHECK_EQ(mbedtls_mpi_lsb(&x), 100);
    CHECK_EQ(mbedtls_mpi_get_bit(&x, 100), 1);
    CHECK_EQ(mbedtls_mpi_get_bit(&x, 99), 0);
    CHECK_EQ(mbedtls_mpi_set_bit(&x, 3, 1), 0);
    CHECK_EQ(mbedtls_mpi_lsb(&x), 3);
    MISUSE_EQ(mbedtls_mpi_set_bit(&x, 3, 2), MBEDTLS_ERR_MPI_BAD_INPUT_DATA);
    MISUSE_EQ(mbedtls_mpi_get_bit(NULL, 3), MBEDTLS_ERR_MPI_BAD_INPUT_DATA);
    MISUSE_EQ(mbedtls_mpi_bitlen(NULL), 0);
    MISUSE_EQ(mbedtls_mpi_size(NULL), 0);
    MISUSE_EQ(mbedtls_mpi_lsb(NULL), 0);
    CHECK_EQ(mbedtls_mpi_lset(&x, -1), 0);
    CHECK_EQ(X_S(x), -1);
    CHECK_EQ(mbedtls_mpi_bitlen(&x), 1);
    /* Clearing the only bit makes +0. */
    CHECK_EQ(mbedtls_mpi_set_bit(&x, 0, 0), 0);
    CHECK_EQ(X_S(x), 1);
    MISUSE_EQ(mbedtls_mpi_lset(NULL, 1), MBEDTLS_ERR_MPI_BAD_INPUT_DATA);
    mbedtls_mpi_free(&x);
}

static void test_strings(void)
{
    mbedtls_mpi x;
    char buf[64];
    size_t olen = 0;
    mbedtls_mpi_init(&x);

    /* Upstream's hex rules: empty for no limbs, "00" for zero. */
    CHECK(str_is(&x, 16, ""));
    CHECK(str_is(&x, 10, "0"));
    CHECK_EQ(mbedtls_mpi_lset(&x, 0), 0);
    CHECK(str_is(&x, 16, "00"));
    CHECK_EQ(mbedtls_mpi_lset(&x, -255), 0);
    CHECK(str_is(&x, 16, "-FF"));
    CHECK(str_is(&x, 10, "-255"));
    CHECK(str_is(&x, 2, "-11111111"));
    CHECK_EQ(mbedtls_mpi_lset(&x, 256), 0);
    CHECK(str_is(&x, 16, "0100"));

    CHECK_EQ(mbedtls_mpi_read_string(&x, 10, A_DEC), 0);
    CHECK(str_is(&x, 10, A_DEC));
    CHECK(str_is(&x, 7, A_BASE7));
    {
        char hex[200];
        snprintf(hex, sizeof(hex), "0%s", A_HEX);
        CHECK(str_is(&x, 16, strlen(A_HEX) % 2 ? hex : A_HEX));
    }
    CHECK_EQ(mbedtls_mpi_read_string(&x, 16, "-abcDEF"), 0);
    CHECK_EQ(mbedtls_mpi_cmp_int(&x, -0xABCDEF), 0);
    CHECK_EQ(mbedtls_mpi_read_string(&x, 10, "-0"), 0);
    CHECK_EQ(X_S(x), 1);
    CHECK_EQ(mbedtls_mpi_read_string(&x, 10, ""), 0);
    CHECK_EQ(mbedtls_mpi_cmp_int(&x, 0), 0);
    MISUSE_EQ(mbedtls_mpi_read_string(&x, 10, "12a"), MBEDTLS_ERR_MPI_INVALID_CHARACTER);
    MISUSE_EQ(mbedtls_mpi_read_string(&x, 8, "18"), MBEDTLS_ERR_MPI_INVALID_CHARACTER);
    MISUSE_EQ(mbedtls_mpi_read_string(&x, 17, "1"), MBEDTLS_ERR_MPI_BAD_INPUT_DATA);
    MISUSE_EQ(mbedtls_mpi_read_string(&x, 1, "1"), MBEDTLS_ERR_MPI_BAD_INPUT_DATA);
    MISUSE_EQ(mbedtls_mpi_read_string(&x, 10, NULL), MBEDTLS_ERR_MPI_BAD_INPUT_DATA);
    MISUSE_EQ(mbedtls_mpi_read_string(NULL, 10, "1"), MBEDTLS_ERR_MPI_BAD_INPUT_DATA);

    /* Buffer too small: the size needed comes back in olen. */
    CHECK_EQ(mbedtls_mpi_read_string(&x, 10, A_DEC), 0);
    MISUSE_EQ(mbedtls_mpi_write_string(&x, 10, buf, 10, &olen), MBEDTLS_ERR_MPI_BUFFER_TOO_SMALL);
    CHECK(olen > strlen(A_DEC));
    {
        char *big = malloc(olen);
        size_t olen2 = 0;
        CHECK(big != NULL);
        if (big != NULL) {
            CHECK_EQ(mbedtls_mpi_write_string(&x, 10, big, olen, &olen2), 0);
            CHECK_EQ(olen2, strlen(A_DEC) + 1);
            free(big);
        }
    }
    MISUSE_EQ(mbedtls_mpi_write_string(&x, 17, buf, sizeof(buf), &olen),
              MBEDTLS_ERR_MPI_BAD_INPUT_DATA);
    MISUSE_EQ(mbedtls_mpi_write_string(&x, 10, buf, sizeof(buf), NULL),
              MBEDTLS_ERR_MPI_BAD_INPUT_DATA);
    MISUSE_EQ(mbedtls_mpi_write_string(&x, 10, NULL, 8, &olen), MBEDTLS_ERR_MPI_BAD_INPUT_DATA);
    mbedtls_mpi_free(&x);
}

#if defined(MBEDTLS_FS_IO)
static void test_files(void)
{
    mbedtls_mpi x, y;
    char line[256];
    mbedtls_mpi_init(&x);
    mbedtls_mpi_init(&y);
    FILE *f = tmpfile();
    CHECK(f != NULL);
    if (f == NULL) {
        return;
    }
    CHECK_EQ(mbedtls_mpi_write_file("Z = ", &x, 16, f), 0);
    CHECK_EQ(mbedtls_mpi_lset(&x, -255), 0);
    CHECK_EQ(mbedtls_mpi_write_file("N = ", &x, 16, f), 0);
    CHECK_EQ(mbedtls_mpi_read_string(&x, 10, A_DEC), 0);
    CHECK_EQ(mbedtls_mpi_write_file(NULL, &x, 10, f), 0);
    MISUSE_EQ(mbedtls_mpi_write_file("E = ", &x, 99, f), MBEDTLS_ERR_MPI_BAD_INPUT_DATA);
    rewind(f);
    CHECK(fgets(line, sizeof(line), f) != NULL && strcmp(line, "Z = \r\n") == 0);
    CHECK(fgets(line, sizeof(line), f) != NULL && strcmp(line, "N = -FF\r\n") == 0);
    rewind(f);
    CHECK_EQ(mbedtls_mpi_read_file(&y, 16, f), 0);
    CHECK_EQ(X_N(y), 0);
    /* The '-' is part of the label: the value read is 255. */
    CHECK_EQ(mbedtls_mpi_read_file(&y, 16, f), 0);
    CHECK_EQ(mbedtls_mpi_cmp_int(&y, 255), 0);
    CHECK_EQ(mbedtls_mpi_read_file(&y, 10, f), 0);
    CHECK(eq_dec(&y, A_DEC));
    CHECK_EQ(mbedtls_mpi_read_file(&y, 10, f), MBEDTLS_ERR_MPI_FILE_IO_ERROR);
    MISUSE_EQ(mbedtls_mpi_read_file(&y, 1, f), MBEDTLS_ERR_MPI_BAD_INPUT_DATA);
    MISUSE_EQ(mbedtls_mpi_read_file(&y, 10, NULL), MBEDTLS_ERR_MPI_BAD_INPUT_DATA);
    fclose(f);

    /* A line that fills the buffer. */
    f = tmpfile();
    CHECK(f != NULL);
    if (f != NULL) {
        for (int i = 0; i < MBEDTLS_MPI_RW_BUFFER_SIZE + 10; i++) {
            fputc('1', f);
        }
        fputc('\n', f);
        rewind(f);
        MISUSE_EQ(mbedtls_mpi_read_file(&y, 10, f), MBEDTLS_ERR_MPI_BUFFER_TOO_SMALL);
        fclose(f);
    }
    mbedtls_mpi_free(&x);
    mbedtls_mpi_free(&y);
}
#endif

static void test_binary(void)
{
    mbedtls_mpi x;
    unsigned char in[13], out[16];
    for (size_t i = 0; i < sizeof(in); i++) {
        in[i] = (unsigned char) (i + 1);
    }
    mbedtls_mpi_init(&x);
    CHECK_EQ(mbedtls_mpi_read_binary(&x, in, sizeof(in)), 0);
    CHECK_EQ(X_N(x), (sizeof(in) + sizeof(mbedtls_mpi_uint) - 1) / sizeof(mbedtls_mpi_uint));
    CHECK(str_is(&x, 16, "0102030405060708090A0B0C0D"));
    CHECK_EQ(mbedtls_mpi_write_binary(&x, out, sizeof(out)), 0);
    CHECK(out[0] == 0 && out[1] == 0 && out[2] == 0 && memcmp(out + 3, in, sizeof(in)) == 0);
    MISUSE_EQ(mbedtls_mpi_write_binary(&x, out, 12), MBEDTLS_ERR_MPI_BUFFER_TOO_SMALL);
    CHECK_EQ(mbedtls_mpi_write_binary_le(&x, out, sizeof(out)), 0);
    CHECK(out[0] == 13 && out[12] == 1 && out[13] == 0 && out[15] == 0);
    MISUSE_EQ(mbedtls_mpi_write_binary_le(&x, out, 12), MBEDTLS_ERR_MPI_BUFFER_TOO_SMALL);
    CHECK_EQ(mbedtls_mpi_read_binary_le(&x, in, sizeof(in)), 0);
    CHECK(str_is(&x, 16, "0D0C0B0A090807060504030201"));
    CHECK_EQ(mbedtls_mpi_read_binary(&x, NULL, 0), 0);
    CHECK_EQ(X_N(x), 0);
    CHECK_EQ(mbedtls_mpi_write_binary(&x, NULL, 0), 0);
    MISUSE_EQ(mbedtls_mpi_read_binary(&x, NULL, 4), MBEDTLS_ERR_MPI_BAD_INPUT_DATA);
    MISUSE_EQ(mbedtls_mpi_write_binary(&x, NULL, 4), MBEDTLS_ERR_MPI_BAD_INPUT_DATA);
    MISUSE_EQ(mbedtls_mpi_read_binary(NULL, in, 4), MBEDTLS_ERR_MPI_BAD_INPUT_DATA);
    mbedtls_mpi_free(&x);
}

static void test_arith(void)
{
    mbedtls_mpi a, b, x, q, r;
    mbedtls_mpi_uint rr = 0;
    mbedtls_mpi_init(&a);
    mbedtls_mpi_init(&b);
    mbedtls_mpi_init(&x);
    mbedtls_mpi_init(&q);
    mbedtls_mpi_init(&r);
    CHECK_EQ(mbedtls_mpi_read_string(&a, 10, A_DEC), 0);
    CHECK_EQ(mbedtls_mpi_read_string(&b, 10, B_DEC), 0);

    /* Known answers. */
    CHECK_EQ(mbedtls_mpi_mul_mpi(&x, &a, &b), 0);
    {
        mbedtls_mpi e;
        mbedtls_mpi_init(&e);
        CHECK_EQ(mbedtls_mpi_read_string(&e, 16, AB_HEX), 0);
        CHECK_EQ(mbedtls_mpi_cmp_mpi(&x, &e), 0);
        mbedtls_mpi_free(&e);
    }
    CHECK_EQ(mbedtls_mpi_div_mpi(&q, &r, &a, &b), 0);
    CHECK(eq_dec(&q, A_DIV_B));
    CHECK(eq_dec(&r, A_MOD_B));
    /* Truncated division of a negative: q and r negative. */
    CHECK_EQ(mbedtls_mpi_lset(&x, -1), 0);
    CHECK_EQ(mbedtls_mpi_mul_mpi(&x, &x, &a), 0);
    CHECK_EQ(mbedtls_mpi_div_mpi(&q, &r, &x, &b), 0);
    CHECK_EQ(X_S(q), -1);
    CHECK_EQ(X_S(r), -1);
    CHECK_EQ(mbedtls_mpi_cmp_abs(&r, &b), -1);
    /* mod is in [0, b). */
    CHECK_EQ(mbedtls_mpi_mod_mpi(&r, &x, &b), 0);
    CHECK_EQ(X_S(r), 1);
    CHECK_EQ(mbedtls_mpi_add_mpi(&r, &r, &q), 0); /* r - a/b... just use it below */
    CHECK_EQ(mbedtls_mpi_mod_int(&rr, &a, 97), 0);
    CHECK_EQ(rr, 81);
    CHECK_EQ(mbedtls_mpi_mod_int(&rr, &x, 97), 0);
    CHECK_EQ(rr, 16);
    MISUSE_EQ(mbedtls_mpi_mod_int(&rr, &a, 0), MBEDTLS_ERR_MPI_DIVISION_BY_ZERO);
    MISUSE_EQ(mbedtls_mpi_mod_int(&rr, &a, -3), MBEDTLS_ERR_MPI_NEGATIVE_VALUE);
    MISUSE_EQ(mbedtls_mpi_mod_int(NULL, &a, 3), MBEDTLS_ERR_MPI_BAD_INPUT_DATA);

    /* Division by zero and negative moduli. */
    CHECK_EQ(mbedtls_mpi_lset(&x, 0), 0);
    MISUSE_EQ(mbedtls_mpi_div_mpi(&q, &r, &a, &x), MBEDTLS_ERR_MPI_DIVISION_BY_ZERO);
    MISUSE_EQ(mbedtls_mpi_div_int(&q, &r, &a, 0), MBEDTLS_ERR_MPI_DIVISION_BY_ZERO);
    MISUSE_EQ(mbedtls_mpi_mod_mpi(&r, &a, &x), MBEDTLS_ERR_MPI_DIVISION_BY_ZERO);
    CHECK_EQ(mbedtls_mpi_lset(&x, -5), 0);
    MISUSE_EQ(mbedtls_mpi_mod_mpi(&r, &a, &x), MBEDTLS_ERR_MPI_NEGATIVE_VALUE);
    /* Q and R may be NULL. */
    CHECK_EQ(mbedtls_mpi_div_int(&q, NULL, &a, -7), 0);
    CHECK_EQ(X_S(q), -1);
    CHECK_EQ(mbedtls_mpi_div_int(NULL, &r, &a, 7), 0);
    CHECK_EQ(mbedtls_mpi_mod_int(&rr, &a, 7), 0);
    CHECK_EQ(mbedtls_mpi_cmp_int(&r, (mbedtls_mpi_sint) rr), 0);

    /* Signed add/sub with aliasing, and zero is positive. */
    CHECK_EQ(mbedtls_mpi_copy(&x, &a), 0);
    CHECK_EQ(mbedtls_mpi_sub_mpi(&x, &x, &x), 0);
    CHECK_EQ(mbedtls_mpi_cmp_int(&x, 0), 0);
    CHECK_EQ(X_S(x), 1);
    CHECK_EQ(mbedtls_mpi_lset(&x, 5), 0);
    CHECK_EQ(mbedtls_mpi_sub_int(&x, &x, 7), 0);
    CHECK_EQ(mbedtls_mpi_cmp_int(&x, -2), 0);
    CHECK_EQ(mbedtls_mpi_add_int(&x, &x, -3), 0);
    CHECK_EQ(mbedtls_mpi_cmp_int(&x, -5), 0);
    CHECK_EQ(mbedtls_mpi_add_abs(&x, &x, &x), 0);
    CHECK_EQ(mbedtls_mpi_cmp_int(&x, 10), 0);
    CHECK_EQ(mbedtls_mpi_lset(&q, -3), 0);
    CHECK_EQ(mbedtls_mpi_sub_abs(&x, &x, &q), 0);
    CHECK_EQ(mbedtls_mpi_cmp_int(&x, 7), 0);
    MISUSE_EQ(mbedtls_mpi_sub_abs(&x, &q, &a), MBEDTLS_ERR_MPI_NEGATIVE_VALUE);
    CHECK_EQ(mbedtls_mpi_mul_int(&x, &x, 6), 0);
    CHECK_EQ(mbedtls_mpi_cmp_int(&x, 42), 0);
    CHECK_EQ(mbedtls_mpi_mul_int(&x, &q, 0), 0);
    CHECK_EQ(X_S(x), 1);
    MISUSE_EQ(mbedtls_mpi_add_mpi(NULL, &a, &b), MBEDTLS_ERR_MPI_BAD_INPUT_DATA);
    MISUSE_EQ(mbedtls_mpi_mul_mpi(&x, NULL, &b), MBEDTLS_ERR_MPI_BAD_INPUT_DATA);
    MISUSE_EQ(mbedtls_mpi_add_int(&x, NULL, 1), MBEDTLS_ERR_MPI_BAD_INPUT_DATA);

    /* Comparisons. */
    CHECK_EQ(mbedtls_mpi_cmp_mpi(&a, &b), 1);
    CHECK_EQ(mbedtls_mpi_cmp_mpi(&b, &a), -1);
    CHECK_EQ(mbedtls_mpi_cmp_mpi(&a, &a), 0);
    CHECK_EQ(mbedtls_mpi_lset(&x, -1), 0);
    CHECK_EQ(mbedtls_mpi_cmp_mpi(&x, &b), -1);
    CHECK_EQ(mbedtls_mpi_cmp_abs(&x, &b), -1);
    CHECK_EQ(mbedtls_mpi_cmp_int(&x, -1), 0);
    CHECK_EQ(mbedtls_mpi_cmp_int(&x, -2), 1);
    CHECK_EQ(mbedtls_mpi_cmp_int(&a, 0), 1);
    {
        unsigned lt = 7;
        mbedtls_mpi c, d;
        mbedtls_mpi_init(&c);
        mbedtls_mpi_init(&d);
        CHECK_EQ(mbedtls_mpi_lset(&c, 3), 0);
        CHECK_EQ(mbedtls_mpi_lset(&d, 5), 0);
        CHECK_EQ(mbedtls_mpi_lt_mpi_ct(&c, &d, &lt), 0);
        CHECK_EQ(lt, 1);
        CHECK_EQ(mbedtls_mpi_lt_mpi_ct(&d, &c, &lt), 0);
        CHECK_EQ(lt, 0);
        CHECK_EQ(mbedtls_mpi_lset(&d, -5), 0);
        CHECK_EQ(mbedtls_mpi_lt_mpi_ct(&d, &c, &lt), 0);
        CHECK_EQ(lt, 1);
        CHECK_EQ(mbedtls_mpi_lset(&c, -7), 0);
        CHECK_EQ(mbedtls_mpi_lt_mpi_ct(&c, &d, &lt), 0);
        CHECK_EQ(lt, 1);
        CHECK_EQ(mbedtls_mpi_lt_mpi_ct(&d, &c, &lt), 0);
        CHECK_EQ(lt, 0);
        CHECK_EQ(mbedtls_mpi_lt_mpi_ct(&c, &c, &lt), 0);
        CHECK_EQ(lt, 0);
        CHECK_EQ(mbedtls_mpi_grow(&d, 3), 0);
        MISUSE_EQ(mbedtls_mpi_lt_mpi_ct(&c, &d, &lt), MBEDTLS_ERR_MPI_BAD_INPUT_DATA);
        MISUSE_EQ(mbedtls_mpi_lt_mpi_ct(&c, &c, NULL), MBEDTLS_ERR_MPI_BAD_INPUT_DATA);
        mbedtls_mpi_free(&c);
        mbedtls_mpi_free(&d);
    }

    /* Shifts. */
    CHECK_EQ(mbedtls_mpi_lset(&x, 1), 0);
    CHECK_EQ(mbedtls_mpi_shift_l(&x, 1000), 0);
    CHECK_EQ(mbedtls_mpi_bitlen(&x), 1001);
    CHECK_EQ(mbedtls_mpi_shift_r(&x, 999), 0);
    CHECK_EQ(mbedtls_mpi_cmp_int(&x, 2), 0);
    CHECK_EQ(mbedtls_mpi_shift_r(&x, 5000), 0);
    CHECK_EQ(mbedtls_mpi_cmp_int(&x, 0), 0);
    CHECK_EQ(mbedtls_mpi_lset(&x, 1), 0);
    MISUSE_EQ(mbedtls_mpi_shift_l(&x, (size_t) MBEDTLS_MPI_MAX_LIMBS * 64 + 64),
              MBEDTLS_ERR_MPI_ALLOC_FAILED);
    CHECK_EQ(mbedtls_mpi_cmp_int(&x, 1), 0);
    MISUSE_EQ(mbedtls_mpi_shift_r(NULL, 1), MBEDTLS_ERR_MPI_BAD_INPUT_DATA);

    mbedtls_mpi_free(&a);
    mbedtls_mpi_free(&b);
    mbedtls_mpi_free(&x);
    mbedtls_mpi_free(&q);
    mbedtls_mpi_free(&r);
}

/* Reference modular exponentiation: square-and-multiply with mul/mod. */
static int ref_exp_mod(mbedtls_mpi *x, const mbedtls_mpi *a, const mbedtls_mpi *e,
                       const mbedtls_mpi *n)
{
    int ret;
    mbedtls_mpi t;
    mbedtls_mpi_init(&t);
    MBEDTLS_MPI_CHK(mbedtls_mpi_lset(&t, 1));
    for (size_t i = mbedtls_mpi_bitlen(e); i > 0; i--) {
        MBEDTLS_MPI_CHK(mbedtls_mpi_mul_mpi(&t, &t, &t));
        MBEDTLS_MPI_CHK(mbedtls_mpi_mod_mpi(&t, &t, n));
        if (mbedtls_mpi_get_bit(e, i - 1)) {
            MBEDTLS_MPI_CHK(mbedtls_mpi_mul_mpi(&t, &t, a));
            MBEDTLS_MPI_CHK(mbedtls_mpi_mod_mpi(&t, &t, n));
        }
    }
    MBEDTLS_MPI_CHK(mbedtls_mpi_mod_mpi(&t, &t, n));
    MBEDTLS_MPI_CHK(mbedtls_mpi_copy(x, &t));
cleanup:
    mbedtls_mpi_free(&t);
    return ret;
}

static void test_identities(void)
{
    uint64_t seed = 0x1234567;
    mbedtls_mpi a, b, n, x, y, q, r, g, rr;
    mbedtls_mpi_init(&a);
    mbedtls_mpi_init(&b);
    mbedtls_mpi_init(&n);
    mbedtls_mpi_init(&x);
    mbedtls_mpi_init(&y);
    mbedtls_mpi_init(&q);
    mbedtls_mpi_init(&r);
    mbedtls_mpi_init(&g);
    mbedtls_mpi_init(&rr);
    int bad = 0;
    for (int i = 0; i < 60; i++) {
        size_t la = 1 + (size_t) (i * 7) % 90, lb = 1 + (size_t) (i * 13) % 70;
        CHECK_EQ(mbedtls_mpi_fill_random(&a, la, xs_rng, &seed), 0);
        CHECK_EQ(mbedtls_mpi_fill_random(&b, lb, xs_rng, &seed), 0);
        if (i & 1) {
            X_S(a) = -1;
        }
        if (mbedtls_mpi_cmp_int(&b, 0) == 0) {
            continue;
        }
        /* (a * b) / b == a, remainder 0; (a + b) - b == a. */
        bad |= mbedtls_mpi_mul_mpi(&x, &a, &b);
        bad |= mbedtls_mpi_div_mpi(&q, &r, &x, &b);
        bad |= mbedtls_mpi_cmp_mpi(&q, &a) != 0 || mbedtls_mpi_cmp_int(&r, 0) != 0;
        bad |= mbedtls_mpi_add_mpi(&x, &a, &b);
        bad |= mbedtls_mpi_sub_mpi(&x, &x, &b);
        bad |= mbedtls_mpi_cmp_mpi(&x, &a) != 0;
        /* a == q*b + r with |r| < |b|. */
        bad |= mbedtls_mpi_div_mpi(&q, &r, &a, &b);
        bad |= mbedtls_mpi_mul_mpi(&x, &q, &b);
        bad |= mbedtls_mpi_add_mpi(&x, &x, &r);
        bad |= mbedtls_mpi_cmp_mpi(&x, &a) != 0 || mbedtls_mpi_cmp_abs(&r, &b) >= 0;
        /* Shifts against multiplication by a power of two. */
        bad |= mbedtls_mpi_copy(&x, &a);
        bad |= mbedtls_mpi_shift_l(&x, (size_t) i + 3);
        bad |= mbedtls_mpi_lset(&y, 1);
        bad |= mbedtls_mpi_shift_l(&y, (size_t) i + 3);
        bad |= mbedtls_mpi_mul_mpi(&y, &y, &a);
        bad |= mbedtls_mpi_cmp_mpi(&x, &y) != 0;
        /* exp_mod against the reference, with an odd modulus and the RR cache. */
        bad |= mbedtls_mpi_copy(&n, &b);
        bad |= mbedtls_mpi_set_bit(&n, 0, 1);
        if (mbedtls_mpi_cmp_int(&n, 1) == 0) {
            continue;
        }
        bad |= mbedtls_mpi_fill_random(&y, 1 + (size_t) i % 40, xs_rng, &seed);
        bad |= mbedtls_mpi_exp_mod(&x, &a, &y, &n, &rr);
        {
            mbedtls_mpi aa;
            mbedtls_mpi_init(&aa);
            bad |= mbedtls_mpi_mod_mpi(&aa, &a, &n);
            bad |= ref_exp_mod(&q, &aa, &y, &n);
            mbedtls_mpi_free(&aa);
        }
        /* For a negative a, upstream's n - (|a|^y mod n) for odd y is
         * (a mod n)^y mod n: the reference already covers it. */
        if (mbedtls_mpi_cmp_mpi(&x, &q) != 0) {
            bad |= 1;
        }
        /* The RR cache holds R^2 mod n for n's limb count. */
        bad |= mbedtls_mpi_lset(&r, 1);
        bad |= mbedtls_mpi_shift_l(&r, 2 * X_N(n) * sizeof(mbedtls_mpi_uint) * 8);
        bad |= mbedtls_mpi_mod_mpi(&r, &r, &n);
        bad |= mbedtls_mpi_cmp_mpi(&r, &rr) != 0;
        bad |= mbedtls_mpi_exp_mod(&y, &a, &y, &n, &rr) != 0;
        mbedtls_mpi_free(&rr);
        /* gcd divides both; inverse times a is 1 when gcd is 1. */
        bad |= mbedtls_mpi_gcd(&g, &a, &n);
        if (mbedtls_mpi_cmp_int(&g, 0) != 0) {
            bad |= mbedtls_mpi_mod_mpi(&r, &n, &g);
            bad |= mbedtls_mpi_cmp_int(&r, 0) != 0;
        }
        if (mbedtls_mpi_cmp_int(&g, 1) == 0) {
            bad |= mbedtls_mpi_inv_mod(&x, &a, &n);
            bad |= mbedtls_mpi_mul_mpi(&x, &x, &a);
            bad |= mbedtls_mpi_mod_mpi(&x, &x, &n);
            bad |= mbedtls_mpi_cmp_int(&x, 1) != 0;
        } else {
            bad |= mbedtls_mpi_inv_mod(&x, &a, &n) != MBEDTLS_ERR_MPI_NOT_ACCEPTABLE;
        }
    }
    CHECK_EQ(bad, 0);

    /* exp_mod errors and edge cases. */
    CHECK_EQ(mbedtls_mpi_lset(&n, 10), 0);
    CHECK_EQ(mbedtls_mpi_lset(&a, 3), 0);
    CHECK_EQ(mbedtls_mpi_lset(&b, 5), 0);
    MISUSE_EQ(mbedtls_mpi_exp_mod(&x, &a, &b, &n, NULL), MBEDTLS_ERR_MPI_BAD_INPUT_DATA);
    CHECK_EQ(mbedtls_mpi_lset(&n, -11), 0);
    MISUSE_EQ(mbedtls_mpi_exp_mod(&x, &a, &b, &n, NULL), MBEDTLS_ERR_MPI_BAD_INPUT_DATA);
    CHECK_EQ(mbedtls_mpi_lset(&n, 11), 0);
    CHECK_EQ(mbedtls_mpi_lset(&b, -1), 0);
    MISUSE_EQ(mbedtls_mpi_exp_mod(&x, &a, &b, &n, NULL), MBEDTLS_ERR_MPI_BAD_INPUT_DATA);
    CHECK_EQ(mbedtls_mpi_lset(&b, 0), 0);
    CHECK_EQ(mbedtls_mpi_exp_mod(&x, &a, &b, &n, NULL), 0);
    CHECK_EQ(mbedtls_mpi_cmp_int(&x, 1), 0);
    CHECK_EQ(mbedtls_mpi_lset(&b, 1), 0);
    CHECK_EQ(mbedtls_mpi_shift_l(&b, MBEDTLS_MPI_MAX_BITS), 0);
    MISUSE_EQ(mbedtls_mpi_exp_mod(&x, &a, &b, &n, NULL), MBEDTLS_ERR_MPI_BAD_INPUT_DATA);
    MISUSE_EQ(mbedtls_mpi_exp_mod(NULL, &a, &b, &n, NULL), MBEDTLS_ERR_MPI_BAD_INPUT_DATA);
    /* inv_mod errors. */
    CHECK_EQ(mbedtls_mpi_lset(&n, 1), 0);
    MISUSE_EQ(mbedtls_mpi_inv_mod(&x, &a, &n), MBEDTLS_ERR_MPI_BAD_INPUT_DATA);
    CHECK_EQ(mbedtls_mpi_lset(&n, 12), 0);
    CHECK_EQ(mbedtls_mpi_lset(&a, -5), 0);
    CHECK_EQ(mbedtls_mpi_inv_mod(&x, &a, &n), 0);
    CHECK_EQ(mbedtls_mpi_cmp_int(&x, 7), 0); /* -5 * 7 = -35 = 1 mod 12 */
    CHECK_EQ(mbedtls_mpi_lset(&a, 4), 0);
    MISUSE_EQ(mbedtls_mpi_inv_mod(&x, &a, &n), MBEDTLS_ERR_MPI_NOT_ACCEPTABLE);
    CHECK_EQ(mbedtls_mpi_lset(&a, 0), 0);
    CHECK_EQ(mbedtls_mpi_gcd(&g, &a, &n), 0);
    CHECK_EQ(mbedtls_mpi_cmp_int(&g, 12), 0);

    mbedtls_mpi_free(&a);
    mbedtls_mpi_free(&b);
    mbedtls_mpi_free(&n);
    mbedtls_mpi_free(&x);
    mbedtls_mpi_free(&y);
    mbedtls_mpi_free(&q);
    mbedtls_mpi_free(&r);
    mbedtls_mpi_free(&g);
    mbedtls_mpi_free(&rr);
}

static void test_random_and_primes(void)
{
    mbedtls_mpi x, n;
    unsigned char c = 1;
    uint64_t seed = 99;
    mbedtls_mpi_init(&x);
    mbedtls_mpi_init(&n);

    /* fill_random: one RNG call, bytes read big-endian, exact limb count. */
    CHECK_EQ(mbedtls_mpi_fill_random(&x, 3, counting_rng, &c), 0);
    CHECK_EQ(mbedtls_mpi_cmp_int(&x, 0x010203), 0);
    CHECK_EQ(X_N(x), 1);
    CHECK_EQ(mbedtls_mpi_fill_random(&x, 20, counting_rng, &c), 0);
    CHECK_EQ(X_N(x), (20 + sizeof(mbedtls_mpi_uint) - 1) / sizeof(mbedtls_mpi_uint));
    CHECK(str_is(&x, 16, "0405060708090A0B0C0D0E0F1011121314151617"));
    MISUSE_EQ(mbedtls_mpi_fill_random(&x, 4, failing_rng, NULL), -0x0034);
    MISUSE_EQ(mbedtls_mpi_fill_random(&x, 4, NULL, NULL), MBEDTLS_ERR_MPI_BAD_INPUT_DATA);

    /* mpi_random: in range, errors. */
    CHECK_EQ(mbedtls_mpi_lset(&n, 1000), 0);
    int out_of_range = 0;
    for (int i = 0; i < 300; i++) {
        if (mbedtls_mpi_random(&x, 7, &n, xs_rng, &seed) != 0 || mbedtls_mpi_cmp_int(&x, 7) < 0 ||
            mbedtls_mpi_cmp_mpi(&x, &n) >= 0) {
            out_of_range++;
        }
    }
    CHECK_EQ(out_of_range, 0);
    MISUSE_EQ(mbedtls_mpi_random(&x, -1, &n, xs_rng, &seed), MBEDTLS_ERR_MPI_BAD_INPUT_DATA);
    MISUSE_EQ(mbedtls_mpi_random(&x, 1000, &n, xs_rng, &seed), MBEDTLS_ERR_MPI_BAD_INPUT_DATA);
    MISUSE_EQ(mbedtls_mpi_random(&x, 1, &n, failing_rng, NULL), -0x0034);
    /* An RNG that only gives 0xFF bytes never lands below 0x100: sampling
     * gives up. */
    CHECK_EQ(mbedtls_mpi_lset(&n, 0x100), 0);
    MISUSE_EQ(mbedtls_mpi_random(&x, 0, &n, ff_rng, NULL), MBEDTLS_ERR_MPI_NOT_ACCEPTABLE);

#if defined(MBEDTLS_GENPRIME)
    /* Known primes and composites. */
    static const char *primes[] = { "2", "3", "997", "1009", "170141183460469231731687303715884105727" };
    static const char *composites[] = { "0", "1", "4", "561", "1000001",
                                        "170141183460469231731687303715884105729" };
    for (size_t i = 0; i < sizeof(primes) / sizeof(primes[0]); i++) {
        CHECK_EQ(mbedtls_mpi_read_string(&x, 10, primes[i]), 0);
        CHECK_EQ(mbedtls_mpi_is_prime_ext(&x, 20, xs_rng, &seed), 0);
    }
    for (size_t i = 0; i < sizeof(composites) / sizeof(composites[0]); i++) {
        CHECK_EQ(mbedtls_mpi_read_string(&x, 10, composites[i]), 0);
        CHECK_EQ(mbedtls_mpi_is_prime_ext(&x, 20, xs_rng, &seed), MBEDTLS_ERR_MPI_NOT_ACCEPTABLE);
    }
    MISUSE_EQ(mbedtls_mpi_is_prime_ext(&x, 20, NULL, NULL), MBEDTLS_ERR_MPI_BAD_INPUT_DATA);
    CHECK_EQ(mbedtls_mpi_read_string(&x, 10, "170141183460469231731687303715884105727"), 0);
    MISUSE_EQ(mbedtls_mpi_is_prime_ext(&x, 20, failing_rng, NULL), -0x0034);

    /* gen_prime: exact size, the sqrt(2) floor, primality, safe primes. */
    int sizes[] = { 3, 64, 127, 512, 1024 };
    for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        int flags = sizes[i] >= 1024 ? MBEDTLS_MPI_GEN_PRIME_FLAG_LOW_ERR : 0;
        CHECK_EQ(mbedtls_mpi_gen_prime(&x, (size_t) sizes[i], flags, xs_rng, &seed), 0);
        CHECK_EQ(mbedtls_mpi_bitlen(&x), sizes[i]);
        CHECK_EQ(mbedtls_mpi_is_prime_ext(&x, 30, xs_rng, &seed), 0);
        if (sizes[i] >= 64) {
            /* x >= sqrt(2) * 2^(bits-1) > 0xB504F333 * 2^(bits-32). */
            CHECK_EQ(mbedtls_mpi_copy(&n, &x), 0);
            CHECK_EQ(mbedtls_mpi_shift_r(&n, (size_t) sizes[i] - 32), 0);
            CHECK(mbedtls_mpi_cmp_int(&n, 0xB504F333) >= 0);
        }
    }
    CHECK_EQ(mbedtls_mpi_gen_prime(&x, 128, MBEDTLS_MPI_GEN_PRIME_FLAG_DH, xs_rng, &seed), 0);
    CHECK_EQ(mbedtls_mpi_copy(&n, &x), 0);
    CHECK_EQ(mbedtls_mpi_shift_r(&n, 1), 0);
    CHECK_EQ(mbedtls_mpi_is_prime_ext(&n, 30, xs_rng, &seed), 0);
    MISUSE_EQ(mbedtls_mpi_gen_prime(&x, 2, 0, xs_rng, &seed), MBEDTLS_ERR_MPI_BAD_INPUT_DATA);
    MISUSE_EQ(mbedtls_mpi_gen_prime(&x, MBEDTLS_MPI_MAX_BITS + 1, 0, xs_rng, &seed),
              MBEDTLS_ERR_MPI_BAD_INPUT_DATA);
    MISUSE_EQ(mbedtls_mpi_gen_prime(&x, 256, 0, failing_rng, NULL), -0x0034);
    MISUSE_EQ(mbedtls_mpi_gen_prime(&x, 256, 0, NULL, NULL), MBEDTLS_ERR_MPI_BAD_INPUT_DATA);
#endif
    mbedtls_mpi_free(&x);
    mbedtls_mpi_free(&n);
}

/* Allocation failure: every call that allocates reports ALLOC_FAILED and
 * leaves its output as it was. */
static int fail_after = -1;
static long live_blocks = 0;
static void *test_calloc(size_t n, size_t size)
{
    if (fail_after == 0) {
        return NULL;
    }
    if (fail_after > 0) {
        fail_after--;
    }
    void *p = calloc(n, size);
    if (p != NULL) {
        live_blocks++;
    }
    return p;
}
static void test_free(void *p)
{
    if (p != NULL) {
        live_blocks--;
    }
    free(p);
}

static void test_alloc_failure(void)
{
    mbedtls_mpi x, a;
    mbedtls_platform_set_calloc_free(test_calloc, test_free);
    mbedtls_mpi_init(&x);
    mbedtls_mpi_init(&a);
    CHECK_EQ(mbedtls_mpi_read_string(&a, 10, A_DEC), 0);
    CHECK_EQ(mbedtls_mpi_lset(&x, 5), 0);
    fail_after = 0;
    MISUSE_EQ(mbedtls_mpi_grow(&x, 40), MBEDTLS_ERR_MPI_ALLOC_FAILED);
    MISUSE_EQ(mbedtls_mpi_mul_mpi(&x, &a, &a), MBEDTLS_ERR_MPI_ALLOC_FAILED);
    MISUSE_EQ(mbedtls_mpi_copy(&x, &a), MBEDTLS_ERR_MPI_ALLOC_FAILED);
    MISUSE_EQ(mbedtls_mpi_read_binary(&x, (const unsigned char *) A_DEC, 40),
              MBEDTLS_ERR_MPI_ALLOC_FAILED);
    CHECK_EQ(mbedtls_mpi_cmp_int(&x, 5), 0);
    fail_after = -1;
    CHECK_EQ(mbedtls_mpi_mul_mpi(&x, &a, &a), 0);
    mbedtls_mpi_free(&x);
    mbedtls_mpi_free(&a);
    CHECK_EQ(live_blocks, 0);
    mbedtls_platform_set_calloc_free(NULL, NULL);
}

int main(void)
{
    test_lifecycle_and_storage();
    test_bits();
    test_strings();
#if defined(MBEDTLS_FS_IO)
    test_files();
#endif
    test_binary();
    test_arith();
    test_identities();
    test_random_and_primes();
    test_alloc_failure();
#if defined(MBEDTLS_SELF_TEST)
    CHECK_EQ(mbedtls_mpi_self_test(1), 0);
#endif
    return harness_finish("test_mod_bignum");
}
