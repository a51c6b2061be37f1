/* Errors as values: a status code plus a thread-local message. */
#ifndef SDN_ERROR_H
#define SDN_ERROR_H

#include "platform/platform.h"
#include "simdnn.h"

/* Records the message (printf-style) for sdn_last_error() and returns status. */
sdn_status sdn_fail(sdn_status status, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(SDN_PRINTF_FORMAT, 2, 3)))
#endif
    ;

#endif
