/* Line plots as standalone SVG files (apps/svg.c, drawn by support/svg_writer.c): y against x on
 * linear or log10 axes, and the learning curves, one metric per epoch, as a case of it. */
#ifndef SDN_APP_SVG_H
#define SDN_APP_SVG_H

/* ---- y against x: the lr-find curve, the labs' figures ---- */
typedef struct app_xy_series {
    const char *label;
    const double *x, *y; /* n points; non-finite ones (or <= 0 on a log axis) are skipped */
    int n;
    int dashed;
} app_xy_series;

typedef struct app_xy_plot {
    const char *title, *xlabel, *ylabel;
    int log_x, log_y;
    double mark_x; /* a vertical marker (e.g. the suggested rate); NaN: none */
} app_xy_plot;

/* Writes the plot (through a temporary file renamed into place); 0 on success. */
int app_svg_xy(const char *path, const app_xy_plot *plot, const app_xy_series *series, int count);

/* ---- learning curves: one run is n epochs of a metric for training and validation ---- */
typedef struct app_svg_series {
    const char *label;
    const double *train, *val; /* NaN points are skipped */
    int n;
} app_svg_series;

/* Every run overlaid against the epoch, validation solid and training dashed in the run's color;
 * written as app_svg_xy writes. 0 on success. */
int app_svg_curves(const char *path, const char *title, const char *ylabel,
                   const app_svg_series *series, int count);

#endif
