/* CPU feature detection (internal). */
#ifndef SDN_CPU_H
#define SDN_CPU_H

#include "simdnn.h"

/* Fills info; -1 when SIMDNN_CACHE_SIZES is set but malformed (then ignored). */
int sdn_cpu_detect(sdn_cpu_info *info);
/* Whether the CPU and OS can execute the ISA's instructions (not whether this build has them). */
int sdn_cpu_runs(const sdn_cpu_info *info, sdn_isa isa);

#endif
