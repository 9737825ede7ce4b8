/*
 * test_mod_rsa.c: rsa.h through the C API: every function, the error codes
 * a caller can reach, lifecycles, answers of OpenSSL (a signature and two
 * ciphertexts made with `openssl` for a key generated for this test), the
 * fields C code reaches into, and one key shared by several threads
 * (signing, verifying, decrypting, copying, a re-entrant RNG, and a free
 * racing the operations).
 */
#define _POSIX_C_SOURCE 200809L

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mbedtls/bignum.h"
#include "mbedtls/md.h"
#include "mbedtls/rsa.h"
#if defined(MBEDTLS_THREADING_C)
#include <pthread.h>
#endif
#if defined(MBEDTLS_THREADING_ALT)
#include "threading_alt.h"
#endif

#include "harness.h"

#define F(ctx, field) ((ctx).MBEDTLS_PRIVATE(field))

/* A 1024-bit key made with `openssl genrsa 1024` for this test only. */
static const char KEY_N[] =
    "A2E498A154657FABE4A650466115CEB54C9F861DD4AE64F7FA2ACD9F3CFC02F8E41A360D9790BB6994530DA9A5B730082C8C61FE880AAEE3F34A21FA2B61300DB71DB479D8AEEE76F3E22AD29107938A71D296B55B0DBC0564C9EF1BDEA57D46E9C3E9575E7F725D16E7078FB411DA0335C1961973DCE67ACB32CB4F78663B7F";
static const char KEY_P[] =
    "CD5C736ADA9B920AD68FD72B2FB5027EED07B154D0E65F5A2A3A9A8C445540A0E5F3A84B761FE2ACD6FFBD1BAD6C7752F3B84049CE2836391B55A09E167FB455";
static const char KEY_Q[] =
    "CB0F50A47AC760201FC76A9CDB21B69872D0726FFDDACBB996166A69EBE7357D058F388F9BD0CE90C289F3F6E28348919DD74B2C250A7992BAE9D882D9ED2483";
static const char KEY_D[] =
    "88DCB8C11440137D41A7DB5AC6C7A3DE007B281C784DEED7CB819B3267F2F62C58BB0D1F6E715485E8F1BF5102C35FBFFE6E1507DF15DACBFBE61596344C7C2A32C01ED7DF69409A38753648796722A3FC3F09C3C29DB24AD57E227D768518570109732FBCC354D0386CEBF6491DBE0470C0FADF5583AE5E61C0EF13D97B57C1";
/* openssl dgst -sha256 -sign of "mbedcrypto-rs" */
static const char SIG_V15[] =
    "6AC033EA0BABBA1F7BD33BA270FB920D0FE4A0D675772E619073D34529CB0F233D4F65A6DD237E2A2773138BB40224693E329D05B56235D6D06BF8762A992138C04BB6F92511DE3C0CEBC421D085B120CB8E6A5B1C8C015202EA6A49CC8B29534A42783CE220D57E6262744A637031AE307CFAE1D1303EFA82999377183413C4";
/* openssl pkeyutl -encrypt, OAEP with SHA-256 and MGF1-SHA-256 */
static const char CT_OAEP[] =
    "5EA34FE093BB02A75B7CC0B08FB28723E3E535BCB6D24852E30108F586BEE35D053FEABBC39B9CDD0F1FF29811EB47B909676C034310FB3ECEBA134B0B252A8E11539A9123453EC91B6D4ED387EE0B02CE830F2EB04456AA059E8196A340E290839FB8086D1B0932E18011F031C0BEFC27DCB3D956D7274C273EDDFD0CA1EEA7";
/* openssl pkeyutl -encrypt, PKCS#1 v1.5 */
static const char CT_V15[] =
    "68DE1872F31BCA8A4E31665B97C2BE405F5B9729F5E80E6F587C803E92F1024E3A0DB2F6AB3656A4E112A2325C657BFF89B0926B0FE7DE3EB3F0DA7CEC1DDF684E1D781A31378CA77DE1FBCBEC8BE9CB001DF68D0E446DB8E517A331BD6BB47CC750AE4CD480E316840A00A09C86BED1A9D367DCA4B1D351039D622694A3D313";
static const char MSG[] = "mbedcrypto-rs";

static size_t unhex(const char *h, unsigned char *out)
{
    size_t n = strlen(h) / 2;
    for (size_t i = 0; i < n; i++) {
        unsigned v;
        sscanf(h + 2 * i, "%2x", &v);
        out[i] = (unsigned char) v;
    }
    return n;
}

/* xorshift64* over the state at p; thread-safe when each thread has its own. */
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

static int failing_rng(void *p, unsigned char *out, size_t len)
{
    (void) p;
    (void) out;
    (void) len;
    return -0x0034;
}

