/* safetensors reader and atomic writer: a JSON header parsed by a small strict parser, F32 tensors
 * only (what simdnn stores), every offset checked before any byte is trusted. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"
#include "io/st_internal.h"
#include "simdnn_io.h"

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "safetensors.c assumes a little-endian host (x86-64, AArch64)"
#endif

size_t sdn_st_fail_after_bytes = 0;

/* ------------------------------------------------------------------ writer */

typedef struct strbuf {
    char *p;
    size_t n, cap;
    int oom;
} strbuf;

static void sb_putn(strbuf *b, const char *s, size_t n)
{
    if (b->oom)
        return;
    if (b->n + n + 1 > b->cap) {
        size_t cap = (b->cap ? b->cap * 2 : 1024) + n;
        char *p = realloc(b->p, cap);
        if (!p) {
            b->oom = 1;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = 0;
}
static void sb_puts(strbuf *b, const char *s)
{
    sb_putn(b, s, strlen(s));
}
static void sb_printf(strbuf *b, const char *fmt, size_t v)
{
    char tmp[64];
    int n = snprintf(tmp, sizeof tmp, fmt, v);
    sb_putn(b, tmp, (size_t)n);
}

static void sb_json_string(strbuf *b, const char *s)
{
    sb_putn(b, "\"", 1);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') {
            char esc[2] = {'\\', (char)c};
            sb_putn(b, esc, 2);
        } else if (c < 0x20) {
            char esc[8];
            snprintf(esc, sizeof esc, "\\u%04x", c);
            sb_puts(b, esc);
        } else {
            sb_putn(b, (const char *)&c, 1);
        }
    }
    sb_putn(b, "\"", 1);
}

static int write_all(int fd, const void *p, size_t n, size_t *written)
{
    const char *c = p;
    while (n) {
        size_t chunk = n;
        if (sdn_st_fail_after_bytes) {
            if (*written >= sdn_st_fail_after_bytes) {
                errno = ENOSPC;
                return -1;
            }
            if (chunk > sdn_st_fail_after_bytes - *written)
                chunk = sdn_st_fail_after_bytes - *written;
        }
        ssize_t w = write(fd, c, chunk);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        c += w;
        n -= (size_t)w;
        *written += (size_t)w;
    }
    return 0;
}

