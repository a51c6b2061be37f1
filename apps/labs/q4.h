/* q4's parts: the output layers by role (q4_outputs.c). */
#ifndef SDN_APP_Q4_H
#define SDN_APP_Q4_H

#include "lab.h"

enum { Q4_LOGISTIC, Q4_SOFTMAX, Q4_TANH, Q4_LINEAR, Q4_HEADS };
enum { Q4_TASKS = 4 };

const char *q4_head_name(int head);
const char *q4_task_name(int task);
int q4_task_right(int task);      /* the head the chapter recommends for the task */
int q4_task_has(int task, int h); /* whether head h is measured on it */
/* out[task][head][seed]: the test metric (log-loss or squared error; lower is better; NaN where
 * the head is not measured) of each head on each task, one generated task per seed. */
int q4_output_roles(int ns, uint64_t seed0, double out[Q4_TASKS][Q4_HEADS][LAB_MAX_SEEDS]);

#endif
