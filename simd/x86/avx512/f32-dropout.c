/* dropout / alpha-dropout apply and backward, AVX-512: the body is simd/vec/f32-dropout.inc over
 * this folder's vmath.h. 16 floats per zmm, tails by opmask; a, b, c broadcasts, one widened keep
 * mask. */
#include "vmath.h"

#include "vec/f32-dropout.inc"
