#!/usr/bin/env bash
# Installs what building and testing bosbase-cpp needs on Debian 12, skipping
# anything already present. Needs root (or sudo) only when something is missing.
set -euo pipefail

packages=(g++ clang cmake ninja-build pkg-config git
          libcpp-httplib-dev nlohmann-json3-dev doctest-dev libssl-dev zlib1g-dev
          sqlite3 python3 python3-venv)

missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if ((${#missing[@]})); then
    echo "==> installing Debian packages: ${missing[*]}"
    sudo_cmd=()
    [[ $(id -u) -eq 0 ]] || sudo_cmd=(sudo)
    export DEBIAN_FRONTEND=noninteractive
    "${sudo_cmd[@]}" apt-get update -qq
    "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
    echo "==> Debian packages already installed"
fi

# The dev server (tests/server) is PocketBase as a Go module and needs Go >= 1.25;
# Debian 12's golang-go (1.19) is too old, so a Go toolchain must already be there.
go_bin="$(command -v go || true)"
[[ -n "$go_bin" ]] || { [[ -x /usr/local/go/bin/go ]] && go_bin=/usr/local/go/bin/go; }
if [[ -z "$go_bin" ]]; then
    echo "error: Go >= 1.25 is needed to build the dev server (tests/server); none found on PATH or in /usr/local/go" >&2
    exit 1
fi
echo "==> using $("$go_bin" version)"
