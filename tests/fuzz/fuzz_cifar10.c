/* libFuzzer target: CIFAR-10 binary batches. Byte 0 picks the path: 0 = an archive (tar, tar.gz,
 * anything libarchive opens) read for the test set, 1 = the same for train and test, 2 = a folder
 * holding the rest as test_batch.bin. Whatever loads must be whole records with labels 0-9. */
#include <sys/stat.h>

#include "error.h"
#include "fuzz_util.h"
#include "simdnn_data.h"

/* Every record in bounds (ASan checks the last pixel of each) and labelled 0-9; at most `limit`
 * records' worth of input bytes (a compressed archive has no such limit). */
static void check(const sdn_dataset *d, size_t limit)
{
    if (!d->n || d->features != 3072 || d->n > limit / 3073)
        abort();
    unsigned sum = 0;
    for (size_t i = 0; i < d->n; i++) {
        if (d->labels[i] < 0 || d->labels[i] > 9)
            abort();
        sum += d->pixels[(i + 1) * 3072 - 1];
    }
    (void)sum;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!size)
        return 0;
    int mode = data[0] % 3;
    const char *path;
    if (mode < 2) {
        path = fuzz_file(0, "cifar-10-binary.tar.gz", data + 1, size - 1);
    } else {
        static char dir[300];
        snprintf(dir, sizeof dir, "%s/batches", fuzz_dir());
        mkdir(dir, 0700);
        fuzz_file(0, "batches/test_batch.bin", data + 1, size - 1);
        path = dir;
    }
    sdn_dataset train, test;
    sdn_fail(SDN_OK, "%s", "");
    sdn_status st = sdn_cifar10_load(path, mode == 1 ? &train : NULL, &test);
    if (st != SDN_OK) {
        if (test.pixels || (mode == 1 && train.pixels) || !sdn_last_error()[0])
            abort(); /* a failure frees everything and says why */
        return 0;
    }
    check(&test, mode == 2 ? size : SIZE_MAX);
    sdn_dataset_free(&test);
    if (mode == 1) {
        check(&train, SIZE_MAX);
        sdn_dataset_free(&train);
    }
    return 0;
}
