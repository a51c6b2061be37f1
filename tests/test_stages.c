/* A staged training pass (src/model_stages.c): the layers after the last batch norm or sliced
 * kernel cut into one stage per thread, rows flowing through in micro-batches. Its stages hold
 * weights, what it moves between cores is a stage's edges, and training on it gives the bytes
 * of one thread, on two threads and on three, with regularization, dropout, clipping and
 * convolutions; profiled, it records each wait for a hand-over. Each thread's part of a pass
 * (its speed is measured against it) makes up the whole. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "model.h"
#include "simdnn_io.h"
#include "testhooks.h"
#include "testutil.h"

enum { D = 768, K = 10, NB = 64 };

typedef struct net {
    int conv;   /* the input a 16 × 16 × 3 image, through convolutions, a batch norm, pooling */
    int sliced; /* a first layer big enough to slice (768 → 96) */
    int hidden; /* then this many dense layers of 32 */
    int batchnorm; /* a batch norm after the second hidden layer */
    int input_bn;  /* a batch norm on the input */
    float clip, l2;
} net;

/* Conv 8 (ReLU), batch norm, max pool, conv 16 stride 2 (ELU), conv 16 by Winograd (tanh), global
 * average pool: what comes after the batch norm stages. */
static void add_convolutions(sdn_model *m)
{
    assert_int_equal(sdn_model_set_input_shape(m, 16, 16, 3), SDN_OK);
    sdn_conv2d_options c = sdn_conv2d_defaults(8, 3);
    c.padding = SDN_PAD_SAME;
    c.activation = SDN_ACT_RELU;
    assert_int_equal(sdn_model_add_conv2d(m, &c), SDN_OK);
    assert_int_equal(sdn_model_add_batch_norm(m, 0.9f, 1e-3f), SDN_OK);
    assert_int_equal(sdn_model_add_max_pool2d(m, 2, 0, SDN_PAD_VALID), SDN_OK);
    c = sdn_conv2d_defaults(16, 3);
    c.stride_h = c.stride_w = 2;
    c.padding = SDN_PAD_SAME;
    c.activation = SDN_ACT_ELU;
    assert_int_equal(sdn_model_add_conv2d(m, &c), SDN_OK);
    c = sdn_conv2d_defaults(16, 3);
    c.padding = SDN_PAD_SAME;
    c.activation = SDN_ACT_TANH;
    assert_int_equal(sdn_model_add_conv2d(m, &c), SDN_OK);
    assert_int_equal(sdn_model_add_global_avg_pool2d(m), SDN_OK);
}

static sdn_model *build(const net *o)
{
    sdn_model *m = sdn_model_new(5);
    if (o->conv)
        add_convolutions(m);
    if (o->input_bn)
        assert_int_equal(sdn_model_add_batch_norm(m, 0.99f, 1e-3f), SDN_OK);
    sdn_dense_options d = sdn_dense_defaults(o->sliced ? 96 : 32);
    d.activation = SDN_ACT_SELU;
    d.kernel_init.kind = SDN_INIT_LECUN_NORMAL;
    d.l2 = o->l2;
    assert_int_equal(sdn_model_add_dense(m, &d), SDN_OK);
    d.units = 32;
    for (int i = 0; i < o->hidden; i++) {
        assert_int_equal(sdn_model_add_dense(m, &d), SDN_OK);
        if (o->batchnorm && i == 1)
            assert_int_equal(sdn_model_add_batch_norm(m, 0.99f, 1e-3f), SDN_OK);
    }
    assert_int_equal(sdn_model_add_alpha_dropout(m, 0.1f), SDN_OK);
    sdn_dense_options out = sdn_dense_defaults(K);
    out.activation = SDN_ACT_SOFTMAX;
    assert_int_equal(sdn_model_add_dense(m, &out), SDN_OK);
    sdn_optimizer_options nadam = sdn_optimizer_defaults(SDN_OPT_NADAM);
    nadam.clip_norm = o->clip;
    assert_int_equal(sdn_model_compile(m, o->conv ? 16 * 16 * 3 : D, NB, &nadam), SDN_OK);
    sdn_share_reset(&m->share, 0); /* equal shares: the compile's warm-up pass measured some */
    return m;
}

