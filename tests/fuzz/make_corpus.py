#!/usr/bin/env python3
"""Writes the small seed corpora of the libFuzzer targets into tests/fuzz/corpus/<target>/.

Deterministic (fixed seeds): rerunning gives the same files. Each seed is a valid input of its
surface (so the fuzzer starts past the first checks) plus a few classic near-misses.
Usage: tests/fuzz/make_corpus.py [out_dir]
"""
import gzip
import io
import json
import os
import random
import struct
import sys
import tarfile

OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "corpus")
rng = random.Random(13)


def put(target, name, data):
    d = os.path.join(OUT, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def safetensors(tensors, meta=None):
    """tensors: list of (name, shape, floats). The layout of sdn_safetensors_write."""
    header, blobs, off = {}, [], 0
    if meta:
        header["__metadata__"] = meta
    for name, shape, vals in tensors:
        blob = struct.pack("<%df" % len(vals), *vals)
        header[name] = {"dtype": "F32", "shape": list(shape), "data_offsets": [off, off + len(blob)]}
        blobs.append(blob)
        off += len(blob)
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * ((8 - (8 + len(h)) % 8) % 8)
    return struct.pack("<Q", len(h)) + h + b"".join(blobs)


def floats(n):
    return [round(rng.uniform(-1, 1), 3) for _ in range(n)]


# ---- a tiny simdnn network: Flatten -> 1 x Dense(2) -> Dense(2, softmax) on 3 inputs
def net_meta(hidden=1, units=2, inputs=3, classes=2, bn=0, dropout=0.0, opt="nadam"):
    return {
        "format": "pt", "simdnn.version": "1",
        "simdnn.input_size": str(inputs), "simdnn.classes": str(classes),
        "simdnn.hidden_layers": str(hidden), "simdnn.units": str(units),
        "simdnn.activation": "elu", "simdnn.activation_alpha": "0", "simdnn.init": "he_normal",
        "simdnn.batch_norm": str(bn), "simdnn.dropout": str(dropout), "simdnn.alpha_dropout": "0",
        "simdnn.l1": "0", "simdnn.l2": "0", "simdnn.seed": "42", "simdnn.optimizer": opt,
        "simdnn.optimizer_options": "lr=0.001 momentum=0 nesterov=0 beta1=0.9 beta2=0.999 "
                                    "rho=0.9 epsilon=1e-07 clip_norm=0",
    }


def net_tensors(hidden=1, units=2, inputs=3, classes=2, with_opt=True):
    params, n_in = [], inputs
    for i in range(hidden):
        params += [("dense_%d.kernel" % i, (n_in, units)), ("dense_%d.bias" % i, (units,))]
        n_in = units
    params += [("dense_%d.kernel" % hidden, (n_in, classes)), ("dense_%d.bias" % hidden, (classes,))]
    out = [(n, s, floats(s[0] * (s[1] if len(s) > 1 else 1))) for n, s in params]
    if with_opt:
        for slot in "mv":
            out += [("optimizer.%s.%s" % (slot, n), s, [0.0] * (s[0] * (s[1] if len(s) > 1 else 1)))
                    for n, s in params]
    return out


def fit_meta(epochs=2):
    rows = "".join("%d,%.17g,%.17g,%.17g,%.17g,%.9g,%.9g;" % (e, 2.3 - 0.1 * e, 0.1 * e, 2.2, 0.2, 1.5,
                                                                 0.001) for e in range(1, epochs + 1))
    return {"fit.epochs_done": str(epochs), "fit.best_epoch": str(epochs), "fit.best_value": "2.2",
            "fit.best_val_loss": "2.2", "fit.best_val_accuracy": "0.2", "fit.wait": "0",
            "fit.monitor": "val_loss", "fit.train_seconds": "3.000000 0.500000 128",
            "fit.history": rows, "fit.step": "8", "simdnn.epoch": str(epochs)}


model = safetensors(net_tensors(with_opt=False), net_meta())
ckpt_meta = dict(net_meta(), **fit_meta())
ckpt = safetensors(net_tensors() + [("fit.best_state", (17,), floats(17))], ckpt_meta)
put("safetensors", "model", model)
put("safetensors", "checkpoint", ckpt)
put("safetensors", "empty-object", struct.pack("<Q", 2) + b"{}")
put("safetensors", "only-metadata", safetensors([], {"k": "v\\u00e9\\n"}))
put("safetensors", "rank4", safetensors([("t", (1, 2, 1, 2), floats(4)), ("z", (0,), [])]))
put("safetensors", "huge-length", struct.pack("<Q", 1 << 62) + b"{}")
put("model_file", "model", model)
put("model_file", "checkpoint", ckpt)
put("model_file", "sgd-dropout", safetensors(
    net_tensors(with_opt=False), net_meta(dropout=0.5, opt="sgd")))

# ---- fit state: one line per fit.* key (see fuzz_fit_state.c); byte 0 = tensor length | count << 3
fm = fit_meta(3)
keys = ["fit.epochs_done", "fit.best_epoch", "fit.best_value", "fit.best_val_loss",
        "fit.best_val_accuracy", "fit.wait", "fit.monitor", "fit.train_seconds", "fit.history"]
put("fit_state", "three-epochs", bytes([5 | 5 << 3]) + "\n".join(fm[k] for k in keys).encode())
put("fit_state", "no-history", bytes([0]) + b"0\n0\nnan\nnan\nnan\n0\nval_accuracy\n0 0 0\n")
put("fit_state", "missing-keys", bytes([1]) + b"1\n1\n0.5")

# ---- CIFAR-10: byte 0 = mode (0 archive/test, 1 archive/train+test, 2 folder/test_batch.bin)
def cifar_records(n):
    return b"".join(bytes([rng.randrange(10)]) + bytes(rng.randrange(256) for _ in range(3072))
                    for _ in range(n))


def tar_of(files, gz):
    bio = io.BytesIO()
    with tarfile.open(fileobj=bio, mode="w:gz" if gz else "w", format=tarfile.USTAR_FORMAT) as t:
        for name, data in files:
            info = tarfile.TarInfo("cifar-10-batches-bin/" + name)
            info.size, info.mtime = len(data), 0
            t.addfile(info, io.BytesIO(data))
    data = bio.getvalue()
    if gz:  # a fixed gzip header time, so the seed is reproducible
        data = gzip.compress(gzip.decompress(data), mtime=0)
    return data


one = cifar_records(1)
put("cifar10", "folder-one-record", bytes([2]) + one)
put("cifar10", "folder-truncated", bytes([2]) + one[:-7])
put("cifar10", "tar-test", bytes([0]) + tar_of([("test_batch.bin", one)], False))
put("cifar10", "targz-test", bytes([0]) + tar_of([("test_batch.bin", one)], True))
allf = [("data_batch_%d.bin" % i, bytes([i]) + bytes(3072)) for i in range(1, 6)]
put("cifar10", "targz-all", bytes([1]) + tar_of(allf + [("test_batch.bin", one)], True))

# ---- IDX: bytes 0-1 = label file length (big-endian), then the label file, then the image file
def idx_pair(n, rows, cols, gz=False):
    lab = struct.pack(">II", 0x801, n) + bytes(rng.randrange(10) for _ in range(n))
    img = struct.pack(">IIII", 0x803, n, rows, cols) + bytes(rng.randrange(256)
                                                            for _ in range(n * rows * cols))
    if gz:
        lab, img = gzip.compress(lab, mtime=0), gzip.compress(img, mtime=0)
    return struct.pack(">H", len(lab)) + lab + img


put("idx", "plain-3x4x4", idx_pair(3, 4, 4))
put("idx", "gz-2x5x5", idx_pair(2, 5, 5, gz=True))
put("idx", "bad-count", idx_pair(2, 2, 2)[:-1])

# ---- CLI: byte 0 even = argv lines, odd = a stored "--name=value" list
put("cli_config", "preset", b"\0--preset\nbatchnorm\n--epochs=3\n--no-standardize\n--lr\n1e-3")
put("cli_config", "many", b"\0--layers=2\n--units\n7\n--activation=selu\n--init=lecun_normal\n"
    b"--optimizer=sgd\n--momentum=0.9\n--nesterov\n--dropout=0.2\n--monitor=val_accuracy\n"
    b"--batch-size=64\n--seed=18446744073709551615\n--progress=quiet\n--dataset=idx\n--data=d\n--out=o")
put("cli_config", "stored", b"\1--layers=20\n--units=100\n--activation=elu\n--activation-alpha=0\n"
    b"--init=he_normal\n--batch-norm=0\n--optimizer=nadam\n--lr=5e-05\n--epochs=100\n"
    b"--batch-size=32\n--patience=20\n--validation-split=0.1\n--seed=42\n--out=simdnn-run")
put("cli_config", "bad", b"\0--lr=-1\n--units=0x10\n--no-lr")
