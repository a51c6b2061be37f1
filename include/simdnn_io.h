/* simdnn model files in the safetensors format: 8-byte little-endian header length, a JSON header
 * {name: {"dtype": "F32", "shape": [...], "data_offsets": [begin, end]}, "__metadata__": {...}},
 * then the raw little-endian tensors. PyTorch, NumPy (safetensors.numpy) and many tools read it. */
#ifndef SIMDNN_IO_H
#define SIMDNN_IO_H

#include <stddef.h>

#include "simdnn.h"

#ifdef __cplusplus
extern "C" {
#endif

#define SDN_ST_MAX_RANK 4

/* A tensor to write: F32, row-major. */
typedef struct sdn_st_tensor {
    const char *name;
    int rank;
    size_t shape[SDN_ST_MAX_RANK];
    const float *data;
} sdn_st_tensor;

/* Metadata: a string → string map (safetensors allows nothing else). */
typedef struct sdn_st_meta {
    const char *key;
    const char *value;
} sdn_st_meta;

/* Writes atomically: a temporary file in the same folder, fsync, rename over `path`, fsync of the
 * folder. On any failure the temporary file is removed and an existing `path` is left untouched. */
SDN_API sdn_status sdn_safetensors_write(const char *path, const sdn_st_tensor *tensors,
                                         size_t count, const sdn_st_meta *meta, size_t meta_count);

/* A file read and validated whole: header JSON parsed, every dtype F32, every offset inside the
 * data and matching its shape, tensors not overlapping. */
typedef struct sdn_safetensors sdn_safetensors;

SDN_API sdn_status sdn_safetensors_open(const char *path, sdn_safetensors **out);
SDN_API void sdn_safetensors_close(sdn_safetensors *st);
SDN_API const char *sdn_safetensors_path(const sdn_safetensors *st);
/* Metadata value for key, NULL when absent. */
SDN_API const char *sdn_safetensors_meta(const sdn_safetensors *st, const char *key);
SDN_API size_t sdn_safetensors_count(const sdn_safetensors *st);
/* Name, rank and shape of tensor i (shape may be NULL). */
SDN_API const char *sdn_safetensors_info(const sdn_safetensors *st, size_t i, int *rank,
                                         size_t *shape);
/* Index of tensor `name`, or -1. */
SDN_API long sdn_safetensors_find(const sdn_safetensors *st, const char *name);
/* Copies tensor `name` into dst after checking it has this rank and shape: SDN_ERR_FORMAT naming
 * the file, the tensor and both shapes otherwise (or when the tensor is missing). */
SDN_API sdn_status sdn_safetensors_read(const sdn_safetensors *st, const char *name, int rank,
                                        const size_t *shape, float *dst);

/* Every tensor of the model (sdn_model_tensor): parameters, BN state and, with_optimizer, optimizer
 * slots, plus `extra` tensors and the metadata, in one atomic write. */
SDN_API sdn_status sdn_model_save(const sdn_model *model, const char *path, int with_optimizer,
                                  const sdn_st_tensor *extra, size_t extra_count,
                                  const sdn_st_meta *meta, size_t meta_count);
/* Loads the model's tensors from an open file, checking names and shapes against the compiled
 * model. Optimizer slots are loaded when with_optimizer (and required then). A model tensor missing
 * from the file, or a file tensor the model lacks (other than "preprocess.*", "fit.*"), is a
 * mismatch: SDN_ERR_FORMAT naming it. */
SDN_API sdn_status sdn_model_load(sdn_model *model, const sdn_safetensors *st, int with_optimizer);

#ifdef __cplusplus
}
#endif
#endif /* SIMDNN_IO_H */