static void load_key(mbedtls_rsa_context *ctx, int with_n)
{
    unsigned char n[128], p[64], q[64], e[3] = { 1, 0, 1 };
    size_t nl = unhex(KEY_N, n), pl = unhex(KEY_P, p), ql = unhex(KEY_Q, q);
    CHECK_EQ(mbedtls_rsa_import_raw(ctx, with_n ? n : NULL, with_n ? nl : 0, p, pl, q, ql, NULL, 0,
                                    e, sizeof(e)),
             0);
    CHECK_EQ(mbedtls_rsa_complete(ctx), 0);
}

static void sha256(const void *m, size_t len, unsigned char out[32])
{
    CHECK_EQ(mbedtls_md(mbedtls_md_info_from_type(MBEDTLS_MD_SHA256), m, len, out), 0);
}

static void test_setup_and_checks(void)
{
    mbedtls_rsa_context ctx, pub, cpy;
    mbedtls_mpi N, P, Q, D, E, DP, DQ, QP;
    unsigned char buf[128], hash[32];
    uint64_t seed = 5;
    mbedtls_mpi_init(&N);
    mbedtls_mpi_init(&P);
    mbedtls_mpi_init(&Q);
    mbedtls_mpi_init(&D);
    mbedtls_mpi_init(&E);
    mbedtls_mpi_init(&DP);
    mbedtls_mpi_init(&DQ);
    mbedtls_mpi_init(&QP);

    mbedtls_rsa_init(&ctx);
    CHECK_EQ(F(ctx, ver), 1);
    CHECK_EQ(mbedtls_rsa_get_padding_mode(&ctx), MBEDTLS_RSA_PKCS_V15);
    CHECK_EQ(mbedtls_rsa_get_md_alg(&ctx), MBEDTLS_MD_NONE);
    CHECK_EQ(mbedtls_rsa_get_len(&ctx), 0);
    CHECK_EQ(mbedtls_rsa_get_bitlen(&ctx), 0);
    /* An empty context: nothing to complete, nothing to use. */
    MISUSE_EQ(mbedtls_rsa_complete(&ctx), MBEDTLS_ERR_RSA_BAD_INPUT_DATA);
    MISUSE_EQ(mbedtls_rsa_check_pubkey(&ctx), MBEDTLS_ERR_RSA_KEY_CHECK_FAILED);
    MISUSE_EQ(mbedtls_rsa_check_privkey(&ctx), MBEDTLS_ERR_RSA_KEY_CHECK_FAILED);
    MISUSE_EQ(mbedtls_rsa_public(&ctx, buf, buf), MBEDTLS_ERR_RSA_BAD_INPUT_DATA);
    MISUSE_EQ(mbedtls_rsa_private(&ctx, xs_rng, &seed, buf, buf), MBEDTLS_ERR_RSA_BAD_INPUT_DATA);
    MISUSE_EQ(mbedtls_rsa_export(&ctx, NULL, &P, NULL, NULL, NULL), MBEDTLS_ERR_RSA_BAD_INPUT_DATA);
    MISUSE_EQ(mbedtls_rsa_export_crt(&ctx, &DP, NULL, NULL), MBEDTLS_ERR_RSA_BAD_INPUT_DATA);

    /* set_padding. */
    MISUSE_EQ(mbedtls_rsa_set_padding(&ctx, 2, MBEDTLS_MD_NONE), MBEDTLS_ERR_RSA_INVALID_PADDING);
    MISUSE_EQ(mbedtls_rsa_set_padding(&ctx, MBEDTLS_RSA_PKCS_V21, MBEDTLS_MD_MD5),
              MBEDTLS_ERR_RSA_INVALID_PADDING);
    CHECK_EQ(mbedtls_rsa_set_padding(&ctx, MBEDTLS_RSA_PKCS_V21, MBEDTLS_MD_SHA256), 0);
    CHECK_EQ(mbedtls_rsa_get_padding_mode(&ctx), MBEDTLS_RSA_PKCS_V21);
    CHECK_EQ(mbedtls_rsa_get_md_alg(&ctx), MBEDTLS_MD_SHA256);
    CHECK_EQ(mbedtls_rsa_set_padding(&ctx, MBEDTLS_RSA_PKCS_V15, MBEDTLS_MD_SHA1), 0);
    MISUSE_EQ(mbedtls_rsa_set_padding(NULL, 0, 0), MBEDTLS_ERR_RSA_BAD_INPUT_DATA);

    /* From P, Q, E: N, D and the CRT values are derived. */
    load_key(&ctx, 0);
    CHECK_EQ(mbedtls_rsa_get_len(&ctx), 128);
    CHECK_EQ(mbedtls_rsa_get_bitlen(&ctx), 1024);
    CHECK_EQ(mbedtls_rsa_check_pubkey(&ctx), 0);
    CHECK_EQ(mbedtls_rsa_check_privkey(&ctx), 0);
    CHECK_EQ(mbedtls_rsa_export(&ctx, &N, &P, &Q, &D, &E), 0);
    CHECK_EQ(mbedtls_rsa_export_crt(&ctx, &DP, &DQ, &QP), 0);
    {
        mbedtls_mpi t;
        mbedtls_mpi_init(&t);
        CHECK_EQ(mbedtls_mpi_read_string(&t, 16, KEY_N), 0);
        CHECK_EQ(mbedtls_mpi_cmp_mpi(&t, &N), 0);
        /* The fields C code reaches are upstream's. */
        CHECK_EQ(mbedtls_mpi_cmp_mpi(&F(ctx, N), &N), 0);
        CHECK_EQ(F(ctx, len), 128);
        CHECK_EQ(mbedtls_mpi_cmp_int(&F(ctx, E), 65537), 0);
        /* D * E = 1 mod (P-1) whichever of phi or lambda was used. */
        CHECK_EQ(mbedtls_mpi_mul_mpi(&t, &D, &E), 0);
        CHECK_EQ(mbedtls_mpi_sub_int(&t, &t, 1), 0);
        CHECK_EQ(mbedtls_mpi_sub_int(&P, &P, 1), 0);
        CHECK_EQ(mbedtls_mpi_mod_mpi(&t, &t, &P), 0);
        CHECK_EQ(mbedtls_mpi_cmp_int(&t, 0), 0);
        CHECK_EQ(mbedtls_mpi_add_int(&P, &P, 1), 0);
        mbedtls_mpi_free(&t);
    }
    CHECK_EQ(mbedtls_rsa_export_raw(&ctx, buf, 128, NULL, 0, NULL, 0, NULL, 0, NULL, 0), 0);
    {
        unsigned char n[128];
        unhex(KEY_N, n);
        CHECK(memcmp(buf, n, 128) == 0);
    }
    MISUSE_EQ(mbedtls_rsa_export_raw(&ctx, buf, 100, NULL, 0, NULL, 0, NULL, 0, NULL, 0),
              MBEDTLS_ERR_MPI_BUFFER_TOO_SMALL);

    /* A signature equal to OpenSSL's (v1.5 is deterministic). */
    {
        unsigned char sig[128], expect[128];
        unhex(SIG_V15, expect);
        sha256(MSG, strlen(MSG), hash);
        CHECK_EQ(mbedtls_rsa_pkcs1_sign(&ctx, xs_rng, &seed, MBEDTLS_MD_SHA256, 32, hash, sig), 0);
        CHECK(memcmp(sig, expect, 128) == 0);
        CHECK_EQ(mbedtls_rsa_pkcs1_verify(&ctx, MBEDTLS_MD_SHA256, 32, hash, expect), 0);
        expect[5] ^= 0x40;
        CHECK_EQ(mbedtls_rsa_pkcs1_verify(&ctx, MBEDTLS_MD_SHA256, 32, hash, expect),
                 MBEDTLS_ERR_RSA_VERIFY_FAILED);
    }

    /* From N, D, E: P and Q are factored out. */
    {
        mbedtls_rsa_context k2;
        mbedtls_mpi n, d, e;
        mbedtls_mpi_init(&n);
        mbedtls_mpi_init(&d);
        mbedtls_mpi_init(&e);
        mbedtls_rsa_init(&k2);
        CHECK_EQ(mbedtls_mpi_read_string(&n, 16, KEY_N), 0);
        CHECK_EQ(mbedtls_mpi_read_string(&d, 16, KEY_D), 0);
        CHECK_EQ(mbedtls_mpi_lset(&e, 65537), 0);
        CHECK_EQ(mbedtls_rsa_import(&k2, &n, NULL, NULL, &d, &e), 0);
        CHECK_EQ(mbedtls_rsa_complete(&k2), 0);
        CHECK_EQ(mbedtls_rsa_check_privkey(&k2), 0);
        CHECK_EQ(mbedtls_rsa_check_pub_priv(&ctx, &k2), 0);
        mbedtls_mpi prime;
        mbedtls_mpi_init(&prime);
        CHECK_EQ(mbedtls_rsa_export(&k2, NULL, &prime, NULL, NULL, NULL), 0);
        CHECK(mbedtls_mpi_cmp_mpi(&prime, &P) == 0 || mbedtls_mpi_cmp_mpi(&prime, &Q) == 0);
        mbedtls_mpi_free(&prime);
        /* A wrong D cannot be factored. */
        CHECK_EQ(mbedtls_mpi_add_int(&d, &d, 2), 0);
        mbedtls_rsa_free(&k2);
        mbedtls_rsa_init(&k2);
        CHECK_EQ(mbedtls_rsa_import(&k2, &n, NULL, NULL, &d, &e), 0);
        CHECK(mbedtls_rsa_complete(&k2) != 0);
        mbedtls_rsa_free(&k2);
        mbedtls_mpi_free(&n);
        mbedtls_mpi_free(&d);
        mbedtls_mpi_free(&e);
    }

    /* A public key: checks, and private functions refused. */
    mbedtls_rsa_init(&pub);
    CHECK_EQ(mbedtls_rsa_import(&pub, &N, NULL, NULL, NULL, &E), 0);
    CHECK_EQ(mbedtls_rsa_complete(&pub), 0);
    CHECK_EQ(mbedtls_rsa_check_pubkey(&pub), 0);
    MISUSE_EQ(mbedtls_rsa_check_privkey(&pub), MBEDTLS_ERR_RSA_KEY_CHECK_FAILED);
    MISUSE_EQ(mbedtls_rsa_check_pub_priv(&ctx, &pub), MBEDTLS_ERR_RSA_KEY_CHECK_FAILED);
    CHECK_EQ(mbedtls_rsa_check_pub_priv(&pub, &ctx), 0);
    MISUSE_EQ(mbedtls_rsa_private(&pub, xs_rng, &seed, buf, buf), MBEDTLS_ERR_RSA_BAD_INPUT_DATA);
    MISUSE_EQ(mbedtls_rsa_export(&pub, NULL, NULL, NULL, &D, NULL), MBEDTLS_ERR_RSA_BAD_INPUT_DATA);
    CHECK_EQ(mbedtls_rsa_export(&pub, &N, NULL, NULL, NULL, &E), 0);

    /* Fields written directly: the checks see them as upstream does. */
    CHECK_EQ(mbedtls_mpi_lset(&F(pub, E), 4), 0);
    MISUSE_EQ(mbedtls_rsa_check_pubkey(&pub), MBEDTLS_ERR_RSA_KEY_CHECK_FAILED);
    CHECK_EQ(mbedtls_mpi_lset(&F(pub, E), 65537), 0);
    F(pub, len) = 127;
    MISUSE_EQ(mbedtls_rsa_check_pubkey(&pub), MBEDTLS_ERR_RSA_KEY_CHECK_FAILED);
    F(pub, len) = 128;
    CHECK_EQ(mbedtls_rsa_check_pubkey(&pub), 0);

    /* public: input >= N, and aliasing. */
    memset(buf, 0xFF, sizeof(buf));
    MISUSE_EQ(mbedtls_rsa_public(&pub, buf, buf), MBEDTLS_ERR_RSA_PUBLIC_FAILED + MBEDTLS_ERR_MPI_BAD_INPUT_DATA);
    MISUSE_EQ(mbedtls_rsa_private(&ctx, xs_rng, &seed, buf, buf),
              MBEDTLS_ERR_RSA_PRIVATE_FAILED + MBEDTLS_ERR_MPI_BAD_INPUT_DATA);
    MISUSE_EQ(mbedtls_rsa_private(&ctx, NULL, NULL, buf, buf), MBEDTLS_ERR_RSA_BAD_INPUT_DATA);
    buf[0] = 0x01;
    MISUSE_EQ(mbedtls_rsa_private(&ctx, failing_rng, NULL, buf, buf),
              MBEDTLS_ERR_RSA_PRIVATE_FAILED - 0x0034);
    {
        unsigned char x[128], y[128];
        for (int i = 0; i < 128; i++) {
            x[i] = (unsigned char) (i * 7);
        }
        x[0] = 0x12;
        memcpy(y, x, 128);
        CHECK_EQ(mbedtls_rsa_private(&ctx, xs_rng, &seed, y, y), 0);
        CHECK_EQ(mbedtls_rsa_public(&pub, y, y), 0);
        CHECK(memcmp(x, y, 128) == 0);
    }

    /* copy: a working, independent copy. */
    mbedtls_rsa_init(&cpy);
    CHECK_EQ(mbedtls_rsa_copy(&cpy, &ctx), 0);
    CHECK_EQ(mbedtls_rsa_check_privkey(&cpy), 0);
    CHECK_EQ(mbedtls_rsa_get_md_alg(&cpy), MBEDTLS_MD_SHA1);
    {
        unsigned char sig[128];
        sha256(MSG, strlen(MSG), hash);
        CHECK_EQ(mbedtls_rsa_pkcs1_sign(&cpy, xs_rng, &seed, MBEDTLS_MD_SHA256, 32, hash, sig), 0);
        mbedtls_rsa_free(&ctx);
        CHECK_EQ(mbedtls_rsa_pkcs1_verify(&cpy, MBEDTLS_MD_SHA256, 32, hash, sig), 0);
        CHECK_EQ(mbedtls_rsa_pkcs1_verify(&pub, MBEDTLS_MD_SHA256, 32, hash, sig), 0);
    }
    MISUSE_EQ(mbedtls_rsa_copy(NULL, &cpy), MBEDTLS_ERR_RSA_BAD_INPUT_DATA);

    /* free: idempotent, NULL-safe; len/padding kept; ver cleared. */
    CHECK_EQ(F(ctx, ver), 0);
    mbedtls_rsa_free(&ctx);
    MISUSE(mbedtls_rsa_free(NULL));
    {
        mbedtls_rsa_context z;
        memset(&z, 0, sizeof(z));
        mbedtls_rsa_free(&z);
    }
    mbedtls_rsa_free(&cpy);
    mbedtls_rsa_free(&pub);
    mbedtls_mpi_free(&N);
    mbedtls_mpi_free(&P);
    mbedtls_mpi_free(&Q);
    mbedtls_mpi_free(&D);
    mbedtls_mpi_free(&E);
    mbedtls_mpi_free(&DP);
    mbedtls_mpi_free(&DQ);
    mbedtls_mpi_free(&QP);
}

