/* profile.svg: a roofline — each kernel row a point at its FLOP/B and GFLOP/s at the median
 * call, sized by its share of the step, under the calibrated FMA peak and bandwidths — beside a
 * timeline of one step per thread (kernels by kind, barrier waits, batch preparation). Drawn with
 * the one SVG writer, support/svg_writer.c. */
#include <math.h>

#include "report.h"
#include "svg_writer.h"

enum { W = 1200, H = 520, PAD = 60, RW = 560 }; /* roofline panel: x in [PAD, PAD + RW] */

/* A kernel's color, the same in both panels (the writer's palette). */
static const char *kind_color(sdn_kernel_kind kind)
{
    if (kind == SDN_KK_GEMM)
        return sdn_svg_color(0);
    if (kind == SDN_KK_ADAM || kind == SDN_KK_RMSPROP || kind == SDN_KK_SGD)
        return sdn_svg_color(2);
    return kind == SDN_KK_ACT || kind == SDN_KK_ACT_GRAD ? sdn_svg_color(3) : sdn_svg_color(4);
}
#define BARRIER_COLOR sdn_svg_color(1)
#define PREP_COLOR sdn_svg_color(5)

/* Whether v > 0 lies strictly inside a log axis. */
static int inside(double v, const sdn_svg_axis *a)
{
    return v > 0 && log10(v) > a->lo && log10(v) < a->hi;
}

/* ---- the roofline ---- */

/* The ceilings: FMA peak, and L1 / L2 / L3 / DRAM bandwidth (2 streams) × FLOP/B. */
static void ceilings(const sdn_profile_report *r, FILE *out, const sdn_svg_frame *fr)
{
    const sdn_calibration *c = &r->cal;
    const double peak = c->peak_gflops[r->isa][0], x0 = pow(10, fr->ax.lo), x1 = pow(10, fr->ax.hi);
    for (int l = 0; l < SDN_LVL_COUNT; l++) {
        const double bw = c->stream_gbs[r->isa][l][1];
        if (!(bw > 0))
            continue;
        const double knee = peak / bw, xa = x0, xb = knee < x1 ? knee : x1;
        if (xb <= xa || bw * xa < pow(10, fr->ay.lo))
            continue;
        sdn_svg_line(out, sdn_svg_px(fr, xa), sdn_svg_py(fr, bw * xa), sdn_svg_px(fr, xb),
                     sdn_svg_py(fr, bw * xb), (sdn_svg_paint){.stroke = "#888", .dash = "4 3"});
        sdn_svg_textf(out, sdn_svg_px(fr, xb) - 4, sdn_svg_py(fr, bw * xb) + 12 + 11 * l,
                      (sdn_svg_font){.size = 10, .fill = "#555", .anchor = SDN_SVG_END},
                      "%s %.0f GB/s", sdn_level_name(l), bw);
    }
    const double yp = sdn_svg_py(fr, peak);
    sdn_svg_line(out, fr->x, yp, fr->x + fr->w, yp, (sdn_svg_paint){.stroke = "#000"});
    sdn_svg_textf(out, fr->x + fr->w - 230, yp - 4, (sdn_svg_font){.size = 11},
                  "%s FMA peak %.0f GFLOP/s (1 thread)", sdn_isa_name(r->isa), peak);
}

/* Row i's point, its tooltip, and a label for the largest shares. */
static void point(const sdn_profile_report *r, FILE *out, const sdn_svg_frame *fr, int i)
{
    const sdn_kernel_stat *k = &r->kernels[i];
    const double x = k->intensity, y = k->p50_gflops;
    if (!(inside(x, &fr->ax) && inside(y, &fr->ay)))
        return;
    char name[64], title[400];
    const char *own;
    sdn_prof_split_fn(k->fn, name, sizeof name, &own);
    snprintf(title, sizeof title,
             "%s %s (%s): %.1f GFLOP/s, %.0f %% of its roof (%s), %.1f %% of the step", name,
             k->shape, sdn_prof_phase_name(k->phase), y, k->p50_roof_pct, k->bound, k->share_pct);
    const double cx = sdn_svg_px(fr, x), cy = sdn_svg_py(fr, y);
    sdn_svg_circle(out, cx, cy, 3 + 2.5 * sqrt(k->share_pct),
                   (sdn_svg_paint){.fill = kind_color(k->kind),
                                   .fill_opacity = 0.6,
                                   .stroke = k->above ? "#d62728" : "#333",
                                   .width = k->above ? 3 : 1},
                   title);
    if (i < 4) /* the largest shares, labelled one under the other to the right */
        sdn_svg_textf(out, cx + 14, cy + 22 + 12 * i, (sdn_svg_font){.size = 10}, "%s %s %s", name,
                      k->shape, sdn_prof_phase_name(k->phase));
}

