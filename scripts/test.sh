#!/usr/bin/env bash
# The whole test suite, as CI runs it: unit, transport and integration tests
# (the latter against the Go dev server) with g++, again under ASan+UBSan and
# (unit, transport and the stress test) ThreadSanitizer, the
# examples and unit tests with clang++ and as C++20, the libFuzzer harnesses
# (30 s each), the packaging checks, and scripts/check_fresh_go.sh (the
# scripts work when the machine's only Go is Debian's).
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"
jobs="$(nproc)"

bash scripts/install_deps.sh

run_preset() {  # run_preset <preset> [ctest args...]
    local preset="$1"; shift
    echo
    echo "==> [$preset] configure, build, test"
    cmake --preset "$preset" >/dev/null
    cmake --build --preset "$preset" -j "$jobs"
    ctest --preset "$preset" -j "$jobs" --timeout 300 "$@"
}

run_preset default

echo
echo "==> the README's Go promise: only Debian's Go (or none) on the machine"
bash scripts/check_fresh_go.sh
run_preset sanitize -E dev_server_go_tests
run_preset tsan -L "unit|transport|stress"
# The integration and packaging tests run once, above; these presets leave them out.
run_preset clang
run_preset cxx20
run_preset clang-cxx20
# Current cpp-httplib (0.41.0, header-only) under ASan+UBSan: unit, transport and fault tests.
bash scripts/fetch_httplib_current.sh
run_preset httplib-current

echo
echo "==> benchmarks, quick mode (figures only; nothing passes or fails on timing)"
bash scripts/bench.sh --quick

echo
echo "==> fuzzing: each libFuzzer harness for 30 s"
bash scripts/fuzz.sh 30

echo
echo "==> packaging: copy the header, CMake, pkg-config, vcpkg, Conan"
bash scripts/test_packaging.sh

echo
echo "==> all test runs passed"
