/* One strict JSON reader (RFC 8259) for the library and the tool: a cursor that reads the values a
 * caller expects one at a time (the safetensors header), and a tree of a whole document built on
 * it (profile.json). Strings are decoded to UTF-8; the first error sticks, with its byte. */
#include "json.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { MAX_DEPTH = 64, MAX_NUMBER = 64 };

sdn_json sdn_json_begin(const char *text, size_t len)
{
    sdn_json p = {text, text + len, text, NULL, 0, 0};
    return p;
}

int sdn_json_error(sdn_json *p, const char *what)
{
    if (!p->what) {
        p->what = what;
        p->at = (size_t)(p->s - p->begin);
    }
    return 0;
}

int sdn_json_nomem(sdn_json *p)
{
    if (!p->what)
        p->nomem = 1;
    return sdn_json_error(p, "out of memory");
}

void sdn_json_ws(sdn_json *p)
{
    while (p->s < p->end && (*p->s == ' ' || *p->s == '\n' || *p->s == '\r' || *p->s == '\t'))
        p->s++;
}

int sdn_json_eat(sdn_json *p, char c)
{
    sdn_json_ws(p);
    if (p->s < p->end && *p->s == c) {
        p->s++;
        return 1;
    }
    return 0;
}

/* The 4 hex digits after "\u" as UTF-8 at w; the bytes written, 0 (error recorded) if they are
 * not hex digits. */
static int unicode_escape(sdn_json *p, char *w)
{
    if (p->end - p->s < 4)
        return sdn_json_error(p, "short \\u escape");
    unsigned v = 0;
    for (int i = 0; i < 4; i++) {
        const char h = *p->s++;
        const int d = h >= '0' && h <= '9'   ? h - '0'
                      : h >= 'a' && h <= 'f' ? h - 'a' + 10
                      : h >= 'A' && h <= 'F' ? h - 'A' + 10
                                             : -1;
        /* a non-digit (the closing quote, say) ends the escape: reading on would run past the
         * string's bound (raw_length) */
        if (d < 0)
            return sdn_json_error(p, "bad \\u escape");
        v = v * 16 + (unsigned)d;
    }
    if (v < 0x80) {
        w[0] = (char)v;
        return 1;
    }
    if (v < 0x800) {
        w[0] = (char)(0xc0 | v >> 6);
        w[1] = (char)(0x80 | (v & 0x3f));
        return 2;
    }
    w[0] = (char)(0xe0 | v >> 12);
    w[1] = (char)(0x80 | ((v >> 6) & 0x3f));
    w[2] = (char)(0x80 | (v & 0x3f));
    return 3;
}

/* One escape after the backslash into w; the bytes written, 0 (error recorded) if it is none. */
static int escape(sdn_json *p, char *w)
{
    if (p->s >= p->end)
        return sdn_json_error(p, "unterminated string");
    char e = *p->s++;
    char simple = e == '"' || e == '\\' || e == '/' ? e
                  : e == 'b'                        ? '\b'
                  : e == 'f'                        ? '\f'
                  : e == 'n'                        ? '\n'
                  : e == 'r'                        ? '\r'
                  : e == 't'                        ? '\t'
                                                    : 0;
    if (e == 'u')
        return unicode_escape(p, w);
    if (!simple)
        return sdn_json_error(p, "bad escape");
    *w = simple;
    return 1;
}

/* The bytes up to the closing quote (escaped quotes skipped): a bound on the decoded length,
 * since no escape decodes to more bytes than it takes. */
static size_t raw_length(const sdn_json *p)
{
    const char *q = p->s;
    while (q < p->end && *q != '"')
        q += *q == '\\' && q + 1 < p->end ? 2 : 1;
    return (size_t)(q - p->s);
}

char *sdn_json_string(sdn_json *p)
{
    sdn_json_ws(p);
    if (p->s >= p->end || *p->s != '"')
        return sdn_json_error(p, "expected a string"), NULL;
    p->s++;
    char *out = malloc(raw_length(p) + 1), *w = out;
    if (!out)
        return sdn_json_nomem(p), NULL;
    while (p->s < p->end && *p->s != '"') {
        char c = *p->s++;
        int n = 1;
        if ((unsigned char)c < 0x20)
            n = sdn_json_error(p, "control character in a string");
        else if (c == '\\')
            n = escape(p, w);
        else
            *w = c;
        if (!n) {
            free(out);
            return NULL;
        }
        w += n;
    }
    if (p->s >= p->end) {
        free(out);
        return sdn_json_error(p, "unterminated string"), NULL;
    }
    p->s++;
    *w = 0;
    return out;
}

int sdn_json_uint(sdn_json *p, size_t *out)
{
    sdn_json_ws(p);
    if (p->s >= p->end || *p->s < '0' || *p->s > '9')
        return sdn_json_error(p, "expected a non-negative integer");
    size_t v = 0;
    while (p->s < p->end && *p->s >= '0' && *p->s <= '9') {
        size_t d = (size_t)(*p->s++ - '0');
        if (v > (SIZE_MAX - d) / 10)
            return sdn_json_error(p, "integer overflow");
        v = v * 10 + d;
    }
    *out = v;
    return 1;
}

