/* CIFAR-10 binary version: records of 1 label byte + 3072 pixel bytes, read from the official
 * tarball with libarchive (no unpacking on disk) or from the unpacked cifar-10-batches-bin/ folder.
 */
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

#define CIFAR_PIXELS 3072
#define CIFAR_RECORD (1 + CIFAR_PIXELS)
#define CIFAR_FILES 6 /* data_batch_1..5, test_batch */

static const char *const cifar_files[CIFAR_FILES] = {"data_batch_1.bin", "data_batch_2.bin",
                                                     "data_batch_3.bin", "data_batch_4.bin",
                                                     "data_batch_5.bin", "test_batch.bin"};

/* Splits a byte stream into records as it arrives, so neither the archive nor a file is ever held
 * whole: pixels go straight into their final array. */
typedef struct rec_sink {
    const char *file; /* for messages: "<archive>:<member>" or the path */
    uint8_t rec[CIFAR_RECORD];
    size_t fill, n, cap;
    uint8_t *pix;
    int32_t *lab;
} rec_sink;

static sdn_status sink_reserve(rec_sink *s, size_t cap)
{
    if (cap <= s->cap)
        return SDN_OK;
    uint8_t *p = realloc(s->pix, cap * CIFAR_PIXELS);
    if (!p)
        return sdn_fail(SDN_ERR_NOMEM, "%s: out of memory for %zu records", s->file, cap);
    s->pix = p;
    int32_t *l = realloc(s->lab, cap * sizeof *l);
    if (!l)
        return sdn_fail(SDN_ERR_NOMEM, "%s: out of memory for %zu records", s->file, cap);
    s->lab = l;
    s->cap = cap;
    return SDN_OK;
}

static sdn_status sink_push(rec_sink *s, const uint8_t *buf, size_t len)
{
    while (len) {
        size_t take = CIFAR_RECORD - s->fill < len ? CIFAR_RECORD - s->fill : len;
        memcpy(s->rec + s->fill, buf, take);
        s->fill += take;
        buf += take;
        len -= take;
        if (s->fill < CIFAR_RECORD)
            continue;
        s->fill = 0;
        if (s->rec[0] > 9)
            return sdn_fail(SDN_ERR_FORMAT,
                            "%s: record %zu (byte offset %zu): label %u outside 0-9 (not CIFAR-10 "
                            "binary?)",
                            s->file, s->n, s->n * CIFAR_RECORD, s->rec[0]);
        if (s->n == s->cap) {
            sdn_status st = sink_reserve(s, s->cap ? 2 * s->cap : 1024);
            if (st)
                return st;
        }
        s->lab[s->n] = s->rec[0];
        memcpy(s->pix + s->n * CIFAR_PIXELS, s->rec + 1, CIFAR_PIXELS);
        s->n++;
    }
    return SDN_OK;
}

static sdn_status sink_finish(rec_sink *s)
{
    if (s->fill)
        return sdn_fail(SDN_ERR_FORMAT,
                        "%s: truncated: record %zu has %zu of %d bytes (file size must be a "
                        "multiple of %d)",
                        s->file, s->n, s->fill, CIFAR_RECORD, CIFAR_RECORD);
    if (!s->n)
        return sdn_fail(SDN_ERR_FORMAT, "%s: empty: no records", s->file);
    return SDN_OK;
}

static void sink_free(rec_sink *s)
{
    free(s->pix);
    free(s->lab);
    s->pix = NULL;
    s->lab = NULL;
}

static int is_dir(const char *path)
{
    return sdn_path_kind_of(path) == SDN_PATH_DIR;
}

static int is_file(const char *path)
{
    return sdn_path_kind_of(path) == SDN_PATH_FILE;
}

