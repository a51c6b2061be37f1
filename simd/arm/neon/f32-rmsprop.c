/* RMSProp step, NEON: the body is simd/vec/f32-rmsprop.inc over this folder's vmath.h.
 * 4 floats per q register, tails through a stack copy; 6 broadcast scalars, w, g, v per vector. */
#include "vmath.h"

#include "vec/f32-rmsprop.inc"
