/* Winograd output transform (Aᵀ·m·A + bias), NEON: the body is simd/vec/f32-wino-output.inc over
 * this folder's vmath.h, 4 channels per q register, tails through a stack copy. */
#include "vmath.h"

#include "vec/f32-wino-output.inc"
