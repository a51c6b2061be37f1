/* A growable string (src/io/strbuf.c): b.p is NUL-terminated, b.oom set once an append failed. */
#ifndef SDN_STRBUF_H
#define SDN_STRBUF_H

#include <stddef.h>

typedef struct sdn_strbuf {
    char *p;
    size_t n, cap;
    int oom;
} sdn_strbuf;

void sdn_sb_putn(sdn_strbuf *b, const char *s, size_t n);
void sdn_sb_puts(sdn_strbuf *b, const char *s);
/* fmt formats one size_t */
void sdn_sb_printf(sdn_strbuf *b, const char *fmt, size_t v);
/* s as a JSON string literal, quotes and escapes included */
void sdn_sb_json_string(sdn_strbuf *b, const char *s);

#endif
