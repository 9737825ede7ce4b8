/*
 * rsa_files.h: what the RSA sample programs (rsa_genkey, rsa_sign,
 * rsa_verify, rsa_sign_pss, rsa_verify_pss, rsa_encrypt, rsa_decrypt) have
 * in common. The Makefile builds each program from its one .c file, so the
 * functions here are static, and each program leaves unused the ones it
 * does not need (the build passes -Wno-unused-function).
 *
 *  - key files, in the text format of mbedtls_mpi_write_file: one
 *    "NAME = <HEX>" line per component, N and E in a public key file and
 *    N, E, D, P, Q, DP, DQ, QP in a private one (so a private key file also
 *    reads as a public one);
 *  - signature and ciphertext files: upper-case hex bytes separated by
 *    spaces, 16 per "\r\n"-terminated line (any white space between bytes
 *    when reading), or raw bytes;
 *  - the CTR_DRBG, seeded from the entropy sources, of the programs that
 *    need randomness;
 *  - the whole of the sign and verify programs: rsa_sign and rsa_sign_pss
 *    differ only in the padding and the default signature file format, and
 *    so do rsa_verify and rsa_verify_pss.
 *
 * Failures are reported on standard output, naming the call that failed
 * and its error code, and the function returns non-zero.
 */
#ifndef RSA_FILES_H
#define RSA_FILES_H

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mbedtls/bignum.h"
#include "mbedtls/ctr_drbg.h"
#include "mbedtls/entropy.h"
#include "mbedtls/md.h"
#include "mbedtls/platform.h"
#include "mbedtls/platform_util.h"
#include "mbedtls/rsa.h"
#if defined(MBEDTLS_THREADING_C)
#include "mbedtls/threading.h"
#endif

/* The two formats of signature and ciphertext files (the `binary` flag). */
#define HEX_FILE 0
#define BINARY_FILE 1

/* Prints "<call> returned -0xNNNN" for a failed library call. */
static void print_ret(const char *call, int ret)
{
    mbedtls_printf("%s returned -0x%04X\n", call, (unsigned) -ret);
}

/* The first thing main() does: a firmware or RTOS program installs its mutex. */
static void install_alt_mutex(void)
{
#if defined(MBEDTLS_THREADING_ALT)
    mbedtls_threading_set_alt(example_alt_mutex_init, example_alt_mutex_free,
                              example_alt_mutex_lock, example_alt_mutex_unlock);
#endif
}

/* A CTR_DRBG together with the entropy context that seeds it. */
struct rsa_rng {
    mbedtls_ctr_drbg_context drbg;
    mbedtls_entropy_context entropy;
};

static void rng_init(struct rsa_rng *rng)
{
    mbedtls_ctr_drbg_init(&rng->drbg);
    mbedtls_entropy_init(&rng->entropy);
}

static void rng_free(struct rsa_rng *rng)
{
    mbedtls_ctr_drbg_free(&rng->drbg);
    mbedtls_entropy_free(&rng->entropy);
}

/* Seeds the DRBG, the program's name serving as personalisation; 0 on success. */
static int rng_seed(struct rsa_rng *rng, const char *name)
{
    int ret = mbedtls_ctr_drbg_seed(&rng->drbg, mbedtls_entropy_func, &rng->entropy,
                                    (const unsigned char *) name, strlen(name));
    if (ret != 0) {
        print_ret("mbedtls_ctr_drbg_seed", ret);
    }
    return ret;
}

/* Writes the labelled components to a new key file; 0 on success. */
static int write_key_file(const char *path, const char *const *labels,
                          const mbedtls_mpi *const *values, size_t count)
{
    FILE *f = fopen(path, "wb");
    int ret = 0;

    if (f == NULL) {
        mbedtls_printf("cannot create %s\n", path);
        return -1;
    }
    for (size_t i = 0; i < count && ret == 0; i++) {
        ret = mbedtls_mpi_write_file(labels[i], values[i], 16, f);
        if (ret != 0) {
            mbedtls_printf("mbedtls_mpi_write_file(%s) returned -0x%04X\n",
                           labels[i], (unsigned) -ret);
        }
    }
    if (fclose(f) != 0 && ret == 0) {
        mbedtls_printf("error closing %s\n", path);
        ret = -1;
    }
    return ret;
}

/*
 * Reads a key file: N and E only, or with private_key all eight lines, and
 * sets up the context. DP, DQ and QP must be present in a private key file
 * but are not imported: mbedtls_rsa_complete computes them again. The
 * private key is not checked beyond what mbedtls_rsa_complete does.
 * Returns 0 on success.
 */
