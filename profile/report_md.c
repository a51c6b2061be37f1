/* profile.md: the tables a person reads — the machine and its roofs, the step from one start to
 * the next, every kernel row against the ceiling that binds it (rows above it marked and
 * explained), the layers per step, and the threads with the time they ran and the time the host
 * took them off their core. */
#include <string.h>

#include "report.h"

static void header(const sdn_profile_report *r, FILE *out)
{
    const sdn_prof_data *d = r->d;
    const sdn_calibration *c = &r->cal;
    char caches[160];
    sdn_calibration_caches(c, caches, sizeof caches);
    fprintf(out, "# simdnn profile\n\n");
    fprintf(out, "- CPU: %s; ISA in use: %s; threads: %d (used by the passes: %d)\n", c->cpu,
            sdn_isa_name(r->isa), d->omp_threads, r->threads_used);
    fprintf(out, "- caches (where each size came from): %s\n", caches);
    fprintf(out, "- counter: %s at %.4f GHz (measured against CLOCK_MONOTONIC)\n",
            d->counter_name ? d->counter_name : "?", d->ticks_per_second * 1e-9);
    fprintf(out, "- schedule: wait %d, warm-up %d, active %d%s; kept steps: %d\n", d->wait,
            d->warmup, d->active, d->active ? "" : " (all)", r->steps);
    fprintf(out,
            "- roofs (simdnn profile calibrate), one thread, %s: FMA %.1f GFLOP/s (%.1f on "
            "%d); exp %.2f, sqrt+div %.2f, compare-select %.2f per ns; with 2 streams L1 / L2 / "
            "L3 / DRAM %.0f / %.0f / %.0f / %.0f GB/s (7 streams: %.0f / %.0f / %.0f / %.0f)\n",
            sdn_isa_name(r->isa), c->peak_gflops[r->isa][0], c->peak_gflops[r->isa][1], c->threads,
            c->exp_gops[r->isa], c->sqrtdiv_gops[r->isa], c->cmpsel_gops[r->isa],
            c->stream_gbs[r->isa][0][1], c->stream_gbs[r->isa][1][1], c->stream_gbs[r->isa][2][1],
            c->stream_gbs[r->isa][3][1], c->stream_gbs[r->isa][0][4], c->stream_gbs[r->isa][1][4],
            c->stream_gbs[r->isa][2][4], c->stream_gbs[r->isa][3][4]);
    if (d->core_rtt_ns[0] > 0)
        fprintf(out,
                "- core-to-core round trip (a cache line to the other thread and back): %.0f ns "
                "at the start, %.0f ns at the end. Usual: 50-200 ns between cores that share a "
                "cache, 300-500 ns across sockets or when a VM's host places the vCPUs apart; "
                "every line the threads exchange (updated weights, barriers) waits about this "
                "long\n",
                d->core_rtt_ns[0], d->core_rtt_ns[1]);
    if (d->core_rtt_ns[0] > 1000 || d->core_rtt_ns[1] > 1000)
        fprintf(out, "- **the host was busy**: a round trip of microseconds means the two threads "
                     "were seldom on their cores at the same time (other load on the host); "
                     "times with several threads mostly measure that\n");
    fprintf(out, "- counters (perf_event_open, per thread and step%s): ",
            d->counters_mode == SDN_COUNTERS_KERNEL ? " and per kernel call" : "");
    const char *sep = "";
    for (int i = 0; i < SDN_CTR_COUNT; i++)
        if (d->counters_mask & 1u << i) {
            fprintf(out, "%s%s", sep, sdn_counter_name(i));
            sep = ", ";
        }
    fprintf(out, "%s%s%s\n", sep[0] ? "" : "none", d->counters_note[0] ? ". " : "",
            d->counters_note);
}

