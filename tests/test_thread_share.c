/* Shares that follow the threads' speeds (src/thread_share.h): equal cores keep equal shares
 * through the noise, a core at half speed ends with about a third of the work, a team kept
 * waiting gives way to one thread, and training runs whose shares or teams moved give the
 * weights of one thread to the last bit. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "platform/platform.h"
#include "simdnn_io.h"
#include "testhooks.h"
#include "testutil.h"

static void test_equal_cores_keep_equal_shares(void **state)
{
    (void)state;
    sdn_share s;
    sdn_share_reset(&s, 2);
    const double done[2] = {0.5, 0.5};
    for (int i = 0; i < 200; i++) { /* ±5 % of noise on either thread */
        const double busy[2] = {1000.0 * (1.0 + 0.05 * ((i * 7) % 3 - 1)),
                                1000.0 * (1.0 + 0.05 * ((i * 5) % 3 - 1))};
        sdn_share_observe(&s, 2, done, busy);
        assert_int_equal(sdn_share_cut(&s, 2, 16, 1, 1), 8);
    }
}

static void test_half_speed_core_takes_a_third(void **state)
{
    (void)state;
    sdn_share s;
    sdn_share_reset(&s, 2);
    for (int i = 0; i < 30; i++) {
        const double f = s.weight[1], done[2] = {f, 1.0 - f};
        const double busy[2] = {1000.0 * done[0], 2000.0 * done[1]}; /* thread 1 at half speed */
        sdn_share_observe(&s, 2, done, busy);
    }
    assert_true(s.weight[1] > 0.63 && s.weight[1] < 0.70);
    assert_int_equal(sdn_share_cut(&s, 2, 4, 1, 1), 3);   /* b32: 3 chunks and 1 */
    assert_int_equal(sdn_share_cut(&s, 2, 16, 1, 1), 11); /* b128 */
    assert_int_equal(sdn_share_cut(&s, 2, 4, 1, 2), 4);
    /* a team of another size splits equally */
    assert_int_equal(sdn_share_cut(&s, 3, 9, 1, 1), 3);
}

static void test_every_thread_keeps_its_least(void **state)
{
    (void)state;
    sdn_share s;
    sdn_share_reset(&s, 2);
    s.weight[1] = 0.99; /* thread 1 all but idle */
    assert_int_equal(sdn_share_cut(&s, 2, 4, 1, 1), 3);
    assert_int_equal(sdn_share_cut(&s, 2, 1, 1, 1), 1); /* too few to keep: as the share says */
    assert_int_equal(sdn_share_cut(&s, 2, 100, 0, 1), 99);
}

/* The team size a training pass of a model that cannot stage runs on. */
static int team_of(sdn_share *s, int T)
{
    return sdn_share_split(s, T, 0) == SDN_SPLIT_NONE ? 1 : T;
}

/* One training pass as the verdict sees it: on the team size it asks for, taking solo_ns a row
 * on one thread and team_ns on the team. Returns that team size. */
static int run_pass(sdn_share *s, double solo_ns, double team_ns)
{
    const sdn_split on = sdn_share_split(s, 2, 0);
    sdn_share_judge(s, on, 32 * (on != SDN_SPLIT_NONE ? team_ns : solo_ns), 32);
    return on == SDN_SPLIT_NONE ? 1 : 2;
}

/* How many passes in a row run on `team` threads from here. */
static int passes_on(sdn_share *s, int team, double solo_ns, double team_ns)
{
    int n = 0;
    while (team_of(s, 2) == team && n < 100000) {
        run_pass(s, solo_ns, team_ns);
        n++;
    }
    return n;
}

/* A team 1.3 to 1.9 times faster than one thread keeps all but its trials' passes, each spell
 * on the team twice the last. */
