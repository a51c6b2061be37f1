/* Datasets: CIFAR-10 folders and tarballs generated here (never committed), every bad-data case
 * with the file and record named, the validation split, statistics and the shuffle. IDX files:
 * test_idx.c. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "mman_compat.h"

#if SDN_HAVE_LIBARCHIVE /* the library reads tarballs only when built with libarchive */
#include <archive.h>
#include <archive_entry.h>
#define HAVE_ARCHIVE_H 1
#else
#define HAVE_ARCHIVE_H 0
#endif

#include "data/batch.h"
#include "simdnn_data.h"
#include "testutil.h"

static const char *tmpdir(void)
{
    const char *d = sdn_test_tmpdir("data");
    assert_non_null(d);
    return d;
}

/* Record r of batch b: label (b·7 + r) % 10, pixels a function of (b, r, j). */
static uint8_t pixel_of(int b, int r, int j)
{
    return (uint8_t)(b * 31 + r * 7 + j * 3);
}

static size_t make_batch(uint8_t **out, int b, int records)
{
    size_t len = (size_t)records * 3073;
    uint8_t *buf = malloc(len);
    for (int r = 0; r < records; r++) {
        buf[r * 3073] = (uint8_t)((b * 7 + r) % 10);
        for (int j = 0; j < 3072; j++)
            buf[r * 3073 + 1 + j] = pixel_of(b, r, j);
    }
    *out = buf;
    return len;
}

static const char *batch_name(int b)
{
    static const char *n[] = {"data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin",
                              "data_batch_4.bin", "data_batch_5.bin", "test_batch.bin"};
    return n[b];
}

static void write_file(const char *path, const void *p, size_t n)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(p, 1, n, f), n);
    fclose(f);
}

/* A CIFAR-format folder of 6 batches with `records` each (test batch: 5). */
static void make_cifar_dir(const char *dir, int records)
{
    mkdir(dir, 0755);
    for (int b = 0; b < 6; b++) {
        uint8_t *buf;
        size_t len = make_batch(&buf, b, b == 5 ? 5 : records);
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", dir, batch_name(b));
        write_file(path, buf, len);
        free(buf);
    }
}

static void expect_error(sdn_status got, sdn_status want, const char *a, const char *b)
{
    if (got != want || (a && !strstr(sdn_last_error(), a)) || (b && !strstr(sdn_last_error(), b)))
        fail_msg("status %d (want %d), message '%s' should name '%s' and '%s'", got, want,
                 sdn_last_error(), a ? a : "", b ? b : "");
}

static void check_cifar(const sdn_dataset *train, const sdn_dataset *test, int records)
{
    assert_int_equal(train->n, 5 * (size_t)records);
    assert_int_equal(train->features, 3072);
    assert_int_equal(test->n, 5);
    for (int b = 0; b < 5; b++)
        for (int r = 0; r < records; r++) {
            size_t i = (size_t)b * records + r;
            assert_int_equal(train->labels[i], (b * 7 + r) % 10);
            assert_int_equal(train->pixels[i * 3072 + 100], pixel_of(b, r, 100));
        }
    assert_int_equal(test->labels[4], (5 * 7 + 4) % 10);
    assert_int_equal(test->pixels[4 * 3072 + 3071], pixel_of(5, 4, 3071));
}

static void cifar_folder(void **state)
{
    char dir[1100], parent[1024];
    snprintf(parent, sizeof parent, "%s/parent", tmpdir());
    mkdir(parent, 0755);
    snprintf(dir, sizeof dir, "%s/cifar-10-batches-bin", parent);
    make_cifar_dir(dir, 7);
    sdn_dataset train, test;
    /* The folder itself and a folder holding it. */
    assert_int_equal(sdn_cifar10_load(dir, &train, &test), SDN_OK);
    check_cifar(&train, &test, 7);
    sdn_dataset_free(&train);
    sdn_dataset_free(&test);
    assert_int_equal(sdn_cifar10_load(parent, &train, NULL), SDN_OK);
    assert_int_equal(train.n, 35);
    sdn_dataset_free(&train);
}

