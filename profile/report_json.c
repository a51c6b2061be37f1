/* profile.json (every figure, versioned, with a machine header and the calibration it was read
 * against) and profile.csv (one row per kernel). Version 2: per-call and per-step figures, the
 * start-to-start step, roofs per limiter, counters. */
#include "report.h"

static void calibration_json(const sdn_profile_report *r, FILE *out)
{
    const sdn_calibration *c = &r->cal;
    char sig[200], caches[160];
    sdn_calibration_signature(c, r->isa, sig, sizeof sig);
    sdn_calibration_caches(c, caches, sizeof caches);
    fprintf(out, "  \"calibration\": {\"threads\": %d, \"signature\": ", c->threads);
    sdn_prof_json_str(out, sig);
    fprintf(out, ", \"caches\": ");
    sdn_prof_json_str(out, caches);
    fprintf(out, ", \"triad_gbs\": [%.3f, %.3f], \"isa\": {", c->triad_gbs[0], c->triad_gbs[1]);
    const char *sep = "";
    for (int i = 0; i < SDN_ISA_COUNT; i++) {
        if (!(c->peak_gflops[i][0] > 0))
            continue;
        fprintf(out,
                "%s\"%s\": {\"peak_gflops\": [%.3f, %.3f], \"exp_gops\": %.4f, "
                "\"sqrtdiv_gops\": %.4f, \"cmpsel_gops\": %.4f, \"stream_gbs\": [",
                sep, sdn_isa_name((sdn_isa)i), c->peak_gflops[i][0], c->peak_gflops[i][1],
                c->exp_gops[i], c->sqrtdiv_gops[i], c->cmpsel_gops[i]);
        for (int l = 0; l < SDN_LVL_COUNT; l++) {
            fprintf(out, "%s[", l ? ", " : "");
            for (int s = 0; s < SDN_N_STREAMS; s++)
                fprintf(out, "%s%.2f", s ? ", " : "", c->stream_gbs[i][l][s]);
            fprintf(out, "]");
        }
        fprintf(out, "]}");
        sep = ", ";
    }
    fprintf(out, "}},\n");
}

/* bytes of kind k (weights, activations, partial sums) a kept team pass moved between cores */
static double cross_per_pass(const sdn_prof_data *d, int k)
{
    return d->cross_passes ? d->cross_bytes[k] / d->cross_passes : 0.0;
}

static void step_json(const sdn_profile_report *r, FILE *out)
{
    const sdn_prof_data *d = r->d;
    const sdn_step_stat *s = &r->step;
    fprintf(out,
            "  \"step\": {\"intervals\": %d, \"wall_ms\": %.6f, \"wall_p50_ms\": %.6f, "
            "\"wall_p99_ms\": %.6f, \"pass_ms\": %.6f, \"fork_ms\": %.6f, \"join_ms\": %.6f, "
            "\"batch_prep_ms\": %.6f, \"other_ms\": %.6f, \"flops\": %.0f, \"gflops\": %.4f, "
            "\"peak_gflops\": %.3f, \"mfu_pct\": %.3f, \"threads_used\": %d, "
            "\"kernel_ms\": %.6f, \"records\": %zu, \"record_cost_ns\": %.2f, "
            "\"overhead_pct\": %.4f, \"folded_calls\": %zu, \"above_roof\": %d, "
            "\"cross_core_bytes\": {\"passes\": %u, \"staged\": %u, \"weights\": %.0f, "
            "\"activations\": %.0f, "
            "\"partials\": %.0f}},\n",
            s->intervals, s->wall_ns * 1e-6, s->wall_p50_ns * 1e-6, s->wall_p99_ns * 1e-6,
            s->pass_ns * 1e-6, s->fork_ns * 1e-6, s->join_ns * 1e-6, s->prep_ns * 1e-6,
            s->other_ns * 1e-6, r->steps ? r->step_flops / r->steps : 0, r->step_gflops,
            r->peak_gflops, r->mfu_pct, r->threads_used,
            r->steps ? r->kernel_ns * 1e-6 / r->steps : r->kernel_ns * 1e-6, d->n_events,
            d->record_cost_ns, sdn_prof_overhead_pct(r), d->folded_calls, r->n_above,
            d->cross_passes, d->staged_passes, cross_per_pass(d, 0), cross_per_pass(d, 1),
            cross_per_pass(d, 2));
}

