/* Reading safetensors files: the whole file read, its header parsed (support/json.c) and
 * validated before any tensor is handed out. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "json.h"
#include "platform/platform.h"
#include "simdnn_io.h"

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "safetensors.c assumes a little-endian host (x86-64, AArch64)"
#endif

typedef struct st_entry {
    char *name;
    int rank;
    size_t shape[SDN_ST_MAX_RANK];
    size_t begin, end;
} st_entry;

struct sdn_safetensors {
    char *path;
    uint8_t *file;
    size_t file_len;
    const uint8_t *data; /* after the header */
    size_t data_len;
    st_entry *t;
    size_t count, cap;
    char **meta; /* key, value, key, value... */
    size_t meta_count, meta_cap;
    int has_meta;       /* a second "__metadata__" is refused, as a repeated tensor name is */
    sdn_status refused; /* a well-formed header that asks for what simdnn cannot read */
};

static int parse_metadata(sdn_json *p, sdn_safetensors *st)
{
    if (st->has_meta)
        return sdn_json_error(p, "__metadata__ appears twice"), 0;
    st->has_meta = 1;
    if (!sdn_json_eat(p, '{'))
        return sdn_json_error(p, "__metadata__ must be an object"), 0;
    if (sdn_json_eat(p, '}'))
        return 1;
    do {
        char *k = sdn_json_string(p);
        if (!k)
            return 0;
        if (!sdn_json_eat(p, ':')) {
            free(k);
            return sdn_json_error(p, "expected ':'"), 0;
        }
        char *v = sdn_json_string(p);
        if (!v) {
            free(k);
            return 0;
        }
        if (2 * st->meta_count + 2 > st->meta_cap) {
            size_t cap = st->meta_cap ? st->meta_cap * 2 : 16;
            char **m = realloc(st->meta, cap * sizeof *m);
            if (!m) {
                free(k);
                free(v);
                return sdn_json_nomem(p), 0;
            }
            st->meta = m;
            st->meta_cap = cap;
        }
        st->meta[2 * st->meta_count] = k;
        st->meta[2 * st->meta_count + 1] = v;
        st->meta_count++;
    } while (sdn_json_eat(p, ','));
    if (!sdn_json_eat(p, '}'))
        return sdn_json_error(p, "expected '}' after __metadata__"), 0;
    return 1;
}

static int parse_tensor(sdn_json *p, sdn_safetensors *st, char *name)
{
    st_entry e = {.name = name, .rank = -1};
    int have_offsets = 0, have_dtype = 0;
    if (!sdn_json_eat(p, '{'))
        return sdn_json_error(p, "a tensor entry must be an object"), 0;
    do {
        char *k = sdn_json_string(p);
        if (!k)
            return 0;
        if (!sdn_json_eat(p, ':')) {
            free(k);
            return sdn_json_error(p, "expected ':'"), 0;
        }
        if (!strcmp(k, "dtype")) {
            char *v = sdn_json_string(p);
            if (v && strcmp(v, "F32")) {
                st->refused =
                    sdn_fail(SDN_ERR_FORMAT, "%s: tensor '%s' has dtype %s; simdnn reads only F32",
                             st->path, name, v);
                free(v);
                free(k);
                return sdn_json_error(p, "unsupported dtype");
            }
            have_dtype = v != NULL;
            free(v);
        } else if (!strcmp(k, "shape")) {
            if (!sdn_json_uint_list(p, e.shape, SDN_ST_MAX_RANK, &e.rank)) {
                free(k);
                return 0;
            }
        } else if (!strcmp(k, "data_offsets")) {
            size_t o[2];
            int n;
            if (!sdn_json_uint_list(p, o, 2, &n) || n != 2) {
                free(k);
                return sdn_json_error(p, "data_offsets must be [begin, end]"), 0;
            }
            e.begin = o[0];
            e.end = o[1];
            have_offsets = 1;
        } else {
            free(k);
            return sdn_json_error(p, "unknown key in a tensor entry"), 0;
        }
        free(k);
        if (p->what)
            return 0;
    } while (sdn_json_eat(p, ','));
    if (!sdn_json_eat(p, '}'))
        return sdn_json_error(p, "expected '}' after a tensor entry"), 0;
    if (!have_dtype || e.rank < 0 || !have_offsets)
        return sdn_json_error(p, "a tensor entry needs dtype, shape and data_offsets"), 0;
    if (st->count == st->cap) {
        size_t cap = st->cap ? st->cap * 2 : 32;
        st_entry *t = realloc(st->t, cap * sizeof *t);
        if (!t)
            return sdn_json_nomem(p), 0;
        st->t = t;
        st->cap = cap;
    }
    st->t[st->count++] = e;
    return 1;
}

