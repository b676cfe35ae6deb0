#!/usr/bin/env bash
# Prints the path of a Go toolchain that can build the dev server (tests/server
# needs Go >= 1.25), fetching a pinned one when the machine has only an older Go.
#
# Usage: scripts/find_go.sh [--installed-only]
#   Candidates, first match wins: $GO (if set, it must qualify), `go` on PATH,
#   /usr/local/go/bin/go, and the pinned toolchain below if it was fetched before.
#   Without a qualifying one, any older Go (Debian 12's golang-go is 1.19) downloads
#   the pinned toolchain as the module golang.org/toolchain from the Go module proxy
#   into the module cache, where the go command keeps the toolchains it fetches
#   itself. --installed-only never downloads; it exits 1 when nothing qualifies.
# Messages go to stderr; stdout is only the path.
#
# Why a module download and not GOTOOLCHAIN=auto: Debian 12's Go 1.19 predates
# toolchain switching, and a user's `go env -w GOTOOLCHAIN=local` would stop a newer
# go from switching. `go mod download` of a pinned version is neither, and the
# checksum below is checked here as well, so GOSUMDB=off or another GOPROXY cannot
# change what runs.
set -euo pipefail

readonly min_minor=25
readonly pinned=go1.25.14
declare -A pinned_sums=(
    [amd64]="h1:XriDgll2yv4W2YeUo2X/WuUuy+iGJkXGH0CQloMBEXo="
    [arm64]="h1:tccCYNAEolyjUyQVNxD/wJuly2Sx85m+OUkzGIhO1oY="
)

fetch=1
case "${1:-}" in
    "") ;;
    --installed-only) fetch=0 ;;
    *) echo "usage: $0 [--installed-only]" >&2; exit 2 ;;
esac

# The version a go binary reports ("go1.25.14"), or nothing when it does not run.
# GOTOOLCHAIN=local and a neutral directory: a newer go must report itself, not
# switch to whatever a go.mod or the user's go env asks for.
go_version_of() {
    (cd / && GOTOOLCHAIN=local "$1" version 2>/dev/null) | awk '{print $3}'
}

qualifies() {  # qualifies <goX.Y[.Z]>
    [[ "$1" =~ ^go1\.([0-9]+) ]] && ((BASH_REMATCH[1] >= min_minor))
}

if [[ -n "${GO:-}" ]]; then
    v="$(go_version_of "$GO")"
    if qualifies "$v"; then echo "$GO"; exit 0; fi
    echo "error: GO=$GO is ${v:-not a working go binary}; the dev server needs Go >= 1.$min_minor" >&2
    exit 1
fi

candidates=()
if command -v go >/dev/null 2>&1; then candidates+=("$(command -v go)"); fi
candidates+=(/usr/local/go/bin/go)

older=""
for c in "${candidates[@]}"; do
    [[ -x "$c" ]] || continue
    v="$(go_version_of "$c")"
    if qualifies "$v"; then echo "$c"; exit 0; fi
    [[ -n "$v" && -z "$older" ]] && older="$c"
done
if [[ -z "$older" && -x /usr/bin/go ]]; then older=/usr/bin/go; fi

if [[ -z "$older" ]]; then
    echo "error: no Go found (the dev server needs Go >= 1.$min_minor)." >&2
    echo "       Run: bash scripts/install_deps.sh   (installs Debian's golang-go, which fetches $pinned)" >&2
    exit 1
fi

arch="$(cd / && "$older" env GOARCH)"
sum="${pinned_sums[$arch]:-}"
if [[ -z "$sum" ]]; then
    echo "error: no pinned $pinned for linux-$arch; install Go >= 1.$min_minor and put it on PATH or in GO" >&2
    exit 1
fi
module="golang.org/toolchain@v0.0.1-$pinned.linux-$arch"
# Outside any module (go 1.19 cannot parse a go.mod that says 1.25) and any workspace.
modcache="$(cd / && GOWORK=off "$older" env GOMODCACHE)"
dir="$modcache/$module"

if [[ ! -x "$dir/bin/go" ]]; then
    if ((!fetch)); then exit 1; fi
    echo "==> $("$older" version | awk '{print $3}') is too old for the dev server; fetching $pinned as the module $module" >&2
    json="$(cd / && GOWORK=off GO111MODULE=on GOFLAGS=-mod=mod "$older" mod download -json "$module")" || {
        echo "$json" >&2
        echo "error: could not download $module with $older (is the Go module proxy reachable? go env GOPROXY: $("$older" env GOPROXY))" >&2
        exit 1
    }
    got="$(sed -n 's/^[[:space:]]*"Sum": "\(.*\)",\{0,1\}$/\1/p' <<<"$json")"
    if [[ "$got" != "$sum" ]]; then
        echo "error: $module has checksum '$got', expected the pinned $sum; not using it" >&2
        exit 1
    fi
    # The module zip keeps no file modes; the go command sets these bits the same
    # way when it switches toolchains itself, so both share this directory.
    chmod u+w "$dir" "$dir/bin" "$dir"/pkg/tool/*/
    chmod a+x "$dir"/bin/* "$dir"/pkg/tool/*/*
    chmod a-w "$dir" "$dir/bin" "$dir"/pkg/tool/*/
fi

v="$(go_version_of "$dir/bin/go")"
if [[ "$v" != "$pinned" ]]; then
    echo "error: $dir/bin/go reports '${v:-nothing}', expected $pinned" >&2
    exit 1
fi
echo "$dir/bin/go"
