/*
 * rsa_encrypt.c: encrypts a short message with an RSA public key, the calls
 * of upstream's programs/pkey/rsa_encrypt.c. The key is read from a text
 * file in rsa_genkey's format (N and E lines).
 *
 * The message is the <message> argument itself, or with -f the contents of
 * the file it names. Padding is PKCS#1 v1.5, or with -oaep PKCS#1 v2.1 OAEP
 * with SHA-256 (also for MGF1) and an empty label. The ciphertext is written
 * as upper-case hex bytes, 16 per "\r\n"-terminated line (upstream's
 * result-enc.txt format), or with -bin as raw bytes.
 *
 * usage: rsa_encrypt [-oaep] [-bin] [-f] <public key file> <message> <output file>
 */
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

/* Writes len bytes as hex lines (binary == 0) or raw; 0 on success. */
static int write_bytes(const char *path, const unsigned char *buf, size_t len, int binary)
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
    unsigned char msg[MBEDTLS_MPI_MAX_SIZE];
    unsigned char out[MBEDTLS_MPI_MAX_SIZE];
    size_t msg_len = 0;
    int status = MBEDTLS_EXIT_FAILURE;
    int oaep = 0, binary = 0, from_file = 0;
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
        } else if (strcmp(argv[arg], "-f") == 0) {
            from_file = 1;
        } else {
            break;
        }
    }
    if (argc - arg != 3) {
        mbedtls_fprintf(stderr, "usage: %s [-oaep] [-bin] [-f] <public key file> <message> "
                                "<output file>\n", argc > 0 ? argv[0] : "rsa_encrypt");
        goto exit;
    }
    const char *key_path = argv[arg];
    const char *message = argv[arg + 1];
    const char *out_path = argv[arg + 2];

    if (from_file) {
        FILE *f = fopen(message, "rb");
        if (f == NULL) {
            mbedtls_printf("cannot open %s\n", message);
            goto exit;
        }
        msg_len = fread(msg, 1, sizeof(msg), f);
        int bad = ferror(f) || (msg_len == sizeof(msg) && fgetc(f) != EOF);
        fclose(f);
        if (bad) {
            mbedtls_printf("%s: read error or too long\n", message);
            goto exit;
        }
    } else {
        msg_len = strlen(message);
        if (msg_len > sizeof(msg)) {
            mbedtls_printf("message too long\n");
            goto exit;
        }
        memcpy(msg, message, msg_len);
    }

    ret = mbedtls_ctr_drbg_seed(&drbg, mbedtls_entropy_func, &entropy,
                                (const unsigned char *) "rsa_encrypt", 11);
    if (ret != 0) {
        mbedtls_printf("mbedtls_ctr_drbg_seed returned -0x%04X\n", (unsigned) -ret);
        goto exit;
    }
    if (load_public_key(&rsa, key_path) != 0) {
        goto exit;
    }
    if (oaep) {
        ret = mbedtls_rsa_set_padding(&rsa, MBEDTLS_RSA_PKCS_V21, MBEDTLS_MD_SHA256);
        if (ret != 0) {
            mbedtls_printf("mbedtls_rsa_set_padding returned -0x%04X\n", (unsigned) -ret);
            goto exit;
        }
    }

    ret = mbedtls_rsa_pkcs1_encrypt(&rsa, mbedtls_ctr_drbg_random, &drbg, msg_len, msg, out);
    if (ret != 0) {
        mbedtls_printf("mbedtls_rsa_pkcs1_encrypt returned -0x%04X\n", (unsigned) -ret);
        goto exit;
    }
    if (write_bytes(out_path, out, mbedtls_rsa_get_len(&rsa), binary) != 0) {
        goto exit;
    }
    mbedtls_printf("rsa_encrypt: %u-byte message encrypted (%s) into %s\n",
                   (unsigned) msg_len, oaep ? "OAEP/SHA-256" : "PKCS#1 v1.5", out_path);
    status = MBEDTLS_EXIT_SUCCESS;

exit:
    mbedtls_platform_zeroize(msg, sizeof(msg));
    mbedtls_rsa_free(&rsa);
    mbedtls_ctr_drbg_free(&drbg);
    mbedtls_entropy_free(&entropy);
    return status;
}
