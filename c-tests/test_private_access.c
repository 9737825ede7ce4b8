/*
 * test_private_access.c: with MBEDTLS_ALLOW_PRIVATE_ACCESS, the fields
 * that C code reaches through MBEDTLS_PRIVATE() have upstream's names; the
 * pthread mutex has upstream's layout and `state` semantics.
 */
#define MBEDTLS_ALLOW_PRIVATE_ACCESS

#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "mbedtls/platform.h"
#include "mbedtls/threading.h"

#include "harness.h"

int main(void)
{
    mbedtls_platform_context pctx;
    pctx.dummy = 0;
    CHECK_EQ(pctx.MBEDTLS_PRIVATE(dummy), 0);

#if defined(MBEDTLS_THREADING_PTHREAD)
    mbedtls_threading_mutex_t m;
    memset(&m, 0, sizeof(m));
    CHECK_EQ(offsetof(mbedtls_threading_mutex_t, mutex), 0);
    CHECK_EQ(offsetof(mbedtls_threading_mutex_t, state), sizeof(pthread_mutex_t));
    /* Upstream's struct is a pthread_mutex_t and a char, padded: ours is the
     * same size (our guard lives in that padding). */
    struct upstream_layout {
        pthread_mutex_t mutex;
        char state;
    };
    CHECK_EQ(sizeof(mbedtls_threading_mutex_t), sizeof(struct upstream_layout));
    CHECK_EQ(_Alignof(mbedtls_threading_mutex_t), _Alignof(struct upstream_layout));
    CHECK_EQ(m.state, 0);
    mbedtls_mutex_init(&m);
    CHECK_EQ(m.state, 1); /* upstream's "idle" */
    CHECK_EQ(mbedtls_mutex_lock(&m), 0);
    CHECK_EQ(pthread_mutex_trylock(&m.mutex), EBUSY); /* a real pthread mutex */
    CHECK_EQ(mbedtls_mutex_unlock(&m), 0);
    mbedtls_mutex_free(&m);
    CHECK_EQ(mbedtls_threading_readdir_mutex.state, 1); /* as upstream's statics */
#elif defined(MBEDTLS_THREADING_BUILTIN)
    mbedtls_threading_mutex_t m;
    memset(&m, 0, sizeof(m));
    CHECK_EQ(sizeof(m), 8);
    mbedtls_mutex_init(&m);
    CHECK(m.state != 0);
    CHECK_EQ(m.owner, 0);
    CHECK_EQ(mbedtls_mutex_lock(&m), 0);
    CHECK(m.owner != 0);
    CHECK_EQ(mbedtls_mutex_unlock(&m), 0);
    mbedtls_mutex_free(&m);
#endif
    return harness_finish("test_private_access");
}