void sdn_safetensors_close(sdn_safetensors *st)
{
    if (!st)
        return;
    for (size_t i = 0; i < st->count; i++)
        free(st->t[i].name);
    for (size_t i = 0; i < 2 * st->meta_count; i++)
        free(st->meta[i]);
    free(st->t);
    free(st->meta);
    free(st->file);
    free(st->path);
    free(st);
}

static int cmp_begin(const void *a, const void *b)
{
    const st_entry *x = a, *y = b;
    return x->begin < y->begin ? -1 : x->begin > y->begin;
}

static sdn_status validate(sdn_safetensors *st)
{
    /* Every tensor inside the data, its size matching its shape, no two overlapping. */
    for (size_t i = 0; i < st->count; i++) {
        st_entry *e = &st->t[i];
        size_t n = 1;
        for (int r = 0; r < e->rank; r++) {
            if (e->shape[r] && n > SIZE_MAX / 4 / e->shape[r])
                return sdn_fail(SDN_ERR_FORMAT, "%s: tensor '%s': shape overflows", st->path,
                                e->name);
            n *= e->shape[r];
        }
        if (e->begin > e->end || e->end > st->data_len)
            return sdn_fail(SDN_ERR_FORMAT,
                            "%s: tensor '%s': data_offsets [%zu, %zu] outside the %zu data bytes "
                            "(truncated file?)",
                            st->path, e->name, e->begin, e->end, st->data_len);
        if (e->end - e->begin != n * sizeof(float))
            return sdn_fail(SDN_ERR_FORMAT,
                            "%s: tensor '%s': %zu bytes for a shape of %zu F32 elements", st->path,
                            e->name, e->end - e->begin, n);
    }
    st_entry *sorted = malloc((st->count + 1) * sizeof *sorted);
    if (!sorted)
        return sdn_fail(SDN_ERR_NOMEM, "out of memory");
    if (st->count) /* a header with no tensors has no array (memcpy from NULL is undefined) */
        memcpy(sorted, st->t, st->count * sizeof *sorted);
    qsort(sorted, st->count, sizeof *sorted, cmp_begin);
    sdn_status status = SDN_OK;
    for (size_t i = 1; i < st->count && !status; i++)
        if (sorted[i].begin < sorted[i - 1].end)
            status = sdn_fail(SDN_ERR_FORMAT, "%s: tensors '%s' and '%s' overlap", st->path,
                              sorted[i - 1].name, sorted[i].name);
    free(sorted);
    for (size_t i = 0; i < st->count && !status; i++)
        for (size_t j = i + 1; j < st->count && !status; j++)
            if (!strcmp(st->t[i].name, st->t[j].name))
                status = sdn_fail(SDN_ERR_FORMAT, "%s: tensor '%s' appears twice", st->path,
                                  st->t[i].name);
    return status;
}

/* The reader's first error as the library's status and message. */
static sdn_status header_status(const sdn_safetensors *st, const sdn_json *p)
{
    if (!p->what)
        return SDN_OK;
    if (st->refused)
        return st->refused;
    if (p->nomem)
        return sdn_fail(SDN_ERR_NOMEM, "%s: out of memory reading the header", st->path);
    return sdn_fail(SDN_ERR_FORMAT, "%s: corrupt header JSON at byte %zu: %s", st->path, p->at,
                    p->what);
}

/* The header JSON: an object of tensor entries and an optional "__metadata__". */
static sdn_status parse_header(sdn_safetensors *st, const char *h, size_t hlen)
{
    sdn_json p = sdn_json_begin(h, hlen);
    if (!sdn_json_eat(&p, '{'))
        return sdn_fail(SDN_ERR_FORMAT, "%s: not safetensors: the header is not a JSON object",
                        st->path);
    if (!sdn_json_eat(&p, '}')) {
        do {
            char *k = sdn_json_string(&p);
            if (!k)
                break;
            if (!sdn_json_eat(&p, ':')) {
                free(k);
                sdn_json_error(&p, "expected ':'");
                break;
            }
            if (!strcmp(k, "__metadata__")) {
                free(k);
                if (!parse_metadata(&p, st))
                    break;
            } else if (!parse_tensor(&p, st, k)) {
                if (!st->count || st->t[st->count - 1].name != k)
                    free(k);
                break;
            }
        } while (sdn_json_eat(&p, ','));
        if (!p.what && !sdn_json_eat(&p, '}'))
            sdn_json_error(&p, "expected '}' at the end of the header");
    }
    sdn_json_ws(&p);
    if (!p.what && p.s != p.end)
        sdn_json_error(&p, "trailing bytes after the header object");
    return header_status(st, &p);
}

