/* Bytes to standardized floats, AVX-512: 16 bytes widened per zmm: the body is
 * simd/vec/f32-u8-affine.inc over this folder's vmath.h. */
#include "vmath.h"

#include "vec/f32-u8-affine.inc"
