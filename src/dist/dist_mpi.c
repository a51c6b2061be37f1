/* Data-parallel training over MPI, the optimizer sharded across ranks. A reduce-scatter that we
 * order ourselves sums the gradient: every rank sends shard r of its gradient to rank r
 * (MPI_Alltoallv) and rank r adds the N copies in rank order. Rank r then updates shard r of the
 * weights (its optimizer slots stay current on that shard only) and the weights are gathered back
 * (MPI_Allgatherv). The same bits on every rank and in every run for a given N, whatever
 * algorithm the MPI library picks, at the bandwidth of a ring allreduce (2·(N−1)/N of the gradient
 * in and out of each rank), with 1/N of the update each. The slots are gathered once per epoch,
 * before a checkpoint. docs/distributed.md has the measurements behind the choice. */
#if SDN_HAVE_MPI
#include <limits.h>
#include <math.h>
#include <mpi.h>
#include <stdlib.h>
#include <string.h>

#include "dist.h"
#include "error.h"
#include "model.h"

static struct {
    int active; /* MPI initialized by us */
    int rank, size;
    MPI_Comm comm;
    float *recv; /* [size × largest shard] for the reduce-scatter */
    size_t recv_cap;
    int *counts, *displs, *recv_counts, *recv_displs; /* [size] each */
    size_t shard_for;                                 /* gradient length the counts were made for */
} g = {0, 0, 1, 0, NULL, 0, NULL, NULL, NULL, NULL, 0};

/* Open MPI, MPICH/Hydra, Slurm's PMI and PMIx all leave one of these in a rank's environment. A
 * plain `simdnn train` never starts MPI (no singleton daemon, no network probing). */
static int launched_by_mpi(void)
{
    static const char *vars[] = {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK", "PMI_SIZE"};
    for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++)
        if (getenv(vars[i]))
            return 1;
    return 0;
}

static sdn_status mpi_fail(int rc, const char *what)
{
    char text[MPI_MAX_ERROR_STRING];
    int len = 0;
    if (MPI_Error_string(rc, text, &len) != MPI_SUCCESS)
        snprintf(text, sizeof text, "error %d", rc);
    return sdn_fail(SDN_ERR_IO,
                    "rank %d of %d: %s failed: %s (another rank died or the interconnect failed)",
                    g.rank, g.size, what, text);
}

#define MPI_CHECK(call, what)                                                                      \
    do {                                                                                           \
        int rc_ = (call);                                                                          \
        if (rc_ != MPI_SUCCESS)                                                                    \
            return mpi_fail(rc_, what);                                                            \
    } while (0)

const char *sdn_dist_backend(void)
{
    return "mpi";
}

sdn_status sdn_dist_init(int *argc, char ***argv)
{
    if (g.active || !launched_by_mpi())
        return SDN_OK;
    int provided = 0;
    /* OpenMP threads never call MPI: only the thread that runs fit() does. */
    if (MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS)
        return sdn_fail(SDN_ERR_IO, "MPI_Init_thread failed");
    g.active = 1;
    MPI_Comm_dup(MPI_COMM_WORLD, &g.comm);
    /* Errors come back as codes (a clear message, then MPI_Abort) instead of a silent abort. */
    MPI_Comm_set_errhandler(g.comm, MPI_ERRORS_RETURN);
    MPI_Comm_rank(g.comm, &g.rank);
    MPI_Comm_size(g.comm, &g.size);
    g.counts = calloc(4 * (size_t)g.size, sizeof *g.counts);
    if (!g.counts)
        return sdn_fail(SDN_ERR_NOMEM, "out of memory for %d ranks", g.size);
    g.displs = g.counts + g.size;
    g.recv_counts = g.displs + g.size;
    g.recv_displs = g.recv_counts + g.size;
    return SDN_OK;
}

int sdn_dist_rank(void)
{
    return g.rank;
}
int sdn_dist_size(void)
{
    return g.size;
}

void sdn_dist_finalize(int failed)
{
    if (!g.active)
        return;
    if (failed && g.size > 1)
        MPI_Abort(MPI_COMM_WORLD, failed); /* does not return */
    free(g.recv);
    free(g.counts);
    MPI_Comm_free(&g.comm);
    MPI_Finalize();
    memset(&g, 0, sizeof g);
    g.size = 1;
}

void sdn_dist_shard(size_t n, size_t *lo, size_t *hi)
{
    *lo = n * (size_t)g.rank / (size_t)g.size;
    *hi = n * (size_t)(g.rank + 1) / (size_t)g.size;
}

