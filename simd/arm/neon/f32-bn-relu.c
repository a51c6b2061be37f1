/* batch norm + ReLU, forward and backward reduction, NEON: the bodies are simd/vec/f32-bn-relu.inc
 * over this folder's vmath.h. 4 floats per q register, tails through a stack copy; the reduction
 * keeps 2×2 accumulators and writes the masked dy back. */
#include "vmath.h"

#include "vec/f32-bn-relu.inc"
