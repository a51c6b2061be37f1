/* Reference column sums (batch-norm mean): sum[j] += Σ_r x[r][j], rows added in order. */
#include "kernels.h"

void sdn_f32_colsum__ref(size_t rows, size_t cols, const float *x, float *sum)
{
    for (size_t r = 0; r < rows; r++)
        for (size_t j = 0; j < cols; j++)
            sum[j] += x[r * cols + j];
}
