/* A small JSON reader (RFC 8259 values; \u escapes kept only for ASCII) for the files simdnn
 * writes itself: profile.json for simdnn profile diff. */
#ifndef SDN_JSON_MIN_H
#define SDN_JSON_MIN_H

#include <stddef.h>

typedef enum { SDN_J_NULL, SDN_J_BOOL, SDN_J_NUM, SDN_J_STR, SDN_J_ARR, SDN_J_OBJ } sdn_jtype;

typedef struct sdn_jval {
    sdn_jtype type;
    double num;             /* numbers, booleans */
    char *str;              /* strings */
    struct sdn_jval *items; /* array items, object values */
    char **keys;            /* object keys */
    size_t n;
} sdn_jval;

/* Parses text; 0 on success, else -1 with a message naming the byte offset in err. */
int sdn_json_parse(const char *text, sdn_jval *out, char *err, size_t err_size);
void sdn_json_free(sdn_jval *v);
/* Member of an object, or NULL. */
const sdn_jval *sdn_json_get(const sdn_jval *obj, const char *key);
/* Number member or fallback; string member or fallback. */
double sdn_json_num(const sdn_jval *obj, const char *key, double fallback);
const char *sdn_json_str(const sdn_jval *obj, const char *key, const char *fallback);

#endif
