/* Internal to the training loop's files (fit.c, io/checkpoint.c). */
#ifndef SDN_FIT_INTERNAL_H
#define SDN_FIT_INTERNAL_H

#include "simdnn_fit.h"

/* Appends a history row. */
sdn_status sdn_fit_state_push(sdn_fit_state *st, const sdn_epoch_log *row);

#endif
