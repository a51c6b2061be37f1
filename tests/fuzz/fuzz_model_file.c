/* libFuzzer target: a simdnn model or checkpoint file on top of the safetensors reader — the
 * architecture and optimizer metadata, the rebuilt network, its tensors and the resume state, as
 * evaluate, predict and --resume read them. */
#include "error.h"
#include "fuzz_util.h"
#include "simdnn_fit.h"

/* Networks larger than this are not built here: the parser is under test, not the allocator. */
#define MAX_PARAMS (1u << 16)

static int small_enough(const sdn_net_spec *s)
{
    double in = (double)s->input_size, u = (double)s->units, c = (double)s->classes;
    double p = s->hidden_layers > 0 ? in * u + (s->hidden_layers - 1) * u * u + u * c : in * c;
    return s->hidden_layers <= 64 && p <= MAX_PARAMS && s->input_size <= MAX_PARAMS &&
           s->units <= MAX_PARAMS && s->classes <= MAX_PARAMS;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fuzz_file(0, "model.safetensors", data, size);
    sdn_safetensors *st = NULL;
    if (sdn_safetensors_open(path, &st) != SDN_OK)
        return 0;
    sdn_net_spec spec;
    sdn_optimizer_options opt;
    uint64_t seed;
    sdn_model *model = NULL;
    if (sdn_net_from_file(st, &spec, &opt, &seed) == SDN_OK && small_enough(&spec) &&
        sdn_net_build(&spec, seed, 4, &opt, &model) == SDN_OK) {
        /* As resume (with optimizer) and as evaluate/predict (without). */
        (void)sdn_model_load(model, st, 1);
        (void)sdn_model_load(model, st, 0);
        sdn_fit_state fs;
        if (sdn_fit_state_from_file(st, &fs, sdn_model_state_count(model)) == SDN_OK) {
            if (fs.history_len != fs.epochs_done)
                abort();
            sdn_fit_state_free(&fs);
        }
        float x[4 * 64] = {0}, probs[4 * 64];
        if (spec.input_size <= 64 && spec.classes <= 64)
            (void)sdn_model_predict(model, x, 4, probs);
        sdn_model_free(model);
    }
    sdn_safetensors_close(st);
    return 0;
}
