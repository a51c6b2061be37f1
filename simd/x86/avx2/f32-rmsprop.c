/* RMSProp step, AVX2+FMA: the body is simd/vec/f32-rmsprop.inc over this folder's vmath.h.
 * 8 floats per ymm; 6 broadcast scalars, w, g, v per vector. */
#include "vmath.h"

#include "vec/f32-rmsprop.inc"
