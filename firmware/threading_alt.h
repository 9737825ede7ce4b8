/*
 * threading_alt.h for the test firmware (MBEDTLS_THREADING_ALT, Cortex-M4).
 *
 * The mutex masks interrupts: lock saves PRIMASK and disables interrupts,
 * unlock restores the saved mask, so locks nest (the heap's lock inside a
 * DRBG's lock inside RSA's) and code that runs with interrupts already
 * masked stays masked. On one core nothing else can run while a lock is
 * held, so finding `locked` set means the same context locks twice, which
 * lock reports as an error. The functions are in fw_mutex.c.
 *
 * The library's build probe measures this struct with arm-none-eabi-gcc.
 */
#ifndef MBEDCRYPTO_FIRMWARE_THREADING_ALT_H
#define MBEDCRYPTO_FIRMWARE_THREADING_ALT_H

#include <stdint.h>

typedef struct mbedtls_threading_mutex_t {
    uint32_t saved_primask; /* PRIMASK before this lock masked interrupts */
    uint8_t locked;         /* 1 while held */
    uint8_t initialised;    /* 1 between mutex_init and mutex_free */
} mbedtls_threading_mutex_t;

#endif /* MBEDCRYPTO_FIRMWARE_THREADING_ALT_H */
