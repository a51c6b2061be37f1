/* Reference dropout: the body is simd/vec/f32-dropout.inc over simd/ref/vmath.h, one float a step
 * and every fused multiply-add through fmaf, so it gives the bits every SIMD ISA gives. */
#include "vmath.h"

#include "vec/f32-dropout.inc"
