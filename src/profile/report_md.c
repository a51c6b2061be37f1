/* profile.md: the tables a person reads — per kernel against its roof, per layer and phase, per
 * thread with barrier waits and imbalance, and the step's model FLOP utilisation. */
#include <string.h>

#include "report.h"

/* "sdn_f32_velu__avx2" → "f32_velu", "avx2" */
static void split_fn(const char *fn, char *name, size_t size, const char **isa)
{
    const char *s = strncmp(fn, "sdn_", 4) ? fn : fn + 4;
    const char *sep = strstr(s, "__");
    snprintf(name, size, "%.*s", sep ? (int)(sep - s) : (int)strlen(s), s);
    *isa = sep ? sep + 2 : "?";
}

void sdn_prof_write_kernel_table(const sdn_profile_report *r, FILE *out)
{
    fprintf(
        out,
        "| kernel | ISA | shape | in | calls | total ms | self %% | mean µs | p50 µs | p99 µs | "
        "GFLOP/s | GB/s | FLOP/B | roof GFLOP/s | %% of roof | bound | GFLOP/s at p50 | "
        "%% of roof at p50 |\n"
        "|---|---|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|--:|--:|\n");
    for (int i = 0; i < r->n_kernels; i++) {
        const sdn_kernel_stat *k = &r->kernels[i];
        char name[64], isa[48];
        const char *own;
        split_fn(k->fn, name, sizeof name, &own);
        if (strcmp(own, sdn_isa_name(k->isa)))
            snprintf(isa, sizeof isa, "%s (in the %s table)", own, sdn_isa_name(k->isa));
        else
            snprintf(isa, sizeof isa, "%s", own);
        fprintf(out,
                "| %s | %s | %s | %s | %zu | %.3f | %.1f | %.2f | %.2f | %.2f | %.1f | %.1f | %.2f "
                "| ",
                name, isa, k->shape, sdn_prof_phase_name(k->phase), k->calls, k->total_ns * 1e-6,
                r->kernel_ns > 0 ? 100.0 * k->total_ns / r->kernel_ns : 0, k->mean_us, k->p50_us,
                k->p99_us, k->gflops, k->gbs, k->intensity);
        if (k->roof_gflops > 0)
            fprintf(out, "%.1f | %.1f | %s | %.1f | %.1f |\n", k->roof_gflops, k->roof_pct,
                    k->compute_bound ? "compute" : sdn_roof_level_name(k->from_cache),
                    k->p50_gflops, k->p50_roof_pct);
        else
            fprintf(out, "– | – | – | %.1f | – |\n", k->p50_gflops);
    }
}

static void layer_table(const sdn_profile_report *r, FILE *out)
{
    static const char *const cols[SDN_COL_COUNT] = {"forward", "backward", "weight grad",
                                                    "optimizer", "other"};
    const double steps = r->steps ? r->steps : 1;
    double total = 0; /* the threads' pass time */
    for (int t = 0; t < r->n_threads; t++)
        total += r->threads[t].pass_ns;
    fprintf(out, "Each layer's time per step in each phase (its scope, summed over threads), in "
                 "ms, and its share of the threads' step time; \"(outside layers)\" counts the "
                 "kernels no layer encloses (the loss).\n\n| layer |");
    for (int c = 0; c < SDN_COL_COUNT; c++)
        fprintf(out, " %s ms | %s %% |", cols[c], cols[c]);
    fprintf(out, " GFLOP/s |\n|---|");
    for (int c = 0; c < 2 * SDN_COL_COUNT + 1; c++)
        fprintf(out, "--:|");
    fputc('\n', out);
    for (int i = 0; i < r->n_layers; i++) {
        const sdn_layer_stat *l = &r->layers[i];
        double ns = 0;
        fprintf(out, "| %s |", l->name);
        for (int c = 0; c < SDN_COL_COUNT; c++) {
            fprintf(out, " %.4f | %.1f |", l->ns[c] * 1e-6 / steps,
                    total > 0 ? 100.0 * l->ns[c] / total : 0);
            ns += l->ns[c];
        }
        fprintf(out, " %.1f |\n", ns > 0 ? l->flops / ns : 0);
    }
    if (r->steps)
        fprintf(out,
                "| **whole step** (wall) | %.4f ms | | | | | | | | | | %.2f GFLOP/s = %.1f %% "
                "of the %.1f GFLOP/s peak (MFU) |\n",
                r->step_wall_ns * 1e-6 / r->steps, r->step_gflops, r->mfu_pct, r->peak_gflops);
}

static void thread_table(const sdn_profile_report *r, FILE *out)
{
    static const char *const phase_names[SDN_MAX_PHASES] = {
        "forward + backward (to barrier A)", "weight grad + optimizer (after A)",
        "after the next barrier", "after the last barrier"};
    const double steps = r->steps ? r->steps : 1;
    fprintf(out, "Per step, in ms. Barrier wait: at the pass's barriers, from the thread's arrival "
                 "to the last thread's (the barrier's end), the end of the parallel region "
                 "included; inside layers (batch norm's statistics, a sliced dense layer's rows), "
                 "the thread's time in the barrier. Busy: the rest of the pass.\n\n"
                 "| thread | pass | busy | barrier wait | in kernels |");
    for (int q = 0; q < r->n_phases; q++)
        fprintf(out, " phase %d busy |", q + 1);
    fprintf(out, "\n|---|--:|--:|--:|--:|");
    for (int q = 0; q < r->n_phases; q++)
        fprintf(out, "--:|");
    fputc('\n', out);
    for (int t = 0; t < r->n_threads; t++) {
        const sdn_thread_stat *s = &r->threads[t];
        double busy = 0;
        for (int q = 0; q < r->n_phases; q++)
            busy += s->phase_ns[q];
        fprintf(out, "| %s | %.4f | %.4f | %.4f | %.4f |", s->name, s->pass_ns * 1e-6 / steps,
                busy * 1e-6 / steps, s->wait_ns * 1e-6 / steps, s->kernel_ns * 1e-6 / steps);
        for (int q = 0; q < r->n_phases; q++)
            fprintf(out, " %.4f |", s->phase_ns[q] * 1e-6 / steps);
        fputc('\n', out);
    }
    fprintf(out, "\nImbalance (slowest thread's busy time / mean, averaged over steps; 1.00 is "
                 "perfect):\n\n");
    for (int q = 0; q < r->n_phases; q++)
        fprintf(out, "- phase %d, %s: %.3f\n", q + 1,
                q + 1 == r->n_phases && q > 1 ? phase_names[3] : phase_names[q < 3 ? q : 3],
                r->imbalance[q]);
}

