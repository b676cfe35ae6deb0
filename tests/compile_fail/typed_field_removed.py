#!/usr/bin/env python3
"""A field removed on the server is a compile error, not a run-time surprise.

    typed_field_removed.py TYPEGEN SCHEMA WORKDIR CXX [compiler flags...]

Generates the header from SCHEMA and compiles typed_field_removed.cpp against it (it must
compile), then removes the field `title` of `typed_all` from the schema, regenerates, and
compiles again: that must fail, with the compiler naming `title`.
"""
import json
import pathlib
import subprocess
import sys

tool, schema, work, cxx, *flags = sys.argv[1:]
work = pathlib.Path(work)
work.mkdir(parents=True, exist_ok=True)
source = pathlib.Path(__file__).with_suffix(".cpp")
header = work / "typed_field_removed_types.hpp"


def generate(schema_path):
    subprocess.run([tool, "--schema", str(schema_path), "--namespace", "typed_test", "--out", str(header)], check=True)


def compile_source():
    return subprocess.run([cxx, *flags, "-I", str(work), "-fsyntax-only", str(source)], capture_output=True, text=True)


generate(schema)
first = compile_source()
if first.returncode != 0:
    sys.exit("with the full schema the program does not compile:\n" + first.stderr)

collections = json.loads(pathlib.Path(schema).read_text())
for c in collections:
    if c["name"] == "typed_all":
        c["fields"] = [f for f in c["fields"] if f["name"] != "title"]
reduced = work / "schema_without_title.json"
reduced.write_text(json.dumps(collections))
generate(reduced)
second = compile_source()
if second.returncode == 0:
    sys.exit("the program still compiles after the field was removed")
if "title" not in second.stderr:
    sys.exit("it failed for another reason:\n" + second.stderr)
print("field removed: the code that used it does not compile")
