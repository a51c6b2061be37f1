/* sum of squares in double, AVX2+FMA: the body is simd/vec/f32-sumsq.inc over this folder's
 * vmath.h. 8 floats per ymm; 4 double accumulators in 2 chains. */
#include "vmath.h"

#include "vec/f32-sumsq.inc"
