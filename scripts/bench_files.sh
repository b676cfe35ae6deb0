#!/usr/bin/env bash
# Files of any size on loopback: download and upload throughput and peak RSS of bosbase-cpp
# (files().download to a path, create_with_files with file_part::from_path) beside curl
# (-o and -F) on the same file from the same server (bench/files_server.cpp). Figures only;
# nothing passes or fails on them.
#
# Usage: bash scripts/bench_files.sh [size in MiB, default 2048] [rounds, default 1]
#   BENCH_HTTPLIB=current   build against cpp-httplib 0.41.0 (scripts/fetch_httplib_current.sh)
#   BENCH_DIR=<folder>      where the test file and downloads go (default: a temp folder in /tmp)
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"
size_mib="${1:-2048}"
rounds="${2:-1}"
[[ "$size_mib" =~ ^[0-9]+$ && "$size_mib" -gt 0 && "$rounds" =~ ^[0-9]+$ && "$rounds" -gt 0 ]] || {
    echo "usage: bash scripts/bench_files.sh [size MiB] [rounds]" >&2
    exit 2
}
for tool in curl /usr/bin/time; do
    command -v "$tool" >/dev/null || { echo "bench_files: needs $tool (apt-get install curl time)" >&2; exit 1; }
done

# shellcheck source=lib.sh
source "$repo/scripts/lib.sh"
use_compiler_cache "$repo" >/dev/null
out="$repo/build/bench-files"
mkdir -p "$out"
includes=(-Iinclude)
libs=()
httplib_name="cpp-httplib $(grep -m1 -o 'CPPHTTPLIB_VERSION "[^"]*"' /usr/include/httplib.h | cut -d'"' -f2) (Debian)"
if [[ "${BENCH_HTTPLIB:-}" == current ]]; then
    bash scripts/fetch_httplib_current.sh >/dev/null
    includes+=(-Ibuild/deps/cpp-httplib-0.41.0)
    httplib_name="cpp-httplib 0.41.0"
else
    # Debian builds it as a library; openssl for the client's own OpenSSL calls (docs/install.md)
    read -r -a libs <<<"$(pkg-config --cflags --libs cpp-httplib openssl)"
fi
echo "==> building bench/files_server.cpp and bench/files_client.cpp (-O2, $httplib_name)" >&2
# The two at once, one per core (nothing is timed yet).
"${CXX:-c++}" -std=c++17 -O2 -DNDEBUG "${includes[@]}" bench/files_server.cpp -o "$out/files_server" -pthread ${libs[@]+"${libs[@]}"} &
server_build=$!
"${CXX:-c++}" -std=c++17 -O2 -DNDEBUG "${includes[@]}" bench/files_client.cpp -o "$out/files_client" -pthread ${libs[@]+"${libs[@]}"}
wait "$server_build"

work="$(mktemp -d "${BENCH_DIR:-${TMPDIR:-/tmp}}/bosbase-bench-files.XXXXXX")"
server_pid=""
cleanup() {
    if [[ -n "$server_pid" ]]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT

# The file, one download of it at a time, and some room.
need_kib=$((size_mib * 1024 * 2 + 512 * 1024))
free_kib="$(df -Pk "$work" | awk 'NR == 2 { print $4 }')"
if ((free_kib < need_kib)); then
    echo "bench_files: $work has $((free_kib / 1024)) MiB free, needs $((need_kib / 1024)) MiB" >&2
    exit 1
fi
echo "==> writing a $size_mib MiB file of random bytes in $work" >&2
head -c "$((size_mib * 1024 * 1024))" /dev/urandom >"$work/big.bin"

"$out/files_server" "$work/big.bin" >"$work/port" &
server_pid=$!
for _ in $(seq 100); do [[ -s "$work/port" ]] && break; sleep 0.05; done
[[ -s "$work/port" ]] || { echo "bench_files: the server did not start" >&2; exit 1; }
url="http://127.0.0.1:$(head -1 "$work/port")"
file_url="$url/api/files/docs/r1/big.bin"
upload_url="$url/api/collections/docs/records"

results="$work/results"
: >"$results"
# Each line: client direction bytes seconds peak-RSS-KiB
ours() {
    local direction="$1" path="$2" line
    line="$(/usr/bin/time -f '%M' -o "$work/rss" "$out/files_client" "$direction" "$url" "$path")"
    echo "bosbase-cpp $direction $(cut -d' ' -f1,2 <<<"$line") $(tail -1 "$work/rss")" >>"$results"
}
theirs() {
    local direction="$1" line
    if [[ "$direction" == download ]]; then
        line="$(/usr/bin/time -f '%M' -o "$work/rss" curl -sS --fail -o "$work/down.bin" \
            -w '%{size_download} %{time_total}' "$file_url")"
    else
        # No Expect: 100-continue, as bosbase-cpp sends none with cpp-httplib 0.11.
        line="$(/usr/bin/time -f '%M' -o "$work/rss" curl -sS --fail -o /dev/null -H 'Expect:' \
            -F "doc=@$work/big.bin;type=application/octet-stream" -w '%{size_upload} %{time_total}' "$upload_url")"
    fi
    echo "curl $direction $line $(tail -1 "$work/rss")" >>"$results"
}
check_download() {
    cmp -s "$work/big.bin" "$work/down.bin" || { echo "bench_files: the $1 download differs from the file" >&2; exit 1; }
    rm -f "$work/down.bin"
}

for ((r = 1; r <= rounds; r++)); do
    echo "==> round $r of $rounds" >&2
    # Alternate who goes first, so neither always meets a colder page cache.
    if ((r % 2)); then order=(ours theirs); else order=(theirs ours); fi
    for who in "${order[@]}"; do
        if [[ "$who" == ours ]]; then ours download "$work/down.bin"; check_download bosbase-cpp; else theirs download; check_download curl; fi
    done
    for who in "${order[@]}"; do
        if [[ "$who" == ours ]]; then ours upload "$work/big.bin"; else theirs upload; fi
    done
done

load="$(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "Files of $size_mib MiB on loopback, $rounds round(s), $httplib_name, load average $load:"
echo
echo "| client | direction | MiB/s (median) | MiB/s (each round) | peak RSS (max) |"
echo "|---|---|---:|---|---:|"
python3 - "$results" <<'PY'
import statistics, sys
rows = {}
for line in open(sys.argv[1]):
    who, direction, size, secs, rss = line.split()
    rows.setdefault((direction, who), []).append((int(size) / 1048576 / float(secs), int(rss)))
for direction in ("download", "upload"):
    base = None
    for who in ("bosbase-cpp", "curl"):
        runs = rows.get((direction, who), [])
        if not runs:
            continue
        speeds = [s for s, _ in runs]
        med = statistics.median(speeds)
        print(f"| {who} | {direction} | {med:.0f} | {', '.join(f'{s:.0f}' for s in speeds)} | {max(r for _, r in runs) / 1024:.1f} MiB |")
    ours = rows.get((direction, "bosbase-cpp")); theirs = rows.get((direction, "curl"))
    if ours and theirs:
        ratio = statistics.median(s for s, _ in ours) / statistics.median(s for s, _ in theirs)
        print(f"| | {direction}: bosbase-cpp / curl | {ratio:.2f} | | |")
PY
