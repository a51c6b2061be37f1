/* SGD step, NEON: the body is simd/vec/f32-sgd.inc over this folder's vmath.h.
 * 4 floats per q register, tails through a stack copy; 3 broadcasts + μ, w, g, v per vector. */
#include "vmath.h"

#include "vec/f32-sgd.inc"
