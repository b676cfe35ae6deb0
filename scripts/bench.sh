#!/usr/bin/env bash
# Benchmarks bosbase-cpp beside a hand-written cpp-httplib client (the floor)
# against a canned loopback server, and prints markdown tables (README
# "Benchmarks"). Figures only: nothing passes or fails on timing.
#
#   bash scripts/bench.sh            # full run: 5 rounds, compile cost at -O0 and -O2
#   bash scripts/bench.sh --quick    # CI: few calls, 3 rounds, -O0 compile once (well under a minute)
#   bash scripts/bench.sh --peers    # also the npm SDKs bosbase and pocketbase and PyPI bosbase
#   bash scripts/bench.sh --build-only     # builds the benchmark programs and stops (scripts/test.sh
#                                    # does so in the background, before the run that times them)
#   bash scripts/bench.sh --baseline REV   # also bosbase-cpp at commit REV, in the same rounds: a
#                                    # change's cost measured beside what came before it, on the same machine
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
baseline=""
build_only=0
args=()
while (($#)); do
    case "$1" in
        --peers) peers=1 ;;
        --build-only) build_only=1 ;;
        --baseline) baseline="${2:?--baseline needs a commit}"; shift ;;
        *) args+=("$1") ;;
    esac
    shift
done

# What the run leaves behind (the peers' folder, the baseline's worktree), removed at exit.
cleanup=()
trap 'for c in "${cleanup[@]}"; do eval "$c"; done' EXIT
echo "==> building the benchmark programs (Release)" >&2
cmake --preset bench >/dev/null
cmake --build --preset bench >/dev/null
((!build_only)) || exit 0

if ((peers)); then
    for tool in node npm python3; do
        command -v "$tool" >/dev/null || { echo "error: --peers needs $tool on PATH" >&2; exit 1; }
    done
    peer_dir="$(mktemp -d)"
    cleanup+=("rm -rf '$peer_dir'")
    echo "==> installing peers into $peer_dir: ${npm_peers[*]} (npm), ${pypi_peers[*]} (PyPI)" >&2
    npm install --silent --no-audit --no-fund --no-save --prefix "$peer_dir/js" "${npm_peers[@]}" >&2
    python3 -m pip install --quiet --disable-pip-version-check --target "$peer_dir/py" "${pypi_peers[@]}" >&2
    args+=(--js-modules "$peer_dir/js/node_modules" --py-path "$peer_dir/py")
fi

if [[ -n "$baseline" ]]; then
    # The earlier commit's own bench client and compile TUs, built from a worktree beside this one.
    rev="$(git rev-parse --short "$baseline^{commit}")"
    base_dir="$(mktemp -d)"
    tree="$base_dir/bosbase-$rev"
    echo "==> building the benchmark programs of $rev in $tree" >&2
    git worktree add --detach --quiet "$tree" "$rev"
    cleanup+=("git -C '$repo' worktree remove --force '$tree'" "rm -rf '$base_dir'")
    (cd "$tree" && cmake --preset bench >/dev/null && cmake --build --preset bench >/dev/null)
    args+=(--baseline "$rev" "$tree/build/bench/bench" "$tree")
fi

python3 bench/run_bench.py --bin-dir build/bench/bench "${args[@]}"
