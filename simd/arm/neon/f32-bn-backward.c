/* batch-norm backward reductions and dx, NEON: the body is simd/vec/f32-bn-backward.inc over this
 * folder's vmath.h. 4 floats per q register, tails through a stack copy; 2×2 accumulators in the
 * reduction; 6 loads per vector in dx. */
#include "vmath.h"

#include "vec/f32-bn-backward.inc"
