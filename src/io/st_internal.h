/* Internal hooks of the safetensors writer, for tests only. */
#ifndef SDN_ST_INTERNAL_H
#define SDN_ST_INTERNAL_H

#include <stddef.h>

/* When nonzero, the writer fails with ENOSPC after this many bytes: tests use it to show that an
 * existing file survives a failed write. */
extern size_t sdn_st_fail_after_bytes;

#endif
