/* The host layer (src/platform/): UTF-8 paths with characters outside ASCII through every file
 * call and the model files, atomic replace over an existing file, mkdir -p, the monotonic clock,
 * aligned allocation, once, the memory stream and the CPU facts the OS gives. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef _WIN32
#include <windows.h>
#endif

#include "platform/platform.h"
#include "simdnn_fit.h"
#include "simdnn_io.h"
#include "testutil.h"

/* French, Greek, Chinese and an emoji (outside the BMP: a surrogate pair in UTF-16). */
#define NON_ASCII "données-δοκιμή-模型-🙂"

static const char *dir(void)
{
    const char *d = sdn_test_tmpdir("platform");
    assert_non_null(d);
    return d;
}

static void write_text(const char *path, const char *text)
{
    FILE *f = sdn_fopen(path, "w");
    assert_non_null(f);
    assert_int_equal(fputs(text, f) >= 0, 1);
    assert_int_equal(fclose(f), 0);
}

static void utf8_paths(void **state)
{
    (void)state;
    char folder[1024], path[1100], buf[64];
    snprintf(folder, sizeof folder, "%s/%s/a/%s", dir(), NON_ASCII, NON_ASCII);
    assert_int_equal(sdn_path_kind_of(folder), SDN_PATH_NONE);
    assert_int_equal(sdn_mkdirs(folder), 0);
    assert_int_equal(sdn_mkdirs(folder), 0); /* there already: fine */
    assert_int_equal(sdn_path_kind_of(folder), SDN_PATH_DIR);
    snprintf(path, sizeof path, "%s/%s.txt", folder, NON_ASCII);
    write_text(path, "line\n");
    assert_int_equal(sdn_path_kind_of(path), SDN_PATH_FILE);
    FILE *f = sdn_fopen(path, "r");
    assert_non_null(f);
    assert_int_equal(sdn_file_size(f), 5); /* "line\n": text is written as is, no CR added */
    assert_non_null(fgets(buf, sizeof buf, f));
    fclose(f);
    assert_string_equal(buf, "line\n");
    assert_int_equal(sdn_mkdirs(path), ENOTDIR); /* a file where a folder should be */
#ifdef _WIN32
    /* The name on disk is the UTF-16 of the UTF-8 given, not the ANSI code page's guess. */
    wchar_t wide[1100];
    assert_true(MultiByteToWideChar(CP_UTF8, 0, path, -1, wide, 1100) > 0);
    assert_true(GetFileAttributesW(wide) != INVALID_FILE_ATTRIBUTES);
    assert_true(wcsstr(wide, L"donn\u00e9es-\u03b4\u03bf\u03ba\u03b9\u03bc\u03ae-\u6a21\u578b-") !=
                NULL);
#endif
    assert_int_equal(sdn_remove(path), 0);
    assert_int_equal(sdn_path_kind_of(path), SDN_PATH_NONE);

    /* a model saved and opened there */
    sdn_net_spec s = {.activation = SDN_ACT_ELU, .init = SDN_INIT_HE_NORMAL};
    s.input_size = 6;
    s.classes = 3;
    s.hidden_layers = 1;
    s.units = 4;
    sdn_optimizer_options o = sdn_optimizer_defaults(SDN_OPT_NADAM);
    sdn_model *m = NULL;
    assert_int_equal(sdn_net_build(&s, 3, 4, &o, &m), SDN_OK);
    snprintf(path, sizeof path, "%s/%s.safetensors", folder, NON_ASCII);
    assert_int_equal(sdn_model_save(m, path, 1, NULL, 0, NULL, 0), SDN_OK);
    assert_int_equal(sdn_model_save(m, path, 1, NULL, 0, NULL, 0), SDN_OK); /* over itself */
    sdn_safetensors *st;
    if (sdn_safetensors_open(path, &st) != SDN_OK)
        fail_msg("%s", sdn_last_error());
    assert_true(sdn_safetensors_count(st) > 0);
    sdn_safetensors_close(st);
    sdn_model_free(m);
    assert_int_equal(sdn_test_count_files(folder, ".tmp."), 0);
}

static void atomic_replace(void **state)
{
    (void)state;
    char path[1024], tmp[1100], buf[64];
    snprintf(path, sizeof path, "%s/%s-replace.txt", dir(), NON_ASCII);
    write_text(path, "old");
    FILE *f = sdn_create_temp(path, tmp, sizeof tmp);
    assert_non_null(f);
    assert_true(strncmp(tmp, path, strlen(path)) == 0); /* beside its target */
    assert_int_equal(fputs("new", f) >= 0, 1);
    assert_int_equal(sdn_file_sync(f), 0);
    assert_int_equal(fclose(f), 0);
    assert_int_equal(sdn_replace_file(tmp, path), 0);
    assert_int_equal(sdn_path_kind_of(tmp), SDN_PATH_NONE);
    f = sdn_fopen(path, "rb");
    assert_non_null(f);
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = 0;
    assert_string_equal(buf, "new");
    /* two temporary names for one target never collide */
    char tmp2[1100];
    FILE *a = sdn_create_temp(path, tmp, sizeof tmp), *b = sdn_create_temp(path, tmp2, sizeof tmp2);
    assert_non_null(a);
    assert_non_null(b);
    assert_string_not_equal(tmp, tmp2);
    fclose(a);
    fclose(b);
    assert_int_equal(sdn_remove(tmp), 0);
    assert_int_equal(sdn_remove(tmp2), 0);
}

static int once_count;
static void count_once(void)
{
    once_count++;
}

static void clock_memory_once(void **state)
{
    (void)state;
    const uint64_t t0 = sdn_monotonic_ns(), t1 = sdn_monotonic_ns();
    assert_true(t1 >= t0);
    for (size_t align = 16; align <= 4096; align *= 2) {
        void *p = sdn_aligned_alloc(align, 1000);
        assert_non_null(p);
        assert_int_equal((uintptr_t)p % align, 0);
        memset(p, 1, 1000);
        sdn_aligned_free(p);
    }
    sdn_aligned_free(NULL);
    static sdn_once once = SDN_ONCE_INIT;
    sdn_call_once(&once, count_once);
    sdn_call_once(&once, count_once);
    assert_int_equal(once_count, 1);
    sdn_memfile mf;
    assert_int_equal(sdn_memfile_open(&mf), 0);
    fprintf(mf.f, "%d %s\n", 42, NON_ASCII);
    assert_int_equal(sdn_memfile_close(&mf), 0);
    assert_string_equal(mf.buf, "42 " NON_ASCII "\n");
    assert_int_equal(mf.len, strlen(mf.buf));
    free(mf.buf);
    assert_true(sdn_os_cpu_count() >= 1);
    assert_true(sdn_os_thread_id() != 0);
    const char *source = "none";
    const size_t l1 = sdn_os_cache_size(1, &source);
    print_message("L1d from the OS: %.0f bytes (%s)\n", (double)l1, source);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(utf8_paths),
        cmocka_unit_test(atomic_replace),
        cmocka_unit_test(clock_memory_once),
    };
    return cmocka_run_group_tests(tests, NULL, sdn_test_tmpdir_remove);
}
