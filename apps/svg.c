/* The tool's plots as SVG files: y against x, and the learning curves (x = epoch, two lines a
 * run), drawn by the one SVG writer (support/svg_writer.c) and written beside their path, then
 * renamed into place (a reader never sees half a plot). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "platform.h"
#include "svg.h"
#include "svg_writer.h"

/* Writes path.tmp and renames it to path; 0 on success. */
static int write_plot(const char *path, const sdn_svg_plot *p, const sdn_svg_series *s, int count)
{
    char tmp[1200];
    if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp)
        return -1;
    FILE *f = sdn_fopen(tmp, "w");
    if (!f)
        return -1;
    int bad = sdn_svg_plot_write(f, p, s, count) != 0;
    bad |= fclose(f) != 0;
    if (bad || sdn_replace_file(tmp, path) != 0) {
        sdn_remove(tmp);
        return -1;
    }
    return 0;
}

int app_svg_xy(const char *path, const app_xy_plot *xy, const app_xy_series *s, int count)
{
    const sdn_svg_plot p = {.title = xy->title,
                            .xlabel = xy->xlabel,
                            .ylabel = xy->ylabel,
                            .log_x = xy->log_x,
                            .log_y = xy->log_y,
                            .mark_x = xy->mark_x};
    sdn_svg_series *lines = calloc(count > 0 ? (size_t)count : 1, sizeof *lines);
    if (!lines)
        return -1;
    for (int i = 0; i < count; i++)
        lines[i] = (sdn_svg_series){s[i].label, "", s[i].x, s[i].y, s[i].n, i, s[i].dashed, 1.6};
    const int r = write_plot(path, &p, lines, count);
    free(lines);
    return r;
}

int app_svg_curves(const char *path, const char *title, const char *ylabel, const app_svg_series *s,
                   int count)
{
    int epochs = 1;
    for (int i = 0; i < count; i++)
        epochs = s[i].n > epochs ? s[i].n : epochs;
    const sdn_svg_plot p = {.title = title,
                            .xlabel = "epoch",
                            .ylabel = ylabel,
                            .whole_x = 1,
                            .mark_x = NAN,
                            .legend_pairs = 1};
    double *x = malloc((size_t)epochs * sizeof *x);
    sdn_svg_series *lines = calloc(2 * (size_t)(count > 0 ? count : 1), sizeof *lines);
    int r = -1;
    if (x && lines) {
        for (int e = 0; e < epochs; e++)
            x[e] = e + 1;
        for (int i = 0; i < count; i++) {
            lines[2 * i] = (sdn_svg_series){s[i].label, " val", x, s[i].val, s[i].n, i, 0, 2};
            lines[2 * i + 1] =
                (sdn_svg_series){s[i].label, " train", x, s[i].train, s[i].n, i, 1, 1.2};
        }
        r = write_plot(path, &p, lines, 2 * count);
    }
    free(x);
    free(lines);
    return r;
}
