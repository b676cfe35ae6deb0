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
