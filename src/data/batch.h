/* A batch formed by the threads that read it (dataset.c). */
#ifndef SDN_DATA_BATCH_H
#define SDN_DATA_BATCH_H

#include <stddef.h>

#include "simdnn_data.h"

/* sdn_preprocess_batch, with the columns cut rather than the rows: thread t of T forms columns
 * [features·cut[t]/parts, features·cut[t + 1]/parts) of every row, so that a model whose first
 * layer reads those columns on thread t finds them in that thread's cache. The same floats. */
void sdn_preprocess_batch_cut(const sdn_preprocess *p, const sdn_dataset *d, const size_t *index,
                              size_t start, size_t n, int T, const size_t *cut, size_t parts,
                              float *out);

#endif
