"""The ctypes structs (simdnn/_lib.py) against the headers: a C program compiled here prints
every struct's size and every field's offset."""
import ctypes
import os
import shutil
import subprocess

import pytest

import simdnn
from simdnn import _lib

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_structs_match_the_headers(tmp_path):
    cc = shutil.which("cc") or shutil.which("gcc")
    version_h = os.path.join(os.path.dirname(simdnn.library_path), "include")
    if not cc or not os.path.exists(os.path.join(version_h, "simdnn_version.h")):
        pytest.skip("needs a C compiler and the build folder's include/simdnn_version.h")
    lines, want = [], []
    for s in _lib.STRUCTS:
        name = s.__name__
        lines.append(f'printf("%zu\\n", sizeof({name}));')
        want.append(ctypes.sizeof(s))
        for field in s._fields_:
            lines.append(f'printf("%zu\\n", offsetof({name}, {field[0]}));')
            want.append(getattr(s, field[0]).offset)
    src = tmp_path / "layout.c"
    src.write_text("#include <stddef.h>\n#include <stdio.h>\n#include \"simdnn.h\"\n"
                   "#include \"simdnn_data.h\"\n#include \"simdnn_fit.h\"\n"
                   "#include \"simdnn_io.h\"\n#include \"simdnn_profile.h\"\n"
                   "int main(void) {\n" + "\n".join(lines) + "\nreturn 0;\n}\n")
    exe = tmp_path / "layout"
    subprocess.run([cc, "-std=c11", "-I", os.path.join(ROOT, "include"), "-I", version_h,
                    str(src), "-o", str(exe)], check=True)
    got = [int(v) for v in subprocess.run([str(exe)], check=True, capture_output=True,
                                          text=True).stdout.split()]
    names = [f"sizeof {s.__name__}" if i == 0 else f"{s.__name__}.{f[0]}"
             for s in _lib.STRUCTS for i, f in enumerate([None] + list(s._fields_))]
    bad = [f"{n}: C {g}, ctypes {w}" for n, g, w in zip(names, got, want) if g != w]
    assert not bad, "\n".join(bad)
