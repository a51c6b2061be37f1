/* The CLI's drawing of fit's progress events: Keras' bar on a terminal ("704/1407 [====>....] -
 * 12s - ETA: 12s - loss: ..."), or one line per epoch, or nothing. */
#include <math.h>
#include <stdio.h>

#include "platform.h"
#include "simdnn_dist.h" /* i16 */
#include "train.h"

void app_progress_drawer_init(app_progress_drawer *d, app_progress_view mode, FILE *out)
{
    d->out = out;
    d->quiet = mode == SDN_PROGRESS_QUIET;
    d->bar = mode == SDN_PROGRESS_BAR || (mode == SDN_PROGRESS_AUTO && sdn_is_terminal(out));
    d->last_draw = -1.0;
    d->epoch_rows = 0; /* i16 */
    d->train_seconds = 0.0;
}

static void fmt_time(char *buf, size_t size, double s)
{
    if (s >= 3600)
        snprintf(buf, size, "%d:%02d:%02d", (int)(s / 3600), (int)fmod(s / 60, 60),
                 (int)fmod(s, 60));
    else if (s >= 60)
        snprintf(buf, size, "%d:%02d", (int)(s / 60), (int)fmod(s, 60));
    else
        snprintf(buf, size, "%ds", (int)(s + 0.5));
}

/* Keras' bar: " 704/1407 [=============>................] - 12s - ETA: 12s - loss: 1.2345 ..." */
static void draw_bar(FILE *out, const sdn_fit_progress *p)
{
    enum { W = 30 };
    char bar[W + 1];
    size_t done = p->steps ? p->step * W / p->steps : W;
    for (size_t i = 0; i < W; i++)
        bar[i] = i < done ? '=' : (i == done ? '>' : '.');
    bar[W] = 0;
    char el[32], eta[32];
    fmt_time(el, sizeof el, p->seconds);
    fmt_time(eta, sizeof eta,
             p->step ? p->seconds * (double)(p->steps - p->step) / (double)p->step : 0);
    int width = snprintf(NULL, 0, "%zu", p->steps);
    fprintf(out, "\r%*zu/%zu [%s] - %s - ETA: %s - loss: %.4f - accuracy: %.4f\033[K", width,
            p->step, p->steps, bar, el, eta, p->loss, p->accuracy);
    fflush(out);
}

/* "epoch 3/100 - loss: ... - val_accuracy: 0.4100 - 12.3s (best)", or the bar's last state */
static void draw_epoch(const app_progress_drawer *d, const sdn_fit_progress *p)
{
    const sdn_epoch_log *row = p->row;
    if (d->bar)
        fprintf(d->out, "\r%zu/%zu - %.1fs - loss: %.4f - accuracy: %.4f", p->steps, p->steps,
                row->seconds, row->loss, row->accuracy);
    else
        fprintf(d->out, "epoch %d/%d - loss: %.4f - accuracy: %.4f", p->epoch, p->epochs, row->loss,
                row->accuracy);
    if (p->have_val)
        fprintf(d->out, " - val_loss: %.4f - val_accuracy: %.4f", row->val_loss, row->val_accuracy);
    if (!d->bar)
        fprintf(d->out, " - %.1fs", row->seconds);
    if (sdn_dist_size() > 1 && d->train_seconds > 0) /* the job's throughput */
        fprintf(d->out, " - %.0f samples/s on %d ranks", (double)d->epoch_rows / d->train_seconds,
                sdn_dist_size());
    fprintf(d->out, "%s%s\n", p->improved ? " (best)" : "", d->bar ? "\033[K" : "");
    fflush(d->out);
}

void app_progress(void *ctx, const sdn_fit_progress *p)
{
    app_progress_drawer *d = ctx;
    if (d->quiet)
        return;
    switch (p->event) {
    case SDN_FIT_EPOCH_BEGIN:
        d->last_draw = -1.0;
        if (d->bar)
            fprintf(d->out, "Epoch %d/%d\n", p->epoch, p->epochs);
        break;
    case SDN_FIT_STEP:                 /* at most ten redraws a second, and the last batch */
        d->train_seconds = p->seconds; /* i16 */
        if (d->bar && (p->seconds - d->last_draw > 0.1 || p->step == p->steps)) {
            draw_bar(d->out, p);
            d->last_draw = p->seconds;
        }
        break;
    case SDN_FIT_EPOCH_END:
        draw_epoch(d, p);
        break;
    case SDN_FIT_PARTIAL:
        if (d->bar)
            fprintf(d->out, "\n");
        break;
    case SDN_FIT_MESSAGE:
        fprintf(d->out, "%s\n", p->message);
        break;
    case SDN_FIT_STOPPED: /* the library names no flags: the CLI's advice on a NaN loss */
        fprintf(d->out, "%s%s\n", p->message,
                p->stop == SDN_STOP_NUMERIC ? " (try a lower --lr or --clip-norm)" : "");
        break;
    }
}