static void test_plan_cuts_after_the_last_meeting(void **state)
{
    (void)state;
    sdn_stages s;
    sdn_model *m = build(&(net){.sliced = 1, .hidden = 4});
    assert_int_equal(m->layers[0].pieces, SDN_DENSE_PIECES);
    const size_t mr = sdn_kernels_active()->gemm.mr;
    assert_true(sdn_stages_plan(m, NB, 2, &s));
    assert_int_equal(s.first, 1);
    assert_true(s.end[0] > 1 && s.end[0] < m->n_layers && s.end[1] == m->n_layers);
    /* micro-batches of whole register tiles of rows, up to 8 a stage */
    assert_true(s.rows % mr == 0 && s.batches >= 2 && s.batches <= 16);
    assert_true(s.batches * s.rows >= NB && (s.batches - 1) * s.rows < NB);
    assert_true(sdn_stages_plan(m, NB, 3, &s));
    assert_true(s.rows % mr == 0 && s.batches >= 3);
    assert_false(sdn_stages_plan(m, mr, 2, NULL)); /* one tile of rows: nothing to hand on */
    assert_false(sdn_stages_plan(m, NB, 1, NULL));
    assert_false(sdn_stages_plan(m, NB, 6, NULL)); /* a stage without weights */
    sdn_model_free(m);
    m = build(&(net){.sliced = 1, .hidden = 4, .batchnorm = 1});
    assert_true(sdn_stages_plan(m, NB, 2, &s));
    assert_int_equal(s.first, 4); /* dense 0, dense 1, dense 2, batch norm */
    sdn_model_free(m);
    m = build(&(net){.hidden = 1}); /* no layer meets: every layer staged */
    assert_true(sdn_stages_plan(m, NB, 2, &s));
    assert_int_equal(s.first, 0);
    sdn_model_free(m);
}

/* Staged, the hidden layers' weights stay on their stage's core: the sliced first layer's and the
 * stages' never cross, and what does (the edges) is less than a pass on rows moves. On rows, a
 * share that splits a slice of the first layer sends that slice's kernel across. */
static void test_staged_traffic_is_the_edges(void **state)
{
    (void)state;
    sdn_model *m = build(&(net){.sliced = 1, .hidden = 4});
    const sdn_pass_traffic rows = sdn_step_traffic(m, NB, 2), staged = sdn_stages_traffic(m, NB, 2);
    assert_true(rows.weight_bytes > 0.0);
    assert_true(staged.weight_bytes == 0.0);
    assert_true(staged.activation_bytes > 0.0 && staged.activation_bytes < rows.activation_bytes);
    /* a slice shared by rows: its kernel rows that the other thread steps cross, the whole of it
     * over both threads, on top of the layers whose halves cross at any share */
    sdn_share_reset(&m->share, 2);
    m->share.weight[1] = 0.65;
    const sdn_pass_traffic shared = sdn_step_traffic(m, NB, 2);
    assert_true(shared.weight_bytes - rows.weight_bytes == 4.0 * (D / 4) * 96);
    sdn_model_free(m);
}

/* Trains 6 steps on `threads` threads, each pass split as `split` says (the test hook),
 * and saves the model; returns the split the last pass ran on. */
static int train(const net *o, int threads, int split, const char *path)
{
    sdn_set_num_threads(threads);
    sdn_debug_split = split;
    sdn_parallel_min_macs = 0.0;
    sdn_model *m = build(o);
    static float x[NB * D];
    int32_t y[NB];
    for (int s = 0; s < 6; s++) {
        sdn_test_fill(x, NB * D, 40 + (uint64_t)s, -1.0f, 1.0f);
        for (int i = 0; i < NB; i++)
            y[i] = (int32_t)((i * 7 + s) % K);
        assert_int_equal(sdn_model_train_batch(m, x, y, NB, NULL, NULL), SDN_OK);
    }
    const int last = m->share.last;
    assert_int_equal(sdn_model_save(m, path, 1, NULL, 0, NULL, 0), SDN_OK);
    sdn_model_free(m);
    sdn_debug_split = 0;
    sdn_parallel_min_macs = -1.0;
    sdn_set_num_threads(0);
    return last;
}

/* Staged on 2 up to threads_max threads: the bytes of one thread. */
static void same_bits_staged(const net *o, int threads_max)
{
    sdn_set_num_threads(2);
    if (sdn_num_threads() != 2)
        skip(); /* built without OpenMP */
    char one[512], staged[512];
    snprintf(one, sizeof one, "%s/one.safetensors", sdn_test_tmpdir("stages"));
    train(o, 1, 0, one);
    for (int threads = 2; threads <= threads_max; threads++) {
        snprintf(staged, sizeof staged, "%s/staged%d.safetensors", sdn_test_tmpdir("stages"),
                 threads);
        if (train(o, threads, SDN_SPLIT_STAGES, staged) != SDN_SPLIT_STAGES)
            fail_msg("the passes on %d threads did not run staged", threads);
        sdn_test_assert_same_bytes(one, staged);
    }
}

static void test_staged_same_bits(void **state)
{
    (void)state;
    same_bits_staged(&(net){.sliced = 1, .hidden = 5, .l2 = 1e-3f}, 3);
}

static void test_staged_after_batch_norm_same_bits(void **state)
{
    (void)state;
    same_bits_staged(&(net){.sliced = 1, .hidden = 6, .batchnorm = 1}, 3);
}

