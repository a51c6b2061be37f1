/* Runs a libFuzzer target's entry point over files and folders without libFuzzer: the committed
 * seeds and every input a fuzzer once crashed on (tests/fuzz/regressions/) become an ordinary ctest
 * under gcc and ASan+UBSan alike. Usage: fuzz_replay_<target> PATH... */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int replay_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "fuzz_replay: cannot open %s\n", path);
        return 1;
    }
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    rewind(f);
    uint8_t *buf = malloc(n > 0 ? (size_t)n : 1);
    size_t got = buf ? fread(buf, 1, (size_t)(n > 0 ? n : 0), f) : 0;
    fclose(f);
    if (!buf || got != (size_t)(n > 0 ? n : 0)) {
        fprintf(stderr, "fuzz_replay: cannot read %s\n", path);
        free(buf);
        return 1;
    }
    printf("replay %s (%ld bytes)\n", path, n);
    fflush(stdout);
    LLVMFuzzerTestOneInput(buf, got);
    free(buf);
    return 0;
}

static int replay(const char *path, int *count)
{
    struct stat sb;
    if (stat(path, &sb) != 0) {
        fprintf(stderr, "fuzz_replay: no such file or folder: %s\n", path);
        return 1;
    }
    if (!S_ISDIR(sb.st_mode))
        return ++*count, replay_file(path);
    DIR *d = opendir(path);
    if (!d)
        return 1;
    int bad = 0;
    struct dirent *e;
    while (!bad && (e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        char sub[4096];
        snprintf(sub, sizeof sub, "%s/%s", path, e->d_name);
        bad = replay(sub, count);
    }
    closedir(d);
    return bad;
}

int main(int argc, char **argv)
{
    int count = 0;
    for (int i = 1; i < argc; i++)
        if (replay(argv[i], &count))
            return 1;
    printf("fuzz_replay: %d inputs, no finding\n", count);
    return 0;
}
