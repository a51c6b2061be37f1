/* simdnn train: one network on CIFAR-10 (or an IDX dataset) with every knob a flag, presets for the
 * exercise, checkpoints every epoch and --resume. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "platform.h"
#include "train.h"

static void usage(FILE *out)
{
    fprintf(out,
            "usage: simdnn train [--preset NAME] [options]\n\n"
            "Trains a dense network (Flatten -> N x Dense -> softmax), after convolutions with\n"
            "--conv, with early stopping and writes into --out: history.csv, history.json,\n"
            "model.safetensors (best weights),\n"
            "checkpoint.safetensors (last epoch, optimizer and training state: --resume it) and\n"
            "summary.json. Ctrl-C stops after the current batch and saves.\n\n"
            "Presets (Géron, ch. 11, exercise 8; 20 hidden layers of 100, Nadam, standardized\n"
            "inputs, early stopping with patience 20 on val_accuracy):\n"
            "  elu-he         8b: He normal + ELU, lr 5e-5\n"
            "  batchnorm      8c: BN on the inputs and before every activation, lr 5e-4\n"
            "  selu           8d: LeCun normal + SELU, standardized inputs, lr 7e-4\n"
            "  alpha-dropout  8e: selu + AlphaDropout(0.1) before the output layer, lr 5e-4\n"
            "  cnn            CIFAR-10 CNN: --conv c32,c32,m2,c64,c64,m2,c128,g with BN and ReLU,\n"
            "                 Dense 10, crops and flips, Adam 1cycle (peak 3e-3), batch 64, 20\n"
            "                 epochs (docs/cnn.md)\n\n"
            "Options (--name value or --name=value):\n");
    app_train_print_options(out, NULL, NULL);
    fprintf(out, "\nExample:\n  simdnn train --preset batchnorm --data ../cifar-10-binary.tar.gz "
                 "--out runs/8c\n  simdnn train --resume runs/8c --epochs 150\n");
}

int cli_train(int argc, char **argv)
{
    app_train_config c;
    app_train_config_defaults(&c);
    /* With --resume, the checkpoint's own configuration comes first, then the flags given now. */
    const char *resume = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--resume") && i + 1 < argc)
            resume = argv[i + 1];
        else if (!strncmp(argv[i], "--resume=", 9))
            resume = argv[i] + 9;
        else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            usage(stdout);
            return 0;
        }
    }
    if (resume) {
        char path[1100];
        snprintf(path, sizeof path, "%s", resume);
        if (sdn_path_kind_of(path) == SDN_PATH_DIR)
            snprintf(path, sizeof path, "%s/checkpoint.safetensors", resume);
        sdn_safetensors *f;
        if (sdn_safetensors_open(path, &f))
            return app_error();
        const char *args = sdn_safetensors_meta(f, "simdnn.args");
        if (!args) {
            fprintf(stderr,
                    "simdnn: %s: no training configuration stored: not a simdnn "
                    "checkpoint\n",
                    path);
            sdn_safetensors_close(f);
            return 1;
        }
        if (app_train_config_apply_args(&c, args)) {
            sdn_safetensors_close(f);
            return 1;
        }
        const char *preset = sdn_safetensors_meta(f, "simdnn.preset");
        if (preset)
            snprintf(c.preset, sizeof c.preset, "%s", preset);
        sdn_safetensors_close(f);
        /* Output beside the checkpoint unless --out says otherwise. */
        char *slash = strrchr(path, '/');
        if (slash) {
            *slash = 0;
            snprintf(c.out, sizeof c.out, "%.1000s", path);
        } else {
            snprintf(c.out, sizeof c.out, ".");
        }
    }
    int r = app_train_parse(&c, "simdnn train", argc, argv, 1, NULL, NULL, NULL);
    if (r == -1) {
        usage(stdout);
        return 0;
    }
    if (r)
        return r;
    sdn_schedule probe; /* Schedule flags are checked before any data is read */
    sdn_optimizer_options probe_opt = app_train_optimizer(&c);
    if (app_train_schedule(&c, &probe_opt, 1, &probe))
        return 2;
    app_install_sigint();
    app_train_result res;
    int rc = app_train(&c, &res);
    if (rc == 0 || res.history.history)
        sdn_fit_state_free(&res.history);
    return rc;
}
