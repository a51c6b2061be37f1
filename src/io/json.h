/* The header JSON reader (src/io/json.c). */
#ifndef SDN_JSON_H
#define SDN_JSON_H

#include <stddef.h>

#include "simdnn.h"

typedef struct sdn_json {
    const char *s, *end, *begin; /* next byte, end, start (for positions in errors) */
    const char *path;            /* the file, for errors */
    sdn_status err;              /* the first error */
} sdn_json;

/* Records "corrupt header JSON at byte N: what" (once) and returns the status. */
sdn_status sdn_json_error(sdn_json *p, const char *what);
/* Records SDN_ERR_NOMEM "out of memory reading the header" (once) and returns it. */
sdn_status sdn_json_nomem(sdn_json *p);
/* Skips white space. */
void sdn_json_ws(sdn_json *p);
/* Skips white space; consumes c if it comes next. */
int sdn_json_eat(sdn_json *p, char c);
/* A string as a malloc'd UTF-8 copy, or NULL (error recorded). */
char *sdn_json_string(sdn_json *p);
/* A non-negative integer that fits size_t. 0 on error. */
int sdn_json_uint(sdn_json *p, size_t *out);
/* [u, u, ...] with at most `max` entries. 0 on error. */
int sdn_json_uint_list(sdn_json *p, size_t *vals, int max, int *count);

#endif
