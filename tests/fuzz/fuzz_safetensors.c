/* libFuzzer target: the safetensors reader (header length, header JSON, dtypes, shapes, offsets).
 * Whatever it accepts must be fully readable: every tensor is copied out and every metadata key
 * looked up, so ASan sees any offset the validation let through. */
#include "error.h"
#include "fuzz_util.h"
#include "simdnn_io.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fuzz_file(0, "in.safetensors", data, size);
    sdn_safetensors *st = NULL;
    sdn_fail(SDN_OK, "%s", "");
    if (sdn_safetensors_open(path, &st) != SDN_OK) {
        if (st || !sdn_last_error()[0])
            abort(); /* a failure must leave no handle and say why */
        return 0;
    }
    for (size_t i = 0; i < sdn_safetensors_count(st); i++) {
        int rank;
        size_t shape[SDN_ST_MAX_RANK], n = 1;
        const char *name = sdn_safetensors_info(st, i, &rank, shape);
        if (!name || rank < 0 || rank > SDN_ST_MAX_RANK ||
            sdn_safetensors_find(st, name) != (long)i)
            abort();
        for (int r = 0; r < rank; r++)
            n *= shape[r];
        if (n * sizeof(float) > size) /* validated: the tensor lies inside the file */
            abort();
        float *dst = malloc(n * sizeof *dst + 1);
        if (sdn_safetensors_read(st, name, rank, shape, dst) != SDN_OK)
            abort();
        free(dst);
    }
    (void)sdn_safetensors_meta(st, "format");
    (void)sdn_safetensors_meta(st, "simdnn.architecture");
    sdn_safetensors_close(st);
    return 0;
}
