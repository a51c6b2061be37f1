/* The profiler's counters where the platform has no perf_event_open: none, said once. */
#include <stdio.h>

#include "counters.h"

void *sdn_counters_open(unsigned *mask, char *note, size_t note_size)
{
    *mask = 0;
    snprintf(note, note_size, "no counters on this host (the build has no perf_event_open)");
    return NULL;
}

void sdn_counters_read(void *counters, sdn_prof_counters *out)
{
    (void)counters;
    *out = (sdn_prof_counters){{0}};
}

void sdn_counters_close(void *counters)
{
    (void)counters;
}
