#!/usr/bin/env python3
"""Runs the bosbase-cpp benchmarks and prints them as markdown tables.

scripts/bench.sh builds the programs and calls this; see README "Benchmarks".

Runtime: the canned server (bench_canned_server) runs on one core, each client
on the other (taskset), one client process at a time, clients alternating in
every round (the order reverses each round so drift hits all alike). Per run a
client prints CPU (user + sys) over its timed phase; per call figures are
medians over rounds, with min-max. The server counts the connections each run
opens. Callgrind then counts the instructions of the C++ clients' timed loops,
which, unlike CPU time, do not move with the machine's load. Compile cost: one
TU of the floor vs one including bosbase.hpp (and one built with
BOSBASE_SEPARATE_COMPILATION, which sees declarations only), compiled alternately, median compiler CPU time (user +
sys) of several compiles.

Figures only: nothing here passes or fails on timing.
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)


PIN = "split"  # set from --pin


def pin_prefix(role):
    """taskset prefix for role "server" or "client" (compiles run as clients)."""
    if PIN == "none" or not shutil.which("taskset") or (os.cpu_count() or 1) < 2:
        return []
    return ["taskset", "-c", "0" if PIN == "same" or role == "server" else "1"]


class CannedServer:
    def __init__(self, binary):
        self.proc = subprocess.Popen(pin_prefix("server") + [binary], stdout=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline().split()
        if len(line) != 2 or line[0] != "READY":
            raise RuntimeError("canned server did not start")
        self.url = "http://127.0.0.1:%s" % line[1]

    def stats(self):
        """Connections and requests since the last call (the call's own connection is not counted)."""
        with urllib.request.urlopen(self.url + "/__bench/stats", timeout=10) as r:
            return json.loads(r.read())

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=10)


class Client:
    def __init__(self, name, command, auth_calls, list_calls, note=""):
        self.name = name
        self.command = command  # argv before "<url> <op> <calls>"
        self.calls = {"auth": auth_calls, "list": list_calls}
        self.note = note
        self.runs = {"auth": [], "list": []}


