/* batch-norm column sums, AVX-512: the body is simd/vec/f32-colsum.inc over this folder's vmath.h.
 * 16 floats per zmm, tails by opmask; 4 accumulators of columns, 1 streaming load. */
#include "vmath.h"

#include "vec/f32-colsum.inc"
