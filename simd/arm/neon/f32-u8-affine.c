/* Bytes to standardized floats, NEON: 4 bytes widened per vector: the body is
 * simd/vec/f32-u8-affine.inc over this folder's vmath.h. */
#include "vmath.h"

#include "vec/f32-u8-affine.inc"
