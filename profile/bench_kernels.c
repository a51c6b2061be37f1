/* simdnn profile kernels: every kernel of every ISA this CPU runs (or one), run through the
 * library's probes at the exercise network's shapes (3072 → 20 × 100 → 10 at batch N) while a
 * profile records them, and the profiler's own table against the calibrated roofs. Buffers stay
 * warm between calls (a training step also finds its small operands in cache). */
#include "report.h"

enum { IN = 3072, HID = 100, OUT = 10 };
#define N_PARAMS ((size_t)IN * HID + HID + 19 * ((size_t)HID * HID + HID) + HID * OUT + OUT)

typedef struct shape {
    const char *kernel;
    size_t m, n, k; /* the probe's shape (elementwise: n) */
} shape;

/* The workload's calls at batch b: forward (first, hidden, output), backward dX, weight
 * gradients, elementwise over a hidden layer, the loss, batch norm, the optimizers. */
static int shapes(size_t b, shape *s)
{
    const size_t n = b * HID;
    int i = 0;
    s[i++] = (shape){"gemm_nn", b, HID, IN};
    s[i++] = (shape){"gemm_nn", b, HID, HID};
    s[i++] = (shape){"gemm_nn", b, OUT, HID};
    s[i++] = (shape){"gemm_nt", b, HID, HID};
    s[i++] = (shape){"gemm_tn", IN, HID, b};
    s[i++] = (shape){"gemm_tn", HID, HID, b};
    static const char *const ew[] = {"elu",     "elu_grad",    "selu",       "selu_grad",
                                     "relu",    "relu_grad",   "leaky_relu", "leaky_relu_grad",
                                     "tanh",    "tanh_grad",   "sigmoid",    "sigmoid_grad",
                                     "dropout", "dropout_grad"};
    for (size_t j = 0; j < sizeof ew / sizeof ew[0]; j++)
        s[i++] = (shape){ew[j], 0, n, 0};
    s[i++] = (shape){"softmax", b, OUT, 0};
    s[i++] = (shape){"softmax_xent", b, OUT, 0};
    static const char *const bn[] = {"colsum", "colsumsq_dev", "bn_forward", "bn_backward_reduce",
                                     "bn_backward_dx"};
    for (size_t j = 0; j < sizeof bn / sizeof bn[0]; j++)
        s[i++] = (shape){bn[j], b, HID, 0};
    static const char *const opt[] = {"sumsq", "scale", "sgd", "sgd_momentum", "adam", "rmsprop"};
    for (size_t j = 0; j < sizeof opt / sizeof opt[0]; j++)
        s[i++] = (shape){opt[j], 0, N_PARAMS, 0};
    return i;
}

/* Calls for about 20 ms: at least 10, at most 2000 (the trace stays small). */
static size_t calls_for(sdn_profile_probe p)
{
    double s, f, b;
    p.calls = 10;
    if (sdn_profile_probe_run(&p, &s, &f, &b) || !(s > 0))
        return 10;
    const double want = 0.02 / (s / 10);
    return want < 10 ? 10 : want > 2000 ? 2000 : (size_t)want;
}

/* Sizes each shape's calls, then records them all in one profile (left running). */
static sdn_status time_isa(sdn_isa isa, size_t batch)
{
    shape s[64];
    size_t calls[64];
    const int n = shapes(batch, s);
    for (int i = 0; i < n; i++) {
        sdn_profile_probe p = {isa, s[i].kernel, s[i].m, s[i].n, s[i].k, 0, 1};
        calls[i] = calls_for(p);
    }
    sdn_profile_options o = sdn_profile_defaults();
    o.wait = o.warmup = o.active = 0;
    o.counters = SDN_COUNTERS_OFF;
    sdn_status st = sdn_profile_begin(&o);
    for (int i = 0; i < n && !st; i++) {
        sdn_profile_probe p = {isa, s[i].kernel, s[i].m, s[i].n, s[i].k, calls[i], 1};
        double sec, f, b;
        st = sdn_profile_probe_run(&p, &sec, &f, &b);
    }
    if (st) {
        sdn_profile_end();
        return sdn_pf_fail(st, "%s", sdn_last_error());
    }
    return SDN_OK;
}

sdn_status sdn_profiler_kernels(sdn_isa isa, size_t batch, const char *dir, FILE *out, FILE *log)
{
    sdn_status st = sdn_dispatch_init();
    if (st)
        return sdn_pf_fail(st, "%s", sdn_last_error());
    if (isa != SDN_ISA_COUNT && !sdn_isa_supported(isa))
        return sdn_pf_fail(SDN_ERR_UNSUPPORTED, "profile kernels: this CPU or build cannot run %s",
                           sdn_isa_name(isa));
    if (batch < 1 || batch > 65536)
        return sdn_pf_fail(SDN_ERR_INVALID_ARG, "profile kernels: batch %zu outside 1..65536",
                           batch);
    sdn_calibration cal;
    if ((st = sdn_calibration_get(&cal, 0, log)))
        return st;
    fprintf(out, "# simdnn profile kernels: batch %zu, one thread, %s\n\n", batch, cal.cpu);
    for (int i = 0; i < SDN_ISA_COUNT && !st; i++) {
        if (!sdn_isa_supported((sdn_isa)i) || (isa != SDN_ISA_COUNT && i != (int)isa))
            continue;
        if (log)
            fprintf(log, "timing the %s kernels\n", sdn_isa_name((sdn_isa)i));
        if ((st = time_isa((sdn_isa)i, batch)))
            break;
        if (sdn_profile_end())
            return sdn_pf_fail(SDN_ERR_STATE, "%s", sdn_last_error());
        sdn_profile_report r;
        if ((st = sdn_profile_analyze(sdn_profile_records(), &cal, &r)))
            break;
        fprintf(out, "## %s\n\n", sdn_isa_name((sdn_isa)i));
        sdn_prof_write_kernel_table(&r, out);
        fputc('\n', out);
        sdn_profile_report_free(&r);
        if (dir) {
            char sub[1100]; /* one ISA asked: its reports in dir; every ISA: a folder each */
            snprintf(sub, sizeof sub, "%s%s%s", dir, isa == SDN_ISA_COUNT ? "/" : "",
                     isa == SDN_ISA_COUNT ? sdn_isa_name((sdn_isa)i) : "");
            sdn_profile_options o = sdn_profile_defaults();
            o.dir = sub;
            st = sdn_profiler_write(&o, sdn_profile_records());
        }
    }
    return st;
}
