/* CPU feature detection: cpuid + xgetbv on x86-64 (the OS must enable the register state too),
 * the OS's word on AArch64. Cache sizes from the first source that knows them: CPUID's cache
 * leaves (x86), then the OS (sysconf, sysfs, sysctlbyname, GetLogicalProcessorInformationEx:
 * src/platform/); a VM may hide sysfs's cache entries while CPUID still answers. Built for the
 * baseline ISA. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpu.h"
#include "platform/platform.h"

#if defined(__x86_64__)
#include <cpuid.h>

static unsigned long long read_xcr0(void)
{
    unsigned eax, edx;
    /* xgetbv with ecx = 0, encoded by hand so this file needs no -mxsave. */
    __asm__ volatile(".byte 0x0f, 0x01, 0xd0" : "=a"(eax), "=d"(edx) : "c"(0));
    return ((unsigned long long)edx << 32) | eax;
}

static void detect_arch(sdn_cpu_info *ci)
{
    unsigned a, b, c, d;
    if (!__get_cpuid(0, &a, &b, &c, &d))
        return;
    unsigned max_leaf = a;
    memcpy(ci->vendor + 0, &b, 4);
    memcpy(ci->vendor + 4, &d, 4);
    memcpy(ci->vendor + 8, &c, 4);
    ci->vendor[12] = 0;

    if (__get_cpuid(0x80000000, &a, &b, &c, &d) && a >= 0x80000004) {
        unsigned *brand = (unsigned *)ci->brand;
        for (unsigned leaf = 0; leaf < 3; leaf++)
            __get_cpuid(0x80000002 + leaf, &brand[leaf * 4 + 0], &brand[leaf * 4 + 1],
                        &brand[leaf * 4 + 2], &brand[leaf * 4 + 3]);
        ci->brand[48] = 0;
    }

    __get_cpuid(1, &a, &b, &c, &d);
    int osxsave = (c >> 27) & 1, avx = (c >> 28) & 1;
    ci->fma = (c >> 12) & 1;
    if (osxsave && avx) {
        unsigned long long xcr0 = read_xcr0();
        ci->os_ymm = (xcr0 & 0x6) == 0x6;   /* SSE and AVX state */
        ci->os_zmm = (xcr0 & 0xe6) == 0xe6; /* plus opmask, ZMM_Hi256, Hi16_ZMM */
    }
    if (max_leaf >= 7) {
        __cpuid_count(7, 0, a, b, c, d);
        ci->avx2 = (b >> 5) & 1;
        ci->avx512f = (b >> 16) & 1;
        ci->avx512dq = (b >> 17) & 1;
        ci->avx512bw = (b >> 30) & 1;
        ci->avx512vl = (b >> 31) & 1;
    }
}

/* Size of the first data or unified cache of `level` from the deterministic cache parameters
 * (leaf 4 on Intel, 0x8000001D on AMD and Hygon); 0 if the CPU does not say. */
static size_t cpuid_cache_size(int level)
{
    unsigned a, b, c, d;
    if (!__get_cpuid(0, &a, &b, &c, &d))
        return 0;
    const int amd = (b == 0x68747541 || b == 0x6f677948); /* "Auth"enticAMD, "Hygo"nGenuine */
    unsigned leaf = 4;
    if (amd) {
        if (!__get_cpuid(0x80000000, &a, &b, &c, &d) || a < 0x8000001D ||
            !__get_cpuid(0x80000001, &a, &b, &c, &d) || !((c >> 22) & 1)) /* topology ext. */
            return 0;
        leaf = 0x8000001D;
    } else if (a < 4) {
        return 0;
    }
    for (unsigned sub = 0; sub < 16; sub++) {
        __cpuid_count(leaf, sub, a, b, c, d);
        const unsigned type = a & 0x1f, lv = (a >> 5) & 0x7;
        if (type == 0)
            break;
        if (type == 2 || (int)lv != level) /* 1 data, 2 instruction, 3 unified */
            continue;
        const size_t ways = (b >> 22) + 1, parts = ((b >> 12) & 0x3ff) + 1, line = (b & 0xfff) + 1;
        return ways * parts * line * ((size_t)c + 1);
    }
    return 0;
}

#elif defined(__aarch64__)
static void detect_arch(sdn_cpu_info *ci)
{
    strcpy(ci->vendor, "ARM");
    /* Advanced SIMD is baseline on AArch64; the OS confirms it exposes it (hwcap on Linux). */
    ci->neon = sdn_os_has_neon();
    sdn_os_cpu_brand(ci->brand, sizeof ci->brand);
}

#else
static void detect_arch(sdn_cpu_info *ci)
{
    strcpy(ci->vendor, "unknown");
}
#endif

#if !defined(__x86_64__)
static size_t cpuid_cache_size(int level)
{
    (void)level;
    return 0;
}
#endif

/* "48K,1M,32M" (L1d, L2, L3; K and M suffixes): pretends other caches, to show that blocking
 * follows them without changing a bit. */
static int parse_cache_sizes(const char *s, size_t out[3])
{
    for (int i = 0; i < 3; i++) {
        char *end;
        unsigned long long v = strtoull(s, &end, 10);
        if (end == s)
            return 0;
        if (*end == 'K' || *end == 'k')
            v <<= 10, end++;
        else if (*end == 'M' || *end == 'm')
            v <<= 20, end++;
        if (v == 0 || *end != (i < 2 ? ',' : 0))
            return 0;
        out[i] = (size_t)v;
        s = end + 1;
    }
    return 1;
}

int sdn_cpu_detect(sdn_cpu_info *ci)
{
    memset(ci, 0, sizeof *ci);
    detect_arch(ci);
    static const size_t fallback[3] = {32 << 10, 256 << 10, 8 << 20};
    size_t *size[3] = {&ci->l1d_bytes, &ci->l2_bytes, &ci->l3_bytes};
    const char **source[3] = {&ci->l1d_source, &ci->l2_source, &ci->l3_source};
    size_t pretend[3];
    const char *env = getenv("SIMDNN_CACHE_SIZES");
    const int malformed = env && *env && !parse_cache_sizes(env, pretend);
    const int pretending = env && *env && !malformed;
    for (int i = 0; i < 3; i++) {
        const int level = i + 1;
        if (pretending)
            *size[i] = pretend[i], *source[i] = "SIMDNN_CACHE_SIZES";
        else if ((*size[i] = cpuid_cache_size(level)))
            *source[i] = "cpuid";
        else if ((*size[i] = sdn_os_cache_size(level, source[i])))
            ;
        else
            *size[i] = fallback[i], *source[i] = "default";
    }
    return malformed ? -1 : 0;
}

int sdn_cpu_runs(const sdn_cpu_info *ci, sdn_isa isa)
{
    switch (isa) {
    case SDN_ISA_REF:
        return 1;
    case SDN_ISA_AVX2:
        return ci->avx2 && ci->fma && ci->os_ymm;
    case SDN_ISA_AVX512:
        return ci->avx512f && ci->avx512bw && ci->avx512vl && ci->avx512dq && ci->os_zmm &&
               sdn_cpu_runs(ci, SDN_ISA_AVX2);
    case SDN_ISA_NEON:
        return ci->neon;
    default:
        return 0;
    }
}
