/* Winograd filter transform (G·g·Gᵀ), NEON: the body is simd/vec/f32-wino-filter.inc over this
 * folder's vmath.h, 4 channels per q register, tails through a stack copy. */
#include "vmath.h"

#include "vec/f32-wino-filter.inc"
