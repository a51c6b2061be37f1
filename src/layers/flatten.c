/* Flatten: rows already are flat vectors (the model takes [n × input_size]), so its output is its
 * input and its input gradient is its output gradient. It exists for the Keras-shaped summary. */
#include "layers/layer.h"

const sdn_layer_ops sdn_flatten_ops = {
    .name = "flatten",
    .title = "Flatten",
    .in_place = 1,
};
