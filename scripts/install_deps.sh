#!/usr/bin/env bash
# Installs what building and testing bosbase-cpp needs on Debian 12, skipping
# anything already present. Needs root (or sudo) only when something is missing.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib.sh
source "$here/lib.sh"

# libclang-rt-14-dev: Debian's libFuzzer runtime for scripts/fuzz.sh; ccache: a second run of
# the suite rebuilds only what changed (scripts/lib.sh, use_compiler_cache); curl and time: the
# files bench runs curl beside the SDK and reads peak RSS with /usr/bin/time; tinyproxy: the
# transport tests' real HTTP proxy (tests/transport/proxy_test.cpp).
packages=(g++ clang libclang-rt-14-dev cmake ninja-build pkg-config git ccache
          libcpp-httplib-dev nlohmann-json3-dev doctest-dev libssl-dev zlib1g-dev
          sqlite3 python3 python3-venv valgrind curl time tinyproxy)
# The Windows stage (scripts/test_windows.sh): mingw-w64's g++ with the posix thread model
# (std::thread, std::mutex) and wine to run what it builds.
packages+=(g++-mingw-w64-x86-64-posix wine wine64)

# The real BosBase server (scripts/bosbase_server.sh, when BOSBASE_SRC is set): PostgreSQL 15
# (Debian 12 has no pgvector package, so its headers build pgvector), Redis, and nginx with the
# openssl command for --tls (scripts/tls_proxy.sh; it runs its own nginx, never the system's).
if [[ -n "${BOSBASE_SRC:-}" ]]; then
    packages+=(postgresql-15 postgresql-client-15 postgresql-server-dev-15 make redis-server nginx-light openssl)
fi

# The dev server (tests/server) is PocketBase as a Go module and needs Go >= 1.25.
# Without one, Debian's own Go (1.19) is enough: find_go.sh has it fetch a pinned
# Go 1.25 from the Go module proxy.
if ! bash "$here/find_go.sh" --installed-only >/dev/null 2>&1; then
    packages+=(golang-go ca-certificates)
fi

missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if ((${#missing[@]})); then
    echo "==> installing Debian packages: ${missing[*]}"
    sudo_cmd=()
    [[ $(id -u) -eq 0 ]] || sudo_cmd=(sudo)
    export DEBIAN_FRONTEND=noninteractive
    log="$(mktemp /tmp/bosbase-apt-XXXXXX.log)"
    run_logged "$log" "Fix the apt error above (network, sources.list, disk space), then run this script again." \
        "${sudo_cmd[@]}" apt-get update -qq
    run_logged "$log" "Fix the apt error above, then run this script again." \
        "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
    rm -f "$log"
else
    echo "==> Debian packages already installed"
fi

go_bin="$(bash "$here/find_go.sh")" || {
    echo "error: no Go >= 1.25 for the dev server (see above)" >&2
    exit 1
}
echo "==> using $(cd / && GOTOOLCHAIN=local "$go_bin" version) ($go_bin)"