void sdn_prof_write_md(const sdn_profile_report *r, FILE *out)
{
    const sdn_prof_data *d = sdn_prof_records();
    const sdn_calibration *c = &r->cal;
    fprintf(out, "# simdnn profile\n\n");
    fprintf(out, "- CPU: %s; ISA in use: %s; threads: %d (used by the passes: %d)\n", c->cpu,
            sdn_isa_name(r->isa), d->omp_threads, r->threads_used);
    fprintf(out, "- counter: %s at %.4f GHz (measured against CLOCK_MONOTONIC)\n", sdn_clock_name(),
            1.0 / r->ns_per_tick);
    fprintf(out, "- schedule: wait %d, warm-up %d, active %d%s; kept steps: %d\n", d->wait,
            d->warmup, d->active, d->active ? "" : " (all)", r->steps);
    fprintf(out,
            "- roofs (simdnn profile calibrate): %s FMA peak %.1f GFLOP/s on 1 thread, "
            "%.1f on %d; L1 / L2 / L3 stream %.0f / %.0f / %.0f GB/s; DRAM triad %.1f GB/s on 1 "
            "thread, %.1f on %d\n",
            sdn_isa_name(r->isa), c->peak_gflops[r->isa][0], c->peak_gflops[r->isa][1], c->threads,
            c->cache_gbs[r->isa][0], c->cache_gbs[r->isa][1], c->cache_gbs[r->isa][2],
            c->triad_gbs[0], c->triad_gbs[1], c->threads);
    if (d->core_rtt_ns[0] > 0)
        fprintf(out,
                "- core-to-core round trip (a cache line between two threads and back): %.0f ns "
                "at the start, %.0f ns at the end. Every line the threads exchange (updated "
                "weights, other rows' activations, barriers) waits about this long: when it is "
                "several times its usual value, the host has placed the threads far apart\n",
                d->core_rtt_ns[0], d->core_rtt_ns[1]);
    if (r->steps) {
        fprintf(out, "\n## The step\n\n");
        fprintf(out, "- wall time per step: %.4f ms (median %.4f ms); FLOPs per step: %.0f\n",
                r->step_wall_ns * 1e-6 / r->steps, r->step_wall_p50_ns * 1e-6,
                r->step_flops / r->steps);
        fprintf(out,
                "- %.2f GFLOP/s against a peak of %.1f GFLOP/s (%s, %d thread%s): model FLOP "
                "utilisation %.1f %% (at the median step: %.2f GFLOP/s, %.1f %%)\n",
                r->step_gflops, r->peak_gflops, sdn_isa_name(r->isa), r->threads_used,
                r->threads_used == 1 ? "" : "s", r->mfu_pct, sdn_prof_p50_gflops(r),
                r->peak_gflops > 0 ? 100.0 * sdn_prof_p50_gflops(r) / r->peak_gflops : 0);
        double pass = 0;
        for (int t = 0; t < r->n_threads; t++)
            pass += r->threads[t].pass_ns;
        fprintf(out, "- time in kernels: %.1f %% of the threads' pass time\n",
                pass > 0 ? 100.0 * r->kernel_ns / pass : 0);
        fprintf(out,
                "- recording overhead: %.0f records a step and thread × %.1f ns (measured per "
                "record) = %.2f %% of the median step\n",
                (double)d->n_events / r->steps / (r->threads_used ? r->threads_used : 1),
                d->record_cost_ns, sdn_prof_overhead_pct(r));
    }
    size_t dropped = 0;
    for (int t = 0; t < d->n_threads; t++)
        dropped += d->threads[t]->dropped;
    if (dropped)
        fprintf(out,
                "- **%zu records dropped** (the buffer limit, or scopes nested deeper than %d): "
                "shorten --profile-steps\n",
                dropped, SDN_PROF_MAX_DEPTH);
    fprintf(out,
            "\n## Kernels\n\nOne row per kernel and shape, per call on one thread. The roof is "
            "the lower of the ISA's one-thread FMA peak and FLOP/B × a bandwidth: the ISA's "
            "stream rate (its ReLU) at the smallest cache level that holds a call's bytes "
            "(bound \"L1\", \"L2\", \"L3\"), else the one-thread DRAM triad (\"DRAM\"). GFLOP/s is "
            "total FLOPs over total time; at p50 it is one call's FLOPs over the median "
            "call's time, which preemption on a busy host does not move.\n\n");
    sdn_prof_write_kernel_table(r, out);
    fprintf(out, "\n## Layers\n\n");
    layer_table(r, out);
    fprintf(out, "\n## Threads\n\n");
    thread_table(r, out);
}
