/* Error paths that once failed silently: a learning rate that is not one, a network spec the
 * metadata writer cannot represent, metadata and fit state whose numbers are not numbers (they
 * were read with atoi/strtod/sscanf unchecked), and history rows out of order. Each is now an
 * error that names the problem. Also the edges scripts/mutation-check.sh found no test guarding:
 * a safetensors header length just past the end, an IDX label of 10. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "simdnn_fit.h"
#include "testutil.h"

static const char *tmpdir(void)
{
    const char *d = sdn_test_tmpdir("errpaths");
    assert_non_null(d);
    return d;
}

static sdn_net_spec tiny(void)
{
    sdn_net_spec s = {.activation = SDN_ACT_ELU, .init = SDN_INIT_HE_NORMAL};
    s.input_size = 4;
    s.classes = 3;
    s.hidden_layers = 1;
    s.units = 5;
    return s;
}

static void expect(sdn_status got, sdn_status want, const char *needle)
{
    if (got != want || !strstr(sdn_last_error(), needle))
        fail_msg("status %d (want %d), message '%s' should contain '%s'", (int)got, (int)want,
                 sdn_last_error(), needle);
}

static void learning_rate_refused(void **state)
{
    (void)state;
    sdn_net_spec s = tiny();
    sdn_optimizer_options o = sdn_optimizer_defaults(SDN_OPT_ADAM);
    sdn_model *m;
    assert_int_equal(sdn_net_build(&s, 1, 4, &o, &m), SDN_OK);
    const float bad[] = {0.0f, -1e-3f, NAN, INFINITY};
    for (int i = 0; i < 4; i++) {
        expect(sdn_model_set_learning_rate(m, bad[i]), SDN_ERR_INVALID_ARG, "not a learning rate");
        assert_float_equal(sdn_model_learning_rate(m), o.learning_rate, 0);
    }
    assert_int_equal(sdn_model_set_learning_rate(m, 0.25f), SDN_OK);
    assert_float_equal(sdn_model_learning_rate(m), 0.25f, 0);
    expect(sdn_model_set_learning_rate(NULL, 0.1f), SDN_ERR_INVALID_ARG, "NULL");
    sdn_model_free(m);
}

static void spec_writer_refuses(void **state)
{
    (void)state;
    sdn_st_meta meta[SDN_NET_META_COUNT];
    char store[SDN_NET_META_STORE];
    sdn_optimizer_options o = sdn_optimizer_defaults(SDN_OPT_NADAM);
    sdn_net_spec s = tiny();
    assert_true(sdn_net_to_meta(&s, &o, 1, meta, store) > 10);
    s.dropout = 1.5f;
    assert_int_equal(sdn_net_to_meta(&s, &o, 1, meta, store), 0);
    assert_non_null(strstr(sdn_last_error(), "dropout"));
    s = tiny();
    s.activation = (sdn_activation)99;
    assert_int_equal(sdn_net_to_meta(&s, &o, 1, meta, store), 0);
    assert_non_null(strstr(sdn_last_error(), "activation"));
    s = tiny();
    s.l2 = NAN;
    assert_int_equal(sdn_net_to_meta(&s, &o, 1, meta, store), 0);
    s = tiny();
    s.units = (size_t)1 << 40; /* its weights would overflow what compile could count */
    assert_int_equal(sdn_net_to_meta(&s, &o, 1, meta, store), 0);
    assert_non_null(strstr(sdn_last_error(), "weights"));
    sdn_model *m;
    expect(sdn_net_build(&s, 1, 4, &o, &m), SDN_ERR_INVALID_ARG, "weights");
    o.kind = SDN_OPT_COUNT;
    s = tiny();
    assert_int_equal(sdn_net_to_meta(&s, &o, 1, meta, store), 0);
}

/* A model file of tiny()'s spec with metadata `key` replaced by `value`; then the reader. */
static sdn_status read_with(const char *key, const char *value)
{
    sdn_st_meta meta[SDN_NET_META_COUNT];
    char store[SDN_NET_META_STORE], path[1024];
    sdn_optimizer_options o = sdn_optimizer_defaults(SDN_OPT_SGD);
    sdn_net_spec s = tiny();
    size_t n = sdn_net_to_meta(&s, &o, 9, meta, store);
    assert_true(n > 0);
    int found = 0;
    for (size_t i = 0; i < n; i++)
        if (!strcmp(meta[i].key, key)) {
            meta[i].value = value;
            found = 1;
        }
    assert_true(found);
    snprintf(path, sizeof path, "%s/meta.safetensors", tmpdir());
    float one = 1;
    sdn_st_tensor t = {"x", 1, {1}, &one};
    assert_int_equal(sdn_safetensors_write(path, &t, 1, meta, n), SDN_OK);
    sdn_safetensors *f;
    assert_int_equal(sdn_safetensors_open(path, &f), SDN_OK);
    uint64_t seed;
    sdn_status st = sdn_net_from_file(f, &s, &o, &seed);
    sdn_safetensors_close(f);
    return st;
}

