/* profile.json (every figure, versioned, with a machine header), profile.csv (one row per kernel)
 * and the folder they go to; each file is written to a temporary name and renamed. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "platform/platform.h"
#include "report.h"

#ifndef SDN_BUILD_FLAGS
#define SDN_BUILD_FLAGS "?"
#endif
#ifndef SDN_VERSION_STRING
#define SDN_VERSION_STRING "?"
#endif

void sdn_prof_json_str(FILE *out, const char *s)
{
    fputc('"', out);
    for (; *s; s++) {
        const unsigned char ch = (unsigned char)*s;
        if (ch == '"' || ch == '\\')
            fprintf(out, "\\%c", ch);
        else if (ch < 0x20)
            fprintf(out, "\\u%04x", ch);
        else
            fputc(ch, out);
    }
    fputc('"', out);
}

void sdn_prof_write_machine_json(FILE *out, const char *in)
{
    const sdn_cpu_info *cpu = sdn_cpu();
    const sdn_prof_data *d = sdn_prof_records();
    char brand[128];
    snprintf(brand, sizeof brand, "%s%s%s", cpu->vendor, cpu->brand[0] ? " " : "", cpu->brand);
    fprintf(out, "%s\"cpu\": ", in);
    sdn_prof_json_str(out, brand);
    fprintf(out, ",\n%s\"isa\": \"%s\",\n%s\"runs\": [", in, sdn_isa_name(sdn_active_isa()), in);
    const char *sep = "";
    for (int i = 0; i < SDN_ISA_COUNT; i++)
        if (sdn_isa_supported((sdn_isa)i)) {
            fprintf(out, "%s\"%s\"", sep, sdn_isa_name((sdn_isa)i));
            sep = ", ";
        }
    fprintf(out,
            "],\n%s\"threads\": %d,\n%s\"core_round_trip_ns\": [%.1f, %.1f],\n%s\"compiler\": ", in,
            d->omp_threads, in, d->core_rtt_ns[0], d->core_rtt_ns[1], in);
#ifdef __VERSION__
    sdn_prof_json_str(out, "gcc-compatible " __VERSION__);
#else
    sdn_prof_json_str(out, "?");
#endif
    fprintf(out, ",\n%s\"flags\": ", in);
    sdn_prof_json_str(out, SDN_BUILD_FLAGS);
    fprintf(out,
            ",\n%s\"openmp\": %s,\n%s\"simdnn_version\": \"%s\",\n%s\"counter\": \"%s\",\n"
            "%s\"counter_hz\": %.0f",
            in,
#ifdef _OPENMP
            "true",
#else
            "false",
#endif
            in, SDN_VERSION_STRING, in, sdn_clock_name(), in, d->ticks_per_second);
}

static const char *bound_name(const sdn_kernel_stat *k)
{
    return k->roof_gflops <= 0 ? ""
           : k->compute_bound  ? "compute"
                               : sdn_roof_level_name(k->from_cache);
}

static void kernel_name_json(FILE *out, const sdn_kernel_stat *k)
{
    fprintf(out, "\"kernel\": ");
    sdn_prof_json_str(out, k->fn);
    fprintf(out, ", \"kind\": \"%s\", \"isa\": \"%s\", \"phase\": \"%s\"",
            sdn_kernel_kind_name(k->kind), sdn_isa_name(k->isa), sdn_prof_phase_name(k->phase));
}

void sdn_prof_write_json(const sdn_profile_report *r, FILE *out)
{
    const sdn_prof_data *d = sdn_prof_records();
    const sdn_calibration *c = &r->cal;
    fprintf(out, "{\n  \"format\": \"simdnn-profile\",\n  \"version\": 1,\n  \"machine\": {\n");
    sdn_prof_write_machine_json(out, "    ");
    fprintf(out,
            "\n  },\n  \"schedule\": {\"wait\": %d, \"warmup\": %d, \"active\": %d, "
            "\"kept_steps\": %d},\n",
            d->wait, d->warmup, d->active, r->steps);
    fprintf(out,
            "  \"calibration\": {\"threads\": %d, \"triad_gbs\": [%.3f, %.3f], "
            "\"peak_gflops\": {",
            c->threads, c->triad_gbs[0], c->triad_gbs[1]);
    for (int i = 0; i < SDN_ISA_COUNT; i++)
        fprintf(out, "%s\"%s\": [%.3f, %.3f]", i ? ", " : "", sdn_isa_name((sdn_isa)i),
                c->peak_gflops[i][0], c->peak_gflops[i][1]);
    fprintf(out, "}, \"l1_l2_l3_stream_gbs\": {");
    for (int i = 0; i < SDN_ISA_COUNT; i++)
        fprintf(out, "%s\"%s\": [%.3f, %.3f, %.3f]", i ? ", " : "", sdn_isa_name((sdn_isa)i),
                c->cache_gbs[i][0], c->cache_gbs[i][1], c->cache_gbs[i][2]);
    fprintf(out,
            "}},\n  \"step\": {\"wall_ms\": %.6f, \"wall_p50_ms\": %.6f, \"flops\": %.0f, "
            "\"gflops\": %.4f, \"peak_gflops\": %.3f, \"mfu_pct\": %.3f, \"threads_used\": %d, "
            "\"kernel_ms\": %.6f, \"records\": %zu, \"record_cost_ns\": %.2f, "
            "\"overhead_pct\": %.4f},\n",
            r->steps ? r->step_wall_ns * 1e-6 / r->steps : 0, r->step_wall_p50_ns * 1e-6,
            r->steps ? r->step_flops / r->steps : 0, r->step_gflops, r->peak_gflops, r->mfu_pct,
            r->threads_used, r->steps ? r->kernel_ns * 1e-6 / r->steps : r->kernel_ns * 1e-6,
            d->n_events, d->record_cost_ns, sdn_prof_overhead_pct(r));
    fprintf(out, "  \"kernels\": [\n");
    for (int i = 0; i < r->n_kernels; i++) {
        const sdn_kernel_stat *k = &r->kernels[i];
        fprintf(out, "    {");
        kernel_name_json(out, k);
        fprintf(out,
                ", \"calls\": %zu, \"total_ms\": %.6f, \"self_pct\": %.3f, \"mean_us\": %.4f, "
                "\"p50_us\": %.4f, \"p99_us\": %.4f, \"flops\": %.0f, \"bytes\": %.0f, "
                "\"gflops\": %.4f, \"gbs\": %.4f, \"flop_per_byte\": %.4f, "
                "\"roof_gflops\": %.3f, \"roof_pct\": %.3f, \"bound\": \"%s\", "
                "\"p50_gflops\": %.4f, \"p50_roof_pct\": %.3f, \"shape\": \"%s\"}%s\n",
                k->calls, k->total_ns * 1e-6,
                r->kernel_ns > 0 ? 100.0 * k->total_ns / r->kernel_ns : 0, k->mean_us, k->p50_us,
                k->p99_us, k->flops, k->bytes, k->gflops, k->gbs, k->intensity, k->roof_gflops,
                k->roof_pct, bound_name(k), k->p50_gflops, k->p50_roof_pct, k->shape,
                i + 1 < r->n_kernels ? "," : "");
    }
    fprintf(out, "  ],\n  \"layers\": [\n");
    const double steps = r->steps ? r->steps : 1;
    for (int i = 0; i < r->n_layers; i++) {
        const sdn_layer_stat *l = &r->layers[i];
        fprintf(out, "    {\"layer\": ");
        sdn_prof_json_str(out, l->name);
        fprintf(out,
                ", \"index\": %d, \"forward_ms\": %.6f, \"backward_ms\": %.6f, "
                "\"weight_grad_ms\": %.6f, \"optimizer_ms\": %.6f, \"other_ms\": %.6f, "
                "\"flops\": %.0f}%s\n",
                l->layer, l->ns[0] * 1e-6 / steps, l->ns[1] * 1e-6 / steps, l->ns[2] * 1e-6 / steps,
                l->ns[3] * 1e-6 / steps, l->ns[4] * 1e-6 / steps, l->flops / steps,
                i + 1 < r->n_layers ? "," : "");
    }
    fprintf(out, "  ],\n  \"threads\": [\n");
    for (int t = 0; t < r->n_threads; t++) {
        const sdn_thread_stat *s = &r->threads[t];
        fprintf(out, "    {\"thread\": ");
        sdn_prof_json_str(out, s->name);
        fprintf(out,
                ", \"pass_ms\": %.6f, \"barrier_wait_ms\": %.6f, \"kernel_ms\": %.6f, "
                "\"phase_busy_ms\": [",
                s->pass_ns * 1e-6 / steps, s->wait_ns * 1e-6 / steps, s->kernel_ns * 1e-6 / steps);
        for (int q = 0; q < r->n_phases; q++)
            fprintf(out, "%s%.6f", q ? ", " : "", s->phase_ns[q] * 1e-6 / steps);
        fprintf(out, "]}%s\n", t + 1 < r->n_threads ? "," : "");
    }
    fprintf(out, "  ],\n  \"imbalance\": [");
    for (int q = 0; q < r->n_phases; q++)
        fprintf(out, "%s%.4f", q ? ", " : "", r->imbalance[q]);
    fprintf(out, "]\n}\n");
}

void sdn_prof_write_csv(const sdn_profile_report *r, FILE *out)
{
    fprintf(out,
            "kernel,kind,isa,phase,calls,total_ms,self_pct,mean_us,p50_us,p99_us,flops,bytes,"
            "gflops,gbs,flop_per_byte,roof_gflops,roof_pct,bound,p50_gflops,p50_roof_pct,shape\n");
    for (int i = 0; i < r->n_kernels; i++) {
        const sdn_kernel_stat *k = &r->kernels[i];
        fprintf(
            out,
            "%s,%s,%s,%s,%zu,%.6f,%.3f,%.4f,%.4f,%.4f,%.0f,%.0f,%.4f,%.4f,%.4f,%.3f,%.3f,%s,%.4f,"
            "%.3f,%s\n",
            k->fn, sdn_kernel_kind_name(k->kind), sdn_isa_name(k->isa),
            sdn_prof_phase_name(k->phase), k->calls, k->total_ns * 1e-6,
            r->kernel_ns > 0 ? 100.0 * k->total_ns / r->kernel_ns : 0, k->mean_us, k->p50_us,
            k->p99_us, k->flops, k->bytes, k->gflops, k->gbs, k->intensity, k->roof_gflops,
            k->roof_pct, bound_name(k), k->p50_gflops, k->p50_roof_pct, k->shape);
    }
}

/* ------------------------------------------------------------------ the folder */

