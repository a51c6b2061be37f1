/* Flatten: rows already are flat vectors (the model takes [n × input_size], an image as its NHWC
 * bytes), so its output is its input and its input gradient is its output gradient. It exists for
 * the Keras-shaped summary, and to end an image shape (the compiler makes its output 1 × 1 × n). */
#include "layers/layer.h"

const sdn_layer_ops sdn_flatten_ops = {
    .name = "flatten",
    .title = "Flatten",
    .in_place = 1,
    .flat_out = 1,
};
