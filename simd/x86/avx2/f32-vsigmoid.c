/* logistic sigmoid forward and gradient, AVX2+FMA: the body is simd/vec/f32-vsigmoid.inc over this
 * folder's vmath.h. 8 floats per ymm; x, exp temporaries and one division: about 8 registers live.
 */
#include "vmath.h"

#include "vec/f32-vsigmoid.inc"
