/* SELU forward and gradient, AVX-512: the body is simd/vec/f32-vselu.inc over this folder's
 * vmath.h. 16 floats per zmm, tails by opmask; x, exp/expm1 polynomial and reduction temporaries:
 * about 8 registers live. */
#include "vmath.h"

#include "vec/f32-vselu.inc"