static int load_key(mbedtls_rsa_context *rsa, const char *path, int private_key)
{
    mbedtls_mpi v[8]; /* N, E, D, P, Q, DP, DQ, QP in file order */
    const int count = private_key ? 8 : 2;
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
    for (int i = 0; i < count && ret == 0; i++) {
        ret = mbedtls_mpi_read_file(&v[i], 16, f);
    }
    fclose(f);
    if (ret != 0) {
        print_ret("mbedtls_mpi_read_file", ret);
        goto done;
    }
    if (private_key) {
        ret = mbedtls_rsa_import(rsa, &v[0], &v[3], &v[4], &v[2], &v[1]);
    } else {
        ret = mbedtls_rsa_import(rsa, &v[0], NULL, NULL, NULL, &v[1]);
    }
    if (ret != 0) {
        print_ret("mbedtls_rsa_import", ret);
        goto done;
    }
    if ((ret = mbedtls_rsa_complete(rsa)) != 0) {
        print_ret("mbedtls_rsa_complete", ret);
    }
done:
    for (int i = 0; i < 8; i++) {
        mbedtls_mpi_free(&v[i]);
    }
    return ret;
}

static int load_public_key(mbedtls_rsa_context *rsa, const char *path)
{
    return load_key(rsa, path, 0);
}

static int load_private_key(mbedtls_rsa_context *rsa, const char *path)
{
    return load_key(rsa, path, 1);
}

/* Switches the context to PKCS#1 v2.1 (PSS, OAEP) with SHA-256; 0 on success. */
static int use_pkcs1_v21(mbedtls_rsa_context *rsa)
{
    int ret = mbedtls_rsa_set_padding(rsa, MBEDTLS_RSA_PKCS_V21, MBEDTLS_MD_SHA256);
    if (ret != 0) {
        print_ret("mbedtls_rsa_set_padding", ret);
    }
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

/* The value of one hex digit, or -1 for any other character (EOF too). */
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
 * than max bytes; in that case "<path>: <complaint>" is printed.
 */
static long read_bytes(const char *path, unsigned char *buf, size_t max, int binary,
                       const char *complaint)
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
        mbedtls_printf("%s: %s\n", path, complaint);
    }
    return count;
}

/*
 * Reads a signature or ciphertext file, which must hold exactly as many
 * bytes as the key's modulus, into buf of max bytes (complaint as for
 * read_bytes); 0 on success.
 */
static int read_key_block(const mbedtls_rsa_context *rsa, const char *path,
                          unsigned char *buf, size_t max, int binary, const char *complaint)
{
    long len = read_bytes(path, buf, max, binary, complaint);
    if (len < 0) {
        return -1;
    }
    if ((size_t) len != mbedtls_rsa_get_len(rsa)) {
        mbedtls_printf("%s: %ld bytes, but the key needs %u\n", path, len,
                       (unsigned) mbedtls_rsa_get_len(rsa));
        return -1;
    }
    return 0;
}

/* The SHA-256 hash of a file's contents; 0 on success. */
static int hash_file(const char *path, unsigned char hash[32])
{
    int ret = mbedtls_md_file(mbedtls_md_info_from_type(MBEDTLS_MD_SHA256), path, hash);
    if (ret != 0) {
        mbedtls_printf("mbedtls_md_file(%s) returned -0x%04X\n", path, (unsigned) -ret);
    }
    return ret;
}

/*
 * Sets *flags[i] to 1 for each leading argument equal to names[i]; stops at
 * the first argument that is not one of the names. Returns the index of
 * that argument.
 */
static int parse_flags(int argc, char *argv[], const char *const *names, int *const *flags,
                       size_t count)
{
    int arg = 1;

    for (; arg < argc && argv[arg][0] == '-'; arg++) {
        size_t i = 0;
        while (i < count && strcmp(argv[arg], names[i]) != 0) {
            i++;
        }
        if (i == count) {
            break;
        }
        *flags[i] = 1;
    }
    return arg;
}

/* One run of a sign or verify program: its command line and its buffers. */
struct sig_job {
    const char *key_path;
    const char *in_path;
    char sig_path[1024];
    int binary;
    unsigned char hash[32]; /* SHA-256 of the file at in_path */
    unsigned char sig[MBEDTLS_MPI_MAX_SIZE];
};

/*
 * Parses "[<option>] <key file> <file> [<signature file>]", where the
 * signature file defaults to <file>.sig. Without the option the signature
 * file's format is binary_default; the option, -hex where that is binary
 * and -bin where it is hex, selects the other one. key_kind ("private" or
 * "public") and name (if argv[0] is missing) go into the usage line.
 * Returns 0 on success.
 */
static int parse_sig_args(int argc, char *argv[], const char *name, const char *key_kind,
                          int binary_default, struct sig_job *job)
{
    const char *option = binary_default ? "-hex" : "-bin";
    int arg = 1;
    int ret;

    job->binary = binary_default;
    if (arg < argc && strcmp(argv[arg], option) == 0) {
        job->binary = !binary_default;
        arg++;
    }
    if (argc - arg != 2 && argc - arg != 3) {
        mbedtls_fprintf(stderr, "usage: %s [%s] <%s key file> <file> [<signature file>]\n",
                        argc > 0 ? argv[0] : name, option, key_kind);
        return -1;
    }
    job->key_path = argv[arg];
    job->in_path = argv[arg + 1];
    if (argc - arg == 3) {
        ret = mbedtls_snprintf(job->sig_path, sizeof(job->sig_path), "%s", argv[arg + 2]);
    } else {
        ret = mbedtls_snprintf(job->sig_path, sizeof(job->sig_path), "%s.sig", job->in_path);
    }
    if (ret < 0 || (size_t) ret >= sizeof(job->sig_path)) {
        mbedtls_printf("file name too long\n");
        return -1;
    }
    return 0;
}

