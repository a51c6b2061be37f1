/* batch-norm column sums of squared deviations, NEON: the body is simd/vec/f32-colsumsq-dev.inc
 * over this folder's vmath.h. 4 floats per q register, tails through a stack copy; 4 accumulators,
 * 4 means, 1 streaming load. */
#include "vmath.h"

#include "vec/f32-colsumsq-dev.inc"
