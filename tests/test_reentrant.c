/* Inference is re-entrant: every predict, evaluate and MC Dropout call runs on a workspace of its
 * own, so calls from several threads on one model give exactly what the same calls give one after
 * another, and training afterwards is unaffected. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "testutil.h"

enum { D = 40, K = 10, N = 300, CALLS = 200, THREADS = 3 };

static float x[N * D];
static int32_t y[N];
static float want_probs[N * K];
static float want_loss, want_acc;
static pthread_barrier_t start; /* all threads begin together: their calls overlap */

static sdn_model *make_model(void)
{
    sdn_model *m = sdn_model_new(7);
    assert_int_equal(sdn_model_add_flatten(m), SDN_OK);
    assert_int_equal(sdn_model_add_batch_norm(m, 0.99f, 1e-3f), SDN_OK);
    sdn_dense_options d = sdn_dense_defaults(32);
    d.activation = SDN_ACT_SELU;
    assert_int_equal(sdn_model_add_dense(m, &d), SDN_OK);
    assert_int_equal(sdn_model_add_alpha_dropout(m, 0.1f), SDN_OK);
    d = sdn_dense_defaults(K);
    d.activation = SDN_ACT_SOFTMAX;
    assert_int_equal(sdn_model_add_dense(m, &d), SDN_OK);
    sdn_optimizer_options o = sdn_optimizer_defaults(SDN_OPT_ADAM);
    assert_int_equal(sdn_model_compile(m, D, 32, &o), SDN_OK);
    return m;
}

typedef struct job {
    sdn_model *m;
    int bad;
} job;

static void *infer(void *arg)
{
    job *j = arg;
    float *probs = malloc(sizeof want_probs);
    pthread_barrier_wait(&start);
    for (int c = 0; c < CALLS && probs; c++) {
        float loss, acc;
        j->bad |= sdn_model_predict(j->m, x, N, probs) != SDN_OK ||
                  memcmp(probs, want_probs, sizeof want_probs) != 0;
        j->bad |= sdn_model_evaluate(j->m, x, y, N, &loss, &acc) != SDN_OK || loss != want_loss ||
                  acc != want_acc;
        j->bad |= sdn_model_predict_mc(j->m, x, 64, 3, probs, NULL) != SDN_OK;
    }
    j->bad |= !probs;
    free(probs);
    return NULL;
}

static void test_inference_from_many_threads(void **s)
{
    (void)s;
    if (!sdn_test_threads_start()) {
        print_message("  threads do not start here (qemu-user): skipped\n");
        return;
    }
    sdn_test_fill(x, N * D, 3, -2.0f, 2.0f);
    for (size_t i = 0; i < N; i++)
        y[i] = (int32_t)(i % K);
    sdn_model *m = make_model();
    float loss, acc;
    for (int i = 0; i < 5; i++) /* moving statistics away from their initial values */
        assert_int_equal(sdn_model_train_batch(m, x + 32 * i * D, y + 32 * i, 32, &loss, &acc),
                         SDN_OK);
    assert_int_equal(sdn_model_predict(m, x, N, want_probs), SDN_OK);
    assert_int_equal(sdn_model_evaluate(m, x, y, N, &want_loss, &want_acc), SDN_OK);
    pthread_t t[THREADS];
    job jobs[THREADS];
    pthread_barrier_init(&start, NULL, THREADS);
    for (int i = 0; i < THREADS; i++) {
        jobs[i] = (job){m, 0};
        assert_int_equal(pthread_create(&t[i], NULL, infer, &jobs[i]), 0);
    }
    for (int i = 0; i < THREADS; i++) {
        pthread_join(t[i], NULL);
        assert_false(jobs[i].bad);
    }
    pthread_barrier_destroy(&start);
    /* every MC call drew its own masks: the counter saw each of them */
    assert_int_equal(m->mc_calls, THREADS * CALLS);
    float after[N * K];
    assert_int_equal(sdn_model_predict(m, x, N, after), SDN_OK);
    assert_memory_equal(after, want_probs, sizeof after);
    sdn_model_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_inference_from_many_threads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
