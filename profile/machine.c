/* The machine header shared by profile.json and the trace (CPU, ISA, caches and their sources,
 * threads, round trip, build, counter, counters), and the small text helpers of the writers. */
#include <string.h>

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
    for (; s && *s; s++) {
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

void sdn_prof_split_fn(const char *fn, char *name, size_t size, const char **isa)
{
    fn = fn ? fn : "?";
    const char *s = strncmp(fn, "sdn_", 4) ? fn : fn + 4;
    const char *sep = strstr(s, "__");
    snprintf(name, size, "%.*s", sep ? (int)(sep - s) : (int)strlen(s), s);
    *isa = sep ? sep + 2 : "?";
}

static void counters_json(const sdn_prof_data *d, FILE *out, const char *in)
{
    fprintf(out, ",\n%s\"counters\": [", in);
    const char *sep = "";
    for (int c = 0; c < SDN_CTR_COUNT; c++)
        if (d->counters_mask & 1u << c) {
            fprintf(out, "%s", sep);
            sdn_prof_json_str(out, sdn_counter_name(c));
            sep = ", ";
        }
    fprintf(out, "],\n%s\"counters_note\": ", in);
    sdn_prof_json_str(out, d->counters_note);
}

void sdn_prof_write_machine_json(const sdn_prof_data *d, FILE *out, const char *in)
{
    const sdn_cpu_info *cpu = sdn_cpu();
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
            "],\n%s\"caches\": {\"l1d\": [%zu, \"%s\"], \"l2\": [%zu, \"%s\"], \"l3\": [%zu, "
            "\"%s\"]},\n",
            in, cpu->l1d_bytes, cpu->l1d_source, cpu->l2_bytes, cpu->l2_source, cpu->l3_bytes,
            cpu->l3_source);
    fprintf(out,
            "%s\"threads\": %d,\n%s\"core_round_trip_ns\": [%.1f, %.1f],\n%s\"compiler\": ", in,
            d->omp_threads, in, d->core_rtt_ns[0], d->core_rtt_ns[1], in);
#ifdef __VERSION__
    sdn_prof_json_str(out, "gcc-compatible " __VERSION__);
#else
    sdn_prof_json_str(out, "?");
#endif
    fprintf(out, ",\n%s\"flags\": ", in);
    sdn_prof_json_str(out, SDN_BUILD_FLAGS);
    fprintf(out, ",\n%s\"simdnn_version\": \"%s\",\n%s\"counter\": \"%s\",\n%s\"counter_hz\": %.0f",
            in, SDN_VERSION_STRING, in, d->counter_name ? d->counter_name : "?", in,
            d->ticks_per_second);
    counters_json(d, out, in);
}
