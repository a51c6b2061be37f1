/* Winograd filter gradient (Gᵀ·dU·G), AVX2: the body is simd/vec/f32-wino-filter-grad.inc over this
 * folder's vmath.h, 8 channels per ymm. */
#include "vmath.h"

#include "vec/f32-wino-filter-grad.inc"
