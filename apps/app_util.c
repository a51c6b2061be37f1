/* What every command shares: Ctrl-C, errors, folders, the data a config names, and opening a
 * saved model with its preprocessing. */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "train.h"

volatile sig_atomic_t sdn_app_interrupted;

static void on_sigint(int sig)
{
    (void)sig;
    static const char msg[] =
        "\nsimdnn: stopping after this batch and saving (Ctrl-C again to quit at once)\n";
    sdn_app_interrupted = 1;
    if (write(STDERR_FILENO, msg, sizeof msg - 1) < 0) {
    }
    signal(SIGINT, SIG_DFL);
}

void sdn_app_install_sigint(void)
{
    sdn_app_interrupted = 0;
    signal(SIGINT, on_sigint);
}

int sdn_app_error(void)
{
    fprintf(stderr, "simdnn: %s\n", sdn_last_error());
    return 1;
}

double sdn_app_peak_rss_mb(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_maxrss / 1024.0; /* KiB on Linux */
}

int sdn_app_mkdirs(const char *path)
{
    char buf[1024];
    snprintf(buf, sizeof buf, "%s", path);
    for (char *p = buf + 1; *p; p++)
        if (*p == '/') {
            *p = 0;
            if (mkdir(buf, 0755) != 0 && errno != EEXIST)
                return -1;
            *p = '/';
        }
    if (mkdir(buf, 0755) != 0 && errno != EEXIST)
        return -1;
    return 0;
}

int sdn_app_start(int threads, const char *out)
{
    if (sdn_dispatch_init())
        return sdn_app_error();
    if (threads > 0)
        sdn_set_num_threads(threads);
    if (out && sdn_app_mkdirs(out)) {
        fprintf(stderr, "simdnn: cannot create the output folder %s: %s\n", out, strerror(errno));
        return 1;
    }
    return 0;
}

static int is_file(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

int sdn_app_load_data(const sdn_train_config *c, sdn_dataset *train, sdn_dataset *test)
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
        return sdn_app_error();
    if (train && c->train_limit)
        sdn_dataset_truncate(train, c->train_limit);
    if (test && c->test_limit)
        sdn_dataset_truncate(test, c->test_limit);
    /* convolutional layers read images with the channels of a pixel together (NHWC) */
    if (c->conv[0] && ((train && sdn_dataset_to_hwc(train)) || (test && sdn_dataset_to_hwc(test))))
        return sdn_app_error();
    return 0;
}

int sdn_app_open_model(const char *path, size_t max_batch, int with_optimizer, sdn_model **model,
                       sdn_preprocess *pre, sdn_safetensors **file_out)
{
    char buf[1100];
    struct stat sb;
    if (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode)) {
        snprintf(buf, sizeof buf, "%s/model.safetensors", path);
        path = buf;
    }
    sdn_safetensors *f;
    if (sdn_safetensors_open(path, &f))
        return sdn_app_error();
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
        return sdn_app_error();
    }
    if (file_out)
        *file_out = f;
    else
        sdn_safetensors_close(f);
    return 0;
}

