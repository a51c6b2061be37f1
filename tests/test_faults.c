/* Fault injection: the n-th allocation fails, for every n, in building and compiling a model,
 * loading data, saving, loading a checkpoint and the fit loop. Each run ends in SDN_OK or a clean
 * SDN_ERR_NOMEM that says so, leaks nothing (ASan in the sanitize suite) and leaves no half-built
 * object: the same call again without the fault gives bitwise what a fresh object gives. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fault_alloc.h"
#include "simdnn_fit.h"
#include "testutil.h"

enum { FEAT = 12, CLASSES = 3, TRAIN = 40, VAL = 10, BATCH = 16 };

static const char *tmpdir(void)
{
    const char *d = sdn_test_tmpdir("faults");
    assert_non_null(d);
    return d;
}

/* Every regularized, batch-normalized, dropout-carrying piece, so each has allocations to fail. */
static sdn_net_spec spec(void)
{
    sdn_net_spec s = {.activation = SDN_ACT_ELU, .init = SDN_INIT_HE_NORMAL};
    s.input_size = FEAT;
    s.classes = CLASSES;
    s.hidden_layers = 2;
    s.units = 5;
    s.batch_norm = 1;
    s.dropout = 0.25f;
    s.l1 = 1e-3f;
    s.l2 = 1e-2f;
    return s;
}

/* Clipping on: the optimizer then walks the model's segment list (a duplicated one would show). */
static sdn_optimizer_options nadam(void)
{
    sdn_optimizer_options o = sdn_optimizer_defaults(SDN_OPT_NADAM);
    o.clip_norm = 0.5f;
    return o;
}

/* ---------------------------------------------------------------- model build and compile */

static sdn_status op_build(void *ctx)
{
    sdn_net_spec s = spec();
    sdn_optimizer_options o = nadam();
    sdn_model **m = ctx;
    return sdn_net_build(&s, 7, BATCH, &o, m);
}

static void check_build(void *ctx, sdn_status st)
{
    sdn_model **m = ctx;
    if (st)
        assert_null(*m);
    else
        assert_non_null(*m);
    sdn_model_free(*m);
    *m = NULL;
}

static void build_faults(void **state)
{
    (void)state;
    sdn_model *m = NULL;
    assert_true(sdn_fault_sweep("build + compile", NULL, op_build, check_build, &m) > 5);
}

/* The layers of spec() by hand, so compile can be retried on the same object. */
static sdn_model *layers_only(void)
{
    sdn_model *m = sdn_model_new(7);
    assert_non_null(m);
    assert_int_equal(sdn_model_add_flatten(m), SDN_OK);
    for (int i = 0; i < 2; i++) {
        sdn_dense_options d = sdn_dense_defaults(5);
        d.l1 = 1e-3f;
        d.l2 = 1e-2f;
        assert_int_equal(sdn_model_add_dense(m, &d), SDN_OK);
        assert_int_equal(sdn_model_add_batch_norm(m, 0.99f, 1e-3f), SDN_OK);
        assert_int_equal(sdn_model_add_activation(m, SDN_ACT_ELU, 0), SDN_OK);
    }
    assert_int_equal(sdn_model_add_dropout(m, 0.25f), SDN_OK);
    sdn_dense_options d = sdn_dense_defaults(CLASSES);
    d.activation = SDN_ACT_SOFTMAX;
    assert_int_equal(sdn_model_add_dense(m, &d), SDN_OK);
    return m;
}

/* Two steps' losses and the weights after them: equal bitwise for equal models. */
typedef struct fingerprint {
    float loss[2];
    float state[256];
    size_t count;
} fingerprint;

