/* maxpool forward and gradient, NEON: the body is simd/vec/f32-maxpool.inc over this folder's
 * vmath.h. 4 channels per q register, tails through a stack copy; the running result in one
 * register. */
#include "vmath.h"

#include "vec/f32-maxpool.inc"
