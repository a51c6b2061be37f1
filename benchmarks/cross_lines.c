/* What a 64-byte line costs that crosses between two threads' cores, the way a training pass's
 * lines cross: one thread writes a 256 KB buffer, the other reads it in a stream, then the first
 * writes it again over the reader's copy, by plain full-line stores or by non-temporal ones, and
 * the other reads it once more. Best of 8 rounds each way, ns a line. Run with the threads bound
 * (OMP_PROC_BIND=close OMP_PLACES=cores); compare the rows, and say the round trip
 * (`simdnn info`) beside them. */
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#if defined(__x86_64__)
#include <immintrin.h>
#endif

enum { LINES = 4096, FLOATS = LINES * 16, ROUNDS = 8 };

static double now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

static float read_lines(const float *buf)
{
    float sum[8] = {0}; /* independent sums: the reads, not the adds, set the pace */
    for (int i = 0; i < FLOATS; i += 8 * 16)
        for (int j = 0; j < 8; j++)
            sum[j] += buf[i + 16 * j];
    return sum[0] + sum[7];
}

static void write_lines(float *buf, float v, int stream)
{
#if defined(__x86_64__)
    const __m128 x = _mm_set1_ps(v); /* the same 16-byte stores either way */
    if (stream) {
        for (int i = 0; i < FLOATS; i += 4)
            _mm_stream_ps(buf + i, x);
        _mm_sfence();
    } else {
        for (int i = 0; i < FLOATS; i += 4)
            _mm_store_ps(buf + i, x);
    }
    return;
#endif
    (void)stream;
    for (int i = 0; i < FLOATS; i++)
        buf[i] = v;
}

static void keep_best(double *best, double t0)
{
    const double per = (now_ns() - t0) / LINES;
    *best = *best == 0.0 || per < *best ? per : *best;
}

int main(void)
{
    float *buf = aligned_alloc(64, FLOATS * sizeof(float));
    double read = 0, rewrite[2] = {0}, reread[2] = {0};
    volatile float sink = 0;
    if (!buf)
        return 1;
#pragma omp parallel num_threads(2)
    if (omp_get_num_threads() == 2)
        for (int r = 0; r < 2 * ROUNDS; r++) {
            const int writer = r & 1, me = omp_get_thread_num(), stream = (r >> 1) & 1;
            if (me == writer)
                write_lines(buf, (float)r, 0);
#pragma omp barrier
            double t0 = now_ns();
            if (me != writer) {
                sink = read_lines(buf);
                keep_best(&read, t0);
            }
#pragma omp barrier
            t0 = now_ns();
            if (me == writer) {
                write_lines(buf, (float)r + 0.5f, stream);
                keep_best(&rewrite[stream], t0);
            }
#pragma omp barrier
            t0 = now_ns();
            if (me != writer) {
                sink = read_lines(buf);
                keep_best(&reread[stream], t0);
            }
#pragma omp barrier
        }
    (void)sink;
    free(buf);
    printf("ns a line, 256 KB, 2 threads:\n");
    printf("  read what the other thread wrote          %6.2f\n", read);
    printf("  write it again over the reader's copy     %6.2f   then read again %6.2f\n",
           rewrite[0], reread[0]);
    printf("  ... by non-temporal stores               %6.2f   then read again %6.2f\n", rewrite[1],
           reread[1]);
    return 0;
}