static fingerprint train_two_steps(sdn_model *m)
{
    fingerprint f = {.count = sdn_model_state_count(m)};
    assert_true(f.count <= 256);
    float x[BATCH * FEAT];
    int32_t y[BATCH];
    sdn_test_fill(x, BATCH * FEAT, 3, -1, 1);
    for (int i = 0; i < BATCH; i++)
        y[i] = i % CLASSES;
    for (int s = 0; s < 2; s++) {
        float acc;
        assert_int_equal(sdn_model_train_batch(m, x, y, BATCH, &f.loss[s], &acc), SDN_OK);
    }
    assert_int_equal(sdn_model_get_state(m, f.state, f.count), SDN_OK);
    return f;
}

typedef struct compile_ctx {
    sdn_model *m;
    fingerprint fresh;
} compile_ctx;

static sdn_status make_layers(void *ctx)
{
    ((compile_ctx *)ctx)->m = layers_only();
    return SDN_OK;
}

static sdn_status op_compile(void *ctx)
{
    compile_ctx *c = ctx;
    sdn_optimizer_options o = nadam();
    return sdn_model_compile(c->m, FEAT, BATCH, &o);
}

/* After a failed compile, compiling the same model again must give exactly a fresh model. */
static void check_compile(void *ctx, sdn_status st)
{
    compile_ctx *c = ctx;
    sdn_optimizer_options o = nadam();
    if (st)
        assert_int_equal(sdn_model_compile(c->m, FEAT, BATCH, &o), SDN_OK);
    fingerprint f = train_two_steps(c->m);
    assert_int_equal(f.count, c->fresh.count);
    assert_memory_equal(f.loss, c->fresh.loss, sizeof f.loss);
    assert_memory_equal(f.state, c->fresh.state, f.count * sizeof(float));
    sdn_model_free(c->m);
}

static void compile_retry_faults(void **state)
{
    (void)state;
    compile_ctx c;
    sdn_model *m = layers_only();
    sdn_optimizer_options o = nadam();
    assert_int_equal(sdn_model_compile(m, FEAT, BATCH, &o), SDN_OK);
    c.fresh = train_two_steps(m);
    sdn_model_free(m);
    assert_true(sdn_fault_sweep("compile, then compile again", make_layers, op_compile,
                                check_compile, &c) > 5);
}

/* ---------------------------------------------------------------- data */

/* A CIFAR-10 folder of 3 records per batch, and the same as a tar.gz beside it (tar + gzip). */
static void make_cifar(const char *dir)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/cifar-10-batches-bin", dir);
    mkdir(path, 0755);
    static const char *names[] = {"data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin",
                                  "data_batch_4.bin", "data_batch_5.bin", "test_batch.bin"};
    static uint8_t rec[3 * 3073];
    for (int b = 0; b < 6; b++) {
        for (int r = 0; r < 3; r++) {
            rec[r * 3073] = (uint8_t)((b + r) % 10);
            memset(rec + r * 3073 + 1, b * 40 + r, 3072);
        }
        snprintf(path, sizeof path, "%s/cifar-10-batches-bin/%s", dir, names[b]);
        sdn_test_write_file(path, rec, sizeof rec);
    }
#if SDN_HAVE_LIBARCHIVE /* the tarball is read only with libarchive */
    char cmd[2200];
    snprintf(cmd, sizeof cmd, "tar -C '%s' -czf '%s/cifar-10-binary.tar.gz' cifar-10-batches-bin",
             dir, dir);
    assert_int_equal(system(cmd), 0);
#endif
}

typedef struct data_ctx {
    char path[1024], images[1024], labels[1024];
} data_ctx;

static sdn_status op_cifar(void *ctx)
{
    data_ctx *c = ctx;
    sdn_dataset train, test;
    sdn_status st = sdn_cifar10_load(c->path, &train, &test);
    if (st) {
        assert_null(train.pixels);
        assert_null(test.pixels);
        return st;
    }
    assert_int_equal(train.n, 15);
    assert_int_equal(test.n, 3);
    assert_int_equal(train.pixels[14 * 3072], 4 * 40 + 2);
    sdn_dataset_free(&train);
    sdn_dataset_free(&test);
    return st;
}

