/* batch-norm normalize, scale and shift, NEON: the body is simd/vec/f32-bn-forward.inc over this
 * folder's vmath.h. 4 floats per q register, tails through a stack copy; 5 loads (x, mean, inv_std,
 * γ, β), 1 FMA. */
#include "vmath.h"

#include "vec/f32-bn-forward.inc"
