/* safetensors: round trip with metadata, refusal of truncated, corrupt and out-of-range files, and
 * the atomic write (an existing file survives a failed one). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "simdnn_io.h"
#include "testhooks.h"
#include "testutil.h"

static const char *tmpdir(void)
{
    const char *d = sdn_test_tmpdir("st");
    assert_non_null(d);
    return d;
}

static float a[6] = {1, 2, 3, 4, 5, 6}, b[3] = {-1.5f, 0.25f, 1e30f};

static void write_sample(const char *path)
{
    sdn_st_tensor t[2] = {{"dense_0.kernel", 2, {2, 3}, a}, {"dense_0.bias", 1, {3}, b}};
    sdn_st_meta m[2] = {{"format", "simdnn"}, {"note", "quote \" backslash \\ newline \n"}};
    assert_int_equal(sdn_safetensors_write(path, t, 2, m, 2), SDN_OK);
}

static uint8_t *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    *len = (size_t)ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *p = malloc(*len + 1);
    assert_int_equal(fread(p, 1, *len, f), *len);
    fclose(f);
    return p;
}

static void spit(const char *path, const void *p, size_t n)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fwrite(p, 1, n, f);
    fclose(f);
}

static void round_trip(void **state)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/rt.safetensors", tmpdir());
    write_sample(path);
    size_t len;
    uint8_t *raw = slurp(path, &len);
    /* Data starts 8-byte aligned; the header is plain JSON. */
    uint64_t hlen = 0;
    for (int i = 7; i >= 0; i--)
        hlen = hlen << 8 | raw[i];
    assert_int_equal((8 + hlen) % 8, 0);
    assert_int_equal(len, 8 + hlen + 9 * sizeof(float));
    assert_non_null(strstr((char *)raw + 8, "\"dtype\":\"F32\""));
    free(raw);

    sdn_safetensors *st;
    assert_int_equal(sdn_safetensors_open(path, &st), SDN_OK);
    assert_int_equal(sdn_safetensors_count(st), 2);
    assert_string_equal(sdn_safetensors_meta(st, "format"), "simdnn");
    assert_string_equal(sdn_safetensors_meta(st, "note"), "quote \" backslash \\ newline \n");
    assert_null(sdn_safetensors_meta(st, "absent"));
    float got[6];
    size_t s23[2] = {2, 3}, s32[2] = {3, 2}, s3[1] = {3};
    assert_int_equal(sdn_safetensors_read(st, "dense_0.kernel", 2, s23, got), SDN_OK);
    assert_memory_equal(got, a, sizeof a);
    assert_int_equal(sdn_safetensors_read(st, "dense_0.bias", 1, s3, got), SDN_OK);
    assert_memory_equal(got, b, sizeof b);
    /* Shape mismatch and missing tensor name both shapes / the name. */
    assert_int_equal(sdn_safetensors_read(st, "dense_0.kernel", 2, s32, got), SDN_ERR_FORMAT);
    assert_non_null(strstr(sdn_last_error(), "[2, 3]"));
    assert_non_null(strstr(sdn_last_error(), "[3, 2]"));
    assert_int_equal(sdn_safetensors_read(st, "dense_9.kernel", 2, s23, got), SDN_ERR_FORMAT);
    assert_non_null(strstr(sdn_last_error(), "dense_9.kernel"));
    sdn_safetensors_close(st);
}

/* Writes a file made of a header string and `data_bytes` zero bytes. */
static void write_raw(const char *path, const char *header, size_t data_bytes)
{
    size_t h = strlen(header);
    uint8_t *p = calloc(1, 8 + h + data_bytes);
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)((uint64_t)h >> (8 * i));
    memcpy(p + 8, header, h);
    spit(path, p, 8 + h + data_bytes);
    free(p);
}

static void expect_refused(const char *path, const char *needle)
{
    sdn_safetensors *st = NULL;
    sdn_status s = sdn_safetensors_open(path, &st);
    if (s != SDN_ERR_FORMAT || !strstr(sdn_last_error(), needle))
        fail_msg("status %d, message '%s' should contain '%s'", s, sdn_last_error(), needle);
    assert_null(st);
}

static void refusals(void **state)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/bad.safetensors", tmpdir());

    /* Truncated: cut inside the data, inside the header, inside the length. */
    write_sample(path);
    size_t len;
    uint8_t *raw = slurp(path, &len);
    spit(path, raw, len - 4);
    expect_refused(path, "outside");
    spit(path, raw, 20);
    expect_refused(path, "truncated");
    spit(path, raw, 5);
    expect_refused(path, "truncated");
    free(raw);

    /* Corrupt JSON. */
    write_raw(path, "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]", 4);
    expect_refused(path, "corrupt header JSON");
    write_raw(path, "[1,2]", 0);
    expect_refused(path, "not a JSON object");
    write_raw(path, "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}} x", 4);
    expect_refused(path, "trailing");
    write_raw(path, "{\"a\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}", 4);
    expect_refused(path, "corrupt header JSON");
    /* Offsets out of range, size not matching the shape, overlap, other dtypes. */
    write_raw(path, "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 4);
    expect_refused(path, "outside");
    write_raw(path, "{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", 8);
    expect_refused(path, "shape of 3");
    write_raw(path,
              "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
              "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}",
              12);
    expect_refused(path, "overlap");
    write_raw(path, "{\"a\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[0,4]}}", 4);
    expect_refused(path, "F16");

    /* Missing file: an I/O error naming it. */
    sdn_safetensors *st;
    assert_int_equal(sdn_safetensors_open("/nonexistent/x.safetensors", &st), SDN_ERR_IO);
    assert_non_null(strstr(sdn_last_error(), "/nonexistent/x.safetensors"));
}

static void atomic_write(void **state)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/atomic.safetensors", tmpdir());
    write_sample(path);
    size_t len0;
    uint8_t *before = slurp(path, &len0);

    /* A write that dies half-way (disk full) leaves the old file and no temporary behind. */
    float big[1000] = {0};
    sdn_st_tensor t = {"big", 1, {1000}, big};
    sdn_st_fail_after_bytes = 1000;
    assert_int_equal(sdn_safetensors_write(path, &t, 1, NULL, 0), SDN_ERR_IO);
    sdn_st_fail_after_bytes = 0;
    assert_non_null(strstr(sdn_last_error(), "unchanged"));
    size_t len1;
    uint8_t *after = slurp(path, &len1);
    assert_int_equal(len0, len1);
    assert_memory_equal(before, after, len0);
    free(before);
    free(after);
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "ls %s | grep -q tmp", tmpdir());
    assert_int_not_equal(system(cmd), 0);

    /* A folder that does not exist: clear error, nothing created. */
    char bad[1100];
    snprintf(bad, sizeof bad, "%s/no/such/dir/m.safetensors", tmpdir());
    assert_int_equal(sdn_safetensors_write(bad, &t, 1, NULL, 0), SDN_ERR_IO);
    assert_non_null(strstr(sdn_last_error(), "m.safetensors"));
    /* And the successful overwrite replaces it. */
    assert_int_equal(sdn_safetensors_write(path, &t, 1, NULL, 0), SDN_OK);
    sdn_safetensors *st;
    assert_int_equal(sdn_safetensors_open(path, &st), SDN_OK);
    assert_int_equal(sdn_safetensors_count(st), 1);
    sdn_safetensors_close(st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(round_trip),
        cmocka_unit_test(refusals),
        cmocka_unit_test(atomic_write),
    };
    return cmocka_run_group_tests(tests, NULL, sdn_test_tmpdir_remove);
}
