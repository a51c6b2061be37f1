/* ReLU forward and gradient, AVX2+FMA: the body is simd/vec/f32-vrelu.inc over this folder's
 * vmath.h. 8 floats per ymm; one load, one compare mask, one store per vector. */
#include "vmath.h"

#include "vec/f32-vrelu.inc"