static void roofline(const sdn_profile_report *r, FILE *out)
{
    double y1 = r->cal.peak_gflops[r->isa][0] * 2;
    for (int i = 0; i < r->n_kernels; i++)
        y1 = r->kernels[i].p50_gflops * 2 > y1 ? r->kernels[i].p50_gflops * 2 : y1;
    /* FLOP/B from 0.01 to 1000, GFLOP/s from 0.1 to the decade above twice the fastest */
    const sdn_svg_frame fr = {PAD,         PAD,           RW,
                              H - 2 * PAD, {1, 0, -2, 3}, {1, 0, -1, y1 > 1 ? ceil(log10(y1)) : 3}};
    sdn_svg_text(out, PAD, 30, (sdn_svg_font){.size = 14, .bold = 1},
                 "Roofline: one point per kernel row");
    sdn_svg_text(out, PAD, 46, (sdn_svg_font){.size = 11, .fill = "#555"},
                 "area ∝ share of the step; red ring: above its roof");
    sdn_svg_axes(out, &fr, "FLOP per byte", "GFLOP/s at the median call");
    ceilings(r, out, &fr);
    for (int i = 0; i < r->n_kernels; i++)
        point(r, out, &fr, i);
}

/* ---- the timeline ---- */

/* The step to draw: the one whose start-to-start time is the median's, else the first. */
static uint32_t pick_step(const sdn_profile_report *r, uint64_t *b, uint64_t *e)
{
    const sdn_prof_data *d = r->d;
    uint32_t best = 0;
    double best_gap = -1;
    for (uint32_t s = 0; s < d->n_intervals; s++) {
        const double wall = (double)(d->step_begin[s + 1] - d->step_begin[s]) * d->ns_per_tick;
        const double gap =
            wall > r->step.wall_p50_ns ? wall - r->step.wall_p50_ns : r->step.wall_p50_ns - wall;
        if (best_gap < 0 || gap < best_gap) {
            best_gap = gap;
            best = s;
        }
    }
    *b = UINT64_MAX;
    *e = 0;
    if (best_gap >= 0) {
        *b = d->step_begin[best];
        *e = d->step_begin[best + 1];
        return best;
    }
    for (int t = 0; t < d->n_threads; t++) /* no interval: the step's own events */
        for (size_t j = 0; j < d->threads[t]->n; j++) {
            const sdn_prof_event *ev = &d->threads[t]->ev[j];
            if (ev->step != best)
                continue;
            *b = ev->t0 < *b ? ev->t0 : *b;
            *e = ev->t1 > *e ? ev->t1 : *e;
        }
    return best;
}

static const char *event_color(const sdn_prof_event *e)
{
    if (e->type == SDN_EV_BARRIER)
        return BARRIER_COLOR;
    if (e->type == SDN_EV_SCOPE)
        return e->kind == SDN_PHASE_PREP ? PREP_COLOR : "#e8eef8";
    return kind_color((sdn_kernel_kind)e->kind);
}

