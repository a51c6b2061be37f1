/* The convolutional trunk of a network spec: "c32,c32,m2,c64,c64,m2,g" (sdn_net_spec.conv) parsed
 * into Conv2D [→ BN → activation], pooling and global pooling layers. One parser serves the check
 * (a spec from a user or a model file) and the build. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "net_conv.h"

typedef struct conv_item {
    char kind; /* 'c' conv, 'm' max pool, 'a' avg pool, 'g' global average pool */
    size_t size, filters, stride;
    int valid;
} conv_item;

/* A number after p (1 to 4096); 0 if there is none. */
static size_t number(const char **p)
{
    char *end;
    if (**p < '0' || **p > '9')
        return 0;
    unsigned long v = strtoul(*p, &end, 10);
    *p = end;
    return v >= 1 && v <= 4096 ? (size_t)v : 0;
}

/* One item of the list from *p (up to a comma or the end); 0 if it is malformed. */
static int parse_item(const char **p, conv_item *it)
{
    memset(it, 0, sizeof *it);
    it->kind = *(*p)++;
    if (it->kind == 'g')
        return **p == ',' || **p == 0;
    if (it->kind == 'm' || it->kind == 'a') {
        it->size = number(p);
        return it->size && it->size <= 16 && (**p == ',' || **p == 0);
    }
    if (it->kind != 'c' || !(it->filters = number(p)))
        return 0;
    it->size = 3;
    it->stride = 1;
    while (**p && **p != ',') {
        const char tag = *(*p)++;
        if (tag == 'v')
            it->valid = 1;
        else if (tag == 'k' && (it->size = number(p)))
            continue;
        else if (tag == 's' && (it->stride = number(p)))
            continue;
        else
            return 0;
    }
    return 1;
}

/* Walks the list, adding each item to m when m is given. */
static sdn_status walk(const sdn_net_spec *s, sdn_model *m, const char *what, int *flat)
{
    const char *p = s->conv;
    sdn_status st = SDN_OK;
    *flat = 0;
    while (*p && !st) {
        conv_item it;
        const char *at = p;
        if (!parse_item(&p, &it) || *flat)
            return sdn_fail(SDN_ERR_INVALID_ARG,
                            "%s: conv item '%.*s' is not cN[kK][sS][v], mN, aN or g (pools up to "
                            "16; nothing after g)",
                            what, (int)strcspn(at, ","), at);
        if (*p == ',')
            p++;
        *flat = it.kind == 'g';
        if (!m)
            continue;
        if (it.kind == 'g')
            st = sdn_model_add_global_avg_pool2d(m);
        else if (it.kind == 'm' || it.kind == 'a')
            st = (it.kind == 'm' ? sdn_model_add_max_pool2d
                                 : sdn_model_add_avg_pool2d)(m, it.size, 0, SDN_PAD_VALID);
        else {
            sdn_conv2d_options o = sdn_conv2d_defaults(it.filters, it.size);
            o.stride_h = o.stride_w = it.stride;
            o.padding = it.valid ? SDN_PAD_VALID : SDN_PAD_SAME;
            o.kernel_init.kind = s->init;
            o.l1 = s->l1, o.l2 = s->l2;
            o.use_bias = !s->batch_norm; /* batch norm's beta is the bias */
            o.activation = s->batch_norm ? SDN_ACT_LINEAR : s->activation;
            o.activation_alpha = s->activation_alpha;
            st = sdn_model_add_conv2d(m, &o);
            if (!st && s->batch_norm && !(st = sdn_model_add_batch_norm(m, 0.99f, 1e-3f)))
                st = sdn_model_add_activation(m, s->activation, s->activation_alpha);
        }
    }
    return st;
}

sdn_status sdn_net_conv_check(const sdn_net_spec *s, const char *what)
{
    int flat;
    if (!memchr(s->conv, 0, sizeof s->conv))
        return sdn_fail(SDN_ERR_INVALID_ARG, "%s: conv spec longer than %zu bytes", what,
                        sizeof s->conv - 1);
    const size_t most = (size_t)1 << 20; /* each side: no product below can wrap */
    if (s->conv[0] &&
        (!s->image_h || !s->image_w || !s->image_c || s->image_h > most || s->image_w > most ||
         s->image_c > most || s->image_h * s->image_w * s->image_c != s->input_size))
        return sdn_fail(SDN_ERR_INVALID_ARG, "%s: image %zu x %zu x %zu is not the %zu inputs",
                        what, s->image_h, s->image_w, s->image_c, s->input_size);
    return walk(s, NULL, what, &flat);
}

sdn_status sdn_net_conv_build(const sdn_net_spec *s, sdn_model *m, int *flat)
{
    sdn_status st = sdn_model_set_input_shape(m, s->image_h, s->image_w, s->image_c);
    return st ? st : walk(s, m, "network spec", flat);
}
