#!/usr/bin/env bash
# The Windows stage: cross-compiles the unit tests (fake transport), the examples and a round trip
# of a file with a non-ASCII name with Debian's mingw-w64 against cpp-httplib 0.41.0 with Mbed TLS
# (Debian 12's mbedtls, cross-compiled once by scripts/fetch_mbedtls_mingw.sh and cached)
# (tests/windows, cmake/toolchains/mingw-w64.cmake), then runs them under Debian's wine: the unit
# tests alone, the examples, the round trip and realtime with overlapping subscriptions against the
# Go dev server on 127.0.0.1 and, when BOSBASE_SRC is set, custom_token, the round trip and
# pub/sub (examples/pubsub_chat: two users over the SDK's own WebSocket) against the real BosBase
# too, pub/sub also over wss://. Over https://, through nginx terminating TLS (scripts/tls_proxy.sh) with the
# run's CA as ca_cert_file: custom_token, records_and_files, the round trip and realtime, and a
# certificate from an untrusted CA refused as error_kind::tls; against the real BosBase when
# BOSBASE_SRC is set, else against the dev server. A program fails the stage when it exits
# non-zero or when wine reports a crash in its output (wine can exit 0 after one), with wine's
# heap checks on.
#
# The wine prefix is made once and kept in ${XDG_CACHE_HOME:-~/.cache}/bosbase-cpp/wineprefix
# (a first start of wine takes tens of seconds); compiles go through ccache (scripts/lib.sh).
# No display is needed. BOSBASE_WINDOWS_BUILD (default build/windows) is the build tree.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"
# shellcheck source=lib.sh
source "$repo/scripts/lib.sh"
use_compiler_cache "$repo"
build="${BOSBASE_WINDOWS_BUILD:-$repo/build/windows}"
logs="$build/logs"
mkdir -p "$logs"

for tool in x86_64-w64-mingw32-g++-posix wine; do
    command -v "$tool" >/dev/null 2>&1 || {
        echo "error: $tool is missing: bash scripts/install_deps.sh installs it (g++-mingw-w64-x86-64-posix, wine, wine64)" >&2
        exit 1
    }
done

bash "$repo/scripts/fetch_httplib_current.sh" >/dev/null
httplib_dir="$(dirname "$(ls "$repo"/build/deps/cpp-httplib-0.41.0/httplib.h)")"
# cpp-httplib's TLS backend on Windows: Debian 12's Mbed TLS, cross-compiled once and cached.
mbedtls_dir="$(bash "$repo/scripts/fetch_mbedtls_mingw.sh")"
# Debian's nlohmann/json and doctest are header-only and target-neutral, but /usr/include also
# holds glibc's headers, which must not reach the mingw compiler: only these two folders go in.
headers="$build/headers"
mkdir -p "$headers"
ln -sfn /usr/include/nlohmann "$headers/nlohmann"
ln -sfn /usr/include/doctest "$headers/doctest"

echo "==> cross-compiling for Windows (mingw-w64 $(x86_64-w64-mingw32-g++-posix -dumpversion), cpp-httplib 0.41.0, $(cat "$mbedtls_dir/SOURCE" | cut -d' ' -f1-2)): $build"
# -O1 without -g: at -O0 the uninlined templates leave GNU ld minutes of COMDAT sections to
# merge per program (2.5 min for custom_token alone, 0.6 s at -O1).
run_logged "$logs/configure.log" "Configuring the Windows build failed (tests/windows/CMakeLists.txt)." \
    cmake -S "$repo/tests/windows" -B "$build" -G Ninja \
        -DCMAKE_TOOLCHAIN_FILE="$repo/cmake/toolchains/mingw-w64.cmake" \
        -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG=-O1 \
        -DBOSBASE_HTTPLIB_DIR="$httplib_dir" -DBOSBASE_WINDOWS_HEADERS="$headers" \
        -DBOSBASE_MBEDTLS_DIR="$mbedtls_dir"
