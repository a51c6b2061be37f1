/* SVG written by hand, for the tool's plots and the profiler's pictures: a document, shapes and
 * escaped text, a plot area with round ticks on linear or log10 axes, and whole line plots with a
 * legend. Numbers are written with two decimals at most; nothing that is not finite is written. */
#include "svg_writer.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const char *const palette[10] = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd",
                                        "#8c564b", "#e377c2", "#17becf", "#7f7f7f", "#bcbd22"};

const char *sdn_svg_color(int i)
{
    return palette[(i % 10 + 10) % 10];
}

/* v with two decimals, trailing zeros dropped ("72", "12.5", "-3.25"). */
static void put_num(FILE *f, double v)
{
    char s[340]; /* DBL_MAX has 309 digits */
    snprintf(s, sizeof s, "%.2f", fabs(v) < 0.005 ? 0.0 : v);
    size_t n = strlen(s);
    while (s[n - 1] == '0')
        s[--n] = 0;
    if (s[n - 1] == '.')
        s[--n] = 0;
    fputs(s, f);
}

/* ` name="v"` */
static void attr_num(FILE *f, const char *name, double v)
{
    fprintf(f, " %s=\"", name);
    put_num(f, v);
    fputc('"', f);
}

static void attr_str(FILE *f, const char *name, const char *s)
{
    fprintf(f, " %s=\"", name);
    sdn_svg_escape(f, s);
    fputc('"', f);
}

void sdn_svg_escape(FILE *f, const char *s)
{
    for (; s && *s; s++) {
        const unsigned char ch = (unsigned char)*s;
        const char *e = ch == '&'   ? "&amp;"
                        : ch == '<' ? "&lt;"
                        : ch == '>' ? "&gt;"
                        : ch == '"' ? "&quot;"
                                    : NULL;
        if (e)
            fputs(e, f);
        else if (ch < 0x20 && ch != '\t' && ch != '\n' && ch != '\r')
            fputc('?', f); /* a control character XML 1.0 does not allow, even escaped */
        else
            fputc(ch, f);
    }
}

void sdn_svg_begin(FILE *f, double w, double h)
{
    fputs("<svg xmlns=\"http://www.w3.org/2000/svg\"", f);
    attr_num(f, "width", w);
    attr_num(f, "height", h);
    fputs(" viewBox=\"0 0 ", f);
    put_num(f, w);
    fputc(' ', f);
    put_num(f, h);
    fputs("\" font-family=\"sans-serif\" font-size=\"12\">\n"
          "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n",
          f);
}

void sdn_svg_end(FILE *f)
{
    fputs("</svg>\n", f);
}

/* The paint's attributes; closed: a shape with an inside (fill none unless given). */
static void put_paint(FILE *f, sdn_svg_paint p, int closed)
{
    if (p.fill || closed)
        attr_str(f, "fill", p.fill ? p.fill : "none");
    if (p.fill_opacity > 0 && p.fill_opacity < 1)
        attr_num(f, "fill-opacity", p.fill_opacity);
    if (p.stroke)
        attr_str(f, "stroke", p.stroke);
    if (p.width > 0 && p.width != 1)
        attr_num(f, "stroke-width", p.width);
    if (p.dash)
        attr_str(f, "stroke-dasharray", p.dash);
}

/* Ends a shape: "/>", or its tooltip and closing tag. */
static void close_shape(FILE *f, const char *tag, const char *title)
{
    if (!title) {
        fputs("/>\n", f);
        return;
    }
    fputs("><title>", f);
    sdn_svg_escape(f, title);
    fprintf(f, "</title></%s>\n", tag);
}

static int finite4(double a, double b, double c, double d)
{
    return isfinite(a) && isfinite(b) && isfinite(c) && isfinite(d);
}

void sdn_svg_line(FILE *f, double x1, double y1, double x2, double y2, sdn_svg_paint paint)
{
    if (!finite4(x1, y1, x2, y2))
        return;
    fputs("<line", f);
    attr_num(f, "x1", x1);
    attr_num(f, "y1", y1);
    attr_num(f, "x2", x2);
    attr_num(f, "y2", y2);
    put_paint(f, paint, 0);
    fputs("/>\n", f);
}

void sdn_svg_rect(FILE *f, double x, double y, double w, double h, sdn_svg_paint paint,
                  const char *title)
{
    if (!finite4(x, y, w, h))
        return;
    fputs("<rect", f);
    attr_num(f, "x", x);
    attr_num(f, "y", y);
    attr_num(f, "width", w > 0 ? w : 0);
    attr_num(f, "height", h > 0 ? h : 0);
    put_paint(f, paint, 1);
    close_shape(f, "rect", title);
}

