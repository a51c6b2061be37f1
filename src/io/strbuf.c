/* A growable NUL-terminated string for building JSON: appends never fail midway, they set oom. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/strbuf.h"

void sdn_sb_putn(sdn_strbuf *b, const char *s, size_t n)
{
    if (b->oom)
        return;
    if (b->n + n + 1 > b->cap) {
        size_t cap = (b->cap ? b->cap * 2 : 1024) + n;
        char *p = realloc(b->p, cap);
        if (!p) {
            b->oom = 1;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = 0;
}
void sdn_sb_puts(sdn_strbuf *b, const char *s)
{
    sdn_sb_putn(b, s, strlen(s));
}
void sdn_sb_printf(sdn_strbuf *b, const char *fmt, size_t v)
{
    char tmp[64];
    int n = snprintf(tmp, sizeof tmp, fmt, v);
    sdn_sb_putn(b, tmp, (size_t)n);
}

void sdn_sb_json_string(sdn_strbuf *b, const char *s)
{
    sdn_sb_putn(b, "\"", 1);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') {
            char esc[2] = {'\\', (char)c};
            sdn_sb_putn(b, esc, 2);
        } else if (c < 0x20) {
            char esc[8];
            snprintf(esc, sizeof esc, "\\u%04x", c);
            sdn_sb_puts(b, esc);
        } else {
            sdn_sb_putn(b, (const char *)&c, 1);
        }
    }
    sdn_sb_putn(b, "\"", 1);
}
