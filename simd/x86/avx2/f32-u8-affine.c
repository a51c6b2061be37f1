/* Bytes to standardized floats, AVX2: 8 bytes widened per ymm: the body is
 * simd/vec/f32-u8-affine.inc over this folder's vmath.h. */
#include "vmath.h"

#include "vec/f32-u8-affine.inc"
