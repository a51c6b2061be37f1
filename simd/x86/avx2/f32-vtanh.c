/* tanh forward and gradient, AVX2+FMA: the body is simd/vec/f32-vtanh.inc over this folder's
 * vmath.h. 8 floats per ymm; x, expm1/exp temporaries and one division: about 8 registers live. */
#include "vmath.h"

#include "vec/f32-vtanh.inc"
