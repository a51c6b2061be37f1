/* batch-norm column sums of squared deviations, AVX2+FMA: the body is simd/vec/f32-colsumsq-dev.inc
 * over this folder's vmath.h. 8 floats per ymm; 4 accumulators, 4 means, 1 streaming load. */
#include "vmath.h"

#include "vec/f32-colsumsq-dev.inc"
