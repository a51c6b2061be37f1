"""fit's progress drawn as Keras draws it: a bar redrawn in place on a terminal, the same bar with
plain carriage returns (no ANSI codes, fewer redraws) in a notebook, one line per epoch
elsewhere (logs, pipes) and with verbose=2."""
import sys


def _notebook():
    shell = sys.modules.get("IPython")
    try:
        return shell is not None and "ipykernel" in sys.modules and \
            shell.get_ipython() is not None
    except Exception:  # an IPython without a running shell
        return False


def _time(s):
    if s >= 3600:
        return f"{int(s // 3600)}:{int(s // 60 % 60):02d}:{int(s % 60):02d}"
    if s >= 60:
        return f"{int(s // 60)}:{int(s % 60):02d}"
    return f"{s:.0f}s"


class Bar:
    def __init__(self, verbose, out=None):
        self.out = out or sys.stdout
        tty = hasattr(self.out, "isatty") and self.out.isatty()
        self.notebook = _notebook()
        self.quiet = not verbose
        self.bar = verbose == 1 and (tty or self.notebook)
        self.every = 0.5 if self.notebook else 0.1  # seconds between redraws
        self.clear = "" if self.notebook else "\033[K"
        self.last = -1.0

    def epoch_begin(self, epoch, epochs):
        self.last = -1.0
        if self.bar:
            self.out.write(f"Epoch {epoch}/{epochs}\n")
            self.out.flush()

    def step(self, step, steps, seconds, metrics):
        if not self.bar or (seconds - self.last < self.every and step != steps):
            return
        self.last = seconds
        w = 30
        done = step * w // steps if steps else w
        bar = "=" * done + (">" if done < w else "") + "." * max(w - done - 1, 0)
        eta = seconds * (steps - step) / step if step else 0
        width = len(str(steps))
        self.out.write(f"\r{step:{width}d}/{steps} [{bar}] - ETA: {_time(eta)}"
                       f"{self._metrics(metrics)}{self.clear}")
        self.out.flush()

    @staticmethod
    def _metrics(metrics):
        return "".join(f" - {k}: {v:.4f}" for k, v in metrics.items())

    def epoch_end(self, epoch, epochs, steps, seconds, logs):
        if self.quiet:
            return
        per_step = 1000 * seconds / steps if steps else 0
        shown = {k: v for k, v in logs.items() if k != "learning_rate"}
        if self.bar:
            self.out.write(f"\r{steps}/{steps} [{'=' * 30}] - {_time(seconds)} "
                           f"{per_step:.0f}ms/step{self._metrics(shown)}{self.clear}\n")
        else:
            self.out.write(f"Epoch {epoch}/{epochs} - {seconds:.1f}s - {per_step:.0f}ms/step"
                           f"{self._metrics(shown)}\n")
        self.out.flush()

    def partial(self):
        if self.bar:
            self.out.write("\n")
            self.out.flush()

    def message(self, text):
        if not self.quiet:
            self.out.write(text + "\n")
            self.out.flush()
