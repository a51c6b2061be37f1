/* in-place scaling, AVX-512: the body is simd/vec/f32-vscale.inc over this folder's vmath.h.
 * 16 floats per zmm, tails by opmask; one broadcast, one load/multiply/store per vector. */
#include "vmath.h"

#include "vec/f32-vscale.inc"