static void test_paddings(void)
{
    mbedtls_rsa_context ctx;
    unsigned char ct[128], pt[128], sig[128], hash[32], big[128];
    size_t olen = 0;
    uint64_t seed = 77;
    memset(big, 0x42, sizeof(big));
    mbedtls_rsa_init(&ctx);
    load_key(&ctx, 1);
    sha256(MSG, strlen(MSG), hash);

    /* OpenSSL's ciphertexts decrypt. */
    unhex(CT_V15, ct);
    CHECK_EQ(mbedtls_rsa_pkcs1_decrypt(&ctx, xs_rng, &seed, &olen, ct, pt, sizeof(pt)), 0);
    CHECK(olen == strlen(MSG) && memcmp(pt, MSG, olen) == 0);
    MISUSE_EQ(mbedtls_rsa_pkcs1_decrypt(&ctx, xs_rng, &seed, &olen, ct, pt, 5),
              MBEDTLS_ERR_RSA_OUTPUT_TOO_LARGE);
    ct[100] ^= 1;
    MISUSE_EQ(mbedtls_rsa_pkcs1_decrypt(&ctx, xs_rng, &seed, &olen, ct, pt, sizeof(pt)),
              MBEDTLS_ERR_RSA_INVALID_PADDING);
    unhex(CT_OAEP, ct);
    /* OAEP needs V21 and a hash. */
    MISUSE_EQ(mbedtls_rsa_rsaes_oaep_decrypt(&ctx, xs_rng, &seed, NULL, 0, &olen, ct, pt, sizeof(pt)),
              MBEDTLS_ERR_RSA_BAD_INPUT_DATA);
    CHECK_EQ(mbedtls_rsa_set_padding(&ctx, MBEDTLS_RSA_PKCS_V21, MBEDTLS_MD_SHA256), 0);
    CHECK_EQ(mbedtls_rsa_pkcs1_decrypt(&ctx, xs_rng, &seed, &olen, ct, pt, sizeof(pt)), 0);
    CHECK(olen == strlen(MSG) && memcmp(pt, MSG, olen) == 0);
    MISUSE_EQ(mbedtls_rsa_rsaes_oaep_decrypt(&ctx, xs_rng, &seed, (const unsigned char *) "L", 1,
                                             &olen, ct, pt, sizeof(pt)),
              MBEDTLS_ERR_RSA_INVALID_PADDING);
    MISUSE_EQ(mbedtls_rsa_rsaes_pkcs1_v15_decrypt(&ctx, xs_rng, &seed, &olen, ct, pt, sizeof(pt)),
              MBEDTLS_ERR_RSA_BAD_INPUT_DATA);

    /* Round trips: OAEP with a label; v1.5 (which works in either mode). */
    CHECK_EQ(mbedtls_rsa_rsaes_oaep_encrypt(&ctx, xs_rng, &seed, (const unsigned char *) "label", 5,
                                            strlen(MSG), (const unsigned char *) MSG, ct),
             0);
    CHECK_EQ(mbedtls_rsa_rsaes_oaep_decrypt(&ctx, xs_rng, &seed, (const unsigned char *) "label", 5,
                                            &olen, ct, pt, sizeof(pt)),
             0);
    CHECK(olen == strlen(MSG) && memcmp(pt, MSG, olen) == 0);
    MISUSE_EQ(mbedtls_rsa_rsaes_oaep_encrypt(&ctx, xs_rng, &seed, NULL, 0, 128 - 2 * 32 - 1, big, ct),
              MBEDTLS_ERR_RSA_BAD_INPUT_DATA);
    CHECK_EQ(mbedtls_rsa_rsaes_oaep_encrypt(&ctx, xs_rng, &seed, NULL, 0, 128 - 2 * 32 - 2, big, ct), 0);
    MISUSE_EQ(mbedtls_rsa_rsaes_oaep_encrypt(&ctx, NULL, NULL, NULL, 0, 4, big, ct),
              MBEDTLS_ERR_RSA_BAD_INPUT_DATA);
    MISUSE_EQ(mbedtls_rsa_rsaes_oaep_encrypt(&ctx, failing_rng, NULL, NULL, 0, 4, big, ct),
              MBEDTLS_ERR_RSA_RNG_FAILED - 0x0034);
    CHECK_EQ(mbedtls_rsa_rsaes_pkcs1_v15_encrypt(&ctx, xs_rng, &seed, 117, big, ct), 0);
    MISUSE_EQ(mbedtls_rsa_rsaes_pkcs1_v15_encrypt(&ctx, xs_rng, &seed, 118, big, ct),
              MBEDTLS_ERR_RSA_BAD_INPUT_DATA);
    MISUSE_EQ(mbedtls_rsa_rsaes_pkcs1_v15_encrypt(&ctx, failing_rng, NULL, 4, big, ct),
              MBEDTLS_ERR_RSA_RNG_FAILED - 0x0034);

    /* PSS: sign, verify with the expected salt, and the mode rules. */
    CHECK_EQ(mbedtls_rsa_pkcs1_sign(&ctx, xs_rng, &seed, MBEDTLS_MD_SHA256, 32, hash, sig), 0);
    CHECK_EQ(mbedtls_rsa_pkcs1_verify(&ctx, MBEDTLS_MD_SHA256, 32, hash, sig), 0);
    CHECK_EQ(mbedtls_rsa_rsassa_pss_verify_ext(&ctx, MBEDTLS_MD_SHA256, 32, hash, MBEDTLS_MD_SHA256,
                                               32, sig),
             0);
    MISUSE_EQ(mbedtls_rsa_rsassa_pss_verify_ext(&ctx, MBEDTLS_MD_SHA256, 32, hash, MBEDTLS_MD_SHA256,
                                                20, sig),
              MBEDTLS_ERR_RSA_INVALID_PADDING);
    CHECK_EQ(mbedtls_rsa_rsassa_pss_sign_ext(&ctx, xs_rng, &seed, MBEDTLS_MD_SHA256, 32, hash, 0, sig), 0);
    CHECK_EQ(mbedtls_rsa_rsassa_pss_verify_ext(&ctx, MBEDTLS_MD_SHA256, 32, hash, MBEDTLS_MD_SHA256,
                                               0, sig),
             0);
    MISUSE_EQ(mbedtls_rsa_rsassa_pss_sign_ext(&ctx, xs_rng, &seed, MBEDTLS_MD_SHA256, 32, hash, 100,
                                              sig),
              MBEDTLS_ERR_RSA_BAD_INPUT_DATA);
    MISUSE_EQ(mbedtls_rsa_rsassa_pss_sign(&ctx, failing_rng, NULL, MBEDTLS_MD_SHA256, 32, hash, sig),
              MBEDTLS_ERR_RSA_RNG_FAILED - 0x0034);
    hash[0] ^= 1;
    MISUSE_EQ(mbedtls_rsa_pkcs1_verify(&ctx, MBEDTLS_MD_SHA256, 32, hash, sig),
              MBEDTLS_ERR_RSA_VERIFY_FAILED);
    hash[0] ^= 1;
    MISUSE_EQ(mbedtls_rsa_rsassa_pkcs1_v15_sign(&ctx, xs_rng, &seed, MBEDTLS_MD_SHA256, 32, hash, sig),
              MBEDTLS_ERR_RSA_BAD_INPUT_DATA);
    MISUSE_EQ(mbedtls_rsa_pkcs1_sign(&ctx, xs_rng, &seed, MBEDTLS_MD_SHA256, 31, hash, sig),
              MBEDTLS_ERR_RSA_BAD_INPUT_DATA);
    MISUSE_EQ(mbedtls_rsa_pkcs1_verify(&ctx, MBEDTLS_MD_SHA256, 32, NULL, sig),
              MBEDTLS_ERR_RSA_BAD_INPUT_DATA);

    /* v1.5 with a raw hash (MD_NONE), in V15 mode. */
    CHECK_EQ(mbedtls_rsa_set_padding(&ctx, MBEDTLS_RSA_PKCS_V15, MBEDTLS_MD_NONE), 0);
    CHECK_EQ(mbedtls_rsa_pkcs1_sign(&ctx, xs_rng, &seed, MBEDTLS_MD_NONE, 20, hash, sig), 0);
    CHECK_EQ(mbedtls_rsa_pkcs1_verify(&ctx, MBEDTLS_MD_NONE, 20, hash, sig), 0);
    MISUSE_EQ(mbedtls_rsa_pkcs1_verify(&ctx, MBEDTLS_MD_NONE, 19, hash, sig),
              MBEDTLS_ERR_RSA_VERIFY_FAILED);
    /* PSS sign needs V21; the RNG failure during v1.5 signing leaves '!'. */
    MISUSE_EQ(mbedtls_rsa_rsassa_pss_sign(&ctx, xs_rng, &seed, MBEDTLS_MD_SHA256, 32, hash, sig),
              MBEDTLS_ERR_RSA_BAD_INPUT_DATA);
    MISUSE_EQ(mbedtls_rsa_pkcs1_sign(&ctx, failing_rng, NULL, MBEDTLS_MD_SHA256, 32, hash, sig),
              MBEDTLS_ERR_RSA_PRIVATE_FAILED - 0x0034);
    CHECK(sig[0] == '!' && sig[127] == '!');
    memset(sig, 0x55, sizeof(sig));
    MISUSE_EQ(mbedtls_rsa_pkcs1_sign(&ctx, NULL, NULL, MBEDTLS_MD_SHA256, 32, hash, sig),
              MBEDTLS_ERR_RSA_BAD_INPUT_DATA);
    CHECK(sig[0] == '!' && sig[127] == '!');
    /* An unknown padding id. */
    F(ctx, padding) = 7;
    MISUSE_EQ(mbedtls_rsa_pkcs1_sign(&ctx, xs_rng, &seed, MBEDTLS_MD_SHA256, 32, hash, sig),
              MBEDTLS_ERR_RSA_INVALID_PADDING);
    MISUSE_EQ(mbedtls_rsa_pkcs1_verify(&ctx, MBEDTLS_MD_SHA256, 32, hash, sig),
              MBEDTLS_ERR_RSA_INVALID_PADDING);
    MISUSE_EQ(mbedtls_rsa_pkcs1_encrypt(&ctx, xs_rng, &seed, 4, big, ct), MBEDTLS_ERR_RSA_INVALID_PADDING);
    MISUSE_EQ(mbedtls_rsa_pkcs1_decrypt(&ctx, xs_rng, &seed, &olen, ct, pt, 128),
              MBEDTLS_ERR_RSA_INVALID_PADDING);
    mbedtls_rsa_free(&ctx);
}

