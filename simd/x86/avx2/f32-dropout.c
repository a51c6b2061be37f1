/* dropout / alpha-dropout apply and backward, AVX2+FMA: the body is simd/vec/f32-dropout.inc over
 * this folder's vmath.h. 8 floats per ymm; a, b, c broadcasts, one widened keep mask. */
#include "vmath.h"

#include "vec/f32-dropout.inc"
