/* A dense network from a small spec (Flatten → [BN] → N × Dense [→ BN → activation] → [dropout] →
 * softmax), and the spec as model-file metadata so a saved model can be rebuilt by evaluate,
 * predict and resume (and read by a person or a Python script). The CLI's presets fill the spec
 * (apps/). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "io/meta_parse.h"
#include "net_conv.h"
#include "simdnn_fit.h"

/* Every field in its range and the weights countable: what build, the writer and the reader of
 * model files all require (a file can hold any bytes). */
static sdn_status check_spec(const sdn_net_spec *s, const char *what)
{
    if (!s)
        return sdn_fail(SDN_ERR_INVALID_ARG, "%s: no network spec", what);
    if (!s->input_size || !s->classes || s->hidden_layers < 0 || (s->hidden_layers && !s->units))
        return sdn_fail(SDN_ERR_INVALID_ARG, "%s: empty input, output or layer", what);
    if ((unsigned)s->activation >= SDN_ACT_COUNT || s->activation == SDN_ACT_SOFTMAX ||
        (unsigned)s->init >= SDN_INIT_COUNT)
        return sdn_fail(SDN_ERR_INVALID_ARG, "%s: unknown hidden activation or initializer", what);
    if (!(s->dropout >= 0 && s->dropout < 1) || !(s->alpha_dropout >= 0 && s->alpha_dropout < 1) ||
        !(s->l1 >= 0 && s->l1 <= 1e30f) || !(s->l2 >= 0 && s->l2 <= 1e30f) ||
        !(s->activation_alpha >= 0 && s->activation_alpha <= 1e30f) ||
        (s->batch_norm != 0 && s->batch_norm != 1))
        return sdn_fail(SDN_ERR_INVALID_ARG,
                        "%s: dropout rates must be in [0, 1), l1, l2 and the activation's alpha "
                        "finite and >= 0, batch_norm 0 or 1",
                        what);
    /* Counted in double: 2^40 weights (4 TiB) is beyond any machine, and no size_t product wraps
     * below it. */
    double in = (double)s->input_size, u = (double)s->units, c = (double)s->classes;
    double p = s->hidden_layers ? in * u + (s->hidden_layers - 1) * (u * u) + u * c : in * c;
    if (p + in + u * s->hidden_layers > 0x1p40)
        return sdn_fail(SDN_ERR_INVALID_ARG, "%s: %.3g weights is more than any machine holds",
                        what, p);
    return sdn_net_conv_check(s, what);
}

sdn_status sdn_net_build(const sdn_net_spec *s, uint64_t seed, size_t max_batch,
                         const sdn_optimizer_options *optimizer, sdn_model **out)
{
    *out = NULL;
    sdn_status e = check_spec(s, "network spec");
    if (e)
        return e;
    sdn_model *m = sdn_model_new(seed);
    if (!m)
        return sdn_fail(SDN_ERR_NOMEM, "out of memory for the model");
    int flat = 0;
    sdn_status st = s->conv[0] ? sdn_net_conv_build(s, m, &flat) : SDN_OK;
    if (!st && !flat)
        st = sdn_model_add_flatten(m);
    /* Géron's 8c also normalizes the inputs with a first BN layer. */
    if (!st && s->batch_norm && !s->conv[0])
        st = sdn_model_add_batch_norm(m, 0.99f, 1e-3f);
    for (int i = 0; !st && i < s->hidden_layers; i++) {
        sdn_dense_options d = sdn_dense_defaults(s->units);
        d.kernel_init.kind = s->init;
        d.l1 = s->l1;
        d.l2 = s->l2;
        if (s->batch_norm) {
            d.activation = SDN_ACT_LINEAR;
            st = sdn_model_add_dense(m, &d);
            if (!st)
                st = sdn_model_add_batch_norm(m, 0.99f, 1e-3f);
            if (!st)
                st = sdn_model_add_activation(m, s->activation, s->activation_alpha);
        } else {
            d.activation = s->activation;
            d.activation_alpha = s->activation_alpha;
            st = sdn_model_add_dense(m, &d);
        }
    }
    if (!st && s->alpha_dropout > 0)
        st = sdn_model_add_alpha_dropout(m, s->alpha_dropout);
    if (!st && s->dropout > 0)
        st = sdn_model_add_dropout(m, s->dropout);
    if (!st) {
        sdn_dense_options d = sdn_dense_defaults(s->classes);
        d.activation = SDN_ACT_SOFTMAX;
        d.l1 = s->l1;
        d.l2 = s->l2;
        st = sdn_model_add_dense(m, &d);
    }
    if (!st)
        st = sdn_model_compile(m, s->input_size, max_batch, optimizer);
    if (st) {
        sdn_model_free(m);
        return st;
    }
    *out = m;
    return SDN_OK;
}

