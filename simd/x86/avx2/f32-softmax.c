/* row-wise stable softmax, AVX2+FMA: the body is simd/vec/f32-softmax.inc over this folder's
 * vmath.h. 8 floats per ymm; a max vector, exp temporaries, 2 double accumulators. */
#include "vmath.h"

#include "vec/f32-softmax.inc"
