/* FMA peak loop, AVX-512: the body is simd/vec/f32-fma-peak.inc; 16 zmm chains (two FMA pipes ×
 * 4 cycles need 8) and 2 constants. */
#include "vmath.h"

#include "vec/f32-fma-peak.inc"
