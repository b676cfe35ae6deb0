#!/usr/bin/env bash
# Exercises every way users get the SDK, each as a user would do it:
#   1. copy the header      (one compiler command, Debian's cpp-httplib and nlohmann/json)
#   2. CMake                (add_subdirectory, FetchContent, cmake --install + find_package)
#   3. pkg-config           (the installed bosbase.pc)
#   4. vcpkg and Conan      (vcpkg: offline check of the overlay port; Conan: `conan create`
#                            offline, dependencies from the system through [platform_requires])
#   5. one version          (header, CMake, bosbase.pc, vcpkg.json, conanfile.py agree)
#   6. a clean checkout     (git status is the same before and after)
# Every build happens in a temporary directory that is removed at the end. The README's
# install and Conan blocks are run as written (see readme_block), from that directory
# with bosbase-cpp linked to the checkout and HOME set to a folder in it.
#
# Needs: cmake, ninja (optional), g++ or $CXX, clang++ (optional), pkg-config,
# libcpp-httplib-dev, nlohmann-json3-dev, and for Conan python3 with venv
# (Debian: python3-venv) and access to PyPI, unless conan 2 is already on PATH.
# Environment: CXX (default g++), BOSBASE_SKIP_CONAN=1 skips step 4b (reported),
# BOSBASE_KEEP_WORK=1 keeps the temporary directory.
set -Eeuo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/bosbase-packaging.XXXXXX")"
CXX="${CXX:-g++}"
CONSUMER="$REPO/tests/packaging/consumer/main.cpp"
if command -v ninja >/dev/null 2>&1; then GEN=(-G Ninja); else GEN=(); fi
if command -v clang++ >/dev/null 2>&1; then CXX2=clang++; else CXX2="$CXX"; fi

passed=0
current=""
started=$SECONDS
PREFIX="$WORK/home/.local"   # the README's install prefix, "$HOME/.local"
git_status() { git -C "$REPO" status --porcelain --ignored 2>/dev/null | grep -vx '!! build/' || true; }
status_before="$(git_status)"

cleanup() {
    if [[ "${BOSBASE_KEEP_WORK:-0}" == 1 ]]; then
        echo "kept $WORK"
    else
        rm -rf "$WORK"
    fi
}
on_error() {
    [[ $BASH_SUBSHELL -eq 0 ]] || return 0
    echo
    echo "FAILED: $current (see the output above)" >&2
    echo "packaging: $passed passed, 1 failed"
}
trap cleanup EXIT
trap on_error ERR

step() {
    current="$1"
    echo
    echo "==> $1"
}
ok() {
    passed=$((passed + 1))
    echo "    ok: $current"
}
# Prints a command (after expansion) and runs it.
run() {
    echo "+ $*"
    "$@"
}
# Builds and runs a consumer; its output must name the header's version.
expect_consumer() {
    local out
    out="$("$@")"
    echo "$out"
    [[ "$out" == "bosbase $VERSION ok" ]] || { echo "unexpected consumer output" >&2; return 1; }
}
cmake_consumer() {  # <source dir> <build dir> <cmake args...>
    local src="$1" bin="$2"
    shift 2
    echo "+ cmake -S $src -B $bin ${GEN[*]} -DCMAKE_BUILD_TYPE=Release $*"
    cmake -S "$src" -B "$bin" "${GEN[@]}" -DCMAKE_BUILD_TYPE=Release "$@" >"$bin.log" 2>&1 ||
        { cat "$bin.log"; return 1; }
    grep -E '^-- bosbase ' "$bin.log" || true
    echo "+ cmake --build $bin"
    cmake --build "$bin" >>"$bin.log" 2>&1 || { cat "$bin.log"; return 1; }
    expect_consumer "$bin/consumer"
    if [[ -x "$bin/consumer_compiled" ]]; then expect_consumer "$bin/consumer_compiled"; fi
}

