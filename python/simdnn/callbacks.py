"""Keras' callbacks. EarlyStopping, ReduceLROnPlateau and OneCycleScheduler become options of the
library's fit loop (sdn_fit_options, sdn_schedule): they cost nothing per batch. Callbacks of your
own (subclasses of Callback) and LearningRateScheduler run in Python once per epoch, or once per
batch when they define on_train_batch_end."""


class Callback:
    """Keras' hooks that simdnn calls: on_train_begin/end, on_epoch_begin/end and
    on_train_batch_end (after each batch: the C loop has no hook before one). Setting
    self.model.stop_training = True stops training after the current batch."""

    def __init__(self):
        self.model = None
        self.params = {}

    def set_model(self, model):
        self.model = model

    def set_params(self, params):
        self.params = params

    def on_train_begin(self, logs=None):
        pass

    def on_train_end(self, logs=None):
        pass

    def on_epoch_begin(self, epoch, logs=None):
        pass

    def on_epoch_end(self, epoch, logs=None):
        pass

    def on_train_batch_end(self, batch, logs=None):
        pass


def _monitor_mode(monitor, mode):
    if monitor not in ("val_loss", "val_accuracy", "loss", "accuracy"):
        raise ValueError(f"monitor {monitor!r}: simdnn monitors val_loss, val_accuracy (or loss, "
                         f"accuracy without validation data)")
    want = "max" if monitor.endswith("accuracy") else "min"
    if mode not in ("auto", want):
        raise ValueError(f"mode {mode!r} for {monitor}: it can only be {want!r} (or 'auto')")
    return monitor


class EarlyStopping(Callback):
    """Stops when `monitor` has not improved by more than min_delta for `patience` epochs. With
    restore_best_weights the best epoch's weights (and batch-norm statistics) are loaded at the
    end of fit, also when training ran all its epochs (the CLI's --restore-best)."""

    def __init__(self, monitor="val_loss", min_delta=0.0, patience=0, verbose=0, mode="auto",
                 restore_best_weights=False):
        super().__init__()
        self.monitor = _monitor_mode(monitor, mode)
        self.min_delta = abs(float(min_delta))
        self.patience = int(patience)
        self.verbose = verbose
        self.restore_best_weights = bool(restore_best_weights)
        self.stopped_epoch = 0
        self.best_epoch = 0


class ReduceLROnPlateau(Callback):
    """The rate times `factor` after `patience` epochs without improvement (the library's
    plateau schedule)."""

    def __init__(self, monitor="val_loss", factor=0.1, patience=10, verbose=0, mode="auto",
                 min_delta=1e-4, cooldown=0, min_lr=0.0):
        super().__init__()
        self.monitor = _monitor_mode(monitor, mode)
        if not 0 < factor < 1:
            raise ValueError(f"ReduceLROnPlateau: factor must be in (0, 1) (got {factor})")
        self.factor, self.patience, self.verbose = float(factor), int(patience), verbose
        self.min_delta, self.cooldown, self.min_lr = float(min_delta), int(cooldown), float(min_lr)


class OneCycleScheduler(Callback):
    """Géron's 1cycle callback: the rate goes from max_lr/10 up to max_lr and back over the fit's
    steps, then down to max_lr/10000 (the library's 1cycle schedule)."""

    def __init__(self, max_lr, total_steps=None):
        super().__init__()
        self.max_lr, self.total_steps = float(max_lr), total_steps


class LearningRateScheduler(Callback):
    """schedule(epoch, lr) -> the rate of that epoch, called at the start of each epoch."""

    def __init__(self, schedule, verbose=0):
        super().__init__()
        self.schedule, self.verbose = schedule, verbose

    def on_epoch_begin(self, epoch, logs=None):
        lr = float(self.schedule(epoch, self.model.learning_rate))
        self.model.learning_rate = lr
        if self.verbose:
            print(f"\nEpoch {epoch + 1}: LearningRateScheduler setting learning rate to {lr}.")


class TerminateOnNaN(Callback):
    """What simdnn always does: a NaN or infinite loss stops training, keeping the weights from
    before that step."""


class History(Callback):
    """What fit returns: history[key] is a list with one value per epoch, as Keras' History.
    simdnn adds seconds (per epoch), stop_reason, message, best_epoch, best_val_loss,
    best_val_accuracy, train_seconds, eval_seconds and samples_per_second."""

    def __init__(self):
        super().__init__()
        self.history = {}
        self.epoch = []
        self.seconds = []  # each epoch's, validation included
        self.stop_reason = None
        self.message = ""
        self.best_epoch = 0
        self.train_seconds = 0.0
        self.samples_per_second = float("nan")

    def on_epoch_end(self, epoch, logs=None):
        self.epoch.append(epoch)
        for k, v in (logs or {}).items():
            self.history.setdefault(k, []).append(v)

    def __repr__(self):
        keys = ", ".join(self.history)
        return f"<History: {len(self.epoch)} epochs of {keys}; stop: {self.stop_reason}>"
