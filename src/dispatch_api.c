/* The public face of the kernel selection in simd/dispatch.c: its failure becomes the library's
 * last error, and what `simdnn info` shows of the chosen kernels. */
#include "error.h"
#include "kernels.h"

sdn_status sdn_dispatch_init(void)
{
    const sdn_status st = sdn_kernels_select();
    if (st != SDN_OK)
        return sdn_fail(st, "%s", sdn_kernels_select_error());
    return SDN_OK;
}

/* Deprecated (simdnn.h): the earlier name, kept until 1.0 so old programs still link. */
sdn_status sdn_init(void)
{
    return sdn_dispatch_init();
}

void sdn_gemm_tile(unsigned *mr, unsigned *nr)
{
    const sdn_kernels *k = sdn_kernels_active();
    *mr = k->gemm.mr;
    *nr = k->gemm.nr;
}
