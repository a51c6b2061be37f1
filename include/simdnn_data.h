/* simdnn datasets: CIFAR-10 (binary tarball or folder) and IDX (MNIST, Fashion-MNIST) kept as uint8
 * pixels, a validation split, standardization statistics and float batches made on the fly. */
#ifndef SIMDNN_DATA_H
#define SIMDNN_DATA_H

#include <stddef.h>
#include <stdint.h>

#include "simdnn.h"

#ifdef __cplusplus
extern "C" {
#endif

/* n samples of `features` bytes each (row-major, CIFAR's channel-major 3×32×32 order kept) and
 * their labels in [0, classes). A view (from sdn_dataset_split) does not own its buffers.
 * With `values` set the rows are floats instead, used as they are (no /255, no standardization):
 * how the Python package trains on a float32 NumPy array without copying it. */
typedef struct sdn_dataset {
    size_t n, features, classes;
    int channels, height, width;
    uint8_t *pixels; /* [n × features] */
    int32_t *labels; /* [n] */
    int owns;
    char name[32];       /* "cifar10", "idx" */
    const float *values; /* [n × features] instead of pixels; never owned; NULL: pixels */
} sdn_dataset;

SDN_API void sdn_dataset_free(sdn_dataset *d);

/* The data path: `flag` when given, else $SIMDNN_DATA, else "./data". */
SDN_API const char *sdn_data_locate(const char *flag);

/* CIFAR-10 binary version from `path`: the official cifar-10-binary.tar.gz (needs libarchive), the
 * unpacked cifar-10-batches-bin/ folder, or a folder holding either. data_batch_1..5 become `train`
 * (in that order), test_batch `test`; either may be NULL. Each file holds whole records of
 * 1 label byte + 3072 pixel bytes. Bad data fails with SDN_ERR_IO / SDN_ERR_FORMAT naming the file
 * and the record. */
SDN_API sdn_status sdn_cifar10_load(const char *path, sdn_dataset *train, sdn_dataset *test);

/* One IDX image file (magic 0x803, n × rows × cols) and its label file (magic 0x801), plain or
 * gzip. */
SDN_API sdn_status sdn_idx_load(const char *images_path, const char *labels_path, sdn_dataset *out);
/* A folder with train-images-idx3-ubyte[.gz], train-labels-idx1-ubyte[.gz], t10k-images-… and
 * t10k-labels-… (MNIST and Fashion-MNIST layout). */
SDN_API sdn_status sdn_idx_load_dir(const char *dir, sdn_dataset *train, sdn_dataset *test);

/* Keras' validation_split: the LAST part of `train` becomes `val` (a view; train keeps ownership
 * and shrinks). `amount` < 1 is a fraction, >= 1 a count of samples; 0 leaves val empty. */
SDN_API sdn_status sdn_dataset_split(sdn_dataset *train, double amount, sdn_dataset *val);

/* The first `n` samples only (n larger than the set keeps all): quick runs on a subset. */
SDN_API void sdn_dataset_truncate(sdn_dataset *d, size_t n);

/* Pixel to float: x/255, then per-feature (x − mean)/std when standardizing. Statistics are
 * per feature (3072 for CIFAR-10: each pixel position and channel its own), as Géron's solution
 * computes them, from the training part only. */
typedef struct sdn_preprocess {
    int standardize;
    size_t features;
    float *mean;          /* [features] of x/255; NULL unless standardizing */
    float *std;           /* [features], floored at 1e-3 so constant pixels do not blow up */
    float *scale, *shift; /* derived: x = pixel·scale + shift, one FMA per feature */
} sdn_preprocess;

/* Float rows (`values`) cannot be standardized here: SDN_ERR_INVALID_ARG. */
SDN_API sdn_status sdn_preprocess_fit(sdn_preprocess *p, const sdn_dataset *train, int standardize);
/* Adopts statistics read back from a model file (copied). */
SDN_API sdn_status sdn_preprocess_set(sdn_preprocess *p, size_t features, const float *mean,
                                      const float *std);
SDN_API void sdn_preprocess_free(sdn_preprocess *p);

/* out[i] = sample index[i] (or start + i when index is NULL) as floats: [n × features]. Float rows
 * are copied as they are. */
SDN_API void sdn_preprocess_batch(const sdn_preprocess *p, const sdn_dataset *d,
                                  const size_t *index, size_t start, size_t n, float *out);

/* The dataset's images from planes (CHW: CIFAR-10's red, green, blue planes) to pixels with their
 * channels together (HWC), as the convolutional layers read them (NHWC). In place; a dataset of
 * one channel is left as it is. SDN_ERR_NOMEM if the scratch image cannot be had. */
SDN_API sdn_status sdn_dataset_to_hwc(sdn_dataset *d);

/* Seeded, deterministic augmentation of a batch of HWC float images: each image shifted by a
 * random offset in [-pad, pad] on each axis with zeros where it leaves the frame (a random crop of
 * the image padded by pad), then mirrored left-right with probability 1/2 when flip. The draws
 * depend on (seed, epoch, the row's position `first + i` in the epoch) only. */
typedef struct sdn_augment {
    size_t height, width, channels; /* 0: no augmentation */
    int pad;                        /* CIFAR's usual 4 */
    int flip;
} sdn_augment;
SDN_API void sdn_augment_batch(const sdn_augment *a, float *x, size_t n, uint64_t seed,
                               uint64_t epoch, uint64_t first);

/* A permutation of 0..n-1 fixed by (seed, epoch): the same run shuffles the same way. */
SDN_API void sdn_shuffle_indices(size_t *index, size_t n, uint64_t seed, uint64_t epoch);

#ifdef __cplusplus
}
#endif
#endif /* SIMDNN_DATA_H */