sdn_status sdn_prof_prepare_dir(const char *dir)
{
    char path[1024];
    if (!dir || !*dir)
        return sdn_fail(SDN_ERR_INVALID_ARG, "profile: the output folder is empty");
    if (snprintf(path, sizeof path, "%s", dir) >= (int)sizeof path)
        return sdn_fail(SDN_ERR_INVALID_ARG, "profile: folder name too long");
    for (char *p = path + 1;; p++) { /* mkdir -p */
        const int last = *p == 0;
        if (*p == '/' || last) {
            *p = 0;
            if ((errno = sdn_mkdir(path)))
                return sdn_fail(SDN_ERR_IO, "profile: cannot create folder %s: %s", path,
                                strerror(errno));
            if (last)
                break;
            *p = '/';
        }
    }
    if (sdn_path_kind_of(dir) != SDN_PATH_DIR)
        return sdn_fail(SDN_ERR_IO, "profile: %s is not a folder", dir);
    return SDN_OK;
}

typedef enum { OUT_MD, OUT_JSON, OUT_CSV, OUT_TRACE } out_kind;

static sdn_status write_one(const char *dir, const char *name, out_kind kind,
                            const sdn_profile_report *r)
{
    char path[1100], tmp[1120];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = sdn_fopen(tmp, "w");
    if (!f)
        return sdn_fail(SDN_ERR_IO, "profile: cannot write %s: %s", tmp, strerror(errno));
    sdn_status st = SDN_OK;
    switch (kind) {
    case OUT_MD:
        sdn_prof_write_md(r, f);
        break;
    case OUT_JSON:
        sdn_prof_write_json(r, f);
        break;
    case OUT_CSV:
        sdn_prof_write_csv(r, f);
        break;
    case OUT_TRACE:
        st = sdn_prof_write_trace(sdn_prof_records(), f);
        break;
    }
    const int bad = ferror(f);
    if (fclose(f) || bad || st) {
        sdn_remove(tmp);
        return st ? st : sdn_fail(SDN_ERR_IO, "profile: cannot write %s", path);
    }
    if ((errno = sdn_replace_file(tmp, path)))
        return sdn_fail(SDN_ERR_IO, "profile: cannot rename %s: %s", tmp, strerror(errno));
    return SDN_OK;
}

sdn_status sdn_prof_write_all(const char *dir)
{
    sdn_calibration cal;
    sdn_status st = sdn_prof_prepare_dir(dir);
    if (st || (st = sdn_calibration_get(&cal, 0, NULL)))
        return st;
    sdn_profile_report r;
    if ((st = sdn_profile_analyze(sdn_prof_records(), &cal, &r)))
        return st;
    if (!(st = write_one(dir, "profile.md", OUT_MD, &r)) &&
        !(st = write_one(dir, "profile.json", OUT_JSON, &r)) &&
        !(st = write_one(dir, "profile.csv", OUT_CSV, &r)))
        st = write_one(dir, "trace.json", OUT_TRACE, &r);
    sdn_profile_report_free(&r);
    return st;
}
