/* The timeline panel of profile.svg: one step, from its start to the next, one lane per thread:
 * its pass (light), kernels by kind, barrier waits, the batch preparation. */
#include "report.h"

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

static const char *fill_of(const sdn_prof_event *e)
{
    if (e->type == SDN_EV_BARRIER)
        return "#d62728";
    if (e->type == SDN_EV_SCOPE)
        return e->kind == SDN_PHASE_PREP ? "#8c564b" : "#e8eef8";
    if (e->kind == SDN_KK_GEMM)
        return "#1f77b4";
    if (e->kind == SDN_KK_ADAM || e->kind == SDN_KK_RMSPROP || e->kind == SDN_KK_SGD)
        return "#2ca02c";
    return e->kind == SDN_KK_ACT || e->kind == SDN_KK_ACT_GRAD ? "#ff7f0e" : "#9467bd";
}

static void legend(FILE *out, int x, int y)
{
    static const struct {
        const char *name, *color;
    } items[] = {{"GEMM", "#1f77b4"},         {"activation", "#ff7f0e"},
                 {"optimizer", "#2ca02c"},    {"other kernel", "#9467bd"},
                 {"barrier wait", "#d62728"}, {"batch preparation", "#8c564b"}};
    for (size_t i = 0; i < sizeof items / sizeof items[0]; i++)
        fprintf(out,
                "<rect x='%d' y='%d' width='10' height='10' fill='%s'/><text x='%d' y='%d' "
                "font-size='10'>%s</text>\n",
                x + (int)(i % 3) * 160, y + (int)(i / 3) * 14, items[i].color,
                x + 14 + (int)(i % 3) * 160, y + 9 + (int)(i / 3) * 14, items[i].name);
}

/* One record in a lane of height `lane` at ly, [b, e] mapped onto [x, x + w]. */
static void draw(FILE *out, const sdn_prof_data *d, const sdn_prof_event *ev, uint64_t b,
                 uint64_t e, int x, int w, int ly, int lane)
{
    if (ev->t1 < b || ev->t0 > e ||
        (ev->type == SDN_EV_SCOPE && ev->kind != SDN_PHASE_STEP && ev->kind != SDN_PHASE_PREP))
        return;
    if (ev->type == SDN_EV_BARRIER && ev->kind == SDN_BARRIER_PASS)
        return; /* an arrival: its wait is the gap to the next kernel */
    const double span = (double)(e - b);
    const uint64_t t0 = ev->t0 > b ? ev->t0 : b, t1 = ev->t1 < e ? ev->t1 : e;
    const double x0 = x + w * (double)(t0 - b) / span, wd = w * (double)(t1 - t0) / span;
    const int top = ev->type == SDN_EV_SCOPE && ev->kind == SDN_PHASE_STEP ? 14 : 18;
    fprintf(out,
            "<rect x='%.2f' y='%d' width='%.2f' height='%d' fill='%s'><title>%s %.2f "
            "µs</title></rect>\n",
            x0, ly + top, wd > 0.3 ? wd : 0.3, lane - top - 6, fill_of(ev),
            ev->type == SDN_EV_KERNEL ? (ev->fn ? ev->fn : "?") : ev->name,
            (double)(ev->t1 - ev->t0) * d->ns_per_tick * 1e-3);
}

void sdn_prof_timeline(const sdn_profile_report *r, FILE *out, int x, int y, int w, int h)
{
    const sdn_prof_data *d = r->d;
    uint64_t b, e;
    const uint32_t step = pick_step(r, &b, &e);
    fprintf(out,
            "<text x='%d' y='30' font-size='14' font-weight='bold'>One step (%u), start to "
            "next start: %.1f µs</text>\n",
            x, step, e > b ? (double)(e - b) * d->ns_per_tick * 1e-3 : 0);
    if (e <= b || !d->n_threads)
        return;
    const int lane = (h - 40) / (d->n_threads ? d->n_threads : 1);
    const double span = (double)(e - b);
    for (int t = 0; t < d->n_threads; t++) {
        const int ly = y + t * lane;
        fprintf(out, "<text x='%d' y='%d' font-size='10'>", x, ly + 10);
        sdn_prof_xml_str(out, d->threads[t]->name);
        fprintf(out, "</text>\n");
        for (int layer = 0; layer < 2; layer++) /* the scopes under the kernels */
            for (size_t j = 0; j < d->threads[t]->n; j++)
                if ((d->threads[t]->ev[j].type == SDN_EV_SCOPE) == !layer)
                    draw(out, d, &d->threads[t]->ev[j], b, e, x, w, ly, lane);
    }
    fprintf(out,
            "<text x='%d' y='%d' font-size='10'>0</text><text x='%d' y='%d' font-size='10' "
            "text-anchor='end'>%.0f µs</text>\n",
            x, y + h - 22, x + w, y + h - 22, span * d->ns_per_tick * 1e-3);
    legend(out, x, y + h - 12);
}
