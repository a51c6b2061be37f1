/* Guard pages for the tests that put an operand's last byte before one: mmap, mprotect and
 * munmap, and on Windows the same few calls over VirtualAlloc and VirtualProtect. */
#ifndef SDN_MMAN_COMPAT_H
#define SDN_MMAN_COMPAT_H

#ifndef _WIN32
#include <sys/mman.h>
#include <unistd.h>
#else
#include <windows.h>

#define PROT_NONE 0
#define PROT_READ 1
#define PROT_WRITE 2
#define MAP_PRIVATE 0
#define MAP_ANONYMOUS 0
#define MAP_FAILED ((void *)-1)
#define _SC_PAGESIZE 30

static inline long sdn_win_sysconf(int name)
{
    (void)name;
    SYSTEM_INFO si;
    GetSystemInfo(&si);
    return (long)si.dwPageSize;
}
#define sysconf(name) sdn_win_sysconf(name)

static inline void *sdn_win_mmap(size_t n)
{
    void *p = VirtualAlloc(NULL, n, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE);
    return p ? p : MAP_FAILED;
}
#define mmap(addr, n, prot, flags, fd, off) sdn_win_mmap(n)

static inline int munmap(void *p, size_t n)
{
    (void)n;
    return VirtualFree(p, 0, MEM_RELEASE) ? 0 : -1;
}

static inline int mprotect(void *p, size_t n, int prot)
{
    DWORD old;
    return VirtualProtect(p, n, prot == PROT_NONE ? PAGE_NOACCESS : PAGE_READWRITE, &old) ? 0 : -1;
}
#endif

#endif
