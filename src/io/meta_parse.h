/* Strict readers for the numbers simdnn stores as metadata strings (model spec, fit state): the
 * whole string must be the number, in range — never atoi's silent 0 or strtod's partial read. */
#ifndef SDN_META_PARSE_H
#define SDN_META_PARSE_H

#include <stdint.h>

/* Each returns 1 and sets *out, or 0 (and leaves *out) when s is not exactly such a number. */
int sdn_meta_u64(const char *s, uint64_t max, uint64_t *out); /* decimal digits, <= max */
int sdn_meta_int(const char *s, int lo, int hi, int *out);    /* optional '-', lo..hi */
int sdn_meta_double(const char *s, double *out);              /* strtod's syntax, nan/inf too */
int sdn_meta_float(const char *s, float lo, float hi, float *out); /* finite, lo..hi */

#endif
