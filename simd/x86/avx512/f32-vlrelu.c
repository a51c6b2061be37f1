/* leaky ReLU forward and gradient, AVX-512: the body is simd/vec/f32-vlrelu.inc over this folder's
 * vmath.h. 16 floats per zmm, tails by opmask; x, α·x and a compare mask per vector. */
#include "vmath.h"

#include "vec/f32-vlrelu.inc"