/* Appends key=value to meta, the value printed into store. */
typedef struct meta_w {
    sdn_st_meta *meta;
    size_t n;
    char *store, *at;
    int full;
} meta_w;

static void put(meta_w *w, const char *key, const char *fmt, ...)
    __attribute__((format(SDN_PRINTF_FORMAT, 3, 4)));
static void put(meta_w *w, const char *key, const char *fmt, ...)
{
    size_t left = SDN_NET_META_STORE - (size_t)(w->at - w->store);
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(w->at, left, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= left || w->n >= SDN_NET_META_COUNT) {
        w->full = 1; /* a key left out would make the file unreadable: fail instead */
        return;
    }
    w->meta[w->n].key = key;
    w->meta[w->n].value = w->at;
    w->n++;
    w->at += n + 1;
}

size_t sdn_net_to_meta(const sdn_net_spec *s, const sdn_optimizer_options *o, uint64_t seed,
                       sdn_st_meta *meta, char *store)
{
    if (check_spec(s, "model metadata"))
        return 0;
    if (!o || (unsigned)o->kind >= SDN_OPT_COUNT) {
        sdn_fail(SDN_ERR_INVALID_ARG, "model metadata: no optimizer or an unknown one");
        return 0;
    }
    meta_w w = {meta, 0, store, store, 0};
    put(&w, "format", "pt"); /* lets safetensors' loaders accept it as a state dict */
    put(&w, "simdnn.version", "1");
    char head[160]; /* a CNN: its trunk, with BN after each conv when batch_norm */
    if (s->conv[0])
        snprintf(head, sizeof head, "Conv[%s]", s->conv);
    else
        snprintf(head, sizeof head, "Flatten%s", s->batch_norm ? " -> BatchNorm" : "");
    put(&w, "simdnn.architecture", "%s -> %d x [Dense(%zu, %s)%s -> %s] ->%s%s Dense(%zu, softmax)",
        head, s->hidden_layers, s->units, sdn_init_name(s->init),
        s->batch_norm ? " -> BatchNorm" : "", sdn_activation_name(s->activation),
        s->alpha_dropout > 0 ? " AlphaDropout ->" : "", s->dropout > 0 ? " Dropout ->" : "",
        s->classes);
    put(&w, "simdnn.input_size", "%zu", s->input_size);
    put(&w, "simdnn.classes", "%zu", s->classes);
    put(&w, "simdnn.hidden_layers", "%d", s->hidden_layers);
    put(&w, "simdnn.units", "%zu", s->units);
    put(&w, "simdnn.activation", "%s", sdn_activation_name(s->activation));
    put(&w, "simdnn.activation_alpha", "%.9g", s->activation_alpha);
    put(&w, "simdnn.init", "%s", sdn_init_name(s->init));
    put(&w, "simdnn.batch_norm", "%d", s->batch_norm);
    put(&w, "simdnn.dropout", "%.9g", s->dropout);
    put(&w, "simdnn.alpha_dropout", "%.9g", s->alpha_dropout);
    put(&w, "simdnn.l1", "%.9g", s->l1);
    put(&w, "simdnn.l2", "%.9g", s->l2);
    if (s->conv[0]) {
        put(&w, "simdnn.conv", "%s", s->conv);
        put(&w, "simdnn.image", "%zux%zux%zu", s->image_h, s->image_w, s->image_c);
    }
    put(&w, "simdnn.seed", "%llu", (unsigned long long)seed);
    put(&w, "simdnn.optimizer", "%s", sdn_optimizer_name(o->kind));
    put(&w, "simdnn.optimizer_options",
        "lr=%.9g momentum=%.9g nesterov=%d beta1=%.9g beta2=%.9g rho=%.9g epsilon=%.9g "
        "clip_norm=%.9g",
        o->learning_rate, o->momentum, o->nesterov, o->beta1, o->beta2, o->rho, o->epsilon,
        o->clip_norm);
    if (w.full) {
        sdn_fail(SDN_ERR_INVALID_ARG, "model metadata: more than %d bytes or %d keys",
                 SDN_NET_META_STORE, SDN_NET_META_COUNT);
        return 0;
    }
    return w.n;
}

