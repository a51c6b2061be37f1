/* Winograd input transform (Bᵀ·d·B), AVX2: the body is simd/vec/f32-wino-input.inc over this
 * folder's vmath.h, 8 channels per ymm. */
#include "vmath.h"

#include "vec/f32-wino-input.inc"
