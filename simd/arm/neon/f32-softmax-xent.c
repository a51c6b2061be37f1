/* fused softmax + cross-entropy with its gradient, NEON: the body is simd/vec/f32-softmax-xent.inc
 * over this folder's vmath.h. 4 floats per q register, tails through a stack copy; a max vector,
 * exp temporaries, 2 double accumulators, a one-hot vector. */
#include "vmath.h"

#include "vec/f32-softmax-xent.inc"