/* Shard r of an n-float gradient starts at a multiple of 16 floats (64 bytes). */
static sdn_status plan_shards(size_t n)
{
    if (g.shard_for == n)
        return SDN_OK;
    if (n > INT_MAX)
        return sdn_fail(SDN_ERR_UNSUPPORTED, "%zu parameters: more than MPI's int count", n);
    size_t widest = 0;
    for (int r = 0; r < g.size; r++) {
        size_t a = (n * (size_t)r / (size_t)g.size + 15) / 16 * 16;
        size_t b = (n * (size_t)(r + 1) / (size_t)g.size + 15) / 16 * 16;
        a = a < n ? a : n;
        b = b < n ? b : n;
        g.displs[r] = (int)a;
        g.counts[r] = (int)(b - a);
        widest = b - a > widest ? b - a : widest;
    }
    const size_t mine = (size_t)g.counts[g.rank];
    for (int r = 0; r < g.size; r++) {
        g.recv_counts[r] = (int)mine;
        g.recv_displs[r] = (int)(mine * (size_t)r);
    }
    if (widest * (size_t)g.size > g.recv_cap) {
        free(g.recv);
        g.recv_cap = widest * (size_t)g.size;
        if (!(g.recv = malloc(g.recv_cap * sizeof *g.recv))) {
            g.recv_cap = 0;
            return sdn_fail(SDN_ERR_NOMEM, "out of memory for the gradient shards");
        }
    }
    g.shard_for = n;
    return SDN_OK;
}

/* This rank's shard of grad ← Σ over ranks in rank order (the rest of grad is left as it was). */
static sdn_status reduce_scatter(float *grad, size_t n)
{
    sdn_status s = plan_shards(n);
    if (s)
        return s;
    MPI_CHECK(MPI_Alltoallv(grad, g.counts, g.displs, MPI_FLOAT, g.recv, g.recv_counts,
                            g.recv_displs, MPI_FLOAT, g.comm),
              "the gradient reduce-scatter (MPI_Alltoallv)");
    const size_t len = (size_t)g.counts[g.rank];
    float *out = grad + g.displs[g.rank];
    memcpy(out, g.recv, len * sizeof *out);
    for (int r = 1; r < g.size; r++) {
        const float *part = g.recv + (size_t)r * len;
        for (size_t i = 0; i < len; i++)
            out[i] += part[i];
    }
    return SDN_OK;
}

/* Every rank's shard of v[0..n) to every rank (after plan_shards(n)). */
static sdn_status allgather_shards(float *v, const char *what)
{
    if (v)
        MPI_CHECK(MPI_Allgatherv(MPI_IN_PLACE, 0, MPI_DATATYPE_NULL, v, g.counts, g.displs,
                                 MPI_FLOAT, g.comm),
                  what);
    return SDN_OK;
}

sdn_status sdn_dist_sum(double *v, int count)
{
    if (g.size == 1)
        return SDN_OK;
    double *all = malloc((size_t)g.size * (size_t)count * sizeof *all);
    if (!all)
        return sdn_fail(SDN_ERR_NOMEM, "out of memory for a sum over ranks");
    int rc = MPI_Allgather(v, count, MPI_DOUBLE, all, count, MPI_DOUBLE, g.comm);
    if (rc == MPI_SUCCESS)
        for (int j = 0; j < count; j++) {
            double s = all[j];
            for (int r = 1; r < g.size; r++)
                s += all[(size_t)r * (size_t)count + (size_t)j];
            v[j] = s;
        }
    free(all);
    return rc == MPI_SUCCESS ? SDN_OK : mpi_fail(rc, "a sum over ranks (MPI_Allgather)");
}

int sdn_dist_any(int flag)
{
    if (g.size == 1)
        return flag;
    int any = flag;
    if (MPI_Allreduce(&flag, &any, 1, MPI_INT, MPI_MAX, g.comm) != MPI_SUCCESS)
        return 1; /* stop: the next collective reports what failed */
    return any;
}

sdn_status sdn_dist_train_batch(sdn_model *m, const float *x, const int32_t *y, size_t n_local,
                                size_t n_global, size_t row_base, float *loss, float *accuracy)
{
    if (g.size == 1)
        return sdn_model_train_batch(m, x, y, n_local, loss, accuracy);
    double local_loss = 0.0;
    size_t correct = 0;
    if (n_local) {
        sdn_status s = sdn_model_local_grads(m, x, y, n_local, row_base, &local_loss, &correct);
        if (s)
            return s;
        /* local mean → this rank's share of the global mean */
        sdn_kernels_active()->scale(m->n_params, m->grads, (float)n_local / (float)n_global);
    } else {
        memset(m->grads, 0, m->n_params * sizeof *m->grads);
    }
    sdn_status s = reduce_scatter(m->grads, m->n_params);
    if (s)
        return s;
    const size_t lo = (size_t)g.displs[g.rank], hi = lo + (size_t)g.counts[g.rank];
    const int clip = m->opt.clip_norm > 0.0f;
    /* loss, correct rows and the shard's part of the gradient's squared norm: one collective */
    double stats[3] = {local_loss * (double)n_local, (double)correct,
                       clip && hi > lo ? sdn_kernels_active()->sumsq(hi - lo, m->grads + lo) : 0.0};
    if ((s = sdn_dist_sum(stats, 3)))
        return s;
    const double mean_loss = stats[0] / (double)n_global;
    if (loss)
        *loss = (float)mean_loss;
    if (accuracy)
        *accuracy = (float)(stats[1] / (double)n_global);
    if (!isfinite(mean_loss)) /* the same verdict on every rank: no rank steps */
        return sdn_fail(SDN_ERR_NUMERIC,
                        "train_batch: the loss is %s at step %llu on some rank; the weights are "
                        "unchanged (try a lower learning rate or gradient clipping)",
                        isnan(mean_loss) ? "NaN" : "infinite", (unsigned long long)m->step);
    float clip_scale = 1.0f;
    if (clip && sqrt(stats[2]) > m->opt.clip_norm)
        clip_scale = (float)(m->opt.clip_norm / sqrt(stats[2]));
    sdn_model_apply_grads(m, n_local, lo, hi, clip_scale);
    return allgather_shards(m->params, "the weights' allgather (MPI_Allgatherv)");
}

