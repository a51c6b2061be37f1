/* avgpool forward and gradient, AVX-512: the body is simd/vec/f32-avgpool.inc over this folder's
 * vmath.h. 16 channels per zmm, tails under an opmask; the running result in one register. */
#include "vmath.h"

#include "vec/f32-avgpool.inc"
