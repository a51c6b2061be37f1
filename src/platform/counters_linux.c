/* The profiler's counters on Linux: two perf_event_open groups on the calling thread, one of
 * software events (task-clock leads) and one of hardware events (cycles leads), each read in one
 * read(2) with PERF_FORMAT_GROUP. A VM without a PMU opens the software group only. */
#include <errno.h>
#include <linux/perf_event.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "counters.h"

typedef struct group {
    int fd[4];      /* leader first; -1: not open */
    int counter[4]; /* SDN_CTR_* of each member */
    int n;
} group;

typedef struct linux_counters {
    group sw, hw;
} linux_counters;

/* Software events happen in the kernel (a context switch is the scheduler's): counted there
 * where allowed, else (perf_event_paranoid 2 for a user) in user space only. */
static int open_event(uint32_t type, uint64_t config, int leader)
{
    static int user_only;
    struct perf_event_attr a;
    memset(&a, 0, sizeof a);
    a.size = sizeof a;
    a.type = type;
    a.config = config;
    a.disabled = leader < 0;
    a.exclude_kernel = type != PERF_TYPE_SOFTWARE || user_only;
    a.exclude_hv = 1;
    a.read_format = PERF_FORMAT_GROUP;
    int fd = (int)syscall(SYS_perf_event_open, &a, 0, -1, leader, 0);
    if (fd < 0 && !a.exclude_kernel && (errno == EACCES || errno == EPERM)) {
        user_only = 1;
        a.exclude_kernel = 1;
        fd = (int)syscall(SYS_perf_event_open, &a, 0, -1, leader, 0);
    }
    return fd;
}

/* Opens what it can of `want` into g; the first error's errno, or 0. */
static int open_group(group *g, uint32_t type, const uint64_t *config, const int *counter, int n,
                      unsigned *mask)
{
    int err = 0;
    g->n = 0;
    for (int i = 0; i < n; i++) {
        const int fd = open_event(type, config[i], g->n ? g->fd[0] : -1);
        if (fd < 0) {
            err = err ? err : errno;
            if (!g->n)
                return err; /* no leader: no group */
            continue;
        }
        g->fd[g->n] = fd;
        g->counter[g->n++] = counter[i];
        *mask |= 1u << counter[i];
    }
    if (g->n)
        ioctl(g->fd[0], PERF_EVENT_IOC_ENABLE, PERF_IOC_FLAG_GROUP);
    return err;
}

void *sdn_counters_open(unsigned *mask, char *note, size_t note_size)
{
    static const uint64_t sw_cfg[] = {PERF_COUNT_SW_TASK_CLOCK, PERF_COUNT_SW_CONTEXT_SWITCHES,
                                      PERF_COUNT_SW_CPU_MIGRATIONS};
    static const int sw_ctr[] = {SDN_CTR_TASK_CLOCK, SDN_CTR_CTX_SWITCHES, SDN_CTR_MIGRATIONS};
    static const uint64_t hw_cfg[] = {PERF_COUNT_HW_CPU_CYCLES, PERF_COUNT_HW_INSTRUCTIONS,
                                      PERF_COUNT_HW_CACHE_L1D | (PERF_COUNT_HW_CACHE_OP_READ << 8) |
                                          (PERF_COUNT_HW_CACHE_RESULT_MISS << 16),
                                      PERF_COUNT_HW_CACHE_LL | (PERF_COUNT_HW_CACHE_OP_READ << 8) |
                                          (PERF_COUNT_HW_CACHE_RESULT_MISS << 16)};
    static const int hw_ctr[] = {SDN_CTR_CYCLES, SDN_CTR_INSTRUCTIONS, SDN_CTR_L1D_MISSES,
                                 SDN_CTR_LLC_MISSES};
    linux_counters *c = calloc(1, sizeof *c);
    *mask = 0;
    note[0] = 0;
    if (!c)
        return NULL;
    const int sw_err = open_group(&c->sw, PERF_TYPE_SOFTWARE, sw_cfg, sw_ctr, 3, mask);
    const int hw_err = open_group(&c->hw, PERF_TYPE_HARDWARE, hw_cfg, hw_ctr, 2, mask);
    if (c->hw.n) /* the cache events are of another type: members of the cycles group */
        for (int i = 2; i < 4; i++) {
            const int fd = open_event(PERF_TYPE_HW_CACHE, hw_cfg[i], c->hw.fd[0]);
            if (fd >= 0) {
                c->hw.fd[c->hw.n] = fd;
                c->hw.counter[c->hw.n++] = hw_ctr[i];
                *mask |= 1u << hw_ctr[i];
            }
        }
    if (sw_err && !c->sw.n)
        snprintf(note, note_size,
                 "no counters: perf_event_open: %s (see "
                 "/proc/sys/kernel/perf_event_paranoid)",
                 strerror(sw_err));
    else if (hw_err && !c->hw.n)
        snprintf(note, note_size,
                 "no hardware PMU exposed to this host (perf_event_open: %s): "
                 "software events only",
                 strerror(hw_err));
    if (!c->sw.n && !c->hw.n) {
        free(c);
        return NULL;
    }
    return c;
}

static void read_group(const group *g, sdn_prof_counters *out)
{
    uint64_t buf[1 + 4];
    if (!g->n || read(g->fd[0], buf, sizeof buf) < (ssize_t)sizeof(uint64_t))
        return;
    for (uint64_t i = 0; i < buf[0] && i < (uint64_t)g->n; i++)
        out->v[g->counter[i]] = buf[1 + i];
}

void sdn_counters_read(void *counters, sdn_prof_counters *out)
{
    *out = (sdn_prof_counters){{0}};
    linux_counters *c = counters;
    if (!c)
        return;
    read_group(&c->sw, out);
    read_group(&c->hw, out);
}

void sdn_counters_close(void *counters)
{
    linux_counters *c = counters;
    if (!c)
        return;
    for (int i = 0; i < c->sw.n; i++)
        close(c->sw.fd[i]);
    for (int i = 0; i < c->hw.n; i++)
        close(c->hw.fd[i]);
    free(c);
}