# The shell block that follows the README line "<!-- test_packaging.sh runs this block as it is: NAME -->".
readme_block() {
    awk -v marker="<!-- test_packaging.sh runs this block as it is: $1 -->" '
        $0 == marker { found = 1; next }
        found == 1 && /^```sh$/ { found = 2; next }
        found == 2 && /^```$/ { exit }
        found == 2 { print }' "$REPO/README.md"
}
# Runs a README block in $WORK, where bosbase-cpp is the checkout, with HOME=$WORK/home.
run_readme_block() {  # run_readme_block <name> <log>
    local block
    block="$(readme_block "$1")"
    [[ -n "$block" ]] || { echo "README.md has no block marked '$1'" >&2; return 1; }
    echo "+ the README's $1 block, as written:"
    sed 's/^/    /' <<<"$block"
    mkdir -p "$WORK/home"
    [[ -e "$WORK/bosbase-cpp" ]] || ln -s "$REPO" "$WORK/bosbase-cpp"
    mkdir -p "$WORK/tmp"  # Conan's $TMP folders land here and go with $WORK
    (cd "$WORK" && HOME="$WORK/home" TMPDIR="$WORK/tmp" bash -euo pipefail -c "$block") >"$2" 2>&1 || { cat "$2"; return 1; }
}

