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
dest="$repo/build/deps/cpp-httplib-$version"

if [[ -f "$dest/httplib.h" ]]; then
    echo "cpp-httplib $version: $dest/httplib.h (cached)"
    exit 0
fi

# The Debian archive URI of the existing apt configuration (not the security one).
debian_mirror() {
    local f uri
    for f in /etc/apt/sources.list.d/*.sources; do
        [[ -f "$f" ]] || continue
        for uri in $(awk 'tolower($1) == "uris:" { for (i = 2; i <= NF; i++) print $i }' "$f"); do
            if [[ "$uri" =~ ^[a-z]+://.*/debian/?$ ]]; then echo "${uri%/}"; return 0; fi
        done
    done
    for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
        [[ -f "$f" ]] || continue
        for uri in $(awk '$1 == "deb" || $1 == "deb-src" { for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) print $i }' "$f"); do
            if [[ "$uri" =~ ^[a-z]+://.*/debian/?$ ]]; then echo "${uri%/}"; return 0; fi
        done
    done
    return 1
}

mirror="$(debian_mirror)" || {
    echo "fetch_httplib_current: no Debian archive found in /etc/apt/sources.list{,.d}" >&2
    exit 1
}

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/lists/partial" "$work/cache/archives/partial" "$work/src"
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
echo "deb-src [signed-by=$keyring] $mirror unstable main" >"$work/sources.list"
# apt downloads as the unprivileged _apt user where it exists.
if [[ $EUID -eq 0 ]] && id _apt >/dev/null 2>&1; then
    chown -R _apt "$work"
fi

apt_private=(
    -o "Dir::Etc::SourceList=$work/sources.list"
    -o "Dir::Etc::SourceParts=/dev/null"
    -o "Dir::State::Lists=$work/lists"
    -o "Dir::Cache=$work/cache"
    -o "Dir::Cache::pkgcache="
    -o "Dir::Cache::srcpkgcache="
)

echo "cpp-httplib $version: fetching Debian unstable's source package"
apt-get "${apt_private[@]}" -qq update
(cd "$work/src" && apt-get "${apt_private[@]}" -qq source --download-only cpp-httplib)

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