sdn_status sdn_safetensors_open(const char *path, sdn_safetensors **out)
{
    *out = NULL;
    sdn_safetensors *st = calloc(1, sizeof *st);
    if (!st || !(st->path = strdup(path))) {
        free(st);
        return sdn_fail(SDN_ERR_NOMEM, "out of memory");
    }
    sdn_status status = SDN_OK;
    FILE *f = sdn_fopen(path, "rb");
    if (!f) {
        status = sdn_fail(SDN_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
        goto fail;
    }
    const int64_t size = sdn_file_size(f);
    if (size < 0) {
        fclose(f);
        status = sdn_fail(SDN_ERR_IO, "%s: not a regular file", path);
        goto fail;
    }
    st->file_len = (size_t)size;
    st->file = malloc(st->file_len + 1);
    if (!st->file || fread(st->file, 1, st->file_len, f) != st->file_len) {
        fclose(f);
        status = st->file ? sdn_fail(SDN_ERR_IO, "%s: cannot read it whole", path)
                          : sdn_fail(SDN_ERR_NOMEM, "%s: out of memory for its %zu bytes", path,
                                     st->file_len);
        goto fail;
    }
    fclose(f);
    if (st->file_len < 8) {
        status = sdn_fail(SDN_ERR_FORMAT, "%s: truncated: %zu bytes, not even a header length",
                          path, st->file_len);
        goto fail;
    }
    uint64_t hlen = 0;
    for (int i = 7; i >= 0; i--)
        hlen = hlen << 8 | st->file[i];
    if (hlen > st->file_len - 8) {
        status = sdn_fail(SDN_ERR_FORMAT,
                          "%s: truncated or not safetensors: header of %llu bytes in a %zu-byte "
                          "file",
                          path, (unsigned long long)hlen, st->file_len);
        goto fail;
    }
    st->data = st->file + 8 + hlen;
    st->data_len = st->file_len - 8 - (size_t)hlen;
    if ((status = parse_header(st, (const char *)st->file + 8, (size_t)hlen)) ||
        (status = validate(st)))
        goto fail;
    *out = st;
    return SDN_OK;
fail:
    sdn_safetensors_close(st);
    return status;
}

const char *sdn_safetensors_path(const sdn_safetensors *st)
{
    return st->path;
}

const char *sdn_safetensors_meta(const sdn_safetensors *st, const char *key)
{
    for (size_t i = 0; i < st->meta_count; i++)
        if (!strcmp(st->meta[2 * i], key))
            return st->meta[2 * i + 1];
    return NULL;
}

size_t sdn_safetensors_count(const sdn_safetensors *st)
{
    return st->count;
}

const char *sdn_safetensors_info(const sdn_safetensors *st, size_t i, int *rank, size_t *shape)
{
    if (i >= st->count)
        return NULL;
    if (rank)
        *rank = st->t[i].rank;
    if (shape)
        memcpy(shape, st->t[i].shape, sizeof st->t[i].shape);
    return st->t[i].name;
}

long sdn_safetensors_find(const sdn_safetensors *st, const char *name)
{
    for (size_t i = 0; i < st->count; i++)
        if (!strcmp(st->t[i].name, name))
            return (long)i;
    return -1;
}

static void shape_str(char *buf, size_t size, int rank, const size_t *shape)
{
    int n = snprintf(buf, size, "[");
    for (int r = 0; r < rank && (size_t)n < size; r++)
        n += snprintf(buf + n, size - (size_t)n, r ? ", %zu" : "%zu", shape[r]);
    if ((size_t)n < size)
        snprintf(buf + n, size - (size_t)n, "]");
}

sdn_status sdn_safetensors_read(const sdn_safetensors *st, const char *name, int rank,
                                const size_t *shape, float *dst)
{
    long i = sdn_safetensors_find(st, name);
    if (i < 0)
        return sdn_fail(SDN_ERR_FORMAT, "%s: no tensor '%s' (a file for another model?)", st->path,
                        name);
    const st_entry *e = &st->t[i];
    int same = e->rank == rank;
    for (int r = 0; same && r < rank; r++)
        same = e->shape[r] == shape[r];
    if (!same) {
        char want[96], got[96];
        shape_str(want, sizeof want, rank, shape);
        shape_str(got, sizeof got, e->rank, e->shape);
        return sdn_fail(SDN_ERR_FORMAT,
                        "%s: tensor '%s' has shape %s but the model needs %s (a file for "
                        "another architecture?)",
                        st->path, name, got, want);
    }
    memcpy(dst, st->data + e->begin, e->end - e->begin);
    return SDN_OK;
}
