/* What a data-parallel step costs here, for docs/distributed.md. Run under mpirun:
 *   mpirun -np 2 build-mpi/simdnn_dist_bench [--reps 200] [--threads 1]
 * 1. compute: gradient pass and optimizer step of the elu-he network (20 × 100 ELU, 500 210
 *    parameters) at several rows per rank;
 * 2. the gradient reduction, four ways, each followed by its Nadam update:
 *    allreduce      MPI_Allreduce (the library's order), Nadam on all parameters
 *    ordered+grads  our rank-ordered reduce-scatter (Alltoallv + sum) + Allgatherv of the summed
 *                   gradient, Nadam on all parameters
 *    ordered+shard  the same reduce-scatter, Nadam on this rank's shard only (optimizer state
 *                   sharded), Allgatherv of the updated weights (what sdn_fit uses)
 *    rsblock+shard  MPI_Reduce_scatter_block (library order) + shard update + Allgather weights
 * 3. overlap: the backward pass stood in by a busy loop of 2/3 of the measured gradient pass (the
 *    backward does twice the forward's multiply-adds) at 16 rows, split by layer
 *    size; each layer's gradient MPI_Iallreduce'd as soon as it is "done" (polled with MPI_Test
 *    during the next layer's work) against one blocking MPI_Allreduce after the whole backward.
 * Every time is the slowest rank's, median and [min, max] over the repetitions. */
#include <math.h>
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kernels.h"
#include "model.h"
#include "simdnn_fit.h"

static int rank, size;

