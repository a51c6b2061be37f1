/* sum of squares in double, NEON: the body is simd/vec/f32-sumsq.inc over this folder's vmath.h.
 * 4 floats per q register, tails through a stack copy; 4 double accumulators in 2 chains. */
#include "vmath.h"

#include "vec/f32-sumsq.inc"