static void test_team_that_pays_stays(void **state)
{
    (void)state;
    sdn_share s;
    sdn_share_reset(&s, 2);
    int on_team = 0;
    for (int i = 0; i < 2000; i++)
        on_team += run_pass(&s, 1000.0, 1000.0 / (i % 2 ? 1.3 : 1.9)) == 2;
    assert_true(s.gain >= 1.3 && s.gain <= 1.9);
    if (on_team < 1900)
        fail_msg("a team 1.3-1.9x faster ran only %d of 2000 passes", on_team);
    assert_int_equal(team_of(&s, 3), 3); /* a phase on the team */
    assert_int_equal(team_of(&s, 1), 1);
}

/* A team kept waiting (5 times slower than one thread) gives way after one trial, for spells
 * that double while it keeps losing; its later trials end after a pass to switch and two counted
 * ones, since it cannot win. Once the core is back, the next trial brings the team back; when
 * the core is taken again its spell ends after 16 counted passes, and a later verdict against it
 * starts again from the first spell. */
static void test_team_kept_waiting_gives_way(void **state)
{
    (void)state;
    sdn_share s;
    sdn_share_reset(&s, 2);
    assert_int_equal(passes_on(&s, 2, 1000.0, 5000.0), 8); /* the trial on the team */
    const int first = passes_on(&s, 1, 1000.0, 5000.0);    /* its trial on one thread, a spell */
    assert_true(s.gain > 0.19 && s.gain < 0.21);
    assert_true(first > 8 + 32);
    assert_int_equal(passes_on(&s, 2, 1000.0, 5000.0), 3); /* a trial that has lost */
    assert_int_equal(passes_on(&s, 1, 1000.0, 5000.0), 8 + 2 * (first - 8));
    assert_true(s.gain > 0.19 && s.gain < 0.21);
    assert_int_equal(passes_on(&s, 2, 1000.0, 600.0), 8); /* the core is back */
    assert_int_equal(passes_on(&s, 1, 1000.0, 600.0), 8);
    /* its spell, which ends once 16 passes have counted; a trial it loses */
    assert_int_equal(passes_on(&s, 2, 1000.0, 5000.0), 1 + 16 + 3);
    assert_int_equal(passes_on(&s, 1, 1000.0, 5000.0), first); /* from the first spell again */
    /* a pass of the wrong size (a batch too small to split) does not count */
    const sdn_share before = s;
    sdn_share_judge(&s, team_of(&s, 2) > 1 ? SDN_SPLIT_NONE : SDN_SPLIT_ROWS, 1000.0, 32);
    assert_int_equal(s.left, before.left);
}

/* A team slower than one thread, but by less than half as long again a row, runs its whole
 * trial: its early passes may be the slow ones. A trial ended early is still weighed. */
static void test_team_trial_ends_only_when_lost(void **state)
{
    (void)state;
    sdn_share s;
    sdn_share_reset(&s, 2);
    assert_int_equal(passes_on(&s, 2, 1000.0, 1400.0), 8);
    passes_on(&s, 1, 1000.0, 1400.0);
    assert_int_equal(passes_on(&s, 2, 1000.0, 1400.0), 8);
    passes_on(&s, 1, 1000.0, 1400.0);
    assert_int_equal(passes_on(&s, 2, 1000.0, 1600.0), 3);
    /* the host slowed down as a whole: the trial ended early, yet the verdict weighs its passes
     * against this cycle's one thread and goes to the team */
    assert_int_equal(passes_on(&s, 1, 2000.0, 1600.0), 8);
    assert_true(s.gain > 1.24 && s.gain < 1.26);
    assert_int_equal(team_of(&s, 2), 2);
}

/* A spell on the team that has become slower than one thread ends after 16 counted passes, and
 * the team's next spell starts from the first length again; one that is slower than before but
 * still faster than one thread runs whole. */
