/* row-wise stable softmax, AVX-512: the body is simd/vec/f32-softmax.inc over this folder's
 * vmath.h. 16 floats per zmm, tails by opmask; a max vector, exp temporaries, 2 double
 * accumulators. */
#include "vmath.h"

#include "vec/f32-softmax.inc"
