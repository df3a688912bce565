#!/bin/bash
# Profiles `porthole serve --device` on one workload of bench/run-peers.sh (docs/benchmarks.md,
# "Where the CPU goes"): the server (release), porthole-feed as the producer, peers-bench as the
# viewer (ZRLE only), and `perf record -g` on the server while the frames are fed. Prints the
# viewer's CSV row (its server CPU ms/frame is the run-peers.sh figure) and writes PERF_DATA.
#
#   bench/device-profile.sh WORKLOAD [FRAMES] [PERF_DATA]
#       then: perf report -i PERF_DATA --no-children --sort symbol
#   PERF=0 bench/device-profile.sh WORKLOAD [FRAMES]     (no perf: only the CSV row)
#   ENCODINGS=tight has the viewer ask for lossless Tight instead of ZRLE.
#   ENCODINGS=zrle+copyrect makes the viewer take CopyRect too (default zrle), and porthole-feed
#   commit the moves of scrolling and drag (its `moves` argument), as in run-peers.sh's CopyRect mode.
#   PORTHOLE, FEED and VIEWER name other binaries (say, a copy of an earlier build, to compare).
#
# Build first, with symbols for the profile:
#   swift build -c release --product porthole -Xswiftc -g
#   (cd Benchmarks && swift build -c release --product peers-bench && swift build -c release --product porthole-feed)
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
workload=$1
frames=${2:-120}
out=${3:-"$root/bench/out/device-$workload.perf"}
fps=${FPS:-30}
mkdir -p "$(dirname "$out")"
work=$(mktemp -d)
pids=""
cleanup() { for p in $pids; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT INT TERM
port=${PORT:-$((5990 + RANDOM % 40))}
. "$(dirname "$0")/lib.sh"
"${PORTHOLE:-$root/.build/release/porthole}" serve --device --socket "$work/device" --listen "127.0.0.1:$port" >"$work/server.log" 2>&1 &
server=$!; pids="$pids $server"
wait_for "[ -S $work/device ]"
moves=""; [ "${ENCODINGS:-zrle}" != zrle+copyrect ] || moves=moves
"${FEED:-$root/Benchmarks/.build/release/porthole-feed}" "$workload" "$frames" "$fps" "$work/feed.log" "$work/device" $moves >>"$work/server.log" 2>&1 &
feeder=$!; pids="$pids $feeder"
wait_for "grep -q ready $work/feed.log"
wait_for "(exec 3<>/dev/tcp/127.0.0.1/$port)"
if [ "${PERF:-1}" = 1 ]; then
    # Record from the first hand-over on, as peers-bench counts CPU: frame 0 (the viewer's first,
    # whole-screen update) is not part of the per-frame cost.
    (until grep -q '^1 ' "$work/feed.log" 2>/dev/null; do sleep 0.01; done
     exec ${PROFILER:-perf record -F 999 -g -o "$out"} -p "$server" 2>"$out.txt") &
    perf=$!
fi
"${VIEWER:-$root/Benchmarks/.build/release/peers-bench}" porthole-device "$workload" "$port" "$server" "$feeder" "$work/feed.log" "$frames" 0 ${ENCODINGS:-zrle}
if [ "${PERF:-1}" = 1 ]; then kill -INT "$perf"; wait "$perf" || true; echo "wrote $out" >&2; fi
