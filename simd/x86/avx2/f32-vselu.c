/* SELU forward and gradient, AVX2+FMA: the body is simd/vec/f32-vselu.inc over this folder's
 * vmath.h. 8 floats per ymm; x, exp/expm1 polynomial and reduction temporaries: about 8 registers
 * live. */
#include "vmath.h"

#include "vec/f32-vselu.inc"
