/* Reference fused softmax + sparse categorical cross-entropy and its gradient, one row at a time.
 * The loss is lse − x[label] = log Σ exp(x − max) − (x[label] − max): finite even when the label's
 * probability underflows. probs and dlogits may alias logits (each element is read before written);
 * probs may also be NULL. */
#include <math.h>

#include "kernels.h"

void sdn_f32_softmax_xent__ref(size_t rows, size_t cols, const float *logits, const int32_t *labels,
                               float grad_scale, float *probs, float *dlogits, float *row_loss)
{
    for (size_t r = 0; r < rows; r++) {
        const float *x = logits + r * cols;
        float *p = (probs ? probs : dlogits) + r * cols;
        float *d = dlogits + r * cols;
        size_t label = (size_t)labels[r];
        float max = x[0];
        for (size_t j = 1; j < cols; j++)
            max = x[j] > max ? x[j] : max;
        float x_label = x[label] - max; /* read before p or d may overwrite it */
        double sum = 0; /* in double: the denominator to 0.5 ulp whatever the row length */
        for (size_t j = 0; j < cols; j++) {
            p[j] = expf(x[j] - max);
            sum += p[j];
        }
        if (row_loss)
            row_loss[r] = (float)(log(sum) - x_label);
        for (size_t j = 0; j < cols; j++) {
            float q = p[j] / (float)sum;
            p[j] = q;
            d[j] = (q - (j == label ? 1.0f : 0.0f)) * grad_scale;
        }
    }
}
