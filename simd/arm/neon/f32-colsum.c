/* batch-norm column sums, NEON: the body is simd/vec/f32-colsum.inc over this folder's vmath.h.
 * 4 floats per q register, tails through a stack copy; 4 accumulators of columns, 1 streaming load.
 */
#include "vmath.h"

#include "vec/f32-colsum.inc"
