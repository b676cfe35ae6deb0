#!/usr/bin/env bash
# The whole test suite, as CI runs it: unit, transport and integration tests
# (the latter against the Go dev server) with g++, again under ASan+UBSan and
# (unit, transport and the stress test) ThreadSanitizer, the
# examples and unit tests with clang++ and as C++20, and the packaging checks.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"
export PATH="$PATH:/usr/local/go/bin"
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
run_preset sanitize -E dev_server_go_tests
run_preset tsan -L "unit|transport|stress"
# The integration and packaging tests run once, above; these presets leave them out.
run_preset clang
run_preset cxx20
run_preset clang-cxx20

echo
echo "==> benchmarks (figures only, Release build)"
cmake --preset bench >/dev/null
cmake --build --preset bench -j "$jobs" >/dev/null
build/bench/bench/bosbase_bench

echo
echo "==> packaging: copy the header, CMake, pkg-config, vcpkg, Conan"
bash scripts/test_packaging.sh

echo
echo "==> all test runs passed"
