/* Writing safetensors files: the JSON header (metadata first, then each tensor's dtype, shape and
 * data offsets), padded so the data starts 8-byte aligned, then the raw data, in one atomic write.
 */
#include <stdint.h>
#include <stdlib.h>

#include "error.h"
#include "io/atomic_file.h"
#include "io/strbuf.h"
#include "simdnn_io.h"

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "st_write.c assumes a little-endian host (x86-64, AArch64)"
#endif

static size_t elements(const sdn_st_tensor *t)
{
    size_t n = 1;
    for (int r = 0; r < t->rank; r++)
        n *= t->shape[r];
    return n;
}

/* The header JSON into h; SDN_OK, or the reason naming path. */
static sdn_status build_header(sdn_strbuf *h, const char *path, const sdn_st_tensor *t,
                               size_t count, const sdn_st_meta *meta, size_t meta_count)
{
    sdn_sb_puts(h, "{");
    if (meta_count) {
        sdn_sb_puts(h, "\"__metadata__\":{");
        for (size_t i = 0; i < meta_count; i++) {
            if (i)
                sdn_sb_puts(h, ",");
            sdn_sb_json_string(h, meta[i].key);
            sdn_sb_puts(h, ":");
            sdn_sb_json_string(h, meta[i].value ? meta[i].value : "");
        }
        sdn_sb_puts(h, "}");
    }
    size_t off = 0;
    for (size_t i = 0; i < count; i++) {
        if (!t[i].name || !t[i].data || t[i].rank < 0 || t[i].rank > SDN_ST_MAX_RANK)
            return sdn_fail(SDN_ERR_INVALID_ARG, "%s: tensor %zu has no name, data or a bad rank",
                            path, i);
        if (i || meta_count)
            sdn_sb_puts(h, ",");
        sdn_sb_json_string(h, t[i].name);
        sdn_sb_puts(h, ":{\"dtype\":\"F32\",\"shape\":[");
        for (int r = 0; r < t[i].rank; r++)
            sdn_sb_printf(h, r ? ",%zu" : "%zu", t[i].shape[r]);
        sdn_sb_printf(h, "],\"data_offsets\":[%zu,", off);
        off += elements(&t[i]) * sizeof(float);
        sdn_sb_printf(h, "%zu]}", off);
    }
    sdn_sb_puts(h, "}");
    /* Pad with spaces so the data starts 8-byte aligned (the format allows trailing spaces). */
    while (!h->oom && (8 + h->n) % 8)
        sdn_sb_puts(h, " ");
    if (h->oom)
        return sdn_fail(SDN_ERR_NOMEM, "%s: out of memory for the header", path);
    return SDN_OK;
}

sdn_status sdn_safetensors_write(const char *path, const sdn_st_tensor *t, size_t count,
                                 const sdn_st_meta *meta, size_t meta_count)
{
    if (!path || (count && !t))
        return sdn_fail(SDN_ERR_INVALID_ARG, "sdn_safetensors_write: no path or tensors");
    sdn_strbuf h = {0};
    sdn_atomic_file f;
    sdn_status st = build_header(&h, path, t, count, meta, meta_count);
    if (st || (st = sdn_atomic_open(&f, path))) {
        free(h.p);
        return st;
    }
    uint8_t len_le[8];
    for (int i = 0; i < 8; i++)
        len_le[i] = (uint8_t)((uint64_t)h.n >> (8 * i));
    sdn_atomic_write(&f, len_le, 8);
    sdn_atomic_write(&f, h.p, h.n);
    for (size_t i = 0; i < count; i++)
        sdn_atomic_write(&f, t[i].data, elements(&t[i]) * sizeof(float));
    free(h.p);
    return sdn_atomic_commit(&f);
}
