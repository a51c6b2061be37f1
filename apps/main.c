/* simdnn: the command-line entry point; dispatches to one subcommand. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "platform.h"
#include "simdnn_dist.h" /* i16 */

typedef struct command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} command;

static const command commands[] = {
    {"info", cli_info, "print the CPU, its features and the kernels chosen"},
    {"train", cli_train, "train a network (presets for exercise 8b-8e), with checkpoints"},
    {"evaluate", cli_evaluate, "loss and accuracy of a saved model on the test set"},
    {"predict", cli_predict, "predictions of a saved model, with MC Dropout (--mc-samples)"},
    {"exercise", cli_exercise, "run exercise 8b-8e and MC Dropout, write the report"},
    {"profile", cli_profile, "calibrate the roofs, time every kernel, compare two profiles"},

    {"lr-find", cli_lrfind, "learning-rate range test: loss against rate, suggested rate"},
    {"lab", cli_lab, "the chapter's questions answered by measurement (labs q1-q8, all)"},
};

static void usage(FILE *out)
{
    fprintf(out,
            "usage: simdnn <command> [options]   (simdnn <command> --help for its options)\n\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fprintf(out, "\ntrain, evaluate, predict and exercise also take --profile DIR [--profile-steps "
                 "WAIT,WARMUP,ACTIVE]\n");
}

static int run_command(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        usage(stdout);
        return 0;
    }
    if (sdn_dist_size() > 1 && strcmp(argv[1], "train")) { /* one rank runs only train */
        fprintf(stderr,
                "simdnn %s: runs as one process; of the commands only 'train' is "
                "distributed over MPI ranks\n",
                argv[1]);
        return 2;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (!strcmp(argv[1], commands[i].name))
            return app_run_command(commands[i].name, commands[i].run, argc - 1, argv + 1);
    fprintf(stderr, "simdnn: unknown command '%s'\n\n", argv[1]);
    usage(stderr);
    return 2;
}

/* joins the MPI job when started by mpirun; a failing rank aborts the whole job. */
int main(int argc, char **argv)
{
    sdn_args_utf8(&argc, &argv); /* Windows: the command line in UTF-8, as paths are */
    if (sdn_dist_init(&argc, &argv)) {
        fprintf(stderr, "simdnn: %s\n", sdn_last_error());
        return 1;
    }
    int rc = run_command(argc, argv);
    sdn_dist_finalize(rc);
    return rc;
}
