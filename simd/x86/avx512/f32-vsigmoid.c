/* logistic sigmoid forward and gradient, AVX-512: the body is simd/vec/f32-vsigmoid.inc over this
 * folder's vmath.h. 16 floats per zmm, tails by opmask; x, exp temporaries and one division: about
 * 8 registers live. */
#include "vmath.h"

#include "vec/f32-vsigmoid.inc"