static void kernel_json(const sdn_kernel_stat *k, FILE *out, int last, double steps)
{
    fprintf(out, "    {\"kernel\": ");
    sdn_prof_json_str(out, k->fn);
    fprintf(out,
            ", \"kind\": \"%s\", \"isa\": \"%s\", \"phase\": \"%s\", \"shape\": \"%s\", "
            "\"calls\": %zu, \"calls_per_step\": %.3f, \"ms_per_step\": %.6f, "
            "\"share_of_step_pct\": %.3f, \"mean_us\": %.4f, \"p50_us\": %.4f, "
            "\"p99_us\": %.4f, \"flops_per_call\": %.0f, \"bytes_per_call\": %.0f, "
            "\"gflops\": %.4f, \"p50_gflops\": %.4f, \"gbs\": %.4f, \"flop_per_byte\": %.4f, "
            "\"level\": \"%s\", \"streams\": %.2f, \"roof_gflops\": %.3f, \"roof_pct\": %.3f, "
            "\"p50_roof_pct\": %.3f, \"bound\": ",
            sdn_kernel_kind_name(k->kind), sdn_isa_name(k->isa), sdn_prof_phase_name(k->phase),
            k->shape, k->calls, (double)k->calls / steps, k->ms_per_step, k->share_pct, k->mean_us,
            k->p50_us, k->p99_us, k->flops / (double)k->calls, k->bytes / (double)k->calls,
            k->gflops, k->p50_gflops, k->gbs, k->intensity, sdn_level_name(k->level), k->streams,
            k->roof_gflops, k->roof_pct, k->p50_roof_pct);
    sdn_prof_json_str(out, k->bound);
    fprintf(out, ", \"above_roof\": %s, \"why\": ", k->above ? "true" : "false");
    sdn_prof_json_str(out, k->above ? k->why : "");
    fprintf(out, ", \"counters\": [");
    for (int c = 0; c < SDN_CTR_COUNT; c++)
        fprintf(out, "%s%llu", c ? ", " : "", (unsigned long long)k->ctr.v[c]);
    fprintf(out, "]}%s\n", last ? "" : ",");
}

static void thread_json(const sdn_profile_report *r, FILE *out, double steps)
{
    fprintf(out, "  ],\n  \"threads\": [\n");
    for (int t = 0; t < r->n_threads; t++) {
        const sdn_thread_stat *s = &r->threads[t];
        fprintf(out, "    {\"thread\": ");
        sdn_prof_json_str(out, s->name);
        fprintf(
            out,
            ", \"pass_ms\": %.6f, \"region_ms\": %.6f, \"ran_ms\": %.6f, \"descheduled_ms\": %.6f, "
            "\"barrier_wait_ms\": %.6f, \"max_wait_us\": %.3f, \"kernel_ms\": %.6f, "
            "\"counters_per_step\": [",
            s->pass_ns * 1e-6 / steps, s->region_ns * 1e-6 / steps, s->ran_ns * 1e-6 / steps,
            s->ran_ns > 0 && s->pass_ns > s->ran_ns ? (s->pass_ns - s->ran_ns) * 1e-6 / steps : 0,
            s->wait_ns * 1e-6 / steps, s->max_wait_ns * 1e-3, s->kernel_ns * 1e-6 / steps);
        for (int c = 0; c < SDN_CTR_COUNT; c++)
            fprintf(out, "%s%.2f", c ? ", " : "", (double)s->ctr.v[c] / steps);
        fprintf(out, "], \"phase_busy_ms\": [");
        for (int q = 0; q < r->n_phases; q++)
            fprintf(out, "%s%.6f", q ? ", " : "", s->phase_ns[q] * 1e-6 / steps);
        fprintf(out, "]}%s\n", t + 1 < r->n_threads ? "," : "");
    }
}

