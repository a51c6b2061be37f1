/* Adam / Nadam step, AVX2+FMA: the body is simd/vec/f32-adam.inc over this folder's vmath.h.
 * 8 floats per ymm; 11 broadcast scalars, w, g, m, v and temporaries: about 16 registers. */
#include "vmath.h"

#include "vec/f32-adam.inc"
