/* FMA peak loop, AVX2+FMA: the body is simd/vec/f32-fma-peak.inc; 12 ymm chains (two FMA pipes ×
 * 4 cycles need 8) and 2 constants: 14 of the 16 registers. */
#define SDN_PEAK_CHAINS 12
#include "vmath.h"

#include "vec/f32-fma-peak.inc"