static void step_section(const sdn_profile_report *r, FILE *out)
{
    const sdn_prof_data *d = r->d;
    const sdn_step_stat *s = &r->step;
    fprintf(out, "\n## The step\n\n");
    if (s->intervals) {
        fprintf(out,
                "From one step's start to the next (%d intervals): %.4f ms on average, median "
                "%.4f, p99 %.4f. What fills it, per step:\n\n| part | ms | %% of the step |\n"
                "|---|--:|--:|\n",
                s->intervals, s->wall_ns * 1e-6, s->wall_p50_ns * 1e-6, s->wall_p99_ns * 1e-6);
        const struct {
            const char *name;
            double ns;
        } parts[] = {{"the pass (first thread's start to last thread's end)", s->pass_ns},
                     {"fork: region start to the last thread's start", s->fork_ns},
                     {"join: last thread's end to the region's end", s->join_ns},
                     {"batch preparation (the next batch)", s->prep_ns},
                     {"the rest (the training loop between steps)", s->other_ns}};
        for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++)
            fprintf(out, "| %s | %.4f | %.1f |\n", parts[i].name, parts[i].ns * 1e-6,
                    s->wall_ns > 0 ? 100.0 * parts[i].ns / s->wall_ns : 0);
    } else if (r->steps) {
        fprintf(out,
                "No step followed a kept one, so no start-to-start time: the pass alone took "
                "%.4f ms a step.\n",
                r->pass_wall_ns * 1e-6 / r->steps);
    }
    if (!r->steps)
        return;
    fprintf(out,
            "\n- FLOPs per step %.0f: %.2f GFLOP/s against a peak of %.1f GFLOP/s (%s, %d "
            "thread%s): model FLOP utilisation %.1f %% over the start-to-start step\n",
            r->step_flops / r->steps, r->step_gflops, r->peak_gflops, sdn_isa_name(r->isa),
            r->threads_used, r->threads_used == 1 ? "" : "s", r->mfu_pct);
    fprintf(out,
            "- recording: %.0f records a step and thread × %.1f ns each = %.2f %% of the median "
            "step; %zu calls shorter than a record were folded into their caller\n",
            (double)d->n_events / r->steps / (r->threads_used ? r->threads_used : 1),
            d->record_cost_ns, sdn_prof_overhead_pct(r), d->folded_calls);
    if (d->cross_passes)
        fprintf(out,
                "- between the cores, per training pass (%u kept on several threads, %u of them "
                "staged; counted from the pass's cuts, not measured): %.1f KB of parameters "
                "another thread stepped, %.1f KB of activations and their gradients (rows for "
                "the weight gradients, a stage's edges), %.1f KB of partial sums (batch norm's "
                "chunks, a sliced layer's products); each line waits about a round trip\n",
                d->cross_passes, d->staged_passes, d->cross_bytes[0] / d->cross_passes / 1024.0,
                d->cross_bytes[1] / d->cross_passes / 1024.0,
                d->cross_bytes[2] / d->cross_passes / 1024.0);
    size_t dropped = 0;
    for (int t = 0; t < d->n_threads; t++)
        dropped += d->threads[t]->dropped;
    if (dropped)
        fprintf(out,
                "- **%zu records dropped** (the buffer limit, or scopes nested too deep): "
                "shorten --profile-steps\n",
                dropped);
}

void sdn_prof_write_kernel_table(const sdn_profile_report *r, FILE *out)
{
    fprintf(out,
            "| kernel | ISA | shape | in | calls/step | ms/step | %% of step | mean µs | p50 µs | "
            "p99 µs | GFLOP/s at p50 | GB/s | FLOP/B | roof GFLOP/s | %% of roof at p50 | bound "
            "|\n|---|---|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|\n");
    const double steps = r->steps ? r->steps : 1;
    for (int i = 0; i < r->n_kernels; i++) {
        const sdn_kernel_stat *k = &r->kernels[i];
        char name[64], isa[48];
        const char *own;
        sdn_prof_split_fn(k->fn, name, sizeof name, &own);
        if (strcmp(own, sdn_isa_name(k->isa)))
            snprintf(isa, sizeof isa, "%s (in the %s table)", own, sdn_isa_name(k->isa));
        else
            snprintf(isa, sizeof isa, "%s", own);
        fprintf(out,
                "| %s | %s | %s | %s | %.1f | %.4f | %.1f | %.2f | %.2f | %.2f | %.1f | %.1f | "
                "%.2f | ",
                name, isa, k->shape, sdn_prof_phase_name(k->phase), (double)k->calls / steps,
                k->ms_per_step, k->share_pct, k->mean_us, k->p50_us, k->p99_us, k->p50_gflops,
                k->gbs, k->intensity);
        if (k->roof_gflops > 0)
            fprintf(out, "%.1f | %s%.1f%s | %s |\n", k->roof_gflops, k->above ? "**" : "",
                    k->p50_roof_pct, k->above ? " ▲**" : "", k->bound);
        else
            fprintf(out, "– | – | – |\n");
    }
}