run_logged "$logs/build.log" "The Windows build failed: the compiler's errors are above." \
    cmake --build "$build" -j "$(nproc)"

export WINEPREFIX="${XDG_CACHE_HOME:-$HOME/.cache}/bosbase-cpp/wineprefix"
# Quiet, but with wine's heap checks (the heap channel's warnings): freed blocks are filled and
# checked, so a program that uses freed memory crashes every time instead of now and then.
export WINEDEBUG=-all,warn+heap
# No Mono or Gecko: nothing here is .NET or HTML, and wine would offer to download them.
export WINEDLLOVERRIDES="mscoree,mshtml="
if [[ ! -f "$WINEPREFIX/system.reg" ]]; then
    echo "==> making the wine prefix $WINEPREFIX (once)"
    mkdir -p "$(dirname "$WINEPREFIX")"
    run_logged "$logs/wineboot.log" "wine could not make its prefix; remove $WINEPREFIX and try again." \
        wine wineboot --init
fi

tmp="$(mktemp -d /tmp/bosbase-windows-XXXXXX)"
server_pid="" tls_pid=""
cleanup() {
    local pid
    for pid in "$tls_pid" "$server_pid"; do
        [[ -n "$pid" ]] || continue
        kill "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    # Only this prefix's wineserver: the one this script's wine calls started.
    wineserver -k 2>/dev/null || true
    rm -rf "$tmp"
}
trap cleanup EXIT

# What wine prints when a program dies of an exception it did not handle (wine's own
# "wine: Unhandled page fault|illegal instruction|stack overflow|... at address", then the
# debugger's "Unhandled exception: ..." and backtrace) or calls a function wine lacks. Wine 8 can
# exit with status 0 after such a crash (one at exit, after main returned, is the usual case),
# so the status alone does not say a program worked.
wine_crash_markers='^wine: Unhandled |^Unhandled exception: |^wine: Call from .* to unimplemented function|starting debugger\.\.\.'

run_wine() {  # run_wine <log> <program.exe> [args...]: the program's output into <log>, shown on failure
    local log="$1" rc=0 program
    shift
    program="$(basename "$1")"
    wine "$@" >"$log" 2>&1 </dev/null || rc=$?
    if grep -qE -- "$wine_crash_markers" "$log"; then
        echo "error: $program crashed under wine (exit status $rc), output and wine's backtrace in $log:" >&2
        # The crash report starts at the first marker; the program's own lines before it matter too.
        grep -m1 -B 10 -A 50 -E -- "$wine_crash_markers" "$log" | sed 's/^/    /' >&2
        return $((rc != 0 ? rc : 1))
    fi
    if ((rc != 0)); then
        echo "error: $program failed under wine (exit $rc), 'wine $*':" >&2
        tail -n 60 "$log" | sed 's/^/    /' >&2
        return "$rc"
    fi
}

expect() {  # expect <log> <text>: the text is in the program's output
    grep -qF -- "$2" "$1" || {
        echo "error: '$2' not in the output of $(basename "$1" .log):" >&2
        sed 's/^/    /' "$1" >&2
        return 1
    }
}

expect_match() {  # expect_match <log> <extended regex>: a line of the program's output matches
    grep -qE -- "$2" "$1" || {
        echo "error: no line matching '$2' in the output of $(basename "$1" .log):" >&2
        sed 's/^/    /' "$1" >&2
        return 1
    }
}

echo "==> unit tests under wine"
run_wine "$logs/unit.log" "$build/bosbase_windows_unit_tests.exe"
tail -n 3 "$logs/unit.log" | sed 's/^/    /'

