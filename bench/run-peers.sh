#!/bin/bash
# Porthole and its peers on the same machine in the same run (docs/benchmarks.md, "Porthole and
# its peers"): every server is fed the same frames in its own native way while one measuring
# viewer (Benchmarks/Sources/peers-bench) records what arrives.
#
#   bench/run-peers.sh [--quick | --x11] [OUT_DIR]    (or: make bench-peers, bench-peers-quick, bench-x11)
#
# Servers:
#   xvnc             TigerVNC's Xvnc, fed by bench/feed-x11.c (PutImage on the root window)
#   x11vnc           x11vnc on Xvfb, fed by bench/feed-x11.c (-nocursor: no cursor drawn into the picture)
#   porthole-x11     porthole serve --x11 on Xvfb, fed by bench/feed-x11.c
#   porthole-device  porthole serve --device, fed by porthole-feed (a PortholeClient producer)
#   neatvnc          bench/peer-neatvnc.c (nvnc_display_feed_buffer)
#   libvncserver     bench/peer-libvncserver.c (rfbMarkRectAsModified)
# Workloads (Benchmarks/Sources/CBenchFrames): typing, scrolling, video, motion (1920x1080),
# drag (3840x2160).
#
# Viewer modes: every workload runs with a viewer that asks for ZRLE only ("zrle"); the workloads
# in COPYRECT_WORKLOADS (default: scrolling drag) run a second time with a viewer that asks for
# ZRLE and CopyRect ("zrle+copyrect"). In that mode the feeders that have a way to say "these
# pixels moved" use it: feed-x11 makes the move with CopyArea (Xvnc, x11vnc and the X11 mirror
# see an X client scroll or move pixels; the X11 mirror gets only DAMAGE and finds the move
# itself), peer-libvncserver with rfbDoCopyRect, porthole-feed with a move in its Commit
# (`moves`, docs/protocol.md §5.8, version 1.2); neatvnc has no such call.
#
# Each server x workload x mode runs RUNS times (the server order rotates between workloads and
# runs), FRAMES frames at FPS. Default: RUNS=3 FRAMES=120 FPS=30 (about 10 minutes on 2 cores);
# --quick: RUNS=1 FRAMES=60 (about 2 minutes; builds not counted); --x11: the X11 mirror against
# x11vnc (SERVERS="porthole-x11 x11vnc", WORKLOADS="typing video", FRAMES=300, no CopyRect
# runs; what bench/x11-vs-x11vnc.sh measured). SERVERS, WORKLOADS and COPYRECT_WORKLOADS
# (space-separated) select a subset. Writes to OUT_DIR (default bench/results, --quick
# bench/results/quick, --x11 bench/results/x11): peers-runs.csv (one row per run), and through
# bench/plot-peers.py peers.csv (medians), peers.md (tables and ratios) and peers.png (charts).
# PORTHOLE_BIN runs that porthole binary instead of building one (say, a copy of an earlier
# release build, to compare two builds in turn).
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
preset=full
case "${1:-}" in --quick) preset=quick; shift ;; --x11) preset=x11; shift ;; esac
all_servers="porthole-device porthole-x11 xvnc x11vnc neatvnc libvncserver"
all_workloads="typing scrolling video motion drag"
case $preset in
    full) out=${1:-"$root/bench/results"}; runs=${RUNS:-3}; frames=${FRAMES:-120}
          servers=${SERVERS:-$all_servers}; workloads=${WORKLOADS:-$all_workloads}; copyrect_workloads=${COPYRECT_WORKLOADS-"scrolling drag"} ;;
    quick) out=${1:-"$root/bench/results/quick"}; runs=${RUNS:-1}; frames=${FRAMES:-60}
          servers=${SERVERS:-$all_servers}; workloads=${WORKLOADS:-$all_workloads}; copyrect_workloads=${COPYRECT_WORKLOADS-"scrolling drag"} ;;
    x11) out=${1:-"$root/bench/results/x11"}; runs=${RUNS:-3}; frames=${FRAMES:-300}
          servers=${SERVERS:-"porthole-x11 x11vnc"}; workloads=${WORKLOADS:-"typing video"}; copyrect_workloads=${COPYRECT_WORKLOADS-""} ;;
