/* libFuzzer target: the training state a checkpoint carries for --resume (epochs, best epoch and
 * value, patience counter, monitor, timings and the history rows). Input lines become the values of
 * the fit.* metadata keys in order (fewer lines: later keys absent); the file, written with the
 * library's own writer, holds a fit.best_state tensor whose length byte 0 sets. */
#include "error.h"
#include "fuzz_util.h"
#include "simdnn_fit.h"

static const char *const keys[] = {"fit.epochs_done",   "fit.best_epoch",        "fit.best_value",
                                   "fit.best_val_loss", "fit.best_val_accuracy", "fit.wait",
                                   "fit.monitor",       "fit.train_seconds",     "fit.history"};
#define NKEYS (sizeof keys / sizeof keys[0])

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!size)
        return 0;
    size_t state_len = data[0] % 8, state_count = data[0] / 8 % 8;
    char *lines[NKEYS];
    int n = fuzz_split(data + 1, size - 1, '\n', lines, NKEYS);
    sdn_st_meta meta[NKEYS];
    for (int i = 0; i < n; i++)
        meta[i] = (sdn_st_meta){keys[i], lines[i]};
    float best[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    sdn_st_tensor t = {"fit.best_state", 1, {state_len}, best};
    char path[300];
    snprintf(path, sizeof path, "%s/checkpoint.safetensors", fuzz_dir());
    if (sdn_safetensors_write(path, &t, state_len ? 1 : 0, meta, (size_t)n) != SDN_OK)
        abort();
    free(lines[0]);
    sdn_safetensors *st = NULL;
    if (sdn_safetensors_open(path, &st) != SDN_OK)
        abort(); /* the writer's output must read back */
    sdn_fit_state fs;
    if (sdn_fit_state_from_file(st, &fs, state_count) == SDN_OK) {
        if (fs.history_len != fs.epochs_done || fs.history_len < 0)
            abort();
        for (int i = 0; i < fs.history_len; i++)
            (void)fs.history[i].loss;
        if (fs.best_state && fs.state_count != state_count)
            abort();
        sdn_fit_state_free(&fs);
    } else if (fs.history || fs.best_state) {
        abort(); /* a refused state leaves nothing allocated */
    }
    sdn_safetensors_close(st);
    return 0;
}
