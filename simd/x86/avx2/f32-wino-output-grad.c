/* Winograd output gradient (A·dy·Aᵀ), AVX2: the body is simd/vec/f32-wino-output-grad.inc over this
 * folder's vmath.h, 8 channels per ymm. */
#include "vmath.h"

#include "vec/f32-wino-output-grad.inc"
