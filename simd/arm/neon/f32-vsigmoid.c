/* logistic sigmoid forward and gradient, NEON: the body is simd/vec/f32-vsigmoid.inc over this
 * folder's vmath.h. 4 floats per q register, tails through a stack copy; x, exp temporaries and one
 * division: about 8 registers live. */
#include "vmath.h"

#include "vec/f32-vsigmoid.inc"
