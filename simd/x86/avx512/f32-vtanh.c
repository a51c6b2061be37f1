/* tanh forward and gradient, AVX-512: the body is simd/vec/f32-vtanh.inc over this folder's
 * vmath.h. 16 floats per zmm, tails by opmask; x, expm1/exp temporaries and one division: about 8
 * registers live. */
#include "vmath.h"

#include "vec/f32-vtanh.inc"
