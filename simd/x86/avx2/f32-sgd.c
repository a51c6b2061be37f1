/* SGD step, AVX2+FMA: the body is simd/vec/f32-sgd.inc over this folder's vmath.h.
 * 8 floats per ymm; 3 broadcasts + μ, w, g, v per vector. */
#include "vmath.h"

#include "vec/f32-sgd.inc"
