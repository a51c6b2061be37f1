/* Shared by the libFuzzer targets: the library reads files, so each input is written to a file in
 * this process's private folder (on /dev/shm when it exists: no disk I/O per execution). */
#ifndef SDN_FUZZ_UTIL_H
#define SDN_FUZZ_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* This process's folder, made on first use and kept until exit (libFuzzer never returns). */
static inline const char *fuzz_dir(void)
{
    static char dir[64];
    if (!dir[0]) {
        snprintf(dir, sizeof dir, "%s/simdnn-fuzz.XXXXXX",
                 access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
        if (!mkdtemp(dir))
            abort();
    }
    return dir;
}

/* Writes data to <fuzz_dir>/<name> and returns that path (a static buffer per name slot). */
static inline const char *fuzz_file(int slot, const char *name, const uint8_t *data, size_t size)
{
    static char paths[4][256];
    snprintf(paths[slot], sizeof paths[slot], "%s/%s", fuzz_dir(), name);
    FILE *f = fopen(paths[slot], "wb");
    if (!f || (size && fwrite(data, 1, size, f) != size) || fclose(f) != 0)
        abort();
    return paths[slot];
}

/* Splits a copy of data at `sep` into at most max NUL-terminated strings; returns the count (>= 1).
 * The copy is one malloc'd block: free(parts[0]). */
static inline int fuzz_split(const uint8_t *data, size_t size, char sep, char **lines, int max)
{
    char *copy = malloc(size + 1);
    if (!copy)
        abort();
    memcpy(copy, data, size);
    copy[size] = 0;
    int n = 0;
    for (char *p = copy; n < max;) {
        lines[n++] = p;
        char *nl = memchr(p, sep, (size_t)(copy + size - p));
        if (!nl)
            break;
        *nl = 0;
        p = nl + 1;
    }
    return n;
}

#endif