#if defined(MBEDTLS_GENPRIME)
static void test_gen_key(void)
{
    mbedtls_rsa_context ctx;
    uint64_t seed = 1234;
    mbedtls_rsa_init(&ctx);
    MISUSE_EQ(mbedtls_rsa_gen_key(&ctx, xs_rng, &seed, 1023, 65537), MBEDTLS_ERR_RSA_BAD_INPUT_DATA);
    /* A failed gen_key freed the context: free again is harmless, and it
     * must be initialised before reuse. */
    CHECK_EQ(F(ctx, ver), 0);
    mbedtls_rsa_free(&ctx);
    mbedtls_rsa_init(&ctx);
    MISUSE_EQ(mbedtls_rsa_gen_key(&ctx, xs_rng, &seed, 1024, 2), MBEDTLS_ERR_RSA_BAD_INPUT_DATA);
    mbedtls_rsa_init(&ctx);
    MISUSE_EQ(mbedtls_rsa_gen_key(&ctx, failing_rng, NULL, 1024, 65537),
              MBEDTLS_ERR_RSA_KEY_GEN_FAILED - 0x0034);
    mbedtls_rsa_init(&ctx);
    CHECK_EQ(mbedtls_rsa_gen_key(&ctx, xs_rng, &seed, 1024, 65537), 0);
    CHECK_EQ(mbedtls_rsa_get_bitlen(&ctx), 1024);
    CHECK_EQ(mbedtls_rsa_check_privkey(&ctx), 0);
    CHECK(mbedtls_mpi_cmp_mpi(&F(ctx, P), &F(ctx, Q)) > 0);
    {
        unsigned char hash[32] = { 1, 2, 3 }, sig[128];
        CHECK_EQ(mbedtls_rsa_pkcs1_sign(&ctx, xs_rng, &seed, MBEDTLS_MD_SHA256, 32, hash, sig), 0);
        CHECK_EQ(mbedtls_rsa_pkcs1_verify(&ctx, MBEDTLS_MD_SHA256, 32, hash, sig), 0);
    }
    mbedtls_rsa_free(&ctx);
}
#endif

