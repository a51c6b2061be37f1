/* --profile DIR and --profile-steps WAIT,WARMUP,ACTIVE for train, evaluate, predict and exercise:
 * taken out of argv before the command parses it, and a profile around the whole command. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "simdnn_profile.h"
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

int sdn_app_run_command(const char *name, int (*run)(int, char **), int argc, char **argv)
{
    int takes = 0;
    for (size_t i = 0; i < sizeof profiled / sizeof profiled[0]; i++)
        takes |= !strcmp(name, profiled[i]);
    if (!takes)
        return run(argc, argv);
    sdn_profile_options o = sdn_profile_defaults();
    const char *steps = NULL;
    int n = 0;
    for (int i = 0; i < argc;) { /* keep every argument but ours, in order */
        int used;
        const char *v = flag_value("--profile", argc, argv, i, &used);
        const char *s = used ? NULL : flag_value("--profile-steps", argc, argv, i, &used);
        if (!used) {
            argv[n++] = argv[i++];
            continue;
        }
        if (!(v ? v : s) || !*(v ? v : s)) {
            fprintf(stderr, "simdnn %s: %s needs a value\n", name, argv[i]);
            return 2;
        }
        if (v)
            o.dir = v;
        else
            steps = s;
        i += used;
    }
    argv[n] = NULL;
    if (steps && sdn_profile_parse_steps(steps, &o)) {
        fprintf(stderr,
                "simdnn %s: --profile-steps %s: expected WAIT,WARMUP,ACTIVE, three "
                "integers >= 0 (e.g. 2,1,10)\n",
                name, steps);
        return 2;
    }
    if (!o.dir && steps) {
        fprintf(stderr, "simdnn %s: --profile-steps needs --profile DIR\n", name);
        return 2;
    }
    if (!o.dir)
        return run(n, argv);
    if (sdn_profile_begin(&o))
        return sdn_app_error();
    const int rc = run(n, argv);
    if (sdn_profile_end()) {
        sdn_app_error();
        return rc ? rc : 1;
    }
    fprintf(stderr, "profile: %s/profile.md (and profile.json, profile.csv, trace.json)\n", o.dir);
    return rc;
}
