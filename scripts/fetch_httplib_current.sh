#!/usr/bin/env bash
# Puts the header-only httplib.h of cpp-httplib 0.41.0 (current upstream, as
# Debian unstable packages it) into build/deps/cpp-httplib-0.41.0/, for the
# `httplib-current` preset. Debian 12 itself ships 0.11.4, which the other
# presets use.
#
# The source package comes through apt from the same Debian mirror that this
# machine's apt already uses, with a deb-src line for unstable in a private apt
# state directory: the system's apt configuration and lists stay untouched, and
# apt checks the download against the signed Sources index.
set -euo pipefail

version="0.41.0"
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=lib.sh
source "$repo/scripts/lib.sh"
dest="$repo/build/deps/cpp-httplib-$version"

if [[ -f "$dest/httplib.h" ]]; then
    echo "cpp-httplib $version: $dest/httplib.h (cached)"
    exit 0
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
echo "cpp-httplib $version: fetching Debian unstable's source package"
fetch_debian_source unstable cpp-httplib "$work"

dsc="$(find "$work/src" -maxdepth 1 -name 'cpp-httplib_*.dsc' | head -n 1)"
got="$(basename "$dsc" .dsc)"
got="${got#cpp-httplib_}"
if [[ "${got%%+*}" != "$version" && "${got%%-*}" != "$version" ]]; then
    echo "fetch_httplib_current: Debian unstable now has cpp-httplib $got, not $version." >&2
    echo "Update the version in scripts/fetch_httplib_current.sh and BOSBASE_HTTPLIB_HEADER_DIR in CMakePresets.json," >&2
    echo "then check the transport against it." >&2
    exit 1
fi

# dpkg-source applies Debian's patches, if the package has any. apt has already
# checked every file against the signed Sources index, so dpkg-source need not
# look for the uploader's key (which this machine does not have).
if command -v dpkg-source >/dev/null; then
    (cd "$work/src" && dpkg-source -q --no-check -x "$(basename "$dsc")" unpacked >/dev/null)
    header="$work/src/unpacked/httplib.h"
else
    tarball="$(find "$work/src" -maxdepth 1 -name 'cpp-httplib_*.orig.tar.*' | head -n 1)"
    member="$(tar -tf "$tarball" | grep -E '^[^/]+/httplib\.h$' | head -n 1)"
    tar -xf "$tarball" -C "$work/src" "$member"
    header="$work/src/$member"
fi
if ! grep -q "#define CPPHTTPLIB_VERSION \"$version\"" "$header"; then
    echo "fetch_httplib_current: $header does not declare version $version" >&2
    exit 1
fi

mkdir -p "$dest"
cp "$header" "$dest/httplib.h.tmp"
mv "$dest/httplib.h.tmp" "$dest/httplib.h"
echo "cpp-httplib $version ($got): $dest/httplib.h"
