#!/usr/bin/env bash
# Pub/sub figures on loopback against the real BosBase: publish-to-receive round trip and
# messages per second, bosbase-cpp (cpp-httplib 0.41.0, -O2) beside the npm SDK `bosbase`,
# alternating over a few rounds on one server. Figures only; nothing passes or fails on them.
#
# Usage: BOSBASE_SRC=<tree or .tar.gz> [PGVECTOR_SRC=...] bash scripts/bench_pubsub.sh [messages] [rounds]
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"
n="${1:-300}"
rounds="${2:-3}"
js_peer="bosbase@0.26.3"  # as in scripts/bench.sh

if [[ -z "${BOSBASE_SRC:-}" ]]; then
    exec bash scripts/bosbase_server.sh  # says what is missing and how to give it
fi
for tool in node npm; do
    command -v "$tool" >/dev/null || { echo "bench_pubsub: needs $tool for the JS peer" >&2; exit 1; }
done

bash scripts/fetch_httplib_current.sh >/dev/null
# shellcheck source=lib.sh
source "$repo/scripts/lib.sh"
use_compiler_cache "$repo" >/dev/null
out="$repo/build/bench-pubsub"
mkdir -p "$out"
echo "==> building bench/pubsub_roundtrip.cpp (-O2, cpp-httplib 0.41.0)" >&2
"${CXX:-c++}" -std=c++17 -O2 -DNDEBUG -DCPPHTTPLIB_OPENSSL_SUPPORT -Iinclude -isystem build/deps/cpp-httplib-0.41.0 \
    bench/pubsub_roundtrip.cpp -o "$out/pubsub_roundtrip" -pthread -lssl -lcrypto

peer_dir="$(mktemp -d)"
trap 'rm -rf "$peer_dir"' EXIT
echo "==> installing $js_peer into $peer_dir" >&2
npm install --silent --no-audit --no-fund --no-save --prefix "$peer_dir" "$js_peer" >&2

# One server for all rounds; without REDIS_URL messages go through its _pubsub_messages table.
export BENCH_N="$n" BENCH_ROUNDS="$rounds" BENCH_BIN="$out/pubsub_roundtrip" BENCH_JS="$peer_dir/node_modules"
# With nginx in front (--tls): the same SDK over ws:// through nginx without TLS and over wss://
# through it, so the TLS session's own cost shows apart from the proxy hop's.
bash scripts/bosbase_server.sh --tls -- bash -c '
    for ((r = 1; r <= BENCH_ROUNDS; r++)); do
        "$BENCH_BIN" "$BOSBASE_URL" user@example.com user-password "$BENCH_N"
        node --experimental-websocket bench/peers/pubsub.mjs "$BENCH_JS" "$BOSBASE_URL" \
            user@example.com user-password "$BENCH_N"
        printf "via nginx, ws://  "
        "$BENCH_BIN" "$BOSBASE_TLS_PLAIN_URL" user@example.com user-password "$BENCH_N"
        printf "via nginx, wss:// "
        "$BENCH_BIN" "$BOSBASE_TLS_URL" user@example.com user-password "$BENCH_N" "$BOSBASE_TLS_CA"
    done'
