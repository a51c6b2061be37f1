/* Models used from several threads at once (run under ThreadSanitizer by the tsan preset): two
 * models trained and queried in two threads give bitwise what one thread gives; two predicts on one
 * model at once either both give the sequential answer or one is refused with SDN_ERR_STATE and a
 * message saying why — never a race or a wrong answer. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "simdnn_fit.h"
#include "testutil.h"

enum { FEAT = 20, CLASSES = 4, BATCH = 32, STEPS = 6, ROUNDS = 200 };

static sdn_model *model(uint64_t seed)
{
    sdn_net_spec s = {.activation = SDN_ACT_ELU, .init = SDN_INIT_HE_NORMAL};
    s.input_size = FEAT;
    s.classes = CLASSES;
    s.hidden_layers = 2;
    s.units = 16;
    s.batch_norm = 1;
    s.dropout = 0.2f;
    sdn_optimizer_options o = sdn_optimizer_defaults(SDN_OPT_ADAM);
    sdn_model *m = NULL;
    assert_int_equal(sdn_net_build(&s, seed, BATCH, &o, &m), SDN_OK);
    return m;
}

static float xs[BATCH * FEAT];
static int32_t ys[BATCH];

/* What one thread does with its own model: train, then predict. */
typedef struct job {
    sdn_model *m;
    float probs[BATCH * CLASSES];
    float loss[STEPS];
    sdn_status status;
} job;

static void *train_and_predict(void *arg)
{
    job *j = arg;
    float acc;
    for (int s = 0; s < STEPS && !j->status; s++)
        j->status = sdn_model_train_batch(j->m, xs, ys, BATCH, &j->loss[s], &acc);
    if (!j->status)
        j->status = sdn_model_predict(j->m, xs, BATCH, j->probs);
    return NULL;
}

static void two_models_two_threads(void **state)
{
    (void)state;
    sdn_test_fill(xs, BATCH * FEAT, 5, -1, 1);
    for (int i = 0; i < BATCH; i++)
        ys[i] = i % CLASSES;
    job alone[2] = {{.m = model(1)}, {.m = model(2)}}, both[2] = {{.m = model(1)}, {.m = model(2)}};
    for (int k = 0; k < 2; k++)
        train_and_predict(&alone[k]);
    pthread_t t[2];
    for (int k = 0; k < 2; k++)
        assert_int_equal(pthread_create(&t[k], NULL, train_and_predict, &both[k]), 0);
    for (int k = 0; k < 2; k++) {
        assert_int_equal(pthread_join(t[k], NULL), 0);
        assert_int_equal(alone[k].status, SDN_OK);
        assert_int_equal(both[k].status, SDN_OK);
        assert_memory_equal(both[k].loss, alone[k].loss, sizeof alone[k].loss);
        assert_memory_equal(both[k].probs, alone[k].probs, sizeof alone[k].probs);
        sdn_model_free(alone[k].m);
        sdn_model_free(both[k].m);
    }
}

/* Many predicts of one shared model; counts answers equal to the reference and refusals. */
typedef struct shared_job {
    sdn_model *m;
    pthread_barrier_t *start; /* both threads begin together, so their calls overlap */
    const float *want;
    int same, refused, wrong;
    char message[256];
} shared_job;

static void *predict_many(void *arg)
{
    shared_job *j = arg;
    float probs[BATCH * CLASSES];
    pthread_barrier_wait(j->start);
    for (int r = 0; r < ROUNDS; r++) {
        sdn_status st = sdn_model_predict(j->m, xs, BATCH, probs);
        if (st == SDN_ERR_STATE) {
            j->refused++;
            snprintf(j->message, sizeof j->message, "%s", sdn_last_error());
        } else if (st == SDN_OK && !memcmp(probs, j->want, sizeof probs)) {
            j->same++;
        } else {
            j->wrong++;
        }
    }
    return NULL;
}

static void two_predicts_one_model(void **state)
{
    (void)state;
    sdn_model *m = model(3);
    float want[BATCH * CLASSES];
    job warm = {.m = m};
    train_and_predict(&warm); /* trained weights, BN moving statistics in use */
    assert_int_equal(sdn_model_predict(m, xs, BATCH, want), SDN_OK);
    pthread_barrier_t start;
    assert_int_equal(pthread_barrier_init(&start, NULL, 2), 0);
    shared_job j[2] = {{.m = m, .start = &start, .want = want},
                       {.m = m, .start = &start, .want = want}};
    pthread_t t[2];
    for (int k = 0; k < 2; k++)
        assert_int_equal(pthread_create(&t[k], NULL, predict_many, &j[k]), 0);
    for (int k = 0; k < 2; k++)
        assert_int_equal(pthread_join(t[k], NULL), 0);
    for (int k = 0; k < 2; k++) {
        printf("thread %d: %d predictions as alone, %d refused%s%s\n", k, j[k].same, j[k].refused,
               j[k].refused ? ": " : "", j[k].message);
        assert_int_equal(j[k].wrong, 0);
        assert_int_equal(j[k].same + j[k].refused, ROUNDS);
        if (j[k].refused)
            assert_non_null(strstr(j[k].message, "another thread"));
    }
    assert_true(j[0].same + j[1].same > 0);
    pthread_barrier_destroy(&start);
    sdn_model_free(m);
}

int main(void)
{
    if (!sdn_test_threads_start()) {
        printf("[  SKIP    ] threads cannot start here (qemu-user)\n");
        return 0;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(two_models_two_threads),
        cmocka_unit_test(two_predicts_one_model),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
