/* row-wise stable softmax, NEON: the body is simd/vec/f32-softmax.inc over this folder's vmath.h.
 * 4 floats per q register, tails through a stack copy; a max vector, exp temporaries, 2 double
 * accumulators. */
#include "vmath.h"

#include "vec/f32-softmax.inc"