#if defined(MBEDTLS_THREADING_C)
/* One key, several threads: signatures, verifications and decryptions,
 * each result checked; a copy made while they run. */
#define THREADS 4
#define ROUNDS 12
static mbedtls_rsa_context shared;
static unsigned char shared_sig[128], shared_hash[32], shared_ct[128];
static atomic_long wrong;

static void *worker(void *arg)
{
    uint64_t seed = (uint64_t) (uintptr_t) arg * 7919 + 1;
    unsigned char sig[128], pt[128];
    size_t olen;
    for (int i = 0; i < ROUNDS; i++) {
        if (mbedtls_rsa_pkcs1_sign(&shared, xs_rng, &seed, MBEDTLS_MD_SHA256, 32, shared_hash, sig) != 0 ||
            memcmp(sig, shared_sig, 128) != 0) {
            atomic_fetch_add(&wrong, 1);
        }
        if (mbedtls_rsa_pkcs1_verify(&shared, MBEDTLS_MD_SHA256, 32, shared_hash, shared_sig) != 0) {
            atomic_fetch_add(&wrong, 1);
        }
        if (mbedtls_rsa_pkcs1_decrypt(&shared, xs_rng, &seed, &olen, shared_ct, pt, sizeof(pt)) != 0 ||
            olen != strlen(MSG) || memcmp(pt, MSG, olen) != 0) {
            atomic_fetch_add(&wrong, 1);
        }
    }
    return NULL;
}

