/* The distributed interface in a build without MPI: one process, rank 0 of 1, every call the
 * identity (src/dist/dist_mpi.c takes the same path when it runs as a single rank). */
#if !SDN_HAVE_MPI
#include "dist.h"

const char *sdn_dist_backend(void)
{
    return "none";
}

sdn_status sdn_dist_init(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    return SDN_OK;
}

int sdn_dist_rank(void)
{
    return 0;
}
int sdn_dist_size(void)
{
    return 1;
}
void sdn_dist_finalize(int failed)
{
    (void)failed;
}

void sdn_dist_shard(size_t n, size_t *lo, size_t *hi)
{
    *lo = 0;
    *hi = n;
}

sdn_status sdn_dist_train_batch(sdn_model *m, const float *x, const int32_t *y, size_t n_local,
                                size_t n_global, size_t row_base, float *loss, float *accuracy)
{
    (void)n_global;
    (void)row_base;
    return sdn_model_train_batch(m, x, y, n_local, loss, accuracy);
}

sdn_status sdn_dist_sum(double *v, int count)
{
    (void)v;
    (void)count;
    return SDN_OK;
}

int sdn_dist_any(int flag)
{
    return flag;
}

sdn_status sdn_dist_sync_model(sdn_model *m, int epochs_done)
{
    (void)m;
    (void)epochs_done;
    return SDN_OK;
}

sdn_status sdn_dist_epoch_end(sdn_model *m)
{
    (void)m;
    return SDN_OK;
}

sdn_status sdn_dist_gather_slots(sdn_model *m)
{
    (void)m;
    return SDN_OK;
}
#endif /* !SDN_HAVE_MPI */
