#!/usr/bin/env bash
# Mbed TLS for the Windows build: Debian 12's source package of mbedtls, cross-compiled with
# mingw-w64 (the gcc of cmake/toolchains/mingw-w64.cmake) into its three static libraries,
# mbedtls, mbedx509 and mbedcrypto, with their headers. cpp-httplib 0.41.0 uses it for https://
# when built with CPPHTTPLIB_MBEDTLS_SUPPORT (tests/windows/CMakeLists.txt).
#
# Usage: scripts/fetch_mbedtls_mingw.sh   (prints the folder: include/ and lib/ inside)
#
# The result is kept in ${XDG_CACHE_HOME:-~/.cache}/bosbase-cpp/mbedtls-mingw-<version>/, so a
# second run costs nothing. The source comes through apt from the Debian mirror this machine's
# apt already uses, with a deb-src line in a private apt state directory, as
# scripts/fetch_httplib_current.sh does: the system's apt configuration and lists stay
# untouched, and apt checks the download against the signed Sources index. Of the options
# Debian's build turns on (debian/rules), threading is the one that matters here: a TLS
# context used from two threads stays consistent, as with Debian's own libmbedtls. Only the
# libraries are compiled: no programs, no tests.
set -euo pipefail

version="2.28.3"
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cache="${XDG_CACHE_HOME:-$HOME/.cache}/bosbase-cpp"
dest="$cache/mbedtls-mingw-$version"

if [[ -f "$dest/lib/libmbedtls.a" && -f "$dest/lib/libmbedx509.a" && -f "$dest/lib/libmbedcrypto.a" &&
      -f "$dest/include/mbedtls/ssl.h" ]]; then
    echo "$dest"
    exit 0
fi
for tool in x86_64-w64-mingw32-gcc-posix cmake ninja apt-get; do
    command -v "$tool" >/dev/null 2>&1 || {
        echo "fetch_mbedtls_mingw: $tool is missing: bash scripts/install_deps.sh installs it" >&2
        exit 1
    }
done
started=$SECONDS

# shellcheck source=lib.sh
source "$repo/scripts/lib.sh"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
echo "==> mbedtls $version for mingw-w64: fetching Debian 12's source package" >&2
fetch_debian_source bookworm mbedtls "$work"
dsc="$(find "$work/src" -maxdepth 1 -name 'mbedtls_*.dsc' | head -n 1)"
[[ -n "$dsc" ]] || { echo "fetch_mbedtls_mingw: apt fetched no mbedtls source package" >&2; exit 1; }
got="$(basename "$dsc" .dsc)"
got="${got#mbedtls_}"
if [[ "${got%%-*}" != "$version" ]]; then
    echo "fetch_mbedtls_mingw: Debian 12 now has mbedtls $got, not $version." >&2
    echo "Update the version in scripts/fetch_mbedtls_mingw.sh and run the Windows stage against it." >&2
    exit 1
fi
# apt has checked every file against the signed Sources index, so dpkg-source need not look
# for the uploader's key (which this machine does not have). Without dpkg-source, the upstream
# tarball is the source, which is the same as long as Debian's package patches nothing.
if command -v dpkg-source >/dev/null; then
    (cd "$work/src" && dpkg-source -q --no-check -x "$(basename "$dsc")" unpacked >/dev/null)
else
    if tar -tf "$(find "$work/src" -maxdepth 1 -name 'mbedtls_*.debian.tar.*' | head -n 1)" | grep -q '^debian/patches/series$'; then
        echo "fetch_mbedtls_mingw: Debian's mbedtls $got has patches: dpkg-source applies them (apt-get install dpkg-dev)" >&2
        exit 1
    fi
    mkdir -p "$work/src/unpacked"
    tar -xzf "$(find "$work/src" -maxdepth 1 -name 'mbedtls_*.orig.tar.gz' | head -n 1)" -C "$work/src/unpacked" --strip-components=1
fi
# winpthreads (the posix thread model of mingw-w64) provides the pthread mutexes.
for option in MBEDTLS_THREADING_C MBEDTLS_THREADING_PTHREAD; do
    (cd "$work/src/unpacked" && python3 scripts/config.py set "$option")
done

use_compiler_cache "$repo" >/dev/null
echo "==> mbedtls $got: cross-compiling its static libraries with mingw-w64 (once; cached in $dest)" >&2
# -O2 without -g; warnings are the library's business (MBEDTLS_FATAL_WARNINGS off), not this build's.
run_logged "$work/configure.log" "Configuring mbedtls for mingw-w64 failed." \
    cmake -S "$work/src/unpacked" -B "$work/build" -G Ninja \
        -DCMAKE_TOOLCHAIN_FILE="$repo/cmake/toolchains/mingw-w64.cmake" \
        -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX="$work/install" \
        -DENABLE_PROGRAMS=OFF -DENABLE_TESTING=OFF -DGEN_FILES=OFF \
        -DUSE_STATIC_MBEDTLS_LIBRARY=ON -DUSE_SHARED_MBEDTLS_LIBRARY=OFF \
        -DMBEDTLS_FATAL_WARNINGS=OFF -DINSTALL_MBEDTLS_HEADERS=ON
run_logged "$work/build.log" "Building mbedtls for mingw-w64 failed: the compiler's errors are above." \
    cmake --build "$work/build" -j "$(nproc)"
run_logged "$work/install.log" "Installing mbedtls into $work/install failed." \
    cmake --install "$work/build"

mkdir -p "$dest.tmp.$$/lib"
cp -r "$work/install/include" "$dest.tmp.$$/"
for lib in mbedtls mbedx509 mbedcrypto; do
    cp "$work/install/lib/lib$lib.a" "$dest.tmp.$$/lib/"
done
echo "mbedtls $got (Debian 12's source package), built by scripts/fetch_mbedtls_mingw.sh" >"$dest.tmp.$$/SOURCE"
# Renamed into place: another run at the same time never sees half a tree.
rm -rf "$dest"
mv "$dest.tmp.$$" "$dest"
echo "==> mbedtls $got for mingw-w64 built in $((SECONDS - started)) s: $dest" >&2
echo "$dest"
