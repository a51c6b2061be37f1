/* libFuzzer target: IDX image and label files (MNIST layout), plain or gzip. Bytes 0-1 give the
 * label file's share of the input; the rest is the image file. Whatever loads must be consistent:
 * n × features pixels readable, every label a class. */
#include "error.h"
#include "fuzz_util.h"
#include "simdnn_data.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    size_t rest = size - 2, split = ((size_t)data[0] << 8 | data[1]) % (rest + 1);
    const char *labels = fuzz_file(0, "labels-idx1-ubyte", data + 2, split);
    const char *images = fuzz_file(1, "images-idx3-ubyte", data + 2 + split, rest - split);
    sdn_dataset d;
    sdn_fail(SDN_OK, "%s", "");
    if (sdn_idx_load(images, labels, &d) != SDN_OK) {
        if (d.pixels || d.labels || !sdn_last_error()[0])
            abort(); /* a failure frees everything and says why */
        return 0;
    }
    if (!d.n || !d.features || d.features > size / d.n) /* divided: a product could wrap */
        abort();
    unsigned sum = 0;
    for (size_t i = 0; i < d.n * d.features; i++)
        sum += d.pixels[i];
    for (size_t i = 0; i < d.n; i++)
        if (d.labels[i] < 0 || (size_t)d.labels[i] >= d.classes)
            abort();
    (void)sum;
    sdn_dataset_free(&d);
    return 0;
}
