"""python/examples/exercise_8.py against `simdnn exercise` on the same data and flags: the same
table (the time columns aside), the same MC Dropout figures, and bitwise the same models."""
import os
import re
import subprocess
import sys

import numpy as np

import simdnn
from conftest import write_cifar

EXAMPLE = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "examples",
                       "exercise_8.py")
FLAGS = ["--epochs", "2", "--mc-samples", "3", "--patience", "1", "--seed", "11"]


def table(text):
    """The table's rows without the s/epoch and total time columns."""
    rows = [line.split("|") for line in text.splitlines() if line.startswith("| 8")]
    return [[c.strip() for i, c in enumerate(r) if i not in (7, 8)] for r in rows]


def test_example_reproduces_the_cli_exercise(cli, tmp_path):
    data = str(tmp_path / "data")
    write_cifar(data, per_batch=100, n_test=80)
    threads = ["--threads", str(simdnn.num_threads())]
    cli_out = str(tmp_path / "cli")
    r = subprocess.run([cli, "exercise", "--data", data, "--out", cli_out, "--progress", "quiet"]
                       + FLAGS + threads, check=True, capture_output=True, text=True)
    cli_mc = re.search(r"val accuracy .* predicted class [0-9.]+", r.stderr).group(0)
    with open(os.path.join(cli_out, "report.md")) as f:
        want = table(f.read())
    py_out = str(tmp_path / "py")
    env = dict(os.environ, PYTHONPATH=os.path.dirname(os.path.dirname(simdnn.__file__)))
    r = subprocess.run([sys.executable, EXAMPLE, "--data", data, "--out", py_out, "--verbose",
                        "0"] + FLAGS + threads, check=True, capture_output=True, text=True,
                       env=env)
    got = table(r.stdout)
    assert len(want) == 5 and got == want
    assert cli_mc in r.stderr  # the CLI's line, its figures to 4 decimals
    for run in ("8b-elu-he", "8c-batchnorm", "8d-selu", "8e-alpha-dropout"):
        a = simdnn.load_model(os.path.join(cli_out, run, "model.safetensors"))
        b = simdnn.load_model(os.path.join(py_out, run + ".safetensors"))
        for p, q in zip(a.get_weights(), b.get_weights()):
            assert np.array_equal(p.view(np.uint32), q.view(np.uint32)), run
