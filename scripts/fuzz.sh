#!/usr/bin/env bash
# Builds the libFuzzer harnesses (preset fuzz: clang++, ASan + UBSan) and runs
# each for N seconds (default 30), as many at a time as there are cores
# (BOSBASE_FUZZ_JOBS=N to change), on a copy of its seed corpus, so the corpus in
# the repository is never modified. Crash inputs land in build/fuzz-artifacts/<harness>/.
# Exits non-zero when any harness finds a crash, leak, timeout or memory blow-up.
#
# Usage: scripts/fuzz.sh [seconds] [harness...]     (harness: jwt_auth_store base_url ...)
#        scripts/fuzz.sh --build-only                 (builds every harness and stops; scripts/test.sh
#                                                      builds them in the background so)
# Reproduce a crash: build/fuzz/tests/fuzz/bosbase_fuzz_<harness> <crash file>
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"
build_only=0
if [[ "${1:-}" == --build-only ]]; then
    build_only=1
    shift
fi
seconds="${1:-30}"
shift || true
harnesses=("$@")
((${#harnesses[@]})) || harnesses=(jwt_auth_store base_url redact query response_path sse_parser pubsub_frame session_file download
    oauth2_redirect ws_frame http_head proxy_url)

echo "==> [fuzz] configure and build the harnesses"
cmake --preset fuzz >/dev/null
targets=()
for h in "${harnesses[@]}"; do targets+=("bosbase_fuzz_$h"); done
cmake --build --preset fuzz -j "$(nproc)" --target "${targets[@]}"
((!build_only)) || exit 0

artifacts="$repo/build/fuzz-artifacts"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# One harness per core at a time: each still gets its own core for its whole run.
parallel="${BOSBASE_FUZZ_JOBS:-$(nproc)}"
fuzz_one() {  # fuzz_one <harness>: exit status is the harness's
    local h="$1"
    rm -rf "${artifacts:?}/$h"
    mkdir -p "$artifacts/$h" "$work/$h"
    cp tests/fuzz/corpus/"$h"/* "$work/$h/"
    local dict=()
    [[ -f tests/fuzz/$h.dict ]] && dict=(-dict="tests/fuzz/$h.dict")
    build/fuzz/tests/fuzz/bosbase_fuzz_"$h" -max_total_time="$seconds" -timeout=5 -rss_limit_mb=2048 \
        "${dict[@]}" -print_final_stats=1 -artifact_prefix="$artifacts/$h/" "$work/$h" >"$artifacts/$h/fuzz.log" 2>&1
}

for h in "${harnesses[@]}"; do
    while (($(jobs -rp | wc -l) >= parallel)); do wait -n || true; done
    echo "==> [fuzz] $h for ${seconds}s"
    # The status goes to a file: a job reaped by `wait -n` above has no status left to wait for.
    { rc=0; fuzz_one "$h" || rc=$?; echo "$rc" >"$work/$h.status"; } &
done
wait

failed=()
summary=()
for h in "${harnesses[@]}"; do
    rc="$(cat "$work/$h.status")"
    log="$artifacts/$h/fuzz.log"
    execs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n1)"
    if ((rc != 0)); then
        failed+=("$h")
        summary+=("$h: FAILED (exit $rc, ${execs:-?} runs) -> $log")
        # The harness's own message and the top of the report say what broke.
        grep -m1 -A2 -E '==bosbase fuzz==|ERROR: (AddressSanitizer|UndefinedBehaviorSanitizer|libFuzzer)|runtime error' "$log" || true
        ls "$artifacts/$h" | grep -v fuzz.log | sed "s|^|    artifact: $artifacts/$h/|" || true
    else
        summary+=("$h: ok (${execs:-?} runs)")
    fi
done

echo
echo "==> [fuzz] summary"
printf '  %s\n' "${summary[@]}"
if ((${#failed[@]})); then
    echo "==> [fuzz] crashes found in: ${failed[*]}" >&2
    exit 1
fi
