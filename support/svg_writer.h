/* simdnn's one SVG writer (support/svg_writer.c), shared by the tool's plots (apps/svg.c: the
 * learning curves, lr-find, the labs) and the profiler's pictures (profile/svg.c: the roofline and
 * the timeline). Like support/json.h it is compiled into libsimdnn, hidden in libsimdnn.so, and
 * not part of the public API; it needs nothing but the C library and writes to a FILE the caller
 * opened. Every text is escaped for XML, and an element with a coordinate that is not finite is
 * left out, so what it writes always parses. */
#ifndef SDN_SUPPORT_SVG_WRITER_H
#define SDN_SUPPORT_SVG_WRITER_H

#include <stdio.h>

/* ---- the document and its primitives ---- */

/* Paint of a shape: NULL fill or stroke is none (fill: a rectangle or circle without one is
 * unfilled); width 0 is 1; dash is a stroke-dasharray ("4 3"), NULL solid; fill_opacity 0 is 1. */
typedef struct sdn_svg_paint {
    const char *fill, *stroke;
    double width;
    const char *dash;
    double fill_opacity;
} sdn_svg_paint;

enum { SDN_SVG_START, SDN_SVG_MIDDLE, SDN_SVG_END }; /* where the text's x is */

/* A text's look: size 0 is the document's 12; fill NULL is black; rotate: degrees about (x, y). */
typedef struct sdn_svg_font {
    double size;
    int anchor; /* SDN_SVG_* */
    int bold;
    const char *fill;
    double rotate;
} sdn_svg_font;

/* <svg> of w × h (viewBox 0 0 w h, sans-serif 12) on a white background; ends with sdn_svg_end. */
void sdn_svg_begin(FILE *f, double w, double h);
void sdn_svg_end(FILE *f);
/* s as XML text or attribute value: & < > " escaped, control characters other than tab and
 * line ends (which XML does not allow) written as '?'; NULL writes nothing. The profiler's HTML
 * page uses it as well. */
void sdn_svg_escape(FILE *f, const char *s);
/* Color i of the one palette (Tableau's ten), i taken modulo ten. */
const char *sdn_svg_color(int i);

void sdn_svg_line(FILE *f, double x1, double y1, double x2, double y2, sdn_svg_paint paint);
/* title, when not NULL, is the shape's tooltip. */
void sdn_svg_rect(FILE *f, double x, double y, double w, double h, sdn_svg_paint paint,
                  const char *title);
void sdn_svg_circle(FILE *f, double cx, double cy, double r, sdn_svg_paint paint,
                    const char *title);
void sdn_svg_text(FILE *f, double x, double y, sdn_svg_font font, const char *s);
/* The text formatted as printf does (up to 511 bytes), then escaped. */
void sdn_svg_textf(FILE *f, double x, double y, sdn_svg_font font, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* ---- a plot area: axes on a box of the canvas ---- */

typedef struct sdn_svg_axis {
    int log;       /* log10 scale */
    int whole;     /* ticks on whole numbers only (epochs) */
    double lo, hi; /* the range in plot units: log10 of the values on a log axis */
} sdn_svg_axis;

typedef struct sdn_svg_frame {
    double x, y, w, h; /* the plot area on the canvas */
    sdn_svg_axis ax, ay;
} sdn_svg_frame;

/* Whether v can be drawn on the axis: finite, and > 0 on a log axis. */
int sdn_svg_usable(const sdn_svg_axis *a, double v);
/* A value's place on the canvas. */
double sdn_svg_px(const sdn_svg_frame *fr, double v);
double sdn_svg_py(const sdn_svg_frame *fr, double v);
/* Grid lines and values at round ticks (1-2-5 steps; on a log axis 1, 2 and 5 times each decade,
 * whole decades past three), the frame, and the axis names under and left of it. */
void sdn_svg_axes(FILE *f, const sdn_svg_frame *fr, const char *xlabel, const char *ylabel);

/* ---- a line plot: whole documents of y against x, with a legend ---- */

/* One polyline and its legend entry ("label suffix"); points that are not usable on an axis are
 * skipped; a line of one or two points is drawn with dots as well. */
typedef struct sdn_svg_series {
    const char *label, *suffix;
    const double *x, *y;
    int n;
    int color; /* sdn_svg_color's index */
    int dashed;
    double width; /* 0: 1.6 */
} sdn_svg_series;

typedef struct sdn_svg_plot {
    const char *title, *xlabel, *ylabel;
    int log_x, log_y;
    int whole_x;      /* x ticks on whole numbers only (epochs) */
    double mark_x;    /* a vertical marker (e.g. the suggested rate); NaN: none */
    int legend_pairs; /* the legend's entries in pairs (a run's two lines), a gap between pairs */
} sdn_svg_plot;

/* The whole document: both axes fitted to the usable points (any range when there are none),
 * title, axes, marker, lines and legend. Returns 0, or -1 when writing failed. */
int sdn_svg_plot_write(FILE *f, const sdn_svg_plot *plot, const sdn_svg_series *series, int count);

#endif
