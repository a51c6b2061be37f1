/* Dataset plumbing shared by every format: locating the data, the validation split, standardization
 * statistics, float batches made on the fly and the per-epoch shuffle. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "data/batch.h"
#include "error.h"
#include "kernels.h"
#include "profile/prof.h"
#include "simdnn_data.h"

#ifdef _OPENMP
#include <omp.h>
#endif

void sdn_dataset_free(sdn_dataset *d)
{
    if (!d)
        return;
    if (d->owns) {
        free(d->pixels);
        free(d->labels);
    }
    memset(d, 0, sizeof *d);
}

const char *sdn_data_locate(const char *flag)
{
    if (flag && flag[0])
        return flag;
    const char *env = getenv("SIMDNN_DATA");
    if (env && env[0])
        return env;
    return "./data";
}

sdn_status sdn_dataset_split(sdn_dataset *train, double amount, sdn_dataset *val)
{
    memset(val, 0, sizeof *val);
    if (!(amount >= 0))
        return sdn_fail(SDN_ERR_INVALID_ARG, "validation split %g: must be >= 0", amount);
    size_t n_val = amount < 1 ? (size_t)(amount * (double)train->n) : (size_t)amount;
    if (n_val >= train->n)
        return sdn_fail(SDN_ERR_INVALID_ARG,
                        "validation split %g leaves no training data (%zu samples)", amount,
                        train->n);
    *val = *train;
    val->owns = 0;
    val->n = n_val;
    size_t n_train = train->n - n_val;
    /* NULL + offset is undefined: only the buffer the set has moves */
    if (train->pixels)
        val->pixels = train->pixels + n_train * train->features;
    if (train->values)
        val->values = train->values + n_train * train->features;
    val->labels = train->labels + n_train;
    train->n = n_train;
    return SDN_OK;
}

void sdn_dataset_truncate(sdn_dataset *d, size_t n)
{
    if (n < d->n)
        d->n = n;
}

/* pixel·scale + shift == (pixel/255 − mean)/std, without a division per element. */
static sdn_status derive(sdn_preprocess *p)
{
    p->scale = malloc(p->features * sizeof *p->scale);
    p->shift = malloc(p->features * sizeof *p->shift);
    if (!p->scale || !p->shift) {
        sdn_preprocess_free(p);
        return sdn_fail(SDN_ERR_NOMEM, "out of memory for standardization statistics");
    }
    for (size_t j = 0; j < p->features; j++) {
        p->scale[j] = 1.0f / (255.0f * p->std[j]);
        p->shift[j] = -p->mean[j] / p->std[j];
    }
    return SDN_OK;
}

sdn_status sdn_preprocess_fit(sdn_preprocess *p, const sdn_dataset *train, int standardize)
{
    memset(p, 0, sizeof *p);
    p->features = train->features;
    if (standardize && train->values) /* the statistics and scale are of pixel/255 */
        return sdn_fail(SDN_ERR_INVALID_ARG,
                        "standardization is for uint8 pixels; float rows are used as they are");
    p->standardize = standardize;
    if (!standardize)
        return SDN_OK;
    size_t f = train->features;
    double *sum = calloc(2 * f, sizeof *sum);
    p->mean = malloc(f * sizeof *p->mean);
    p->std = malloc(f * sizeof *p->std);
    if (!sum || !p->mean || !p->std) {
        free(sum);
        sdn_preprocess_free(p);
        return sdn_fail(SDN_ERR_NOMEM, "out of memory for standardization statistics");
    }
    double *sq = sum + f;
    for (size_t i = 0; i < train->n; i++) {
        const uint8_t *row = train->pixels + i * f;
        for (size_t j = 0; j < f; j++) {
            double v = row[j] / 255.0;
            sum[j] += v;
            sq[j] += v * v;
        }
    }
    double n = train->n ? (double)train->n : 1;
    for (size_t j = 0; j < f; j++) {
        double m = sum[j] / n, var = sq[j] / n - m * m;
        p->mean[j] = (float)m;
        p->std[j] = (float)fmax(sqrt(fmax(var, 0)), 1e-3);
    }
    free(sum);
    return derive(p);
}

sdn_status sdn_preprocess_set(sdn_preprocess *p, size_t features, const float *mean,
                              const float *std)
{
    memset(p, 0, sizeof *p);
    p->features = features;
    if (!mean || !std)
        return SDN_OK;
    p->standardize = 1;
    p->mean = malloc(features * sizeof *p->mean);
    p->std = malloc(features * sizeof *p->std);
    if (!p->mean || !p->std) {
        sdn_preprocess_free(p);
        return sdn_fail(SDN_ERR_NOMEM, "out of memory for standardization statistics");
    }
    memcpy(p->mean, mean, features * sizeof *mean);
    memcpy(p->std, std, features * sizeof *std);
    return derive(p);
}

void sdn_preprocess_free(sdn_preprocess *p)
{
    free(p->mean);
    free(p->std);
    free(p->scale);
    free(p->shift);
    memset(p, 0, sizeof *p);
}

