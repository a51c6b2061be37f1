/* FMA peak loop, NEON: the body is simd/vec/f32-fma-peak.inc; 16 q chains (up to four FMLA pipes
 * × 4 cycles) and 2 constants. */
#include "vmath.h"

#include "vec/f32-fma-peak.inc"
