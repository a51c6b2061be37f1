/* avgpool forward and gradient, AVX2: the body is simd/vec/f32-avgpool.inc over this folder's
 * vmath.h. 8 channels per ymm; one load per window pixel, the running result in one register. */
#include "vmath.h"

#include "vec/f32-avgpool.inc"
