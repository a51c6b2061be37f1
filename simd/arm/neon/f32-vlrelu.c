/* leaky ReLU forward and gradient, NEON: the body is simd/vec/f32-vlrelu.inc over this folder's
 * vmath.h. 4 floats per q register, tails through a stack copy; x, α·x and a compare mask per
 * vector. */
#include "vmath.h"

#include "vec/f32-vlrelu.inc"