VERSION="$(sed -n 's/^#define BOSBASE_VERSION "\([^"]*\)".*/\1/p' "$REPO/bosbase.hpp")"
echo "bosbase-cpp $VERSION packaging tests"
echo "repo: $REPO"
echo "work: $WORK"
echo "tools: $(cmake --version | sed -n 1p), $("$CXX" --version | sed -n 1p), pkg-config $(pkg-config --version)," \
     "cpp-httplib $(pkg-config --modversion cpp-httplib), nlohmann_json $(pkg-config --modversion nlohmann_json)"

# --- 1. Copy the header ---------------------------------------------------------
step "1a. copy single_include/bosbase/bosbase.hpp next to main.cpp and build with one $CXX command"
mkdir -p "$WORK/copy-single"
cp "$REPO/single_include/bosbase/bosbase.hpp" "$CONSUMER" "$WORK/copy-single/"
(
    cd "$WORK/copy-single"
    # shellcheck disable=SC2046  # pkg-config output is meant to be split
    run "$CXX" -std=c++17 -I . main.cpp $(pkg-config --cflags --libs nlohmann_json cpp-httplib openssl) -o consumer
    expect_consumer ./consumer
)
ok

step "1b. build against the top-level bosbase.hpp with one $CXX2 command"
mkdir -p "$WORK/copy-root"
# shellcheck disable=SC2046
run "$CXX2" -std=c++17 -I "$REPO" "$CONSUMER" $(pkg-config --cflags --libs nlohmann_json cpp-httplib openssl) \
    -o "$WORK/copy-root/consumer"
expect_consumer "$WORK/copy-root/consumer"
ok

# --- 2. CMake -------------------------------------------------------------------
step "2a. CMake add_subdirectory() of the checkout (tests/packaging/add_subdirectory)"
cmake_consumer "$REPO/tests/packaging/add_subdirectory" "$WORK/build-add_subdirectory" \
    -DBOSBASE_SOURCE_DIR="$REPO"
ok

step "2b. CMake FetchContent from a local source archive (URL file://, no network)"
archive="$WORK/bosbase-cpp-$VERSION.tar.gz"
if git -C "$REPO" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    # The files a release archive holds: tracked and new, not ignored, still present.
    git -C "$REPO" ls-files -z --cached --others --exclude-standard |
        while IFS= read -r -d '' f; do
            if [[ -e "$REPO/$f" ]]; then printf '%s\0' "$f"; fi
        done >"$WORK/files"
    run tar -C "$REPO" --null -T "$WORK/files" --transform "s,^,bosbase-cpp-$VERSION/," -czf "$archive"
else
    run tar -C "$(dirname "$REPO")" --exclude=.git --exclude=build -czf "$archive" "$(basename "$REPO")"
fi
cmake_consumer "$REPO/tests/packaging/fetch_content" "$WORK/build-fetch_content" -DBOSBASE_URL="file://$archive"
ok

step "2c. CMake FetchContent with FETCHCONTENT_SOURCE_DIR_BOSBASE pointing at the checkout"
cmake_consumer "$REPO/tests/packaging/fetch_content" "$WORK/build-fetch_content_dir" \
    -DBOSBASE_URL="file:///nonexistent.tar.gz" -DFETCHCONTENT_SOURCE_DIR_BOSBASE="$REPO"
ok

step "2d. cmake --install to a prefix (the README's block)"
run_readme_block install "$WORK/install.log"
(cd "$PREFIX" && find . -type f | sort)
[[ ! -e "$WORK/build/bench" ]] || { echo "the install configure set up the benchmarks, which it does not install" >&2; false; }
for f in include/bosbase.hpp include/bosbase/bosbase.hpp share/cmake/bosbase/bosbaseConfig.cmake share/cmake/bosbase/bosbaseConfigVersion.cmake \
         share/cmake/bosbase/bosbaseTargets.cmake share/cmake/bosbase/bosbase_httplib.cmake share/cmake/bosbase/bosbase_compiled.cmake share/pkgconfig/bosbase.pc; do
    [[ -f "$PREFIX/$f" ]] || { echo "missing $f in the install" >&2; false; }
done
ok

step "2e. separate project: find_package(bosbase CONFIG REQUIRED) + bosbase::bosbase (tests/packaging/find_package)"
cmake_consumer "$REPO/tests/packaging/find_package" "$WORK/build-find_package" -DCMAKE_PREFIX_PATH="$PREFIX"
ok

step "2f. find_package(bosbase) without a findable cpp-httplib fails with a clear message"
if cmake -S "$REPO/tests/packaging/find_package" -B "$WORK/build-no-httplib" "${GEN[@]}" \
        -DCMAKE_PREFIX_PATH="$PREFIX" -DCMAKE_DISABLE_FIND_PACKAGE_PkgConfig=ON >"$WORK/no-httplib.log" 2>&1; then
    cat "$WORK/no-httplib.log"
    echo "configure succeeded without cpp-httplib" >&2
    false
fi
grep -A2 "bosbase needs cpp-httplib" "$WORK/no-httplib.log"
ok

# --- 3. pkg-config --------------------------------------------------------------
step "3. pkg-config: build with \$(pkg-config --cflags --libs bosbase) from the installed bosbase.pc"
mkdir -p "$WORK/pkg-config"
cp "$CONSUMER" "$WORK/pkg-config/"
(
    cd "$WORK/pkg-config"
    export PKG_CONFIG_PATH="$PREFIX/share/pkgconfig${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
    echo "PKG_CONFIG_PATH=$PKG_CONFIG_PATH"
    run pkg-config --modversion bosbase
    [[ "$(pkg-config --modversion bosbase)" == "$VERSION" ]]
    # shellcheck disable=SC2046
    run "$CXX" -std=c++17 -DBOSBASE_CONSUMER_BOTH_SPELLINGS main.cpp $(pkg-config --cflags --libs bosbase) -o consumer
    expect_consumer ./consumer
)
ok

# --- 4. vcpkg and Conan ---------------------------------------------------------
step "4a. vcpkg overlay port ports/bosbase: manifest, portfile run with vcpkg-helper stand-ins, package tree"
run cmake -DPORT_DIR="$REPO/ports/bosbase" -DWORK_DIR="$WORK/vcpkg" -DREFERENCE_PREFIX="$PREFIX" \
    -P "$REPO/tests/packaging/check_vcpkg_port.cmake"
echo "    find_package(bosbase) from the vcpkg-shaped package tree:"
cmake_consumer "$REPO/tests/packaging/find_package" "$WORK/build-vcpkg-consumer" \
    -DCMAKE_PREFIX_PATH="$WORK/vcpkg/packages/bosbase"
ok

CONAN=""
if [[ "${BOSBASE_SKIP_CONAN:-0}" == 1 ]]; then
    step "4b. Conan: SKIPPED (BOSBASE_SKIP_CONAN=1)"
else
    step "4b. Conan: conan create (offline, [platform_requires] on the system's cpp-httplib and nlohmann_json)"
    if command -v conan >/dev/null 2>&1 && conan --version | grep -q 'version 2\.'; then
        CONAN="$(command -v conan)"
    else
        echo "installing Conan 2 from PyPI into a venv"
        run python3 -m venv "$WORK/venv" ||
            { echo "python3 -m venv failed; on Debian: apt-get install python3-venv" >&2; false; }
        run "$WORK/venv/bin/python" -m pip install --quiet --disable-pip-version-check "conan>=2,<3"
        CONAN="$WORK/venv/bin/conan"
    fi
    run "$CONAN" --version
    export CONAN_HOME="$WORK/conan-home"
    PATH="$(dirname "$CONAN"):$PATH" run_readme_block conan "$WORK/conan.log"
    grep -A3 '^\[platform_requires\]' "$WORK/system-deps.profile"
    for dep in cpp-httplib nlohmann_json; do
        grep -q "^$dep/$(pkg-config --modversion "$dep")\$" "$WORK/system-deps.profile" ||
            { echo "the README's Conan profile names another $dep than this machine's $(pkg-config --modversion "$dep")" >&2; false; }
    done
    sed -n '/======== Computing necessary packages ========/,/======== Installing packages/p' "$WORK/conan.log" |
        grep -E 'bosbase/|cpp-httplib/|nlohmann_json/'
    grep -E 'Including build module|bosbase .* from Conan' "$WORK/conan.log"
    grep -q "bosbase $VERSION from Conan: ok" "$WORK/conan.log"
    ok
fi

# --- 5. One version -------------------------------------------------------------
step "5a. header, CMake project, installed bosbase.pc, vcpkg.json and conanfile.py carry one version"
project_version="$(sed -n 's/^CMAKE_PROJECT_VERSION:STATIC=//p' "$WORK/build/CMakeCache.txt")"
run cmake -DSOURCE_DIR="$REPO" -DPREFIX="$PREFIX" -DPROJECT_VERSION="$project_version" \
    ${CONAN:+-DCONAN="$CONAN"} -P "$REPO/tests/packaging/check_versions.cmake"
ok

step "5b. the version check fails when vcpkg.json disagrees"
mkdir -p "$WORK/mismatch/ports/bosbase" "$WORK/mismatch/single_include/bosbase"
cp "$REPO/bosbase.hpp" "$REPO/conanfile.py" "$WORK/mismatch/"
cp "$REPO/single_include/bosbase/bosbase.hpp" "$WORK/mismatch/single_include/bosbase/"
sed 's/"version": "[^"]*"/"version": "99.0.0"/' "$REPO/ports/bosbase/vcpkg.json" >"$WORK/mismatch/ports/bosbase/vcpkg.json"
if cmake -DSOURCE_DIR="$WORK/mismatch" -DPREFIX="$PREFIX" -P "$REPO/tests/packaging/check_versions.cmake" \
        >"$WORK/mismatch.log" 2>&1; then
    cat "$WORK/mismatch.log"
    echo "a wrong vcpkg.json version went unnoticed" >&2
    false
fi
grep -E "FAIL|mismatch" "$WORK/mismatch.log"
ok

# --- 6. A clean checkout -------------------------------------------------------
step "6. the checkout is as before: git status (ignored files too, build/ aside) did not change"
status_after="$(git_status)"
if [[ "$status_after" != "$status_before" ]]; then
    diff <(echo "$status_before") <(echo "$status_after") >&2 || true
    echo "the packaging checks left files in the checkout (above)" >&2
    false
fi
ok

echo
echo "all packaging checks passed in $((SECONDS - started)) s"
if [[ -z "$CONAN" ]]; then
    echo "packaging: $passed passed, 0 failed, 1 skipped"
else
    echo "packaging: $passed passed, 0 failed"
fi