static void cifar_bad_folder(void **state)
{
    char dir[1024], path[1100];
    sdn_dataset train, test;
    snprintf(dir, sizeof dir, "%s/bad", tmpdir());

    /* Missing file. */
    make_cifar_dir(dir, 4);
    snprintf(path, sizeof path, "%s/data_batch_3.bin", dir);
    unlink(path);
    expect_error(sdn_cifar10_load(dir, &train, &test), SDN_ERR_IO, "data_batch_3.bin", NULL);
    assert_null(train.pixels);

    /* Truncated record: batch 2 gets 100 stray bytes, i.e. record 4 is cut short. */
    make_cifar_dir(dir, 4);
    uint8_t *buf;
    size_t len = make_batch(&buf, 1, 5);
    snprintf(path, sizeof path, "%s/data_batch_2.bin", dir);
    write_file(path, buf, len - 3073 + 100);
    free(buf);
    expect_error(sdn_cifar10_load(dir, &train, &test), SDN_ERR_FORMAT, "data_batch_2.bin",
                 "record 4");

    /* Label outside 0-9 in record 3 of the test batch. */
    make_cifar_dir(dir, 4);
    len = make_batch(&buf, 5, 5);
    buf[3 * 3073] = 10;
    snprintf(path, sizeof path, "%s/test_batch.bin", dir);
    write_file(path, buf, len);
    free(buf);
    expect_error(sdn_cifar10_load(dir, &train, &test), SDN_ERR_FORMAT, "test_batch.bin",
                 "record 3");
    assert_non_null(strstr(sdn_last_error(), "label 10"));
    /* The training part alone does not read the broken test batch. */
    assert_int_equal(sdn_cifar10_load(dir, &train, NULL), SDN_OK);
    sdn_dataset_free(&train);

    /* Empty file. */
    make_cifar_dir(dir, 4);
    snprintf(path, sizeof path, "%s/data_batch_5.bin", dir);
    write_file(path, "", 0);
    expect_error(sdn_cifar10_load(dir, &train, &test), SDN_ERR_FORMAT, "data_batch_5.bin", "empty");

    /* Nothing there at all. */
    snprintf(path, sizeof path, "%s/nothing-here", tmpdir());
    expect_error(sdn_cifar10_load(path, &train, &test), SDN_ERR_IO, "nothing-here", NULL);
    mkdir(path, 0755);
    expect_error(sdn_cifar10_load(path, &train, &test), SDN_ERR_IO, "cifar-10-binary.tar.gz", NULL);
}

#if HAVE_ARCHIVE_H
/* A tar.gz with the given batches (mask of batch indices) under cifar-10-batches-bin/. */
static void make_tarball(const char *path, unsigned mask, int records, int bad_label_batch)
{
    struct archive *a = archive_write_new();
    archive_write_add_filter_gzip(a);
    archive_write_set_format_pax_restricted(a);
    assert_int_equal(archive_write_open_filename(a, path), ARCHIVE_OK);
    /* Unrelated members first, as in the official file. */
    const char *readme = "readme";
    struct archive_entry *e = archive_entry_new();
    archive_entry_set_pathname(e, "cifar-10-batches-bin/readme.html");
    archive_entry_set_size(e, 6);
    archive_entry_set_filetype(e, AE_IFREG);
    archive_entry_set_perm(e, 0644);
    if (mask) {
        archive_write_header(a, e);
        archive_write_data(a, readme, 6);
    }
    archive_entry_free(e);
    /* Batches in reverse order: the loader must put them back in order. */
    for (int b = 5; b >= 0; b--) {
        if (!(mask >> b & 1))
            continue;
        uint8_t *buf;
        size_t len = make_batch(&buf, b, b == 5 ? 5 : records);
        if (b == bad_label_batch)
            buf[2 * 3073] = 200;
        char name[128];
        snprintf(name, sizeof name, "cifar-10-batches-bin/%s", batch_name(b));
        e = archive_entry_new();
        archive_entry_set_pathname(e, name);
        archive_entry_set_size(e, (la_int64_t)len);
        archive_entry_set_filetype(e, AE_IFREG);
        archive_entry_set_perm(e, 0644);
        archive_write_header(a, e);
        archive_write_data(a, buf, len);
        archive_entry_free(e);
        free(buf);
    }
    archive_write_close(a);
    archive_write_free(a);
}