/* An RNG that signs with the same shared key before answering: the
 * private operation never calls it under the key's lock, so this cannot
 * deadlock. */
static int reentrant_depth;
static int reentrant_rng(void *p, unsigned char *out, size_t len)
{
    if (reentrant_depth == 0) {
        unsigned char sig[128];
        reentrant_depth = 1;
        int r = mbedtls_rsa_pkcs1_sign(&shared, xs_rng, p, MBEDTLS_MD_SHA256, 32, shared_hash, sig);
        reentrant_depth = 0;
        if (r != 0 || memcmp(sig, shared_sig, 128) != 0) {
            return -0x0099;
        }
    }
    return xs_rng(p, out, len);
}

static void *racing_user(void *arg)
{
    (void) arg;
    uint64_t seed = 99;
    unsigned char sig[128];
    for (int i = 0; i < 40; i++) {
        int r = mbedtls_rsa_pkcs1_sign(&shared, xs_rng, &seed, MBEDTLS_MD_SHA256, 32, shared_hash, sig);
        /* Before the free: the right signature; after: an error. */
        if (r == 0 && memcmp(sig, shared_sig, 128) != 0) {
            atomic_fetch_add(&wrong, 1);
        }
        (void) mbedtls_rsa_pkcs1_verify(&shared, MBEDTLS_MD_SHA256, 32, shared_hash, shared_sig);
    }
    return NULL;
}

