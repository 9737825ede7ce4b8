/*
 * threading_alt.h: the mutex type of an interrupt-masking firmware mutex,
 * for Cortex-M builds of mbedcrypto-rs (MBEDTLS_THREADING_ALT, no_std).
 *
 * CI builds the library for thumbv7em-none-eabihf against this header, so
 * the build-time probe measures it with arm-none-eabi-gcc. A firmware's
 * functions would save PRIMASK in `saved_primask`, disable interrupts, and
 * restore the saved mask on unlock, so that nested locks work.
 */
#ifndef EXAMPLE_FIRMWARE_THREADING_ALT_H
#define EXAMPLE_FIRMWARE_THREADING_ALT_H

#include <stdint.h>

typedef struct mbedtls_threading_mutex_t {
    uint32_t saved_primask;
    uint8_t locked;
    uint8_t initialised;
} mbedtls_threading_mutex_t;

#endif /* EXAMPLE_FIRMWARE_THREADING_ALT_H */
