/* IDX files (MNIST, Fashion-MNIST) generated here: plain and gzipped, every bad-data case with the
 * file and record named, and the installed Fashion-MNIST when its Debian package is there. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#if SDN_HAVE_LIBARCHIVE /* the library reads gzip only when built with libarchive */
#include <archive.h>
#include <archive_entry.h>
#define HAVE_ARCHIVE_H 1
#else
#define HAVE_ARCHIVE_H 0
#endif

#include "simdnn_data.h"
#include "testutil.h"

static const char *tmpdir(void)
{
    const char *d = sdn_test_tmpdir("idx");
    assert_non_null(d);
    return d;
}

static void expect_error(sdn_status got, sdn_status want, const char *a, const char *b)
{
    if (got != want || (a && !strstr(sdn_last_error(), a)) || (b && !strstr(sdn_last_error(), b)))
        fail_msg("status %d (want %d), message '%s' should name '%s' and '%s'", got, want,
                 sdn_last_error(), a ? a : "", b ? b : "");
}

static void put_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static void make_idx(const char *img_path, const char *lab_path, uint32_t n, uint32_t img_magic,
                     int cut_bytes, int bad_label_at)
{
    size_t ilen = 16 + (size_t)n * 28 * 28, llen = 8 + n;
    uint8_t *img = malloc(ilen), *lab = malloc(llen);
    put_be32(img, img_magic);
    put_be32(img + 4, n);
    put_be32(img + 8, 28);
    put_be32(img + 12, 28);
    for (size_t i = 16; i < ilen; i++)
        img[i] = (uint8_t)(i * 13);
    put_be32(lab, 0x801);
    put_be32(lab + 4, n);
    for (uint32_t i = 0; i < n; i++)
        lab[8 + i] = (uint8_t)(i % 10);
    if (bad_label_at >= 0)
        lab[8 + bad_label_at] = 11;
    sdn_test_write_file(img_path, img, ilen - (size_t)cut_bytes);
    sdn_test_write_file(lab_path, lab, llen);
    free(img);
    free(lab);
}

static void idx_files(void **state)
{
    char img[1024], lab[1024];
    snprintf(img, sizeof img, "%s/train-images-idx3-ubyte", tmpdir());
    snprintf(lab, sizeof lab, "%s/train-labels-idx1-ubyte", tmpdir());
    make_idx(img, lab, 12, 0x803, 0, -1);
    sdn_dataset d;
    assert_int_equal(sdn_idx_load(img, lab, &d), SDN_OK);
    assert_int_equal(d.n, 12);
    assert_int_equal(d.features, 784);
    assert_int_equal(d.labels[11], 1);
    assert_int_equal(d.pixels[5], (uint8_t)((16 + 5) * 13));
    sdn_dataset_free(&d);

    make_idx(img, lab, 12, 0x802, 0, -1);
    expect_error(sdn_idx_load(img, lab, &d), SDN_ERR_FORMAT, img, "magic");
    make_idx(img, lab, 12, 0x803, 700, -1);
    expect_error(sdn_idx_load(img, lab, &d), SDN_ERR_FORMAT, img, "wrong size");
    make_idx(img, lab, 12, 0x803, 0, 7);
    expect_error(sdn_idx_load(img, lab, &d), SDN_ERR_FORMAT, lab, "record 7");
    char missing[1100];
    snprintf(missing, sizeof missing, "%s/nope-idx1-ubyte", tmpdir());
    expect_error(sdn_idx_load(img, missing, &d), SDN_ERR_IO, "nope-idx1-ubyte", NULL);
}

#if HAVE_ARCHIVE_H
static void gzip_file(const char *src, const char *dst)
{
    FILE *f = fopen(src, "rb");
    assert_non_null(f);
    static uint8_t buf[1 << 20];
    size_t n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    struct archive *a = archive_write_new();
    archive_write_add_filter_gzip(a);
    archive_write_set_format_raw(a);
    assert_int_equal(archive_write_open_filename(a, dst), ARCHIVE_OK);
    struct archive_entry *e = archive_entry_new();
    archive_entry_set_pathname(e, "x");
    archive_entry_set_filetype(e, AE_IFREG);
    archive_entry_set_size(e, (la_int64_t)n);
    archive_write_header(a, e);
    archive_write_data(a, buf, n);
    archive_entry_free(e);
    archive_write_close(a);
    archive_write_free(a);
}

static void idx_gzip_dir(void **state)
{
    char dir[1024], a[1100], b[1100], gz[1200];
    snprintf(dir, sizeof dir, "%s/fashion", tmpdir());
    mkdir(dir, 0755);
    const char *stems[2][2] = {{"train-images-idx3-ubyte", "train-labels-idx1-ubyte"},
                               {"t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"}};
    for (int s = 0; s < 2; s++) {
        snprintf(a, sizeof a, "%s/%s", dir, stems[s][0]);
        snprintf(b, sizeof b, "%s/%s", dir, stems[s][1]);
        make_idx(a, b, s ? 6 : 20, 0x803, 0, -1);
        /* Train images gzipped (the plain one removed), the rest plain: both kinds in one set. */
        if (s == 0) {
            snprintf(gz, sizeof gz, "%s.gz", a);
            gzip_file(a, gz);
            unlink(a);
        }
    }
    sdn_dataset train, test;
    sdn_status st = sdn_idx_load_dir(dir, &train, &test);
    if (st == SDN_ERR_UNSUPPORTED)
        skip();
    assert_int_equal(st, SDN_OK);
    assert_int_equal(train.n, 20);
    assert_int_equal(test.n, 6);
    assert_int_equal(train.pixels[5], (uint8_t)((16 + 5) * 13));
    sdn_dataset_free(&train);
    sdn_dataset_free(&test);
}
#endif

/* The installed Fashion-MNIST, when the Debian package is there. */
static void idx_fashion_mnist_installed(void **state)
{
    const char *dir = "/usr/share/datasets/fashion-mnist";
    struct stat sb;
    if (stat(dir, &sb) != 0)
        skip();
    sdn_dataset test;
    sdn_status st = sdn_idx_load_dir(dir, NULL, &test);
    if (st == SDN_ERR_UNSUPPORTED)
        skip();
    assert_int_equal(st, SDN_OK);
    assert_int_equal(test.n, 10000);
    assert_int_equal(test.features, 784);
    sdn_dataset_free(&test);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#if HAVE_ARCHIVE_H
        cmocka_unit_test(idx_gzip_dir),
#endif
        cmocka_unit_test(idx_files),
        cmocka_unit_test(idx_fashion_mnist_installed),
    };
    return cmocka_run_group_tests(tests, NULL, sdn_test_tmpdir_remove);
}
