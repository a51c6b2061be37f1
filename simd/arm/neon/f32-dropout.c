/* dropout / alpha-dropout apply and backward, NEON: the body is simd/vec/f32-dropout.inc over this
 * folder's vmath.h. 4 floats per q register, tails through a stack copy; a, b, c broadcasts, one
 * widened keep mask. */
#include "vmath.h"

#include "vec/f32-dropout.inc"