void sdn_svg_circle(FILE *f, double cx, double cy, double r, sdn_svg_paint paint, const char *title)
{
    if (!finite4(cx, cy, r, 0))
        return;
    fputs("<circle", f);
    attr_num(f, "cx", cx);
    attr_num(f, "cy", cy);
    attr_num(f, "r", r > 0 ? r : 0);
    put_paint(f, paint, 1);
    close_shape(f, "circle", title);
}

void sdn_svg_text(FILE *f, double x, double y, sdn_svg_font font, const char *s)
{
    if (!finite4(x, y, font.size, font.rotate))
        return;
    fputs("<text", f);
    attr_num(f, "x", x);
    attr_num(f, "y", y);
    if (font.size > 0)
        attr_num(f, "font-size", font.size);
    if (font.bold)
        fputs(" font-weight=\"bold\"", f);
    if (font.fill)
        attr_str(f, "fill", font.fill);
    if (font.anchor == SDN_SVG_MIDDLE || font.anchor == SDN_SVG_END)
        fputs(font.anchor == SDN_SVG_MIDDLE ? " text-anchor=\"middle\"" : " text-anchor=\"end\"",
              f);
    if (font.rotate != 0) {
        fputs(" transform=\"rotate(", f);
        put_num(f, font.rotate);
        fputc(' ', f);
        put_num(f, x);
        fputc(' ', f);
        put_num(f, y);
        fputs(")\"", f);
    }
    fputc('>', f);
    sdn_svg_escape(f, s);
    fputs("</text>\n", f);
}

void sdn_svg_textf(FILE *f, double x, double y, sdn_svg_font font, const char *fmt, ...)
{
    char s[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s, sizeof s, fmt, ap);
    va_end(ap);
    sdn_svg_text(f, x, y, font, s);
}

/* ---- the plot area ---- */

int sdn_svg_usable(const sdn_svg_axis *a, double v)
{
    return isfinite(v) && (!a->log || v > 0);
}

static double unit(const sdn_svg_axis *a, double v)
{
    return a->log ? log10(v) : v;
}

double sdn_svg_px(const sdn_svg_frame *fr, double v)
{
    return fr->x + (unit(&fr->ax, v) - fr->ax.lo) / (fr->ax.hi - fr->ax.lo) * fr->w;
}

double sdn_svg_py(const sdn_svg_frame *fr, double v)
{
    return fr->y + (fr->ay.hi - unit(&fr->ay, v)) / (fr->ay.hi - fr->ay.lo) * fr->h;
}

/* Tick spacing in plot units: 1-2-5 steps (linear axes). */
static double tick_step(const sdn_svg_axis *a)
{
    double raw = (a->hi - a->lo) / 6, mag = pow(10, floor(log10(raw))), f = raw / mag;
    double step = (f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10) * mag;
    return a->whole ? fmax(1, step) : step;
}

