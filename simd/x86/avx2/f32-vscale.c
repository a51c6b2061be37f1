/* in-place scaling, AVX2+FMA: the body is simd/vec/f32-vscale.inc over this folder's vmath.h.
 * 8 floats per ymm; one broadcast, one load/multiply/store per vector. */
#include "vmath.h"

#include "vec/f32-vscale.inc"