def run_client(client, op, server):
    server.stats()  # reset the counters
    calls = client.calls[op]
    warmup = max(calls // 10, 50)
    argv = pin_prefix("client") + client.command + [server.url, op, str(calls), str(warmup)]
    out = subprocess.run(argv, capture_output=True, text=True, timeout=600)
    if out.returncode != 0:
        raise RuntimeError("%s %s failed (%d): %s" % (client.name, op, out.returncode, out.stderr.strip()))
    result = json.loads(out.stdout.strip().splitlines()[-1])
    result.update(server.stats())
    client.runs[op].append(result)


def per_call_us(runs, key="cpu_s"):
    return [r[key] / r["calls"] * 1e6 for r in runs]


def fmt_us(values):
    med = statistics.median(values)
    return "%.1f µs (%.1f–%.1f)" % (med, min(values), max(values))


def fmt_count(n):
    return "{:,}".format(int(round(n)))


def runtime_tables(clients):
    floor = clients[0]
    floor_med = {op: statistics.median(per_call_us(floor.runs[op])) for op in ("auth", "list")}
    lines = [
        "| client | CPU per auth call | × floor | CPU per list(30) call | × floor | connections (requests) | "
        "allocations per call (auth / list) | peak RSS |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for c in clients:
        cells = [c.name + (" " + c.note if c.note else "")]
        for op in ("auth", "list"):
            us = per_call_us(c.runs[op])
            cells.append(fmt_us(us))
            cells.append("%.2f" % (statistics.median(us) / floor_med[op]))
        # One round's auth and list runs together, the median round.
        conns = [a["accepts"] + b["accepts"] for a, b in zip(c.runs["auth"], c.runs["list"])]
        reqs = [a["requests"] + b["requests"] for a, b in zip(c.runs["auth"], c.runs["list"])]
        cells.append("%s (%s)" % (fmt_count(statistics.median(conns)), fmt_count(statistics.median(reqs))))
        if c.runs["auth"][0].get("allocs") is None:
            cells.append("n/a")
        else:
            allocs = [statistics.median([r["allocs"] / r["calls"] for r in c.runs[op]]) for op in ("auth", "list")]
            cells.append("%.0f / %.0f" % tuple(allocs))
        rss = [max(a["maxrss_kb"], b["maxrss_kb"]) for a, b in zip(c.runs["auth"], c.runs["list"])]
        cells.append("%.1f MB" % (statistics.median(rss) / 1024))
        lines.append("| " + " | ".join(cells) + " |")

    # User time alone leaves out the kernel's socket work and wake-ups, which every
    # client pays alike and which, across cores on a VM, can be most of the CPU.
    lines += ["", "User CPU alone, and wall time (the server's time is in wall):", "",
              "| client | user CPU per auth call | × floor | user CPU per list(30) call | × floor | "
              "wall per auth call | wall per list(30) call | calls per run (auth / list) |",
              "|---|---|---|---|---|---|---|---|"]
    user_med = {op: statistics.median(per_call_us(floor.runs[op], "user_s")) for op in ("auth", "list")}
    for c in clients:
        ua, ul = per_call_us(c.runs["auth"], "user_s"), per_call_us(c.runs["list"], "user_s")
        lines.append("| %s | %s | %.2f | %s | %.2f | %s | %s | %s / %s |" % (
            c.name, fmt_us(ua), statistics.median(ua) / user_med["auth"], fmt_us(ul),
            statistics.median(ul) / user_med["list"],
            fmt_us(per_call_us(c.runs["auth"], "wall_s")), fmt_us(per_call_us(c.runs["list"], "wall_s")),
            fmt_count(c.calls["auth"]), fmt_count(c.calls["list"])))
    return lines


def callgrind_per_call(client, op, calls, server):
    """User-space instructions per call in the timed loop: immune to the machine's load."""
    with tempfile.TemporaryDirectory() as tmp:
        out_file = os.path.join(tmp, "callgrind.out")
        argv = ["valgrind", "--tool=callgrind", "--callgrind-out-file=" + out_file,
                "--toggle-collect=*bench_timed_calls*"] + client.command + [server.url, op, str(calls), "20"]
        res = subprocess.run(argv, capture_output=True, text=True, timeout=600)
        if res.returncode != 0:
            raise RuntimeError("callgrind run of %s failed: %s" % (client.name, res.stderr[-2000:]))
        with open(out_file) as f:
            for line in f:
                if line.startswith("summary:") or line.startswith("totals:"):
                    return int(line.split()[1]) / calls
    raise RuntimeError("no totals in callgrind output")


def callgrind_table(clients, server, calls):
    lines = ["| client | instructions per auth call | × floor | instructions per list(30) call | × floor |",
             "|---|---|---|---|---|"]
    counts = [{op: callgrind_per_call(c, op, calls[op], server) for op in ("auth", "list")} for c in clients]
    for c, n in zip(clients, counts):
        lines.append("| %s | %s | %.3f | %s | %.3f |" % (
            c.name, fmt_count(n["auth"]), n["auth"] / counts[0]["auth"],
            fmt_count(n["list"]), n["list"] / counts[0]["list"]))
    return lines


def compile_once(cxx, opt, source, tree=REPO):
    with tempfile.TemporaryDirectory() as tmp:
        flags = subprocess.run(["pkg-config", "--cflags", "nlohmann_json", "cpp-httplib"], capture_output=True,
                               text=True, check=True).stdout.split()
        argv = pin_prefix("client") + [cxx, "-std=c++17", opt, "-I", tree] + flags + \
            ["-c", source, "-o", os.path.join(tmp, "tu.o")]
        start = time.monotonic()
        proc = subprocess.Popen(argv)
        _, status, ru = os.wait4(proc.pid, 0)
        wall = time.monotonic() - start
        if os.waitstatus_to_exitcode(status) != 0:
            raise RuntimeError("compile failed: " + " ".join(argv))
        return ru.ru_utime + ru.ru_stime, wall, ru.ru_maxrss


COMPILE_TUS = [
    ("floor TU", "compile_floor.cpp"),
    ("bosbase.hpp TU", "compile_bosbase.cpp"),
    ("bosbase.hpp TU, separate compilation", "compile_bosbase_extern.cpp"),
]


def compile_tuples(baseline):
    """(row name, source file, tree it includes): ours, and the baseline's TUs beside them."""
    tus = [(name, os.path.join(HERE, src), REPO) for name, src in COMPILE_TUS]
    if baseline:
        label, tree = baseline
        tus += [("%s at %s" % (name, label), os.path.join(tree, "bench", src), tree)
                for name, src in COMPILE_TUS[1:]]
    return tus


def compile_tables(cxx_list, opts, repeats, baseline=None):
    tus = compile_tuples(baseline)
    lines = ["| compiler | flags | TU | compiler CPU | × floor | wall | compiler peak RSS |",
             "|---|---|---|---|---|---|---|"]
    for cxx in cxx_list:
        for opt in opts:
            samples = {name: [] for name, _, _ in tus}
            for i in range(repeats):
                order = tus if i % 2 == 0 else list(reversed(tus))
                for name, src, tree in order:
                    samples[name].append(compile_once(cxx, opt, src, tree))
            floor_cpu = statistics.median([s[0] for s in samples["floor TU"]])
            for name, _, _ in tus:
                cpu = [s[0] for s in samples[name]]
                lines.append("| %s | %s | %s | %.2f s (%.2f–%.2f) | %.2f | %.2f s | %.0f MB |" % (
                    os.path.basename(cxx), opt, name, statistics.median(cpu), min(cpu), max(cpu),
                    statistics.median(cpu) / floor_cpu, statistics.median([s[1] for s in samples[name]]),
                    statistics.median([s[2] for s in samples[name]]) / 1024))
    return lines


# bosbase-typegen: a schema of 200 collections x 30 fields, every field type in turn.
TYPEGEN_FIELDS = [
    ("text", {}), ("editor", {}), ("email", {}), ("url", {}), ("number", {}), ("number", {"onlyInt": True}),
    ("bool", {}), ("date", {}), ("autodate", {}), ("select", {"maxSelect": 1, "values": ["draft", "in-progress", "done"]}),
    ("select", {"maxSelect": 3, "values": ["a", "b", "c", "d"]}), ("file", {"maxSelect": 1}), ("file", {"maxSelect": 5}),
    ("relation", {"maxSelect": 1, "collectionId": "pbc_0"}), ("relation", {"maxSelect": 9, "collectionId": "pbc_1"}),
    ("json", {}), ("geoPoint", {}), ("vector", {"dimension": 3}),
]


def typegen_schema(collections=200, fields=30):
    out = []
    for c in range(collections):
        fs = [{"name": "id", "type": "text"}]
        for f in range(fields - 1):
            kind, options = TYPEGEN_FIELDS[f % len(TYPEGEN_FIELDS)]
            fs.append(dict(options, name="field_%d" % f, type=kind))
        out.append({"id": "pbc_%d" % c, "name": "collection_%d" % c, "type": "auth" if c % 10 == 0 else "base",
                    "fields": fs})
    return out


def timed(argv):
    start = time.monotonic()
    proc = subprocess.Popen(argv)
    _, status, ru = os.wait4(proc.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError("failed: " + " ".join(argv))
    return ru.ru_utime + ru.ru_stime, time.monotonic() - start


def typegen_lines(bin_dir, cxx):
    """Generating the header for 200 x 30 and compiling a TU that includes it (-O0), beside bosbase.hpp alone."""
    tool = os.path.join(bin_dir, os.pardir, "tools", "bosbase-typegen")
    if not os.path.exists(tool):
        return ["(bosbase-typegen not built: configure with BOSBASE_TYPEGEN=ON)"]
    with tempfile.TemporaryDirectory() as tmp:
        schema = os.path.join(tmp, "schema.json")
        header = os.path.join(tmp, "types.hpp")
        with open(schema, "w") as f:
            json.dump(typegen_schema(), f)
        gen_cpu, gen_wall = timed([tool, "--schema", schema, "--out", header])
        flags = subprocess.run(["pkg-config", "--cflags", "nlohmann_json", "cpp-httplib"], capture_output=True,
                               text=True, check=True).stdout.split()
        rows = []
        for name, body in (("bosbase.hpp alone", ""),
                           ("bosbase.hpp + the 200 x 30 header, one typed call",
                            '#include "types.hpp"\n'
                            "bosbase_types::collection_7 one(const bosbase::BosBase& pb) {\n"
                            '    return pb.collection<bosbase_types::collection_7>().get_one("x");\n}\n')):
            source = os.path.join(tmp, "tu_%d.cpp" % len(rows))
            with open(source, "w") as f:
                f.write("#include <bosbase/bosbase.hpp>\n" + body)
            cpu, wall = timed(pin_prefix("client") + [cxx, "-std=c++17", "-O0", "-I", os.path.join(REPO, "include"),
                                                      "-I", tmp] + flags + ["-c", source, "-o", source + ".o"])
            rows.append((name, cpu, wall))
        lines = ["| step | CPU | wall |", "|---|---|---|",
                 "| bosbase-typegen: 200 collections x 30 fields (%d KB header) | %.2f s | %.2f s |" % (
                     os.path.getsize(header) // 1024, gen_cpu, gen_wall)]
        for name, cpu, wall in rows:
            lines.append("| %s -O0: TU with %s | %.2f s | %.2f s |" % (os.path.basename(cxx), name, cpu, wall))
        lines.append("| the header's own share | %.2f s | %.2f s |" % (rows[1][1] - rows[0][1], rows[1][2] - rows[0][2]))
        return lines


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin-dir", required=True, help="folder with bench_canned_server and the C++ clients")
    ap.add_argument("--quick", action="store_true", help="CI mode: few calls and rounds, C++ clients, -O0 compile once")
    ap.add_argument("--rounds", type=int, help="alternating rounds (default 5, quick 3)")
    ap.add_argument("--calls", type=int, help="auth calls per C++ run (default 20000, quick 2000); "
                    "list runs make a quarter, peers fewer")
    ap.add_argument("--js-modules", help="node_modules folder holding the npm peers `bosbase` and `pocketbase`")
    ap.add_argument("--py-path", help="folder holding the PyPI peer `bosbase` (for PYTHONPATH)")
    ap.add_argument("--no-compile", action="store_true", help="skip the compile-cost table")
    ap.add_argument("--no-typegen", action="store_true", help="skip bosbase-typegen's generation and compile figures")
    ap.add_argument("--compile-repeats", type=int, help="compiles per TU and flag set (default 3, quick 1)")
    ap.add_argument("--cxx", action="append", help="compiler for the compile table (repeatable; default g++)")
    ap.add_argument("--pin", choices=("split", "same", "none"), default="split",
                    help="split: server on core 0, clients on core 1 (default); same: both on core 0; none")
    ap.add_argument("--no-callgrind", action="store_true", help="skip the instruction counts (needs valgrind)")
    ap.add_argument("--baseline", nargs=3, metavar=("LABEL", "BIN_DIR", "TREE"),
                    help="also an earlier bosbase-cpp, measured in the same rounds: its bench client in BIN_DIR "
                         "and its source tree (for the compile TUs); scripts/bench.sh --baseline REV sets this")
    args = ap.parse_args()

    global PIN
    PIN = args.pin
    rounds = args.rounds or (3 if args.quick else 5)
    auth_calls = args.calls or (2000 if args.quick else 20000)
    list_calls = max(auth_calls // 4, 1)
    b = lambda name: os.path.join(args.bin_dir, name)

    clients = [
        Client("floor (raw cpp-httplib + nlohmann)", [b("bench_client_floor")], auth_calls, list_calls),
        Client("bosbase-cpp", [b("bench_client_bosbase")], auth_calls, list_calls),
    ]
    baseline = None
    if args.baseline:
        label, bin_dir, tree = args.baseline
        baseline = (label, tree)
        clients.append(Client("bosbase-cpp at %s" % label, [os.path.join(bin_dir, "bench_client_bosbase")],
                              auth_calls, list_calls))
    cpp_clients = clients[:3] if baseline else clients[:2]
    if args.js_modules:
        # Fewer calls: per call they cost several times more, and the figures are per call.
        for sdk in ("bosbase", "pocketbase"):
            clients.append(Client("%s (npm)" % sdk, ["node", os.path.join(HERE, "peers", "client.mjs"),
                                                     args.js_modules, sdk],
                                  max(auth_calls // 4, 1), max(list_calls // 4, 1), "†"))
    if args.py_path:
        os.environ["PYTHONPATH"] = args.py_path
        clients.append(Client("bosbase (PyPI)", [sys.executable, os.path.join(HERE, "peers", "client.py")],
                              max(auth_calls // 20, 1), max(list_calls // 20, 1)))

    server = CannedServer(b("bench_canned_server"))
    instructions = None
    try:
        for r in range(rounds):
            order = clients if r % 2 == 0 else list(reversed(clients))
            for c in order:
                for op in ("auth", "list"):
                    run_client(c, op, server)
            print("round %d/%d done" % (r + 1, rounds), file=sys.stderr)
        if not args.no_callgrind and shutil.which("valgrind"):
            n = 400 if args.quick else 2000
            instructions = callgrind_table(cpp_clients, server, {"auth": n, "list": max(n // 4, 1)})
    finally:
        server.stop()

    pinned = {"split": "server on core 0, clients on core 1", "same": "server and clients on core 0",
              "none": "not pinned"}[PIN] if pin_prefix("server") else "not pinned"
    print("## Runtime: %d rounds, %s" % (rounds, pinned))
    print()
    for line in runtime_tables(clients):
        print(line)
    print()
    print("CPU is the client's user + sys over its timed phase / calls; median over rounds (min–max). "
          "Linux splits user from sys by sampling ticks, so the user column is rough on short runs; the sum is exact. "
          "Connections: what the canned server accepted for one round's auth and list runs, warm-up included.")
    if args.js_modules:
        print("† no custom-token sign-in in these SDKs: their auth row is `authWithPassword` "
              "(same response body from the canned server).")

    if instructions:
        print()
        print("## Instructions per call (callgrind, client user space, timed loop only)")
        print()
        for line in instructions:
            print(line)
        print()
        print("Counts the client's own code, cpp-httplib and libc included, not the kernel; "
              "they do not move with the machine's load.")

    if not args.no_compile:
        cxx_list = args.cxx or ["g++"]
        opts = ["-O0"] if args.quick else ["-O0", "-O2"]
        repeats = args.compile_repeats or (1 if args.quick else 3)
        print()
        print("## Compile cost of one TU (%d compile%s each, median compiler CPU user + sys)" %
              (repeats, "" if repeats == 1 else "s"))
        print()
        print("The separate-compilation row sees the client's declarations only (BOSBASE_SEPARATE_COMPILATION): "
              "what each user TU pays when one other TU compiles the definitions (bench/compile_bosbase_extern.cpp).")
        print()
        for line in compile_tables(cxx_list, opts, repeats, baseline):
            print(line)
    if not args.no_typegen:
        print()
        print("## bosbase-typegen: generating and compiling typed records (once, figures only)")
        print()
        for line in typegen_lines(args.bin_dir, (args.cxx or ["g++"])[0]):
            print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
