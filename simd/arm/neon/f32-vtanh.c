/* tanh forward and gradient, NEON: the body is simd/vec/f32-vtanh.inc over this folder's vmath.h.
 * 4 floats per q register, tails through a stack copy; x, expm1/exp temporaries and one division:
 * about 8 registers live. */
#include "vmath.h"

#include "vec/f32-vtanh.inc"