static void legend(FILE *out, double x, double y)
{
    const struct {
        const char *name, *color;
    } items[] = {{"GEMM", kind_color(SDN_KK_GEMM)},      {"activation", kind_color(SDN_KK_ACT)},
                 {"optimizer", kind_color(SDN_KK_ADAM)}, {"other kernel", sdn_svg_color(4)},
                 {"barrier wait", BARRIER_COLOR},        {"batch preparation", PREP_COLOR}};
    for (int i = 0; i < (int)(sizeof items / sizeof items[0]); i++) {
        const double ix = x + i % 3 * 160, iy = y + i / 3 * 14;
        sdn_svg_rect(out, ix, iy, 10, 10, (sdn_svg_paint){.fill = items[i].color}, NULL);
        sdn_svg_text(out, ix + 14, iy + 9, (sdn_svg_font){.size = 10}, items[i].name);
    }
}

/* One record in a lane of height `lane` at ly, [b, e] mapped onto [x, x + w]. */
static void draw(FILE *out, const sdn_prof_data *d, const sdn_prof_event *ev, uint64_t b,
                 uint64_t e, double x, double w, double ly, double lane)
{
    if (ev->t1 < b || ev->t0 > e ||
        (ev->type == SDN_EV_SCOPE && ev->kind != SDN_PHASE_STEP && ev->kind != SDN_PHASE_PREP))
        return;
    if (ev->type == SDN_EV_BARRIER && ev->kind == SDN_BARRIER_PASS)
        return; /* an arrival: its wait is the gap to the next kernel */
    const double span = (double)(e - b);
    const uint64_t t0 = ev->t0 > b ? ev->t0 : b, t1 = ev->t1 < e ? ev->t1 : e;
    const double x0 = x + w * (double)(t0 - b) / span, wd = w * (double)(t1 - t0) / span;
    const double top = ev->type == SDN_EV_SCOPE && ev->kind == SDN_PHASE_STEP ? 14 : 18;
    char title[160];
    snprintf(title, sizeof title, "%s %.2f µs",
             ev->type == SDN_EV_KERNEL ? (ev->fn ? ev->fn : "?") : ev->name,
             (double)(ev->t1 - ev->t0) * d->ns_per_tick * 1e-3);
    sdn_svg_rect(out, x0, ly + top, wd > 0.3 ? wd : 0.3, lane - top - 6,
                 (sdn_svg_paint){.fill = event_color(ev)}, title);
}

/* One step per thread in the box (x, y, w, h). */
static void timeline(const sdn_profile_report *r, FILE *out, double x, double y, double w, double h)
{
    const sdn_prof_data *d = r->d;
    uint64_t b, e;
    const uint32_t step = pick_step(r, &b, &e);
    const double us = e > b ? (double)(e - b) * d->ns_per_tick * 1e-3 : 0;
    sdn_svg_textf(out, x, 30, (sdn_svg_font){.size = 14, .bold = 1},
                  "One step (%u), start to next start: %.1f µs", step, us);
    if (e <= b || !d->n_threads)
        return;
    const double lane = (int)(h - 40) / d->n_threads;
    for (int t = 0; t < d->n_threads; t++) {
        const double ly = y + t * lane;
        sdn_svg_text(out, x, ly + 10, (sdn_svg_font){.size = 10}, d->threads[t]->name);
        for (int layer = 0; layer < 2; layer++) /* the scopes under the kernels */
            for (size_t j = 0; j < d->threads[t]->n; j++)
                if ((d->threads[t]->ev[j].type == SDN_EV_SCOPE) == !layer)
                    draw(out, d, &d->threads[t]->ev[j], b, e, x, w, ly, lane);
    }
    sdn_svg_text(out, x, y + h - 22, (sdn_svg_font){.size = 10}, "0");
    sdn_svg_textf(out, x + w, y + h - 22, (sdn_svg_font){.size = 10, .anchor = SDN_SVG_END},
                  "%.0f µs", us);
    legend(out, x, y + h - 12);
}

void sdn_prof_write_svg(const sdn_profile_report *r, FILE *out)
{
    sdn_svg_begin(out, W, H);
    if (r->cal.peak_gflops[r->isa][0] > 0)
        roofline(r, out);
    else
        sdn_svg_text(out, PAD, H / 2, (sdn_svg_font){0}, "no calibration: no roofline");
    timeline(r, out, PAD + RW + 40, PAD, W - (PAD + RW + 40) - 20, H - 2 * PAD);
    sdn_svg_end(out);
}
