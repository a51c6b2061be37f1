/* trace.json in the Chrome Trace Event format (Perfetto, chrome://tracing): per thread one
 * complete ("X") event per scope and kernel call, nested strictly (times are integer ns from one
 * monotonic conversion, written exactly as µs with three decimals), barrier waits as events of
 * their own, thread names as metadata ("M"), and a GFLOP/s counter ("C") per thread. */
#include <stdlib.h>
#include <string.h>

#include "report.h"

static const sdn_prof_event *sort_base;

/* start time, then the enclosing (longer, shallower) event first */
static int cmp_event(const void *a, const void *b)
{
    const sdn_prof_event *x = &sort_base[*(const size_t *)a], *y = &sort_base[*(const size_t *)b];
    if (x->t0 != y->t0)
        return x->t0 < y->t0 ? -1 : 1;
    if (x->t1 != y->t1)
        return x->t1 > y->t1 ? -1 : 1;
    return (x->depth > y->depth) - (x->depth < y->depth);
}

static void put_us(FILE *out, const char *key, uint64_t ns)
{
    fprintf(out, "\"%s\": %llu.%03llu", key, (unsigned long long)(ns / 1000),
            (unsigned long long)(ns % 1000));
}

static void complete_event(FILE *out, const char *name, const char *cat, int tid, uint64_t b,
                           uint64_t e)
{
    fprintf(out, ",\n{\"ph\": \"X\", \"pid\": 1, \"tid\": %d, \"name\": ", tid);
    sdn_prof_json_str(out, name);
    fprintf(out, ", \"cat\": \"%s\", ", cat);
    put_us(out, "ts", b);
    fprintf(out, ", ");
    put_us(out, "dur", e - b);
}

static void kernel_event(FILE *out, const sdn_prof_data *d, const sdn_prof_event *e, int tid)
{
    const uint64_t b = sdn_prof_ns(d, e->t0), en = sdn_prof_ns(d, e->t1);
    complete_event(out, e->fn, "kernel", tid, b, en);
    fprintf(out, ", \"args\": {\"kind\": \"%s\", \"isa\": \"%s\", ", sdn_kernel_kind_name(e->kind),
            sdn_isa_name((sdn_isa)e->isa));
    if (e->kind == SDN_KK_GEMM)
        fprintf(out, "\"m\": %u, \"n\": %u, \"k\": %u", e->m, e->n, e->k);
    else if (e->m)
        fprintf(out, "\"rows\": %u, \"cols\": %u", e->m, e->n);
    else
        fprintf(out, "\"n\": %u", e->n);
    fprintf(out, ", \"calls\": %u, \"flops\": %.0f, \"bytes\": %.0f, \"layer\": ", e->calls,
            e->flops, e->bytes);
    sdn_prof_json_str(out, e->layer >= 0 ? e->name : "");
    fprintf(out, "}}");
    /* the thread's GFLOP/s while the kernel runs, back to 0 after it */
    const double gflops = en > b ? e->flops / (double)(en - b) : 0;
    fprintf(out, ",\n{\"ph\": \"C\", \"pid\": 1, \"tid\": %d, \"name\": \"GFLOP/s thread %d\", ",
            tid, tid - 1);
    put_us(out, "ts", b);
    fprintf(out, ", \"args\": {\"GFLOP/s\": %.3f}}", gflops);
    fprintf(out, ",\n{\"ph\": \"C\", \"pid\": 1, \"tid\": %d, \"name\": \"GFLOP/s thread %d\", ",
            tid, tid - 1);
    put_us(out, "ts", en);
    fprintf(out, ", \"args\": {\"GFLOP/s\": 0}}");
}

/* Barrier releases per (step, barrier number) and the last pass end per step, in ns. */
typedef struct releases {
    uint64_t *at; /* [steps × SDN_MAX_PHASES]: barriers 0..2, then the region's end */
} releases;

static int find_releases(const sdn_prof_data *d, releases *rl)
{
    const size_t S = d->n_steps ? d->n_steps : 1;
    rl->at = calloc(S * SDN_MAX_PHASES, sizeof *rl->at);
    if (!rl->at)
        return -1;
    for (int t = 0; t < d->n_threads; t++)
        for (size_t j = 0; j < d->threads[t]->n; j++) {
            const sdn_prof_event *e = &d->threads[t]->ev[j];
            if (e->step >= S)
                continue;
            uint64_t *row = &rl->at[e->step * SDN_MAX_PHASES];
            if (e->type == SDN_EV_BARRIER && e->kind == SDN_BARRIER_PASS &&
                e->m < SDN_MAX_PHASES - 1) {
                const uint64_t ns = sdn_prof_ns(d, e->t0);
                row[e->m] = ns > row[e->m] ? ns : row[e->m];
            } else if (e->type == SDN_EV_SCOPE && e->kind == SDN_PHASE_STEP) {
                const uint64_t ns = sdn_prof_ns(d, e->t1);
                row[SDN_MAX_PHASES - 1] =
                    ns > row[SDN_MAX_PHASES - 1] ? ns : row[SDN_MAX_PHASES - 1];
            }
        }
    return 0;
}

