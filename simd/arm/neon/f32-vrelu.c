/* ReLU forward and gradient, NEON: the body is simd/vec/f32-vrelu.inc over this folder's vmath.h.
 * 4 floats per q register, tails through a stack copy; one load, one compare mask, one store per
 * vector. */
#include "vmath.h"

#include "vec/f32-vrelu.inc"
