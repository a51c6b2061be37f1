/* simdnn profile: calibrate (this machine's roofs), kernels (every dispatched kernel at the
 * training workload's shapes against those roofs), diff (two profile.json side by side). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "profile_cmds.h"
#include "simdnn_profiler.h"
#include "train.h"

/* The profiling tool's own error message (it sits above the library). */
static int profiler_error(void)
{
    fprintf(stderr, "simdnn: %s\n", sdn_profiler_last_error());
    return 1;
}

static void usage(FILE *out)
{
    fprintf(
        out,
        "usage: simdnn profile <calibrate|kernels|diff> [options]\n\n"
        "  calibrate [--redo]       the cache sizes and their source, FMA peak per ISA on 1\n"
        "                           and all cores, exp, sqrt/divide and compare-select rates,\n"
        "                           bandwidth per cache level for 1-7 streams, DRAM triad, the\n"
        "                           core-to-core round trip; cached in $XDG_CACHE_HOME/simdnn\n"
        "                           (or ~/.cache/simdnn); --redo measures again\n"
        "  kernels [--isa ISA] [--batch N] [--out DIR]\n"
        "                           times every kernel of every ISA this CPU runs (or one) at\n"
        "                           the exercise network's shapes (batch N, default 32) and\n"
        "                           prints GFLOP/s, GB/s and %% of the roof; --out also writes\n"
        "                           the reports (a folder per ISA unless --isa)\n"
        "  diff A B [--fail-above P%%] [--noise P%%]\n"
        "                           two profile.json (or their folders): per call and per\n"
        "                           step, moves beyond noise flagged, sorted by share of the\n"
        "                           step; exit 3 when a regression exceeds P%%\n\n"
        "To profile a real run: simdnn train|evaluate|predict|exercise ... --profile DIR\n"
        "[--profile-steps WAIT,WARMUP,ACTIVE] (default 2,1,10) [--profile-trace "
        "auto|gz|json|none]\n"
        "(auto: gzip above 10 MB) [--profile-counters thread|kernel|off], or SIMDNN_PROFILE=DIR;\n"
        "SIMDNN_VERBOSE=1 prints every kernel call and the dispatch decisions.\n");
}

static int cmd_calibrate(int argc, char **argv)
{
    int redo = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--redo"))
            redo = 1;
        else {
            fprintf(stderr, "simdnn profile calibrate: unknown option '%s'\n", argv[i]);
            return 2;
        }
    }
    return sdn_profiler_calibrate(redo, stdout, stderr) ? profiler_error() : 0;
}

static int cmd_kernels(int argc, char **argv)
{
    sdn_isa isa = SDN_ISA_COUNT;
    const char *dir = NULL;
    long batch = 32;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--isa") && v) {
            isa = sdn_isa_from_name(v);
            if (isa == SDN_ISA_COUNT || !sdn_isa_supported(isa)) {
                fprintf(stderr, "simdnn profile kernels: --isa %s: this CPU runs only", v);
                for (int j = 0; j < SDN_ISA_COUNT; j++)
                    if (sdn_isa_supported((sdn_isa)j))
                        fprintf(stderr, " %s", sdn_isa_name((sdn_isa)j));
                fprintf(stderr, "\n");
                return 2;
            }
        } else if (!strcmp(a, "--out") && v) {
            dir = v;
        } else if (!strcmp(a, "--batch") && v) {
            char *end;
            batch = strtol(v, &end, 10);
            if (*end || batch < 1 || batch > 65536) {
                fprintf(stderr, "simdnn profile kernels: --batch %s: expected 1..65536\n", v);
                return 2;
            }
        } else {
            fprintf(stderr, "simdnn profile kernels: unknown option or missing value '%s'\n", a);
            return 2;
        }
        i++;
    }
    return sdn_profiler_kernels(isa, (size_t)batch, dir, stdout, stderr) ? profiler_error() : 0;
}

int cli_profile(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        usage(stdout);
        return 0;
    }
    if (!strcmp(argv[1], "calibrate"))
        return cmd_calibrate(argc - 1, argv + 1);
    if (!strcmp(argv[1], "kernels"))
        return cmd_kernels(argc - 1, argv + 1);
    if (!strcmp(argv[1], "diff"))
        return cli_profile_diff(argc - 1, argv + 1);
    fprintf(stderr, "simdnn profile: unknown subcommand '%s' (calibrate, kernels, diff)\n",
            argv[1]);
    return 2;
}
