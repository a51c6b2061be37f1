/* Image datasets from channel planes (CHW, as CIFAR-10's files hold them) to pixels with their
 * channels together (HWC), the layout the convolutional layers take. */
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "simdnn_data.h"

sdn_status sdn_dataset_to_hwc(sdn_dataset *d)
{
    const size_t C = (size_t)d->channels, P = (size_t)d->height * (size_t)d->width;
    if (C <= 1 || !d->pixels)
        return SDN_OK;
    uint8_t *tmp = malloc(C * P);
    if (!tmp)
        return sdn_fail(SDN_ERR_NOMEM, "out of memory for an image");
    for (size_t i = 0; i < d->n; i++) {
        uint8_t *img = d->pixels + i * d->features;
        for (size_t p = 0; p < P; p++)
            for (size_t c = 0; c < C; c++)
                tmp[p * C + c] = img[c * P + p];
        memcpy(img, tmp, C * P);
    }
    free(tmp);
    return SDN_OK;
}