static double now(void)
{
    return MPI_Wtime();
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* t[0..reps) of this rank → the slowest rank's per repetition → median, min, max (ms) */
static void report(const char *name, double *t, int reps)
{
    MPI_Allreduce(MPI_IN_PLACE, t, reps, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
    qsort(t, (size_t)reps, sizeof *t, cmp_double);
    if (rank == 0)
        printf("  %-28s %8.3f ms  [%.3f, %.3f]\n", name, 1e3 * t[reps / 2], 1e3 * t[0],
               1e3 * t[reps - 1]);
}

typedef struct bufs {
    size_t n;
    float *g, *w, *m, *v, *recv;
    int *counts, *displs;
    sdn_optimizer_options opt;
    sdn_optim_scalars sc;
} bufs;

static void nadam(bufs *b, size_t off, size_t len)
{
    sdn_optim_apply(sdn_kernels_active(), &b->opt, &b->sc, b->w + off, b->g + off, b->m + off,
                    b->v + off, len);
}

static void fill_grad(bufs *b)
{
    for (size_t i = 0; i < b->n; i++)
        b->g[i] = 1e-3f * (float)((i * 2654435761u + (size_t)rank) % 1000) - 0.5e-3f;
}

static void ordered_reduce_scatter(bufs *b)
{
    const int mine = b->counts[rank];
    int *rc = malloc(2 * (size_t)size * sizeof *rc), *rd = rc + size;
    for (int r = 0; r < size; r++) {
        rc[r] = mine;
        rd[r] = mine * r;
    }
    MPI_Alltoallv(b->g, b->counts, b->displs, MPI_FLOAT, b->recv, rc, rd, MPI_FLOAT,
                  MPI_COMM_WORLD);
    float *out = b->g + b->displs[rank];
    memcpy(out, b->recv, (size_t)mine * sizeof *out);
    for (int r = 1; r < size; r++)
        for (int i = 0; i < mine; i++)
            out[i] += b->recv[(size_t)r * (size_t)mine + (size_t)i];
    free(rc);
}

static void bench_reductions(bufs *b, int reps)
{
    double *t = malloc((size_t)reps * sizeof *t);
    const size_t off = (size_t)b->displs[rank], len = (size_t)b->counts[rank];
    const char *names[] = {"allreduce", "ordered+grads", "ordered+shard", "rsblock+shard"};
    for (int way = 0; way < 4; way++) {
        for (int k = -5; k < reps; k++) {
            fill_grad(b);
            MPI_Barrier(MPI_COMM_WORLD);
            double t0 = now();
            switch (way) {
            case 0:
                MPI_Allreduce(MPI_IN_PLACE, b->g, (int)b->n, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD);
                nadam(b, 0, b->n);
                break;
            case 1:
                ordered_reduce_scatter(b);
                MPI_Allgatherv(MPI_IN_PLACE, 0, MPI_DATATYPE_NULL, b->g, b->counts, b->displs,
                               MPI_FLOAT, MPI_COMM_WORLD);
                nadam(b, 0, b->n);
                break;
            case 2:
                ordered_reduce_scatter(b);
                nadam(b, off, len);
                MPI_Allgatherv(MPI_IN_PLACE, 0, MPI_DATATYPE_NULL, b->w, b->counts, b->displs,
                               MPI_FLOAT, MPI_COMM_WORLD);
                break;
            case 3: /* equal blocks: the tail beyond size·block is left out of this timing */
                MPI_Reduce_scatter_block(b->g, b->recv, (int)(b->n / (size_t)size), MPI_FLOAT,
                                         MPI_SUM, MPI_COMM_WORLD);
                memcpy(b->g + (b->n / (size_t)size) * (size_t)rank, b->recv,
                       b->n / (size_t)size * sizeof(float));
                nadam(b, (b->n / (size_t)size) * (size_t)rank, b->n / (size_t)size);
                MPI_Allgather(MPI_IN_PLACE, 0, MPI_DATATYPE_NULL, b->w, (int)(b->n / (size_t)size),
                              MPI_FLOAT, MPI_COMM_WORLD);
                break;
            }
            if (k >= 0)
                t[k] = now() - t0;
        }
        report(names[way], t, reps);
    }
    /* the pieces: the update alone, on all parameters and on one shard */
    for (int k = 0; k < reps; k++) {
        double t0 = now();
        nadam(b, 0, b->n);
        t[k] = now() - t0;
    }
    report("(Nadam, all parameters)", t, reps);
    for (int k = 0; k < reps; k++) {
        double t0 = now();
        nadam(b, off, len);
        t[k] = now() - t0;
    }
    report("(Nadam, one shard)", t, reps);
    free(t);
}

static void busy(double seconds, int n_req, MPI_Request *req)
{
    const double end = now() + seconds;
    double next_poll = 0;
    while (now() < end)
        if (n_req && now() >= next_poll) {
            int done;
            MPI_Testall(n_req, req, &done, MPI_STATUSES_IGNORE);
            next_poll = now() + 20e-6;
        }
}

/* Layers' gradient sizes of the elu-he net, output layer first (the order backward forms them). */
static void bench_overlap(bufs *b, double t_backward, int reps)
{
    size_t sizes[21];
    sizes[0] = 100 * 10 + 10;
    for (int i = 1; i < 20; i++)
        sizes[i] = 100 * 100 + 100;
    sizes[20] = 3072 * 100 + 100;
    double *t = malloc((size_t)reps * sizeof *t);
    MPI_Request req[21];
    for (int mode = 0; mode < 2; mode++) {
        for (int k = -3; k < reps; k++) {
            fill_grad(b);
            MPI_Barrier(MPI_COMM_WORLD);
            double t0 = now();
            if (mode == 0) {
                busy(t_backward, 0, NULL);
                MPI_Allreduce(MPI_IN_PLACE, b->g, (int)b->n, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD);
            } else {
                size_t at = 0;
                for (int l = 0; l < 21; l++) {
                    busy(t_backward * (double)sizes[l] / (double)b->n, l, req);
                    MPI_Iallreduce(MPI_IN_PLACE, b->g + at, (int)sizes[l], MPI_FLOAT, MPI_SUM,
                                   MPI_COMM_WORLD, &req[l]);
                    at += sizes[l];
                }
                MPI_Waitall(21, req, MPI_STATUSES_IGNORE);
            }
            if (k >= 0)
                t[k] = now() - t0;
        }
        report(mode ? "per-layer Iallreduce" : "backward, then Allreduce", t, reps);
    }
    free(t);
}

/* The real step of the elu-he network on `rows` random rows: gradient pass, update. */
static double bench_compute(size_t rows, int reps, double *t_grads_out)
{
    sdn_net_spec spec = {.input_size = 3072,
                         .classes = 10,
                         .hidden_layers = 20,
                         .units = 100,
                         .activation = SDN_ACT_ELU,
                         .init = SDN_INIT_HE_NORMAL};
    sdn_optimizer_options opt = sdn_optimizer_defaults(SDN_OPT_NADAM);
    sdn_model *model;
    if (sdn_net_build(&spec, 42, rows, &opt, &model)) {
        fprintf(stderr, "dist_bench: %s\n", sdn_last_error());
        MPI_Abort(MPI_COMM_WORLD, 1);
    }
    float *x = malloc(rows * spec.input_size * sizeof *x);
    int32_t *y = malloc(rows * sizeof *y);
    for (size_t i = 0; i < rows * spec.input_size; i++)
        x[i] = (float)((i * 2654435761u) % 1000) / 500.0f - 1.0f;
    for (size_t i = 0; i < rows; i++)
        y[i] = (int32_t)(i % 10);
    double *tg = malloc((size_t)reps * sizeof *tg), *ta = malloc((size_t)reps * sizeof *ta);
    for (int k = -5; k < reps; k++) {
        double loss, t0 = now();
        size_t correct;
        sdn_model_local_grads(model, x, y, rows, 0, &loss, &correct);
        double t1 = now();
        sdn_model_apply_grads(model, rows, 0, sdn_model_param_count(model), 1.0f);
        if (k >= 0) {
            tg[k] = t1 - t0;
            ta[k] = now() - t1;
        }
    }
    qsort(tg, (size_t)reps, sizeof *tg, cmp_double);
    qsort(ta, (size_t)reps, sizeof *ta, cmp_double);
    if (rank == 0)
        printf("  %4zu rows: gradient pass %8.3f ms [%.3f, %.3f], update %.3f ms\n", rows,
               1e3 * tg[reps / 2], 1e3 * tg[0], 1e3 * tg[reps - 1], 1e3 * ta[reps / 2]);
    *t_grads_out = tg[reps / 2];
    double total = tg[reps / 2] + ta[reps / 2];
    free(tg);
    free(ta);
    free(x);
    free(y);
    sdn_model_free(model);
    return total;
}

int main(int argc, char **argv)
{
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    int reps = 200, threads = 1;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--reps"))
            reps = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--threads"))
            threads = atoi(argv[i + 1]);
    }
    if (sdn_dispatch_init()) {
        fprintf(stderr, "dist_bench: %s\n", sdn_last_error());
        MPI_Abort(MPI_COMM_WORLD, 1);
    }
    sdn_set_num_threads(threads);
    if (rank == 0)
        printf("simdnn_dist_bench: %d ranks, %d thread(s) each, isa %s, %d repetitions\n", size,
               threads, sdn_isa_name(sdn_active_isa()), reps);

    if (rank == 0)
        printf("compute per rank (elu-he, 500 210 parameters), every rank at once:\n");
    double t_grads = 0;
    static const size_t rows[] = {8, 16, 32, 64, 128};
    double t16 = 0;
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        bench_compute(rows[i], reps / 4 > 10 ? reps / 4 : 10, &t_grads);
        if (rows[i] == 16)
            t16 = t_grads;
    }

    bufs b = {0};
    b.n = 500210;
    b.opt = sdn_optimizer_defaults(SDN_OPT_NADAM);
    double mu;
    b.sc = sdn_optim_scalars_for(&b.opt, 1, 1.0, &mu);
    b.g = calloc(b.n, sizeof(float));
    b.w = calloc(b.n, sizeof(float));
    b.m = calloc(b.n, sizeof(float));
    b.v = calloc(b.n, sizeof(float));
    b.recv = calloc(b.n + 16 * (size_t)size, sizeof(float));
    b.counts = calloc(2 * (size_t)size, sizeof(int));
    b.displs = b.counts + size;
    for (int r = 0; r < size; r++) {
        size_t a = (b.n * (size_t)r / (size_t)size + 15) / 16 * 16;
        size_t e = (b.n * (size_t)(r + 1) / (size_t)size + 15) / 16 * 16;
        a = a < b.n ? a : b.n;
        e = e < b.n ? e : b.n;
        b.displs[r] = (int)a;
        b.counts[r] = (int)(e - a);
    }
    if (rank == 0)
        printf("gradient reduction + update, %zu floats (%.1f MB):\n", b.n, 4e-6 * (double)b.n);
    bench_reductions(&b, reps);
    if (rank == 0)
        printf("overlap, backward stood in by a %.3f ms busy loop (2/3 of 16 rows' pass):\n",
               1e3 * t16 * 2 / 3);
    bench_overlap(&b, t16 * 2 / 3, reps);
    free(b.g);
    free(b.w);
    free(b.m);
    free(b.v);
    free(b.recv);
    free(b.counts);
    MPI_Finalize();
    return 0;
}