sdn_status sdn_safetensors_write(const char *path, const sdn_st_tensor *t, size_t count,
                                 const sdn_st_meta *meta, size_t meta_count)
{
    if (!path || (count && !t))
        return sdn_fail(SDN_ERR_INVALID_ARG, "sdn_safetensors_write: no path or tensors");
    strbuf h = {0};
    sb_puts(&h, "{");
    if (meta_count) {
        sb_puts(&h, "\"__metadata__\":{");
        for (size_t i = 0; i < meta_count; i++) {
            if (i)
                sb_puts(&h, ",");
            sb_json_string(&h, meta[i].key);
            sb_puts(&h, ":");
            sb_json_string(&h, meta[i].value ? meta[i].value : "");
        }
        sb_puts(&h, "}");
    }
    size_t off = 0;
    for (size_t i = 0; i < count; i++) {
        if (!t[i].name || !t[i].data || t[i].rank < 0 || t[i].rank > SDN_ST_MAX_RANK) {
            free(h.p);
            return sdn_fail(SDN_ERR_INVALID_ARG, "%s: tensor %zu has no name, data or a bad rank",
                            path, i);
        }
        size_t n = 1;
        if (i || meta_count)
            sb_puts(&h, ",");
        sb_json_string(&h, t[i].name);
        sb_puts(&h, ":{\"dtype\":\"F32\",\"shape\":[");
        for (int r = 0; r < t[i].rank; r++) {
            sb_printf(&h, r ? ",%zu" : "%zu", t[i].shape[r]);
            n *= t[i].shape[r];
        }
        sb_printf(&h, "],\"data_offsets\":[%zu,", off);
        off += n * sizeof(float);
        sb_printf(&h, "%zu]}", off);
    }
    sb_puts(&h, "}");
    /* Pad with spaces so the data starts 8-byte aligned (the format allows trailing spaces). */
    while (!h.oom && (8 + h.n) % 8)
        sb_puts(&h, " ");
    if (h.oom) {
        free(h.p);
        return sdn_fail(SDN_ERR_NOMEM, "%s: out of memory for the header", path);
    }

    size_t plen = strlen(path);
    char *tmp = malloc(plen + 16);
    if (!tmp) {
        free(h.p);
        return sdn_fail(SDN_ERR_NOMEM, "out of memory");
    }
    memcpy(tmp, path, plen);
    memcpy(tmp + plen, ".tmp.XXXXXX", 12);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        sdn_status st = sdn_fail(SDN_ERR_IO, "%s: cannot create a temporary file beside it: %s",
                                 path, strerror(errno));
        free(tmp);
        free(h.p);
        return st;
    }
    uint8_t len_le[8];
    for (int i = 0; i < 8; i++)
        len_le[i] = (uint8_t)((uint64_t)h.n >> (8 * i));
    size_t written = 0;
    int bad = write_all(fd, len_le, 8, &written) || write_all(fd, h.p, h.n, &written);
    for (size_t i = 0; !bad && i < count; i++) {
        size_t n = 1;
        for (int r = 0; r < t[i].rank; r++)
            n *= t[i].shape[r];
        bad = write_all(fd, t[i].data, n * sizeof(float), &written);
    }
    int err = errno;
    if (!bad && fsync(fd) != 0) {
        bad = 1;
        err = errno;
    }
    if (close(fd) != 0 && !bad) {
        bad = 1;
        err = errno;
    }
    if (!bad && rename(tmp, path) != 0) {
        bad = 1;
        err = errno;
    }
    free(h.p);
    if (bad) {
        unlink(tmp);
        free(tmp);
        return sdn_fail(SDN_ERR_IO, "%s: write failed (%s); any previous file is unchanged", path,
                        strerror(err));
    }
    free(tmp);
    /* Make the rename itself durable. */
    char *dir = strdup(path);
    if (dir) {
        char *slash = strrchr(dir, '/');
        const char *d = slash ? (slash == dir ? "/" : (*slash = 0, dir)) : ".";
        int dfd = open(d, O_RDONLY | O_DIRECTORY);
        if (dfd >= 0) {
            fsync(dfd);
            close(dfd);
        }
        free(dir);
    }
    return SDN_OK;
}

/* ------------------------------------------------------------------ reader */

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
    int has_meta; /* a second "__metadata__" is refused, as a repeated tensor name is */
};

/* A strict JSON reader for exactly what the header may hold. */
typedef struct jp {
    const char *s, *end, *begin;
    const char *path;
    sdn_status err;
} jp;

static sdn_status jerr(jp *p, const char *what)
{
    if (!p->err)
        p->err = sdn_fail(SDN_ERR_FORMAT, "%s: corrupt header JSON at byte %zu: %s", p->path,
                          (size_t)(p->s - p->begin), what);
    return p->err;
}

static sdn_status jnomem(jp *p)
{
    if (!p->err)
        p->err = sdn_fail(SDN_ERR_NOMEM, "%s: out of memory reading the header", p->path);
    return p->err;
}

static void ws(jp *p)
{
    while (p->s < p->end && (*p->s == ' ' || *p->s == '\n' || *p->s == '\r' || *p->s == '\t'))
        p->s++;
}

static int eat(jp *p, char c)
{
    ws(p);
    if (p->s < p->end && *p->s == c) {
        p->s++;
        return 1;
    }
    return 0;
}