static sdn_status op_idx(void *ctx)
{
    data_ctx *c = ctx;
    sdn_dataset d;
    sdn_status st = sdn_idx_load(c->images, c->labels, &d);
    if (st) {
        assert_null(d.pixels);
        return st;
    }
    assert_int_equal(d.n, 4);
    assert_int_equal(d.pixels[4 * 9 - 1], 35);
    sdn_dataset_free(&d);
    return st;
}

static sdn_status op_preprocess(void *ctx)
{
    (void)ctx;
    uint8_t pix[4 * 3] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
    int32_t lab[4] = {0, 1, 0, 1};
    sdn_dataset d = {.n = 4, .features = 3, .classes = 2, .pixels = pix, .labels = lab};
    sdn_preprocess p = {0};
    sdn_status st = sdn_preprocess_fit(&p, &d, 1);
    sdn_preprocess_free(&p);
    return st;
}

static void data_faults(void **state)
{
    (void)state;
    data_ctx c;
    make_cifar(tmpdir());
    snprintf(c.path, sizeof c.path, "%s/cifar-10-batches-bin", tmpdir());
    assert_true(sdn_fault_sweep("CIFAR-10 folder", NULL, op_cifar, NULL, &c) > 3);
#if SDN_HAVE_LIBARCHIVE
    snprintf(c.path, sizeof c.path, "%s/cifar-10-binary.tar.gz", tmpdir());
    assert_true(sdn_fault_sweep("CIFAR-10 tar.gz", NULL, op_cifar, NULL, &c) > 3);
#endif
    uint8_t img[16 + 4 * 9] = {0, 0, 8, 3, 0, 0, 0, 4, 0, 0, 0, 3, 0, 0, 0, 3};
    uint8_t lab[8 + 4] = {0, 0, 8, 1, 0, 0, 0, 4, 1, 2, 3, 4};
    for (int i = 0; i < 36; i++)
        img[16 + i] = (uint8_t)i;
    snprintf(c.images, sizeof c.images, "%s/img-idx3-ubyte", tmpdir());
    snprintf(c.labels, sizeof c.labels, "%s/lab-idx1-ubyte", tmpdir());
    sdn_test_write_file(c.images, img, sizeof img);
    sdn_test_write_file(c.labels, lab, sizeof lab);
    assert_true(sdn_fault_sweep("IDX plain", NULL, op_idx, NULL, &c) > 1);
#if SDN_HAVE_LIBARCHIVE
    char cmd[2200];
    snprintf(cmd, sizeof cmd, "gzip -kf '%s' '%s'", c.images, c.labels);
    assert_int_equal(system(cmd), 0);
    strcat(c.images, ".gz");
    strcat(c.labels, ".gz");
    assert_true(sdn_fault_sweep("IDX gzip", NULL, op_idx, NULL, &c) > 1);
#endif
    assert_true(sdn_fault_sweep("standardization statistics", NULL, op_preprocess, NULL, NULL) > 0);
}

/* ---------------------------------------------------------------- save and load */

/* Files in dir whose name contains ".tmp." (a writer's leftovers). */
static int temp_files(const char *dir)
{
    return sdn_test_count_files(dir, ".tmp.") > 0;
}

typedef struct save_ctx {
    sdn_model *m;
    char path[1024];
    char *before;
    size_t before_len;
    sdn_fit_state fit;
} save_ctx;

static sdn_status op_save(void *ctx)
{
    save_ctx *c = ctx;
    sdn_st_meta meta[SDN_NET_META_COUNT + SDN_FIT_META_COUNT];
    char store[SDN_NET_META_STORE], *fit_store = NULL;
    sdn_net_spec s = spec();
    sdn_optimizer_options o = nadam();
    size_t n = sdn_net_to_meta(&s, &o, 7, meta, store);
    size_t nf = sdn_fit_state_to_meta(&c->fit, meta + n, &fit_store);
    if (!fit_store)
        return SDN_ERR_NOMEM; /* sdn_fit_state_to_meta's own failure (no message of its own) */
    sdn_status st = sdn_model_save(c->m, c->path, 1, NULL, 0, meta, n + nf);
    free(fit_store);
    return st;
}

