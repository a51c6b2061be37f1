/* Names of the public enums, as Keras spells them, and their parsers. */
#include <string.h>

#include "simdnn.h"

static const char *const activation_names[SDN_ACT_COUNT] = {
    "linear", "elu", "selu", "relu", "leaky_relu", "tanh", "sigmoid", "softmax"};
static const char *const init_names[SDN_INIT_COUNT] = {
    "zeros",        "constant",      "he_normal",     "he_uniform",
    "lecun_normal", "lecun_uniform", "glorot_normal", "glorot_uniform"};
static const char *const optimizer_names[SDN_OPT_COUNT] = {"sgd", "adam", "nadam", "rmsprop"};

static int find_name(const char *const *names, int count, const char *name)
{
    for (int i = 0; name && i < count; i++)
        if (!strcmp(names[i], name))
            return i;
    return count;
}

const char *sdn_activation_name(sdn_activation a)
{
    return (unsigned)a < SDN_ACT_COUNT ? activation_names[a] : "?";
}
sdn_activation sdn_activation_from_name(const char *name)
{
    return (sdn_activation)find_name(activation_names, SDN_ACT_COUNT, name);
}
const char *sdn_init_name(sdn_init_kind k)
{
    return (unsigned)k < SDN_INIT_COUNT ? init_names[k] : "?";
}
sdn_init_kind sdn_init_from_name(const char *name)
{
    return (sdn_init_kind)find_name(init_names, SDN_INIT_COUNT, name);
}
const char *sdn_optimizer_name(sdn_optimizer_kind k)
{
    return (unsigned)k < SDN_OPT_COUNT ? optimizer_names[k] : "?";
}
sdn_optimizer_kind sdn_optimizer_from_name(const char *name)
{
    return (sdn_optimizer_kind)find_name(optimizer_names, SDN_OPT_COUNT, name);
}
