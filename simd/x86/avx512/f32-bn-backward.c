/* batch-norm backward reductions and dx, AVX-512: the body is simd/vec/f32-bn-backward.inc over
 * this folder's vmath.h. 16 floats per zmm, tails by opmask; 2×2 accumulators in the reduction; 6
 * loads per vector in dx. */
#include "vmath.h"

#include "vec/f32-bn-backward.inc"
