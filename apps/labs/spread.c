/* Spreads: every comparison of a lab runs over several seeds, and a difference counts only when
 * it stands clear of the seed-to-seed spread (no dependence on the rest of the tool: the unit
 * tests build this file alone). */
#include <math.h>
#include <stdio.h>

#include "spread.h"

lab_spread lab_spread_of(const double *v, int n)
{
    lab_spread s = {NAN, NAN, NAN, NAN, 0};
    double sum = 0;
    for (int i = 0; i < n; i++)
        if (isfinite(v[i])) {
            sum += v[i];
            s.min = s.n ? fmin(s.min, v[i]) : v[i];
            s.max = s.n ? fmax(s.max, v[i]) : v[i];
            s.n++;
        }
    if (!s.n)
        return s;
    s.mean = sum / s.n;
    double ss = 0;
    for (int i = 0; i < n; i++)
        if (isfinite(v[i]))
            ss += (v[i] - s.mean) * (v[i] - s.mean);
    s.sd = s.n > 1 ? sqrt(ss / (s.n - 1)) : 0;
    return s;
}

const char *lab_spread_cell(char *buf, size_t size, lab_spread s, int pct)
{
    const double k = pct ? 100 : 1;
    if (!s.n)
        snprintf(buf, size, "—");
    else if (s.n == 1)
        snprintf(buf, size, pct ? "%.2f%%" : "%.4g", k * s.mean);
    else
        snprintf(buf, size, pct ? "%.2f ± %.2f%%" : "%.4g ± %.2g", k * s.mean, k * s.sd);
    return buf;
}

double lab_noise(lab_spread a, lab_spread b, double floor)
{
    double n = floor;
    if (a.n && a.sd > n)
        n = a.sd;
    if (b.n && b.sd > n)
        n = b.sd;
    return n;
}

int lab_compare(lab_spread a, lab_spread b, double floor)
{
    if (!a.n || !b.n)
        return 0;
    const double d = a.mean - b.mean, noise = lab_noise(a, b, floor);
    return d > noise ? 1 : d < -noise ? -1 : 0;
}
