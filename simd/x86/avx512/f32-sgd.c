/* SGD step, AVX-512: the body is simd/vec/f32-sgd.inc over this folder's vmath.h.
 * 16 floats per zmm, tails by opmask; 3 broadcasts + μ, w, g, v per vector. */
#include "vmath.h"

#include "vec/f32-sgd.inc"