static void cifar_tarball(void **state)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/cifar-10-binary.tar.gz", tmpdir());
    make_tarball(path, 0x3f, 6, -1);
    sdn_dataset train, test;
    sdn_status st = sdn_cifar10_load(path, &train, &test);
    if (st == SDN_ERR_UNSUPPORTED) {
        assert_non_null(strstr(sdn_last_error(), "cifar-10-batches-bin"));
        skip();
    }
    assert_int_equal(st, SDN_OK);
    check_cifar(&train, &test, 6);
    sdn_dataset_free(&train);
    sdn_dataset_free(&test);
    /* The folder holding the tarball works too. */
    assert_int_equal(sdn_cifar10_load(tmpdir(), NULL, &test), SDN_OK);
    assert_int_equal(test.n, 5);
    sdn_dataset_free(&test);

    /* Missing member, bad label inside the archive, empty archive, garbage. */
    make_tarball(path, 0x3f & ~(1u << 3), 6, -1);
    expect_error(sdn_cifar10_load(path, &train, &test), SDN_ERR_FORMAT, "data_batch_4.bin",
                 "missing");
    make_tarball(path, 0x3f, 6, 1);
    expect_error(sdn_cifar10_load(path, &train, &test), SDN_ERR_FORMAT,
                 "cifar-10-batches-bin/data_batch_2.bin", "record 2");
    make_tarball(path, 0, 6, -1);
    expect_error(sdn_cifar10_load(path, &train, &test), SDN_ERR_FORMAT, "empty archive", NULL);
    write_file(path, "this is not an archive at all, just text\n", 41);
    sdn_status g = sdn_cifar10_load(path, &train, &test);
    assert_true(g == SDN_ERR_IO || g == SDN_ERR_FORMAT);
    assert_non_null(strstr(sdn_last_error(), path));
}
#endif

/* ------------------------------------------------------------------ split, statistics, batches */

static sdn_dataset small_set(size_t n, size_t f)
{
    sdn_dataset d = {.n = n, .features = f, .classes = 10, .owns = 1};
    d.pixels = malloc(n * f);
    d.labels = malloc(n * sizeof *d.labels);
    for (size_t i = 0; i < n; i++) {
        d.labels[i] = (int32_t)(i % 10);
        for (size_t j = 0; j < f; j++)
            d.pixels[i * f + j] = (uint8_t)(i * 2 + j);
    }
    return d;
}

static void split_and_stats(void **state)
{
    sdn_dataset d = small_set(100, 4), val;
    assert_int_equal(sdn_dataset_split(&d, 0.1, &val), SDN_OK);
    assert_int_equal(d.n, 90);
    assert_int_equal(val.n, 10);
    assert_int_equal(val.labels[0], 90 % 10); /* the LAST part, as Keras */
    assert_int_equal(val.pixels[0], 180);
    sdn_dataset d2 = small_set(100, 4), val2;
    assert_int_equal(sdn_dataset_split(&d2, 25, &val2), SDN_OK);
    assert_int_equal(val2.n, 25);
    assert_int_not_equal(sdn_dataset_split(&d2, 75, &val2), SDN_OK);
    assert_int_not_equal(sdn_dataset_split(&d2, -0.5, &val2), SDN_OK);
    sdn_dataset_free(&d2);

    /* Statistics from the training part only: feature 0 is 2i/255 for i < 90. */
    sdn_preprocess p;
    assert_int_equal(sdn_preprocess_fit(&p, &d, 1), SDN_OK);
    double m = 0, v = 0;
    for (int i = 0; i < 90; i++)
        m += 2.0 * i / 255 / 90;
    for (int i = 0; i < 90; i++)
        v += (2.0 * i / 255 - m) * (2.0 * i / 255 - m) / 90;
    assert_float_equal(p.mean[0], m, 1e-5);
    assert_float_equal(p.std[0], sqrt(v), 1e-5);
    float out[2 * 4];
    size_t index[3] = {5, 89, 3};
    sdn_preprocess_batch(&p, &d, index, 1, 2, out);
    assert_float_equal(out[0], (178 / 255.0 - m) / sqrt(v), 1e-4);
    assert_float_equal(out[4], (6 / 255.0 - m) / sqrt(v), 1e-4);
    sdn_preprocess_free(&p);
    assert_int_equal(sdn_preprocess_fit(&p, &d, 0), SDN_OK);
    sdn_preprocess_batch(&p, &val, NULL, 0, 1, out);
    assert_float_equal(out[1], 181 / 255.0, 1e-6);
    sdn_preprocess_free(&p);
    sdn_dataset_free(&d);
    assert_null(d.pixels);
}

