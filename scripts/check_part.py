#!/usr/bin/env python3
"""Checks that one part of the SDK compiles on its own: `check_part.py <compiler> <flags...> <part>`.

The check is `<compiler> -fsyntax-only <flags> <part>`. Its verdict depends only on the compiler and
on the preprocessed text, so a pass is remembered under a hash of both (the compiler's version
line, the flags, and `-E` output) in ${XDG_CACHE_HOME:-~/.cache}/bosbase-cpp/parts/: preprocessing
takes a tenth of the time of the check, and a second run of the suite re-checks only the parts
whose text (or whose includes) changed. Failures are never remembered. BOSBASE_NO_CCACHE=1 turns
the memory off, as it does ccache's.
"""
import hashlib
import os
import subprocess
import sys


def main() -> int:
    compiler, args = sys.argv[1], sys.argv[2:]
    check = [compiler, "-fsyntax-only", *args]
    if os.environ.get("BOSBASE_NO_CCACHE"):
        return subprocess.call(check)

    pre = subprocess.run([compiler, "-E", "-P", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if pre.returncode != 0:  # the check itself reports why
        return subprocess.call(check)
    version = subprocess.run([compiler, "--version"], stdout=subprocess.PIPE).stdout
    # The checkout's own path is left out, so every clone of the repository shares the memory.
    repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    key = hashlib.sha256()
    for piece in (version, "\0".join(check).replace(repo, "<repo>").encode(), pre.stdout):
        key.update(hashlib.sha256(piece).digest())
    cache = os.path.join(os.environ.get("XDG_CACHE_HOME", os.path.expanduser("~/.cache")), "bosbase-cpp", "parts")
    mark = os.path.join(cache, key.hexdigest())
    if os.path.exists(mark):
        print(f"{args[-1]}: compiled alone before with this exact text and compiler (cached pass)")
        return 0
    rc = subprocess.call(check)
    if rc == 0:
        os.makedirs(cache, exist_ok=True)
        with open(mark, "w", encoding="utf-8") as f:
            f.write(args[-1] + "\n")
    return rc


if __name__ == "__main__":
    sys.exit(main())
