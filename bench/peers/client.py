"""Peer client for the benchmarks: the PyPI SDK `bosbase`, used as its README shows.

    python3 client.py <base url> auth|list <calls> [warmup]

Run with PYTHONPATH pointing at the temp folder scripts/bench.sh installed it
into. Prints the same JSON line as the C++ clients; CPU is this process's
user + sys over the timed phase.
"""
import json
import resource
import sys
import time


def cpu_times():
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return ru.ru_utime, ru.ru_stime


def vm_hwm_kb():
    """VmHWM rather than ru_maxrss, which Linux carries over from the process that exec'd us."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return None


def main():
    if len(sys.argv) < 4 or sys.argv[2] not in ("auth", "list"):
        print("usage: client.py <base url> auth|list <calls> [warmup]", file=sys.stderr)
        return 2
    url, op, calls = sys.argv[1], sys.argv[2], int(sys.argv[3])
    warmup = int(sys.argv[4]) if len(sys.argv) > 4 else calls // 10

    from bosbase import BosBase

    pb = BosBase(url)
    if op == "auth":
        def call():
            pb.collection("users").auth_with_token("my-app-token")
    else:
        def call():
            pb.collection("posts").get_list(page=1, per_page=30)

    for _ in range(warmup):
        call()
    (user0, sys0), wall_before = cpu_times(), time.perf_counter()
    for _ in range(calls):
        call()
    wall = time.perf_counter() - wall_before
    user1, sys1 = cpu_times()
    print(json.dumps({
        "client": "bosbase (PyPI)", "op": op, "calls": calls, "cpu_s": user1 - user0 + sys1 - sys0,
        "user_s": user1 - user0, "sys_s": sys1 - sys0, "wall_s": wall,
        "allocs": None, "maxrss_kb": vm_hwm_kb(),
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
