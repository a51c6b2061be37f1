/* Counter-based random numbers (Philox4x32-10, Salmon et al. 2011): every value is a pure function
 * of (seed, stream, step, position), so weights and dropout masks never depend on the thread count.
 */
#ifndef SDN_RNG_H
#define SDN_RNG_H

#include <stddef.h>
#include <stdint.h>

/* Streams: one per use, so draws never overlap. Layer-specific streams add the layer index. */
enum {
    SDN_STREAM_INIT = 0x1000,    /* + layer index: initial weights */
    SDN_STREAM_DROPOUT = 0x2000, /* + layer index: training masks */
    SDN_STREAM_MC = 0x3000,      /* + layer index: MC Dropout masks */
    SDN_STREAM_AUGMENT = 0x4000, /* data augmentation (src/data/augment.c) */
};

/* One Philox4x32-10 block: 128 random bits for the 128-bit counter ctr under the 64-bit key. */
void sdn_philox4x32(uint64_t key, const uint32_t ctr[4], uint32_t out[4]);

/* out[i] = 32 random bits at position pos0 + i of (seed, stream, step). */
void sdn_rng_u32(uint64_t seed, uint32_t stream, uint64_t step, uint64_t pos0, size_t n,
                 uint32_t *out);

/* A sequential reader over one (seed, stream, step): uniform and normal draws for initializers. */
typedef struct sdn_rng {
    uint64_t seed, step, pos;
    uint32_t stream;
    uint32_t buf[4];
    unsigned avail;
} sdn_rng;

void sdn_rng_init(sdn_rng *r, uint64_t seed, uint32_t stream, uint64_t step);
uint32_t sdn_rng_next(sdn_rng *r);
/* Uniform in [0, 1) with 24 random bits (exactly representable in float). */
double sdn_rng_uniform(sdn_rng *r);
/* Standard normal (Box-Muller on two uniforms). */
double sdn_rng_normal(sdn_rng *r);

#endif
