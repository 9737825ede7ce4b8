/*
 * startup.c: reset handler and vector table of the test firmware
 * (QEMU mps2-an386, Cortex-M4 with FPU).
 *
 * The reset handler copies .data from flash, enables the FPU and enters
 * newlib's _start (rdimon.specs: it clears .bss, sets up semihosting, runs
 * main and exits with its status, which QEMU returns as its own).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "fw.h"

extern uint32_t __data_load[], __data_start[], __data_end[];
extern uint32_t __stack_top[];
extern void _start(void);

void (*volatile fw_tick_hook)(void);

void reset_handler(void)
{
    uint32_t *src = __data_load;
    for (uint32_t *dst = __data_start; dst < __data_end; dst++) {
        *dst = *src++;
    }
    /* CPACR: full access to CP10 and CP11 (the FPU). */
    *(volatile uint32_t *) 0xE000ED88 |= 0xFu << 20;
    __asm volatile ("dsb\n isb" ::: "memory");
    _start();
    for (;;) {
    }
}

static void fault_handler(void)
{
    /* Semihosting still works in a fault handler under QEMU. */
    fputs("firmware: fault\n", stderr);
    _Exit(99);
}

void systick_handler(void)
{
    void (*hook)(void) = fw_tick_hook;
    if (hook != 0) {
        hook();
    }
}

typedef void (*vector_t)(void);

__attribute__((section(".vectors"), used))
static const vector_t vectors[16] = {
    (vector_t) __stack_top,
    reset_handler,
    fault_handler, /* NMI */
    fault_handler, /* HardFault */
    fault_handler, /* MemManage */
    fault_handler, /* BusFault */
    fault_handler, /* UsageFault */
    0, 0, 0, 0,
    fault_handler, /* SVCall */
    fault_handler, /* DebugMonitor */
    0,
    fault_handler, /* PendSV */
    systick_handler,
};

/* SysTick: interrupt every `reload` + 1 core clock cycles (0 stops it). */
void fw_systick(uint32_t reload)
{
    volatile uint32_t *syst = (volatile uint32_t *) 0xE000E010;
    syst[0] = 0;                    /* CSR: off */
    if (reload == 0) {
        return;
    }
    syst[1] = reload & 0xFFFFFFu;   /* RVR */
    syst[2] = 0;                    /* CVR */
    syst[0] = 7;                    /* CSR: processor clock, interrupt, enable */
}

/* ---- an instruction clock --------------------------------------------- */

/* Under `qemu-system-arm -icount shift=0` the guest's clock advances one
 * nanosecond per instruction, and SysTick counts the board's 25 MHz clock,
 * so one SysTick count is 40 instructions. fw_clock_start() runs SysTick
 * free (reload 2^24 - 1) and counts wraps in the interrupt. */
static volatile uint32_t clock_wraps;

static void clock_tick(void)
{
    clock_wraps++;
}

void fw_clock_start(void)
{
    clock_wraps = 0;
    fw_tick_hook = clock_tick;
    fw_systick(0xFFFFFFu);
    /* The counter reads 0 until its first reload. */
    while ((((volatile uint32_t *) 0xE000E010)[2] & 0xFFFFFFu) == 0) {
    }
}

uint64_t fw_clock(void)
{
    volatile uint32_t *syst = (volatile uint32_t *) 0xE000E010;
    uint32_t wraps, cvr;
    do {
        wraps = clock_wraps;
        cvr = syst[2];
    } while (wraps != clock_wraps);
    return (uint64_t) wraps * 0x1000000u + (0xFFFFFFu - (cvr & 0xFFFFFFu));
}

void fw_clock_stop(void)
{
    fw_systick(0);
    fw_tick_hook = 0;
}
