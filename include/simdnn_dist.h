/* simdnn data-parallel training: `mpirun -np N simdnn train …` trains one model on N processes.
 * Each rank computes the gradient of its slice of every global batch (the same batch sequence as
 * one process with the same seed), the gradients are summed in rank order (bitwise the same run
 * after run for a given N) and every rank applies the same update. Built with -DSIMDNN_MPI=ON;
 * without it, and in a process not started by mpirun, these are the identity for one process. */
#ifndef SIMDNN_DIST_H
#define SIMDNN_DIST_H

#include "simdnn.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Joins the job when this process was started by an MPI launcher (mpirun, srun): call it first in
 * main(). Elsewhere, and in a build without MPI, it does nothing and the process is rank 0 of 1. */
SDN_API sdn_status sdn_dist_init(int *argc, char ***argv);
/* This process's rank and the number of ranks (0 and 1 when not distributed). */
SDN_API int sdn_dist_rank(void);
SDN_API int sdn_dist_size(void);
/* Leaves the job. failed != 0 with several ranks aborts all of them (the others may be waiting in
 * a collective this rank will never reach), so a failing rank ends the job instead of hanging it.
 */
SDN_API void sdn_dist_finalize(int failed);
/* "mpi" when built with MPI, else "none". */
SDN_API const char *sdn_dist_backend(void);

#ifdef __cplusplus
}
#endif
#endif /* SIMDNN_DIST_H */