/* Parses a string into a malloc'd UTF-8 copy. */
static char *jstring(jp *p)
{
    ws(p);
    if (p->s >= p->end || *p->s != '"') {
        jerr(p, "expected a string");
        return NULL;
    }
    p->s++;
    strbuf b = {0};
    while (p->s < p->end && *p->s != '"') {
        char c = *p->s++;
        if ((unsigned char)c < 0x20) {
            free(b.p);
            jerr(p, "control character in a string");
            return NULL;
        }
        if (c != '\\') {
            sb_putn(&b, &c, 1);
            continue;
        }
        if (p->s >= p->end)
            break;
        char e = *p->s++;
        char simple = e == '"' || e == '\\' || e == '/' ? e
                      : e == 'b'                        ? '\b'
                      : e == 'f'                        ? '\f'
                      : e == 'n'                        ? '\n'
                      : e == 'r'                        ? '\r'
                      : e == 't'                        ? '\t'
                                                        : 0;
        if (e == 'u') {
            if (p->end - p->s < 4) {
                free(b.p);
                jerr(p, "short \\u escape");
                return NULL;
            }
            unsigned v = 0;
            for (int i = 0; i < 4; i++) {
                char h = *p->s++;
                v = v * 16 + (unsigned)(h >= '0' && h <= '9'   ? h - '0'
                                        : h >= 'a' && h <= 'f' ? h - 'a' + 10
                                        : h >= 'A' && h <= 'F' ? h - 'A' + 10
                                                               : 99);
            }
            if (v > 0xffff) {
                free(b.p);
                jerr(p, "bad \\u escape");
                return NULL;
            }
            char u[3];
            if (v < 0x80) {
                u[0] = (char)v;
                sb_putn(&b, u, 1);
            } else if (v < 0x800) {
                u[0] = (char)(0xc0 | v >> 6);
                u[1] = (char)(0x80 | (v & 0x3f));
                sb_putn(&b, u, 2);
            } else {
                u[0] = (char)(0xe0 | v >> 12);
                u[1] = (char)(0x80 | ((v >> 6) & 0x3f));
                u[2] = (char)(0x80 | (v & 0x3f));
                sb_putn(&b, u, 3);
            }
        } else if (simple) {
            sb_putn(&b, &simple, 1);
        } else {
            free(b.p);
            jerr(p, "bad escape");
            return NULL;
        }
    }
    if (p->s >= p->end) {
        free(b.p);
        jerr(p, "unterminated string");
        return NULL;
    }
    p->s++;
    if (!b.p)
        sb_putn(&b, "", 0);
    if (b.oom || !b.p) {
        free(b.p);
        jnomem(p);
        return NULL;
    }
    return b.p;
}

static int juint(jp *p, size_t *out)
{
    ws(p);
    if (p->s >= p->end || *p->s < '0' || *p->s > '9') {
        jerr(p, "expected a non-negative integer");
        return 0;
    }
    size_t v = 0;
    while (p->s < p->end && *p->s >= '0' && *p->s <= '9') {
        size_t d = (size_t)(*p->s++ - '0');
        if (v > (SIZE_MAX - d) / 10) {
            jerr(p, "integer overflow");
            return 0;
        }
        v = v * 10 + d;
    }
    *out = v;
    return 1;
}

/* [u, u, ...] with at most `max` entries. */
static int juint_list(jp *p, size_t *vals, int max, int *count)
{
    if (!eat(p, '[')) {
        jerr(p, "expected '['");
        return 0;
    }
    *count = 0;
    if (eat(p, ']'))
        return 1;
    do {
        if (*count == max) {
            jerr(p, "too many entries in a list");
            return 0;
        }
        if (!juint(p, &vals[(*count)++]))
            return 0;
    } while (eat(p, ','));
    if (!eat(p, ']')) {
        jerr(p, "expected ']'");
        return 0;
    }
    return 1;
}

static int parse_metadata(jp *p, sdn_safetensors *st)
{
    if (st->has_meta)
        return jerr(p, "__metadata__ appears twice"), 0;
    st->has_meta = 1;
    if (!eat(p, '{'))
        return jerr(p, "__metadata__ must be an object"), 0;
    if (eat(p, '}'))
        return 1;
    do {
        char *k = jstring(p);
        if (!k)
            return 0;
        if (!eat(p, ':')) {
            free(k);
            return jerr(p, "expected ':'"), 0;
        }
        char *v = jstring(p);
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
                return jnomem(p), 0;
            }
            st->meta = m;
            st->meta_cap = cap;
        }
        st->meta[2 * st->meta_count] = k;
        st->meta[2 * st->meta_count + 1] = v;
        st->meta_count++;
    } while (eat(p, ','));
    if (!eat(p, '}'))
        return jerr(p, "expected '}' after __metadata__"), 0;
    return 1;
}