static sdn_status need(const sdn_safetensors *st, const char *key, const char **v)
{
    *v = sdn_safetensors_meta(st, key);
    if (!*v)
        return sdn_fail(SDN_ERR_FORMAT,
                        "%s: metadata '%s' missing (not a model file written by simdnn?)",
                        sdn_safetensors_path(st), key);
    return SDN_OK;
}

sdn_status sdn_net_from_file(const sdn_safetensors *st, sdn_net_spec *s, sdn_optimizer_options *o,
                             uint64_t *seed)
{
    const char *v;
    sdn_status e;
    memset(s, 0, sizeof *s);
#define GET(key, expr)                                                                             \
    do {                                                                                           \
        if ((e = need(st, key, &v)))                                                               \
            return e;                                                                              \
        expr;                                                                                      \
    } while (0)
    uint64_t u;
    int k = 0;
    float f;
#define BAD(key)                                                                                   \
    sdn_fail(SDN_ERR_FORMAT, "%s: metadata '%s' is '%s', not a valid value",                       \
             sdn_safetensors_path(st), key, v)
#define SIZE(key, dst)                                                                             \
    GET(key, if (!sdn_meta_u64(v, SIZE_MAX, &u)) return BAD(key); dst = (size_t)u)
#define INT(key, lo, hi, dst) GET(key, if (!sdn_meta_int(v, lo, hi, &k)) return BAD(key); dst = k)
#define FLOAT(key, dst)                                                                            \
    GET(key, if (!sdn_meta_float(v, -1e30f, 1e30f, &f)) return BAD(key); dst = f)
    SIZE("simdnn.input_size", s->input_size);
    SIZE("simdnn.classes", s->classes);
    INT("simdnn.hidden_layers", 0, 1 << 20, s->hidden_layers);
    SIZE("simdnn.units", s->units);
    GET("simdnn.activation", s->activation = sdn_activation_from_name(v));
    FLOAT("simdnn.activation_alpha", s->activation_alpha);
    GET("simdnn.init", s->init = sdn_init_from_name(v));
    INT("simdnn.batch_norm", 0, 1, s->batch_norm);
    FLOAT("simdnn.dropout", s->dropout);
    FLOAT("simdnn.alpha_dropout", s->alpha_dropout);
    FLOAT("simdnn.l1", s->l1);
    FLOAT("simdnn.l2", s->l2);
    if ((v = sdn_safetensors_meta(st, "simdnn.conv"))) { /* a CNN: the trunk and its image */
        int used = 0;
        snprintf(s->conv, sizeof s->conv, "%s", v);
        if (strlen(v) >= sizeof s->conv)
            return BAD("simdnn.conv");
        GET("simdnn.image",
            if (sscanf(v, "%zux%zux%zu%n", &s->image_h, &s->image_w, &s->image_c, &used) != 3 ||
                v[used]) return BAD("simdnn.image"));
    }
    if (seed)
        GET("simdnn.seed", if (!sdn_meta_u64(v, UINT64_MAX, seed)) return BAD("simdnn.seed"));
    if (s->activation == SDN_ACT_COUNT || s->init == SDN_INIT_COUNT)
        return sdn_fail(SDN_ERR_FORMAT, "%s: unknown activation or initializer in the metadata",
                        sdn_safetensors_path(st));
    if (check_spec(s, sdn_safetensors_path(st))) {
        char why[512];
        snprintf(why, sizeof why, "%s", sdn_last_error());
        return sdn_fail(SDN_ERR_FORMAT, "%s (in the model metadata)", why);
    }
    if (o) {
        GET("simdnn.optimizer", o->kind = sdn_optimizer_from_name(v));
        if (o->kind == SDN_OPT_COUNT)
            return sdn_fail(SDN_ERR_FORMAT, "%s: unknown optimizer '%s'", sdn_safetensors_path(st),
                            v);
        *o = sdn_optimizer_defaults(o->kind);
        int used = 0;
        GET("simdnn.optimizer_options",
            if (sscanf(v,
                       "lr=%g momentum=%g nesterov=%d beta1=%g beta2=%g rho=%g epsilon=%g "
                       "clip_norm=%g%n",
                       &o->learning_rate, &o->momentum, &o->nesterov, &o->beta1, &o->beta2, &o->rho,
                       &o->epsilon, &o->clip_norm, &used) != 8 ||
                v[used]) return BAD("simdnn.optimizer_options"));
    }
#undef BAD
#undef SIZE
#undef INT
#undef FLOAT
#undef GET
    return SDN_OK;
}