# The examples and the round trip against a server at $1.
against_server() {
    local url="$1" name="$2"
    echo "==> examples and the non-ASCII file round trip under wine against $name ($url)"
    run_wine "$logs/custom_token-$name.log" "$build/custom_token.exe" "$url"
    expect "$logs/custom_token-$name.log" "Done: custom tokens bind, sign in, and stop working once unbound."
    BOSBASE_URL="$url" run_wine "$logs/roundtrip-$name.log" "$build/bosbase_windows_roundtrip_tests.exe"
    expect "$logs/roundtrip-$name.log" "Status: SUCCESS!"
    echo "    custom_token: done; roundtrip: $(grep -F 'assertions:' "$logs/roundtrip-$name.log" | tr -s ' ')"
    if [[ "$name" == real-bosbase ]]; then  # pub/sub is BosBase's own: the dev server has none
        run_wine "$logs/pubsub_chat-$name.log" "$build/pubsub_chat.exe" "$url" user@example.com user-password \
            other@example.com other-password
        expect "$logs/pubsub_chat-$name.log" "done: both heard all 4 lines"
        echo "    pubsub_chat over ws://: done"
    fi
}

# The same programs over https:// through nginx terminating TLS (scripts/tls_proxy.sh) at $1,
# trusting the run's CA ($2, a PEM file), and a certificate from another CA refused.
over_tls() {
    local url="$1" ca name="$3" started=$SECONDS
    # As a Windows path, the way a Windows user names the file.
    ca="$(winepath -w "$2" 2>/dev/null)"
    echo "==> over https:// under wine against $name through the TLS terminator ($url)"
    BOSBASE_CA_FILE="$ca" run_wine "$logs/custom_token-$name-tls.log" "$build/custom_token.exe" "$url"
    expect "$logs/custom_token-$name-tls.log" "Done: custom tokens bind, sign in, and stop working once unbound."
    BOSBASE_CA_FILE="$ca" run_wine "$logs/records_and_files-$name-tls.log" "$build/records_and_files.exe" "$url"
    expect "$logs/records_and_files-$name-tls.log" "identical to the upload"
    BOSBASE_URL="$url" BOSBASE_CA_FILE="$ca" run_wine "$logs/roundtrip-$name-tls.log" \
        "$build/bosbase_windows_roundtrip_tests.exe"
    expect "$logs/roundtrip-$name-tls.log" "Status: SUCCESS!"
    BOSBASE_CA_FILE="$ca" run_wine "$logs/realtime_overlap-$name-tls.log" "$build/bosbase_windows_realtime_overlap.exe" "$url"
    expect "$logs/realtime_overlap-$name-tls.log" "done: create and delete arrived"
    if [[ "$name" == real-bosbase ]]; then
        BOSBASE_CA_FILE="$ca" run_wine "$logs/pubsub_chat-$name-tls.log" "$build/pubsub_chat.exe" "$url" \
            user@example.com user-password other@example.com other-password
        expect "$logs/pubsub_chat-$name-tls.log" "done: both heard all 4 lines"
        echo "    pubsub_chat over wss://: done"
    fi
    BOSBASE_URL="$url" BOSBASE_UNTRUSTED_CA_FILE="$(winepath -w "$untrusted_ca" 2>/dev/null)" \
        run_wine "$logs/untrusted_ca-$name-tls.log" "$build/bosbase_windows_roundtrip_tests.exe" --no-skip --test-suite=https
    expect_match "$logs/untrusted_ca-$name-tls.log" 'test cases: +2 \| +2 passed \| +0 failed'
    expect "$logs/untrusted_ca-$name-tls.log" "Status: SUCCESS!"
    echo "    custom_token, records_and_files, roundtrip, realtime_overlap: done; an untrusted CA: refused ($((SECONDS - started)) s)"
}

# A CA of this run that signed nothing the servers present: trusting it alone must not do.
untrusted_ca="$tmp/untrusted-ca.pem"
have_tls_proxy=0
if command -v openssl >/dev/null && { command -v nginx >/dev/null || [[ -x /usr/sbin/nginx ]]; }; then
    have_tls_proxy=1
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$tmp/untrusted-ca.key" \
        -out "$untrusted_ca" -days 2 -subj "/CN=bosbase-cpp untrusted test CA" \
        -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" >/dev/null 2>&1
