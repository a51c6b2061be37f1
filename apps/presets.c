/* The CLI's presets: Géron ch. 11 exercise 8's four networks (8b-8e) as training configurations,
 * and a configuration as the library's network spec and optimizer options. The library knows none
 * of these numbers. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "train.h"

const char *const app_train_preset_names[6] = {"elu-he",        "batchnorm", "selu",
                                               "alpha-dropout", "1cycle",    "cnn"};

int app_train_preset(app_train_config *c, const char *name)
{
    /* Géron ch. 11 ex. 8: 20 hidden layers of 100, Nadam, early stopping with patience 20. Every
     * preset standardizes the inputs: the solution does it for SELU, and He/ELU and BN train at
     * least as well on standardized pixels as on raw ones. */
    c->layers = 20;
    c->units = 100;
    c->optimizer = SDN_OPT_NADAM;
    c->patience = 20;
    c->standardize = 1;
    c->batch_norm = 0;
    /* The targets are accuracies, and on CIFAR-10 val_loss turns up (over-confidence) epochs before
     * val_accuracy stops rising: the best epoch is the most accurate one. */
    c->monitor = SDN_MONITOR_VAL_ACCURACY;
    c->dropout = c->alpha_dropout = 0;
    c->schedule = SDN_SCHEDULE_CONSTANT;
    c->conv[0] = 0;
    c->augment = 0;
    if (!strcmp(name, "cnn")) {
        /* CIFAR-10's small CNN (docs/cnn.md): 2 x [Conv 32 3x3, BN, ReLU], pool, 2 x [Conv 64],
         * pool, Conv 128, global average pooling, Dense 10; crops and flips, Adam under 1cycle */
        snprintf(c->conv, sizeof c->conv, "c32,c32,m2,c64,c64,m2,c128,g");
        c->layers = 0;
        c->activation = SDN_ACT_RELU;
        c->init = SDN_INIT_HE_NORMAL;
        c->batch_norm = 1;
        c->augment = 1;
        c->optimizer = SDN_OPT_ADAM;
        c->lr = 3e-3;
        c->schedule = SDN_SCHEDULE_ONECYCLE;
        c->epochs = 20;
        c->batch_size = 64;
        c->patience = 0;
    } else if (!strcmp(name, "elu-he")) {
        c->activation = SDN_ACT_ELU;
        c->init = SDN_INIT_HE_NORMAL;
        c->lr = 5e-5;
    } else if (!strcmp(name, "batchnorm")) {
        c->activation = SDN_ACT_ELU;
        c->init = SDN_INIT_HE_NORMAL;
        c->batch_norm = 1;
        c->lr = 5e-4;
    } else if (!strcmp(name, "selu")) {
        c->activation = SDN_ACT_SELU;
        c->init = SDN_INIT_LECUN_NORMAL;
        c->lr = 7e-4;
    } else if (!strcmp(name, "alpha-dropout")) {
        c->activation = SDN_ACT_SELU;
        c->init = SDN_INIT_LECUN_NORMAL;
        c->alpha_dropout = 0.1;
        c->lr = 5e-4;
    } else if (!strcmp(name, "1cycle")) {
        /* Géron's last step: the 8e network trained by SGD for 15 epochs of batch 128 under
         * 1cycle, the momentum cycled 0.95-0.85-0.95; the peak is lr-find's "1cycle peak" on this
         * preset (lr_min, the rate at the lowest smoothed loss, rounded: docs/onecycle) */
        c->activation = SDN_ACT_SELU;
        c->init = SDN_INIT_LECUN_NORMAL;
        c->alpha_dropout = 0.1;
        c->optimizer = SDN_OPT_SGD;
        c->lr = 0.035;
        c->momentum = NAN;
        c->schedule = SDN_SCHEDULE_ONECYCLE;
        c->epochs = 15;
        c->batch_size = 128;
        c->patience = 0;
    } else {
        return 0;
    }
    snprintf(c->preset, sizeof c->preset, "%s", name);
    return 1;
}

sdn_net_spec app_train_net_spec(const app_train_config *c, size_t input_size, size_t classes)
{
    sdn_net_spec s = {0};
    s.input_size = input_size;
    s.classes = classes;
    s.hidden_layers = c->layers;
    s.units = c->units;
    s.activation = c->activation;
    s.activation_alpha = (float)c->activation_alpha;
    s.init = c->init;
    s.batch_norm = c->batch_norm;
    s.dropout = (float)c->dropout;
    s.alpha_dropout = (float)c->alpha_dropout;
    s.l1 = (float)c->l1;
    s.l2 = (float)c->l2;
    snprintf(s.conv, sizeof s.conv, "%.127s", c->conv);
    return s;
}

sdn_optimizer_options app_train_optimizer(const app_train_config *c)
{
    sdn_optimizer_options o = sdn_optimizer_defaults(c->optimizer);
    if (!isnan(c->lr))
        o.learning_rate = (float)c->lr;
    if (!isnan(c->momentum))
        o.momentum = (float)c->momentum;
    if (!isnan(c->beta1))
        o.beta1 = (float)c->beta1;
    if (!isnan(c->beta2))
        o.beta2 = (float)c->beta2;
    if (!isnan(c->rho))
        o.rho = (float)c->rho;
    if (!isnan(c->epsilon))
        o.epsilon = (float)c->epsilon;
    if (!isnan(c->clip_norm))
        o.clip_norm = (float)c->clip_norm;
    o.nesterov = c->nesterov;
    /* 1cycle cycles SGD's momentum from its top: compiled with it, SGD gets its velocity slot */
    if (c->schedule == SDN_SCHEDULE_ONECYCLE && c->cycle_momentum && c->optimizer == SDN_OPT_SGD)
        o.momentum = (float)(isnan(c->max_momentum) ? 0.95 : c->max_momentum);
    return o;
}
