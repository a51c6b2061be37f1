/* Reference Winograd input transform (Bᵀ·d·B): the body is simd/vec/f32-wino-input.inc over
 * simd/ref/vmath.h, one float a step, so it gives the bits every SIMD ISA gives. */
#include "vmath.h"

#include "vec/f32-wino-input.inc"
