"""`python3 -m pip install --no-build-isolation ./python` installs the package (with the library
beside it), and a fresh virtual environment imports it from anywhere."""
import os
import shutil
import subprocess
import sys

import simdnn

PYTHON_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_pip_install_into_a_fresh_venv(tmp_path):
    # A copy of python/ so the build leaves nothing in the checkout; SIMDNN_LIBRARY names the
    # library to package (the copy has no build/ beside it)
    src = tmp_path / "src"
    shutil.copytree(PYTHON_DIR, src, ignore=shutil.ignore_patterns(
        "tests", "build", "*.egg-info", "__pycache__", "libsimdnn.so", "_source.py"))
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", str(venv)],
                   check=True)
    py = str(venv / "bin" / "python")
    env = dict(os.environ, SIMDNN_LIBRARY=simdnn.library_path, PIP_NO_INDEX="1")
    subprocess.run([py, "-m", "pip", "install", "--no-build-isolation", "--no-index", "-q",
                    str(src)], check=True, env=env, cwd=tmp_path)
    env.pop("SIMDNN_LIBRARY")
    env.pop("PYTHONPATH", None)
    out = subprocess.run([py, "-c", "import simdnn, numpy as np; "
                          "m = simdnn.Sequential([simdnn.layers.Flatten(), "
                          "simdnn.layers.Dense(3, 'softmax')]); "
                          "p = m.predict(np.zeros((2, 4), np.float32)); "
                          "print(simdnn.__file__); print(simdnn.library_path); print(p.shape)"],
                         check=True, capture_output=True, text=True, env=env,
                         cwd=tmp_path).stdout.split("\n")
    assert out[0].startswith(str(venv))
    assert out[1] == os.path.join(os.path.dirname(out[0]), "libsimdnn.so")
    assert out[2] == "(2, 3)"
