/* exp, log, pow and cos in double from additions, multiplications, one division and exact
 * operations (floor, frexp, ldexp) only, with FMA contraction off: the same bits on every IEEE
 * host. libm's results differ by host: glibc picks FMA variants of exp, log, pow and cos at run
 * time on x86, and AArch64's build fuses where x86's does not. The library's scalar math that
 * reaches a weight (initial weights, bias corrections, Nadam's schedule, learning-rate
 * schedules, the loss that early stopping reads) goes through these. Accurate to a few ulp of
 * double, far below the float results they feed. */
#ifndef SDN_DETMATH_H
#define SDN_DETMATH_H

#include <math.h>

/* ln 2 in two parts; k·SDN_LN2_HI is exact for |k| < 2048 (its low 11 bits are zero). */
#define SDN_LN2_HI 6.93147180369123816490e-01
#define SDN_LN2_LO 1.90821492927058770002e-10

/* eʳ for |r| ≤ ln2/2: Taylor to r¹³ (truncation below 2⁻⁶⁰). */
static inline double sdn_det_exp_poly(double r)
{
    double p = 1.0 / 6227020800.0; /* 1/13! */
    static const double inv_fact[] = {1.0 / 479001600.0,
                                      1.0 / 39916800.0,
                                      1.0 / 3628800.0,
                                      1.0 / 362880.0,
                                      1.0 / 40320.0,
                                      1.0 / 5040.0,
                                      1.0 / 720.0,
                                      1.0 / 120.0,
                                      1.0 / 24.0,
                                      1.0 / 6.0,
                                      0.5,
                                      1.0,
                                      1.0};
    for (int i = 0; i < (int)(sizeof inv_fact / sizeof inv_fact[0]); i++)
        p = p * r + inv_fact[i];
    return p;
}

static inline double sdn_det_exp(double x)
{
    if (x != x)
        return x;
    if (x > 709.782712893384)
        return INFINITY;
    if (x < -745.1332191019412)
        return 0.0;
    const double k = floor(x * 1.4426950408889634 + 0.5);
    const double r = (x - k * SDN_LN2_HI) - k * SDN_LN2_LO;
    return ldexp(sdn_det_exp_poly(r), (int)k);
}

/* log x = e·ln2 + 2·atanh(f), f = (m − 1)/(m + 1) with m in [√½, √2) (|f| ≤ 0.172): the odd
 * series to f^(2·terms − 1), at most 13 terms (f²⁵). */
static inline double sdn_det_log_series(double x, int terms)
{
    static const double inv_odd[] = {1.0 / 25, 1.0 / 23, 1.0 / 21, 1.0 / 19, 1.0 / 17,
                                     1.0 / 15, 1.0 / 13, 1.0 / 11, 1.0 / 9,  1.0 / 7,
                                     1.0 / 5,  1.0 / 3,  1.0};
    const int n = (int)(sizeof inv_odd / sizeof inv_odd[0]);
    if (!(x > 0.0))
        return x == 0.0 ? -INFINITY : NAN;
    if (x == INFINITY)
        return x;
    int e;
    double m = frexp(x, &e);
    if (m < 0.70710678118654752) {
        m *= 2.0;
        e--;
    }
    const double f = (m - 1.0) / (m + 1.0), s = f * f;
    double p = 0.0;
    for (int i = n - terms; i < n; i++)
        p = p * s + inv_odd[i];
    return e * SDN_LN2_HI + (e * SDN_LN2_LO + 2.0 * f * p);
}

static inline double sdn_det_log(double x)
{
    return sdn_det_log_series(x, 13);
}

/* log of a float to float (the loss of every row): the series to f¹¹ (truncation below 2⁻³³
 * relative) is plenty for a float. */
static inline float sdn_logf(float x)
{
    return (float)sdn_det_log_series((double)x, 6);
}

/* aᵇ for a > 0 (the callers' bases are rates and decay factors). */
static inline double sdn_det_pow(double a, double b)
{
    if (a == 1.0 || b == 0.0)
        return 1.0;
    return sdn_det_exp(b * sdn_det_log(a));
}

/* cos(t) and sin(t) for |t| ≤ π/4: Taylor to t¹⁶ and t¹⁷. */
static inline double sdn_det_cos_poly(double t)
{
    const double z = t * t;
    double p = 1.0 / 20922789888000.0; /* 1/16! */
    static const double c[] = {-1.0 / 87178291200.0,
                               1.0 / 479001600.0,
                               -1.0 / 3628800.0,
                               1.0 / 40320.0,
                               -1.0 / 720.0,
                               1.0 / 24.0,
                               -0.5,
                               1.0};
    for (int i = 0; i < (int)(sizeof c / sizeof c[0]); i++)
        p = p * z + c[i];
    return p;
}
static inline double sdn_det_sin_poly(double t)
{
    const double z = t * t;
    double p = 1.0 / 355687428096000.0; /* 1/17! */
    static const double c[] = {
        -1.0 / 1307674368000.0, 1.0 / 6227020800.0, -1.0 / 39916800.0, 1.0 / 362880.0,
        -1.0 / 5040.0,          1.0 / 120.0,        -1.0 / 6.0,        1.0};
    for (int i = 0; i < (int)(sizeof c / sizeof c[0]); i++)
        p = p * z + c[i];
    return p * t;
}

/* cos(2π·u) for finite u, in turns: the symmetries of the circle are exact on u (Sterbenz), so
 * only the final polynomial rounds. */
static inline double sdn_det_cos_turns(double u)
{
    const double two_pi = 6.283185307179586;
    u -= floor(u);
    if (u > 0.5)
        u = 1.0 - u;
    double sign = 1.0;
    if (u > 0.25) {
        u = 0.5 - u;
        sign = -1.0;
    }
    if (u <= 0.125)
        return sign * sdn_det_cos_poly(two_pi * u);
    return sign * sdn_det_sin_poly(two_pi * (0.25 - u));
}

#endif
