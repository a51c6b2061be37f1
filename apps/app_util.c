/* What every command shares: Ctrl-C, errors, folders, the data a config names, and opening a
 * saved model with its preprocessing. */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "platform.h"
#include "train.h"

volatile sig_atomic_t app_interrupted;

/* From a signal handler (POSIX) or the console's handler thread (Windows). */
static void on_interrupt(void)
{
    static const char msg[] =
        "\nsimdnn: stopping after this batch and saving (Ctrl-C again to quit at once)\n";
    app_interrupted = 1;
    sdn_os_write_stderr(msg, sizeof msg - 1);
}

void app_install_sigint(void)
{
    app_interrupted = 0;
    sdn_on_interrupt(on_interrupt);
}

int app_error(void)
{
    fprintf(stderr, "simdnn: %s\n", sdn_last_error());
    return 1;
}

double app_peak_rss_mb(void)
{
    return sdn_peak_rss_mb();
}

int app_mkdirs(const char *path)
{
    const int err = sdn_mkdirs(path);
    errno = err;
    return err ? -1 : 0;
}

int app_start(int threads, const char *out)
{
    if (sdn_dispatch_init())
        return app_error();
    if (threads > 0)
        sdn_set_num_threads(threads);
    if (out && app_mkdirs(out)) {
        fprintf(stderr, "simdnn: cannot create the output folder %s: %s\n", out, strerror(errno));
        return 1;
    }
    return 0;
}

static int is_file(const char *p)
{
    return sdn_path_kind_of(p) == SDN_PATH_FILE;
}

int app_load_data(const app_train_config *c, sdn_dataset *train, sdn_dataset *test)
{
    sdn_status st;
    if (!strcmp(c->dataset, "cifar10")) {
        st = sdn_cifar10_load(sdn_data_locate(c->data), train, test);
    } else {
        const char *dir = sdn_data_locate(c->data);
        char probe[1100];
        snprintf(probe, sizeof probe, "%s/t10k-labels-idx1-ubyte.gz", dir);
        int found = is_file(probe);
        snprintf(probe, sizeof probe, "%s/t10k-labels-idx1-ubyte", dir);
        found = found || is_file(probe);
        /* Debian's dataset-fashion-mnist when nothing else is named. */
        if (!found && !c->data[0] && !strcmp(c->dataset, "fashion-mnist"))
            dir = "/usr/share/datasets/fashion-mnist";
        st = sdn_idx_load_dir(dir, train, test);
    }
    if (st)
        return app_error();
    if (train && c->train_limit)
        sdn_dataset_truncate(train, c->train_limit);
    if (test && c->test_limit)
        sdn_dataset_truncate(test, c->test_limit);
    /* convolutional layers read images with the channels of a pixel together (NHWC) */
    if (c->conv[0] && ((train && sdn_dataset_to_hwc(train)) || (test && sdn_dataset_to_hwc(test))))
        return app_error();
    return 0;
}

int app_open_model(const char *path, size_t max_batch, int with_optimizer, sdn_model **model,
                   sdn_preprocess *pre, sdn_safetensors **file_out)
{
    char buf[1100];
    if (sdn_path_kind_of(path) == SDN_PATH_DIR) {
        snprintf(buf, sizeof buf, "%s/model.safetensors", path);
        path = buf;
    }
    sdn_safetensors *f;
    if (sdn_safetensors_open(path, &f))
        return app_error();
    sdn_net_spec spec;
    sdn_optimizer_options opt;
    uint64_t seed;
    sdn_status st = sdn_net_from_file(f, &spec, &opt, &seed);
    if (!st)
        st = sdn_net_build(&spec, seed, max_batch, &opt, model);
    if (!st && (st = sdn_model_load(*model, f, with_optimizer))) {
        sdn_model_free(*model);
        *model = NULL;
    }
    if (!st && (st = sdn_checkpoint_read_preprocess(f, spec.input_size, pre))) {
        sdn_model_free(*model);
        *model = NULL;
    }
    if (st) {
        sdn_safetensors_close(f);
        return app_error();
    }
    if (file_out)
        *file_out = f;
    else
        sdn_safetensors_close(f);
    return 0;
}