static void metadata_numbers_strict(void **state)
{
    (void)state;
    assert_int_equal(read_with("simdnn.units", "5"), SDN_OK);
    const char *bad[][2] = {
        {"simdnn.units", "5x"},
        {"simdnn.units", ""},
        {"simdnn.units", "-5"},
        {"simdnn.units", "99999999999999999999999"},
        {"simdnn.input_size", "0"},
        {"simdnn.hidden_layers", "two"},
        {"simdnn.hidden_layers", "-1"},
        {"simdnn.batch_norm", "2"},
        {"simdnn.dropout", "0.5.1"},
        {"simdnn.dropout", "1"},
        {"simdnn.l2", "nan"},
        {"simdnn.seed", "42abc"},
        {"simdnn.optimizer_options", "lr=0.01"},
        {"simdnn.optimizer_options",
         "lr=0.01 momentum=0 nesterov=0 beta1=0.9 beta2=0.999 rho=0.9 epsilon=1e-07 clip_norm=0 "
         "extra"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        sdn_status st = read_with(bad[i][0], bad[i][1]);
        if (st != SDN_ERR_FORMAT || !strstr(sdn_last_error(), "meta.safetensors"))
            fail_msg("%s = '%s': status %d, '%s'", bad[i][0], bad[i][1], (int)st, sdn_last_error());
    }
}

/* A checkpoint whose fit.* key `key` is `value` (the rest a consistent 2-epoch state). */
static sdn_status fit_state_with(const char *key, const char *value)
{
    sdn_st_meta meta[] = {
        {"fit.epochs_done", "2"},
        {"fit.best_epoch", "1"},
        {"fit.best_value", "0.5"},
        {"fit.best_val_loss", "0.5"},
        {"fit.best_val_accuracy", "nan"},
        {"fit.wait", "1"},
        {"fit.monitor", "val_loss"},
        {"fit.train_seconds", "1.5 0.25 64"},
        {"fit.history", "1,0.9,0.5,0.5,0.6,1,0.001;2,0.8,0.6,0.6,0.5,1,0.001;"},
    };
    for (size_t i = 0; i < sizeof meta / sizeof meta[0]; i++)
        if (!strcmp(meta[i].key, key))
            meta[i].value = value;
    char path[1024];
    snprintf(path, sizeof path, "%s/fit.safetensors", tmpdir());
    assert_int_equal(sdn_safetensors_write(path, NULL, 0, meta, sizeof meta / sizeof meta[0]),
                     SDN_OK);
    sdn_safetensors *f;
    assert_int_equal(sdn_safetensors_open(path, &f), SDN_OK);
    sdn_fit_state st;
    sdn_status s = sdn_fit_state_from_file(f, &st, 0);
    if (!s)
        assert_int_equal(st.history_len, 2);
    else
        assert_null(st.history);
    sdn_fit_state_free(&st);
    sdn_safetensors_close(f);
    return s;
}

static void fit_state_numbers_strict(void **state)
{
    (void)state;
    assert_int_equal(fit_state_with("fit.wait", "1"), SDN_OK);
    const char *bad[][2] = {
        {"fit.epochs_done", "2 epochs"},
        {"fit.epochs_done", "-2"},
        {"fit.best_epoch", "3"}, /* after the last epoch */
        {"fit.wait", "x"},
        {"fit.wait", "5"}, /* more epochs without improvement than epochs */
        {"fit.best_value", "0.5z"},
        {"fit.train_seconds", "1.5 0.25"},
        {"fit.train_seconds", "1.5 0.25 64 9"},
        {"fit.history", "2,0.9,0.5,0.5,0.6,1,0.001;1,0.8,0.6,0.6,0.5,1,0.001;"}, /* out of order */
        {"fit.history", "1,0.9,0.5,0.5,0.6,1,0.001;9,0.8,0.6,0.6,0.5,1,0.001;"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        sdn_status st = fit_state_with(bad[i][0], bad[i][1]);
        if (st != SDN_ERR_FORMAT || !strstr(sdn_last_error(), "fit.safetensors"))
            fail_msg("%s = '%s': status %d, '%s'", bad[i][0], bad[i][1], (int)st, sdn_last_error());
    }
}

/* A header length from 1 to 8 bytes past the end of the file is truncation, not a header. */
static void safetensors_header_just_too_long(void **state)
{
    (void)state;
    char path[1024];
    snprintf(path, sizeof path, "%s/short.safetensors", tmpdir());
    for (uint64_t over = 1; over <= 8; over++) {
        uint8_t file[8 + 16] = {0};
        const char *json = "{}              "; /* 16 bytes */
        memcpy(file + 8, json, 16);
        uint64_t len = 16 + over;
        for (int i = 0; i < 8; i++)
            file[i] = (uint8_t)(len >> (8 * i));
        sdn_test_write_file(path, file, sizeof file);
        sdn_safetensors *f = NULL;
        expect(sdn_safetensors_open(path, &f), SDN_ERR_FORMAT, "truncated");
        assert_null(f);
    }
}

/* IDX labels are digits: 10 is out of range, whatever the file's size says. */
static void idx_label_ten(void **state)
{
    (void)state;
    char img[1024], lab[1024];
    snprintf(img, sizeof img, "%s/img-idx3-ubyte", tmpdir());
    snprintf(lab, sizeof lab, "%s/lab-idx1-ubyte", tmpdir());
    uint8_t images[16 + 2 * 4] = {0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 2};
    uint8_t labels[8 + 2] = {0, 0, 8, 1, 0, 0, 0, 2, 9, 10};
    sdn_test_write_file(img, images, sizeof images);
    sdn_test_write_file(lab, labels, sizeof labels);
    sdn_dataset d;
    expect(sdn_idx_load(img, lab, &d), SDN_ERR_FORMAT, "record 1: label 10");
    labels[9] = 9;
    sdn_test_write_file(lab, labels, sizeof labels);
    assert_int_equal(sdn_idx_load(img, lab, &d), SDN_OK);
    assert_int_equal(d.labels[1], 9);
    sdn_dataset_free(&d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(learning_rate_refused),
        cmocka_unit_test(spec_writer_refuses),
        cmocka_unit_test(metadata_numbers_strict),
        cmocka_unit_test(fit_state_numbers_strict),
        cmocka_unit_test(safetensors_header_just_too_long),
        cmocka_unit_test(idx_label_ten),
    };
    return cmocka_run_group_tests(tests, NULL, sdn_test_tmpdir_remove);
}
