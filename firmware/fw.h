/*
 * fw.h: what the test firmware's files share.
 */
#ifndef MBEDCRYPTO_FW_H
#define MBEDCRYPTO_FW_H

#include <stdint.h>

/* Called from the SysTick interrupt when set. */
extern void (*volatile fw_tick_hook)(void);
/* Starts SysTick with the given reload value, or stops it for 0. */
void fw_systick(uint32_t reload);

/* A clock in SysTick counts (40 instructions each under -icount shift=0):
 * start, read, stop. Uses SysTick, so not during the shared-DRBG test. */
void fw_clock_start(void);
uint64_t fw_clock(void);
void fw_clock_stop(void);
#define FW_INSNS_PER_COUNT 40u

/* Installs the interrupt-masking mutex (fw_mutex.c). */
void fw_threading_setup(void);
/* How many locks the mutex functions have taken (fw_mutex.c). */
extern volatile uint32_t fw_lock_count;

/* The test groups (fw_tests_*.c); each returns after recording checks in
 * the harness counters. */
void fw_test_threading(void);
void fw_test_hashes(void);
void fw_test_drbg(void);
void fw_test_shared_drbg(void);
void fw_test_heap(void);
void fw_test_stores(void);
void fw_test_rsa(void);

#endif /* MBEDCRYPTO_FW_H */
