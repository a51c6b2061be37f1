/* Learning-curve plots as standalone SVG files. */
#ifndef SDN_APP_SVG_H
#define SDN_APP_SVG_H

/* One run: n epochs of a metric for training and validation (NaN points are skipped). */
typedef struct sdn_svg_series {
    const char *label;
    const double *train, *val;
    int n;
} sdn_svg_series;

/* Writes the plot; 0 on success. */
int sdn_svg_curves(const char *path, const char *title, const char *ylabel,
                   const sdn_svg_series *series, int count);

#endif