int sdn_json_uint_list(sdn_json *p, size_t *vals, int max, int *count)
{
    if (!sdn_json_eat(p, '['))
        return sdn_json_error(p, "expected '['");
    *count = 0;
    if (sdn_json_eat(p, ']'))
        return 1;
    do {
        if (*count == max)
            return sdn_json_error(p, "too many entries in a list");
        if (!sdn_json_uint(p, &vals[(*count)++]))
            return 0;
    } while (sdn_json_eat(p, ','));
    if (!sdn_json_eat(p, ']'))
        return sdn_json_error(p, "expected ']'");
    return 1;
}

/* Skips the digits at p->s; how many there were. */
static int digits(sdn_json *p)
{
    int n = 0;
    for (; p->s < p->end && *p->s >= '0' && *p->s <= '9'; p->s++)
        n++;
    return n;
}

int sdn_json_number(sdn_json *p, double *out)
{
    sdn_json_ws(p);
    const char *start = p->s;
    if (p->s < p->end && *p->s == '-')
        p->s++;
    int ok;
    if (p->s < p->end && *p->s == '0') /* no leading zeros */
        ok = 1, p->s++;
    else
        ok = digits(p) > 0;
    if (ok && p->s < p->end && *p->s == '.') {
        p->s++;
        ok = digits(p) > 0;
    }
    if (ok && p->s < p->end && (*p->s == 'e' || *p->s == 'E')) {
        p->s++;
        if (p->s < p->end && (*p->s == '+' || *p->s == '-'))
            p->s++;
        ok = digits(p) > 0;
    }
    char buf[MAX_NUMBER];
    const size_t len = (size_t)(p->s - start);
    if (!ok || len >= sizeof buf) {
        p->s = start;
        return sdn_json_error(p, ok ? "number too long" : "expected a number");
    }
    memcpy(buf, start, len); /* strtod needs the NUL the text may lack */
    buf[len] = 0;
    *out = strtod(buf, NULL);
    return 1;
}

/* ---- the tree ---- */
static int parse_value(sdn_json *p, sdn_jval *v, int depth);

/* Room for one more item (and key) in v. */
static int grow(sdn_json *p, sdn_jval *v, size_t *cap)
{
    if (v->n < *cap)
        return 1;
    *cap = *cap ? 2 * *cap : 8;
    sdn_jval *items = realloc(v->items, *cap * sizeof *items);
    if (items)
        v->items = items;
    char **keys = v->type == SDN_J_OBJ ? realloc(v->keys, *cap * sizeof *keys) : NULL;
    if (keys)
        v->keys = keys;
    if (!items || (v->type == SDN_J_OBJ && !keys))
        return sdn_json_nomem(p);
    return 1;
}

/* An array or an object, its opening bracket consumed. */
static int parse_list(sdn_json *p, sdn_jval *v, int object, int depth)
{
    const char close = object ? '}' : ']';
    size_t cap = 0;
    v->type = object ? SDN_J_OBJ : SDN_J_ARR;
    if (sdn_json_eat(p, close))
        return 1;
    do {
        if (!grow(p, v, &cap))
            return 0;
        if (object) {
            sdn_json_ws(p);
            if (p->s >= p->end || *p->s != '"')
                return sdn_json_error(p, "expected a string key");
            if (!(v->keys[v->n] = sdn_json_string(p)))
                return 0;
            if (!sdn_json_eat(p, ':')) {
                free(v->keys[v->n]);
                return sdn_json_error(p, "expected ':'");
            }
        }
        memset(&v->items[v->n], 0, sizeof v->items[0]);
        if (!parse_value(p, &v->items[v->n++], depth + 1))
            return 0;
    } while (sdn_json_eat(p, ','));
    if (!sdn_json_eat(p, close))
        return sdn_json_error(p, object ? "expected ',' or '}'" : "expected ',' or ']'");
    return 1;
}

/* true, false or null at p->s; 0 (nothing consumed) if none. */
static int literal(sdn_json *p, sdn_jval *v)
{
    static const char *const words[] = {"true", "false", "null"};
    for (int i = 0; i < 3; i++) {
        const size_t n = strlen(words[i]);
        if ((size_t)(p->end - p->s) >= n && !memcmp(p->s, words[i], n)) {
            p->s += n;
            v->type = i == 2 ? SDN_J_NULL : SDN_J_BOOL;
            v->num = i == 0;
            return 1;
        }
    }
    return 0;
}

static int parse_value(sdn_json *p, sdn_jval *v, int depth)
{
    sdn_json_ws(p);
    if (depth > MAX_DEPTH)
        return sdn_json_error(p, "nested too deeply");
    if (p->s >= p->end)
        return sdn_json_error(p, "expected a value");
    const char c = *p->s;
    if (c == '{' || c == '[') {
        p->s++;
        return parse_list(p, v, c == '{', depth);
    }
    if (c == '"') {
        v->type = SDN_J_STR;
        return (v->str = sdn_json_string(p)) != NULL;
    }
    if (literal(p, v))
        return 1;
    if (c != '-' && (c < '0' || c > '9'))
        return sdn_json_error(p, "unexpected character");
    v->type = SDN_J_NUM;
    return sdn_json_number(p, &v->num);
}

int sdn_json_parse(const char *text, sdn_jval *out, char *err, size_t err_size)
{
    sdn_json p = sdn_json_begin(text, strlen(text));
    memset(out, 0, sizeof *out);
    err[0] = 0;
    if (parse_value(&p, out, 1)) {
        sdn_json_ws(&p);
        if (p.s != p.end)
            sdn_json_error(&p, "trailing characters");
    }
    if (!p.what)
        return 0;
    snprintf(err, err_size, "%s at byte %zu", p.what, p.at);
    sdn_json_free(out);
    return -1;
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
