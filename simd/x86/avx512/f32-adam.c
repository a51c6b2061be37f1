/* Adam / Nadam step, AVX-512: the body is simd/vec/f32-adam.inc over this folder's vmath.h.
 * 16 floats per zmm, tails by opmask; 11 broadcast scalars, w, g, m, v and temporaries: about 16
 * registers. */
#include "vmath.h"

#include "vec/f32-adam.inc"