static void test_team_spell_ends_when_lost(void **state)
{
    (void)state;
    sdn_share s;
    sdn_share_reset(&s, 2);
    assert_int_equal(passes_on(&s, 2, 1000.0, 600.0), 8);
    assert_int_equal(passes_on(&s, 1, 1000.0, 600.0), 8);
    assert_int_equal(passes_on(&s, 2, 1000.0, 900.0), 64 + 8); /* its spell, the next trial */
    assert_int_equal(passes_on(&s, 1, 1000.0, 900.0), 8);
    assert_int_equal(s.team_spell, 4 * 64); /* the spell under way is 128 passes */
    assert_int_equal(passes_on(&s, 2, 1000.0, 1100.0), 1 + 16 + 8);
    assert_int_equal(s.team_spell, 64);
}

/* Passes of a model that can stage, `rows_ns`, `stages_ns` and `one_ns` a row on each split:
 * which split runs the pass after `passes` of them. */
static sdn_split split_after(int passes, double one_ns, double rows_ns, double stages_ns)
{
    sdn_share s;
    sdn_share_reset(&s, 2);
    for (int i = 0; i < passes; i++) {
        const sdn_split on = sdn_share_split(&s, 2, 1);
        const double ns = on == SDN_SPLIT_NONE   ? one_ns
                          : on == SDN_SPLIT_ROWS ? rows_ns
                                                 : stages_ns;
        sdn_share_judge(&s, on, 32 * ns, 32);
    }
    return sdn_share_split(&s, 2, 1);
}

/* The verdict tries rows, stages and one thread, 8 passes each, then runs the fastest; a team
 * only where it wins by 10 %; a pass that could not stage counts toward the stages' trial, not
 * its time. */
static void test_verdict_picks_the_fastest_split(void **state)
{
    (void)state;
    assert_int_equal(split_after(0, 1000, 600, 500), SDN_SPLIT_ROWS);
    assert_int_equal(split_after(8, 1000, 600, 500), SDN_SPLIT_STAGES); /* its trial */
    assert_int_equal(split_after(16, 1000, 600, 500), SDN_SPLIT_NONE);
    assert_int_equal(split_after(24, 1000, 600, 500), SDN_SPLIT_STAGES); /* the spell */
    assert_int_equal(split_after(24, 1000, 500, 600), SDN_SPLIT_ROWS);
    assert_int_equal(split_after(24, 1000, 1100, 950), SDN_SPLIT_NONE); /* not by 10 % */
    assert_int_equal(split_after(24, 1000, 1100, 850), SDN_SPLIT_STAGES);
    sdn_share s;
    sdn_share_reset(&s, 2);
    for (int i = 0; i < 8; i++) /* the rows' trial */
        sdn_share_judge(&s, sdn_share_split(&s, 2, 1), 32 * 600.0, 32);
    assert_int_equal(sdn_share_split(&s, 2, 0), SDN_SPLIT_ROWS); /* a short batch */
    for (int i = 0; i < 8; i++)
        sdn_share_judge(&s, SDN_SPLIT_ROWS, 32 * 5000.0, 32);
    assert_int_equal(sdn_share_split(&s, 2, 1), SDN_SPLIT_NONE);
    assert_true(s.trial_rows[SDN_SPLIT_STAGES] == 0.0);
}

/* A batch-norm, dropout and sliced-kernel network trained `steps` steps; saved to path. `end`:
 * how its passes were shared out at the end. */
static void train_steps(int threads, int steps, char *path, size_t size, sdn_share *end)
{
    enum { D = 768, UNITS = 96, K = 10, NB = 128 };
    sdn_set_num_threads(threads);
    sdn_model *m = sdn_model_new(11);
    assert_int_equal(sdn_model_add_batch_norm(m, 0.99f, 1e-3f), SDN_OK);
    sdn_dense_options d = sdn_dense_defaults(UNITS);
    d.activation = SDN_ACT_ELU;
    assert_int_equal(sdn_model_add_dense(m, &d), SDN_OK);
    assert_int_equal(sdn_model_add_dropout(m, 0.2f), SDN_OK);
    sdn_dense_options out = sdn_dense_defaults(K);
    out.activation = SDN_ACT_SOFTMAX;
    assert_int_equal(sdn_model_add_dense(m, &out), SDN_OK);
    sdn_optimizer_options nadam = sdn_optimizer_defaults(SDN_OPT_NADAM);
    assert_int_equal(sdn_model_compile(m, D, NB, &nadam), SDN_OK);
    static float x[NB * D];
    int32_t y[NB];
    for (int s = 0; s < steps; s++) {
        sdn_test_fill(x, NB * D, 300 + (uint64_t)s, -1.0f, 1.0f);
        for (int i = 0; i < NB; i++)
            y[i] = (int32_t)((i * 3 + s) % K);
        assert_int_equal(sdn_model_train_batch(m, x, y, NB, NULL, NULL), SDN_OK);
    }
    *end = m->share;
    snprintf(path, size, "%s/share%d.safetensors", sdn_test_tmpdir("share"), threads);
    assert_int_equal(sdn_model_save(m, path, 1, NULL, 0, NULL, 0), SDN_OK);
    sdn_model_free(m);
}

