/* ReLU forward and gradient, AVX-512: the body is simd/vec/f32-vrelu.inc over this folder's
 * vmath.h. 16 floats per zmm, tails by opmask; one load, one compare mask, one store per vector. */
#include "vmath.h"

#include "vec/f32-vrelu.inc"