/* Float rows (the Python package's float32 arrays): batches copy them as they are, the split
 * views them, and standardizing them is refused (its statistics are of pixel/255). */
static void float_rows(void **state)
{
    (void)state;
    enum { N = 10, F = 5 };
    float v[N * F];
    int32_t labels[N];
    for (int i = 0; i < N * F; i++)
        v[i] = (float)i * 0.37f - 3.0f;
    for (int i = 0; i < N; i++)
        labels[i] = i % 3;
    sdn_dataset train = {.n = N, .features = F, .classes = 3, .labels = labels, .values = v}, val;
    assert_int_equal(sdn_dataset_split(&train, 0.2, &val), SDN_OK);
    assert_int_equal(train.n, 8);
    assert_int_equal(val.n, 2);
    assert_ptr_equal(val.values, v + 8 * F);
    assert_null(val.pixels);
    assert_ptr_equal(val.labels, labels + 8);
    sdn_preprocess pre;
    assert_int_equal(sdn_preprocess_fit(&pre, &train, 0), SDN_OK);
    const size_t index[3] = {7, 0, 3};
    float out[3 * F];
    sdn_preprocess_batch(&pre, &train, index, 0, 3, out);
    for (int i = 0; i < 3; i++)
        assert_memory_equal(out + i * F, v + index[i] * F, F * sizeof *out);
    sdn_preprocess_batch(&pre, &val, NULL, 1, 1, out);
    assert_memory_equal(out, v + 9 * F, F * sizeof *out);
    sdn_preprocess_free(&pre);
    assert_int_equal(sdn_preprocess_fit(&pre, &train, 1), SDN_ERR_INVALID_ARG);
    assert_non_null(strstr(sdn_last_error(), "float rows"));
    sdn_preprocess_free(&pre);
}

/* A batch whose columns are cut between the threads (as a first layer in slices reads it) holds
 * the floats the batch by rows holds: pixels standardized or scaled, float rows copied, every
 * column formed once, whatever the cut, for column counts the slices do not divide. The batch is
 * big enough to be formed in parallel. */
static void batch_cut_same_floats(void **state)
{
    (void)state;
    enum { N = 80, F = 1030, ROWS = 70 };
    static const size_t cuts[][4] = {{0, 2, 4}, {0, 1, 4}, {0, 3, 4}, {0, 1, 2, 4}};
    static const int teams[] = {2, 2, 2, 3};
    sdn_dataset pixels = small_set(N, F);
    float *values = malloc(N * F * sizeof *values);
    float *want = malloc(ROWS * F * sizeof *want), *got = malloc(ROWS * F * sizeof *got);
    size_t index[N];
    assert_true(values && want && got);
    for (size_t i = 0; i < N * F; i++)
        values[i] = (float)i * 0.25f - 7.0f;
    sdn_dataset floats = {
        .n = N, .features = F, .classes = 10, .labels = pixels.labels, .values = values};
    sdn_shuffle_indices(index, N, 7, 1);
    for (int standardize = 0; standardize < 3; standardize++) {
        const sdn_dataset *d = standardize == 2 ? &floats : &pixels;
        sdn_preprocess pre;
        assert_int_equal(sdn_preprocess_fit(&pre, d, standardize == 1), SDN_OK);
        sdn_preprocess_batch(&pre, d, index, 5, ROWS, want);
        for (size_t c = 0; c < sizeof cuts / sizeof *cuts; c++) {
            for (size_t i = 0; i < ROWS * F; i++)
                got[i] = NAN;
            sdn_preprocess_batch_cut(&pre, d, index, 5, ROWS, teams[c], cuts[c], 4, got);
            assert_memory_equal(got, want, ROWS * F * sizeof *got);
        }
        sdn_preprocess_free(&pre);
    }
    free(values);
    free(want);
    free(got);
    sdn_dataset_free(&pixels);
}