static void thread_events(FILE *out, const sdn_prof_data *d, const sdn_prof_thread *th, int tid,
                          const releases *rl, const size_t *order)
{
    for (size_t i = 0; i < th->n; i++) {
        const sdn_prof_event *e = &th->ev[order[i]];
        const uint64_t *row =
            e->step < (d->n_steps ? d->n_steps : 1) ? &rl->at[e->step * SDN_MAX_PHASES] : NULL;
        if (e->type == SDN_EV_KERNEL) {
            kernel_event(out, d, e, tid);
        } else if (e->type == SDN_EV_SCOPE) {
            static const char *const phase[SDN_PHASE_COUNT] = {
                "", "", " forward", " backward", " weight grad", " optimizer", "", ""};
            char name[64];
            snprintf(name, sizeof name, "%s%s", e->name,
                     e->kind < SDN_PHASE_COUNT ? phase[e->kind] : "");
            complete_event(out, name, e->kind == SDN_PHASE_USER ? "user" : "scope", tid,
                           sdn_prof_ns(d, e->t0), sdn_prof_ns(d, e->t1));
            fprintf(out, ", \"args\": {\"step\": %u, \"folded_calls\": %u}}", e->step, e->calls);
            /* after its share of the step, the thread waits for the others at the region's end */
            const uint64_t end = sdn_prof_ns(d, e->t1);
            if (e->kind == SDN_PHASE_STEP && row && row[SDN_MAX_PHASES - 1] > end) {
                complete_event(out, "barrier wait (end of pass)", "barrier", tid, end,
                               row[SDN_MAX_PHASES - 1]);
                fprintf(out, ", \"args\": {\"step\": %u}}", e->step);
            }
        } else if (e->type == SDN_EV_BARRIER && e->kind != SDN_BARRIER_PASS) {
            complete_event(out,
                           e->kind == SDN_BARRIER_LAYER ? "barrier wait (in layer)"
                                                        : "hand-over wait (stage)",
                           "barrier", tid, sdn_prof_ns(d, e->t0), sdn_prof_ns(d, e->t1));
            fprintf(out, ", \"args\": {\"step\": %u}}", e->step);
        } else if (e->type == SDN_EV_BARRIER && row && e->m < SDN_MAX_PHASES - 1) {
            const uint64_t arrive = sdn_prof_ns(d, e->t0);
            complete_event(out, "barrier wait", "barrier", tid, arrive,
                           row[e->m] > arrive ? row[e->m] : arrive);
            fprintf(out, ", \"args\": {\"step\": %u, \"barrier\": %u}}", e->step, e->m);
        }
    }
}

sdn_status sdn_prof_write_trace(const sdn_prof_data *d, FILE *out)
{
    releases rl;
    if (find_releases(d, &rl))
        return sdn_pf_fail(SDN_ERR_NOMEM, "profile: out of memory writing the trace");
    fprintf(out, "{\"displayTimeUnit\": \"ns\", \"otherData\": {\n");
    sdn_prof_write_machine_json(d, out, "  ");
    fprintf(out, "},\n\"traceEvents\": [\n{\"ph\": \"M\", \"pid\": 1, \"name\": \"process_name\", "
                 "\"args\": {\"name\": \"simdnn\"}}");
    sdn_status st = SDN_OK;
    for (int t = 0; t < d->n_threads && !st; t++) {
        const sdn_prof_thread *th = d->threads[t];
        const int tid = t + 1;
        fprintf(out,
                ",\n{\"ph\": \"M\", \"pid\": 1, \"tid\": %d, \"name\": \"thread_name\", "
                "\"args\": {\"name\": ",
                tid);
        sdn_prof_json_str(out, th->name);
        fprintf(out,
                "}},\n{\"ph\": \"M\", \"pid\": 1, \"tid\": %d, \"name\": "
                "\"thread_sort_index\", \"args\": {\"sort_index\": %d}}",
                tid, tid);
        size_t *order = malloc((th->n ? th->n : 1) * sizeof *order);
        if (!order) {
            st = sdn_pf_fail(SDN_ERR_NOMEM, "profile: out of memory writing the trace");
            break;
        }
        for (size_t i = 0; i < th->n; i++)
            order[i] = i;
        sort_base = th->ev;
        qsort(order, th->n, sizeof *order, cmp_event);
        thread_events(out, d, th, tid, &rl, order);
        free(order);
    }
    fprintf(out, "\n]}\n");
    free(rl.at);
    return st;
}
