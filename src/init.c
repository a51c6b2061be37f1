/* Weight initializers with Keras' definitions (VarianceScaling): the *_normal ones draw a normal
 * truncated at ±2σ with σ = sqrt(scale/fan)/0.8796… so the variance after truncation is scale/fan;
 * the *_uniform ones draw from ±sqrt(3·scale/fan). He: scale 2, fan_in; LeCun: 1, fan_in;
 * Glorot: 1, (fan_in + fan_out)/2. Draws are sequential in one Philox stream per tensor. */
#include <math.h>

#include "init.h"
#include "rng.h"

void sdn_init_fill(float *w, size_t n, sdn_initializer init, size_t fan_in, size_t fan_out,
                   uint64_t seed, uint32_t stream)
{
    double scale = 1.0, fan = (double)fan_in;
    int normal = 0;
    switch (init.kind) {
    case SDN_INIT_ZEROS:
    case SDN_INIT_CONSTANT:
    case SDN_INIT_COUNT:
        for (size_t i = 0; i < n; i++)
            w[i] = init.kind == SDN_INIT_CONSTANT ? init.value : 0.0f;
        return;
    case SDN_INIT_HE_NORMAL:
        scale = 2.0;
        normal = 1;
        break;
    case SDN_INIT_HE_UNIFORM:
        scale = 2.0;
        break;
    case SDN_INIT_LECUN_NORMAL:
        normal = 1;
        break;
    case SDN_INIT_LECUN_UNIFORM:
        break;
    case SDN_INIT_GLOROT_NORMAL:
        fan = 0.5 * (double)(fan_in + fan_out);
        normal = 1;
        break;
    case SDN_INIT_GLOROT_UNIFORM:
        fan = 0.5 * (double)(fan_in + fan_out);
        break;
    }
    if (fan < 1.0)
        fan = 1.0;
    sdn_rng r;
    sdn_rng_init(&r, seed, stream, 0);
    if (normal) {
        const double sd = sqrt(scale / fan) / 0.87962566103423978;
        for (size_t i = 0; i < n; i++) {
            double z;
            do /* redraw outside ±2σ: the truncated normal */
                z = sdn_rng_normal(&r);
            while (fabs(z) > 2.0);
            w[i] = (float)(z * sd);
        }
    } else {
        const double limit = sqrt(3.0 * scale / fan);
        for (size_t i = 0; i < n; i++)
            w[i] = (float)((2.0 * sdn_rng_uniform(&r) - 1.0) * limit);
    }
}
