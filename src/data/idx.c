/* IDX files (MNIST, Fashion-MNIST): big-endian magic and sizes, then bytes; gzip is undone with
 * libarchive's raw format so no other compression library is needed. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if SDN_HAVE_LIBARCHIVE
#include <archive.h>
#include <archive_entry.h>
#endif

#include "error.h"
#include "platform/platform.h"
#include "simdnn_data.h"

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static sdn_status read_plain_all(const char *path, uint8_t **out, size_t *len)
{
    FILE *f = sdn_fopen(path, "rb");
    if (!f)
        return sdn_fail(SDN_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
    /* Sized from the file when it says (+1 so EOF is seen without growing); pipes start at 1 MiB.
     */
    const int64_t size = sdn_file_size(f);
    size_t cap = size >= 0 ? (size_t)size + 1 : 1 << 20;
    size_t n = 0, got;
    uint8_t *buf = malloc(cap);
    while (buf && (got = fread(buf + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {
            uint8_t *b = realloc(buf, cap *= 2);
            if (!b) {
                free(buf);
                buf = NULL;
            } else {
                buf = b;
            }
        }
    }
    int err = ferror(f);
    fclose(f);
    if (!buf)
        return sdn_fail(SDN_ERR_NOMEM, "%s: out of memory", path);
    if (err) {
        free(buf);
        return sdn_fail(SDN_ERR_IO, "%s: read error", path);
    }
    *out = buf;
    *len = n;
    return SDN_OK;
}

/* Whole file, gunzipped when it starts with the gzip magic. */
static sdn_status read_maybe_gz(const char *path, uint8_t **out, size_t *len)
{
    sdn_status st = read_plain_all(path, out, len);
    if (st || *len < 2 || (*out)[0] != 0x1f || (*out)[1] != 0x8b)
        return st;
#if SDN_HAVE_LIBARCHIVE
    uint8_t *gz = *out;
    size_t gz_len = *len;
    *out = NULL;
    struct archive *a = archive_read_new();
    archive_read_support_filter_gzip(a);
    archive_read_support_format_raw(a);
    struct archive_entry *e;
    if (archive_read_open_memory(a, gz, gz_len) != ARCHIVE_OK ||
        archive_read_next_header(a, &e) != ARCHIVE_OK) {
        st = sdn_fail(SDN_ERR_FORMAT, "%s: bad gzip: %s", path, archive_error_string(a));
        goto done;
    }
    size_t cap = gz_len * 4 + 1024, n = 0;
    uint8_t *buf = malloc(cap);
    la_ssize_t got;
    while (buf && (got = archive_read_data(a, buf + n, cap - n)) > 0) {
        n += (size_t)got;
        if (n == cap) {
            uint8_t *b = realloc(buf, cap *= 2);
            if (!b)
                free(buf);
            buf = b;
        }
    }
    if (!buf) {
        st = sdn_fail(SDN_ERR_NOMEM, "%s: out of memory", path);
    } else if (got < 0) {
        free(buf);
        st = sdn_fail(SDN_ERR_FORMAT, "%s: corrupt gzip data: %s", path, archive_error_string(a));
    } else {
        *out = buf;
        *len = n;
    }
done:
    archive_read_free(a);
    free(gz);
    return st;
#else
    free(*out);
    *out = NULL;
    return sdn_fail(SDN_ERR_UNSUPPORTED,
                    "%s: gzip needs libarchive, which this build lacks; gunzip the file first",
                    path);
#endif
}

/* An image file and a label file read whole, with their paths for errors. */
typedef struct idx_pair {
    const char *img_path, *lab_path;
    uint8_t *img, *lab;
    size_t img_len, lab_len;
} idx_pair;

/* The magic numbers, then sizes that agree with the headers and with each other. */
static sdn_status idx_check_headers(const idx_pair *f, size_t *n, size_t *rows, size_t *cols)
{
    if (f->img_len < 16 || be32(f->img) != 0x803)
        return sdn_fail(SDN_ERR_FORMAT,
                        "%s: not an IDX image file (magic %08x, want 00000803 for n×rows×cols "
                        "unsigned bytes)",
                        f->img_path, f->img_len >= 4 ? be32(f->img) : 0u);
    if (f->lab_len < 8 || be32(f->lab) != 0x801)
        return sdn_fail(SDN_ERR_FORMAT, "%s: not an IDX label file (magic %08x, want 00000801)",
                        f->lab_path, f->lab_len >= 4 ? be32(f->lab) : 0u);
    *n = be32(f->img + 4), *rows = be32(f->img + 8), *cols = be32(f->img + 12);
    const size_t nl = be32(f->lab + 4), feat = *rows * *cols; /* both < 2^32: no wrap */
    if (*n == 0 || feat == 0)
        return sdn_fail(SDN_ERR_FORMAT, "%s: empty: %zu images of %zu×%zu", f->img_path, *n, *rows,
                        *cols);
    /* 16 + n × feat could wrap around to the file's size. */
    if (feat > (SIZE_MAX - 16) / *n)
        return sdn_fail(SDN_ERR_FORMAT,
                        "%s: wrong size: header says %zu images of %zu×%zu, more bytes than any "
                        "file holds",
                        f->img_path, *n, *rows, *cols);
    if (f->img_len != 16 + *n * feat)
        return sdn_fail(SDN_ERR_FORMAT,
                        "%s: wrong size: header says %zu images of %zu×%zu (%zu bytes), file has "
                        "%zu; truncated at image %zu",
                        f->img_path, *n, *rows, *cols, 16 + *n * feat, f->img_len,
                        f->img_len < 16 + *n * feat ? (f->img_len - 16) / feat : *n);
    if (f->lab_len != 8 + nl)
        return sdn_fail(SDN_ERR_FORMAT,
                        "%s: wrong size: header says %zu labels, file has %zu bytes", f->lab_path,
                        nl, f->lab_len - 8);
    if (nl != *n)
        return sdn_fail(SDN_ERR_FORMAT, "%s has %zu images but %s has %zu labels", f->img_path, *n,
                        f->lab_path, nl);
    return SDN_OK;
}

/* The records into out, labels checked to be classes 0-9; out owns what it holds on failure too. */
static sdn_status idx_fill(const idx_pair *f, size_t n, size_t rows, size_t cols, sdn_dataset *out)
{
    const size_t feat = rows * cols;
    out->labels = malloc(n * sizeof *out->labels);
    out->pixels = malloc(n * feat);
    out->owns = 1; /* so the caller's sdn_dataset_free frees them */
    if (!out->labels || !out->pixels)
        return sdn_fail(SDN_ERR_NOMEM, "out of memory for %zu images", n);
    for (size_t i = 0; i < n; i++) {
        if (f->lab[8 + i] > 9)
            return sdn_fail(SDN_ERR_FORMAT, "%s: record %zu: label %u outside 0-9", f->lab_path, i,
                            f->lab[8 + i]);
        out->labels[i] = f->lab[8 + i];
    }
    memcpy(out->pixels, f->img + 16, n * feat);
    out->n = n;
    out->features = feat;
    out->classes = 10;
    out->channels = 1;
    out->height = (int)rows;
    out->width = (int)cols;
    snprintf(out->name, sizeof out->name, "idx");
    return SDN_OK;
}

sdn_status sdn_idx_load(const char *images_path, const char *labels_path, sdn_dataset *out)
{
    memset(out, 0, sizeof *out);
    idx_pair f = {images_path, labels_path, NULL, NULL, 0, 0};
    size_t n = 0, rows = 0, cols = 0;
    sdn_status st = read_maybe_gz(images_path, &f.img, &f.img_len);
    if (!st)
        st = read_maybe_gz(labels_path, &f.lab, &f.lab_len);
    if (!st)
        st = idx_check_headers(&f, &n, &rows, &cols);
    if (!st)
        st = idx_fill(&f, n, rows, cols, out);
    free(f.img);
    free(f.lab);
    if (st)
        sdn_dataset_free(out);
    return st;
}

/* "<dir>/<stem>" or "<dir>/<stem>.gz", whichever exists (the plain one first). */
static void pick(char *buf, size_t size, const char *dir, const char *stem)
{
    snprintf(buf, size, "%s/%s", dir, stem);
    if (sdn_path_kind_of(buf) != SDN_PATH_NONE)
        return;
    snprintf(buf, size, "%s/%s.gz", dir, stem);
    if (sdn_path_kind_of(buf) == SDN_PATH_NONE)
        snprintf(buf, size, "%s/%s", dir, stem); /* report the plain name as missing */
}

sdn_status sdn_idx_load_dir(const char *dir, sdn_dataset *train, sdn_dataset *test)
{
    char img[4096], lab[4096];
    sdn_status st = SDN_OK;
    if (train) {
        pick(img, sizeof img, dir, "train-images-idx3-ubyte");
        pick(lab, sizeof lab, dir, "train-labels-idx1-ubyte");
        st = sdn_idx_load(img, lab, train);
    }
    if (!st && test) {
        pick(img, sizeof img, dir, "t10k-images-idx3-ubyte");
        pick(lab, sizeof lab, dir, "t10k-labels-idx1-ubyte");
        st = sdn_idx_load(img, lab, test);
        if (st && train)
            sdn_dataset_free(train);
    }
    return st;
}
