#!/usr/bin/env python3
"""Generates the single-file headers from the parts in include/bosbase/.

    python3 scripts/amalgamate.py           # writes bosbase.hpp and single_include/bosbase/bosbase.hpp
    python3 scripts/amalgamate.py --check   # fails (exit 1) when either is stale

Every `#include "…"` of a part is replaced by the part itself, once, in the order
the umbrella include/bosbase/bosbase.hpp pulls the parts in; `#include <…>` lines
stay (a repeat of one that already came unconditionally is dropped). A part's
definitions (`X.ipp`, which `X.hpp` includes last under the IMPLEMENTATION guard) are
held back and written after every declaration, in one block under that guard, so a
TU built with BOSBASE_SEPARATE_COMPILATION sees declarations only. The two
outputs are the same bytes: the design card names both places, and
`#include <bosbase.hpp>` and `#include <bosbase/bosbase.hpp>` must both work when
one file is copied alone.
"""
import argparse
import pathlib
import re
import sys

REPO = pathlib.Path(__file__).resolve().parent.parent
PARTS = REPO / "include" / "bosbase"
UMBRELLA = PARTS / "bosbase.hpp"
OUTPUTS = [REPO / "bosbase.hpp", REPO / "single_include" / "bosbase" / "bosbase.hpp"]

QUOTED = re.compile(r'^\s*#\s*include\s+"([^"]+)"\s*$')
SYSTEM = re.compile(r"^\s*#\s*include\s+<([^>]+)>\s*$")
OPENS = re.compile(r"^\s*#\s*if(n?def)?\b")
DEFINITIONS_GUARD = "#if !defined(BOSBASE_SEPARATE_COMPILATION) || defined(BOSBASE_IMPLEMENTATION)"
CLOSES = re.compile(r"^\s*#\s*endif\b")


class Amalgamation:
    def __init__(self):
        self.done = set()  # parts already inlined
        self.system = set()  # <headers> already included unconditionally
        self.out = []
        self.conditions = []  # the #if lines (not include guards) around the current line
        self.deferred = []  # (conditions, path) of each part's definitions, in order

    def inline(self, path, unconditional):
        path = path.resolve()
        if path in self.done:
            return
        self.done.add(path)
        lines = path.read_text(encoding="utf-8").split("\n")
        if lines and lines[-1] == "":
            lines.pop()
        relative = path.relative_to(PARTS.parent).as_posix()
        is_umbrella = path == UMBRELLA
        depth = 0  # preprocessor nesting inside this file; 1 = inside its include guard
        skip = 0
        for number, line in enumerate(lines):
            if skip:
                skip -= 1
                continue
            # `#if <guard>` / `#include "X.ipp"` / `#endif`: the definitions come at the end.
            if line == DEFINITIONS_GUARD and number + 2 < len(lines) and CLOSES.match(lines[number + 2]):
                ipp = QUOTED.match(lines[number + 1])
                if ipp and ipp.group(1).endswith(".ipp"):
                    self.deferred.append((list(self.conditions), (path.parent / ipp.group(1)).resolve()))
                    skip = 2
                    continue
            if is_umbrella and depth == 1 and CLOSES.match(line):
                self.write_definitions()
            # A part's own two header lines become one marker; the umbrella keeps its banner.
            if not is_umbrella and number == 0 and line.startswith("// bosbase-cpp: "):
                self.out.append("// ---- " + relative + ": " + line[len("// bosbase-cpp: "):])
                continue
            if not is_umbrella and number == 1 and line.startswith("// SPDX-License-Identifier:"):
                continue
            quoted = QUOTED.match(line)
            if quoted:
                target = (path.parent / quoted.group(1)).resolve()
                if not target.is_file() or PARTS.resolve() not in target.parents:
                    sys.exit(f"amalgamate: {relative}: #include \"{quoted.group(1)}\" is not a part under include/bosbase/")
                self.inline(target, unconditional and depth <= 1)
                continue
            system = SYSTEM.match(line)
            if system:
                header = system.group(1)
                if header in self.system:
                    continue
                if unconditional and depth <= 1:
                    self.system.add(header)
            if OPENS.match(line):
                depth += 1
                if depth > 1:
                    self.conditions.append(line)
            elif CLOSES.match(line):
                if depth > 1:
                    self.conditions.pop()
                depth -= 1
            self.out.append(line)
        if depth != 0:
            sys.exit(f"amalgamate: {relative}: unbalanced #if/#endif")


    def write_definitions(self):
        self.out += ["", "// ==== definitions: compiled in every TU (header-only), or with BOSBASE_SEPARATE_COMPILATION",
                     "// only where BOSBASE_IMPLEMENTATION is defined ====", DEFINITIONS_GUARD]
        for conditions, path in self.deferred:
            self.out += conditions
            saved = self.conditions
            self.conditions = list(conditions)
            self.inline(path, False)
            self.conditions = saved
            self.out += ["#endif"] * len(conditions)
        self.out += ["#endif  // definitions", ""]


def generate():
    version = re.search(r'#define BOSBASE_VERSION "([^"]+)"', (PARTS / "version.hpp").read_text()).group(1)
    a = Amalgamation()
    a.inline(UMBRELLA, True)
    banner = [
        "// GENERATED by scripts/amalgamate.py from include/bosbase/ - DO NOT EDIT; edit the parts there.",
        f"// bosbase-cpp {version}: header-only C++17 client SDK for BosBase",
    ]
    text = "\n".join(banner + a.out) + "\n"
    # Blank-line runs left where includes were dropped.
    return re.sub(r"\n{3,}", "\n\n", text)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="fail when a generated file is stale")
    args = parser.parse_args()
    text = generate()
    stale = []
    for out in OUTPUTS:
        current = out.read_text(encoding="utf-8") if out.exists() else None
        if current == text:
            continue
        if args.check:
            stale.append(out.relative_to(REPO).as_posix())
        else:
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_text(text, encoding="utf-8")
            print(f"amalgamate: wrote {out.relative_to(REPO).as_posix()}")
    if stale:
        print(
            "amalgamate: stale: " + ", ".join(stale) + " (the parts in include/bosbase/ changed); "
            "regenerate with: python3 scripts/amalgamate.py",
            file=sys.stderr,
        )
        return 1
    if args.check:
        print("amalgamate: bosbase.hpp and single_include/bosbase/bosbase.hpp are up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
