/* Learning-rate schedules: pure functions of the step (constant, exponential, power, piecewise,
 * 1cycle) and ReduceLROnPlateau's per-epoch rule, whose small state the fit loop keeps. */
#include <math.h>
#include <string.h>

#include "detmath.h"
#include "error.h"
#include "model.h"
#include "optim/optim.h"
#include "schedule.h"
#include "simdnn.h"

static const char *const names[SDN_SCHEDULE_COUNT] = {"constant", "exponential", "1cycle",
                                                      "power",    "piecewise",   "plateau"};

const char *sdn_schedule_name(sdn_schedule_kind kind)
{
    return (unsigned)kind < SDN_SCHEDULE_COUNT ? names[kind] : "?";
}

sdn_schedule_kind sdn_schedule_from_name(const char *name)
{
    for (int k = 0; k < SDN_SCHEDULE_COUNT; k++)
        if (name && !strcmp(name, names[k]))
            return (sdn_schedule_kind)k;
    if (name && !strcmp(name, "onecycle"))
        return SDN_SCHEDULE_ONECYCLE;
    return SDN_SCHEDULE_COUNT;
}

sdn_schedule sdn_schedule_defaults(sdn_schedule_kind kind, float lr0)
{
    sdn_schedule s;
    memset(&s, 0, sizeof s);
    s.kind = kind;
    s.lr0 = lr0;
    s.decay_steps = 10000.0;
    s.decay_rate = kind == SDN_SCHEDULE_POWER ? 1.0f : 0.96f;
    s.power = 1.0f;
    s.max_lr = 10.0f * lr0;
    s.factor = 0.1f;
    s.patience = 10;
    s.min_delta = 1e-4;
    if (kind == SDN_SCHEDULE_ONECYCLE) {
        s.max_momentum = 0.95f;
        s.min_momentum = 0.85f;
    }
    return s;
}

sdn_status sdn_schedule_check(const sdn_schedule *s)
{
    if (!s || (unsigned)s->kind >= SDN_SCHEDULE_COUNT)
        return sdn_fail(SDN_ERR_INVALID_ARG, "schedule: unknown kind");
    if (s->kind != SDN_SCHEDULE_PIECEWISE && !(s->lr0 > 0.0f && isfinite(s->lr0)))
        return sdn_fail(SDN_ERR_INVALID_ARG, "schedule %s: the initial rate must be > 0 (got %g)",
                        names[s->kind], (double)s->lr0);
    switch (s->kind) {
    case SDN_SCHEDULE_EXPONENTIAL:
    case SDN_SCHEDULE_POWER:
        /* an exponential rate of 0 would end at a rate of 0, which is no learning rate */
        if (!(s->decay_steps > 0.0) || !isfinite(s->decay_rate) ||
            !(s->kind == SDN_SCHEDULE_POWER ? s->decay_rate >= 0.0f : s->decay_rate > 0.0f))
            return sdn_fail(SDN_ERR_INVALID_ARG,
                            "schedule %s: decay_steps must be > 0 and decay_rate %s 0",
                            names[s->kind], s->kind == SDN_SCHEDULE_POWER ? ">=" : ">");
        break;
    case SDN_SCHEDULE_ONECYCLE:
        if (!s->total_steps || !(s->max_lr > 0.0f) || !isfinite(s->max_lr))
            return sdn_fail(SDN_ERR_INVALID_ARG,
                            "schedule 1cycle: max_lr must be > 0 and total_steps > 0");
        if (!(s->min_momentum >= 0.0f && s->min_momentum <= s->max_momentum &&
              s->max_momentum < 1.0f))
            return sdn_fail(SDN_ERR_INVALID_ARG,
                            "schedule 1cycle: need 0 <= min_momentum <= max_momentum < 1 (got "
                            "%g, %g)",
                            (double)s->min_momentum, (double)s->max_momentum);
        break;
    case SDN_SCHEDULE_PIECEWISE:
        if (s->n_boundaries < 1 || s->n_boundaries > SDN_SCHEDULE_MAX_PIECES)
            return sdn_fail(SDN_ERR_INVALID_ARG,
                            "schedule piecewise: 1 to %d boundaries, and one value more",
                            SDN_SCHEDULE_MAX_PIECES);
        for (int i = 0; i <= s->n_boundaries; i++) {
            if (!(s->values[i] > 0.0f) || !isfinite(s->values[i]))
                return sdn_fail(SDN_ERR_INVALID_ARG, "schedule piecewise: value %d is not > 0",
                                i + 1);
            if (i && i < s->n_boundaries && s->boundaries[i] <= s->boundaries[i - 1])
                return sdn_fail(SDN_ERR_INVALID_ARG,
                                "schedule piecewise: boundaries must increase");
        }
        break;
    case SDN_SCHEDULE_PLATEAU:
        if (!(s->factor > 0.0f && s->factor < 1.0f) || s->patience < 0 || s->cooldown < 0 ||
            !(s->min_lr >= 0.0f) || !(s->min_delta >= 0.0))
            return sdn_fail(SDN_ERR_INVALID_ARG,
                            "schedule plateau: factor in (0, 1), patience, cooldown, min_lr and "
                            "min_delta >= 0");
        break;
    default:
        break;
    }
    return SDN_OK;
}