static void test_staged_convolutions_same_bits(void **state)
{
    (void)state;
    same_bits_staged(&(net){.conv = 1, .hidden = 1}, 2);
}

static void test_staged_from_the_input_clipped_same_bits(void **state)
{
    (void)state;
    /* the first layer is most of the work: two stages, not three */
    same_bits_staged(&(net){.hidden = 4, .clip = 0.5f}, 2);
}

/* Each thread's part of a pass as the shares cut it (what its speed is measured against): the
 * parts make up the whole pass, on rows and staged, on 2 and 3 threads, and on rows on 6 (more
 * threads than a sliced layer has pieces); cut 3 to 1, thread 0
 * takes three quarters of every part; cut 0.6, the rows and pieces round where the stretch does
 * not, and the parts still make up the whole. */
static void test_thread_work_adds_up(void **state)
{
    (void)state;
    sdn_model *m = build(&(net){.sliced = 1, .hidden = 4});
    double part[6];
    for (int T = 2; T <= 6; T += T < 3 ? 1 : 3)
        for (int staged = 0; staged < 2 && (!staged || T <= 3); staged++) {
            sdn_stages s;
            assert_true(sdn_stages_plan(m, NB, T, &s) || T > 3);
            sdn_thread_parts(m, NB, T, staged ? &s : NULL, part);
            double sum = 0.0;
            for (int t = 0; t < T; t++)
                sum += part[t];
            assert_true(part[0] > 0.0 && fabs(sum - 1.0) <= 1e-9);
        }
    sdn_share_reset(&m->share, 2);
    m->share.weight[1] = 0.75;
    sdn_thread_parts(m, NB, 2, NULL, part);
    assert_true(fabs(part[0] - 0.75) <= 1e-9);
    m->share.weight[1] = 0.6;
    sdn_thread_parts(m, NB, 2, NULL, part);
    assert_true(fabs(part[0] - 0.6) > 1e-4 && fabs(part[0] + part[1] - 1.0) <= 1e-9);
    sdn_model_free(m);
}

/* The caller's batch is cut as a first layer in pieces reads it: the columns thread t forms match
 * its part of the slices and the features a batch norm on the input takes, at equal shares and
 * at uneven ones, on 2 and 3 threads; the part keeps to whole slices where the shares are near
 * them; one thread, a model kept to one, or a first layer not in pieces read the batch by rows. */
static void test_input_cut_is_the_first_pieces(void **state)
{
    (void)state;
    const size_t units = SDN_DENSE_PIECES * sdn_chunks(NB);
    size_t cut[SDN_DENSE_PIECES + 1];
    sdn_model *m;
    for (int bn = 0; bn < 2; bn++) {
        m = build(&(net){.sliced = 1, .hidden = 2, .input_bn = bn});
        assert_int_equal(m->layers[0].by_features, bn);
        m->max_threads = 4;
        for (int T = 2; T <= 3; T++)
            for (int uneven = 0; uneven < 2; uneven++) {
                sdn_share_reset(&m->share, T);
                if (uneven)
                    m->share.weight[1] = T == 2 ? 0.65 : 0.5;
                assert_int_equal(sdn_model_input_cut(m, NB, T, cut), units);
                sdn_step step = {.m = m, .ws = &m->ws, .n = NB, .mode = SDN_MODE_TRAIN};
                for (int t = 0; t < T; t++) {
                    const sdn_pass p = sdn_step_thread_pass(&step, t, T);
                    size_t f0, f1;
                    sdn_feature_share(&p, D, &f0, &f1);
                    assert_int_equal(p.u0, cut[t]);
                    assert_int_equal(p.u1, cut[t + 1]);
                    assert_int_equal(f0, D * cut[t] / units);
                    assert_int_equal(f1, D * cut[t + 1] / units);
                }
                if (T == 2) /* 0.65: two slices and 5 of the third's 8 chunks */
                    assert_int_equal(cut[1], uneven ? 21 : 16);
            }
        /* within a quarter slice of whole slices, whole slices */
        sdn_share_reset(&m->share, 2);
        m->share.weight[1] = 0.55;
        sdn_model_input_cut(m, NB, 2, cut);
        assert_int_equal(cut[1], 16);
        m->share.weight[1] = 0.7;
        sdn_model_input_cut(m, NB, 2, cut);
        assert_int_equal(cut[1], 24);
        assert_int_equal(sdn_model_input_cut(m, NB, 1, cut), 0);
        m->max_threads = 1;
        assert_int_equal(sdn_model_input_cut(m, NB, 2, cut), 0);
        sdn_model_free(m);
    }
    m = build(&(net){.hidden = 2});
    assert_int_equal(sdn_model_input_cut(m, NB, 2, cut), 0);
    sdn_model_free(m);
}

