/* profile.html: the pictures of profile.svg inline, and the step, kernel and thread tables, in one
 * self-contained page. */
#include "report.h"
#include "svg_writer.h" /* its XML escaping serves the page too */

static void step_table(const sdn_profile_report *r, FILE *out)
{
    const sdn_step_stat *s = &r->step;
    fprintf(out,
            "<h2>The step</h2>\n<p>Start to next start: %.4f ms on average (median %.4f, "
            "p99 %.4f) over %d intervals; MFU %.1f %% of %.1f GFLOP/s.</p>\n<table>"
            "<tr><th>part</th><th>ms</th><th>%% of the step</th></tr>\n",
            s->wall_ns * 1e-6, s->wall_p50_ns * 1e-6, s->wall_p99_ns * 1e-6, s->intervals,
            r->mfu_pct, r->peak_gflops);
    const struct {
        const char *name;
        double ns;
    } parts[] = {{"pass", s->pass_ns},
                 {"fork", s->fork_ns},
                 {"join", s->join_ns},
                 {"batch preparation", s->prep_ns},
                 {"the rest", s->other_ns}};
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++)
        fprintf(out, "<tr><td>%s</td><td>%.4f</td><td>%.1f</td></tr>\n", parts[i].name,
                parts[i].ns * 1e-6, s->wall_ns > 0 ? 100.0 * parts[i].ns / s->wall_ns : 0);
    fprintf(out, "</table>\n");
}

static void kernel_table(const sdn_profile_report *r, FILE *out)
{
    const double steps = r->steps ? r->steps : 1;
    fprintf(out, "<h2>Kernels</h2>\n<table><tr><th>kernel</th><th>shape</th><th>in</th>"
                 "<th>calls/step</th><th>ms/step</th><th>%% of step</th><th>p50 µs</th>"
                 "<th>p99 µs</th><th>GFLOP/s at p50</th><th>%% of roof</th><th>bound</th></tr>\n");
    for (int i = 0; i < r->n_kernels; i++) {
        const sdn_kernel_stat *k = &r->kernels[i];
        char name[64];
        const char *own;
        sdn_prof_split_fn(k->fn, name, sizeof name, &own);
        fprintf(out, "<tr%s><td>", k->above ? " class='above'" : "");
        sdn_svg_escape(out, name);
        fprintf(out, " (");
        sdn_svg_escape(out, own);
        fprintf(out, ")</td><td>");
        sdn_svg_escape(out, k->shape);
        fprintf(out,
                "</td><td>%s</td><td>%.1f</td><td>%.4f</td>"
                "<td>%.1f</td><td>%.2f</td><td>%.2f</td><td>%.1f</td><td>%.1f%s</td><td>",
                sdn_prof_phase_name(k->phase), (double)k->calls / steps, k->ms_per_step,
                k->share_pct, k->p50_us, k->p99_us, k->p50_gflops, k->p50_roof_pct,
                k->above ? " ▲" : "");
        sdn_svg_escape(out, k->above ? k->why : k->bound);
        fprintf(out, "</td></tr>\n");
    }
    fprintf(out, "</table>\n");
}

static void thread_table(const sdn_profile_report *r, FILE *out)
{
    const double steps = r->steps ? r->steps : 1;
    fprintf(out, "<h2>Threads</h2>\n<p>Per step, ms. ran: time on a core (task-clock); "
                 "descheduled: pass − ran.</p>\n<table><tr><th>thread</th><th>pass</th>"
                 "<th>barrier wait</th><th>ran</th><th>descheduled</th><th>context switches"
                 "</th><th>migrations</th></tr>\n");
    for (int t = 0; t < r->n_threads; t++) {
        const sdn_thread_stat *s = &r->threads[t];
        fprintf(out, "<tr><td>");
        sdn_svg_escape(out, s->name);
        fprintf(out,
                "</td><td>%.4f</td><td>%.4f</td><td>%.4f</td><td>%.4f</td><td>%.2f</td>"
                "<td>%.2f</td></tr>\n",
                s->region_ns * 1e-6 / steps, s->wait_ns * 1e-6 / steps, s->ran_ns * 1e-6 / steps,
                s->ran_ns > 0 && s->pass_ns > s->ran_ns ? (s->pass_ns - s->ran_ns) * 1e-6 / steps
                                                        : 0,
                (double)s->ctr.v[SDN_CTR_CTX_SWITCHES] / steps,
                (double)s->ctr.v[SDN_CTR_MIGRATIONS] / steps);
    }
    fprintf(out, "</table>\n");
}

void sdn_prof_write_html(const sdn_profile_report *r, FILE *out)
{
    char caches[160];
    sdn_calibration_caches(&r->cal, caches, sizeof caches);
    fprintf(out, "<!DOCTYPE html>\n<html><head><meta charset='utf-8'><title>simdnn profile"
                 "</title><style>body{font-family:sans-serif;margin:1em 2em}table{border-"
                 "collapse:collapse;font-size:12px}td,th{border:1px solid #ccc;padding:2px 6px;"
                 "text-align:right}td:first-child{text-align:left}tr.above{background:#fdd}"
                 "</style></head><body>\n<h1>simdnn profile</h1>\n<p>");
    sdn_svg_escape(out, r->cal.cpu);
    fprintf(out, "; ISA %s; %d thread(s); caches: ", sdn_isa_name(r->isa), r->threads_used);
    sdn_svg_escape(out, caches);
    fprintf(out, "; round trip %.0f / %.0f ns; counters: ", r->d->core_rtt_ns[0],
            r->d->core_rtt_ns[1]);
    sdn_svg_escape(out, r->d->counters_note[0] ? r->d->counters_note : "all");
    fprintf(out, "</p>\n");
    sdn_prof_write_svg(r, out);
    step_table(r, out);
    kernel_table(r, out);
    thread_table(r, out);
    fprintf(out, "</body></html>\n");
}
