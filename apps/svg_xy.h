/* Line plots of y against x (optionally log-scaled axes) as standalone SVG: the lr-find curve
 * and the labs' figures. */
#ifndef SDN_APP_SVG_XY_H
#define SDN_APP_SVG_XY_H

typedef struct sdn_xy_series {
    const char *label;
    const double *x, *y; /* n points; non-finite ones (or <= 0 on a log axis) are skipped */
    int n;
    int dashed;
} sdn_xy_series;

typedef struct sdn_xy_plot {
    const char *title, *xlabel, *ylabel;
    int log_x, log_y;
    double mark_x; /* a vertical marker (e.g. the suggested rate); NaN: none */
} sdn_xy_plot;

/* Writes the plot (through a temporary file renamed into place); 0 on success. */
int sdn_svg_xy(const char *path, const sdn_xy_plot *plot, const sdn_xy_series *series, int count);

#endif