/* A thread's part of a sliced layer covers whole slices but at its ends, where it shares a slice's
 * rows with its neighbour: every row of every slice is one thread's, at any cut. */
static void test_slice_rows_are_shared_out(void **state)
{
    (void)state;
    enum { N = 37 }; /* 5 chunks, the last short */
    const size_t C = sdn_chunks(N), units = SDN_DENSE_PIECES * C;
    for (size_t a = 0; a <= units; a++)
        for (size_t q = 0; q < SDN_DENSE_PIECES; q++) {
            size_t i0, i1, j0, j1;
            sdn_pass lo = {.n = N, .u0 = 0, .u1 = a}, hi = {.n = N, .u0 = a, .u1 = units};
            sdn_piece_rows(&lo, q, &i0, &i1);
            sdn_piece_rows(&hi, q, &j0, &j1);
            assert_int_equal(i0, 0);
            assert_int_equal(i1, j0);
            assert_int_equal(j1, N);
            assert_int_equal(i1, a <= q * C ? 0 : a >= (q + 1) * C ? N : (a - q * C) * 8);
        }
}

/* With thread 1 at half speed the shares move to about two thirds, the first layer's third slice
 * is shared by rows, and the weights are still those of one thread, on rows and staged. (The
 * shares follow the machine's timing; the staged tests' three threads share slices at any.) */
static void test_slow_core_same_bits(void **state)
{
    (void)state;
    sdn_set_num_threads(2);
    if (sdn_num_threads() != 2)
        skip(); /* built without OpenMP */
    const net o = {.sliced = 1, .hidden = 4};
    char one[512], two[512];
    snprintf(one, sizeof one, "%s/slow-one.safetensors", sdn_test_tmpdir("stages"));
    train(&o, 1, 0, one);
    for (int split = SDN_SPLIT_ROWS; split <= SDN_SPLIT_STAGES; split++) {
        snprintf(two, sizeof two, "%s/slow-%d.safetensors", sdn_test_tmpdir("stages"), split);
        sdn_debug_slow_thread = 1.0;
        train(&o, 2, split, two);
        sdn_debug_slow_thread = 0.0;
        sdn_test_assert_same_bytes(one, two);
    }
}

/* Profiled, a staged pass on two threads records every wait for a hand-over: thread 0's for each
 * micro-batch's gradient from stage 1, thread 1's for each micro-batch's rows from stage 0 and
 * once more for its rows of the first stage's input gradient. */
static void test_staged_handovers_profiled(void **state)
{
    (void)state;
    sdn_set_num_threads(2);
    if (sdn_num_threads() != 2)
        skip(); /* built without OpenMP: one thread only */
    sdn_debug_split = SDN_SPLIT_STAGES;
    sdn_parallel_min_macs = 0.0;
    sdn_model *m = build(&(net){.sliced = 1, .hidden = 4});
    sdn_stages plan;
    assert_true(sdn_stages_plan(m, NB, 2, &plan));
    assert_true(plan.first == 1 && plan.batches > 1); /* after the sliced first layer */
    static float x[NB * D];
    int32_t y[NB];
    sdn_test_fill(x, NB * D, 7, -1.0f, 1.0f);
    for (int i = 0; i < NB; i++)
        y[i] = i % K;
    const sdn_prof_data *d = sdn_test_profile_steps(m, x, y, NB, 2);
    assert_int_equal(m->share.last, SDN_SPLIT_STAGES);
    assert_int_equal(d->n_threads, 2);
    for (int t = 0; t < 2; t++) {
        const size_t handovers =
            sdn_test_count_records(d->threads[t], SDN_EV_BARRIER, SDN_BARRIER_HANDOVER);
        const size_t passes = sdn_test_count_records(d->threads[t], SDN_EV_SCOPE, SDN_PHASE_STEP);
        assert_int_equal(passes, 2);
        assert_int_equal(handovers, passes * (plan.batches + (size_t)t));
    }
    sdn_model_free(m);
    sdn_debug_split = 0;
    sdn_parallel_min_macs = -1.0;
    sdn_set_num_threads(0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plan_cuts_after_the_last_meeting),
        cmocka_unit_test(test_staged_traffic_is_the_edges),
        cmocka_unit_test(test_thread_work_adds_up),
        cmocka_unit_test(test_input_cut_is_the_first_pieces),
        cmocka_unit_test(test_slice_rows_are_shared_out),
        cmocka_unit_test(test_slow_core_same_bits),
        cmocka_unit_test(test_staged_same_bits),
        cmocka_unit_test(test_staged_after_batch_norm_same_bits),
        cmocka_unit_test(test_staged_convolutions_same_bits),
        cmocka_unit_test(test_staged_from_the_input_clipped_same_bits),
        cmocka_unit_test(test_staged_handovers_profiled),
    };
    return cmocka_run_group_tests(tests, NULL, sdn_test_tmpdir_remove);
}
