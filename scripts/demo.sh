#!/usr/bin/env bash
# The custom-token demo: builds examples/custom_token and a server, starts the
# server on a free loopback port with a throwaway data folder, runs the example
# against it, and stops the server again. The server is the dev server, or with
# BOSBASE_SRC set (a BosBase source tree or tarball) the real BosBase, through
# scripts/bosbase_server.sh.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="$repo/build/demo"

# shellcheck source=lib.sh
source "$repo/scripts/lib.sh"

bash "$repo/scripts/install_deps.sh"

echo "==> building the SDK examples (build/demo)"
run_logged "$build/logs/cmake-configure.log" "The CMake configure step failed: see the lines above; 'bash scripts/install_deps.sh' installs what the build needs." \
    cmake -S "$repo" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
          -DBOSBASE_BUILD_TESTS=OFF -DBOSBASE_BUILD_EXAMPLES=ON -DBOSBASE_BUILD_BENCHMARKS=OFF
run_logged "$build/logs/cmake-build.log" "Building examples/custom_token failed: the compiler's errors are above." \
    cmake --build "$build" --target custom_token

if [[ -n "${BOSBASE_SRC:-}" ]]; then
    echo "==> the real BosBase server from BOSBASE_SRC=$BOSBASE_SRC"
    # The example takes the URL as its argument; the wrapper has it in BOSBASE_URL.
    exec bash "$repo/scripts/bosbase_server.sh" -- bash -c 'echo; "$0" "$BOSBASE_URL"' "$build/examples/custom_token"
fi

echo "==> building the dev server (PocketBase + BosBase custom-token endpoints)"
run_logged "$build/logs/dev-server.log" "Building the Go dev server failed: the Go errors are above (scripts/find_go.sh picks the Go; GO=/path/to/go overrides)." \
    bash "$repo/scripts/build_dev_server.sh" "$build/bosbase-dev-server"

tmp="$(mktemp -d /tmp/bosbase-demo-XXXXXX)"
server_pid=""
cleanup() {
    if [[ -n "$server_pid" ]]; then
        kill "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
    rm -rf "$tmp"
}
trap cleanup EXIT

# The server prints one line, "READY <url>", once it accepts connections.
mkfifo "$tmp/ready"
"$build/bosbase-dev-server" --dir "$tmp/data" --http 127.0.0.1:0 >"$tmp/ready" 2>"$tmp/server.log" &
server_pid=$!
if ! read -r -t 60 word url <"$tmp/ready" || [[ "$word" != READY ]]; then
    echo "error: the dev server did not start (port: any free one on 127.0.0.1; log: $tmp/server.log)" >&2
    cat "$tmp/server.log" >&2 || true
    trap - EXIT
    kill "$server_pid" 2>/dev/null || true
    exit 1
fi
echo "==> dev server running at $url (seeded accounts: user@example.com in 'users', admin@example.com in '_superusers')"
echo

"$build/examples/custom_token" "$url"

echo
echo "==> stopping the dev server"
