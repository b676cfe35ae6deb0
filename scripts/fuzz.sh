#!/usr/bin/env bash
# Builds the libFuzzer harnesses (preset fuzz: clang++, ASan + UBSan) and runs
# each for N seconds (default 30) on a copy of its seed corpus, so the corpus in
# the repository is never modified. Crash inputs land in build/fuzz-artifacts/<harness>/.
# Exits non-zero when any harness finds a crash, leak, timeout or memory blow-up.
#
# Usage: scripts/fuzz.sh [seconds] [harness...]     (harness: jwt_auth_store base_url ...)
# Reproduce a crash: build/fuzz/tests/fuzz/bosbase_fuzz_<harness> <crash file>
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"
seconds="${1:-30}"
shift || true
harnesses=("$@")
((${#harnesses[@]})) || harnesses=(jwt_auth_store base_url redact query response_path)

echo "==> [fuzz] configure and build the harnesses"
cmake --preset fuzz >/dev/null
targets=()
for h in "${harnesses[@]}"; do targets+=("bosbase_fuzz_$h"); done
cmake --build --preset fuzz -j "$(nproc)" --target "${targets[@]}"

artifacts="$repo/build/fuzz-artifacts"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

failed=()
summary=()
for h in "${harnesses[@]}"; do
    echo
    echo "==> [fuzz] $h for ${seconds}s"
    rm -rf "${artifacts:?}/$h"
    mkdir -p "$artifacts/$h" "$work/$h"
    cp tests/fuzz/corpus/"$h"/* "$work/$h/"
    log="$artifacts/$h/fuzz.log"
    dict=()
    [[ -f tests/fuzz/$h.dict ]] && dict=(-dict="tests/fuzz/$h.dict")
    rc=0
    build/fuzz/tests/fuzz/bosbase_fuzz_"$h" -max_total_time="$seconds" -timeout=5 -rss_limit_mb=2048 \
        "${dict[@]}" -print_final_stats=1 -artifact_prefix="$artifacts/$h/" "$work/$h" >"$log" 2>&1 || rc=$?
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