sdn_status sdn_dist_gather_slots(sdn_model *m)
{
    if (g.size == 1)
        return SDN_OK;
    sdn_status s = plan_shards(m->n_params);
    if (!s)
        s = allgather_shards(m->opt_m, "gathering the optimizer slots");
    if (!s)
        s = allgather_shards(m->opt_v, "gathering the optimizer slots");
    return s;
}

static sdn_status bcast_floats(float *v, size_t n, const char *what)
{
    if (!v || !n)
        return SDN_OK;
    if (n > INT_MAX)
        return sdn_fail(SDN_ERR_UNSUPPORTED, "%s: %zu floats, more than MPI's int count", what, n);
    MPI_CHECK(MPI_Bcast(v, (int)n, MPI_FLOAT, 0, g.comm), what);
    return SDN_OK;
}

sdn_status sdn_dist_sync_model(sdn_model *m, int epochs_done)
{
    if (g.size == 1)
        return SDN_OK;
    int *epochs = malloc((size_t)g.size * sizeof *epochs);
    if (!epochs)
        return sdn_fail(SDN_ERR_NOMEM, "out of memory");
    int rc = MPI_Allgather(&epochs_done, 1, MPI_INT, epochs, 1, MPI_INT, g.comm);
    int odd = -1;
    for (int r = 0; rc == MPI_SUCCESS && r < g.size; r++)
        if (epochs[r] != epochs[0])
            odd = r;
    int odd_epochs = odd >= 0 ? epochs[odd] : 0, first = epochs[0];
    free(epochs);
    if (rc != MPI_SUCCESS)
        return mpi_fail(rc, "the start of distributed training (MPI_Allgather)");
    if (odd >= 0)
        return sdn_fail(SDN_ERR_STATE,
                        "rank %d resumes after epoch %d but rank 0 after epoch %d: every rank "
                        "must read the same checkpoint (a --out folder shared by all ranks)",
                        odd, odd_epochs, first);
    sdn_status s = bcast_floats(m->params, m->n_params, "broadcasting the weights");
    if (!s)
        s = bcast_floats(m->opt_m, m->n_params, "broadcasting the optimizer slots");
    if (!s)
        s = bcast_floats(m->opt_v, m->n_params, "broadcasting the optimizer slots");
    if (!s)
        s = bcast_floats(m->state, m->n_state, "broadcasting the moving statistics");
    if (s)
        return s;
    struct {
        uint64_t step;
        double mu_product;
    } clock = {m->step, m->nadam_mu_product};
    MPI_CHECK(MPI_Bcast(&clock, (int)sizeof clock, MPI_BYTE, 0, g.comm), "broadcasting the step");
    m->step = clock.step;
    m->nadam_mu_product = clock.mu_product;
    return SDN_OK;
}

/* BN moving statistics ← their mean over ranks, added in rank order. */
static sdn_status average_state(sdn_model *m)
{
    const size_t n = m->n_state;
    if (g.size == 1 || !n)
        return SDN_OK;
    if (n > INT_MAX / (size_t)g.size)
        return sdn_fail(SDN_ERR_UNSUPPORTED, "%zu moving statistics: too many for MPI", n);
    float *all = malloc((size_t)g.size * n * sizeof *all);
    if (!all)
        return sdn_fail(SDN_ERR_NOMEM, "out of memory for the moving statistics");
    int rc = MPI_Allgather(m->state, (int)n, MPI_FLOAT, all, (int)n, MPI_FLOAT, g.comm);
    if (rc == MPI_SUCCESS)
        for (size_t j = 0; j < n; j++) {
            float s = all[j];
            for (int r = 1; r < g.size; r++)
                s += all[(size_t)r * n + j];
            m->state[j] = s / (float)g.size;
        }
    free(all);
    return rc == MPI_SUCCESS ? SDN_OK : mpi_fail(rc, "averaging the moving statistics");
}

sdn_status sdn_dist_epoch_end(sdn_model *m)
{
    if (g.size == 1)
        return SDN_OK;
    sdn_status s = average_state(m);
    return s ? s : sdn_dist_gather_slots(m);
}
#endif /* SDN_HAVE_MPI */
