# Shared by the scripts: sourced, not run.

# run_logged <log> <hint> <command...>
# Runs a command with its output in <log>. Keeps a long build quiet when it works;
# when it fails, shows the end of what it printed and what to do, and returns its status.
run_logged() {
    local log="$1" hint="$2" rc=0
    shift 2
    mkdir -p "$(dirname "$log")"
    "$@" >"$log" 2>&1 || rc=$?
    if ((rc != 0)); then
        {
            echo "error: '$*' failed (exit $rc). The last 40 lines of its output ($log):"
            tail -n 40 "$log" | sed 's/^/    /'
            echo "$hint"
        } >&2
    fi
    return "$rc"
}

# use_compiler_cache: every C++ compile of the scripts goes through ccache when it is installed,
# with the cache beside the server binary's (${XDG_CACHE_HOME:-~/.cache}/bosbase-cpp/ccache), so a
# second run of the suite rebuilds only what changed; a fresh clone of a commit built before reuses
# most of it (about two thirds of the compiles hit there). Precompiled headers stay
# cacheable through the sloppiness ccache documents for them. BOSBASE_NO_CCACHE=1 turns it off.
use_compiler_cache() {
    [[ -z "${BOSBASE_NO_CCACHE:-}" ]] || return 0
    command -v ccache >/dev/null 2>&1 || return 0
    local repo="$1"
    export CCACHE_DIR="${CCACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/bosbase-cpp/ccache}"
    export CCACHE_BASEDIR="$repo"
    export CCACHE_NOHASHDIR=true
    export CCACHE_SLOPPINESS="pch_defines,time_macros,include_file_mtime,include_file_ctime"
    export CCACHE_MAXSIZE="${CCACHE_MAXSIZE:-8G}"
    export CMAKE_CXX_COMPILER_LAUNCHER=ccache
    export CMAKE_C_COMPILER_LAUNCHER=ccache
    echo "==> compiler cache: ccache in $CCACHE_DIR"
}

# fetch_debian_source <suite> <package> <folder>: downloads <package>'s Debian source package from
# <suite> (bookworm, unstable) into <folder>, through apt from the Debian mirror this machine's apt
# already uses, with a deb-src line in a private apt state inside <folder>: the system's apt
# configuration and lists stay untouched, and apt checks every file against the signed Sources
# index. The .dsc and its files land in <folder>/src.
fetch_debian_source() {
    local suite="$1" package="$2" work="$3" mirror="" f uri
    for f in /etc/apt/sources.list.d/*.sources; do  # the Debian archive, not the security one
        [[ -f "$f" && -z "$mirror" ]] || continue
        for uri in $(awk 'tolower($1) == "uris:" { for (i = 2; i <= NF; i++) print $i }' "$f"); do
            if [[ "$uri" =~ ^[a-z]+://.*/debian/?$ ]]; then mirror="${uri%/}"; break; fi
        done
    done
    for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
        [[ -f "$f" && -z "$mirror" ]] || continue
        for uri in $(awk '$1 == "deb" || $1 == "deb-src" { for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) print $i }' "$f"); do
            if [[ "$uri" =~ ^[a-z]+://.*/debian/?$ ]]; then mirror="${uri%/}"; break; fi
        done
    done
    if [[ -z "$mirror" ]]; then
        echo "error: no Debian archive found in /etc/apt/sources.list{,.d} to fetch $package from" >&2
        return 1
    fi
    mkdir -p "$work/lists/partial" "$work/cache/archives/partial" "$work/src"
    echo "deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror $suite main" >"$work/sources.list"
    # apt downloads as the unprivileged _apt user where it exists.
    if [[ $EUID -eq 0 ]] && id _apt >/dev/null 2>&1; then
        chown -R _apt "$work"
    fi
    local apt_private=(
        -o "Dir::Etc::SourceList=$work/sources.list"
        -o "Dir::Etc::SourceParts=/dev/null"
        -o "Dir::State::Lists=$work/lists"
        -o "Dir::Cache=$work/cache"
        -o "Dir::Cache::pkgcache="
        -o "Dir::Cache::srcpkgcache="
    )
    apt-get "${apt_private[@]}" -qq update
    (cd "$work/src" && apt-get "${apt_private[@]}" -qq source --download-only "$package")
}
