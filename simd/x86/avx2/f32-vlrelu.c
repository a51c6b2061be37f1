/* leaky ReLU forward and gradient, AVX2+FMA: the body is simd/vec/f32-vlrelu.inc over this folder's
 * vmath.h. 8 floats per ymm; x, α·x and a compare mask per vector. */
#include "vmath.h"

#include "vec/f32-vlrelu.inc"
