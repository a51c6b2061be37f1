/* The version of the library linked, next to the header's SDN_VERSION_STRING. */
#include "simdnn.h"

const char *sdn_version(void)
{
    return SDN_VERSION_STRING;
}
