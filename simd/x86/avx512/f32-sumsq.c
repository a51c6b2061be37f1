/* sum of squares in double, AVX-512: the body is simd/vec/f32-sumsq.inc over this folder's vmath.h.
 * 16 floats per zmm, tails by opmask; 4 double accumulators in 2 chains. */
#include "vmath.h"

#include "vec/f32-sumsq.inc"
