/* Reference Winograd output transform (Aᵀ·m·A + bias): the body is simd/vec/f32-wino-output.inc
 * over simd/ref/vmath.h, one float a step, so it gives the bits every SIMD ISA gives. */
#include "vmath.h"

#include "vec/f32-wino-output.inc"
