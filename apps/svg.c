/* Learning curves as SVG written by hand: one metric per plot, every run overlaid (validation
 * solid, training dashed), axes with round ticks and a legend. */
#include <math.h>
#include <stdio.h>

#include "platform.h"
#include "svg.h"

static const char *const colors[] = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e",
                                     "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"};

/* A round tick step giving about `want` ticks over span. */
static double nice_step(double span, int want)
{
    double raw = span / want, mag = pow(10, floor(log10(raw))), f = raw / mag;
    return (f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10) * mag;
}

int sdn_svg_curves(const char *path, const char *title, const char *ylabel, const sdn_svg_series *s,
                   int count)
{
    const double W = 720, H = 440, L = 70, R = 180, T = 40, B = 50;
    double xmax = 1, ymin = INFINITY, ymax = -INFINITY;
    for (int i = 0; i < count; i++)
        for (int k = 0; k < s[i].n; k++) {
            if (s[i].n > xmax)
                xmax = s[i].n;
            double v[2] = {s[i].train[k], s[i].val[k]};
            for (int j = 0; j < 2; j++)
                if (isfinite(v[j])) {
                    ymin = fmin(ymin, v[j]);
                    ymax = fmax(ymax, v[j]);
                }
        }
    if (!isfinite(ymin)) {
        ymin = 0;
        ymax = 1;
    }
    if (ymax - ymin < 1e-6)
        ymax = ymin + 1;
    double pad = 0.05 * (ymax - ymin);
    ymin -= pad;
    ymax += pad;
    FILE *f = sdn_fopen(path, "w");
    if (!f)
        return -1;
    double pw = W - L - R, ph = H - T - B;
#define X(e) (L + ((e)-1) / (xmax > 1 ? xmax - 1 : 1) * pw)
#define Y(v) (T + (ymax - (v)) / (ymax - ymin) * ph)
    fprintf(f,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%g\" height=\"%g\" "
            "viewBox=\"0 0 %g %g\" font-family=\"sans-serif\" font-size=\"12\">\n"
            "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n"
            "<text x=\"%g\" y=\"24\" font-size=\"15\" text-anchor=\"middle\">%s</text>\n",
            W, H, W, H, L + pw / 2, title);
    /* Grid and ticks. */
    double ys = nice_step(ymax - ymin, 6);
    for (double v = ceil(ymin / ys) * ys; v <= ymax; v += ys)
        fprintf(f,
                "<line x1=\"%g\" y1=\"%.1f\" x2=\"%g\" y2=\"%.1f\" stroke=\"#ddd\"/>"
                "<text x=\"%g\" y=\"%.1f\" text-anchor=\"end\">%g</text>\n",
                L, Y(v), L + pw, Y(v), L - 6, Y(v) + 4, fabs(v) < ys / 1e6 ? 0 : v);
    double xs = xmax > 1 ? fmax(1, nice_step(xmax - 1, 8)) : 1;
    for (double e = 1; e <= xmax + 1e-9; e += xs)
        fprintf(f,
                "<line x1=\"%.1f\" y1=\"%g\" x2=\"%.1f\" y2=\"%g\" stroke=\"#eee\"/>"
                "<text x=\"%.1f\" y=\"%g\" text-anchor=\"middle\">%g</text>\n",
                X(e), T, X(e), T + ph, X(e), T + ph + 16, e);
    fprintf(f,
            "<rect x=\"%g\" y=\"%g\" width=\"%g\" height=\"%g\" fill=\"none\" stroke=\"#333\"/>\n"
            "<text x=\"%g\" y=\"%g\" text-anchor=\"middle\">epoch</text>\n"
            "<text transform=\"translate(18 %g) rotate(-90)\" text-anchor=\"middle\">%s</text>\n",
            L, T, pw, ph, L + pw / 2, H - 10, T + ph / 2, ylabel);
    for (int i = 0; i < count; i++) {
        const char *c = colors[i % 8];
        for (int which = 0; which < 2; which++) {
            const double *v = which ? s[i].val : s[i].train;
            fprintf(f, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"%s\"%s points=\"", c,
                    which ? "2" : "1.2", which ? "" : " stroke-dasharray=\"5 3\"");
            for (int k = 0; k < s[i].n; k++)
                if (isfinite(v[k]))
                    fprintf(f, "%.1f,%.1f ", X(k + 1), Y(v[k]));
            fprintf(f, "\"/>\n");
        }
        double ly = T + 14 + 36 * i, lx = L + pw + 14;
        fprintf(f,
                "<line x1=\"%g\" y1=\"%g\" x2=\"%g\" y2=\"%g\" stroke=\"%s\" stroke-width=\"2\"/>"
                "<text x=\"%g\" y=\"%g\">%s val</text>\n"
                "<line x1=\"%g\" y1=\"%g\" x2=\"%g\" y2=\"%g\" stroke=\"%s\" stroke-width=\"1.2\" "
                "stroke-dasharray=\"5 3\"/><text x=\"%g\" y=\"%g\">%s train</text>\n",
                lx, ly, lx + 24, ly, c, lx + 30, ly + 4, s[i].label, lx, ly + 16, lx + 24, ly + 16,
                c, lx + 30, ly + 20, s[i].label);
    }
#undef X
#undef Y
    fprintf(f, "</svg>\n");
    return fclose(f) ? -1 : 0;
}
