/* Philox4x32-10 and the small readers on top of it (see rng.h). */
#include <math.h>

#include "detmath.h"
#include "rng.h"

static inline void philox_round(uint32_t c[4], const uint32_t k[2])
{
    const uint64_t p0 = (uint64_t)0xD2511F53u * c[0], p1 = (uint64_t)0xCD9E8D57u * c[2];
    uint32_t hi0 = (uint32_t)(p0 >> 32), lo0 = (uint32_t)p0;
    uint32_t hi1 = (uint32_t)(p1 >> 32), lo1 = (uint32_t)p1;
    c[0] = hi1 ^ c[1] ^ k[0];
    c[1] = lo1;
    c[2] = hi0 ^ c[3] ^ k[1];
    c[3] = lo0;
}

void sdn_philox4x32(uint64_t key, const uint32_t ctr[4], uint32_t out[4])
{
    uint32_t c[4] = {ctr[0], ctr[1], ctr[2], ctr[3]};
    uint32_t k[2] = {(uint32_t)key, (uint32_t)(key >> 32)};
    for (int r = 0; r < 10; r++) {
        philox_round(c, k);
        if (r < 9) {
            k[0] += 0x9E3779B9u;
            k[1] += 0xBB67AE85u;
        }
    }
    out[0] = c[0];
    out[1] = c[1];
    out[2] = c[2];
    out[3] = c[3];
}

/* Counter layout: (block index lo, block index hi, step, stream); the step keeps 32 bits. */
static void block(uint64_t seed, uint32_t stream, uint64_t step, uint64_t blk, uint32_t out[4])
{
    const uint32_t ctr[4] = {(uint32_t)blk, (uint32_t)(blk >> 32), (uint32_t)step, stream};
    sdn_philox4x32(seed, ctr, out);
}

void sdn_rng_u32(uint64_t seed, uint32_t stream, uint64_t step, uint64_t pos0, size_t n,
                 uint32_t *out)
{
    uint32_t b[4];
    size_t i = 0;
    while (i < n) {
        uint64_t pos = pos0 + i;
        block(seed, stream, step, pos >> 2, b);
        for (unsigned lane = (unsigned)(pos & 3); lane < 4 && i < n; lane++)
            out[i++] = b[lane];
    }
}

void sdn_rng_init(sdn_rng *r, uint64_t seed, uint32_t stream, uint64_t step)
{
    r->seed = seed;
    r->stream = stream;
    r->step = step;
    r->pos = 0;
    r->avail = 0;
}

uint32_t sdn_rng_next(sdn_rng *r)
{
    if (!r->avail) {
        block(r->seed, r->stream, r->step, r->pos++, r->buf);
        r->avail = 4;
    }
    return r->buf[4 - r->avail--];
}

double sdn_rng_uniform(sdn_rng *r)
{
    return (sdn_rng_next(r) >> 8) * (1.0 / 16777216.0);
}

double sdn_rng_normal(sdn_rng *r)
{
    double u1 = 1.0 - sdn_rng_uniform(r); /* (0, 1]: log stays finite */
    double u2 = sdn_rng_uniform(r);
    return sqrt(-2.0 * sdn_det_log(u1)) * sdn_det_cos_turns(u2);
}
