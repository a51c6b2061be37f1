/* batch-norm normalize, scale and shift, AVX-512: the body is simd/vec/f32-bn-forward.inc over this
 * folder's vmath.h. 16 floats per zmm, tails by opmask; 5 loads (x, mean, inv_std, γ, β), 1 FMA. */
#include "vmath.h"

#include "vec/f32-bn-forward.inc"
