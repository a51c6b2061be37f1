/* The convolutional trunk of a network spec (net_conv.c). */
#ifndef SDN_NET_CONV_H
#define SDN_NET_CONV_H

#include "simdnn_fit.h"

/* SDN_OK when s->conv parses (what is the caller's name for the spec in the message). */
sdn_status sdn_net_conv_check(const sdn_net_spec *s, const char *what);
/* Sets the input shape and adds the trunk's layers; *flat tells whether it ends in a flat row
 * (global pooling), else the caller adds Flatten. */
sdn_status sdn_net_conv_build(const sdn_net_spec *s, sdn_model *m, int *flat);

#endif
