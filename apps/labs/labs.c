/* The list of labs, in report order. */
#include "lab.h"

int lab_q1_same_init(lab_ctx *ctx);
int lab_q2_zero_biases(lab_ctx *ctx);
int lab_q3_selu_relu(lab_ctx *ctx);
int lab_q4_activations(lab_ctx *ctx);
int lab_q5_momentum(lab_ctx *ctx);
int lab_q6_sparse(lab_ctx *ctx);
int lab_q7_dropout(lab_ctx *ctx);
int lab_q8_as_written(lab_ctx *ctx);

const lab_def app_labs[8] = {
    {"q1", "every weight of a layer the same initial value", lab_q1_same_init},
    {"q2", "biases initialized to zero", lab_q2_zero_biases},
    {"q3", "SELU against ReLU (and ELU)", lab_q3_selu_relu},
    {"q4", "which activation when", lab_q4_activations},
    {"q5", "SGD momentum near 1", lab_q5_momentum},
    {"q6", "sparse models", lab_q6_sparse},
    {"q7", "the cost of dropout, and MC Dropout", lab_q7_dropout},
    {"q8", "the exercise as often written, against the corrected presets", lab_q8_as_written},
};
