/* simdnn's one JSON reader (support/json.c), shared by the library (safetensors headers) and the
 * tool (profile.json, trace.json). Not part of the public API: it is compiled into libsimdnn,
 * hidden in libsimdnn.so, and the tool, which links libsimdnn.a, sees this header only. It
 * needs nothing but the C library, so the first error is kept here for the caller to report. */
#ifndef SDN_SUPPORT_JSON_H
#define SDN_SUPPORT_JSON_H

#include <stddef.h>

/* ---- a cursor over text[0..len): read values one at a time, as a strict format expects ---- */
typedef struct sdn_json {
    const char *s, *end, *begin; /* next byte, end, start (for positions in errors) */
    const char *what;            /* the first error, NULL while there is none */
    size_t at;                   /* its byte offset */
    int nomem;                   /* the error was an allocation that failed */
} sdn_json;

/* A cursor at the start of text[0..len). */
sdn_json sdn_json_begin(const char *text, size_t len);
/* Records `what` at the current byte (the first error only) and returns 0. */
int sdn_json_error(sdn_json *p, const char *what);
/* Records "out of memory" (the first error only) and returns 0. */
int sdn_json_nomem(sdn_json *p);
/* Skips white space. */
void sdn_json_ws(sdn_json *p);
/* Skips white space; consumes c if it comes next. */
int sdn_json_eat(sdn_json *p, char c);
/* A string as a malloc'd UTF-8 copy (escapes decoded), or NULL (error recorded). */
char *sdn_json_string(sdn_json *p);
/* A non-negative integer that fits size_t. 0 on error. */
int sdn_json_uint(sdn_json *p, size_t *out);
/* [u, u, ...] with at most `max` entries. 0 on error. */
int sdn_json_uint_list(sdn_json *p, size_t *vals, int max, int *count);
/* A number as RFC 8259 writes it. 0 on error. */
int sdn_json_number(sdn_json *p, double *out);

/* ---- a whole document as a tree, for files read by name ---- */
typedef enum { SDN_J_NULL, SDN_J_BOOL, SDN_J_NUM, SDN_J_STR, SDN_J_ARR, SDN_J_OBJ } sdn_jtype;

typedef struct sdn_jval {
    sdn_jtype type;
    double num;             /* numbers, booleans */
    char *str;              /* strings */
    struct sdn_jval *items; /* array items, object values */
    char **keys;            /* object keys */
    size_t n;
} sdn_jval;

/* Parses the NUL-terminated text (nesting up to 64 deep); 0 on success, else -1 with "what at
 * byte N" in err. */
int sdn_json_parse(const char *text, sdn_jval *out, char *err, size_t err_size);
void sdn_json_free(sdn_jval *v);
/* Member of an object, or NULL. */
const sdn_jval *sdn_json_get(const sdn_jval *obj, const char *key);
/* Number member or fallback; string member or fallback. */
double sdn_json_num(const sdn_jval *obj, const char *key, double fallback);
const char *sdn_json_str(const sdn_jval *obj, const char *key, const char *fallback);

#endif