/* How the messages name a signature made with the given padding. */
static const char *sig_kind(int padding)
{
    return padding == MBEDTLS_RSA_PKCS_V21 ? "RSA-PSS/SHA-256" : "RSA/SHA-256";
}

/*
 * main() of rsa_sign and rsa_sign_pss: signs the SHA-256 hash of a file
 * with padding MBEDTLS_RSA_PKCS_V15 or MBEDTLS_RSA_PKCS_V21 (PSS), writing
 * the signature in binary_default format unless the option says otherwise.
 * name is the program's name, for its messages and the DRBG.
 */
static int rsa_sign_program(int argc, char *argv[], const char *name, int padding,
                            int binary_default)
{
    install_alt_mutex();
    mbedtls_rsa_context rsa;
    struct rsa_rng rng;
    struct sig_job job;
    int status = MBEDTLS_EXIT_FAILURE;
    int ret;

    mbedtls_rsa_init(&rsa);
    rng_init(&rng);

    if (parse_sig_args(argc, argv, name, "private", binary_default, &job) != 0) {
        goto exit;
    }
    /* The private-key operation is blinded, so it needs an RNG. */
    if (rng_seed(&rng, name) != 0 || load_private_key(&rsa, job.key_path) != 0) {
        goto exit;
    }
    if ((ret = mbedtls_rsa_check_privkey(&rsa)) != 0) {
        print_ret("mbedtls_rsa_check_privkey", ret);
        goto exit;
    }
    /* With V21 the generic sign call makes a PSS signature. */
    if (padding == MBEDTLS_RSA_PKCS_V21 && use_pkcs1_v21(&rsa) != 0) {
        goto exit;
    }
    if (hash_file(job.in_path, job.hash) != 0) {
        goto exit;
    }
    ret = mbedtls_rsa_pkcs1_sign(&rsa, mbedtls_ctr_drbg_random, &rng.drbg, MBEDTLS_MD_SHA256,
                                 (unsigned int) sizeof(job.hash), job.hash, job.sig);
    if (ret != 0) {
        print_ret("mbedtls_rsa_pkcs1_sign", ret);
        goto exit;
    }
    if (write_bytes(job.sig_path, job.sig, mbedtls_rsa_get_len(&rsa), job.binary) != 0) {
        goto exit;
    }
    mbedtls_printf("%s: %s signature written to %s\n", name, sig_kind(padding), job.sig_path);
    status = MBEDTLS_EXIT_SUCCESS;

exit:
    mbedtls_rsa_free(&rsa);
    rng_free(&rng);
    return status;
}

/*
 * main() of rsa_verify and rsa_verify_pss: checks a signature of the
 * SHA-256 hash of a file made with the given padding, read in
 * binary_default format unless the option says otherwise. Succeeds only if
 * the signature is valid.
 */
static int rsa_verify_program(int argc, char *argv[], const char *name, int padding,
                              int binary_default)
{
    install_alt_mutex();
    mbedtls_rsa_context rsa;
    struct sig_job job;
    int status = MBEDTLS_EXIT_FAILURE;
    int ret;

    mbedtls_rsa_init(&rsa);

    if (parse_sig_args(argc, argv, name, "public", binary_default, &job) != 0) {
        goto exit;
    }
    if (load_public_key(&rsa, job.key_path) != 0 ||
        read_key_block(&rsa, job.sig_path, job.sig, sizeof(job.sig), job.binary,
                       "not a signature file") != 0) {
        goto exit;
    }
    /* With V21 the generic verify call checks a PSS signature. */
    if (padding == MBEDTLS_RSA_PKCS_V21 && use_pkcs1_v21(&rsa) != 0) {
        goto exit;
    }
    if (hash_file(job.in_path, job.hash) != 0) {
        goto exit;
    }
    ret = mbedtls_rsa_pkcs1_verify(&rsa, MBEDTLS_MD_SHA256, (unsigned int) sizeof(job.hash),
                                   job.hash, job.sig);
    if (ret != 0) {
        mbedtls_printf("%s: INVALID signature (mbedtls_rsa_pkcs1_verify returned -0x%04X)\n",
                       name, (unsigned) -ret);
        goto exit;
    }
    mbedtls_printf("%s: OK, the %s signature in %s is valid\n", name, sig_kind(padding),
                   job.sig_path);
    status = MBEDTLS_EXIT_SUCCESS;

exit:
    mbedtls_rsa_free(&rsa);
    return status;
}

#endif /* RSA_FILES_H */
