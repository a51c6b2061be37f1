/* batch-norm column sums, AVX2+FMA: the body is simd/vec/f32-colsum.inc over this folder's vmath.h.
 * 8 floats per ymm; 4 accumulators of columns, 1 streaming load. */
#include "vmath.h"

#include "vec/f32-colsum.inc"