/* A failed save leaves the previous file byte for byte and no temporary file. */
static void check_save(void *ctx, sdn_status st)
{
    save_ctx *c = ctx;
    size_t len;
    char *now = sdn_test_read_file(c->path, &len);
    if (st) {
        assert_int_equal(len, c->before_len);
        assert_memory_equal(now, c->before, len);
    }
    free(now);
    assert_false(temp_files(tmpdir()));
}

static sdn_status op_load(void *ctx)
{
    save_ctx *c = ctx;
    sdn_safetensors *f = NULL;
    sdn_net_spec s;
    sdn_optimizer_options o;
    uint64_t seed;
    sdn_model *m = NULL;
    sdn_fit_state fs;
    sdn_fit_state_init(&fs);
    sdn_status st = sdn_safetensors_open(c->path, &f);
    if (!st)
        st = sdn_net_from_file(f, &s, &o, &seed);
    if (!st)
        st = sdn_net_build(&s, seed, BATCH, &o, &m);
    if (!st)
        st = sdn_model_load(m, f, 1);
    if (!st)
        st = sdn_fit_state_from_file(f, &fs, sdn_model_state_count(m));
    if (!st) {
        assert_int_equal(fs.epochs_done, 1);
        assert_int_equal(fs.history_len, 1);
    }
    sdn_fit_state_free(&fs);
    sdn_model_free(m);
    sdn_safetensors_close(f);
    return st;
}

static void save_load_faults(void **state)
{
    (void)state;
    save_ctx c = {0};
    sdn_net_spec s = spec();
    sdn_optimizer_options o = nadam();
    assert_int_equal(sdn_net_build(&s, 7, BATCH, &o, &c.m), SDN_OK);
    sdn_fit_state_init(&c.fit);
    c.fit.epochs_done = c.fit.best_epoch = 1;
    c.fit.history = calloc(1, sizeof *c.fit.history);
    c.fit.history[0].epoch = 1;
    c.fit.history_len = c.fit.history_cap = 1;
    snprintf(c.path, sizeof c.path, "%s/model.safetensors", tmpdir());
    assert_int_equal(op_save(&c), SDN_OK);
    c.before = sdn_test_read_file(c.path, &c.before_len);
    train_two_steps(c.m); /* new weights: a partial overwrite would show */
    assert_true(sdn_fault_sweep("save (model + fit state)", NULL, op_save, check_save, &c) > 2);
    assert_true(sdn_fault_sweep("load a checkpoint", NULL, op_load, NULL, &c) > 5);
    free(c.before);
    sdn_fit_state_free(&c.fit);
    sdn_model_free(c.m);
}

/* ---------------------------------------------------------------- the fit loop */

typedef struct fit_ctx {
    sdn_dataset train, val;
    sdn_preprocess pre;
    sdn_model *m;
    sdn_fit_state st;
    char ckpt[1024];
} fit_ctx;

static sdn_status save_checkpoint(void *ctx, sdn_model *m, const sdn_fit_state *st, int improved,
                                  int epoch_end)
{
    fit_ctx *c = ctx;
    char *fit_store = NULL;
    sdn_st_meta meta[SDN_FIT_META_COUNT];
    size_t n = sdn_fit_state_to_meta(st, meta, &fit_store);
    if (!fit_store)
        return SDN_ERR_NOMEM;
    sdn_status s = sdn_model_save(m, c->ckpt, 1, NULL, 0, meta, n);
    free(fit_store);
    if (!s)
        s = sdn_history_write_csv(st, c->ckpt);
    return s;
}

static sdn_fit_options fit_options(fit_ctx *c)
{
    sdn_fit_options o = sdn_fit_defaults();
    o.epochs = 2;
    o.batch_size = BATCH;
    o.on_epoch = save_checkpoint;
    o.ctx = c;
    return o;
}

