/* fused softmax + cross-entropy with its gradient, AVX-512: the body is
 * simd/vec/f32-softmax-xent.inc over this folder's vmath.h. 16 floats per zmm, tails by opmask; a
 * max vector, exp temporaries, 2 double accumulators, a one-hot vector. */
#include "vmath.h"

#include "vec/f32-softmax-xent.inc"
