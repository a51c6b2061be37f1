/* Row pieces of the stable softmax over the vector vocabulary: the row max, and Σ exp(x − max)
 * in double (the denominator to 0.5 ulp whatever the row length). Nothing is stored between the
 * passes: the normalizing pass recomputes exp, cheaper than reloading just-stored partial vectors
 * (masked stores do not forward to loads) on the short rows of an output layer. */
#ifndef SDN_VEC_SOFTMAX_H
#define SDN_VEC_SOFTMAX_H

#include "vec/common.h"
#include "vec/vsum.h"

static inline float vrow_max(size_t cols, const float *x)
{
    vf m = vf_set1(-INFINITY);
    size_t j = 0;
    for (; j + SDN_VLEN <= cols; j += SDN_VLEN)
        m = vf_max(m, vf_load(x + j));
    if (j < cols)
        m = vf_max(m, vf_sel(vm_part(cols - j), vf_load_part(x + j, cols - j), vf_set1(-INFINITY)));
    return vf_hmax(m);
}

static inline double vrow_sum_exp(size_t cols, const float *x, vf vmax)
{
    vsum acc = vsum_zero();
    for (size_t j = 0; j < cols; j += SDN_SUM_LANES)
        for (int q = 0; q < SDN_SUM_LANES / SDN_VLEN && j + q * SDN_VLEN < cols; q++) {
            size_t at = j + q * SDN_VLEN, rem = cols - at < SDN_VLEN ? cols - at : SDN_VLEN;
            vf e = vf_exp(vf_sub(vf_loadn(x + at, rem), vmax));
            vsum_add(&acc, q, rem == SDN_VLEN ? e : vf_and_mask(vm_part(rem), e));
        }
    return vsum_total(&acc);
}

/* Short rows (an output layer's 10 classes) in blocks of SDN_VLEN rows, one row per lane: the
 * block is transposed into a stack tile q so the max, Σ exp (double, per lane, columns in order:
 * the same sum on every ISA) and the division are vertical vector operations with no horizontal
 * reduction. A last block of rows < SDN_VLEN rows has zeros in its other lanes. On return
 * q[j·SDN_VLEN + r] is row r's probability at column j, max[r] its max and sum[r] its Σ (float). */
#define SDN_SHORT_ROW 32

static inline void vblock_softmax(size_t rows, size_t cols, const float *x, float *q, float *max,
                                  float *sum)
{
    for (size_t r = 0; r < SDN_VLEN; r++)
        for (size_t j = 0; j < cols; j++)
            q[j * SDN_VLEN + r] = r < rows ? x[r * cols + j] : 0.0f;
    vf m = vf_load(q);
    for (size_t j = 1; j < cols; j++)
        m = vf_max(m, vf_load(q + j * SDN_VLEN));
    vdacc acc = vdacc_zero();
    for (size_t j = 0; j < cols; j++) {
        vf e = vf_exp(vf_sub(vf_load(q + j * SDN_VLEN), m));
        vf_store(q + j * SDN_VLEN, e);
        vdacc_add(&acc, e);
    }
    vf s = vdacc_lanes(acc);
    for (size_t j = 0; j < cols; j++)
        vf_store(q + j * SDN_VLEN, vf_div(vf_load(q + j * SDN_VLEN), s));
    vf_store(max, m);
    vf_store(sum, s);
}

#endif
