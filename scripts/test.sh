#!/usr/bin/env bash
# The whole test suite, as CI runs it. Each build tree exists for a reason of its own and
# nothing runs twice:
#   sanitize         g++, C++17, ASan+UBSan: every test (unit, transport, fault, stress,
#                    packaging, the dev server's Go tests) and the integration tests against
#                    the dev server, then against the real BosBase (when BOSBASE_SRC is set),
#                    with a few of them (label real_tls) over https:// through nginx
#   tsan             g++, C++20, ThreadSanitizer: unit, transport, stress (without the programs
#                    that have no threads of their own; docs/testing.md, "Which tree builds what")
#   clang-current    clang++, C++20, ASan+UBSan, cpp-httplib 0.41.0: unit, transport, fault,
#                    stress; pub/sub against the real BosBase (when
#                    BOSBASE_SRC is set), ws:// and wss:// (0.41.0's TLS layer)
#   tsan-current     g++, C++20, ThreadSanitizer, cpp-httplib 0.41.0: only the pub/sub fault
#                    tests and wss:// with four senders (the real TLS code under TSan)
#   windows          mingw-w64 g++, cpp-httplib 0.41.0 (scripts/test_windows.sh): the unit tests and
#                    the examples cross-compiled and run under wine against the dev server (and the
#                    real BosBase when BOSBASE_SRC is set)
#   fuzz             the libFuzzer harnesses, 13 s each, one per core at a time (each runs its seeds
#                    first, which the test trees therefore do not replay)
# (Debian's cpp-httplib 0.11.4 is in the g++ trees and, with clang++, in the packaging
# checks; presets clang and httplib-current remain for developers.)
# The fuzz harnesses' and the benchmarks' builds, the packaging checks and scripts/check_fresh_go.sh
# (the scripts work when the machine's only Go is Debian's) run in the background at low priority
# from the end of the sanitize tests (after the real BosBase server's build, with BOSBASE_SRC):
# the fuzz stage waits for its build, a stage after it for the rest; the quick benchmarks (calls,
# and files beside curl) come last, on a machine with nothing else of the run on it. The three
# test trees keep only line tables
# (-g1): sanitizer reports still name file and line, and debug info was a good part of
# each file's compile time. The real BosBase server is built in the
# background meanwhile (its binary is cached by source hash). Ends with each stage's time.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"
jobs="$(nproc)"

stage_names=()
stage_times=()
stage_cpu=()
current_stage=""
stage_started=0
stage_cpu_started=0
run_started=$SECONDS

