/*
 * rsa_verify.c: checks a PKCS#1 v1.5 RSA/SHA-256 signature of a file, the
 * calls of upstream's programs/pkey/rsa_verify.c. The public key is read
 * from a text file in rsa_genkey's format (N and E lines; a private key
 * file works too, its first two lines being the same).
 *
 * The signature is read from <file>.sig (or the given signature file) as
 * hex bytes separated by white space, as rsa_sign writes it; with -bin it
 * is read as raw bytes. Exits with success only if the signature is valid.
 *
 * usage: rsa_verify [-bin] <public key file> <file> [<signature file>]
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mbedtls/bignum.h"
#include "mbedtls/md.h"
#include "mbedtls/platform.h"
#include "mbedtls/rsa.h"
#if defined(MBEDTLS_THREADING_C)
#include "mbedtls/threading.h"
#endif

/* Reads N and E and sets up the context; 0 on success. */
static int load_public_key(mbedtls_rsa_context *rsa, const char *path)
{
    mbedtls_mpi N, E;
    FILE *f;
    int ret;

    mbedtls_mpi_init(&N);
    mbedtls_mpi_init(&E);
    if ((f = fopen(path, "rb")) == NULL) {
        mbedtls_printf("cannot open %s\n", path);
        ret = -1;
        goto done;
    }
    ret = mbedtls_mpi_read_file(&N, 16, f);
    if (ret == 0) {
        ret = mbedtls_mpi_read_file(&E, 16, f);
    }
    fclose(f);
    if (ret != 0) {
        mbedtls_printf("mbedtls_mpi_read_file returned -0x%04X\n", (unsigned) -ret);
        goto done;
    }
    if ((ret = mbedtls_rsa_import(rsa, &N, NULL, NULL, NULL, &E)) != 0) {
        mbedtls_printf("mbedtls_rsa_import returned -0x%04X\n", (unsigned) -ret);
        goto done;
    }
    if ((ret = mbedtls_rsa_complete(rsa)) != 0) {
        mbedtls_printf("mbedtls_rsa_complete returned -0x%04X\n", (unsigned) -ret);
    }
done:
    mbedtls_mpi_free(&N);
    mbedtls_mpi_free(&E);
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
static long read_signature(const char *path, unsigned char *buf, size_t max, int binary)
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
        mbedtls_printf("%s: not a signature file\n", path);
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
    unsigned char hash[32];
    unsigned char sig[MBEDTLS_MPI_MAX_SIZE];
    char sig_path[1024];
    int status = MBEDTLS_EXIT_FAILURE;
    int binary = 0;
    int ret;

    mbedtls_rsa_init(&rsa);

    int arg = 1;
    if (arg < argc && strcmp(argv[arg], "-bin") == 0) {
        binary = 1;
        arg++;
    }
    if (argc - arg != 2 && argc - arg != 3) {
        mbedtls_fprintf(stderr, "usage: %s [-bin] <public key file> <file> [<signature file>]\n",
                        argc > 0 ? argv[0] : "rsa_verify");
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

    if (load_public_key(&rsa, key_path) != 0) {
        goto exit;
    }
    long siglen = read_signature(sig_path, sig, sizeof(sig), binary);
    if (siglen < 0) {
        goto exit;
    }
    if ((size_t) siglen != mbedtls_rsa_get_len(&rsa)) {
        mbedtls_printf("%s: %ld bytes, but the key needs %u\n", sig_path, siglen,
                       (unsigned) mbedtls_rsa_get_len(&rsa));
        goto exit;
    }

    ret = mbedtls_md_file(mbedtls_md_info_from_type(MBEDTLS_MD_SHA256), in_path, hash);
    if (ret != 0) {
        mbedtls_printf("mbedtls_md_file(%s) returned -0x%04X\n", in_path, (unsigned) -ret);
        goto exit;
    }
    ret = mbedtls_rsa_pkcs1_verify(&rsa, MBEDTLS_MD_SHA256, (unsigned int) sizeof(hash),
                                   hash, sig);
    if (ret != 0) {
        mbedtls_printf("rsa_verify: INVALID signature (mbedtls_rsa_pkcs1_verify returned -0x%04X)\n",
                       (unsigned) -ret);
        goto exit;
    }
    mbedtls_printf("rsa_verify: OK, the RSA/SHA-256 signature in %s is valid\n", sig_path);
    status = MBEDTLS_EXIT_SUCCESS;

exit:
    mbedtls_rsa_free(&rsa);
    return status;
}
