/* simdnn as a library: train a small network on generated data, save it, load it into a new
 * model, and check that the reloaded model predicts exactly what the trained one does.
 * Usage: train_save_load [model.safetensors]   (default: a file in the current folder) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <simdnn.h>
#include <simdnn_io.h>

enum { FEATURES = 16, CLASSES = 4, SAMPLES = 1024, BATCH = 64, EPOCHS = 20 };

/* Each class lifts its own block of four features above uniform noise in [-1, 1). */
static void make_data(float *x, int32_t *y)
{
    uint64_t s = 0x9e3779b97f4a7c15u;
    for (size_t i = 0; i < SAMPLES; i++) {
        y[i] = (int32_t)(i % CLASSES);
        for (size_t j = 0; j < FEATURES; j++) {
            s ^= s << 13, s ^= s >> 7, s ^= s << 17;
            x[i * FEATURES + j] = (float)(s >> 40) / (float)(1u << 23) - 1.0f;
            if (j / 4 == (size_t)y[i])
                x[i * FEATURES + j] += 1.5f;
        }
    }
}

/* 16 → 32 (ReLU) → 4 (softmax), trained with Adam. */
static sdn_model *make_model(void)
{
    sdn_model *m = sdn_model_new(42);
    sdn_dense_options hidden = sdn_dense_defaults(32), out = sdn_dense_defaults(CLASSES);
    hidden.activation = SDN_ACT_RELU;
    hidden.kernel_init.kind = SDN_INIT_HE_NORMAL;
    out.activation = SDN_ACT_SOFTMAX;
    sdn_optimizer_options adam = sdn_optimizer_defaults(SDN_OPT_ADAM);
    if (!m || sdn_model_add_dense(m, &hidden) || sdn_model_add_dense(m, &out) ||
        sdn_model_compile(m, FEATURES, BATCH, &adam)) {
        fprintf(stderr, "building the model failed: %s\n", sdn_last_error());
        sdn_model_free(m);
        return NULL;
    }
    return m;
}

static int fail(const char *what)
{
    fprintf(stderr, "%s failed: %s\n", what, sdn_last_error());
    return 1;
}

static int run(sdn_model *trained, sdn_model *loaded, const char *path, float *x, int32_t *y,
               float *p1, float *p2)
{
    make_data(x, y);
    float loss = 0, acc = 0;
    for (int e = 0; e < EPOCHS; e++)
        for (size_t i = 0; i < SAMPLES; i += BATCH)
            if (sdn_model_train_batch(trained, x + i * FEATURES, y + i, BATCH, &loss, &acc))
                return fail("training");
    if (sdn_model_evaluate(trained, x, y, SAMPLES, &loss, &acc))
        return fail("evaluation");
    printf("trained: loss %.4f, accuracy %.3f\n", loss, acc);
    if (acc < 0.9f) {
        fprintf(stderr, "accuracy %.3f is too low: the network did not learn\n", acc);
        return 1;
    }
    sdn_safetensors *file = NULL;
    if (sdn_model_save(trained, path, 0, NULL, 0, NULL, 0))
        return fail("saving");
    if (sdn_safetensors_open(path, &file))
        return fail("opening the saved model");
    sdn_status st = sdn_model_load(loaded, file, 0);
    sdn_safetensors_close(file);
    if (st)
        return fail("loading");
    if (sdn_model_predict(trained, x, SAMPLES, p1) || sdn_model_predict(loaded, x, SAMPLES, p2))
        return fail("prediction");
    if (memcmp(p1, p2, sizeof(float) * SAMPLES * CLASSES) != 0) {
        fprintf(stderr, "the reloaded model predicts differently from the trained one\n");
        return 1;
    }
    printf("saved to %s, reloaded: the same %d predictions\n", path, SAMPLES);
    return 0;
}

int main(int argc, char **argv)
{
    const char *path = argc > 1 ? argv[1] : "train_save_load.safetensors";
    printf("simdnn %s (header %s), %s kernels, %d threads\n", sdn_version(), SDN_VERSION_STRING,
           sdn_dispatch_init() == SDN_OK ? sdn_isa_name(sdn_active_isa()) : "no", sdn_num_threads());
    if (strcmp(sdn_version(), SDN_VERSION_STRING) != 0) {
        fprintf(stderr, "library %s does not match the header %s\n", sdn_version(),
                SDN_VERSION_STRING);
        return 1;
    }
    float *x = malloc(sizeof(float) * SAMPLES * FEATURES);
    int32_t *y = malloc(sizeof(int32_t) * SAMPLES);
    float *p1 = malloc(sizeof(float) * SAMPLES * CLASSES);
    float *p2 = malloc(sizeof(float) * SAMPLES * CLASSES);
    sdn_model *trained = make_model(), *loaded = make_model();
    int rc = 1;
    if (x && y && p1 && p2 && trained && loaded)
        rc = run(trained, loaded, path, x, y, p1, p2);
    sdn_model_free(trained);
    sdn_model_free(loaded);
    free(x), free(y), free(p1), free(p2);
    return rc;
}
