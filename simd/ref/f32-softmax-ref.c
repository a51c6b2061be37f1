/* Reference row-wise softmax, stable: exp(x − max) so logits like ±1e4 stay finite. */
#include <math.h>

#include "kernels.h"

void sdn_f32_softmax__ref(size_t rows, size_t cols, const float *x, float *y)
{
    for (size_t r = 0; r < rows; r++) {
        const float *xr = x + r * cols;
        float *yr = y + r * cols;
        float max = xr[0];
        for (size_t j = 1; j < cols; j++)
            max = xr[j] > max ? xr[j] : max;
        double sum = 0; /* in double: the denominator to 0.5 ulp whatever the row length */
        for (size_t j = 0; j < cols; j++) {
            yr[j] = expf(xr[j] - max);
            sum += yr[j];
        }
        for (size_t j = 0; j < cols; j++)
            yr[j] /= (float)sum;
    }
}