static void test_threads(void)
{
    pthread_t th[THREADS];
    uint64_t seed = 3;
    mbedtls_rsa_context cpy;
    mbedtls_rsa_init(&shared);
    load_key(&shared, 1);
    sha256(MSG, strlen(MSG), shared_hash);
    CHECK_EQ(mbedtls_rsa_pkcs1_sign(&shared, xs_rng, &seed, MBEDTLS_MD_SHA256, 32, shared_hash, shared_sig), 0);
    CHECK_EQ(mbedtls_rsa_pkcs1_encrypt(&shared, xs_rng, &seed, strlen(MSG), (const unsigned char *) MSG,
                                       shared_ct),
             0);
    for (int i = 0; i < THREADS; i++) {
        CHECK_EQ(pthread_create(&th[i], NULL, worker, (void *) (uintptr_t) i), 0);
    }
    mbedtls_rsa_init(&cpy);
    CHECK_EQ(mbedtls_rsa_copy(&cpy, &shared), 0);
    for (int i = 0; i < THREADS; i++) {
        pthread_join(th[i], NULL);
    }
    CHECK_EQ(atomic_load(&wrong), 0);
    CHECK_EQ(mbedtls_rsa_check_privkey(&cpy), 0);
    {
        unsigned char sig[128];
        CHECK_EQ(mbedtls_rsa_pkcs1_sign(&cpy, xs_rng, &seed, MBEDTLS_MD_SHA256, 32, shared_hash, sig), 0);
        CHECK(memcmp(sig, shared_sig, 128) == 0);
    }
    mbedtls_rsa_free(&cpy);

    /* A re-entrant RNG. */
    {
        unsigned char sig[128];
        CHECK_EQ(mbedtls_rsa_pkcs1_sign(&shared, reentrant_rng, &seed, MBEDTLS_MD_SHA256, 32, shared_hash,
                                        sig),
                 0);
        CHECK(memcmp(sig, shared_sig, 128) == 0);
    }

    /* free racing the operations: no crash, no wrong answer. */
    pthread_t r[2];
    for (int i = 0; i < 2; i++) {
        CHECK_EQ(pthread_create(&r[i], NULL, racing_user, NULL), 0);
    }
    mbedtls_rsa_free(&shared);
    for (int i = 0; i < 2; i++) {
        pthread_join(r[i], NULL);
    }
    CHECK_EQ(atomic_load(&wrong), 0);
    mbedtls_rsa_free(&shared);
}
#endif

int main(void)
{
#if defined(MBEDTLS_THREADING_ALT)
    mbedtls_threading_set_alt(example_alt_mutex_init, example_alt_mutex_free, example_alt_mutex_lock,
                              example_alt_mutex_unlock);
#endif
    test_setup_and_checks();
    test_paddings();
#if defined(MBEDTLS_GENPRIME)
    test_gen_key();
#endif
#if defined(MBEDTLS_THREADING_C)
    test_threads();
#endif
#if defined(MBEDTLS_SELF_TEST)
    CHECK_EQ(mbedtls_rsa_self_test(1), 0);
#endif
    return harness_finish("test_mod_rsa");
}
