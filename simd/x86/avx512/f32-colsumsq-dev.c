/* batch-norm column sums of squared deviations, AVX-512: the body is simd/vec/f32-colsumsq-dev.inc
 * over this folder's vmath.h. 16 floats per zmm, tails by opmask; 4 accumulators, 4 means, 1
 * streaming load. */
#include "vmath.h"

#include "vec/f32-colsumsq-dev.inc"
