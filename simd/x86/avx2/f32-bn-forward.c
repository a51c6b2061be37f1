/* batch-norm normalize, scale and shift, AVX2+FMA: the body is simd/vec/f32-bn-forward.inc over
 * this folder's vmath.h. 8 floats per ymm; 5 loads (x, mean, inv_std, γ, β), 1 FMA. */
#include "vmath.h"

#include "vec/f32-bn-forward.inc"
