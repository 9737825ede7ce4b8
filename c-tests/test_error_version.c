/*
 * test_error_version.c: error.h, version.h and build_info.h.
 */
#include <string.h>

#include "mbedtls/build_info.h"
#include "mbedtls/error.h"
#include "mbedtls/threading.h"
#include "mbedtls/version.h"

#include "harness.h"

static void test_strerror(void)
{
    char buf[200];
    mbedtls_strerror(MBEDTLS_ERR_THREADING_BAD_INPUT_DATA, buf, sizeof(buf));
    CHECK(strncmp(buf, "THREADING - ", 12) == 0);
    mbedtls_strerror(-MBEDTLS_ERR_THREADING_MUTEX_ERROR, buf, sizeof(buf));
    CHECK(strncmp(buf, "THREADING - ", 12) == 0);

    /* A compound code: RSA public failed + bignum bad input. */
    mbedtls_strerror(-0x4284, buf, sizeof(buf));
    CHECK(strncmp(buf, "RSA - ", 6) == 0);
    CHECK(strstr(buf, " : BIGNUM - ") != NULL);

    mbedtls_strerror(-0x1091, buf, sizeof(buf));
    CHECK(strcmp(buf, "UNKNOWN ERROR CODE (1080) : UNKNOWN ERROR CODE (0011)") == 0);
    mbedtls_strerror(0, buf, sizeof(buf));
    CHECK(strcmp(buf, "") == 0);

    /* Truncation keeps a terminating NUL; buflen 0 and NULL write nothing. */
    memset(buf, 'x', sizeof(buf));
    mbedtls_strerror(-0x4284, buf, 5);
    CHECK(strcmp(buf, "RSA ") == 0);
    CHECK_EQ(buf[5], 'x');
    memset(buf, 'x', sizeof(buf));
    mbedtls_strerror(-0x4284, buf, 0);
    CHECK_EQ(buf[0], 'x');
    MISUSE(mbedtls_strerror(-0x4284, NULL, 10));

    CHECK(mbedtls_high_level_strerr(-0x4284) != NULL);
    CHECK(strncmp(mbedtls_high_level_strerr(-0x4284), "RSA - ", 6) == 0);
    CHECK(strncmp(mbedtls_low_level_strerr(-0x4284), "BIGNUM - ", 9) == 0);
    CHECK(mbedtls_high_level_strerr(-0x1080) == NULL);
    CHECK(mbedtls_low_level_strerr(-0x0011) == NULL);
    CHECK(mbedtls_low_level_strerr(0) == NULL);
    CHECK(strncmp(mbedtls_low_level_strerr(MBEDTLS_ERR_ERROR_CORRUPTION_DETECTED), "ERROR - ", 8) == 0);
    CHECK(strncmp(mbedtls_low_level_strerr(MBEDTLS_ERR_PLATFORM_FEATURE_UNSUPPORTED), "PLATFORM - ", 11) == 0);

    CHECK_EQ(MBEDTLS_ERROR_ADD(-0x4280, -0x0004), -0x4284);
    CHECK_EQ(MBEDTLS_ERR_ERROR_GENERIC_ERROR, -0x0001);
    CHECK_EQ(MBEDTLS_ERR_ERROR_CORRUPTION_DETECTED, -0x006E);
    CHECK_EQ(MBEDTLS_ERR_PLATFORM_HW_ACCEL_FAILED, -0x0070);
    CHECK_EQ(MBEDTLS_ERR_PLATFORM_FEATURE_UNSUPPORTED, -0x0072);
    CHECK_EQ(MBEDTLS_ERR_THREADING_BAD_INPUT_DATA, -0x001C);
    CHECK_EQ(MBEDTLS_ERR_THREADING_MUTEX_ERROR, -0x001E);
}

static void test_version(void)
{
    CHECK_EQ(MBEDTLS_VERSION_MAJOR, 3);
    CHECK_EQ(MBEDTLS_VERSION_MINOR, 6);
    CHECK_EQ(MBEDTLS_VERSION_PATCH, 6);
    CHECK_EQ(MBEDTLS_VERSION_NUMBER, 0x03060600);
    CHECK_EQ(mbedtls_version_get_number(), MBEDTLS_VERSION_NUMBER);

    char s[18];
    memset(s, 'x', sizeof(s));
    mbedtls_version_get_string(s);
    CHECK(strcmp(s, MBEDTLS_VERSION_STRING) == 0);
    CHECK(strcmp(s, "3.6.6") == 0);
    mbedtls_version_get_string_full(s);
    CHECK(strcmp(s, MBEDTLS_VERSION_STRING_FULL) == 0);
    CHECK(strcmp(s, "Mbed TLS 3.6.6") == 0);
    MISUSE(mbedtls_version_get_string(NULL));
    MISUSE(mbedtls_version_get_string_full(NULL));

    CHECK_EQ(mbedtls_version_check_feature("MBEDTLS_VERSION_C"), 0);
    CHECK_EQ(mbedtls_version_check_feature("MBEDTLS_PLATFORM_MEMORY"), 0);
#if defined(MBEDTLS_THREADING_C)
    CHECK_EQ(mbedtls_version_check_feature("MBEDTLS_THREADING_C"), 0);
#endif
#if defined(MBEDTLS_THREADING_PTHREAD)
    CHECK_EQ(mbedtls_version_check_feature("MBEDTLS_THREADING_PTHREAD"), 0);
#else
    CHECK_EQ(mbedtls_version_check_feature("MBEDTLS_THREADING_PTHREAD"), -1);
#endif
    CHECK_EQ(mbedtls_version_check_feature("MBEDTLS_RSA_NO_CRT"), -1);
    CHECK_EQ(mbedtls_version_check_feature("VERSION_C"), -1);
    CHECK_EQ(mbedtls_version_check_feature("MBEDTLS_VERSION"), -1);
    MISUSE_EQ(mbedtls_version_check_feature(NULL), -1);
}

int main(void)
{
    test_strerror();
    test_version();
    return harness_finish("test_error_version");
}