/* A fresh model and state for one fit run (built before the fault is armed). */
static void fit_fresh(fit_ctx *c)
{
    sdn_net_spec s = spec();
    sdn_optimizer_options opt = nadam();
    assert_int_equal(sdn_net_build(&s, 7, BATCH, &opt, &c->m), SDN_OK);
    sdn_fit_state_init(&c->st);
}

static void fit_faults(void **state)
{
    (void)state;
    fit_ctx c;
    static uint8_t pix[(TRAIN + VAL) * FEAT];
    static int32_t lab[TRAIN + VAL];
    for (size_t i = 0; i < sizeof pix; i++)
        pix[i] = (uint8_t)(i * 37 % 251);
    for (int i = 0; i < TRAIN + VAL; i++)
        lab[i] = i % CLASSES;
    c.train = (sdn_dataset){
        .n = TRAIN, .features = FEAT, .classes = CLASSES, .pixels = pix, .labels = lab};
    c.val = c.train;
    c.val.n = VAL;
    c.val.pixels += TRAIN * FEAT;
    c.val.labels += TRAIN;
    memset(&c.pre, 0, sizeof c.pre);
    assert_int_equal(sdn_preprocess_fit(&c.pre, &c.train, 1), SDN_OK);
    snprintf(c.ckpt, sizeof c.ckpt, "%s/fit.safetensors", tmpdir());
    sdn_fit_options o = fit_options(&c);
    long injected = 0;
    for (long n = 0;; n++) {
        fit_fresh(&c);
        sdn_fault_fail_at(n);
        sdn_status st = sdn_fit(c.m, &c.train, &c.val, &c.pre, &o, &c.st);
        int fired = sdn_fault_fired();
        sdn_fault_disarm();
        if (st != SDN_OK && st != SDN_ERR_NOMEM)
            fail_msg("fit: allocation %ld failed, status %d: %s", n, (int)st, sdn_last_error());
        if (!fired) {
            assert_int_equal(st, SDN_OK);
            sdn_fit_state_free(&c.st);
            sdn_model_free(c.m);
            break;
        }
        injected++;
        /* The same model and state carry on without the fault: a resumed run in one process. */
        assert_int_equal(sdn_fit(c.m, &c.train, &c.val, &c.pre, &o, &c.st), SDN_OK);
        assert_int_equal(c.st.epochs_done, 2);
        assert_int_equal(c.st.history_len, 2);
        sdn_fit_state_free(&c.st);
        sdn_model_free(c.m);
    }
    printf("faults: %-28s %ld injected, %ld survived\n", "fit (2 epochs, checkpoints)", injected,
           injected);
    assert_true(injected > 5);
    sdn_preprocess_free(&c.pre);
}

#ifdef _WIN32
/* MinGW-w64 emulates _Thread_local (emutls): a thread's copy of a variable is malloc'd on its
 * first use, and a failure there aborts. A threaded training step and an error before any fault
 * give the main thread and OpenMP's their copies, as native TLS has them from the start. */
static void warm_thread_locals(void)
{
    sdn_model *m = layers_only();
    sdn_optimizer_options o = nadam();
    assert_int_equal(sdn_model_compile(m, FEAT, BATCH, &o), SDN_OK);
    train_two_steps(m);
    sdn_model_free(m);
    assert_int_not_equal(sdn_model_compile(NULL, FEAT, BATCH, &o), SDN_OK);
}
#endif

int main(void)
{
#ifdef _WIN32
    warm_thread_locals();
#endif
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(build_faults), cmocka_unit_test(compile_retry_faults),
        cmocka_unit_test(data_faults),  cmocka_unit_test(save_load_faults),
        cmocka_unit_test(fit_faults),
    };
    return cmocka_run_group_tests(tests, NULL, sdn_test_tmpdir_remove);
}