/* Eight steps; share1: thread 0's share of the rows at the end. */
static void train(int threads, char *path, size_t size, double *share1)
{
    sdn_share end;
    train_steps(threads, 8, path, size, &end);
    *share1 = end.threads == 2 ? end.weight[1] : 0.5;
}

static void test_moved_shares_same_bits(void **state)
{
    (void)state;
    sdn_set_num_threads(2);
    if (sdn_num_threads() != 2)
        skip(); /* built without OpenMP */
    sdn_parallel_min_macs = 0.0;
    char one[512], two[512];
    double share1;
    train(1, one, sizeof one, &share1);
    sdn_debug_slow_thread = 2.0; /* a third of the speed: well clear of the noise */
    train(2, two, sizeof two, &share1);
    sdn_debug_slow_thread = 0.0;
    sdn_parallel_min_macs = -1.0;
    sdn_set_num_threads(0);
    if (share1 < 0.55)
        fail_msg("thread 1 ran at a third of the speed, yet thread 0's share is %.2f", share1);
    sdn_test_assert_same_bytes(one, two);
}

/* Thread 1 away for four one-thread steps' time at the start of every pass (measured, so that an
 * emulator's slow steps are kept waiting as long): the passes move to one thread, and the weights
 * are those of one thread to the last bit. */
static void test_team_kept_waiting_same_bits(void **state)
{
    (void)state;
    sdn_set_num_threads(2);
    if (sdn_num_threads() != 2)
        skip(); /* built without OpenMP */
    sdn_parallel_min_macs = 0.0;
    char one[512], two[512];
    sdn_share end;
    const uint64_t t0 = sdn_monotonic_ns();
    train_steps(1, 16, one, sizeof one, &end);
    sdn_debug_thread_away_us = 4.0 * (double)(sdn_monotonic_ns() - t0) / 16 * 1e-3;
    train_steps(2, 16, two, sizeof two, &end);
    const double away_us = sdn_debug_thread_away_us;
    sdn_debug_thread_away_us = 0.0;
    sdn_parallel_min_macs = -1.0;
    sdn_set_num_threads(0);
    if (team_of(&end, 2) != 1)
        fail_msg("thread 1 kept thread 0 waiting %.0f us a pass, yet the team won its trial (%.2f)",
                 away_us, end.gain);
    sdn_test_assert_same_bytes(one, two);
}

/* What crosses between the cores, counted from the cuts: on two threads each reads every
 * parameter of an unsliced layer, of which the other stepped what it did not; one thread moves
 * nothing; a network without batch norm or a sliced layer has no partial sums. */
