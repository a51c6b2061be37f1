"""The Keras-like API: shapes and dtypes, Keras' defaults, errors as exceptions, arrays without
copies, Ctrl-C and callbacks, schedules, files, and predict from two threads on one model."""
import os
import signal
import threading

import numpy as np
import pytest

import simdnn
from conftest import pattern_data, write_cifar, write_idx
from simdnn import callbacks as cb, optimizers
from simdnn.layers import (AlphaDropout, BatchNormalization, Dense, Dropout, Flatten,
                           Normalization)

SCC = "sparse_categorical_crossentropy"


def small_model(seed=5, norm=True, units=24):
    layers = ([Normalization()] if norm else []) + [
        Flatten(), Dense(units, activation="selu", kernel_initializer="lecun_normal"),
        BatchNormalization(), AlphaDropout(0.1), Dense(10, activation="softmax")]
    m = simdnn.Sequential(layers, seed=seed)
    m.compile(optimizer=optimizers.Nadam(learning_rate=2e-3), loss=SCC, metrics=["accuracy"])
    return m


@pytest.fixture(scope="module")
def data():
    x, y = pattern_data(700, 64, seed=3)
    return x.reshape(-1, 8, 8), y


def same_bits(a, b):
    return all(np.array_equal(np.asarray(p, np.float32).view(np.uint32),
                              np.asarray(q, np.float32).view(np.uint32)) for p, q in zip(a, b))


# ------------------------------------------------------------------------ shapes and dtypes

def test_datasets_are_keras_shaped_views(tmp_path):
    (x, y), (xt, yt) = write_cifar(str(tmp_path / "c"), per_batch=30, n_test=20)
    (cx, cy), (ctx, cty) = simdnn.datasets.cifar10.load_data(str(tmp_path / "c"))
    assert cx.shape == (150, 3, 32, 32) and cx.dtype == np.uint8 and cx.flags.c_contiguous
    assert cy.shape == (150, 1) and cy.dtype == np.uint8
    assert ctx.shape == (20, 3, 32, 32) and cty.shape == (20, 1)
    assert np.array_equal(cx.reshape(150, -1), x) and np.array_equal(cy[:, 0], y)
    assert not cx.flags.owndata  # a view of the library's buffer
    (lx, _), _ = simdnn.datasets.cifar10.load_data(str(tmp_path / "c"), "channels_last")
    assert lx.shape == (150, 32, 32, 3) and np.array_equal(lx, cx.transpose(0, 2, 3, 1))
    (ix, iy), (itx, ity) = write_idx(str(tmp_path / "f"), n_train=50, n_test=10, gz=True)
    (fx, fy), (ftx, fty) = simdnn.datasets.fashion_mnist.load_data(str(tmp_path / "f"))
    assert fx.shape == (50, 28, 28) and fx.dtype == np.uint8 and fy.shape == (50,)
    assert fy.dtype == np.uint8 and np.array_equal(fx, ix) and np.array_equal(fty, ity)


def test_outputs_shapes_and_dtypes(data):
    x, y = data
    m = small_model()
    h = m.fit(x, y, epochs=2, validation_split=0.2, verbose=0)
    assert isinstance(h, cb.History) and m.history is h
    assert list(h.history) == ["loss", "accuracy", "val_loss", "val_accuracy"]
    assert h.epoch == [0, 1] and all(len(v) == 2 for v in h.history.values())
    assert h.params == {"verbose": 0, "epochs": 2, "steps": 18}
    p = m.predict(x)
    assert p.shape == (700, 10) and p.dtype == np.float32
    assert np.allclose(p.sum(1), 1, atol=1e-5)
    mean, std = m.predict(x[:40], mc_samples=5, return_std=True)
    assert mean.shape == std.shape == (40, 10) and mean.dtype == std.dtype == np.float32
    assert (std >= 0).all() and std.max() > 0  # alpha dropout varies the passes
    loss, acc = m.evaluate(x, y, verbose=0)
    assert isinstance(loss, float) and 0 <= acc <= 1
    assert m.evaluate(x, y, verbose=0, return_dict=True) == {"loss": loss, "accuracy": acc}
    w = m.get_weights()
    assert [a.shape for a in w] == [(64, 24), (24,), (24,), (24,), (24,), (24,), (24, 10), (10,)]
    assert all(a.dtype == np.float32 for a in w)
    assert m.count_params() == 64 * 24 + 24 + 2 * 24 + 24 * 10 + 10
    assert [len(layer.get_weights()) for layer in m.layers] == [0, 0, 2, 4, 0, 2]


# ------------------------------------------------------------------------------ defaults

