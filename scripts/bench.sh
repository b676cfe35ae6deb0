#!/usr/bin/env bash
# Benchmarks bosbase-cpp beside a hand-written cpp-httplib client (the floor)
# against a canned loopback server, and prints markdown tables (README
# "Benchmarks"). Figures only: nothing passes or fails on timing.
#
#   bash scripts/bench.sh            # full run: 5 rounds, compile cost at -O0 and -O2
#   bash scripts/bench.sh --quick    # CI: few calls, 3 rounds, -O0 compile once (well under a minute)
#   bash scripts/bench.sh --peers    # also the npm SDKs bosbase and pocketbase and PyPI bosbase
#
# Other flags go to bench/run_bench.py (--rounds N, --calls N, --no-compile,
# --cxx clang++, --pin split|same|none, --no-callgrind; see --help). The peers are installed into a temp
# folder that is removed afterwards; nothing of theirs lands in the repo.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"

# The versions measured; bump them deliberately, not by whatever is newest.
npm_peers=(bosbase@0.26.3 pocketbase@0.28.1)
pypi_peers=(bosbase==0.1.5)

peers=0
args=()
for a in "$@"; do
    if [[ "$a" == --peers ]]; then peers=1; else args+=("$a"); fi
done

echo "==> building the benchmark programs (Release)" >&2
cmake --preset bench >/dev/null
cmake --build --preset bench >/dev/null

if ((peers)); then
    for tool in node npm python3; do
        command -v "$tool" >/dev/null || { echo "error: --peers needs $tool on PATH" >&2; exit 1; }
    done
    peer_dir="$(mktemp -d)"
    trap 'rm -rf "$peer_dir"' EXIT
    echo "==> installing peers into $peer_dir: ${npm_peers[*]} (npm), ${pypi_peers[*]} (PyPI)" >&2
    npm install --silent --no-audit --no-fund --no-save --prefix "$peer_dir/js" "${npm_peers[@]}" >&2
    python3 -m pip install --quiet --disable-pip-version-check --target "$peer_dir/py" "${pypi_peers[@]}" >&2
    args+=(--js-modules "$peer_dir/js/node_modules" --py-path "$peer_dir/py")
fi

python3 bench/run_bench.py --bin-dir build/bench/bench "${args[@]}"
