/* Line plots as SVG written by hand: linear or log10 axes with round ticks, a legend, text escaped
 * for XML, the file written beside its path and renamed into place (a reader never sees half a
 * plot). Learning curves are the case x = epoch with two lines a run. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "platform.h"
#include "svg.h"

static const char *const palette[] = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e",
                                      "#9467bd", "#8c564b", "#e377c2", "#17becf"};

/* The canvas and the plot area's margins, in pixels. */
static const double W = 720, H = 440, L = 72, R = 190, T = 40, B = 52;

typedef struct axis {
    int log;       /* log10 scale */
    int whole;     /* ticks on whole numbers only (epochs) */
    double lo, hi; /* in plot units (log10 when log) */
} axis;

typedef struct plot {
    const char *title, *xlabel, *ylabel;
    axis ax, ay;
    double mark_x;    /* NaN: none */
    int legend_pairs; /* the legend's entries in pairs (a run's two lines), a gap between pairs */
} plot;

/* One polyline and its legend entry ("label suffix"). */
typedef struct line {
    const char *label, *suffix;
    const double *x, *y;
    int n, color, dashed;
    double width;
} line;

static int usable(const axis *a, double v)
{
    return isfinite(v) && (!a->log || v > 0);
}

static double unit(const axis *a, double v)
{
    return a->log ? log10(v) : v;
}

static void widen(axis *a, const double *v, int n)
{
    for (int k = 0; k < n; k++)
        if (usable(a, v[k])) {
            a->lo = fmin(a->lo, unit(a, v[k]));
            a->hi = fmax(a->hi, unit(a, v[k]));
        }
}

/* A range for an axis with no or one value, and a margin so no point sits on the frame. */
static void settle(axis *a)
{
    if (!isfinite(a->lo)) {
        a->lo = 0;
        a->hi = 1;
    }
    if (a->hi - a->lo < 1e-9) {
        a->lo -= 0.5;
        a->hi += 0.5;
    }
    double pad = 0.04 * (a->hi - a->lo);
    a->lo -= pad;
    a->hi += pad;
}

/* Tick spacing in plot units: 1-2-5 steps (linear axes). */
static double tick_step(const axis *a)
{
    double raw = (a->hi - a->lo) / 6, mag = pow(10, floor(log10(raw))), f = raw / mag;
    double step = (f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10) * mag;
    return a->whole ? fmax(1, step) : step;
}

/* The tick values of an axis, at most max: 1-2-5 steps, or on a log axis 1, 2 and 5 times each
 * decade (whole decades only when the axis spans more than three). */
static int ticks(const axis *a, double *v, int max)
{
    int n = 0;
    if (!a->log) {
        const double st = tick_step(a);
        for (double u = ceil(a->lo / st) * st; u <= a->hi + 1e-12 && n < max; u += st)
            v[n++] = fabs(u) < st / 1e6 ? 0 : u;
        return n;
    }
    const int whole = a->hi - a->lo > 3;
    for (double d = floor(a->lo); d <= ceil(a->hi) && n < max; d++)
        for (int k = 0; k < (whole ? 1 : 3) && n < max; k++) {
            const double u = d + log10((double[]){1, 2, 5}[k]);
            if (u >= a->lo && u <= a->hi)
                v[n++] = pow(10, u);
        }
    return n;
}

static double px(const plot *p, double v)
{
    return L + (unit(&p->ax, v) - p->ax.lo) / (p->ax.hi - p->ax.lo) * (W - L - R);
}

static double py(const plot *p, double v)
{
    return T + (p->ay.hi - unit(&p->ay, v)) / (p->ay.hi - p->ay.lo) * (H - T - B);
}

/* s as SVG text: the characters XML gives a meaning escaped. */
static void put_text(FILE *f, const char *s)
{
    for (; s && *s; s++) {
        const char *e = *s == '&'   ? "&amp;"
                        : *s == '<' ? "&lt;"
                        : *s == '>' ? "&gt;"
                        : *s == '"' ? "&quot;"
                                    : NULL;
        if (e)
            fputs(e, f);
        else
            fputc(*s, f);
    }
}

/* The tick lines and values of one axis across the plot area. */
static void draw_ticks(FILE *f, const plot *p, int y_axis)
{
    const double pw = W - L - R, ph = H - T - B;
    double tv[64];
    const int nt = ticks(y_axis ? &p->ay : &p->ax, tv, 64);
    for (int t = 0; t < nt; t++) {
        const double v = tv[t];
        if (y_axis)
            fprintf(f,
                    "<line x1=\"%g\" y1=\"%.1f\" x2=\"%g\" y2=\"%.1f\" stroke=\"#ddd\"/><text "
                    "x=\"%g\" y=\"%.1f\" text-anchor=\"end\">%g</text>\n",
                    L, py(p, v), L + pw, py(p, v), L - 6, py(p, v) + 4, v);
        else
            fprintf(f,
                    "<line x1=\"%.1f\" y1=\"%g\" x2=\"%.1f\" y2=\"%g\" stroke=\"#eee\"/><text "
                    "x=\"%.1f\" y=\"%g\" text-anchor=\"middle\">%g</text>\n",
                    px(p, v), T, px(p, v), T + ph, px(p, v), T + ph + 16, v);
    }
}

