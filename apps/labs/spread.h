/* Spreads over seeds (apps/labs/spread.c): mean, sample standard deviation and range, and the
 * rule every lab compares by: a difference counts only beyond the larger spread of the two. */
#ifndef SDN_APP_SPREAD_H
#define SDN_APP_SPREAD_H

#include <stddef.h>

typedef struct lab_spread {
    double mean, sd, min, max; /* sd: sample standard deviation (n − 1), 0 for one value */
    int n;                     /* finite values; non-finite ones are skipped */
} lab_spread;
lab_spread lab_spread_of(const double *v, int n);
/* "mean ± sd" (× 100 when pct), or "mean" alone for one value. */
const char *lab_spread_cell(char *buf, size_t size, lab_spread s, int pct);
/* The noise a difference of means is held against: the larger standard deviation of the two, and
 * never below floor (the resolution of the measure, the whole noise when there is one seed). */
double lab_noise(lab_spread a, lab_spread b, double floor);
/* +1 when a's mean exceeds b's by more than lab_noise, −1 when below by more, 0 otherwise (no
 * measurable difference). */
int lab_compare(lab_spread a, lab_spread b, double floor);

#endif
