/*
 * rsa_sign_pss.c: signs the SHA-256 hash of a file with RSASSA-PSS
 * (PKCS#1 v2.1, MGF1 with SHA-256, the largest salt up to 32 bytes), what
 * upstream's programs/pkey/rsa_sign_pss.c does through pk.h, here with
 * rsa.h directly. The private key is read from a text file in rsa_genkey's
 * format (N, E, D, P, Q, DP, DQ, QP lines).
 *
 * The signature goes to <file>.sig (or the given signature file) as raw
 * bytes, as upstream's PSS sample writes it; with -hex it is written as
 * upper-case hex bytes, 16 per "\r\n"-terminated line, like rsa_sign's.
 *
 * usage: rsa_sign_pss [-hex] <private key file> <file> [<signature file>]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mbedtls/bignum.h"
#include "mbedtls/ctr_drbg.h"
#include "mbedtls/entropy.h"
#include "mbedtls/md.h"
#include "mbedtls/platform.h"
#include "mbedtls/rsa.h"
#if defined(MBEDTLS_THREADING_C)
#include "mbedtls/threading.h"
#endif

/* Reads the eight private components and sets up the context; 0 on success. */
static int load_private_key(mbedtls_rsa_context *rsa, const char *path)
{
    mbedtls_mpi v[8]; /* N, E, D, P, Q, DP, DQ, QP in file order */
    FILE *f;
    int ret = 0;

    for (int i = 0; i < 8; i++) {
        mbedtls_mpi_init(&v[i]);
    }
    if ((f = fopen(path, "rb")) == NULL) {
        mbedtls_printf("cannot open %s\n", path);
        ret = -1;
        goto done;
    }
    for (int i = 0; i < 8 && ret == 0; i++) {
        ret = mbedtls_mpi_read_file(&v[i], 16, f);
    }
    fclose(f);
    if (ret != 0) {
        mbedtls_printf("mbedtls_mpi_read_file returned -0x%04X\n", (unsigned) -ret);
        goto done;
    }
    /* DP, DQ and QP are recomputed by mbedtls_rsa_complete. */
    if ((ret = mbedtls_rsa_import(rsa, &v[0], &v[3], &v[4], &v[2], &v[1])) != 0) {
        mbedtls_printf("mbedtls_rsa_import returned -0x%04X\n", (unsigned) -ret);
        goto done;
    }
    if ((ret = mbedtls_rsa_complete(rsa)) != 0) {
        mbedtls_printf("mbedtls_rsa_complete returned -0x%04X\n", (unsigned) -ret);
        goto done;
    }
    if ((ret = mbedtls_rsa_check_privkey(rsa)) != 0) {
        mbedtls_printf("mbedtls_rsa_check_privkey returned -0x%04X\n", (unsigned) -ret);
    }
done:
    for (int i = 0; i < 8; i++) {
        mbedtls_mpi_free(&v[i]);
    }
    return ret;
}

/* Writes len bytes as hex lines (binary == 0) or raw; 0 on success. */
static int write_signature(const char *path, const unsigned char *buf, size_t len, int binary)
{
    FILE *f = fopen(path, "wb");
    int ok;

    if (f == NULL) {
        mbedtls_printf("cannot create %s\n", path);
        return -1;
    }
    if (binary) {
        ok = fwrite(buf, 1, len, f) == len;
    } else {
        ok = 1;
        for (size_t i = 0; i < len && ok; i++) {
            const char *sep = ((i + 1) % 16 == 0 || i + 1 == len) ? "\r\n" : " ";
            ok = mbedtls_fprintf(f, "%02X%s", buf[i], sep) > 0;
        }
    }
    if (fclose(f) != 0) {
        ok = 0;
    }
    if (!ok) {
        mbedtls_printf("error writing %s\n", path);
    }
    return ok ? 0 : -1;
}

int main(int argc, char *argv[])
{
#if defined(MBEDTLS_THREADING_ALT)
    /* A firmware or RTOS program installs its mutex first. */
    mbedtls_threading_set_alt(example_alt_mutex_init, example_alt_mutex_free,
                              example_alt_mutex_lock, example_alt_mutex_unlock);
#endif
    mbedtls_rsa_context rsa;
    mbedtls_ctr_drbg_context drbg;
    mbedtls_entropy_context entropy;
    unsigned char hash[32];
    unsigned char sig[MBEDTLS_MPI_MAX_SIZE];
    char sig_path[1024];
    int status = MBEDTLS_EXIT_FAILURE;
    int binary = 1;
    int ret;

    mbedtls_rsa_init(&rsa);
    mbedtls_ctr_drbg_init(&drbg);
    mbedtls_entropy_init(&entropy);

    int arg = 1;
    if (arg < argc && strcmp(argv[arg], "-hex") == 0) {
        binary = 0;
        arg++;
    }
    if (argc - arg != 2 && argc - arg != 3) {
        mbedtls_fprintf(stderr, "usage: %s [-hex] <private key file> <file> [<signature file>]\n",
                        argc > 0 ? argv[0] : "rsa_sign_pss");
        goto exit;
    }
    const char *key_path = argv[arg];
    const char *in_path = argv[arg + 1];
    if (argc - arg == 3) {
        ret = mbedtls_snprintf(sig_path, sizeof(sig_path), "%s", argv[arg + 2]);
    } else {
        ret = mbedtls_snprintf(sig_path, sizeof(sig_path), "%s.sig", in_path);
    }
    if (ret < 0 || (size_t) ret >= sizeof(sig_path)) {
        mbedtls_printf("file name too long\n");
        goto exit;
    }

    /* The private-key operation is blinded, so it needs an RNG. */
    ret = mbedtls_ctr_drbg_seed(&drbg, mbedtls_entropy_func, &entropy,
                                (const unsigned char *) "rsa_sign_pss", 12);
    if (ret != 0) {
        mbedtls_printf("mbedtls_ctr_drbg_seed returned -0x%04X\n", (unsigned) -ret);
        goto exit;
    }
    if (load_private_key(&rsa, key_path) != 0) {
        goto exit;
    }
    /* With V21 the generic sign call makes a PSS signature. */
    ret = mbedtls_rsa_set_padding(&rsa, MBEDTLS_RSA_PKCS_V21, MBEDTLS_MD_SHA256);
    if (ret != 0) {
        mbedtls_printf("mbedtls_rsa_set_padding returned -0x%04X\n", (unsigned) -ret);
        goto exit;
    }

    ret = mbedtls_md_file(mbedtls_md_info_from_type(MBEDTLS_MD_SHA256), in_path, hash);
    if (ret != 0) {
        mbedtls_printf("mbedtls_md_file(%s) returned -0x%04X\n", in_path, (unsigned) -ret);
        goto exit;
    }
    ret = mbedtls_rsa_pkcs1_sign(&rsa, mbedtls_ctr_drbg_random, &drbg, MBEDTLS_MD_SHA256,
                                 (unsigned int) sizeof(hash), hash, sig);
    if (ret != 0) {
        mbedtls_printf("mbedtls_rsa_pkcs1_sign returned -0x%04X\n", (unsigned) -ret);
        goto exit;
    }
    if (write_signature(sig_path, sig, mbedtls_rsa_get_len(&rsa), binary) != 0) {
        goto exit;
    }
    mbedtls_printf("rsa_sign_pss: RSA-PSS/SHA-256 signature written to %s\n", sig_path);
    status = MBEDTLS_EXIT_SUCCESS;

exit:
    mbedtls_rsa_free(&rsa);
    mbedtls_ctr_drbg_free(&drbg);
    mbedtls_entropy_free(&entropy);
    return status;
}