static void test_traffic_counts_the_other_threads_writes(void **state)
{
    (void)state;
    enum { D = 40, UNITS = 30, K = 5, NB = 64 };
    sdn_model *m = sdn_model_new(3);
    sdn_dense_options d = sdn_dense_defaults(UNITS);
    assert_int_equal(sdn_model_add_dense(m, &d), SDN_OK);
    assert_int_equal(sdn_model_add_dense(m, &d), SDN_OK);
    sdn_dense_options out = sdn_dense_defaults(K);
    out.activation = SDN_ACT_SOFTMAX;
    assert_int_equal(sdn_model_add_dense(m, &out), SDN_OK);
    sdn_optimizer_options nadam = sdn_optimizer_defaults(SDN_OPT_NADAM);
    assert_int_equal(sdn_model_compile(m, D, NB, &nadam), SDN_OK);
    const double params = (D + 1) * UNITS + (UNITS + 1) * UNITS + (UNITS + 1) * K;
    const sdn_pass_traffic one = sdn_step_traffic(m, NB, 1), two = sdn_step_traffic(m, NB, 2);
    assert_true(one.weight_bytes == 0.0 && one.activation_bytes == 0.0 && one.partial_bytes == 0.0);
    assert_true(two.weight_bytes == 4.0 * params);
    assert_true(two.partial_bytes == 0.0);
    /* at least the dZ of the layer each thread forms a gradient of, from the other's 32 rows */
    assert_true(two.activation_bytes >= 4.0 * 2 * 32 * K);
    assert_true(sdn_step_traffic(m, NB, 3).weight_bytes == 4.0 * 2 * params);
    sdn_model_free(m);
}

/* The host's costs of meeting: each measured where there are two threads (a zero would take a
 * term out of every threshold), a line read in a stream cheaper than a round trip. */
static void test_thread_costs_measured(void **state)
{
    (void)state;
    sdn_set_num_threads(2);
    if (sdn_num_threads() != 2)
        skip(); /* built without OpenMP */
    sdn_thread_costs c;
    assert_int_equal(sdn_thread_costs_measure(&c), SDN_OK);
    sdn_set_num_threads(0);
    assert_int_equal(c.threads, 2);
    assert_true(c.fork_join_ns > 0.0 && c.round_trip_ns > 0.0 && c.fma_per_ns > 0.0);
    assert_true(c.line_ns > 0.0 && c.line_ns < c.round_trip_ns);
    assert_true(c.gemm_parallel_min >= 65536.0);
}

/* On cores that sit apart (simulated: test hooks), a pass whose threads would read more lines
 * across the cores than half its work earns back stays on one thread: the thresholds count the
 * lines, not only the meetings. The same cores with reads that cost nothing keep the team. */
static void test_far_cores_keep_small_passes_on_one_thread(void **state)
{
    (void)state;
    sdn_set_num_threads(2);
    if (sdn_num_threads() != 2)
        skip(); /* built without OpenMP */
    char path[512];
    sdn_share end;
    sdn_debug_far_round_trip_ns = 1.0; /* meetings as good as free: only the lines decide */
    sdn_debug_far_line_ns = 0.0;
    train_steps(2, 2, path, sizeof path, &end);
    assert_int_equal(end.threads, 2);
    sdn_debug_far_line_ns = 1e6;
    train_steps(2, 2, path, sizeof path, &end);
    sdn_debug_far_round_trip_ns = sdn_debug_far_line_ns = 0.0;
    sdn_set_num_threads(0);
    assert_int_equal(end.threads, 0); /* no pass ran on a team */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_equal_cores_keep_equal_shares),
        cmocka_unit_test(test_half_speed_core_takes_a_third),
        cmocka_unit_test(test_every_thread_keeps_its_least),
        cmocka_unit_test(test_team_that_pays_stays),
        cmocka_unit_test(test_team_kept_waiting_gives_way),
        cmocka_unit_test(test_team_trial_ends_only_when_lost),
        cmocka_unit_test(test_team_spell_ends_when_lost),
        cmocka_unit_test(test_verdict_picks_the_fastest_split),
        cmocka_unit_test(test_moved_shares_same_bits),
        cmocka_unit_test(test_team_kept_waiting_same_bits),
        cmocka_unit_test(test_traffic_counts_the_other_threads_writes),
        cmocka_unit_test(test_thread_costs_measured),
        cmocka_unit_test(test_far_cores_keep_small_passes_on_one_thread),
    };
    return cmocka_run_group_tests(tests, NULL, sdn_test_tmpdir_remove);
}
