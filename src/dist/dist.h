/* The fit loop's view of data-parallel training (internal). src/dist/dist_mpi.c implements it over
 * MPI; src/dist/dist_single.c is the identity for one process. With one rank every call takes the
 * single-process path, so results are bitwise those of a build without MPI. */
#ifndef SDN_DIST_H
#define SDN_DIST_H

#include <stddef.h>
#include <stdint.h>

#include "simdnn_dist.h"

/* This rank's rows [lo, hi) of n global rows: contiguous, in rank order, sizes differing by <= 1.
 */
void sdn_dist_shard(size_t n, size_t *lo, size_t *hi);

/* One step on a global batch of n_global rows of which this rank holds rows [row_base, row_base +
 * n_local) in x, y (n_local may be 0). The update is that of the global-batch mean gradient (each
 * rank updates its shard of the weights, then they are gathered); loss and accuracy are the global
 * batch's; a NaN/Inf loss on any rank leaves every rank's weights unchanged (SDN_ERR_NUMERIC on
 * all). */
sdn_status sdn_dist_train_batch(sdn_model *m, const float *x, const int32_t *y, size_t n_local,
                                size_t n_global, size_t row_base, float *loss, float *accuracy);

/* v[0..count) ← the sum over ranks, added in rank order: the same bits on every rank. */
sdn_status sdn_dist_sum(double *v, int count);

/* Whether any rank raised its flag (every rank gets the same answer). */
int sdn_dist_any(int flag);

/* Start of fit: every rank takes rank 0's weights, optimizer slots, moving statistics and step;
 * a rank whose epoch count differs (another checkpoint) is a clear error. */
sdn_status sdn_dist_sync_model(sdn_model *m, int epochs_done);

/* End of an epoch: BN moving statistics (each rank's from its own slices, as PyTorch's DDP
 * without SyncBatchNorm) become their mean over ranks, so every rank evaluates and saves the same,
 * and the optimizer slots are gathered (sdn_dist_gather_slots). */
sdn_status sdn_dist_epoch_end(sdn_model *m);

/* Each rank keeps its optimizer slots current on its own shard only: every rank gets all of them
 * (before a checkpoint). */
sdn_status sdn_dist_gather_slots(sdn_model *m);

#endif
