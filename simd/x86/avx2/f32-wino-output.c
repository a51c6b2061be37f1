/* Winograd output transform (Aᵀ·m·A + bias), AVX2: the body is simd/vec/f32-wino-output.inc over
 * this folder's vmath.h, 8 channels per ymm. */
#include "vmath.h"

#include "vec/f32-wino-output.inc"