/* The tick values of an axis, at most max. */
static int ticks(const sdn_svg_axis *a, double *v, int max)
{
    int n = 0;
    if (!(a->hi > a->lo) || !isfinite(a->hi - a->lo))
        return 0;
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

/* The tick lines and values of one axis across the plot area. */
static void draw_ticks(FILE *f, const sdn_svg_frame *fr, int y_axis)
{
    double tv[64];
    const int nt = ticks(y_axis ? &fr->ay : &fr->ax, tv, 64);
    for (int t = 0; t < nt; t++) {
        if (y_axis) {
            const double y = sdn_svg_py(fr, tv[t]);
            sdn_svg_line(f, fr->x, y, fr->x + fr->w, y, (sdn_svg_paint){.stroke = "#ddd"});
            sdn_svg_textf(f, fr->x - 6, y + 4, (sdn_svg_font){.anchor = SDN_SVG_END}, "%g", tv[t]);
        } else {
            const double x = sdn_svg_px(fr, tv[t]), bottom = fr->y + fr->h;
            sdn_svg_line(f, x, fr->y, x, bottom, (sdn_svg_paint){.stroke = "#eee"});
            sdn_svg_textf(f, x, bottom + 16, (sdn_svg_font){.anchor = SDN_SVG_MIDDLE}, "%g", tv[t]);
        }
    }
}

void sdn_svg_axes(FILE *f, const sdn_svg_frame *fr, const char *xlabel, const char *ylabel)
{
    draw_ticks(f, fr, 0);
    draw_ticks(f, fr, 1);
    sdn_svg_rect(f, fr->x, fr->y, fr->w, fr->h, (sdn_svg_paint){.stroke = "#333"}, NULL);
    sdn_svg_text(f, fr->x + fr->w / 2, fr->y + fr->h + 36, (sdn_svg_font){.anchor = SDN_SVG_MIDDLE},
                 xlabel);
    const double ylx = fmax(14, fr->x - 54), yly = fr->y + fr->h / 2;
    sdn_svg_text(f, ylx, yly, (sdn_svg_font){.anchor = SDN_SVG_MIDDLE, .rotate = -90}, ylabel);
}

/* ---- line plots ---- */

/* The canvas and the plot area's margins, in pixels (the legend is right of the area). */
static const double W = 720, H = 440, L = 72, R = 190, T = 40, B = 52;

static void widen(sdn_svg_axis *a, const double *v, int n)
{
    for (int k = 0; k < n; k++)
        if (sdn_svg_usable(a, v[k])) {
            a->lo = fmin(a->lo, unit(a, v[k]));
            a->hi = fmax(a->hi, unit(a, v[k]));
        }
}

/* A range for an axis with no or one value, and a margin so no point sits on the frame. */
static void settle(sdn_svg_axis *a)
{
    if (!isfinite(a->lo) || !isfinite(a->hi)) {
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

static int point_usable(const sdn_svg_frame *fr, const sdn_svg_series *s, int k)
{
    return sdn_svg_usable(&fr->ax, s->x[k]) && sdn_svg_usable(&fr->ay, s->y[k]);
}

/* Series i: its usable points (dots as well when it is too short for a line) and its legend
 * entry. */
static void draw_series(FILE *f, const sdn_svg_frame *fr, const sdn_svg_plot *p,
                        const sdn_svg_series *s, int i)
{
    const char *c = sdn_svg_color(s->color);
    const char *dash = s->dashed ? "5 3" : NULL;
    const double width = s->width > 0 ? s->width : 1.6;
    int usable = 0;
    for (int k = 0; k < s->n; k++)
        usable += point_usable(fr, s, k);
    if (usable) {
        fputs("<polyline", f);
        put_paint(f, (sdn_svg_paint){.stroke = c, .width = width, .dash = dash}, 1);
        fputs(" points=\"", f);
        for (int k = 0; k < s->n; k++)
            if (point_usable(fr, s, k)) {
                put_num(f, sdn_svg_px(fr, s->x[k]));
                fputc(',', f);
                put_num(f, sdn_svg_py(fr, s->y[k]));
                fputc(--usable ? ' ' : '"', f);
            }
        fputs("/>\n", f);
    }
    for (int k = 0; s->n <= 2 && k < s->n; k++)
        if (point_usable(fr, s, k))
            sdn_svg_circle(f, sdn_svg_px(fr, s->x[k]), sdn_svg_py(fr, s->y[k]), 3,
                           (sdn_svg_paint){.fill = c}, NULL);
    const double ly = T + 14 + 18 * i + (p->legend_pairs ? 8 * (i / 2) : 0), lx = W - R + 12;
    sdn_svg_line(f, lx, ly, lx + 22, ly, (sdn_svg_paint){.stroke = c, .width = 2, .dash = dash});
    sdn_svg_textf(f, lx + 28, ly + 4, (sdn_svg_font){0}, "%s%s", s->label ? s->label : "",
                  s->suffix ? s->suffix : "");
}

int sdn_svg_plot_write(FILE *f, const sdn_svg_plot *p, const sdn_svg_series *s, int count)
{
    sdn_svg_frame fr = {.x = L, .y = T, .w = W - L - R, .h = H - T - B};
    fr.ax = (sdn_svg_axis){p->log_x, p->whole_x, INFINITY, -INFINITY};
    fr.ay = (sdn_svg_axis){p->log_y, 0, INFINITY, -INFINITY};
    for (int i = 0; i < count; i++) {
        widen(&fr.ax, s[i].x, s[i].n);
        widen(&fr.ay, s[i].y, s[i].n);
    }
    settle(&fr.ax);
    settle(&fr.ay);
    sdn_svg_begin(f, W, H);
    sdn_svg_text(f, L + fr.w / 2, 24, (sdn_svg_font){.size = 15, .anchor = SDN_SVG_MIDDLE},
                 p->title);
    sdn_svg_axes(f, &fr, p->xlabel, p->ylabel);
    if (sdn_svg_usable(&fr.ax, p->mark_x))
        sdn_svg_line(f, sdn_svg_px(&fr, p->mark_x), T, sdn_svg_px(&fr, p->mark_x), T + fr.h,
                     (sdn_svg_paint){.stroke = "#999", .dash = "2 3"});
    for (int i = 0; i < count; i++)
        draw_series(f, &fr, p, &s[i], i);
    sdn_svg_end(f);
    return ferror(f) ? -1 : 0;
}
