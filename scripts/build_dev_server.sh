#!/usr/bin/env bash
# Builds the BosBase development server (tests/server: PocketBase + BosBase
# custom-token endpoints) used by the C++ integration tests and the demo.
#
# Usage: scripts/build_dev_server.sh [OUTPUT_PATH]
#   OUTPUT_PATH defaults to build/dev-server/bosbase-dev-server (relative to the
#   repo root); a relative OUTPUT_PATH is taken relative to the current directory.
# Works from any directory. Go modules come from the normal module proxy/cache.
set -euo pipefail

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo_root="$(cd "${script_dir}/.." && pwd)"
src_dir="${repo_root}/tests/server"

if [[ $# -gt 1 ]]; then
    echo "usage: $0 [OUTPUT_PATH]" >&2
    exit 2
fi

out="${1:-${repo_root}/build/dev-server/bosbase-dev-server}"
case "${out}" in
    /*) ;;
    *) out="$(pwd)/${out}" ;;
esac

go_bin="${GO:-}"
if [[ -z "${go_bin}" ]]; then
    if command -v go >/dev/null 2>&1; then
        go_bin="$(command -v go)"
    elif [[ -x /usr/local/go/bin/go ]]; then
        go_bin=/usr/local/go/bin/go
    else
        echo "error: the Go toolchain ('go') was not found; install Go >= 1.25 (https://go.dev/dl/)" >&2
        echo "       or point the GO environment variable at the go binary." >&2
        exit 127
    fi
fi

mkdir -p "$(dirname "${out}")"
echo "building bosbase-dev-server -> ${out}" >&2
cd "${src_dir}"
"${go_bin}" build -trimpath -o "${out}" .
echo "built ${out}" >&2
