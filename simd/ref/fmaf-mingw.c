/* MinGW-w64 only: fmaf rounded once, as C and glibc define it. The MinGW runtime's fmaf is not
 * fused, and the reference kernels (built for the baseline ISA, without an FMA instruction) call
 * it; with this one they give the same bits as every SIMD ISA and as Linux. */
#if defined(__MINGW32__)
#include <math.h>
#include <stdint.h>
#include <string.h>

/* The product is exact in double (24 + 24 bits); the sum is rounded to odd in double and then to
 * float, which rounds once (Boldo and Melquiond, "Emulation of FMA and correctly rounded sums:
 * proved algorithms using rounding to odd", 2008). */
float fmaf(float a, float b, float c)
{
    const double p = (double)a * (double)b, q = (double)c;
    double s = p + q;
    if (isfinite(s)) {
        const double bp = s - p, err = (p - (s - bp)) + (q - bp); /* s + err == p + q exactly */
        uint64_t u;
        memcpy(&u, &s, sizeof u);
        if (err != 0 && (u & 1) == 0) {
            u += (err > 0) == (s > 0) ? 1 : -1; /* the odd neighbour on err's side */
            memcpy(&s, &u, sizeof s);
        }
    }
    return (float)s;
}
#else
typedef int sdn_fmaf_mingw_empty; /* ISO C wants a declaration in every file */
#endif
