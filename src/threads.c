/* The library's thread count: OpenMP's when built with it, else one. */
#include "simdnn.h"

#ifdef _OPENMP
#include <omp.h>

static int default_threads;
#endif

void sdn_set_num_threads(int n)
{
#ifdef _OPENMP
    if (!default_threads)
        default_threads = omp_get_max_threads();
    omp_set_num_threads(n > 0 ? n : default_threads);
#else
    (void)n;
#endif
}

int sdn_num_threads(void)
{
#ifdef _OPENMP
    return omp_get_max_threads();
#else
    return 1;
#endif
}
