#!/usr/bin/env bash
# Proves the README's promise for Go: on a Debian 12 machine whose only Go is
# Debian's own (1.19) or none, the scripts end up with a Go >= 1.25 that builds the
# dev server, and the demo passes. Run by scripts/test.sh (so by CI); needs root.
#
# In a private mount namespace (unshare -m) it hides every Go >= 1.25 the machine
# has (an empty tmpfs over its GOROOT, and a PATH without it), starts from an empty
# Go module cache, puts GOTOOLCHAIN=local into the go env file (a user's setting
# that stops a newer go from switching toolchains), and runs scripts/demo.sh,
# which runs scripts/install_deps.sh. It then checks that CMake (what
# scripts/test.sh configures) picks the same Go. To stay fast, module downloads are
# served first from this machine's module cache (a file:// GOPROXY entry), then from
# the configured proxy; the build cache is shared.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
readonly minimal_path=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
started=$SECONDS

if [[ "${1:-}" != --inside ]]; then
    if [[ $(id -u) -ne 0 ]] || ! command -v unshare >/dev/null 2>&1; then
        # CI runs as root; a developer's run without root still gets every other test.
        if [[ "${CI:-}" != true ]]; then
            echo "fresh-Go check: SKIPPED (it needs root and unshare to hide the machine's Go; CI runs it)"
            exit 0
        fi
        echo "error: this check needs root and unshare (util-linux) to hide the machine's Go" >&2
        exit 1
    fi
    # The machine's module cache and proxy settings, read with whatever Go is here.
    any_go="$(PATH="$minimal_path:/usr/local/go/bin" type -P go || true)"
    modcache="" proxy="" go_env_file=""
    if [[ -n "$any_go" ]]; then
        modcache="$(cd / && GOTOOLCHAIN=local GOWORK=off "$any_go" env GOMODCACHE)"
        proxy="$(cd / && GOTOOLCHAIN=local GOWORK=off "$any_go" env GOPROXY)"
        go_env_file="$(cd / && GOTOOLCHAIN=local GOWORK=off "$any_go" env GOENV)"
    fi
    work="$(mktemp -d /tmp/bosbase-fresh-go-XXXXXX)"
    trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT
    {
        if [[ -f "$go_env_file" ]]; then grep -v '^GOTOOLCHAIN=' "$go_env_file" || true; fi
        echo GOTOOLCHAIN=local
    } >"$work/go.env"
    if [[ -d "$modcache/cache/download" ]]; then
        proxy="file://$modcache/cache/download${proxy:+,$proxy}"
    fi
    unshare -m --propagation private env -i PATH="$minimal_path" HOME="$HOME" CI="${CI:-}" \
        TMPDIR="${TMPDIR:-/tmp}" GOENV="$work/go.env" GOMODCACHE="$work/modcache" ${proxy:+GOPROXY="$proxy"} \
        BOSBASE_FRESH_GO_WORK="$work" \
        bash "$repo/scripts/check_fresh_go.sh" --inside
    exit
fi

# --- inside the namespace -------------------------------------------------------
work="$BOSBASE_FRESH_GO_WORK"
# Hide each Go >= 1.25 that find_go.sh finds until it finds none.
hidden=()
while go_bin="$(bash "$repo/scripts/find_go.sh" --installed-only 2>/dev/null)"; do
    root="$(cd / && GOTOOLCHAIN=local "$go_bin" env GOROOT)"
    if [[ " ${hidden[*]} " == *" $root "* ]]; then
        echo "error: could not hide the machine's Go: $go_bin is still found" >&2
        exit 1
    fi
    mount -t tmpfs tmpfs "$root"
    hidden+=("$root")
done
echo "hidden: ${hidden[*]:-(no Go >= 1.25 was installed)}; PATH=$PATH"
echo "before: no Go >= 1.25 is reachable; go on PATH: $(type -P go >/dev/null && go version || echo none)"
echo "        go env file has GOTOOLCHAIN=local; module cache empty ($GOMODCACHE)"

echo
echo "==> bash scripts/demo.sh (runs scripts/install_deps.sh)"
bash "$repo/scripts/demo.sh" >"$work/demo.log" 2>&1 || {
    tail -n 60 "$work/demo.log" >&2
    echo "error: scripts/demo.sh failed with the machine's Go hidden (its output above)" >&2
    exit 1
}
grep -E '^==> (installing|using|go1)|^Done:' "$work/demo.log"

go_bin="$(bash "$repo/scripts/find_go.sh" --installed-only)"
case "$go_bin" in
    "$GOMODCACHE"/*) ;;
    *) echo "error: expected the fetched toolchain under $GOMODCACHE, got $go_bin" >&2; exit 1 ;;
esac

echo
echo "==> CMake (as scripts/test.sh configures it) picks the same Go"
cmake -S "$repo" -B "$work/cmake" -DBOSBASE_BUILD_EXAMPLES=OFF -DBOSBASE_BUILD_BENCHMARKS=OFF >"$work/cmake.log" 2>&1 || {
    tail -n 40 "$work/cmake.log" >&2
    exit 1
}
grep -F "bosbase: dev server Go: $go_bin" "$work/cmake.log"

echo
echo "fresh-Go check passed in $((SECONDS - started)) s: with only Debian's $(go version | awk '{print $3}') (and" \
     "GOTOOLCHAIN=local in the go env), install_deps.sh fetched $(GOTOOLCHAIN=local "$go_bin" version | awk '{print $3}')," \
     "which built the dev server, and the demo passed"
