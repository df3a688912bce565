#!/bin/bash
# Profiles Porthole's X11 mirror on the video workload of bench/run-peers.sh (docs/benchmarks.md,
# "X11 mirror vs x11vnc"): a 1920x1080 Xvfb, `porthole serve --x11` (release), peers-bench as the
# viewer, and `perf record -g` on the server while bench/feed-x11.c puts 300 frames of noise on
# the screen.
#
#   bench/x11-profile.sh [PERF_DATA] [DISPLAY_NUMBER]     then: perf report -i PERF_DATA --no-children --sort symbol
#
# Needs perf, Xvfb, a C compiler and libxcb-dev; run bench/run-peers.sh once first (it builds
# porthole and peers-bench in release mode).
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-"$root/bench/out/x11-video.perf"}
display=${2:-81}
frames=300
mkdir -p "$(dirname "$out")"
work=$(mktemp -d)
pids=""
cleanup() { for p in $pids; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT INT TERM
cc -O2 -o "$work/feed-x11" "$root/bench/feed-x11.c" -I"$root/bench" -I"$root/Benchmarks/Sources/CBenchFrames/include" \
    "$root/Benchmarks/Sources/CBenchFrames/bench_frames.c" -lpthread $(pkg-config --cflags --libs xcb)
Xvfb ":$display" -noreset -screen 0 1920x1080x24 -nolisten tcp >"$work/xvfb.log" 2>&1 &
xvfb=$!; pids="$pids $xvfb"
i=0; until [ -e "/tmp/.X11-unix/X$display" ]; do i=$((i + 1)); [ $i -lt 200 ] || exit 1; sleep 0.1; done
port=$((5900 + display))
"$root/.build/release/porthole" serve --x11 ":$display" --listen "127.0.0.1:$port" >"$work/server.log" 2>&1 &
server=$!; pids="$pids $server"
i=0; while ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do i=$((i + 1)); [ $i -lt 200 ] || exit 1; sleep 0.1; done
DISPLAY=":$display" "$work/feed-x11" video "$frames" 30 "$work/feed.log" &
feeder=$!; pids="$pids $feeder"
i=0; until grep -q ready "$work/feed.log" 2>/dev/null; do i=$((i + 1)); [ $i -lt 200 ] || exit 1; sleep 0.1; done
perf record -F 999 -g -p "$server" -o "$out" 2>/dev/null &
perf=$!
"$root/Benchmarks/.build/release/peers-bench" porthole-x11 video "$port" "$xvfb,$server" "$feeder" "$work/feed.log" "$frames" 0
kill -INT "$perf"; wait "$perf" || true
echo "wrote $out" >&2
