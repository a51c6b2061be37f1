/* Reference batch norm + ReLU, forward and backward reduction: the bodies are
 * simd/vec/f32-bn-relu.inc over simd/ref/vmath.h, one float a step and every fused multiply-add
 * through fmaf, so they give the bits every SIMD ISA gives. */
#include "vmath.h"

#include "vec/f32-bn-relu.inc"