/* Géron's 1cycle turns at 45% of the run (the peak) and at 90% (back where it began). */
#define ONECYCLE_PEAK 0.45
#define ONECYCLE_BACK 0.9

/* The rate: up lr0 → max_lr to the peak, down to lr0 by the turn back, then to lr0/1000. */
static double onecycle(const sdn_schedule *s, uint64_t step)
{
    if (!s->total_steps)
        return s->lr0;
    const double total = (double)s->total_steps, t = (double)step;
    const double up = ONECYCLE_PEAK * total, down = ONECYCLE_BACK * total;
    const double lo = s->lr0, hi = s->max_lr;
    if (t <= up)
        return lo + (hi - lo) * (up > 0 ? t / up : 1.0);
    if (t <= down)
        return hi - (hi - lo) * (t - up) / (down - up);
    if (t >= total)
        return lo / 1000.0;
    return lo - (lo - lo / 1000.0) * (t - down) / (total - down);
}

/* Momentum against the rate: high while the rate is low, lowest at the peak, so the large steps
 * of the middle are not compounded by a large velocity (Smith 2018, section 4.3). */
float sdn_schedule_momentum(const sdn_schedule *s, uint64_t step)
{
    if (!s || s->kind != SDN_SCHEDULE_ONECYCLE || !s->total_steps || s->max_momentum == 0.0f)
        return NAN;
    const double total = (double)s->total_steps, t = (double)step;
    const double up = ONECYCLE_PEAK * total, down = ONECYCLE_BACK * total;
    const double hi = s->max_momentum, lo = s->min_momentum;
    if (t <= up)
        return (float)(hi - (hi - lo) * (up > 0 ? t / up : 1.0));
    if (t <= down)
        return (float)(lo + (hi - lo) * (t - up) / (down - up));
    return (float)hi;
}

float sdn_schedule_lr(const sdn_schedule *s, uint64_t step)
{
    double p = s->decay_steps > 0.0 ? (double)step / s->decay_steps : 0.0;
    if (s->staircase)
        p = floor(p);
    switch (s->kind) {
    case SDN_SCHEDULE_EXPONENTIAL:
        return (float)(s->lr0 * sdn_det_pow((double)s->decay_rate, p));
    case SDN_SCHEDULE_POWER: {
        const double c = s->power > 0.0f ? (double)s->power : 1.0;
        return (float)(s->lr0 / sdn_det_pow(1.0 + (double)s->decay_rate * p, c));
    }
    case SDN_SCHEDULE_PIECEWISE: {
        int i = 0;
        while (i < s->n_boundaries && step > s->boundaries[i])
            i++;
        return s->values[i];
    }
    case SDN_SCHEDULE_ONECYCLE:
        return (float)onecycle(s, step);
    case SDN_SCHEDULE_CONSTANT:
    case SDN_SCHEDULE_PLATEAU:
    default:
        return s->lr0;
    }
}

void sdn_schedule_resume(const sdn_schedule *s, sdn_model *m)
{
    if (!m || m->opt.kind != SDN_OPT_NADAM || isnan(sdn_schedule_momentum(s, 0)))
        return;
    double prod = 1.0; /* the order the steps multiplied it in */
    for (uint64_t t = 0; t < m->step; t++)
        prod *= sdn_nadam_mu(sdn_schedule_momentum(s, t), t + 1);
    m->nadam_mu_product = prod;
}

void sdn_schedule_state_init(sdn_schedule_state *st)
{
    st->lr = NAN;
    st->best = NAN;
    st->wait = st->cooldown = 0;
}

void sdn_schedule_apply(const sdn_schedule *s, sdn_schedule_state *st, sdn_model *model)
{
    if (!s || !model)
        return;
    if (s->kind != SDN_SCHEDULE_PLATEAU) {
        const uint64_t step = sdn_model_step(model);
        sdn_model_set_learning_rate(model, sdn_schedule_lr(s, step));
        const float momentum = sdn_schedule_momentum(s, step);
        if (!isnan(momentum))
            sdn_model_set_momentum(model, momentum); /* refused: SGD without momentum keeps 0 */
        return;
    }
    if (isnan(st->lr))
        st->lr = s->lr0;
    sdn_model_set_learning_rate(model, st->lr);
}

int sdn_schedule_epoch_end(const sdn_schedule *s, sdn_schedule_state *st, double v, int maximize)
{
    if (!s || s->kind != SDN_SCHEDULE_PLATEAU || isnan(v))
        return 0;
    if (isnan(st->lr))
        st->lr = s->lr0;
    /* Keras' ReduceLROnPlateau.on_epoch_end, step for step */
    if (st->cooldown > 0) {
        st->cooldown--;
        st->wait = 0;
    }
    const int cooling = st->cooldown > 0; /* after the countdown, as Keras */
    const int better =
        isnan(st->best) || (maximize ? v > st->best + s->min_delta : v < st->best - s->min_delta);
    if (better) {
        st->best = v;
        st->wait = 0;
        return 0;
    }
    if (cooling || ++st->wait < s->patience || !(st->lr > s->min_lr))
        return 0;
    const float lr = st->lr * s->factor;
    st->lr = lr > s->min_lr ? lr : s->min_lr;
    st->cooldown = s->cooldown;
    st->wait = 0;
    return 1;
}
