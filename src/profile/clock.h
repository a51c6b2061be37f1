/* The profiler's clock: the cycle counter where the baseline ISA has one (rdtsc on x86-64,
 * cntvct_el0 on AArch64), else CLOCK_MONOTONIC in ns. Ticks are turned into ns by a ratio
 * measured against CLOCK_MONOTONIC over each profile (record.c). */
#ifndef SDN_PROF_CLOCK_H
#define SDN_PROF_CLOCK_H

#include <stdint.h>

#include "platform/platform.h"

static inline uint64_t sdn_clock_mono_ns(void)
{
    return sdn_monotonic_ns();
}

static inline uint64_t sdn_clock_ticks(void)
{
#if defined(__x86_64__) || defined(__i386__)
    return __builtin_ia32_rdtsc(); /* baseline x86-64: no CPU feature check needed */
#elif defined(__aarch64__)
    uint64_t v;
    __asm__ __volatile__("mrs %0, cntvct_el0" : "=r"(v));
    return v;
#else
    return sdn_clock_mono_ns();
#endif
}

/* The counter's name, for the machine header. */
static inline const char *sdn_clock_name(void)
{
#if defined(__x86_64__) || defined(__i386__)
    return "rdtsc";
#elif defined(__aarch64__)
    return "cntvct_el0";
#else
    return "clock_gettime";
#endif
}

#endif