/* The canvas, title, grid, frame, axis names and the vertical marker. */
static void draw_frame(FILE *f, const plot *p)
{
    const double pw = W - L - R, ph = H - T - B;
    fprintf(f,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%g\" height=\"%g\" "
            "viewBox=\"0 0 %g %g\" font-family=\"sans-serif\" font-size=\"12\">\n"
            "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n"
            "<text x=\"%g\" y=\"24\" font-size=\"15\" text-anchor=\"middle\">",
            W, H, W, H, L + pw / 2);
    put_text(f, p->title);
    fputs("</text>\n", f);
    draw_ticks(f, p, 0);
    draw_ticks(f, p, 1);
    fprintf(f,
            "<rect x=\"%g\" y=\"%g\" width=\"%g\" height=\"%g\" fill=\"none\" stroke=\"#333\"/>\n"
            "<text x=\"%g\" y=\"%g\" text-anchor=\"middle\">",
            L, T, pw, ph, L + pw / 2, H - 12);
    put_text(f, p->xlabel);
    fprintf(f, "</text>\n<text transform=\"translate(18 %g) rotate(-90)\" text-anchor=\"middle\">",
            T + ph / 2);
    put_text(f, p->ylabel);
    fputs("</text>\n", f);
    if (usable(&p->ax, p->mark_x))
        fprintf(f,
                "<line x1=\"%.1f\" y1=\"%g\" x2=\"%.1f\" y2=\"%g\" stroke=\"#999\" "
                "stroke-dasharray=\"2 3\"/>\n",
                px(p, p->mark_x), T, px(p, p->mark_x), T + ph);
}

/* Line i: its points (dots as well when it is too short for a line) and its legend entry. */
static void draw_line(FILE *f, const plot *p, const line *l, int i)
{
    const char *c = palette[l->color % 8];
    const char *dash = l->dashed ? " stroke-dasharray=\"5 3\"" : "";
    fprintf(f, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"%g\"%s points=\"", c, l->width,
            dash);
    for (int k = 0; k < l->n; k++)
        if (usable(&p->ax, l->x[k]) && usable(&p->ay, l->y[k]))
            fprintf(f, "%.1f,%.1f ", px(p, l->x[k]), py(p, l->y[k]));
    fputs("\"/>\n", f);
    for (int k = 0; l->n <= 2 && k < l->n; k++)
        if (usable(&p->ax, l->x[k]) && usable(&p->ay, l->y[k]))
            fprintf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"/>\n", px(p, l->x[k]),
                    py(p, l->y[k]), c);
    const double ly = T + 14 + 18 * i + (p->legend_pairs ? 8 * (i / 2) : 0), lx = W - R + 12;
    fprintf(f,
            "<line x1=\"%g\" y1=\"%g\" x2=\"%g\" y2=\"%g\" stroke=\"%s\" stroke-width=\"2\"%s/>"
            "<text x=\"%g\" y=\"%g\">",
            lx, ly, lx + 22, ly, c, dash, lx + 28, ly + 4);
    put_text(f, l->label);
    put_text(f, l->suffix);
    fputs("</text>\n", f);
}

/* Fits both axes to the lines, then writes path.tmp and renames it to path; 0 on success. */
static int write_plot(const char *path, plot *p, const line *lines, int count)
{
    for (int i = 0; i < count; i++) {
        widen(&p->ax, lines[i].x, lines[i].n);
        widen(&p->ay, lines[i].y, lines[i].n);
    }
    settle(&p->ax);
    settle(&p->ay);
    char tmp[1200];
    if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp)
        return -1;
    FILE *f = sdn_fopen(tmp, "w");
    if (!f)
        return -1;
    draw_frame(f, p);
    for (int i = 0; i < count; i++)
        draw_line(f, p, &lines[i], i);
    fputs("</svg>\n", f);
    int bad = ferror(f);
    bad |= fclose(f) != 0;
    if (bad || sdn_replace_file(tmp, path) != 0) {
        sdn_remove(tmp);
        return -1;
    }
    return 0;
}

int app_svg_xy(const char *path, const app_xy_plot *xy, const app_xy_series *s, int count)
{
    plot p = {.title = xy->title,
              .xlabel = xy->xlabel,
              .ylabel = xy->ylabel,
              .ax = {xy->log_x, 0, INFINITY, -INFINITY},
              .ay = {xy->log_y, 0, INFINITY, -INFINITY},
              .mark_x = xy->mark_x};
    line *lines = calloc(count > 0 ? (size_t)count : 1, sizeof *lines);
    if (!lines)
        return -1;
    for (int i = 0; i < count; i++)
        lines[i] = (line){s[i].label, "", s[i].x, s[i].y, s[i].n, i, s[i].dashed, 1.6};
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
    plot p = {.title = title,
              .xlabel = "epoch",
              .ylabel = ylabel,
              .ax = {0, 1, INFINITY, -INFINITY}, /* whole epochs */
              .ay = {0, 0, INFINITY, -INFINITY},
              .mark_x = NAN,
              .legend_pairs = 1};
    double *x = malloc((size_t)epochs * sizeof *x);
    line *lines = calloc(2 * (size_t)(count > 0 ? count : 1), sizeof *lines);
    int r = -1;
    if (x && lines) {
        for (int e = 0; e < epochs; e++)
            x[e] = e + 1;
        for (int i = 0; i < count; i++) {
            lines[2 * i] = (line){s[i].label, " val", x, s[i].val, s[i].n, i, 0, 2};
            lines[2 * i + 1] = (line){s[i].label, " train", x, s[i].train, s[i].n, i, 1, 1.2};
        }
        r = write_plot(path, &p, lines, 2 * count);
    }
    free(x);
    free(lines);
    return r;
}