static sdn_status read_plain(const char *path, rec_sink *s)
{
    FILE *f = sdn_fopen(path, "rb");
    if (!f)
        return sdn_fail(SDN_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
    sdn_status status = SDN_OK;
    const int64_t size = sdn_file_size(f);
    if (size > 0)
        status = sink_reserve(s, (size_t)size / CIFAR_RECORD + 1);
    uint8_t buf[1 << 15];
    size_t got;
    while (!status && (got = fread(buf, 1, sizeof buf, f)) > 0)
        status = sink_push(s, buf, got);
    if (!status && ferror(f))
        status = sdn_fail(SDN_ERR_IO, "%s: read error: %s", path, strerror(errno));
    fclose(f);
    return status ? status : sink_finish(s);
}

/* Joins the per-file record arrays (train batches 1..5) into one dataset. Each part is freed right
 * after its copy; the large destination is touched page by page, so the peak stays near one copy.
 */
static sdn_status join_parts(rec_sink *parts, int count, sdn_dataset *out, const char *what)
{
    size_t n = 0;
    for (int i = 0; i < count; i++)
        n += parts[i].n;
    memset(out, 0, sizeof *out);
    out->pixels = malloc(n * CIFAR_PIXELS);
    out->labels = malloc(n * sizeof *out->labels);
    if (!out->pixels || !out->labels) {
        free(out->pixels);
        free(out->labels);
        out->pixels = NULL;
        out->labels = NULL;
        return sdn_fail(SDN_ERR_NOMEM, "out of memory for the %s set (%zu records)", what, n);
    }
    size_t at = 0;
    for (int i = 0; i < count; i++) {
        memcpy(out->pixels + at * CIFAR_PIXELS, parts[i].pix, parts[i].n * CIFAR_PIXELS);
        memcpy(out->labels + at, parts[i].lab, parts[i].n * sizeof *out->labels);
        at += parts[i].n;
        sink_free(&parts[i]);
    }
    out->n = n;
    out->features = CIFAR_PIXELS;
    out->classes = 10;
    out->channels = 3;
    out->height = out->width = 32;
    out->owns = 1;
    snprintf(out->name, sizeof out->name, "cifar10");
    return SDN_OK;
}

#if SDN_HAVE_LIBARCHIVE
static const char *base_name(const char *p)
{
    const char *s = strrchr(p, '/');
    return s ? s + 1 : p;
}

static sdn_status read_archive(const char *path, rec_sink *sinks, const int *wanted,
                               char names[][4200])
{
    struct archive *a = archive_read_new();
    if (!a)
        return sdn_fail(SDN_ERR_NOMEM, "out of memory");
    archive_read_support_filter_all(a);
    archive_read_support_format_all(a);
    if (archive_read_open_filename(a, path, 1 << 16) != ARCHIVE_OK) {
        sdn_status st =
            sdn_fail(SDN_ERR_IO, "%s: cannot open archive: %s", path, archive_error_string(a));
        archive_read_free(a);
        return st;
    }
    sdn_status status = SDN_OK;
    int entries = 0, found[CIFAR_FILES] = {0};
    struct archive_entry *e;
    int r;
    while (!status && (r = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
        entries++;
        const char *name = base_name(archive_entry_pathname(e));
        int which = -1;
        for (int i = 0; i < CIFAR_FILES; i++)
            if (!strcmp(name, cifar_files[i]))
                which = i;
        if (which < 0 || !wanted[which] || found[which]) {
            archive_read_data_skip(a);
            continue;
        }
        found[which] = 1;
        rec_sink *s = &sinks[which];
        snprintf(names[which], 4200, "%s:%s", path, archive_entry_pathname(e));
        s->file = names[which];
        if (archive_entry_size_is_set(e) && archive_entry_size(e) > 0)
            status = sink_reserve(s, (size_t)archive_entry_size(e) / CIFAR_RECORD + 1);
        const void *buf;
        size_t len;
        la_int64_t off;
        while (!status && (r = archive_read_data_block(a, &buf, &len, &off)) == ARCHIVE_OK)
            status = sink_push(s, buf, len);
        if (!status && r != ARCHIVE_EOF)
            status =
                sdn_fail(SDN_ERR_FORMAT, "%s: read error: %s", s->file, archive_error_string(a));
        if (!status)
            status = sink_finish(s);
    }
    if (!status && r != ARCHIVE_EOF)
        status = sdn_fail(SDN_ERR_FORMAT, "%s: corrupt archive after %d entries: %s", path, entries,
                          archive_error_string(a));
    if (!status && entries == 0)
        status = sdn_fail(SDN_ERR_FORMAT, "%s: empty archive (no entries)", path);
    for (int i = 0; !status && i < CIFAR_FILES; i++)
        if (wanted[i] && !found[i])
            status = sdn_fail(SDN_ERR_FORMAT,
                              "%s: %s missing from the archive (expected the CIFAR-10 binary "
                              "version, cifar-10-binary.tar.gz)",
                              path, cifar_files[i]);
    archive_read_free(a);
    return status;
}
#endif

sdn_status sdn_cifar10_load(const char *path, sdn_dataset *train, sdn_dataset *test)
{
    if (!path || (!train && !test))
        return sdn_fail(SDN_ERR_INVALID_ARG, "sdn_cifar10_load: no path or no output");
    if (train)
        memset(train, 0, sizeof *train);
    if (test)
        memset(test, 0, sizeof *test);

    /* Resolve the path to either a folder of .bin files or an archive. */
    char folder[4096] = "", archive[4096] = "", probe[4096];
    if (is_dir(path)) {
        snprintf(probe, sizeof probe, "%s/data_batch_1.bin", path);
        int direct = is_file(probe);
        snprintf(probe, sizeof probe, "%s/test_batch.bin", path);
        direct = direct || is_file(probe);
        if (direct) {
            snprintf(folder, sizeof folder, "%s", path);
        } else {
            snprintf(probe, sizeof probe, "%s/cifar-10-batches-bin", path);
            if (is_dir(probe)) {
                snprintf(folder, sizeof folder, "%s", probe);
            } else {
                snprintf(probe, sizeof probe, "%s/cifar-10-binary.tar.gz", path);
                if (!is_file(probe))
                    return sdn_fail(
                        SDN_ERR_IO,
                        "no CIFAR-10 in %s: expected cifar-10-binary.tar.gz, "
                        "cifar-10-batches-bin/ or data_batch_*.bin there (download the "
                        "binary version from https://www.cs.toronto.edu/~kriz/cifar.html)",
                        path);
                snprintf(archive, sizeof archive, "%s", probe);
            }
        }
    } else if (is_file(path)) {
        snprintf(archive, sizeof archive, "%s", path);
    } else {
        return sdn_fail(SDN_ERR_IO, "%s: no such file or folder (give --data or SIMDNN_DATA)",
                        path);
    }

    int wanted[CIFAR_FILES];
    for (int i = 0; i < CIFAR_FILES; i++)
        wanted[i] = i < 5 ? train != NULL : test != NULL;
    rec_sink sinks[CIFAR_FILES];
    memset(sinks, 0, sizeof sinks);
    char names[CIFAR_FILES][4200];
    sdn_status status = SDN_OK;
    if (archive[0]) {
#if SDN_HAVE_LIBARCHIVE
        status = read_archive(archive, sinks, wanted, names);
#else
        status = sdn_fail(SDN_ERR_UNSUPPORTED,
                          "%s: this simdnn was built without libarchive and cannot read archives; "
                          "unpack it (tar xzf, which Windows 10 and later ship too) and give the "
                          "cifar-10-batches-bin/ folder",
                          archive);
#endif
    } else {
        for (int i = 0; !status && i < CIFAR_FILES; i++) {
            if (!wanted[i])
                continue;
            snprintf(names[i], sizeof names[i], "%s/%s", folder, cifar_files[i]);
            sinks[i].file = names[i];
            status = read_plain(names[i], &sinks[i]);
        }
    }
    if (!status && train)
        status = join_parts(sinks, 5, train, "training");
    if (!status && test)
        status = join_parts(sinks + 5, 1, test, "test");
    for (int i = 0; i < CIFAR_FILES; i++)
        sink_free(&sinks[i]);
    if (status) {
        if (train)
            sdn_dataset_free(train);
        if (test)
            sdn_dataset_free(test);
    }
    return status;
}
