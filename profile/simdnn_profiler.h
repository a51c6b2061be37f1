/* simdnn_profiler: the reports above the library. It reads the records simdnn keeps
 * (simdnn_profile.h) and writes profile.md, profile.json, profile.csv, profile.svg, profile.html
 * and the trace; it measures this machine's roofs and times every kernel. */
#ifndef SIMDNN_PROFILER_H
#define SIMDNN_PROFILER_H

#include <stdio.h>

#include "simdnn_profile.h"

/* Sets the library's writer (sdn_profile_set_writer) to this tool's: a profile with a folder then
 * writes its reports there at sdn_profile_end. */
void sdn_profiler_install(void);
/* The message of this tool's last error. */
const char *sdn_profiler_last_error(void);

/* This machine's roofs: the cached calibration, else measured (a few seconds) and cached in
 * $XDG_CACHE_HOME/simdnn (or ~/.cache/simdnn); redo: measure anyway. Printed to out; progress to
 * log (either may be NULL). */
sdn_status sdn_profiler_calibrate(int redo, FILE *out, FILE *log);

/* Times every kernel of `isa` (SDN_ISA_COUNT: of every ISA this CPU runs) on one thread at the
 * exercise network's shapes (3072 → 20 × 100 → 10) at `batch` rows, and prints the kernel
 * table to out; with dir, also writes the reports there. Progress to log (may be NULL). */
sdn_status sdn_profiler_kernels(sdn_isa isa, size_t batch, const char *dir, FILE *out, FILE *log);

/* Analyzes the records and writes the reports into dir (the writer sdn_profiler_install sets). */
sdn_status sdn_profiler_write(const sdn_profile_options *options, const sdn_prof_data *records);

#endif
