/* What every layer kind shares beside its table (layer.h): the pass's barriers, the workspace's
 * bump allocator and the model's tensor list. */
#include <stdio.h>

#include "layers/layer.h"
#include "profile/prof.h"
#include "testhooks.h"

/* Test hook: cores that sit apart, where a meeting costs a round trip each way and reading a
 * flag the other core set costs one. */
static void far_cores_wait(double round_trips)
{
    const double rt = SDN_HOOK(sdn_debug_far_round_trip_ns, 0.0);
    if (!(rt > 0.0))
        return;
    sdn_spin_ns((uint64_t)(round_trips * rt));
}

/* Test hook: thread 1's core slower (sdn_slow_core_start). Where it last caught up, and its waits
 * then; t0 0: no piece of work open. */
static _Thread_local struct slow_mark {
    uint64_t t0, waited;
} slow;

/* The mark at this moment: the clock, and the thread's waits so far. */
static struct slow_mark mark_now(const sdn_pass *p)
{
    return (struct slow_mark){sdn_clock_ticks(), p->waited ? *p->waited : 0};
}

void sdn_slow_core_start(const sdn_pass *p)
{
    if (p->t == 1 && SDN_HOOK(sdn_debug_slow_thread, 0.0) > 0.0)
        slow = mark_now(p);
}

/* Spins F times what the thread worked since the mark (its waits excluded); the mark moves on. */
static void slow_core_catch_up(const sdn_pass *p)
{
    if (!slow.t0)
        return;
    const uint64_t now = sdn_clock_ticks(), waited = p->waited ? *p->waited - slow.waited : 0;
    const uint64_t busy = now - slow.t0 > waited ? now - slow.t0 - waited : 0;
    const uint64_t spin = (uint64_t)((double)busy * SDN_HOOK(sdn_debug_slow_thread, 0.0));
    while (sdn_clock_ticks() - now < spin)
        ;
    slow = mark_now(p);
}

void sdn_slow_core_done(const sdn_pass *p)
{
    slow_core_catch_up(p);
    slow.t0 = 0;
}

void sdn_pass_barrier(const sdn_pass *p)
{
    if (!p->barrier || p->barrier->threads <= 1)
        return;
    slow_core_catch_up(p);
    far_cores_wait(2.0);
    const uint64_t t0 = sdn_clock_ticks();
    sdn_barrier_wait(p->barrier);
    if (p->waited)
        *p->waited += sdn_clock_ticks() - t0;
    if (SDN_PROF_UNLIKELY(sdn_prof_flags & SDN_PROF_RECORD))
        sdn_prof_wait_done(SDN_BARRIER_LAYER, t0);
}

/* A meeting of the pass's threads outside a layer; the wait counts toward this thread's waits. */
void sdn_pass_meet(const sdn_pass *p)
{
    sdn_prof_barrier();
    if (p->barrier && p->barrier->threads > 1)
        far_cores_wait(2.0);
    const uint64_t t0 = sdn_clock_ticks();
    sdn_barrier_wait(p->barrier);
    if (p->waited)
        *p->waited += sdn_clock_ticks() - t0;
}

void sdn_pass_await(const sdn_pass *p, atomic_uint *flag, unsigned v)
{
    far_cores_wait(1.0);
    const uint64_t t0 = sdn_clock_ticks();
    sdn_flag_wait(flag, v);
    if (p->waited)
        *p->waited += sdn_clock_ticks() - t0;
    if (SDN_PROF_UNLIKELY(sdn_prof_flags & SDN_PROF_RECORD))
        sdn_prof_wait_done(SDN_BARRIER_HANDOVER, t0);
}

void *sdn_bump_take(sdn_bump *b, size_t bytes)
{
    size_t off = (b->used + 63) & ~(size_t)63;
    b->used = off + bytes;
    return b->base ? b->base + off : NULL;
}

void sdn_tensor_list_add(sdn_tensor_list *t, sdn_tensor_role role, size_t off, size_t s0, size_t s1,
                         const char *layer, const char *what)
{
    if (t->tensors) {
        char *name = t->names[t->count];
        /* a layer's name holds at most 31 characters (sdn_layer.name) and `what` is a tensor's
         * own short name: 63 at most, never truncated */
        snprintf(name, sizeof t->names[0], "%.31s.%.31s", layer, what);
        float *buf = role == SDN_TENSOR_STATE       ? t->state
                     : role == SDN_TENSOR_OPTIMIZER ? t->slot
                                                    : t->params;
        t->tensors[t->count] =
            (sdn_tensor){name, role, s1 ? 2 : 1, {s0, s1}, s0 * (s1 ? s1 : 1), buf + off};
    }
    t->count++;
}