# CPU seconds (user + sys) of every finished child so far, from bash's `times`, into
# cpu_now: beside the wall time it shows what a stage costs when the machine is shared.
# (`times` must run in this shell, not in a $(...) subshell, which has no children.)
cpu_file="$(mktemp)"
read_cpu() {
    local user sys m
    times >"$cpu_file"
    { read -r _ _; read -r user sys; } <"$cpu_file"
    cpu_now=0
    for m in "$user" "$sys"; do
        local min="${m%%m*}" sec="${m#*m}"
        sec="${sec%s}"
        cpu_now=$((cpu_now + 10#$min * 60 + 10#${sec%.*}))
    done
}

print_times() {
    local rc=$?
    [[ -z "${bosbase_build_pid:-}" ]] || { kill "$bosbase_build_pid" 2>/dev/null || true; wait "$bosbase_build_pid" 2>/dev/null || true; }
    local pid
    for pid in ${background_pids[@]+"${background_pids[@]}"}; do  # each in a process group of its own
        kill -- "-$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    if [[ -n "$current_stage" ]]; then
        stage_names+=("$current_stage (failed)")
        stage_times+=($((SECONDS - stage_started)))
        read_cpu
        stage_cpu+=($((cpu_now - stage_cpu_started)))
    fi
    echo
    echo "==> stage times (wall; CPU = user + sys of the stage's processes, on $(nproc) cores)"
    printf '  %-66s %7s %7s\n' "stage" "wall" "CPU"
    local i
    for i in "${!stage_names[@]}"; do
        printf '  %-66s %5d s %5d s\n' "${stage_names[$i]}" "${stage_times[$i]}" "${stage_cpu[$i]}"
    done
    read_cpu
    printf '  %-66s %5d s %5d s\n' "total" $((SECONDS - run_started)) "$cpu_now"
    rm -f "$cpu_file"
    exit "$rc"
}
trap print_times EXIT

stage() {  # stage <name> <command...>: runs the command and records how long it took
    current_stage="$1"
    shift
    stage_started=$SECONDS
    read_cpu
    stage_cpu_started=$cpu_now
    echo
    echo "==> [$current_stage]"
    "$@"
    stage_names+=("$current_stage")
    stage_times+=($((SECONDS - stage_started)))
    read_cpu
    stage_cpu+=($((cpu_now - stage_cpu_started)))
    current_stage=""
}

preset_build() {  # preset_build <preset>
    cmake --preset "$1" >/dev/null
    cmake --build --preset "$1" -j "$jobs"
}
preset_test() {  # preset_test <preset> [ctest args...]
    local preset="$1"
    shift
    ctest --preset "$preset" -j "$jobs" --timeout 300 "$@"
}

stage "install dependencies" bash scripts/install_deps.sh
# shellcheck source=lib.sh
source "$repo/scripts/lib.sh"
use_compiler_cache "$repo"

# The real BosBase server's Go build takes minutes the first time (then it is cached): it
# runs at the lowest priority beside the C++ builds and is waited for when it is needed.
bosbase_build_pid=""
bosbase_build_log="$repo/build/logs/bosbase-server-build.log"
if [[ -n "${BOSBASE_SRC:-}" ]]; then
    mkdir -p "$(dirname "$bosbase_build_log")"
    nice -n 19 bash scripts/bosbase_server.sh --build-only >"$bosbase_build_log" 2>&1 &
    bosbase_build_pid=$!
    echo "==> building the real BosBase server in the background ($bosbase_build_log)"
fi

stage "sanitize: build (g++, C++17, ASan+UBSan)" preset_build sanitize
# real_tls needs the real BosBase behind nginx, real_typed and real_pubsub the real BosBase: the real-BosBase
# stages run them (pub/sub on the clang-current build). Label packaging (install, one version, a
# find_package consumer, the vcpkg port) is each a step of scripts/test_packaging.sh as well, which
# runs below: here they would only be built and run twice.
stage "sanitize: all tests, integration against the dev server" preset_test sanitize -LE "real_tls|real_typed|real_pubsub|packaging"

# What times nothing runs in the background from here on, each in a process group of its own:
# the fuzz harnesses' build, the benchmark programs' build, the fresh-Go check (a Go toolchain
# download, a Go build, one example) and the packaging checks (a dozen consumer compiles, Conan
# from PyPI). They use only the CPU the stages in front leave unused (the test stages wait on
# servers and timeouts much of the time: tsan's tests used 48 CPU s in 54 s on 2 cores), at
# the idle CPU and I/O class (chrt --idle, ionice -c 3), the fuzz build, needed first, at nice 19
# as the real BosBase build; so they do not slow those stages. The fuzz stage waits for its build,
# a stage after it for the rest, and the benchmarks, which time things, run last with nothing
# else of the run on the machine.
background_pids=()
background_logs=()
background_names=()
start_in_background() {  # start_in_background idle|nice <name> <log> <command...>
    local class="$1" name="$2" log="$3"
    shift 3
    local sched=(chrt --idle 0 ionice -c 3)
    [[ "$class" == idle ]] || sched=(nice -n 19 ionice -c 3)
    mkdir -p "$(dirname "$log")"
    setsid --wait "${sched[@]}" "$@" >"$log" 2>&1 </dev/null &
    background_pids+=($!)
    background_logs+=("$log")
    background_names+=("$name")
    echo "==> $name: in the background ($log)"
}
wait_for_background() {  # wait_for_background [name prefix]: waits for those jobs (all without one)
    local i rc failed=0 pids=() logs=() names=()
    for i in "${!background_pids[@]}"; do
        if [[ -n "${1:-}" && "${background_names[$i]}" != "$1"* ]]; then
            pids+=("${background_pids[$i]}") logs+=("${background_logs[$i]}") names+=("${background_names[$i]}")
            continue
        fi
        rc=0
        wait "${background_pids[$i]}" || rc=$?
        echo
        echo "==> ${background_names[$i]} (its output, $(basename "${background_logs[$i]}")):"
        cat "${background_logs[$i]}"
        if ((rc != 0)); then
            echo "error: ${background_names[$i]} failed (exit $rc), its output above" >&2
            failed=1
        fi
    done
    background_pids=(${pids[@]+"${pids[@]}"})
    background_logs=(${logs[@]+"${logs[@]}"})
    background_names=(${names[@]+"${names[@]}"})
    return "$failed"
}
start_background_checks() {
    start_in_background nice "fuzz: build the harnesses" "$repo/build/logs/fuzz-build.log" \
        bash scripts/fuzz.sh --build-only
    start_in_background idle "benchmarks: build (Release)" "$repo/build/logs/bench-build.log" \
        bash scripts/bench.sh --build-only
    # Only Debian's Go (or none) on the machine: the README's Go promise.
    start_in_background idle "fresh Go: demo with the machine's Go hidden" "$repo/build/logs/fresh-go.log" \
        bash scripts/check_fresh_go.sh
    start_in_background idle "packaging: header copy, CMake, pkg-config, vcpkg, Conan" "$repo/build/logs/packaging.log" \
        bash scripts/test_packaging.sh
}

if [[ -n "$bosbase_build_pid" ]]; then
    wait_for_bosbase_build() {
        local rc=0
        wait "$bosbase_build_pid" || rc=$?
        bosbase_build_pid=""
        if ((rc != 0)); then
            cat "$bosbase_build_log" >&2
            echo "error: building the real BosBase server failed (its output above)" >&2
            return "$rc"
        fi
        cat "$bosbase_build_log"
    }
    stage "real BosBase: rest of its background build" wait_for_bosbase_build
    start_background_checks
    stage "real BosBase: integration tests (sanitize build)" env BOSBASE_PRESET=sanitize bash scripts/test_real_bosbase.sh
else
    echo
    echo "==> real BosBase stage SKIPPED: set BOSBASE_SRC (and PGVECTOR_SRC) to the BosBase server source to run it (README, 'Against the real BosBase server')"
    start_background_checks
fi

stage "tsan: build (g++, C++20, ThreadSanitizer)" preset_build tsan
stage "tsan: unit, transport, stress" preset_test tsan -L "unit|transport|stress"

stage "clang-current: fetch cpp-httplib 0.41.0" bash scripts/fetch_httplib_current.sh
stage "clang-current: build (clang++, C++20, ASan+UBSan, httplib 0.41.0)" preset_build clang-current
# Each part compiling alone (label parts) is checked once, in sanitize.
stage "clang-current: unit, transport, fault, stress" preset_test clang-current -LE "parts|real_pubsub|real_tls|real_typed"
# Pub/sub's real-server tests run on this build, whose cpp-httplib has the TLS layer wss:// needs; the
# server binary and its seeded database are the ones the sanitize stage already made.
if [[ -n "${BOSBASE_SRC:-}" ]]; then
    stage "real BosBase: pub/sub (clang-current build)" env BOSBASE_PRESET=clang-current \
        BOSBASE_REAL_TARGETS="bosbase_pubsub_real_tests pubsub_chat" BOSBASE_REAL_LABEL=real_pubsub \
        bash scripts/test_real_bosbase.sh
fi

stage "tsan-current: build the pub/sub fault tests (g++, TSan, httplib 0.41.0)" preset_build tsan-current
stage "tsan-current: pub/sub faults" preset_test tsan-current

stage "windows: mingw-w64 build, unit tests and examples under wine" bash scripts/test_windows.sh

stage "fuzz: rest of the harnesses' background build" wait_for_background "fuzz: build"
# Thirteen harnesses, two at a time, 13 s each: about 90 s of fuzzing in the stage, every seed first.
stage "fuzz: each harness 13 s" bash scripts/fuzz.sh 13

stage "benchmarks' build, fresh Go, packaging: rest of their background run" wait_for_background

stage "benchmarks, quick (figures only)" bash scripts/bench.sh --quick
stage "benchmarks, files of 256 MiB beside curl (figures only)" bash scripts/bench_files.sh 256 1

echo
echo "==> all test runs passed"
