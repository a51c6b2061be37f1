/* Strict number readers for metadata strings (see meta_parse.h). */
#include <errno.h>
#include <math.h>
#include <stdlib.h>

#include "io/meta_parse.h"

int sdn_meta_u64(const char *s, uint64_t max, uint64_t *out)
{
    if (!s || *s < '0' || *s > '9')
        return 0;
    uint64_t v = 0;
    for (; *s >= '0' && *s <= '9'; s++) {
        uint64_t d = (uint64_t)(*s - '0');
        if (d > max || v > (max - d) / 10)
            return 0;
        v = v * 10 + d;
    }
    if (*s)
        return 0;
    *out = v;
    return 1;
}

int sdn_meta_int(const char *s, int lo, int hi, int *out)
{
    uint64_t v;
    int neg = s && *s == '-';
    if (!s || !sdn_meta_u64(s + neg, (uint64_t)1 << 31, &v))
        return 0;
    long long x = neg ? -(long long)v : (long long)v;
    if (x < lo || x > hi)
        return 0;
    *out = (int)x;
    return 1;
}

int sdn_meta_double(const char *s, double *out)
{
    if (!s || !*s)
        return 0;
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (*end || (errno == ERANGE && isinf(v)))
        return 0;
    *out = v;
    return 1;
}

int sdn_meta_float(const char *s, float lo, float hi, float *out)
{
    double v;
    if (!sdn_meta_double(s, &v) || !(v >= lo && v <= hi))
        return 0;
    *out = (float)v;
    return 1;
}
