/* simdnn info: what this CPU is, what it can run, and what simdnn chose. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "simdnn.h"

static void print_text(const sdn_cpu_info *c, unsigned mr, unsigned nr)
{
    printf("cpu:       %s%s%s\n", c->vendor, c->brand[0] ? " " : "", c->brand);
    printf("features: %s%s%s%s%s%s%s%s%s\n", c->avx2 ? " avx2" : "", c->fma ? " fma" : "",
           c->avx512f ? " avx512f" : "", c->avx512bw ? " avx512bw" : "",
           c->avx512vl ? " avx512vl" : "", c->avx512dq ? " avx512dq" : "", c->neon ? " neon" : "",
           c->os_ymm ? " os-ymm" : "", c->os_zmm ? " os-zmm" : "");
    printf("runs:     ");
    for (int i = 0; i < SDN_ISA_COUNT; i++)
        if (sdn_isa_supported((sdn_isa)i))
            printf(" %s", sdn_isa_name((sdn_isa)i));
    printf("\nisa:       %s\n", sdn_isa_name(sdn_active_isa()));
    printf("gemm:      %ux%u microkernel\n", mr, nr);
    printf("threads:   %d\n", sdn_num_threads());
    const sdn_thread_costs *tc = sdn_thread_costs_get();
    if (tc->threads > 1)
        printf(
            "meeting:   fork/join %.0f ns, round trip %.0f ns (close cores: under 120; apart: "
            "350 and more), a line across and back %.1f ns, one core %.0f multiply-adds/ns; GEMMs "
            "split from %.0fK multiply-adds\n",
            tc->fork_join_ns, tc->round_trip_ns, tc->line_ns, tc->fma_per_ns,
            tc->gemm_parallel_min / 1e3);
    printf("caches:    L1d %zu KiB (%s), L2 %zu KiB (%s), L3 %zu KiB (%s)\n", c->l1d_bytes >> 10,
           c->l1d_source, c->l2_bytes >> 10, c->l2_source, c->l3_bytes >> 10, c->l3_source);
    if (!strcmp(c->l1d_source, "default") || !strcmp(c->l2_source, "default") ||
        !strcmp(c->l3_source, "default"))
        printf("           default: neither CPUID, sysconf nor sysfs gave a size (GEMM blocking "
               "and profiler roofs assume it; SIMDNN_CACHE_SIZES=48K,1M,32M sets them)\n");
}

static void print_json(const sdn_cpu_info *c, unsigned mr, unsigned nr)
{
    printf("{\"vendor\": \"%s\", \"brand\": \"%s\", \"features\": {\"avx2\": %d, \"fma\": %d, "
           "\"avx512f\": %d, \"avx512bw\": %d, \"avx512vl\": %d, \"avx512dq\": %d, \"neon\": %d, "
           "\"os_ymm\": %d, \"os_zmm\": %d}, \"runs\": [",
           c->vendor, c->brand, c->avx2, c->fma, c->avx512f, c->avx512bw, c->avx512vl, c->avx512dq,
           c->neon, c->os_ymm, c->os_zmm);
    const char *sep = "";
    for (int i = 0; i < SDN_ISA_COUNT; i++)
        if (sdn_isa_supported((sdn_isa)i)) {
            printf("%s\"%s\"", sep, sdn_isa_name((sdn_isa)i));
            sep = ", ";
        }
    printf("], \"isa\": \"%s\", \"gemm_tile\": [%u, %u], \"threads\": %d, "
           "\"cache_bytes\": {\"l1d\": %zu, \"l2\": %zu, \"l3\": %zu}, "
           "\"cache_source\": {\"l1d\": \"%s\", \"l2\": \"%s\", \"l3\": \"%s\"}, ",
           sdn_isa_name(sdn_active_isa()), mr, nr, sdn_num_threads(), c->l1d_bytes, c->l2_bytes,
           c->l3_bytes, c->l1d_source, c->l2_source, c->l3_source);
    const sdn_thread_costs *tc = sdn_thread_costs_get();
    printf("\"thread_costs\": {\"fork_join_ns\": %.1f, \"round_trip_ns\": %.1f, "
           "\"line_ns\": %.2f, \"fma_per_ns\": %.2f, \"gemm_parallel_min\": %.0f}}\n",
           tc->fork_join_ns, tc->round_trip_ns, tc->line_ns, tc->fma_per_ns, tc->gemm_parallel_min);
}

int cli_info(int argc, char **argv)
{
    int json = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--json")) {
            json = 1;
        } else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            printf("usage: simdnn info [--json]\n\nPrints the CPU, its SIMD features, the ISAs it "
                   "can run, the ISA chosen (SIMDNN_ISA caps it), the OpenMP thread count, "
                   "what a meeting of threads costs here and the cache sizes.\n");
            return 0;
        } else {
            fprintf(stderr, "simdnn info: unknown option '%s' (try --help)\n", argv[i]);
            return 2;
        }
    }
    if (sdn_dispatch_init() != SDN_OK) {
        fprintf(stderr, "simdnn: %s\n", sdn_last_error());
        return 1;
    }
    const sdn_cpu_info *c = sdn_cpu();
    unsigned mr, nr;
    sdn_gemm_tile(&mr, &nr);
    if (json)
        print_json(c, mr, nr);
    else
        print_text(c, mr, nr);
    return 0;
}