void sdn_prof_write_json(const sdn_profile_report *r, FILE *out)
{
    const sdn_prof_data *d = r->d;
    const double steps = r->steps ? r->steps : 1;
    fprintf(out, "{\n  \"format\": \"simdnn-profile\",\n  \"version\": 2,\n  \"machine\": {\n");
    sdn_prof_write_machine_json(d, out, "    ");
    fprintf(out,
            "\n  },\n  \"schedule\": {\"wait\": %d, \"warmup\": %d, \"active\": %d, "
            "\"kept_steps\": %d},\n",
            d->wait, d->warmup, d->active, r->steps);
    calibration_json(r, out);
    step_json(r, out);
    fprintf(out, "  \"kernels\": [\n");
    for (int i = 0; i < r->n_kernels; i++)
        kernel_json(&r->kernels[i], out, i + 1 == r->n_kernels, steps);
    fprintf(out, "  ],\n  \"layers\": [\n");
    for (int i = 0; i < r->n_layers; i++) {
        const sdn_layer_stat *l = &r->layers[i];
        fprintf(out, "    {\"layer\": ");
        sdn_prof_json_str(out, l->name);
        fprintf(out,
                ", \"index\": %d, \"forward_ms\": %.6f, \"backward_ms\": %.6f, "
                "\"weight_grad_ms\": %.6f, \"optimizer_ms\": %.6f, \"other_ms\": %.6f, "
                "\"flops\": %.0f, \"folded_calls\": %llu}%s\n",
                l->layer, l->ns[0] * 1e-6 / steps, l->ns[1] * 1e-6 / steps, l->ns[2] * 1e-6 / steps,
                l->ns[3] * 1e-6 / steps, l->ns[4] * 1e-6 / steps, l->flops / steps,
                (unsigned long long)l->folded, i + 1 < r->n_layers ? "," : "");
    }
    thread_json(r, out, steps);
    fprintf(out, "  ],\n  \"imbalance\": [");
    for (int q = 0; q < r->n_phases; q++)
        fprintf(out, "%s%.4f", q ? ", " : "", r->imbalance[q]);
    fprintf(out, "]\n}\n");
}

void sdn_prof_write_csv(const sdn_profile_report *r, FILE *out)
{
    const double steps = r->steps ? r->steps : 1;
    fprintf(out, "kernel,kind,isa,phase,shape,calls_per_step,ms_per_step,share_of_step_pct,"
                 "mean_us,p50_us,p99_us,gflops,p50_gflops,gbs,flop_per_byte,level,streams,"
                 "roof_gflops,p50_roof_pct,bound,above_roof\n");
    for (int i = 0; i < r->n_kernels; i++) {
        const sdn_kernel_stat *k = &r->kernels[i];
        fprintf(out,
                "%s,%s,%s,%s,%s,%.3f,%.6f,%.3f,%.4f,%.4f,%.4f,%.4f,%.4f,%.4f,%.4f,%s,%.2f,%.3f,"
                "%.3f,\"%s\",%d\n",
                k->fn, sdn_kernel_kind_name(k->kind), sdn_isa_name(k->isa),
                sdn_prof_phase_name(k->phase), k->shape, (double)k->calls / steps, k->ms_per_step,
                k->share_pct, k->mean_us, k->p50_us, k->p99_us, k->gflops, k->p50_gflops, k->gbs,
                k->intensity, sdn_level_name(k->level), k->streams, k->roof_gflops, k->p50_roof_pct,
                k->bound, k->above);
    }
}
