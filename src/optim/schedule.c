/* Learning-rate schedules as pure functions of the step: exponential decay and 1cycle. */
#include <math.h>

#include "simdnn.h"

float sdn_schedule_lr(const sdn_schedule *s, uint64_t step)
{
    switch (s->kind) {
    case SDN_SCHEDULE_EXPONENTIAL:
        if (s->decay_steps <= 0.0)
            return s->lr0;
        return (float)(s->lr0 * pow((double)s->decay_rate, (double)step / s->decay_steps));
    case SDN_SCHEDULE_ONECYCLE: {
        /* up lr0 → max_lr over the first 45%, down to lr0 by 90%, then to lr0/1000 at the end */
        if (!s->total_steps)
            return s->lr0;
        const double total = (double)s->total_steps, t = (double)step;
        const double up = 0.45 * total, down = 0.9 * total;
        const double lo = s->lr0, hi = s->max_lr;
        if (t <= up)
            return (float)(lo + (hi - lo) * (up > 0 ? t / up : 1.0));
        if (t <= down)
            return (float)(hi - (hi - lo) * (t - up) / (down - up));
        if (t >= total)
            return (float)(lo / 1000.0);
        return (float)(lo - (lo - lo / 1000.0) * (t - down) / (total - down));
    }
    case SDN_SCHEDULE_CONSTANT:
    default: return s->lr0;
    }
}
