/* RMSProp step, AVX-512: the body is simd/vec/f32-rmsprop.inc over this folder's vmath.h.
 * 16 floats per zmm, tails by opmask; 6 broadcast scalars, w, g, v per vector. */
#include "vmath.h"

#include "vec/f32-rmsprop.inc"
