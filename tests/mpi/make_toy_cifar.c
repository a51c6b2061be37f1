/* Writes a small CIFAR-10-format folder for the MPI tests: 5 training files of `per_file` records
 * and a test file, each label visible in the pixels (class k brightens one band of channel k % 3)
 * under uniform noise, so a small net learns it within a few epochs.
 * usage: make_toy_cifar DIR [records per file] [signal]: signal (default 6) is added to the band */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

static uint64_t next(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: make_toy_cifar DIR [records per file] [signal]\n");
        return 2;
    }
    const int per_file = argc > 2 ? atoi(argv[2]) : 400;
    const int signal = argc > 3 ? atoi(argv[3]) : 6;
    static const char *names[] = {"data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin",
                                  "data_batch_4.bin", "data_batch_5.bin", "test_batch.bin"};
    mkdir(argv[1], 0755);
    uint64_t s = 20261130;
    for (int b = 0; b < 6; b++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", argv[1], names[b]);
        FILE *f = fopen(path, "wb");
        if (!f) {
            fprintf(stderr, "make_toy_cifar: cannot write %s\n", path);
            return 1;
        }
        for (int r = 0; r < per_file; r++) {
            uint8_t rec[3073];
            int label = (int)(next(&s) % 10);
            rec[0] = (uint8_t)label;
            for (int j = 0; j < 3072; j++) {
                int v = (int)(next(&s) >> 57); /* noise 0..127 */
                if (j / 1024 == label % 3 && (j % 1024) / 103 == label)
                    v += signal;
                rec[1 + j] = (uint8_t)v;
            }
            fwrite(rec, 1, sizeof rec, f);
        }
        if (fclose(f) != 0) {
            fprintf(stderr, "make_toy_cifar: write failed: %s\n", path);
            return 1;
        }
    }
    return 0;
}