static int parse_tensor(jp *p, sdn_safetensors *st, char *name)
{
    st_entry e = {.name = name, .rank = -1};
    int have_offsets = 0, have_dtype = 0;
    if (!eat(p, '{'))
        return jerr(p, "a tensor entry must be an object"), 0;
    do {
        char *k = jstring(p);
        if (!k)
            return 0;
        if (!eat(p, ':')) {
            free(k);
            return jerr(p, "expected ':'"), 0;
        }
        if (!strcmp(k, "dtype")) {
            char *v = jstring(p);
            if (v && strcmp(v, "F32")) {
                p->err =
                    sdn_fail(SDN_ERR_FORMAT, "%s: tensor '%s' has dtype %s; simdnn reads only F32",
                             p->path, name, v);
                free(v);
                free(k);
                return 0;
            }
            have_dtype = v != NULL;
            free(v);
        } else if (!strcmp(k, "shape")) {
            if (!juint_list(p, e.shape, SDN_ST_MAX_RANK, &e.rank)) {
                free(k);
                return 0;
            }
        } else if (!strcmp(k, "data_offsets")) {
            size_t o[2];
            int n;
            if (!juint_list(p, o, 2, &n) || n != 2) {
                free(k);
                return jerr(p, "data_offsets must be [begin, end]"), 0;
            }
            e.begin = o[0];
            e.end = o[1];
            have_offsets = 1;
        } else {
            free(k);
            return jerr(p, "unknown key in a tensor entry"), 0;
        }
        free(k);
        if (p->err)
            return 0;
    } while (eat(p, ','));
    if (!eat(p, '}'))
        return jerr(p, "expected '}' after a tensor entry"), 0;
    if (!have_dtype || e.rank < 0 || !have_offsets)
        return jerr(p, "a tensor entry needs dtype, shape and data_offsets"), 0;
    if (st->count == st->cap) {
        size_t cap = st->cap ? st->cap * 2 : 32;
        st_entry *t = realloc(st->t, cap * sizeof *t);
        if (!t)
            return jnomem(p), 0;
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

sdn_status sdn_safetensors_open(const char *path, sdn_safetensors **out)
{
    *out = NULL;
    sdn_safetensors *st = calloc(1, sizeof *st);
    if (!st || !(st->path = strdup(path))) {
        free(st);
        return sdn_fail(SDN_ERR_NOMEM, "out of memory");
    }
    sdn_status status = SDN_OK;
    FILE *f = fopen(path, "rb");
    if (!f) {
        status = sdn_fail(SDN_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
        goto fail;
    }
    struct stat sb;
    if (fstat(fileno(f), &sb) != 0 || !S_ISREG(sb.st_mode)) {
        fclose(f);
        status = sdn_fail(SDN_ERR_IO, "%s: not a regular file", path);
        goto fail;
    }
    st->file_len = (size_t)sb.st_size;
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
    jp p = {(const char *)st->file + 8, (const char *)st->file + 8 + hlen,
            (const char *)st->file + 8, path, SDN_OK};
    if (!eat(&p, '{')) {
        status =
            sdn_fail(SDN_ERR_FORMAT, "%s: not safetensors: the header is not a JSON object", path);
        goto fail;
    }
    if (!eat(&p, '}')) {
        do {
            char *k = jstring(&p);
            if (!k)
                break;
            if (!eat(&p, ':')) {
                free(k);
                jerr(&p, "expected ':'");
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
        } while (eat(&p, ','));
        if (!p.err && !eat(&p, '}'))
            jerr(&p, "expected '}' at the end of the header");
    }
    ws(&p);
    if (!p.err && p.s != p.end)
        jerr(&p, "trailing bytes after the header object");
    if ((status = p.err) || (status = validate(st)))
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
