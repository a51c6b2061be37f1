/* The profiling tool's own last error message: it sits above the library and has none of its
 * internals. */
#include <stdarg.h>
#include <stdio.h>

#include "report.h"

static _Thread_local char message[512];

sdn_status sdn_pf_fail(sdn_status st, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);
    return st;
}

const char *sdn_profiler_last_error(void)
{
    return message[0] ? message : "no error";
}
