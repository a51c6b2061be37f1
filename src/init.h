/* Weight initializers (Keras' names and formulas), drawn from the counter-based RNG. */
#ifndef SDN_INIT_H
#define SDN_INIT_H

#include <stddef.h>
#include <stdint.h>

#include "simdnn.h"

/* w[0:n] from init for a layer of fan_in inputs and fan_out outputs, on RNG stream `stream` of
 * seed: the same values on every host and thread count. */
void sdn_init_fill(float *w, size_t n, sdn_initializer init, size_t fan_in, size_t fan_out,
                   uint64_t seed, uint32_t stream);

#endif
