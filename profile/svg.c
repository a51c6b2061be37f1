/* profile.svg: a roofline — each kernel row a point at its FLOP/B and GFLOP/s at the median
 * call, sized by its share of the step, under the calibrated FMA peak and bandwidths — beside a
 * timeline of one step per thread (kernels by kind, barrier waits, batch preparation). */
#include <math.h>
#include <string.h>

#include "report.h"

enum { W = 1200, H = 520, PAD = 60, RW = 560 }; /* roofline panel: x in [PAD, PAD + RW] */

static double lx(double v, double lo, double hi)
{
    return PAD + RW * (log10(v) - log10(lo)) / (log10(hi) - log10(lo));
}
static double ly(double v, double lo, double hi)
{
    return H - PAD - (H - 2 * PAD) * (log10(v) - log10(lo)) / (log10(hi) - log10(lo));
}

static const char *color_of(const sdn_kernel_stat *k)
{
    if (k->kind == SDN_KK_GEMM)
        return "#1f77b4";
    if (k->kind == SDN_KK_ADAM || k->kind == SDN_KK_RMSPROP || k->kind == SDN_KK_SGD)
        return "#2ca02c";
    if (k->kind == SDN_KK_ACT || k->kind == SDN_KK_ACT_GRAD)
        return "#ff7f0e";
    return "#9467bd";
}

/* The ceilings: FMA peak, and L1 / L2 / L3 / DRAM bandwidth (2 streams) × FLOP/B. */
static void ceilings(const sdn_profile_report *r, FILE *out, double x0, double x1, double y0,
                     double y1)
{
    const sdn_calibration *c = &r->cal;
    const double peak = c->peak_gflops[r->isa][0];
    for (int l = 0; l < SDN_LVL_COUNT; l++) {
        const double bw = c->stream_gbs[r->isa][l][1];
        if (!(bw > 0))
            continue;
        const double knee = peak / bw, xa = x0, xb = knee < x1 ? knee : x1;
        if (xb <= xa || bw * xa < y0)
            continue;
        fprintf(out,
                "<line x1='%.1f' y1='%.1f' x2='%.1f' y2='%.1f' stroke='#888' "
                "stroke-dasharray='4 3'/><text x='%.1f' y='%.1f' font-size='10' fill='#555' "
                "text-anchor='end'>%s %.0f GB/s</text>\n",
                lx(xa, x0, x1), ly(bw * xa, y0, y1), lx(xb, x0, x1), ly(bw * xb, y0, y1),
                lx(xb, x0, x1) - 4, ly(bw * xb, y0, y1) + 12 + 11 * l, sdn_level_name(l), bw);
    }
    fprintf(out,
            "<line x1='%d' y1='%.1f' x2='%d' y2='%.1f' stroke='#000'/><text x='%d' y='%.1f' "
            "font-size='11'>%s FMA peak %.0f GFLOP/s (1 thread)</text>\n",
            PAD, ly(peak, y0, y1), PAD + RW, ly(peak, y0, y1), PAD + RW - 230, ly(peak, y0, y1) - 4,
            sdn_isa_name(r->isa), peak);
}

static void axes(FILE *out, double x0, double x1, double y0, double y1)
{
    fprintf(out, "<rect x='%d' y='%d' width='%d' height='%d' fill='none' stroke='#000'/>\n", PAD,
            PAD, RW, H - 2 * PAD);
    for (double v = pow(10, ceil(log10(x0))); v <= x1; v *= 10)
        fprintf(out, "<text x='%.1f' y='%d' font-size='11' text-anchor='middle'>%g</text>\n",
                lx(v, x0, x1), H - PAD + 14, v);
    for (double v = pow(10, ceil(log10(y0))); v <= y1; v *= 10)
        fprintf(out, "<text x='%d' y='%.1f' font-size='11' text-anchor='end'>%g</text>\n", PAD - 4,
                ly(v, y0, y1) + 4, v);
    fprintf(out,
            "<text x='%d' y='%d' font-size='12' text-anchor='middle'>FLOP per byte</text>\n"
            "<text x='14' y='%d' font-size='12' transform='rotate(-90 14 %d)' "
            "text-anchor='middle'>GFLOP/s at the median call</text>\n"
            "<text x='%d' y='30' font-size='14' font-weight='bold'>Roofline: one point per "
            "kernel row, area ∝ share of the step; red ring: above its roof</text>\n",
            PAD + RW / 2, H - PAD + 32, H / 2, H / 2, PAD);
}

static void roofline(const sdn_profile_report *r, FILE *out)
{
    const double x0 = 0.01, x1 = 1000, y0 = 0.1;
    double y1 = r->cal.peak_gflops[r->isa][0] * 2;
    for (int i = 0; i < r->n_kernels; i++)
        y1 = r->kernels[i].p50_gflops * 2 > y1 ? r->kernels[i].p50_gflops * 2 : y1;
    y1 = y1 > 1 ? pow(10, ceil(log10(y1))) : 1000;
    axes(out, x0, x1, y0, y1);
    ceilings(r, out, x0, x1, y0, y1);
    for (int i = 0; i < r->n_kernels; i++) {
        const sdn_kernel_stat *k = &r->kernels[i];
        const double x = k->intensity, y = k->p50_gflops;
        if (!(x > x0 && x < x1 && y > y0 && y < y1))
            continue;
        char name[64];
        const char *own;
        sdn_prof_split_fn(k->fn, name, sizeof name, &own);
        fprintf(out,
                "<circle cx='%.1f' cy='%.1f' r='%.1f' fill='%s' fill-opacity='0.6' "
                "stroke='%s' stroke-width='%d'><title>",
                lx(x, x0, x1), ly(y, y0, y1), 3 + 2.5 * sqrt(k->share_pct), color_of(k),
                k->above ? "#d62728" : "#333", k->above ? 3 : 1);
        sdn_prof_xml_str(out, name);
        fprintf(out,
                " %s (%s): %.1f GFLOP/s, %.0f %% of its roof (%s), %.1f %% of the step"
                "</title></circle>\n",
                k->shape, sdn_prof_phase_name(k->phase), y, k->p50_roof_pct, k->bound,
                k->share_pct);
        if (i < 4) /* the largest shares, labelled one under the other to the right */
            fprintf(out, "<text x='%.1f' y='%.1f' font-size='10'>%s %s %s</text>\n",
                    lx(x, x0, x1) + 14, ly(y, y0, y1) + 22 + 12 * i, name, k->shape,
                    sdn_prof_phase_name(k->phase));
    }
}

void sdn_prof_write_svg(const sdn_profile_report *r, FILE *out)
{
    fprintf(out,
            "<svg xmlns='http://www.w3.org/2000/svg' width='%d' height='%d' "
            "viewBox='0 0 %d %d' font-family='sans-serif'>\n<rect width='100%%' "
            "height='100%%' fill='white'/>\n",
            W, H, W, H);
    if (r->cal.peak_gflops[r->isa][0] > 0)
        roofline(r, out);
    else
        fprintf(out, "<text x='%d' y='%d'>no calibration: no roofline</text>\n", PAD, H / 2);
    sdn_prof_timeline(r, out, PAD + RW + 40, PAD, W - (PAD + RW + 40) - 20, H - 2 * PAD);
    fprintf(out, "</svg>\n");
}
