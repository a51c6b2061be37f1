/* Thread-local error messages behind sdn_last_error(). */
#include <stdarg.h>
#include <stdio.h>

#include "error.h"

static _Thread_local char last_error[512];

sdn_status sdn_fail(sdn_status status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(last_error, sizeof last_error, fmt, ap);
    va_end(ap);
    return status;
}

const char *sdn_last_error(void)
{
    return last_error;
}

const char *sdn_status_name(sdn_status status)
{
    switch (status) {
    case SDN_OK:
        return "ok";
    case SDN_ERR_INVALID_ARG:
        return "invalid argument";
    case SDN_ERR_NOMEM:
        return "out of memory";
    case SDN_ERR_IO:
        return "I/O error";
    case SDN_ERR_FORMAT:
        return "bad file format";
    case SDN_ERR_UNSUPPORTED:
        return "unsupported";
    case SDN_ERR_STATE:
        return "invalid state";
    case SDN_ERR_NUMERIC:
        return "numeric error";
    }
    return "unknown status";
}