fi

echo "==> building the dev server"
run_logged "$logs/dev-server-build.log" "Building the Go dev server failed (scripts/find_go.sh picks the Go)." \
    bash "$repo/scripts/build_dev_server.sh" "$build/bosbase-dev-server"
mkfifo "$tmp/ready"
"$build/bosbase-dev-server" --dir "$tmp/data" --http 127.0.0.1:0 >"$tmp/ready" 2>"$tmp/server.log" &
server_pid=$!
if ! read -r -t 60 word url <"$tmp/ready" || [[ "$word" != READY ]]; then
    echo "error: the dev server did not start:" >&2
    cat "$tmp/server.log" >&2 || true
    exit 1
fi
against_server "$url" dev-server
run_wine "$logs/records_and_files.log" "$build/records_and_files.exe" "$url"
expect "$logs/records_and_files.log" "identical to the upload"
run_wine "$logs/realtime_feed.log" "$build/realtime_feed.exe" "$url" admin@example.com admin-password
expect "$logs/realtime_feed.log" "done: 3 live changes received"
run_wine "$logs/realtime_overlap.log" "$build/bosbase_windows_realtime_overlap.exe" "$url"
expect "$logs/realtime_overlap.log" "thread_local destructors run before their storage is freed"
expect "$logs/realtime_overlap.log" "done: create and delete arrived"
echo "    records_and_files, realtime_feed, realtime_overlap: done"

# https:// against the real BosBase below; without it, against the dev server here.
if [[ -z "${BOSBASE_SRC:-}" ]]; then
    if ((have_tls_proxy)); then
        tls_port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
        bash "$repo/scripts/tls_proxy.sh" "$tmp/tls" "$tls_port" "${url#http://}" >"$logs/tls_proxy.log" 2>&1 &
        tls_pid=$!
        deadline=$((SECONDS + 20))
        until [[ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 --cacert "$tmp/tls/ca.pem" \
                    "https://127.0.0.1:$tls_port/api/health" 2>/dev/null)" == 200 ]]; do
            if ! kill -0 "$tls_pid" 2>/dev/null || ((SECONDS >= deadline)); then
                cat "$logs/tls_proxy.log" "$tmp/tls/error.log" >&2 2>/dev/null || true
                echo "error: the TLS terminator (scripts/tls_proxy.sh) in front of the dev server did not start" >&2
                exit 1
            fi
            sleep 0.1
        done
        over_tls "https://127.0.0.1:$tls_port" "$tmp/tls/ca.pem" dev-server
        kill "$tls_pid" 2>/dev/null || true
        wait "$tls_pid" 2>/dev/null || true
        tls_pid=""
    else
        echo "==> https:// under wine SKIPPED: scripts/tls_proxy.sh needs nginx and openssl (apt-get install nginx-light openssl)"
    fi
fi
kill "$server_pid" 2>/dev/null || true
wait "$server_pid" 2>/dev/null || true
server_pid=""

if [[ -n "${BOSBASE_SRC:-}" ]]; then
    export -f against_server over_tls run_wine expect expect_match
    export build logs wine_crash_markers untrusted_ca
    # set -e again in that shell (not inherited): each step of the functions fails the stage.
    bash "$repo/scripts/bosbase_server.sh" --tls -- bash -c 'set -euo pipefail
        against_server "$BOSBASE_URL" real-bosbase
        over_tls "$BOSBASE_TLS_URL" "$BOSBASE_TLS_CA" real-bosbase'
else
    echo "==> real BosBase under wine SKIPPED: set BOSBASE_SRC (README, 'Against the real BosBase server')"
fi
echo "==> Windows build: all passed"