static void above_list(const sdn_profile_report *r, FILE *out)
{
    if (!r->n_above) {
        fprintf(out, "\nNo row runs above its roof.\n");
        return;
    }
    fprintf(out, "\n%d row%s above the roof (▲), and why:\n\n", r->n_above,
            r->n_above == 1 ? " runs" : "s run");
    for (int i = 0; i < r->n_kernels; i++) {
        const sdn_kernel_stat *k = &r->kernels[i];
        char name[64];
        const char *own;
        if (!k->above)
            continue;
        sdn_prof_split_fn(k->fn, name, sizeof name, &own);
        fprintf(out, "- %s %s (%s): %.1f %% of its %s roof — %s\n", name, k->shape,
                sdn_prof_phase_name(k->phase), k->p50_roof_pct, k->bound, k->why);
    }
}

static void layer_table(const sdn_profile_report *r, FILE *out)
{
    static const char *const cols[SDN_COL_COUNT] = {"forward", "backward", "weight grad",
                                                    "optimizer", "other"};
    const double steps = r->steps ? r->steps : 1;
    fprintf(out, "Each layer's time per step in each phase (its scopes, summed over threads), in "
                 "ms; \"(outside layers)\" counts the kernels no layer encloses (the loss), "
                 "\"(batch preparation)\" the next batch's.\n\n| layer |");
    for (int c = 0; c < SDN_COL_COUNT; c++)
        fprintf(out, " %s ms |", cols[c]);
    fprintf(out, " GFLOP/s | folded calls/step |\n|---|");
    for (int c = 0; c < SDN_COL_COUNT + 2; c++)
        fprintf(out, "--:|");
    fputc('\n', out);
    for (int i = 0; i < r->n_layers; i++) {
        const sdn_layer_stat *l = &r->layers[i];
        double ns = 0;
        fprintf(out, "| %s |", l->name);
        for (int c = 0; c < SDN_COL_COUNT; c++) {
            fprintf(out, " %.4f |", l->ns[c] * 1e-6 / steps);
            ns += l->ns[c];
        }
        fprintf(out, " %.1f | %.1f |\n", ns > 0 ? l->flops / ns : 0, (double)l->folded / steps);
    }
}

static void thread_row(const sdn_profile_report *r, const sdn_thread_stat *s, FILE *out)
{
    const double steps = r->steps ? r->steps : 1;
    double busy = 0;
    for (int q = 0; q < r->n_phases; q++)
        busy += s->phase_ns[q];
    fprintf(out, "| %s | %.4f | %.4f | %.4f | %.1f | %.4f |", s->name, s->region_ns * 1e-6 / steps,
            busy * 1e-6 / steps, s->wait_ns * 1e-6 / steps, s->max_wait_ns * 1e-3,
            s->kernel_ns * 1e-6 / steps);
    if (s->ran_ns > 0)
        fprintf(out, " %.4f | %.4f | %.2f | %.2f |", s->ran_ns * 1e-6 / steps,
                s->pass_ns > s->ran_ns ? (s->pass_ns - s->ran_ns) * 1e-6 / steps : 0,
                (double)s->ctr.v[SDN_CTR_CTX_SWITCHES] / steps,
                (double)s->ctr.v[SDN_CTR_MIGRATIONS] / steps);
    else
        fprintf(out, " – | – | – | – |");
    if (s->ctr.v[SDN_CTR_CYCLES])
        fprintf(out, " %.2f |", (double)s->ctr.v[SDN_CTR_INSTRUCTIONS] / s->ctr.v[SDN_CTR_CYCLES]);
    else
        fprintf(out, " – |");
    fputc('\n', out);
}

