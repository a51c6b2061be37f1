/* The labs' spread rule (apps/labs/spread.c): mean and sample standard deviation over seeds, and
 * "a difference smaller than the spread is no measurable difference". */
#include <math.h>
#include <string.h>

#include "spread.h"
#include "testutil.h"

static void mean_and_sample_sd(void **state)
{
    const double v[4] = {0.50, 0.52, 0.54, 0.56};
    const lab_spread s = lab_spread_of(v, 4);
    assert_int_equal(s.n, 4);
    assert_true(fabs(s.mean - 0.53) < 1e-12);
    /* sum of squares 0.002 over n − 1 = 3 */
    assert_true(fabs(s.sd - sqrt(0.002 / 3)) < 1e-12);
    assert_true(s.min == 0.50 && s.max == 0.56);
}

static void one_value_and_nan(void **state)
{
    const double one[1] = {0.7}, some[3] = {NAN, 0.2, 0.4}, none[2] = {NAN, INFINITY};
    lab_spread s = lab_spread_of(one, 1);
    assert_int_equal(s.n, 1);
    assert_true(s.sd == 0 && s.mean == 0.7);
    s = lab_spread_of(some, 3); /* a NaN run (a diverged one) is left out, not averaged in */
    assert_int_equal(s.n, 2);
    assert_true(fabs(s.mean - 0.3) < 1e-12 && fabs(s.sd - sqrt(0.02)) < 1e-12);
    s = lab_spread_of(none, 2);
    assert_int_equal(s.n, 0);
    assert_true(isnan(s.mean));
}

static void difference_against_spread(void **state)
{
    const double a[3] = {0.50, 0.53, 0.56}, b[3] = {0.48, 0.50, 0.52}; /* sd 0.03 and 0.02 */
    const lab_spread sa = lab_spread_of(a, 3), sb = lab_spread_of(b, 3);
    /* means 0.53 and 0.50: a gap of 0.03 is not above the larger sd (0.03) */
    assert_true(fabs(lab_noise(sa, sb, 0.001) - 0.03) < 1e-12);
    assert_int_equal(lab_compare(sa, sb, 0.001), 0);
    assert_int_equal(lab_compare(sb, sa, 0.001), 0);
    /* the floor wins when the spread is smaller */
    assert_true(lab_noise(sa, sb, 0.05) == 0.05);
    const double c[3] = {0.60, 0.61, 0.62}, d[3] = {0.50, 0.51, 0.52};
    const lab_spread sc = lab_spread_of(c, 3), sd = lab_spread_of(d, 3);
    assert_int_equal(lab_compare(sc, sd, 0.005), 1);
    assert_int_equal(lab_compare(sd, sc, 0.005), -1);
    assert_int_equal(lab_compare(sc, sd, 0.2), 0);
    /* one seed: only the floor stands between a difference and a win */
    const lab_spread one_a = lab_spread_of(c, 1), one_b = lab_spread_of(d, 1);
    assert_int_equal(lab_compare(one_a, one_b, 0.05), 1);
    assert_int_equal(lab_compare(one_a, one_b, 0.2), 0);
    /* nothing measured: never a win */
    const double nan2[2] = {NAN, NAN};
    assert_int_equal(lab_compare(lab_spread_of(nan2, 2), sd, 0), 0);
}

static void table_cells(void **state)
{
    char buf[48];
    const double v[3] = {0.50, 0.52, 0.54}, one[1] = {0.5};
    assert_string_equal(lab_spread_cell(buf, sizeof buf, lab_spread_of(v, 3), 1), "52.00 ± 2.00%");
    assert_string_equal(lab_spread_cell(buf, sizeof buf, lab_spread_of(one, 1), 1), "50.00%");
    assert_string_equal(lab_spread_cell(buf, sizeof buf, lab_spread_of(v, 0), 0), "—");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(mean_and_sample_sd), cmocka_unit_test(one_value_and_nan),
        cmocka_unit_test(difference_against_spread), cmocka_unit_test(table_cells)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