/* Every ISA's byte-to-float kernel (the standardization of a batch): the reference's bits (a
 * product, then a sum: two roundings), every length up to a few vectors, every byte value, and
 * no read past the last byte (it ends at a guard page). */
static void u8_affine_each_isa(void **state)
{
    const sdn_kernels *k = sdn_test_kernels(state);
    const size_t page = (size_t)sysconf(_SC_PAGESIZE);
    uint8_t *map = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    assert_true(map != MAP_FAILED);
    assert_int_equal(mprotect(map + page, page, PROT_NONE), 0);
    enum { MAXN = 300 };
    float scale[MAXN], shift[MAXN], y[MAXN + 1];
    sdn_test_fill(scale, MAXN, 3, 0.001f, 0.1f);
    sdn_test_fill(shift, MAXN, 4, -3.0f, 3.0f);
    for (size_t n = 1; n <= MAXN; n += n < 40 ? 1 : 37) {
        uint8_t *x = map + page - n;
        for (size_t i = 0; i < n; i++)
            x[i] = (uint8_t)(i * 97 + n);
        y[n] = 42.0f;
        k->u8_affine(n, x, scale, shift, y);
        for (size_t i = 0; i < n; i++) {
            const float p = (float)x[i] * scale[i], want = p + shift[i];
            if (memcmp(&y[i], &want, sizeof want))
                fail_msg("u8_affine [%s] n=%zu: y[%zu] = %.9g, the reference gives %.9g",
                         sdn_isa_name(k->isa), n, i, y[i], want);
        }
        assert_true(y[n] == 42.0f);
    }
    munmap(map, 2 * page);
}

static void shuffle(void **state)
{
    enum { N = 1000 };
    size_t a[N], b[N], c[N];
    sdn_shuffle_indices(a, N, 42, 3);
    sdn_shuffle_indices(b, N, 42, 3);
    sdn_shuffle_indices(c, N, 42, 4);
    assert_memory_equal(a, b, sizeof a);
    assert_memory_not_equal(a, c, sizeof a);
    char seen[N] = {0};
    for (int i = 0; i < N; i++) {
        assert_true(a[i] < N);
        assert_false(seen[a[i]]);
        seen[a[i]] = 1;
    }
}

static void locate(void **state)
{
    assert_string_equal(sdn_data_locate("/x"), "/x");
    setenv("SIMDNN_DATA", "/from/env", 1);
    assert_string_equal(sdn_data_locate(NULL), "/from/env");
    unsetenv("SIMDNN_DATA");
    assert_string_equal(sdn_data_locate(""), "./data");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(cifar_folder),
        cmocka_unit_test(cifar_bad_folder),
#if HAVE_ARCHIVE_H
        cmocka_unit_test(cifar_tarball),
#endif
        cmocka_unit_test(split_and_stats),
        cmocka_unit_test(float_rows),
        cmocka_unit_test(batch_cut_same_floats),
        SDN_TEST_EACH_ISA(u8_affine_each_isa),
        cmocka_unit_test(shuffle),
        cmocka_unit_test(locate),
    };
    return cmocka_run_group_tests(tests, NULL, sdn_test_tmpdir_remove);
}
