/* SELU forward and gradient, NEON: the body is simd/vec/f32-vselu.inc over this folder's vmath.h.
 * 4 floats per q register, tails through a stack copy; x, exp/expm1 polynomial and reduction
 * temporaries: about 8 registers live. */
#include "vmath.h"

#include "vec/f32-vselu.inc"
