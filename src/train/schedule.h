/* Internal to the training loop: what fit.c asks of the schedules beyond the public API. */
#ifndef SDN_SCHEDULE_INTERNAL_H
#define SDN_SCHEDULE_INTERNAL_H

#include "simdnn.h"

/* Nadam under a schedule that cycles beta1: Π μ_1..μ_step as the steps so far ran it, each μ
 * with its own step's beta1 (sdn_model_set_step assumes one beta1 throughout), so a resumed run
 * continues with the same bits. No-op for other optimizers and schedules. */
void sdn_schedule_resume(const sdn_schedule *schedule, sdn_model *model);

#endif
