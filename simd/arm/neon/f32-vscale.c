/* in-place scaling, NEON: the body is simd/vec/f32-vscale.inc over this folder's vmath.h.
 * 4 floats per q register, tails through a stack copy; one broadcast, one load/multiply/store per
 * vector. */
#include "vmath.h"

#include "vec/f32-vscale.inc"
