#!/usr/bin/env bash
# Builds the BosBase development server (tests/server: PocketBase + BosBase
# custom-token endpoints) used by the C++ integration tests and the demo.
#
# Usage: scripts/build_dev_server.sh [OUTPUT_PATH]
#   OUTPUT_PATH defaults to build/dev-server/bosbase-dev-server (relative to the
#   repo root); a relative OUTPUT_PATH is taken relative to the current directory.
# Works from any directory. Go modules come from the normal module proxy/cache;
# the Go toolchain is the one scripts/find_go.sh picks (GO=/path/to/go to choose).
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

# find_go.sh checks the version (and honours GO=/path/to/go); the go.mod needs 1.25.
go_bin="$(bash "${script_dir}/find_go.sh")" || {
    echo "error: no Go >= 1.25 to build the dev server; run: bash scripts/install_deps.sh" >&2
    exit 127
}

mkdir -p "$(dirname "${out}")"
echo "building bosbase-dev-server with $(cd / && GOTOOLCHAIN=local "${go_bin}" version) -> ${out}" >&2
cd "${src_dir}"
# local: build with the Go just checked, whatever GOTOOLCHAIN the user's go env sets.
GOTOOLCHAIN=local "${go_bin}" build -trimpath -o "${out}" .
echo "built ${out}" >&2
