/* A strict JSON reader for exactly what a safetensors header may hold: objects, strings (escapes
 * decoded to UTF-8), non-negative integers and lists of them. The first error sticks, naming the
 * file and the byte. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "io/json.h"
#include "io/strbuf.h"

sdn_status sdn_json_error(sdn_json *p, const char *what)
{
    if (!p->err)
        p->err = sdn_fail(SDN_ERR_FORMAT, "%s: corrupt header JSON at byte %zu: %s", p->path,
                          (size_t)(p->s - p->begin), what);
    return p->err;
}

sdn_status sdn_json_nomem(sdn_json *p)
{
    if (!p->err)
        p->err = sdn_fail(SDN_ERR_NOMEM, "%s: out of memory reading the header", p->path);
    return p->err;
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

/* The 4 hex digits after "\\u" as UTF-8 into b; 0 (error recorded) when they are not. */
static int unicode_escape(sdn_json *p, sdn_strbuf *b)
{
    if (p->end - p->s < 4) {
        sdn_json_error(p, "short \\u escape");
        return 0;
    }
    unsigned v = 0;
    for (int i = 0; i < 4; i++) {
        char h = *p->s++;
        v = v * 16 + (unsigned)(h >= '0' && h <= '9'   ? h - '0'
                                : h >= 'a' && h <= 'f' ? h - 'a' + 10
                                : h >= 'A' && h <= 'F' ? h - 'A' + 10
                                                       : 99);
    }
    if (v > 0xffff) {
        sdn_json_error(p, "bad \\u escape");
        return 0;
    }
    char u[3];
    if (v < 0x80) {
        u[0] = (char)v;
        sdn_sb_putn(b, u, 1);
    } else if (v < 0x800) {
        u[0] = (char)(0xc0 | v >> 6);
        u[1] = (char)(0x80 | (v & 0x3f));
        sdn_sb_putn(b, u, 2);
    } else {
        u[0] = (char)(0xe0 | v >> 12);
        u[1] = (char)(0x80 | ((v >> 6) & 0x3f));
        u[2] = (char)(0x80 | (v & 0x3f));
        sdn_sb_putn(b, u, 3);
    }
    return 1;
}

/* Parses a string into a malloc'd UTF-8 copy. */
char *sdn_json_string(sdn_json *p)
{
    sdn_json_ws(p);
    if (p->s >= p->end || *p->s != '"') {
        sdn_json_error(p, "expected a string");
        return NULL;
    }
    p->s++;
    sdn_strbuf b = {0};
    while (p->s < p->end && *p->s != '"') {
        char c = *p->s++;
        if ((unsigned char)c < 0x20) {
            free(b.p);
            sdn_json_error(p, "control character in a string");
            return NULL;
        }
        if (c != '\\') {
            sdn_sb_putn(&b, &c, 1);
            continue;
        }
        if (p->s >= p->end)
            break;
        char e = *p->s++;
        char simple = e == '"' || e == '\\' || e == '/' ? e
                      : e == 'b'                        ? '\b'
                      : e == 'f'                        ? '\f'
                      : e == 'n'                        ? '\n'
                      : e == 'r'                        ? '\r'
                      : e == 't'                        ? '\t'
                                                        : 0;
        if (e == 'u') {
            if (!unicode_escape(p, &b)) {
                free(b.p);
                return NULL;
            }
        } else if (simple) {
            sdn_sb_putn(&b, &simple, 1);
        } else {
            free(b.p);
            sdn_json_error(p, "bad escape");
            return NULL;
        }
    }
    if (p->s >= p->end) {
        free(b.p);
        sdn_json_error(p, "unterminated string");
        return NULL;
    }
    p->s++;
    if (!b.p)
        sdn_sb_putn(&b, "", 0);
    if (b.oom || !b.p) {
        free(b.p);
        sdn_json_nomem(p);
        return NULL;
    }
    return b.p;
}

int sdn_json_uint(sdn_json *p, size_t *out)
{
    sdn_json_ws(p);
    if (p->s >= p->end || *p->s < '0' || *p->s > '9') {
        sdn_json_error(p, "expected a non-negative integer");
        return 0;
    }
    size_t v = 0;
    while (p->s < p->end && *p->s >= '0' && *p->s <= '9') {
        size_t d = (size_t)(*p->s++ - '0');
        if (v > (SIZE_MAX - d) / 10) {
            sdn_json_error(p, "integer overflow");
            return 0;
        }
        v = v * 10 + d;
    }
    *out = v;
    return 1;
}

/* [u, u, ...] with at most `max` entries. */
int sdn_json_uint_list(sdn_json *p, size_t *vals, int max, int *count)
{
    if (!sdn_json_eat(p, '[')) {
        sdn_json_error(p, "expected '['");
        return 0;
    }
    *count = 0;
    if (sdn_json_eat(p, ']'))
        return 1;
    do {
        if (*count == max) {
            sdn_json_error(p, "too many entries in a list");
            return 0;
        }
        if (!sdn_json_uint(p, &vals[(*count)++]))
            return 0;
    } while (sdn_json_eat(p, ','));
    if (!sdn_json_eat(p, ']')) {
        sdn_json_error(p, "expected ']'");
        return 0;
    }
    return 1;
}
