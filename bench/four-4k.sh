#!/bin/bash
# Issue #6's load (docs/benchmarks.md, "Four 4K outputs"): `porthole serve --device
# --output-ports` with four 3840x2160 outputs, each fed at 60 fps with desktop-typical damage
# (three glyph cells typed and an 800x600 window dragged per frame) by
# Benchmarks/Sources/four-4k-bench, and measuring viewers on every output port:
#
#   1. one viewer per output for FPS_SECONDS (default 20): frames delivered per second per
#      viewer and latency (feed's paint time stamped into pixel (0,0) to the viewer's decode);
#   2. two viewers per output (eight) for the run, 60 s by default or --minutes N: the server's
#      VmRSS (with RssAnon and RssShmem) sampled every second, its steady state, its growth (a
#      least-squares slope, and with 3 minutes or more each minute's mean and the last minute
#      against minute 2).
#
# It also prints the CPU of the producers' and the viewers' processes next to the server's, to
# tell which of them limits the frame rate.
#
#   bench/four-4k.sh [--minutes N | --seconds N] [OUT_CSV]   (default: bench/results/four-4k.csv)
#
# PORTHOLE_BIN names a porthole binary to use instead of building one in release mode.
# PORT (default 5960) is the first output's port; the others are PORT+1...PORT+3.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
seconds=60
case "${1:-}" in
    --minutes) seconds=$(( ${2:?--minutes takes a number} * 60 )); shift 2 ;;
    --seconds) seconds=${2:?--seconds takes a number}; shift 2 ;;
esac
csv=${1:-"$root/bench/results/four-4k.csv"}
fps_seconds=${FPS_SECONDS:-20}
port=${PORT:-5960}
mkdir -p "$(dirname "$csv")"
work=$(mktemp -d)
pids=""
cleanup() { for p in $pids; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT INT TERM

if [ -z "${PORTHOLE_BIN:-}" ]; then (cd "$root" && swift build -c release --product porthole) >&2; fi
(cd "$root/Benchmarks" && swift build -c release --product four-4k-bench) >&2
porthole=${PORTHOLE_BIN:-"$root/.build/release/porthole"}
bench="$root/Benchmarks/.build/release/four-4k-bench"

socket="$work/porthole-0"
"$porthole" serve --device --output-ports --socket "$socket" --listen "127.0.0.1:$port" > "$work/serve.log" 2>&1 &
server=$!
pids="$server"
for _ in $(seq 100); do [ -S "$socket" ] && break; sleep 0.2; done
[ -S "$socket" ] || { echo "porthole serve did not create $socket" >&2; cat "$work/serve.log" >&2; exit 1; }
"$bench" feed "$socket" 4 3840 2160 2> "$work/feed.log" &
feed=$!
pids="$pids $feed"
feed_started=$(date +%s)
for _ in $(seq 100); do [ "$(grep -c 'output Bench-. on' "$work/serve.log")" = 4 ] && break; sleep 0.2; done
grep 'output Bench-. on' "$work/serve.log" >&2 || { echo "no output listeners; server log:" >&2; cat "$work/serve.log" >&2; exit 1; }
"$bench" view "$server" "$fps_seconds" "$seconds" "$csv" "$port" $((port + 1)) $((port + 2)) $((port + 3))
# The producers' own rate: every 10 s each logs the frames per second it committed (each commit
# waits for its page flip, so 60 is the most).
echo "producers committed (frames/s, median of 10-second windows per output):"
for n in 1 2 3 4; do
    grep "^committed Bench-$n " "$work/feed.log" | awk '{print $3}' | sort -n |
        awk -v n="$n" '{v[NR]=$1} END {if (NR) printf "  Bench-%d: %s (%d windows)\n", n, v[int((NR+1)/2)], NR}'
done
# The server's frame clocks, once a minute per output when ticks were late, a producer missed
# ticks, or scanout pictures were still held (runs shorter than a minute report nothing).
grep "frame clock:" "$work/serve.log" | sed 's/^.*display device: /  /' || true
# The producers' CPU (utime + stime, proc(5)) over their whole run: far below 100% means they
# wait for page flips, not for the CPU.
ticks=$(awk '{print $14 + $15}' "/proc/$feed/stat")
echo "producers' process CPU: $(awk -v t="$ticks" -v s=$(( $(date +%s) - feed_started )) -v hz="$(getconf CLK_TCK)" 'BEGIN {printf "%.1f%% of one core over %d s", t / hz / s * 100, s}')"
echo "CSV: $csv" >&2
