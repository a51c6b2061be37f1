/* --profile DIR, --profile-steps WAIT,WARMUP,ACTIVE, --profile-trace FORM and --profile-counters
 * WHERE for train, evaluate, predict and exercise: taken out of argv before the command parses it,
 * and a profile around the whole command, written by the profiling tool (profile/). */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "simdnn_profiler.h"
#include "train.h"

static const char *const profiled[] = {"train", "evaluate", "predict", "exercise"};

/* Value of --name V or --name=V at argv[i]; *used: how many arguments it took (0: not it). */
static const char *flag_value(const char *name, int argc, char **argv, int i, int *used)
{
    const size_t len = strlen(name);
    *used = 0;
    if (strncmp(argv[i], name, len))
        return NULL;
    if (argv[i][len] == '=') {
        *used = 1;
        return argv[i] + len + 1;
    }
    if (argv[i][len] == 0) {
        *used = i + 1 < argc ? 2 : 1;
        return i + 1 < argc ? argv[i + 1] : NULL;
    }
    return NULL;
}

/* An index into names[] for value, or -1. */
static int pick(const char *value, const char *const *names, int n)
{
    for (int i = 0; i < n; i++)
        if (!strcmp(value, names[i]))
            return i;
    return -1;
}

typedef struct profile_args {
    const char *dir, *steps, *trace, *counters;
} profile_args;

/* Takes our flags out of argv (the rest keeps its order); -1 after an error message. */
static int take_flags(const char *name, int *argc, char **argv, profile_args *a)
{
    static const char *const flags[] = {"--profile", "--profile-steps", "--profile-trace",
                                        "--profile-counters"};
    const char **slots[] = {&a->dir, &a->steps, &a->trace, &a->counters};
    int n = 0;
    for (int i = 0; i < *argc;) {
        int used = 0, f = 0;
        const char *v = NULL;
        for (; f < 4 && !used; f++)
            v = flag_value(flags[f], *argc, argv, i, &used);
        if (!used) {
            argv[n++] = argv[i++];
            continue;
        }
        if (!v || !*v) {
            fprintf(stderr, "simdnn %s: %s needs a value\n", name, argv[i]);
            return -1;
        }
        *slots[f - 1] = v;
        i += used;
    }
    argv[n] = NULL;
    *argc = n;
    return 0;
}

static int options_from(const char *name, const profile_args *a, sdn_profile_options *o)
{
    static const char *const traces[] = {"auto", "gz", "json", "none"};
    static const char *const counters[] = {"thread", "kernel", "off"};
    if (a->steps && sdn_profile_parse_steps(a->steps, o)) {
        fprintf(stderr,
                "simdnn %s: --profile-steps %s: expected WAIT,WARMUP,ACTIVE, three "
                "integers >= 0 (e.g. 2,1,10)\n",
                name, a->steps);
        return 2;
    }
    if (a->trace && (o->trace = pick(a->trace, traces, 4)) < 0) {
        fprintf(stderr, "simdnn %s: --profile-trace %s: expected auto, gz, json or none\n", name,
                a->trace);
        return 2;
    }
    if (a->counters && (o->counters = pick(a->counters, counters, 3)) < 0) {
        fprintf(stderr, "simdnn %s: --profile-counters %s: expected thread, kernel or off\n", name,
                a->counters);
        return 2;
    }
    if (!a->dir && (a->steps || a->trace || a->counters)) {
        fprintf(stderr, "simdnn %s: %s needs --profile DIR\n", name,
                a->steps   ? "--profile-steps"
                : a->trace ? "--profile-trace"
                           : "--profile-counters");
        return 2;
    }
    o->dir = a->dir;
    return 0;
}

int app_run_command(const char *name, int (*run)(int, char **), int argc, char **argv)
{
    sdn_profiler_install(); /* SIMDNN_PROFILE=DIR, begun before main, writes at exit */
    int takes = 0;
    for (size_t i = 0; i < sizeof profiled / sizeof profiled[0]; i++)
        takes |= !strcmp(name, profiled[i]);
    if (!takes)
        return run(argc, argv);
    profile_args a = {0};
    sdn_profile_options o = sdn_profile_defaults();
    if (take_flags(name, &argc, argv, &a))
        return 2;
    int rc = options_from(name, &a, &o);
    if (rc)
        return rc;
    if (!o.dir)
        return run(argc, argv);
    if (sdn_profile_begin(&o))
        return app_error();
    rc = run(argc, argv);
    if (sdn_profile_end()) {
        app_error();
        return rc ? rc : 1;
    }
    fprintf(stderr, "profile: %s/profile.md (and .json, .csv, .svg, .html, the trace)\n", o.dir);
    return rc;
}
