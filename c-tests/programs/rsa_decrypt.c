/*
 * rsa_decrypt.c: decrypts a ciphertext with an RSA private key, the calls
 * of upstream's programs/pkey/rsa_decrypt.c. The key is read from a text
 * file in rsa_genkey's format (N, E, D, P, Q, DP, DQ, QP lines).
 *
 * The ciphertext is read as hex bytes separated by white space (what
 * rsa_encrypt writes), or with -bin as raw bytes. Padding is PKCS#1 v1.5,
 * or with -oaep PKCS#1 v2.1 OAEP with SHA-256 (also for MGF1) and an empty
 * label. The message is printed (bytes outside printable ASCII as \xNN)
 * and, if an output file is named, written there as raw bytes.
 *
 * usage: rsa_decrypt [-oaep] [-bin] <private key file> <ciphertext file> [<output file>]
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mbedtls/bignum.h"
#include "mbedtls/ctr_drbg.h"
#include "mbedtls/entropy.h"
#include "mbedtls/platform.h"
#include "mbedtls/platform_util.h"
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
    }
done:
    for (int i = 0; i < 8; i++) {
        mbedtls_mpi_free(&v[i]);
    }
    return ret;
}

static int hex_value(int c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

/*
 * Reads up to max bytes: raw, or hex byte pairs separated by white space.
 * Returns the byte count, or -1 on a read error, a malformed file or more
 * than max bytes.
 */
static long read_bytes(const char *path, unsigned char *buf, size_t max, int binary)
{
    FILE *f = fopen(path, "rb");
    long count = 0;
    int c;

    if (f == NULL) {
        mbedtls_printf("cannot open %s\n", path);
        return -1;
    }
    if (binary) {
        size_t n = fread(buf, 1, max, f);
        count = (long) n;
        if (ferror(f) || (n == max && fgetc(f) != EOF)) {
            count = -1;
        }
    } else {
        while (count >= 0 && (c = fgetc(f)) != EOF) {
            if (isspace(c)) {
                continue;
            }
            int hi = hex_value(c);
            int lo = hex_value(fgetc(f));
            if (hi < 0 || lo < 0 || (size_t) count == max) {
                count = -1;
            } else {
                buf[count++] = (unsigned char) (hi << 4 | lo);
            }
        }
        if (ferror(f)) {
            count = -1;
        }
    }
    fclose(f);
    if (count < 0) {
        mbedtls_printf("%s: not a ciphertext file\n", path);
    }
    return count;
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
    unsigned char in[MBEDTLS_MPI_MAX_SIZE];
    unsigned char result[MBEDTLS_MPI_MAX_SIZE];
    size_t olen = 0;
    int status = MBEDTLS_EXIT_FAILURE;
    int oaep = 0, binary = 0;
    int ret;

    mbedtls_rsa_init(&rsa);
    mbedtls_ctr_drbg_init(&drbg);
    mbedtls_entropy_init(&entropy);

    int arg = 1;
    for (; arg < argc && argv[arg][0] == '-'; arg++) {
        if (strcmp(argv[arg], "-oaep") == 0) {
            oaep = 1;
        } else if (strcmp(argv[arg], "-bin") == 0) {
            binary = 1;
        } else {
            break;
        }
    }
    if (argc - arg != 2 && argc - arg != 3) {
        mbedtls_fprintf(stderr, "usage: %s [-oaep] [-bin] <private key file> <ciphertext file> "
                                "[<output file>]\n", argc > 0 ? argv[0] : "rsa_decrypt");
        goto exit;
    }
    const char *key_path = argv[arg];
    const char *in_path = argv[arg + 1];
    const char *out_path = argc - arg == 3 ? argv[arg + 2] : NULL;

    /* The private-key operation is blinded, so it needs an RNG. */
    ret = mbedtls_ctr_drbg_seed(&drbg, mbedtls_entropy_func, &entropy,
                                (const unsigned char *) "rsa_decrypt", 11);
    if (ret != 0) {
        mbedtls_printf("mbedtls_ctr_drbg_seed returned -0x%04X\n", (unsigned) -ret);
        goto exit;
    }
    if (load_private_key(&rsa, key_path) != 0) {
        goto exit;
    }
    if (oaep) {
        ret = mbedtls_rsa_set_padding(&rsa, MBEDTLS_RSA_PKCS_V21, MBEDTLS_MD_SHA256);
        if (ret != 0) {
            mbedtls_printf("mbedtls_rsa_set_padding returned -0x%04X\n", (unsigned) -ret);
            goto exit;
        }
    }

    long in_len = read_bytes(in_path, in, sizeof(in), binary);
    if (in_len < 0) {
        goto exit;
    }
    if ((size_t) in_len != mbedtls_rsa_get_len(&rsa)) {
        mbedtls_printf("%s: %ld bytes, but the key needs %u\n", in_path, in_len,
                       (unsigned) mbedtls_rsa_get_len(&rsa));
        goto exit;
    }

    ret = mbedtls_rsa_pkcs1_decrypt(&rsa, mbedtls_ctr_drbg_random, &drbg, &olen,
                                    in, result, sizeof(result));
    if (ret != 0) {
        mbedtls_printf("mbedtls_rsa_pkcs1_decrypt returned -0x%04X\n", (unsigned) -ret);
        goto exit;
    }

    mbedtls_printf("rsa_decrypt: the decrypted result is: '");
    for (size_t i = 0; i < olen; i++) {
        if (isprint(result[i]) && result[i] != '\\') {
            mbedtls_printf("%c", result[i]);
        } else {
            mbedtls_printf("\\x%02X", result[i]);
        }
    }
    mbedtls_printf("' (%u bytes, %s)\n", (unsigned) olen, oaep ? "OAEP/SHA-256" : "PKCS#1 v1.5");

    if (out_path != NULL) {
        FILE *f = fopen(out_path, "wb");
        if (f == NULL) {
            mbedtls_printf("cannot create %s\n", out_path);
            goto exit;
        }
        int ok = fwrite(result, 1, olen, f) == olen;
        if (fclose(f) != 0 || !ok) {
            mbedtls_printf("error writing %s\n", out_path);
            goto exit;
        }
    }
    status = MBEDTLS_EXIT_SUCCESS;

exit:
    mbedtls_platform_zeroize(result, sizeof(result));
    mbedtls_rsa_free(&rsa);
    mbedtls_ctr_drbg_free(&drbg);
    mbedtls_entropy_free(&entropy);
    return status;
}