esac
fps=${FPS:-30}
mkdir -p "$out"
work=$(mktemp -d)
pids=""
cleanup() { for p in $pids; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT INT TERM

"$root/scripts/install-deps.sh" --bench
for tool in Xvfb Xvnc x11vnc cc pkg-config python3; do
    command -v "$tool" >/dev/null || { echo "missing: $tool" >&2; exit 1; }
done
[ -n "${PORTHOLE_BIN:-}" ] || (cd "$root" && swift build -c release --product porthole) >&2
(cd "$root/Benchmarks" && swift build -c release --product peers-bench && swift build -c release --product porthole-feed) >&2
porthole=${PORTHOLE_BIN:-"$root/.build/release/porthole"}
viewer="$root/Benchmarks/.build/release/peers-bench"
producer="$root/Benchmarks/.build/release/porthole-feed"
frames_c="-I$root/bench -I$root/Benchmarks/Sources/CBenchFrames/include $root/Benchmarks/Sources/CBenchFrames/bench_frames.c -lpthread"
cc -O2 -Wall -o "$work/feed-x11" "$root/bench/feed-x11.c" $frames_c $(pkg-config --cflags --libs xcb)
cc -O2 -Wall -o "$work/peer-libvncserver" "$root/bench/peer-libvncserver.c" $frames_c $(pkg-config --cflags --libs libvncserver)
# neatvnc.pc requires libdrm.pc only for a header the server does not use, so name the flags.
cc -O2 -Wall -o "$work/peer-neatvnc" "$root/bench/peer-neatvnc.c" $frames_c $(pkg-config --cflags pixman-1) -lneatvnc -laml -lpixman-1

csv="$out/peers-runs.csv"
echo "run,server,workload,width,height,frames,frames_seen,fps_delivered,latency_p50_ms,latency_p99_ms,bytes_per_frame,cpu_ms_per_frame,wrong_pixels,encodings,copyrect_rects,copyrect_share" > "$csv"

. "$(dirname "$0")/lib.sh"
start_xvfb() { start Xvfb ":$display" -noreset -screen 0 "${width}x${height}x24" -nolisten tcp; xserver=$last; wait_for "[ -e /tmp/.X11-unix/X$display ]"; }

run_one() { # run server workload encodings
    # A display (and port) nobody else uses: other X servers may run on this machine.
    while [ -e "/tmp/.X$display-lock" ] || [ -e "/tmp/.X11-unix/X$display" ]; do display=$((display + 1)); done
    read -r width height <<<"$(case $3 in drag) echo 3840 2160 ;; *) echo 1920 1080 ;; esac)"
    port=$((5900 + display)); log="$work/feed.log"; rm -f "$log"; started=""; paint_in_server=0
    # How each feeder says "these pixels moved", in the CopyRect mode (see the top of this file).
    moves_x11=""; moves_peer=""; moves_device=""
    if [ "$4" = zrle+copyrect ]; then moves_x11=copyarea; moves_device=moves; [ "$2" != libvncserver ] || moves_peer=copyrect; fi
    case $2 in
        xvnc)
            start Xvnc ":$display" -geometry "${width}x${height}" -depth 24 -rfbport "$port" -localhost -SecurityTypes None -AlwaysShared -nolisten tcp
            server_pids=$last; wait_for "[ -e /tmp/.X11-unix/X$display ]" ;;
        x11vnc)
            start_xvfb; start x11vnc -display ":$display" -rfbport "$port" -localhost -nopw -forever -shared -quiet -nocursor
            server_pids="$xserver,$last" ;;
        porthole-x11)
            start_xvfb; start "$porthole" serve --x11 ":$display" --listen "127.0.0.1:$port"
            server_pids="$xserver,$last" ;;
        porthole-device)
            start "$porthole" serve --device --socket "$work/device" --listen "127.0.0.1:$port"
            server_pids=$last; wait_for "[ -S $work/device ]"
            start "$producer" "$3" "$frames" "$fps" "$log" "$work/device" $moves_device; feeder=$last ;;
        neatvnc|libvncserver)
            start "$work/peer-$2" "$3" "$frames" "$fps" "$port" "$log" $moves_peer
            server_pids=$last; feeder=$last; paint_in_server=1 ;;
    esac
    case $2 in xvnc|x11vnc|porthole-x11) DISPLAY=":$display" start "$work/feed-x11" "$3" "$frames" "$fps" "$log" $moves_x11; feeder=$last ;; esac
    wait_for "grep -q ready $log"
    wait_for "(exec 3<>/dev/tcp/127.0.0.1/$port)"
    if row=$("$viewer" "$2" "$3" "$port" "$server_pids" "$feeder" "$log" "$frames" "$paint_in_server" "$4"); then
        echo "$1,$row" | tee -a "$csv" >&2
    else
        echo "FAILED: $2 $3 $4 (run $1); server log:" >&2; tail -5 "$work/server.log" >&2
    fi
    for p in $pids; do kill "$p" 2>/dev/null || true; done
    for p in $pids; do wait "$p" 2>/dev/null || true; done
    pids=""; : >"$work/server.log"
    rm -f "$work/device"
    display=$((display + 1))
}

display=140
began=$(date +%s)
echo "load before: $(cat /proc/loadavg)" >&2
# The servers rotated left by $1, so none always runs first or last.
rotate() { k=$1; shift; a=("$@"); for i in "${!a[@]}"; do printf '%s ' "${a[$(((i + k) % ${#a[@]}))]}"; done; }
n=0
for run in $(seq 1 "$runs"); do
    for workload in $workloads; do
        modes=zrle
        case " $copyrect_workloads " in *" $workload "*) modes="zrle zrle+copyrect" ;; esac
        for mode in $modes; do
            for server in $(rotate $n $servers); do run_one "$run" "$server" "$workload" "$mode"; done
            n=$((n + 1))
        done
    done
done
load=$(cat /proc/loadavg)
echo "load after: $load; $(( $(date +%s) - began )) s" >&2
# The charts need matplotlib (python3-matplotlib): Debian's python3, if the first python3 on PATH lacks it.
py=python3; python3 -c 'import matplotlib' 2>/dev/null || py=/usr/bin/python3
"$py" "$root/bench/plot-peers.py" "$csv" "$out" --note "$runs run(s) x $frames frames at $fps fps; load average after the run: $load"
