/* A small recursive-descent JSON reader: depth-limited, every allocation checked, errors carry
 * the byte offset. */
#include "json_min.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct parser {
    const char *s, *p;
    char *err;
    size_t err_size;
    int depth;
} parser;

static int fail(parser *ps, const char *what)
{
    if (!ps->err[0])
        snprintf(ps->err, ps->err_size, "%s at byte %zu", what, (size_t)(ps->p - ps->s));
    return -1;
}

static void skip_ws(parser *ps)
{
    while (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r')
        ps->p++;
}

static int parse_value(parser *ps, sdn_jval *v);

static int parse_string(parser *ps, char **out)
{
    const char *start = ++ps->p; /* after the opening quote */
    size_t len = 0;
    for (const char *q = start; *q != '"'; q++, len++) {
        if (!*q)
            return fail(ps, "unterminated string");
        if (*q == '\\' && q[1])
            q++;
    }
    char *s = malloc(len + 1), *w = s;
    if (!s)
        return fail(ps, "out of memory");
    while (*ps->p != '"') {
        char ch = *ps->p++;
        if (ch == '\\') {
            ch = *ps->p++;
            if (ch == 'n')
                ch = '\n';
            else if (ch == 't')
                ch = '\t';
            else if (ch == 'r')
                ch = '\r';
            else if (ch == 'b')
                ch = '\b';
            else if (ch == 'f')
                ch = '\f';
            else if (ch == 'u') {
                unsigned code = 0;
                if (sscanf(ps->p, "%4x", &code) != 1) {
                    free(s);
                    return fail(ps, "bad \\u escape");
                }
                ps->p += 4;
                ch = code < 0x80 ? (char)code : '?';
            }
        }
        *w++ = ch;
    }
    *w = 0;
    ps->p++;
    *out = s;
    return 0;
}

static int parse_list(parser *ps, sdn_jval *v, int object)
{
    const char close = object ? '}' : ']';
    size_t cap = 0;
    v->type = object ? SDN_J_OBJ : SDN_J_ARR;
    ps->p++;
    skip_ws(ps);
    if (*ps->p == close) {
        ps->p++;
        return 0;
    }
    for (;;) {
        if (v->n == cap) {
            cap = cap ? 2 * cap : 8;
            sdn_jval *items = realloc(v->items, cap * sizeof *items);
            char **keys = object ? realloc(v->keys, cap * sizeof *keys) : NULL;
            if (items)
                v->items = items;
            if (keys)
                v->keys = keys;
            if (!items || (object && !keys))
                return fail(ps, "out of memory");
        }
        skip_ws(ps);
        if (object) {
            if (*ps->p != '"' || parse_string(ps, &v->keys[v->n]))
                return fail(ps, "expected a string key");
            skip_ws(ps);
            if (*ps->p++ != ':') {
                free(v->keys[v->n]);
                return fail(ps, "expected ':'");
            }
        }
        memset(&v->items[v->n], 0, sizeof v->items[0]);
        v->n++;
        if (parse_value(ps, &v->items[v->n - 1]))
            return -1;
        skip_ws(ps);
        if (*ps->p == ',') {
            ps->p++;
            continue;
        }
        if (*ps->p++ == close)
            return 0;
        return fail(ps, object ? "expected ',' or '}'" : "expected ',' or ']'");
    }
}

static int parse_value(parser *ps, sdn_jval *v)
{
    skip_ws(ps);
    if (++ps->depth > 64)
        return fail(ps, "nested too deeply");
    int r = 0;
    const char c = *ps->p;
    if (c == '{' || c == '[') {
        r = parse_list(ps, v, c == '{');
    } else if (c == '"') {
        v->type = SDN_J_STR;
        r = parse_string(ps, &v->str);
    } else if (!strncmp(ps->p, "true", 4) || !strncmp(ps->p, "false", 5)) {
        v->type = SDN_J_BOOL;
        v->num = c == 't';
        ps->p += c == 't' ? 4 : 5;
    } else if (!strncmp(ps->p, "null", 4)) {
        v->type = SDN_J_NULL;
        ps->p += 4;
    } else {
        char *end;
        v->type = SDN_J_NUM;
        v->num = strtod(ps->p, &end);
        if (end == ps->p || !(c == '-' || (c >= '0' && c <= '9')))
            r = fail(ps, "unexpected character");
        ps->p = end;
    }
    ps->depth--;
    return r;
}

int sdn_json_parse(const char *text, sdn_jval *out, char *err, size_t err_size)
{
    parser ps = {text, text, err, err_size, 0};
    err[0] = 0;
    memset(out, 0, sizeof *out);
    int r = parse_value(&ps, out);
    skip_ws(&ps);
    if (!r && *ps.p)
        r = fail(&ps, "trailing characters");
    if (r)
        sdn_json_free(out);
    return r;
}

void sdn_json_free(sdn_jval *v)
{
    for (size_t i = 0; i < v->n; i++) {
        sdn_json_free(&v->items[i]);
        if (v->keys)
            free(v->keys[i]);
    }
    free(v->items);
    free(v->keys);
    free(v->str);
    memset(v, 0, sizeof *v);
}

const sdn_jval *sdn_json_get(const sdn_jval *o, const char *key)
{
    if (!o || o->type != SDN_J_OBJ)
        return NULL;
    for (size_t i = 0; i < o->n; i++)
        if (!strcmp(o->keys[i], key))
            return &o->items[i];
    return NULL;
}

double sdn_json_num(const sdn_jval *o, const char *key, double fallback)
{
    const sdn_jval *v = sdn_json_get(o, key);
    return v && v->type == SDN_J_NUM ? v->num : fallback;
}

const char *sdn_json_str(const sdn_jval *o, const char *key, const char *fallback)
{
    const sdn_jval *v = sdn_json_get(o, key);
    return v && v->type == SDN_J_STR ? v->str : fallback;
}
