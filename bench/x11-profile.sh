#!/bin/bash
# Profiles Porthole's X11 mirror on a workload of bench/run-peers.sh (WORKLOAD, default video;
# docs/benchmarks.md, "X11 mirror vs x11vnc"): an Xvfb of the workload's size, `porthole serve
# --x11` (release), peers-bench as the viewer, and `perf record -g` on the server (PROFILER
# replaces `perf record -F 999 -g -o PERF_DATA`, as in bench/device-profile.sh) while
# bench/feed-x11.c draws 300 frames of the workload. The CSV row's server CPU counts Xvfb's and
# the server's processes together, as run-peers.sh does for porthole-x11; the profile is the server's.
#
#   bench/x11-profile.sh [PERF_DATA] [DISPLAY_NUMBER]     then: perf report -i PERF_DATA --no-children --sort symbol
#   WORKLOAD=typing FRAMES=600 bench/x11-profile.sh ...   another workload, frame count
#   PORTHOLE names another porthole binary (say, a copy of an earlier build, to compare)
#   ENCODINGS=zrle+copyrect has the viewer take CopyRect too and feed-x11 make the moves of
#   scrolling and drag with CopyArea (its `copyarea` argument), as in run-peers.sh's CopyRect mode
#
# Needs perf, Xvfb, a C compiler and libxcb-dev; run bench/run-peers.sh once first (it builds
# porthole and peers-bench in release mode).
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
workload=${WORKLOAD:-video}
out=${1:-"$root/bench/out/x11-$workload.perf"}
display=${2:-81}
frames=${FRAMES:-300}
mkdir -p "$(dirname "$out")"
work=$(mktemp -d)
pids=""
cleanup() { for p in $pids; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT INT TERM
cc -O2 -o "$work/feed-x11" "$root/bench/feed-x11.c" -I"$root/bench" -I"$root/Benchmarks/Sources/CBenchFrames/include" \
    "$root/Benchmarks/Sources/CBenchFrames/bench_frames.c" -lpthread $(pkg-config --cflags --libs xcb)
size=1920x1080; [ "$workload" != drag ] || size=3840x2160
Xvfb ":$display" -noreset -screen 0 "${size}x24" -nolisten tcp >"$work/xvfb.log" 2>&1 &
xvfb=$!; pids="$pids $xvfb"
i=0; until [ -e "/tmp/.X11-unix/X$display" ]; do i=$((i + 1)); [ $i -lt 200 ] || exit 1; sleep 0.1; done
port=$((5900 + display))
"${PORTHOLE:-$root/.build/release/porthole}" serve --x11 ":$display" --listen "127.0.0.1:$port" >"$work/server.log" 2>&1 &
server=$!; pids="$pids $server"
i=0; while ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do i=$((i + 1)); [ $i -lt 200 ] || exit 1; sleep 0.1; done
copyarea=""; [ "${ENCODINGS:-zrle}" != zrle+copyrect ] || copyarea=copyarea
DISPLAY=":$display" "$work/feed-x11" "$workload" "$frames" 30 "$work/feed.log" $copyarea &
feeder=$!; pids="$pids $feeder"
i=0; until grep -q ready "$work/feed.log" 2>/dev/null; do i=$((i + 1)); [ $i -lt 200 ] || exit 1; sleep 0.1; done
${PROFILER:-perf record -F 999 -g -o "$out"} -p "$server" 2>/dev/null &
perf=$!
"$root/Benchmarks/.build/release/peers-bench" porthole-x11 "$workload" "$port" "$xvfb,$server" "$feeder" "$work/feed.log" "$frames" 0 ${ENCODINGS:-zrle}
kill -INT "$perf"; wait "$perf" || true
echo "wrote $out" >&2
