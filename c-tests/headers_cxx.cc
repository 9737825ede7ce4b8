// headers_cxx.cc: every public header compiles as C++ (with -Werror) and
// declares its functions with C linkage, so C++ programs can use them.
#include "mbedtls/bignum.h"
#include "mbedtls/build_info.h"
#include "mbedtls/ctr_drbg.h"
#include "mbedtls/entropy.h"
#include "mbedtls/error.h"
#include "mbedtls/hmac_drbg.h"
#include "mbedtls/md.h"
#include "mbedtls/ssl.h"
#include "mbedtls/ssl_cache.h"
#include "mbedtls/ssl_ticket.h"
#include "mbedtls/cipher.h"
#include "mbedtls/ssl_cookie.h"
#include "mbedtls/memory_buffer_alloc.h"
#include "mbedtls/platform.h"
#include "mbedtls/platform_time.h"
#include "mbedtls/platform_util.h"
#include "mbedtls/private_access.h"
#include "mbedtls/rsa.h"
#include "mbedtls/sha1.h"
#include "mbedtls/sha256.h"
#include "mbedtls/sha512.h"
#include "mbedtls/threading.h"
#include "mbedtls/threading_ext.h"
#include "mbedtls/version.h"

int main()
{
    char buf[64];
    mbedtls_strerror(MBEDTLS_ERR_ERROR_GENERIC_ERROR, buf, sizeof(buf));
    if (MBEDCRYPTO_THREADING_CHECK_ABI() != 0) {
        return 1;
    }
    return mbedtls_version_get_number() == MBEDTLS_VERSION_NUMBER ? 0 : 1;
}
