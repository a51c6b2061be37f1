/* A model's tensors to and from a safetensors file: names and shapes come from sdn_model_tensor, so
 * the file is checked against the compiled model tensor by tensor. */
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "simdnn_io.h"

sdn_status sdn_model_save(const sdn_model *model, const char *path, int with_optimizer,
                          const sdn_st_tensor *extra, size_t extra_count, const sdn_st_meta *meta,
                          size_t meta_count)
{
    size_t n_model = sdn_model_tensor_count(model);
    sdn_st_tensor *t = calloc(n_model + extra_count + 1, sizeof *t);
    if (!t)
        return sdn_fail(SDN_ERR_NOMEM, "out of memory");
    size_t n = 0;
    sdn_status st = SDN_OK;
    for (size_t i = 0; i < n_model && !st; i++) {
        sdn_tensor mt;
        if ((st = sdn_model_tensor(model, i, &mt)))
            break;
        if (mt.role == SDN_TENSOR_OPTIMIZER && !with_optimizer)
            continue;
        t[n].name = mt.name;
        t[n].rank = mt.rank;
        t[n].shape[0] = mt.shape[0];
        t[n].shape[1] = mt.shape[1];
        t[n].data = mt.data;
        n++;
    }
    for (size_t i = 0; i < extra_count; i++)
        t[n++] = extra[i];
    if (!st)
        st = sdn_safetensors_write(path, t, n, meta, meta_count);
    free(t);
    return st;
}

static int is_extra(const char *name)
{
    return !strncmp(name, "preprocess.", 11) || !strncmp(name, "fit.", 4);
}

sdn_status sdn_model_load(sdn_model *model, const sdn_safetensors *file, int with_optimizer)
{
    size_t n_model = sdn_model_tensor_count(model);
    /* A file tensor the model lacks means another architecture: refuse before touching weights. */
    for (size_t i = 0; i < sdn_safetensors_count(file); i++) {
        const char *name = sdn_safetensors_info(file, i, NULL, NULL);
        if (is_extra(name))
            continue;
        int known = 0;
        for (size_t j = 0; j < n_model && !known; j++) {
            sdn_tensor mt;
            if (sdn_model_tensor(model, j, &mt) == SDN_OK && !strcmp(mt.name, name))
                known = 1;
        }
        if (!known)
            return sdn_fail(SDN_ERR_FORMAT,
                            "%s: tensor '%s' is not in this model (a file for another "
                            "architecture?)",
                            sdn_safetensors_path(file), name);
    }
    /* Check every shape first so a mismatch leaves the model as it was. */
    for (int pass = 0; pass < 2; pass++) {
        for (size_t j = 0; j < n_model; j++) {
            sdn_tensor mt;
            sdn_status st = sdn_model_tensor(model, j, &mt);
            if (st)
                return st;
            if (mt.role == SDN_TENSOR_OPTIMIZER && !with_optimizer)
                continue;
            if (pass == 0) {
                long k = sdn_safetensors_find(file, mt.name);
                int rank;
                size_t shape[SDN_ST_MAX_RANK];
                if (k < 0)
                    return sdn_fail(SDN_ERR_FORMAT, "%s: no tensor '%s'%s",
                                    sdn_safetensors_path(file), mt.name,
                                    mt.role == SDN_TENSOR_OPTIMIZER
                                        ? " (saved without optimizer state: cannot resume)"
                                        : " (a file for another architecture?)");
                sdn_safetensors_info(file, (size_t)k, &rank, shape);
                int same = rank == mt.rank;
                for (int r = 0; same && r < rank; r++)
                    same = shape[r] == mt.shape[r];
                if (!same)
                    return sdn_safetensors_read(file, mt.name, mt.rank, mt.shape, mt.data);
            } else {
                if ((st = sdn_safetensors_read(file, mt.name, mt.rank, mt.shape, mt.data)))
                    return st;
            }
        }
    }
    return SDN_OK;
}
