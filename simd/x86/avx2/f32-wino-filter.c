/* Winograd filter transform (G·g·Gᵀ), AVX2: the body is simd/vec/f32-wino-filter.inc over this
 * folder's vmath.h, 8 channels per ymm. */
#include "vmath.h"

#include "vec/f32-wino-filter.inc"
