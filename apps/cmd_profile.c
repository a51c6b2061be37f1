/* simdnn profile: calibrate (this machine's roofs), kernels (every dispatched kernel at the
 * training workload's shapes against those roofs), diff (two profile.json side by side). */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "profile/report.h"
#include "profile_cmds.h"
#include "train.h"

static void usage(FILE *out)
{
    fprintf(
        out,
        "usage: simdnn profile <calibrate|kernels|diff> [options]\n\n"
        "  calibrate [--redo]       FMA peak per ISA and triad bandwidth on 1 and all threads,\n"
        "                           the counter's frequency; cached in $XDG_CACHE_HOME/simdnn\n"
        "                           (or ~/.cache/simdnn); --redo measures again\n"
        "  kernels [--isa ISA] [--batch N] [--out DIR]\n"
        "                           times every kernel of every ISA this CPU runs (or one) at\n"
        "                           the exercise network's shapes (batch N, default 32) and\n"
        "                           prints GFLOP/s, GB/s and %% of the roof; --out also writes\n"
        "                           profile.md, profile.json, profile.csv, trace.json\n"
        "  diff A B                 two profile.json (or their folders) per kernel and per\n"
        "                           layer, with the ratios B/A\n\n"
        "To profile a real run: simdnn train|evaluate|predict|exercise ... --profile DIR\n"
        "[--profile-steps WAIT,WARMUP,ACTIVE] (default 2,1,10), or SIMDNN_PROFILE=DIR for any\n"
        "program; SIMDNN_VERBOSE=1 prints every kernel call and the dispatch decisions.\n");
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
    sdn_calibration c;
    if (sdn_init() || sdn_calibration_get(&c, redo, stderr))
        return sdn_app_error();
    sdn_calibration_print(&c, stdout);
    return 0;
}

int sdn_cmd_profile(int argc, char **argv)
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
        return sdn_cmd_profile_kernels(argc - 1, argv + 1);
    if (!strcmp(argv[1], "diff"))
        return sdn_cmd_profile_diff(argc - 1, argv + 1);
    fprintf(stderr, "simdnn profile: unknown subcommand '%s' (calibrate, kernels, diff)\n",
            argv[1]);
    return 2;
}
