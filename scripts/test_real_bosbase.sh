#!/usr/bin/env bash
# The whole integration suite (label `integration`) against the real BosBase server, built
# from your BosBase source, through CTest. Each test gets its own server process on a fresh
# copy of a seeded PostgreSQL database (scripts/bosbase_server.sh; tests/support/test_server.hpp).
# Beside it, label `real_tls`: the token flow, records, a 64 MiB streamed transfer and realtime
# over https:// through nginx terminating TLS in front of the seeded server, with a CA made
# for the run (bosbase_server.sh --tls; tests/integration/tls_real_test.cpp).
#
# Usage: BOSBASE_SRC=<tree or .tar.gz> [PGVECTOR_SRC=<tree or .tar.gz>] bash scripts/test_real_bosbase.sh [ctest args...]
#   BOSBASE_PRESET  the CMake preset whose build runs the tests (default: default). An existing
#                   build is reused; only what is out of date is rebuilt.
#   BOSBASE_REAL_TARGETS, BOSBASE_REAL_LABEL  what to build and which CTest label to run
#                   (default: bosbase_integration_tests bosbase_typed_real_tests, integration|real_tls|real_typed;
#                   real_typed: typed records, tests/integration/typed_records_real_test.cpp). Pub/sub (its wss://
#                   case needs cpp-httplib 0.41.0): BOSBASE_PRESET=clang-current BOSBASE_REAL_TARGETS=bosbase_pubsub_real_tests
#                   BOSBASE_REAL_LABEL=real_pubsub (scripts/test.sh runs it so).
# Leaves no server, Redis or PostgreSQL cluster running.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"
preset="${BOSBASE_PRESET:-default}"
read -r -a targets <<<"${BOSBASE_REAL_TARGETS:-bosbase_integration_tests bosbase_typed_real_tests}"
label="${BOSBASE_REAL_LABEL:-integration|real_tls|real_typed}"

if [[ -z "${BOSBASE_SRC:-}" ]]; then
    exec bash scripts/bosbase_server.sh  # says what is missing and how to give it
fi

bash scripts/install_deps.sh

echo "==> [$preset] building ${targets[*]}"
cmake --preset "$preset" >/dev/null
cmake --build --preset "$preset" -j "$(nproc)" --target "${targets[@]}"

# Redis and an execution folder too, so that the server runs with every part the
# services need, and nginx in front of it for https:// (--tls); the dev server's own Go
# tests are not about BosBase.
# --no-tests=error: a build without them (pub/sub with an older cpp-httplib) must not pass.
echo "==> label $label against the real BosBase"
bash scripts/bosbase_server.sh --redis --execute-path --tls -- \
    ctest --preset "$preset" -L "$label" -E dev_server_go_tests --no-tests=error -j "$(nproc)" --timeout 300 "$@"
