/* y-against-x SVG plots with linear or log10 axes, round ticks and a legend, written by hand. */
#include <math.h>
#include <stdio.h>

#include "platform.h"
#include "svg_xy.h"

static const char *const palette[] = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e",
                                      "#9467bd", "#8c564b", "#e377c2", "#17becf"};

typedef struct axis {
    int log;
    double lo, hi; /* in plot units (log10 when log) */
} axis;

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
    return (f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10) * mag;
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

int sdn_svg_xy(const char *path, const sdn_xy_plot *p, const sdn_xy_series *s, int count)
{
    const double W = 720, H = 440, L = 72, R = 190, T = 40, B = 52, pw = W - L - R, ph = H - T - B;
    axis ax = {p->log_x, INFINITY, -INFINITY}, ay = {p->log_y, INFINITY, -INFINITY};
    for (int i = 0; i < count; i++) {
        widen(&ax, s[i].x, s[i].n);
        widen(&ay, s[i].y, s[i].n);
    }
    settle(&ax);
    settle(&ay);
    char tmp[1200];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = sdn_fopen(tmp, "w");
    if (!f)
        return -1;
#define PX(v) (L + (unit(&ax, v) - ax.lo) / (ax.hi - ax.lo) * pw)
#define PY(v) (T + (ay.hi - unit(&ay, v)) / (ay.hi - ay.lo) * ph)
    fprintf(f,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%g\" height=\"%g\" "
            "font-family=\"sans-serif\" font-size=\"12\">\n<rect width=\"%g\" height=\"%g\" "
            "fill=\"white\"/>\n<text x=\"%g\" y=\"24\" font-size=\"15\" "
            "text-anchor=\"middle\">%s</text>\n",
            W, H, W, H, L + pw / 2, p->title);
    for (int which = 0; which < 2; which++) {
        double tv[64];
        const int nt = ticks(which ? &ay : &ax, tv, 64);
        for (int t = 0; t < nt; t++) {
            const double v = tv[t];
            if (which)
                fprintf(f,
                        "<line x1=\"%g\" y1=\"%.1f\" x2=\"%g\" y2=\"%.1f\" stroke=\"#ddd\"/><text "
                        "x=\"%g\" y=\"%.1f\" text-anchor=\"end\">%g</text>\n",
                        L, PY(v), L + pw, PY(v), L - 6, PY(v) + 4, v);
            else
                fprintf(f,
                        "<line x1=\"%.1f\" y1=\"%g\" x2=\"%.1f\" y2=\"%g\" stroke=\"#eee\"/><text "
                        "x=\"%.1f\" y=\"%g\" text-anchor=\"middle\">%g</text>\n",
                        PX(v), T, PX(v), T + ph, PX(v), T + ph + 16, v);
        }
    }
    fprintf(f,
            "<rect x=\"%g\" y=\"%g\" width=\"%g\" height=\"%g\" fill=\"none\" stroke=\"#333\"/>\n"
            "<text x=\"%g\" y=\"%g\" text-anchor=\"middle\">%s</text>\n<text transform=\"translate"
            "(18 %g) rotate(-90)\" text-anchor=\"middle\">%s</text>\n",
            L, T, pw, ph, L + pw / 2, H - 12, p->xlabel, T + ph / 2, p->ylabel);
    if (usable(&ax, p->mark_x))
        fprintf(f,
                "<line x1=\"%.1f\" y1=\"%g\" x2=\"%.1f\" y2=\"%g\" stroke=\"#999\" "
                "stroke-dasharray=\"2 3\"/>\n",
                PX(p->mark_x), T, PX(p->mark_x), T + ph);
    for (int i = 0; i < count; i++) {
        const char *c = palette[i % 8];
        const char *dash = s[i].dashed ? " stroke-dasharray=\"5 3\"" : "";
        fprintf(f, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"1.6\"%s points=\"", c,
                dash);
        for (int k = 0; k < s[i].n; k++)
            if (usable(&ax, s[i].x[k]) && usable(&ay, s[i].y[k]))
                fprintf(f, "%.1f,%.1f ", PX(s[i].x[k]), PY(s[i].y[k]));
        fprintf(f, "\"/>\n");
        for (int k = 0; s[i].n <= 2 && k < s[i].n; k++) /* too short for a line: dots */
            if (usable(&ax, s[i].x[k]) && usable(&ay, s[i].y[k]))
                fprintf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"/>\n", PX(s[i].x[k]),
                        PY(s[i].y[k]), c);
        const double ly = T + 14 + 20 * i, lx = L + pw + 12;
        fprintf(f,
                "<line x1=\"%g\" y1=\"%g\" x2=\"%g\" y2=\"%g\" stroke=\"%s\" "
                "stroke-width=\"2\"%s/><text x=\"%g\" y=\"%g\">%s</text>\n",
                lx, ly, lx + 22, ly, c, dash, lx + 28, ly + 4, s[i].label);
    }
#undef PX
#undef PY
    fprintf(f, "</svg>\n");
    if (fclose(f) != 0 || sdn_replace_file(tmp, path) != 0) {
        sdn_remove(tmp);
        return -1;
    }
    return 0;
}
