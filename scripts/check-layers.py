#!/usr/bin/env python3
"""The layering of src/, checked: files stand on levels (LEVELS below, from the ground up, as
src/README.md draws them); a file may use its own level and those below, never one above, and no
files may use each other in a circle. "Uses" is an #include, or (with the build's objects) a call
to a function another file defines, read from the object files with nm.

    scripts/check-layers.py [--objects DIR] [--print]

--objects DIR: the build's object files of the library (default: build/CMakeFiles/simdnn_objects.dir
when it exists; without objects only includes are checked). --print lists every file's level and
uses. Exit 1 naming each upward use and each circle."""
import argparse
import fnmatch
import os
import re
import subprocess
import sys

# From the ground up; the first pattern that matches a path (relative to src/) gives its level.
LEVELS = [
    ("base", ["error.*", "names.c", "rng.*", "barrier.h", "threads.c", "testhooks*", "version.c",
              "init.*", "dispatch_api.c", "activation_api.c", "thread_*", "platform/*"]),
    ("kernels", ["gemm/*", "optim/*", "data/*", "profile/*"]),
    ("layers", ["layers/*"]),
    ("model", ["model.h", "model_*.c", "dist/*"]),
    ("storage", ["io/*"]),
    ("training", ["train/*"]),
]

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SRC = os.path.join(ROOT, "src")
INCLUDE_DIRS = [SRC, os.path.join(ROOT, "simd"), os.path.join(ROOT, "include")]


def level_of(rel):
    for i, (_, patterns) in enumerate(LEVELS):
        if any(fnmatch.fnmatch(rel, p) for p in patterns):
            return i
    return None


def source_files():
    out = []
    for d, _, names in os.walk(SRC):
        for n in names:
            if n.endswith((".c", ".h")):
                out.append(os.path.relpath(os.path.join(d, n), SRC))
    return sorted(out)


def includes(rel):
    """The files of src/ that rel includes (headers outside src/ are below every level)."""
    found = []
    with open(os.path.join(SRC, rel), encoding="utf-8") as f:
        for line in f:
            m = re.match(r'\s*#\s*include\s+"([^"]+)"', line)
            if not m:
                continue
            for base in [os.path.dirname(os.path.join(SRC, rel))] + INCLUDE_DIRS:
                path = os.path.normpath(os.path.join(base, m.group(1)))
                if os.path.exists(path):
                    if path.startswith(SRC + os.sep):
                        found.append(os.path.relpath(path, SRC))
                    break
    return found


def calls(objects):
    """file -> files whose functions it calls, from the objects' defined and undefined symbols."""
    defined, undefined = {}, {}
    for d, _, names in os.walk(objects):
        for n in names:
            if not n.endswith(".o"):
                continue
            obj = os.path.join(d, n)
            rel = os.path.relpath(obj, objects)
            if not rel.startswith("src" + os.sep):
                continue
            src = rel[len("src" + os.sep):-len(".o")]  # src/x/y.c.o -> x/y.c
            if not os.path.exists(os.path.join(SRC, src)):
                continue  # an object left behind by a file since moved
            out = subprocess.run(["nm", obj], capture_output=True, text=True, check=True).stdout
            for line in out.splitlines():
                parts = line.split()
                if len(parts) == 2 and parts[0] == "U":
                    undefined.setdefault(src, set()).add(parts[1])
                elif len(parts) == 3 and parts[1] in "TDBR":
                    defined[parts[2]] = src
    return {f: {defined[s] for s in syms if s in defined and defined[s] != f}
            for f, syms in undefined.items()}


def circles(graph):
    """Strongly connected components of more than one file (Tarjan)."""
    index, low, stack, on, out, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    sys.setrecursionlimit(10000)
    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default_objects = os.path.join(ROOT, "build", "CMakeFiles", "simdnn_objects.dir")
    ap.add_argument("--objects", default=default_objects if os.path.isdir(default_objects) else None)
    ap.add_argument("--print", action="store_true")
    args = ap.parse_args()
    files = source_files()
    bad = [f for f in files if level_of(f) is None]
    for f in bad:
        print(f"check-layers: src/{f} stands on no level (add it to LEVELS)")
    uses = {f: {(g, "includes") for g in includes(f)} for f in files}
    if args.objects:
        for f, targets in calls(args.objects).items():
            uses.setdefault(f, set()).update((g, "calls") for g in targets)
    # a header and its source are one room: src/x.h used by y means x.c's level applies too
    graph = {}
    for f, targets in uses.items():
        for g, how in sorted(targets):
            lf, lg = level_of(f), level_of(g)
            if lf is not None and lg is not None and lg > lf:
                print(f"check-layers: src/{f} ({LEVELS[lf][0]}) {how} src/{g} "
                      f"({LEVELS[lg][0]}), a level above it")
                bad.append(f)
            if args.print:
                print(f"{LEVELS[lf][0] if lf is not None else '?':9} src/{f} {how} src/{g}")
            graph.setdefault(os.path.splitext(f)[0], set()).add(os.path.splitext(g)[0])
    for comp in circles(graph):
        print("check-layers: a circle: " + " -> ".join(comp) + " -> " + comp[0])
        bad.append(comp[0])
    checked = "includes and calls" if args.objects else "includes (no objects: calls unchecked)"
    if bad:
        return 1
    print(f"check-layers: OK, {len(files)} files of src/ on {len(LEVELS)} levels ({checked})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
