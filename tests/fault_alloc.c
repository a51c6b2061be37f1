/* The allocation wrappers behind fault_alloc.h: __real_* is the C library's (or the sanitizer's)
 * function; counters are atomic since OpenMP threads allocate too (GEMM packing buffers). */
#include <errno.h>
#include <stdatomic.h>
#include <stddef.h>
#include <string.h>

#include "fault_alloc.h"

void *__real_malloc(size_t size);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t size);
#ifndef _WIN32 /* Windows: the host layer's aligned blocks come from malloc */
void *__real_aligned_alloc(size_t align, size_t size);
int __real_posix_memalign(void **p, size_t align, size_t size);
#endif
char *__real_strdup(const char *s);

static atomic_int armed;
static atomic_long seen, fail_at = -1;
static atomic_int fired;

void sdn_fault_fail_at(long n)
{
    atomic_store(&seen, 0);
    atomic_store(&fired, 0);
    atomic_store(&fail_at, n);
    atomic_store(&armed, 1);
}

long sdn_fault_disarm(void)
{
    atomic_store(&armed, 0);
    return atomic_load(&seen);
}

int sdn_fault_fired(void)
{
    return atomic_load(&fired);
}

/* 1 when this allocation must fail. */
static int should_fail(void)
{
    if (!atomic_load(&armed))
        return 0;
    long k = atomic_fetch_add(&seen, 1);
    if (k != atomic_load(&fail_at))
        return 0;
    atomic_store(&fired, 1);
    errno = ENOMEM;
    return 1;
}

void *__wrap_malloc(size_t size)
{
    return should_fail() ? NULL : __real_malloc(size);
}
void *__wrap_calloc(size_t n, size_t size)
{
    return should_fail() ? NULL : __real_calloc(n, size);
}
void *__wrap_realloc(void *p, size_t size)
{
    return should_fail() ? NULL : __real_realloc(p, size);
}
#ifndef _WIN32
void *__wrap_aligned_alloc(size_t align, size_t size)
{
    return should_fail() ? NULL : __real_aligned_alloc(align, size);
}
int __wrap_posix_memalign(void **p, size_t align, size_t size)
{
    return should_fail() ? ENOMEM : __real_posix_memalign(p, align, size);
}
#endif
char *__wrap_strdup(const char *s)
{
    return should_fail() ? NULL : __real_strdup(s);
}
