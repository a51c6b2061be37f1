/* SELU's fixed constants (Klambauer et al. 2017), shared by the kernels of every ISA and the tests.
 */
#ifndef SDN_SELU_H
#define SDN_SELU_H

#define SDN_SELU_LAMBDA 1.0507009873554805
#define SDN_SELU_ALPHA 1.6732632423543772

#endif
