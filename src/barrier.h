/* The barrier inside a pass: its threads meet at a counter and leave on a generation word, each
 * on its own cache line: one line crossing each way, where OpenMP's barrier costs several, and a
 * pass of the batch-norm model meets tens of times. Waiters spin, then yield, so more threads
 * than cores still progress. */
#ifndef SDN_BARRIER_H
#define SDN_BARRIER_H

#include <stdatomic.h>

#include "platform/platform.h"

typedef struct sdn_barrier {
    _Alignas(64) atomic_uint arrived;
    unsigned threads;
    _Alignas(64) atomic_uint generation;
} sdn_barrier;

static inline void sdn_barrier_init(sdn_barrier *b, unsigned threads)
{
    atomic_init(&b->arrived, 0);
    atomic_init(&b->generation, 0);
    b->threads = threads;
}

static inline void sdn_cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ volatile("yield");
#endif
}

/* One turn of a waiting loop: spin, then yield, so more threads than cores still progress. */
static inline void sdn_wait_turn(unsigned spins)
{
    if (spins < 4096)
        sdn_cpu_relax();
    else
        sdn_os_yield();
}

/* Every write before the call, on any thread of the pass, is seen after it. NULL: a pass of
 * one thread (a layer driven on its own). */
static inline void sdn_barrier_wait(sdn_barrier *b)
{
    if (!b || b->threads <= 1)
        return;
    const unsigned gen = atomic_load_explicit(&b->generation, memory_order_acquire);
    if (atomic_fetch_add_explicit(&b->arrived, 1, memory_order_acq_rel) + 1 == b->threads) {
        atomic_store_explicit(&b->arrived, 0, memory_order_relaxed);
        atomic_store_explicit(&b->generation, gen + 1, memory_order_release);
        return;
    }
    for (unsigned spins = 0; atomic_load_explicit(&b->generation, memory_order_acquire) == gen;
         spins++)
        sdn_wait_turn(spins);
}

/* Waits until *flag, which another thread stores with release, holds at least v: every write
 * that thread made before storing it is seen after the call. */
static inline void sdn_flag_wait(atomic_uint *flag, unsigned v)
{
    for (unsigned spins = 0; atomic_load_explicit(flag, memory_order_acquire) < v; spins++)
        sdn_wait_turn(spins);
}

static inline void sdn_flag_set(atomic_uint *flag, unsigned v)
{
    atomic_store_explicit(flag, v, memory_order_release);
}

#endif
