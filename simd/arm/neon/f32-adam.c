/* Adam / Nadam step, NEON: the body is simd/vec/f32-adam.inc over this folder's vmath.h.
 * 4 floats per q register, tails through a stack copy; 11 broadcast scalars, w, g, m, v and
 * temporaries: about 16 registers. */
#include "vmath.h"

#include "vec/f32-adam.inc"
