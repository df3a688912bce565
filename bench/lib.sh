# Shell helpers shared by the bench/ scripts; sourced, not run. They expect $work (the run's
# scratch directory) and $pids (processes to kill on exit) to be set by the script.

# Waits (at most 20 s) until the shell command $1 succeeds; on timeout says so, shows the end of
# $work/server.log when there is one, and returns 1 (which ends a `set -e` script).
wait_for() {
    i=0
    until eval "$1" 2>/dev/null; do
        i=$((i + 1))
        if [ $i -ge 200 ]; then
            echo "timed out waiting for: $1" >&2
            [ -f "$work/server.log" ] && tail -5 "$work/server.log" >&2
            return 1
        fi
        sleep 0.1
    done
}

# Starts "$@" in the background with its output appended to $work/server.log; $last is its pid,
# and it joins $pids.
start() { "$@" >>"$work/server.log" 2>&1 & last=$!; pids="$pids $last"; }
