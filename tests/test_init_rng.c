/* Initializer statistics (Keras' definitions: variance, truncation bound) and the counter-based
 * RNG (Random123's known answers for Philox4x32-10, position-addressed draws). */
#include <math.h>
#include <stdlib.h>

#include "init.h"
#include "rng.h"
#include "testutil.h"

static void init_case(sdn_init_kind kind, size_t fan_in, size_t fan_out, double var, double bound)
{
    enum { N = 60000 };
    float *w = malloc(N * sizeof(float));
    sdn_init_fill(w, N, (sdn_initializer){kind, 0}, fan_in, fan_out, 77, 3);
    double s1 = 0, s2 = 0, mx = 0;
    for (size_t i = 0; i < N; i++) {
        s1 += w[i];
        s2 += (double)w[i] * w[i];
        mx = fmax(mx, fabs(w[i]));
    }
    const double mean = s1 / N, v = s2 / N - mean * mean;
    print_message("  %-15s mean %+.5f var %.6f (want %.6f) max |w| %.4f (bound %.4f)\n",
                  sdn_init_name(kind), mean, v, var, mx, bound);
    assert_true(fabs(mean) < 4 * sqrt(var / N) + 1e-9);
    assert_float_equal(v / var, 1.0, 0.03);
    assert_true(mx <= bound * 1.000001);
    assert_true(mx > 0.9 * bound);
    free(w);
}

static void test_initializers(void **s)
{
    (void)s;
    const double c = 0.87962566103423978;
    init_case(SDN_INIT_HE_NORMAL, 100, 30, 2.0 / 100, 2 * sqrt(2.0 / 100) / c);
    init_case(SDN_INIT_LECUN_NORMAL, 100, 30, 1.0 / 100, 2 * sqrt(1.0 / 100) / c);
    init_case(SDN_INIT_GLOROT_NORMAL, 100, 30, 1.0 / 65, 2 * sqrt(1.0 / 65) / c);
    init_case(SDN_INIT_HE_UNIFORM, 100, 30, 2.0 / 100, sqrt(6.0 / 100));
    init_case(SDN_INIT_LECUN_UNIFORM, 100, 30, 1.0 / 100, sqrt(3.0 / 100));
    init_case(SDN_INIT_GLOROT_UNIFORM, 100, 30, 1.0 / 65, sqrt(3.0 / 65));
    float w[5];
    sdn_init_fill(w, 5, (sdn_initializer){SDN_INIT_CONSTANT, 0.25f}, 3, 3, 1, 1);
    for (int i = 0; i < 5; i++)
        assert_float_equal(w[i], 0.25, 0);
    sdn_init_fill(w, 5, (sdn_initializer){SDN_INIT_ZEROS, 0.25f}, 3, 3, 1, 1);
    for (int i = 0; i < 5; i++)
        assert_float_equal(w[i], 0.0, 0);
}

/* Random123's known answers for Philox4x32-10, and position-addressed draws */
static void test_philox(void **s)
{
    (void)s;
    uint32_t out[4];
    const uint32_t z[4] = {0, 0, 0, 0}, f[4] = {~0u, ~0u, ~0u, ~0u},
                   pi[4] = {0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344};
    sdn_philox4x32(0, z, out);
    assert_int_equal(out[0], 0x6627e8d5);
    assert_int_equal(out[3], 0x9b00dbd8);
    sdn_philox4x32(~0ull, f, out);
    assert_int_equal(out[0], 0x408f276d);
    assert_int_equal(out[3], 0x6d5451fd);
    sdn_philox4x32(0x299f31d0a4093822ull, pi, out);
    assert_int_equal(out[0], 0xd16cfe09);
    assert_int_equal(out[1], 0x94fdcceb);
    assert_int_equal(out[2], 0x5001e420);
    assert_int_equal(out[3], 0x24126ea1);
    uint32_t all[11], part[6];
    sdn_rng_u32(5, 6, 7, 0, 11, all);
    sdn_rng_u32(5, 6, 7, 5, 6, part);
    assert_memory_equal(all + 5, part, sizeof part);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_initializers),
        cmocka_unit_test(test_philox),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
