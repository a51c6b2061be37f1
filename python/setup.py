"""Packages python/simdnn with the library beside it when one is at hand, so the installed package
needs nothing else: $SIMDNN_LIBRARY, else the checkout's build/libsimdnn.so, else (with
SIMDNN_BUILD_LIBRARY=1) one built here with CMake's release preset. Without any, the package looks
for the library when imported (simdnn/_lib.py). The package itself is pure Python."""
import os
import shutil
import subprocess

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.dirname(HERE)


def library():
    named = os.environ.get("SIMDNN_LIBRARY")
    if named:
        return named
    built = os.path.join(SOURCE, "build", "libsimdnn.so")
    if os.environ.get("SIMDNN_BUILD_LIBRARY") == "1":
        subprocess.run(["cmake", "--preset", "release"], cwd=SOURCE, check=True)
        subprocess.run(["cmake", "--build", "--preset", "release", "-j2", "--target",
                        "simdnn_shared"], cwd=SOURCE, check=True)
    return built if os.path.exists(built) else None


class BuildPy(build_py):
    def run(self):
        super().run()
        target = os.path.join(self.build_lib, "simdnn")
        lib = library()
        if lib:  # the real file, not the symlink chain of the build folder
            shutil.copyfile(os.path.realpath(lib), os.path.join(target, "libsimdnn.so"))
            print(f"simdnn: packaged {os.path.realpath(lib)}")
        else:
            print("simdnn: no libsimdnn.so packaged; the package will look for it at import")
        # where build_library() builds when the installed package is asked to
        with open(os.path.join(target, "_source.py"), "w") as f:
            f.write(f"SOURCE = {SOURCE!r}\n")


setup(cmdclass={"build_py": BuildPy})