def test_keras_defaults():
    d = Dense(10)
    assert (d.activation, d.use_bias, d.kernel_initializer.name, d.bias_initializer.name,
            d.kernel_regularizer) == ("linear", True, "glorot_uniform", "zeros", None)
    bn = BatchNormalization()
    assert (bn.momentum, bn.epsilon) == (0.99, 0.001)
    assert optimizers.Adam().get_config() == {"class_name": "Adam", "learning_rate": 0.001,
                                              "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-7}
    assert optimizers.Nadam().learning_rate == 0.001
    assert (optimizers.SGD().learning_rate, optimizers.SGD().momentum,
            optimizers.SGD().nesterov) == (0.01, 0.0, False)
    assert (optimizers.RMSprop().learning_rate, optimizers.RMSprop().rho) == (0.001, 0.9)
    # the library's own defaults are Keras' too: the objects map onto them unchanged
    lib = simdnn._lib.lib
    for kind, opt in enumerate((optimizers.SGD(), optimizers.Adam(), optimizers.Nadam(),
                                optimizers.RMSprop())):
        ours, theirs = opt._options(), lib.sdn_optimizer_defaults(kind)
        for field, _ in simdnn._lib.sdn_optimizer_options._fields_:
            assert getattr(ours, field) == getattr(theirs, field), (type(opt), field)
    es = cb.EarlyStopping()
    assert (es.monitor, es.patience, es.min_delta, es.restore_best_weights) == (
        "val_loss", 0, 0.0, False)
    rp = cb.ReduceLROnPlateau()
    assert (rp.monitor, rp.factor, rp.patience, rp.min_delta, rp.cooldown, rp.min_lr) == (
        "val_loss", 0.1, 10, 1e-4, 0, 0.0)
    assert simdnn.Sequential().seed == 42  # the CLI's --seed


def test_fit_defaults_and_early_stopping_patience_zero(data):
    x, y = data
    m = small_model(norm=False)
    h = m.fit(x, y, verbose=0)  # epochs=1, batch_size=32, no validation
    assert h.params["epochs"] == 1 and h.params["steps"] == 22
    assert list(h.history) == ["loss", "accuracy"]
    # Keras' patience 0 stops at the first epoch without improvement (the library's 0 is "off")
    m = small_model(norm=False)
    m.compile(optimizer=optimizers.SGD(learning_rate=1e-9), loss=SCC)
    h = m.fit(x, y, epochs=10, validation_split=0.1, verbose=0,
              callbacks=[cb.EarlyStopping(monitor="val_loss", patience=0, min_delta=1)])
    assert h.stop_reason == "early_stopping" and len(h.epoch) == 2
    assert list(h.history) == ["loss", "val_loss"]  # no metrics asked


# --------------------------------------------------------------------- arrays and errors

def test_float32_rows_train_as_the_pixels_do(data):
    """float32 x/255 goes in as it is and trains the same bits as the uint8 pixels."""
    x, y = data
    a, b = small_model(norm=False), small_model(norm=False)
    a.fit(x, y, epochs=2, validation_split=0.1, verbose=0)
    xf = x.astype(np.float32) * np.float32(1 / 255)
    b.fit(xf, y, epochs=2, validation_split=0.1, verbose=0)
    assert same_bits(a.get_weights(), b.get_weights())
    assert np.array_equal(a.predict(x), b.predict(xf))
    # validation_data gives what validation_split gives when it holds the same rows
    c = small_model(norm=False)
    c.fit(xf[:630], y[:630], epochs=2, validation_data=(xf[630:], y[630:]), verbose=0)
    assert same_bits(a.get_weights(), c.get_weights())


def test_bad_arrays_are_clear_errors(data):
    x, y = data
    m = small_model()
    with pytest.raises(RuntimeError, match="compile"):
        simdnn.Sequential([Flatten(), Dense(10, "softmax")]).fit(x, y)
    with pytest.raises(TypeError, match="float64.*astype"):
        m.fit(x.astype(np.float64), y)
    with pytest.raises(TypeError, match="NumPy array"):
        m.fit(x.tolist(), y)
    with pytest.raises(ValueError, match="C-contiguous"):
        m.fit(x.transpose(0, 2, 1), y)
    with pytest.raises(TypeError, match="integer class labels"):
        m.fit(x, y.astype(np.float32))
    with pytest.raises(ValueError, match=r"labels in \[1, 12\].*10 classes"):
        m.fit(x, np.where(y == 0, 12, y))
    with pytest.raises(ValueError, match="700 samples"):
        m.fit(x, y[:5])
    with pytest.raises(ValueError, match="Normalization.*float32"):
        m.fit(x.astype(np.float32), y)
    m.fit(x, y, verbose=0)
    with pytest.raises(ValueError, match="Normalization.*float32"):
        m.predict(x.astype(np.float32))
    with pytest.raises(ValueError, match="64 features"):
        m.predict(np.zeros((3, 65), np.uint8))
    with pytest.raises(ValueError, match="Flatten"):
        s = simdnn.Sequential([Dense(10, "softmax")])
        s.predict(np.zeros((2, 4, 4), np.float32))


def test_library_errors_are_exceptions_with_its_message(tmp_path):
    x = np.zeros((2, 4), np.float32)
    with pytest.raises(simdnn.InvalidArgumentError, match=r"rate must be in \[0, 1\)") as e:
        simdnn.Sequential([Flatten(), Dropout(1.5), Dense(3, "softmax")]).predict(x)
    assert isinstance(e.value, ValueError) and e.value.status == 1
    with pytest.raises(simdnn.InvalidArgumentError, match="softmax"):
        simdnn.Sequential([Flatten(), Dense(3)]).predict(x)
    with pytest.raises(simdnn.NumericError, match="row 1, column 2 is NaN"):
        y = x.copy()
        y[1, 2] = np.nan
        simdnn.Sequential([Flatten(), Dense(3, "softmax")]).predict(y)
    bad = tmp_path / "bad.safetensors"
    bad.write_bytes(b"\x05\x00")
    with pytest.raises(simdnn.FormatError, match="bad.safetensors: truncated"):
        simdnn.load_model(bad)
    with pytest.raises(simdnn.LibraryIOError, match="missing"):
        simdnn.load_model(tmp_path / "missing.safetensors")
    with pytest.raises(simdnn.LibraryIOError):
        simdnn.datasets.cifar10.load_data(str(tmp_path / "nothing"))


# ------------------------------------------------------------------ callbacks, Ctrl-C

def test_ctrl_c_stops_after_the_batch(data):
    x, y = data

    class CtrlC(cb.Callback):
        def on_train_batch_end(self, batch, logs=None):
            if len(self.model.history.epoch) == 1 and batch == 2:
                os.kill(os.getpid(), signal.SIGINT)

    m = small_model()
    with pytest.raises(KeyboardInterrupt, match="interrupted at epoch 2, batch 3/20"):
        m.fit(x, y, epochs=5, validation_split=0.1, verbose=0, callbacks=[CtrlC()])
    assert m.history.epoch == [0] and m.history.stop_reason == "interrupted"
    assert simdnn._lib.lib.sdn_model_step(m._handle) == 20 + 3
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    m.predict(x[:3])  # still usable


def test_callbacks_see_epochs_and_may_stop_or_raise(data):
    x, y = data
    seen = []

    class Log(cb.Callback):
        def on_train_begin(self, logs=None):
            seen.append("begin")

        def on_epoch_end(self, epoch, logs=None):
            seen.append((epoch, sorted(logs)))
            if epoch == 1:
                self.model.stop_training = True

        def on_train_end(self, logs=None):
            seen.append("end")

    m = small_model()
    h = m.fit(x, y, epochs=5, validation_split=0.1, verbose=0, callbacks=[Log()])
    keys = ["accuracy", "loss", "val_accuracy", "val_loss"]
    assert seen == ["begin", (0, keys), (1, keys), "end"]
    assert h.stop_reason == "stop_training" and len(h.epoch) == 2

    class Boom(cb.Callback):
        def on_train_batch_end(self, batch, logs=None):
            if batch == 4:
                raise ZeroDivisionError("from a callback")

    with pytest.raises(ZeroDivisionError, match="from a callback"):
        m.fit(x, y, epochs=2, verbose=0, callbacks=[Boom()])


def test_schedules_set_every_step(data):
    x, y = data
    steps = 20  # 630 rows of 32
    sched = optimizers.schedules.ExponentialDecay(0.01, decay_steps=7, decay_rate=0.5)
    m = small_model()
    m.compile(optimizer=optimizers.Adam(learning_rate=sched), loss=SCC, metrics=["accuracy"])
    h = m.fit(x, y, epochs=3, validation_split=0.1, verbose=0)
    # an epoch's row holds the rate of its last step
    assert h.history["learning_rate"] == [sched(steps * (e + 1) - 1) for e in range(3)]
    m = small_model()
    h = m.fit(x, y, epochs=3, validation_split=0.1, verbose=0,
              callbacks=[cb.LearningRateScheduler(lambda epoch, lr: 0.001 * 0.5 ** epoch)])
    assert np.allclose(h.history["learning_rate"], [0.001, 0.0005, 0.00025])
    m = small_model()
    m.compile(optimizer=optimizers.SGD(learning_rate=1e-9), loss=SCC, metrics=["accuracy"])
    h = m.fit(x, y, epochs=4, validation_split=0.1, verbose=0,
              callbacks=[cb.ReduceLROnPlateau(monitor="val_loss", factor=0.5, patience=1,
                                              min_delta=10)])
    assert h.history["learning_rate"][-1] < 1e-9
    with pytest.raises(ValueError, match="one learning-rate schedule"):
        m.compile(optimizer=optimizers.Adam(learning_rate=sched), loss=SCC)
        m.fit(x, y, verbose=0, callbacks=[cb.ReduceLROnPlateau()])
    with pytest.raises(ValueError, match="monitor different"):
        m.fit(x, y, verbose=0, validation_split=0.1,
              callbacks=[cb.EarlyStopping("val_loss"), cb.ReduceLROnPlateau("val_accuracy")])


# ------------------------------------------------------------------------- files, weights

def test_save_load_and_continue_training(data, tmp_path):
    x, y = data
    m = small_model()
    m.fit(x, y, epochs=2, validation_split=0.1, verbose=0)
    path = tmp_path / "m.safetensors"
    m.save(path)
    back = simdnn.load_model(path)
    assert same_bits(m.get_weights(), back.get_weights())
    assert np.array_equal(m.predict(x), back.predict(x))
    assert back.optimizer.get_config() == m.optimizer.get_config()
    assert [type(a) for a in back.layers] == [type(a) for a in m.layers]
    # optimizer slots and step restored: one more epoch on each gives the same bits
    m.fit(x, y, epochs=1, validation_split=0.1, verbose=0)
    back.fit(x, y, epochs=1, validation_split=0.1, verbose=0)
    assert same_bits(m.get_weights(), back.get_weights())


def test_set_weights_and_rebuild_keep_weights(data):
    x, y = data
    m = small_model()
    m.fit(x, y, epochs=1, verbose=0)
    w = m.get_weights()
    w[0][:] = 0.5
    m.set_weights(w)
    assert (m.get_weights()[0] == 0.5).all()
    m.layers[2].set_weights([np.ones((64, 24), np.float32), np.zeros(24, np.float32)])
    assert (m.layers[2].get_weights()[0] == 1).all()
    with pytest.raises(ValueError, match="shape"):
        m.set_weights([np.zeros((2, 2))] + w[1:])
    before = m.get_weights()
    m.build((8, 8), max_batch=128)  # a new C model: every weight copied over
    assert m._max_batch == 128 and same_bits(before, m.get_weights())
    m.fit(x, y, epochs=1, batch_size=256, verbose=0)  # outgrows it: rebuilt again
    assert m._max_batch == 256


def test_max_batch_does_not_change_the_bits(data):
    """A model built for bigger batches trains and predicts the same bits (a CLI model file is
    opened with max_batch 256)."""
    x, y = data
    a, b = small_model(), small_model()
    b.build((8, 8), max_batch=256)
    a.fit(x, y, epochs=2, validation_split=0.1, verbose=0)
    b.fit(x, y, epochs=2, validation_split=0.1, verbose=0)
    assert b._max_batch == 256 and same_bits(a.get_weights(), b.get_weights())
    assert np.array_equal(a.predict(x, mc_samples=3), b.predict(x, mc_samples=3))


def test_summary_and_profile(data, capsys):
    x, y = data
    m = small_model()
    m.fit(x, y, epochs=1, verbose=0)
    m.summary()
    out = capsys.readouterr().out
    assert "dense_0 (Dense)" in out and "Trainable params" in out
    with simdnn.profile(wait=0, warmup=0, active=3) as prof:
        p = m.predict(x[:100])
    assert prof.recorded_flops > 0
    assert np.array_equal(p, m.predict(x[:100]))  # bitwise the same under the profiler
    with pytest.raises(simdnn.StateError):
        with simdnn.profile():
            with simdnn.profile():
                pass


# ------------------------------------------------------------------------------- threads

def test_predict_from_two_threads_on_one_model(data, tmp_path):
    x, y = data
    trained = small_model(norm=False)  # float32 rows too
    trained.fit(x, y, epochs=1, verbose=0)
    want_u8 = trained.predict(x)
    xf = np.ascontiguousarray(x[:300].astype(np.float32) / 255)
    want_f = trained.predict(xf)
    trained.save(tmp_path / "m.safetensors")
    m = simdnn.load_model(tmp_path / "m.safetensors")  # its first predicts race too
    bad, start = [], threading.Barrier(2)

    def work(k):
        start.wait()  # both begin together: their calls overlap
        for _ in range(15):
            if not np.array_equal(m.predict(x), want_u8) or \
                    not np.array_equal(m.predict(xf, batch_size=37), want_f):
                bad.append(k)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not bad
