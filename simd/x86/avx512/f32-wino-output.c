/* Winograd output transform (Aᵀ·m·A + bias), AVX-512: the body is simd/vec/f32-wino-output.inc over
 * this folder's vmath.h, 16 channels per zmm, tails under an opmask. */
#include "vmath.h"

#include "vec/f32-wino-output.inc"
