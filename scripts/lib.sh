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
