/*
 * fw_mutex.c: an interrupt-masking mutex for MBEDTLS_THREADING_ALT.
 *
 * On a single core, masking interrupts is mutual exclusion against
 * interrupt handlers (and against any scheduler that preempts from an
 * interrupt). Locks nest: each lock remembers the PRIMASK it found and
 * unlock restores it, so the outermost unlock re-enables interrupts.
 */
#include <stdint.h>

#include "mbedtls/threading.h"

#include "fw.h"

volatile uint32_t fw_lock_count;

static inline uint32_t primask_get(void)
{
    uint32_t v;
    __asm volatile ("mrs %0, primask" : "=r"(v));
    return v;
}

static inline void primask_set(uint32_t v)
{
    __asm volatile ("msr primask, %0" ::"r"(v) : "memory");
}

static void fw_mutex_init(mbedtls_threading_mutex_t *m)
{
    if (m == 0) {
        return;
    }
    m->saved_primask = 0;
    m->locked = 0;
    m->initialised = 1;
}

static void fw_mutex_free(mbedtls_threading_mutex_t *m)
{
    if (m == 0) {
        return;
    }
    m->locked = 0;
    m->initialised = 0;
}

static int fw_mutex_lock(mbedtls_threading_mutex_t *m)
{
    if (m == 0) {
        return MBEDTLS_ERR_THREADING_BAD_INPUT_DATA;
    }
    uint32_t prev = primask_get();
    __asm volatile ("cpsid i" ::: "memory");
    if (!m->initialised || m->locked) {
        /* Not initialised, or locked again by the context holding it:
         * nothing else can run while a lock is held. */
        primask_set(prev);
        return MBEDTLS_ERR_THREADING_MUTEX_ERROR;
    }
    m->locked = 1;
    m->saved_primask = prev;
    fw_lock_count++;
    return 0;
}

static int fw_mutex_unlock(mbedtls_threading_mutex_t *m)
{
    if (m == 0) {
        return MBEDTLS_ERR_THREADING_BAD_INPUT_DATA;
    }
    if (!m->initialised || !m->locked) {
        return MBEDTLS_ERR_THREADING_MUTEX_ERROR;
    }
    uint32_t prev = m->saved_primask;
    m->locked = 0;
    primask_set(prev);
    return 0;
}

void fw_threading_setup(void)
{
    mbedtls_threading_set_alt(fw_mutex_init, fw_mutex_free, fw_mutex_lock, fw_mutex_unlock);
}