/* Whether a batch is worth a parallel region. Where it would have one thread (a run with
 * --threads 1, or inside the caller's own region) none is opened: a region of one still builds
 * an OpenMP team, whose semaphores cost kernel calls on Windows (round trips to wineserver
 * under wine) at every batch. */
static int in_parallel(size_t n, size_t f)
{
#ifdef _OPENMP
    return n * f >= 1u << 16 && omp_get_max_threads() > 1 && !omp_in_parallel();
#else
    (void)n, (void)f;
    return 0;
#endif
}

/* Columns [c0, c1) of row i of the batch: the dataset's row index[start + i] (or start + i),
 * standardized. */
static void batch_part(const sdn_preprocess *p, const sdn_dataset *d, const size_t *index,
                       size_t start, size_t n, size_t i, size_t c0, size_t c1,
                       sdn_f32_u8_affine_fn *affine, float *out)
{
    const size_t f = d->features;
    const size_t k = index ? index[start + i] : start + i;
    float *o = out + i * f + c0;
    if (d->values) { /* already floats: a gather, kept as they are */
        memcpy(o, d->values + k * f + c0, (c1 - c0) * sizeof *out);
        return;
    }
    const uint8_t *row = d->pixels + k * f + c0;
    if (i + 1 < n) { /* a shuffled row is a new stream for the prefetcher: ask for it */
        const uint8_t *next = d->pixels + (index ? index[start + i + 1] : start + i + 1) * f;
        for (size_t j = c0; j < c1; j += 64)
            __builtin_prefetch(next + j);
    }
    if (p && p->standardize) {
        affine(c1 - c0, row, p->scale + c0, p->shift + c0, o);
    } else {
        for (size_t j = 0; j < c1 - c0; j++)
            o[j] = row[j] * (1.0f / 255.0f);
    }
}

/* Columns [c0, c1) of every row of the batch. */
static void batch_columns(const sdn_preprocess *p, const sdn_dataset *d, const size_t *index,
                          size_t start, size_t n, size_t c0, size_t c1, float *out)
{
    sdn_f32_u8_affine_fn *affine = d->values ? NULL : sdn_kernels_active()->u8_affine;
    for (size_t i = 0; i < n; i++)
        batch_part(p, d, index, start, n, i, c0, c1, affine, out);
}

void sdn_preprocess_batch(const sdn_preprocess *p, const sdn_dataset *d, const size_t *index,
                          size_t start, size_t n, float *out)
{
    /* A training step's other threads would wait while this runs, so it gets a kernel, a
     * prefetch and, for big batches, both threads (src/README.md has the figures). */
    sdn_prof_enter(SDN_PHASE_PREP, -1, "batch preparation"); /* part of the step's time */
    const size_t f = d->features;
    if (in_parallel(n, f)) {
        sdn_f32_u8_affine_fn *affine = d->values ? NULL : sdn_kernels_active()->u8_affine;
#ifdef _OPENMP /* -Wunknown-pragmas in a build without it */
#pragma omp parallel for schedule(static)
#endif
        for (size_t i = 0; i < n; i++)
            batch_part(p, d, index, start, n, i, 0, f, affine, out);
    } else {
        batch_columns(p, d, index, start, n, 0, f, out);
    }
    sdn_prof_leave();
}

void sdn_preprocess_batch_cut(const sdn_preprocess *p, const sdn_dataset *d, const size_t *index,
                              size_t start, size_t n, int T, const size_t *cut, size_t parts,
                              float *out)
{
    sdn_prof_enter(SDN_PHASE_PREP, -1, "batch preparation");
    const size_t f = d->features;
    if (in_parallel(n, f)) {
#ifdef _OPENMP
#pragma omp parallel num_threads(T)
        {
            /* a team smaller than asked for takes equal columns */
            const size_t t = (size_t)omp_get_thread_num(), nt = (size_t)omp_get_num_threads();
            if (nt == (size_t)T)
                batch_columns(p, d, index, start, n, f * cut[t] / parts, f * cut[t + 1] / parts,
                              out);
            else
                batch_columns(p, d, index, start, n, f * t / nt, f * (t + 1) / nt, out);
        }
#else
        (void)T, (void)cut, (void)parts;
#endif
    } else {
        batch_columns(p, d, index, start, n, 0, f, out);
    }
    sdn_prof_leave();
}

/* splitmix64: tiny, well mixed, and independent of the library's own generator on purpose (the
 * order of the data must not change when the training core changes its RNG). */
static uint64_t splitmix64(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

void sdn_shuffle_indices(size_t *index, size_t n, uint64_t seed, uint64_t epoch)
{
    uint64_t s = seed ^ (epoch * 0xD1B54A32D192ED03ull + 0x5851F42D4C957F2Dull);
    splitmix64(&s);
    for (size_t i = 0; i < n; i++)
        index[i] = i;
    for (size_t i = n; i > 1; i--) {
        /* 128-bit multiply-shift: unbiased enough for any n below 2^32 and no division. */
        size_t j = (size_t)(((unsigned __int128)splitmix64(&s) * i) >> 64);
        size_t t = index[i - 1];
        index[i - 1] = index[j];
        index[j] = t;
    }
}
