/* The one order in which every ISA sums a long vector of floats, so that a reduction gives the
 * same bits on the reference, AVX2, AVX-512 and NEON: element i goes to lane i mod SDN_SUM_LANES
 * of a double accumulator, each lane adds its elements in index order, and the lanes are then
 * folded in halves (lane i with lane i + 16, then i + 8, …). An ISA holds the lanes in
 * SDN_SUM_LANES / SDN_VLEN of its own accumulators: 2 on AVX-512, 4 on AVX2, 8 on NEON, 32 on the
 * reference. 32 lanes give AVX-512 four independent double chains per block. */
#ifndef SDN_VEC_VSUM_H
#define SDN_VEC_VSUM_H

#include "vec/common.h"

#define SDN_SUM_LANES 32

typedef struct vsum {
    vdacc part[SDN_SUM_LANES / SDN_VLEN];
} vsum;

static inline vsum vsum_zero(void)
{
    vsum s;
    for (int q = 0; q < SDN_SUM_LANES / SDN_VLEN; q++)
        s.part[q] = vdacc_zero();
    return s;
}

/* Adds v to the lanes [q·SDN_VLEN, (q + 1)·SDN_VLEN) of the current block. */
static inline void vsum_add(vsum *s, int q, vf v)
{
    vdacc_add(&s->part[q], v);
}

/* Σ x[i]² for i < n, each square added in double to its lane. */
static inline void vsum_add_sq(vsum *s, size_t n, const float *x)
{
    size_t i = 0;
    for (; i + SDN_SUM_LANES <= n; i += SDN_SUM_LANES)
        for (int q = 0; q < SDN_SUM_LANES / SDN_VLEN; q++)
            vdacc_add_sq(&s->part[q], vf_load(x + i + q * SDN_VLEN));
    for (int q = 0; i + q * SDN_VLEN < n; q++) {
        size_t at = i + q * SDN_VLEN, rem = n - at < SDN_VLEN ? n - at : SDN_VLEN;
        vdacc_add_sq(&s->part[q], vf_loadn(x + at, rem)); /* absent lanes load as 0 */
    }
}

static inline double vsum_total(const vsum *s)
{
    double lane[SDN_SUM_LANES];
    for (int q = 0; q < SDN_SUM_LANES / SDN_VLEN; q++)
        vdacc_store(lane + q * SDN_VLEN, s->part[q]);
    for (int half = SDN_SUM_LANES / 2; half > 0; half /= 2)
        for (int i = 0; i < half; i++)
            lane[i] += lane[i + half];
    return lane[0];
}

#endif