static void thread_table(const sdn_profile_report *r, FILE *out)
{
    fprintf(out,
            "Per step, in ms. pass: from the thread's start to the parallel region's end = busy + "
            "barrier wait. Barrier wait: at the pass's barriers from the thread's arrival to the "
            "last thread's, the region's end included, inside layers, and at a stage's wait for "
            "its hand-over. ran: task-clock, the time the thread was on a core from its start to "
            "its last barrier; descheduled: the rest of that time, when the host took the core "
            "away (preemption, not imbalance). in kernels is part of busy.\n\n| thread | pass "
            "| busy | barrier wait | "
            "longest wait µs | in kernels | ran | descheduled | context switches | migrations "
            "| IPC |\n|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n");
    for (int t = 0; t < r->n_threads; t++)
        thread_row(r, &r->threads[t], out);
    fprintf(out, "\nImbalance per parallel phase (slowest thread's busy time / mean, averaged "
                 "over steps; 1.00 is perfect):");
    for (int q = 0; q < r->n_phases; q++)
        fprintf(out, " phase %d: %.3f%s", q + 1, r->imbalance[q], q + 1 < r->n_phases ? ";" : "");
    fputc('\n', out);
}

/* With --profile-counters kernel: each row's counters per call. */
static void kernel_counters(const sdn_profile_report *r, FILE *out)
{
    const int hw = (r->d->counters_mask >> SDN_CTR_CYCLES) & 1;
    fprintf(out, "\n### Counters per kernel row (per call; each call read them twice)\n\n| kernel "
                 "| shape | in | µs | ran µs | context switches / 1000 calls | migrations / "
                 "1000 calls | IPC | L1d misses | LLC misses |\n|---|---|---|--:|--:|--:|--:|--:|"
                 "--:|--:|\n");
    for (int i = 0; i < r->n_kernels; i++) {
        const sdn_kernel_stat *k = &r->kernels[i];
        const double c = k->calls ? (double)k->calls : 1;
        char name[64];
        const char *own;
        sdn_prof_split_fn(k->fn, name, sizeof name, &own);
        fprintf(out, "| %s | %s | %s | %.2f | %.2f | %.2f | %.2f |", name, k->shape,
                sdn_prof_phase_name(k->phase), k->mean_us,
                (double)k->ctr.v[SDN_CTR_TASK_CLOCK] / c * 1e-3,
                1000.0 * (double)k->ctr.v[SDN_CTR_CTX_SWITCHES] / c,
                1000.0 * (double)k->ctr.v[SDN_CTR_MIGRATIONS] / c);
        if (hw && k->ctr.v[SDN_CTR_CYCLES])
            fprintf(out, " %.2f | %.1f | %.1f |\n",
                    (double)k->ctr.v[SDN_CTR_INSTRUCTIONS] / (double)k->ctr.v[SDN_CTR_CYCLES],
                    (double)k->ctr.v[SDN_CTR_L1D_MISSES] / c,
                    (double)k->ctr.v[SDN_CTR_LLC_MISSES] / c);
        else
            fprintf(out, " – | – | – |\n");
    }
}

void sdn_prof_write_md(const sdn_profile_report *r, FILE *out)
{
    header(r, out);
    step_section(r, out);
    fprintf(out,
            "\n## Kernels\n\nOne row per kernel, shape and phase, largest share of the step "
            "first. Times are per call on one thread; %% of step is the row's time per step over "
            "the start-to-start step × the threads. The roof is one thread's least time for "
            "one call under each ceiling — FMA (scaled by the part of the register tile a narrow "
            "GEMM fills), exp, sqrt+div and compare-select per element, and the bandwidth for "
            "the call's number of streams at the cache level its bytes fit in — and bound "
            "names the one that binds. %% of roof is at the median call, which preemption "
            "does not move.\n\n");
    sdn_prof_write_kernel_table(r, out);
    above_list(r, out);
    if (r->d->counters_mode == SDN_COUNTERS_KERNEL)
        kernel_counters(r, out);
    fprintf(out, "\n## Layers\n\n");
    layer_table(r, out);
    fprintf(out, "\n## Threads\n\n");
    thread_table(r, out);
}
