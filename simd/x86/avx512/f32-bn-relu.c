/* batch norm + ReLU, forward and backward reduction, AVX-512: the bodies are
 * simd/vec/f32-bn-relu.inc over this folder's vmath.h. 16 floats per zmm, tails by opmask; the
 * reduction keeps 2×2 accumulators and writes the masked dy back. */
#include "vmath.h"

#include "vec/f32-bn-relu.inc"
