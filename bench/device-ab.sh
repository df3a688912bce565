#!/bin/bash
# Server CPU per frame of two `porthole serve --device` builds and one peer, alternated in one
# session (docs/benchmarks.md, "Where the CPU goes"): for each run, workload A, then B, then the
# peer, each through peers-bench as in bench/run-peers.sh. Prints one CSV row per run and server
# (peers-bench's row with the label first) and, at the end, the median CPU ms/frame (per frame
# handed over) and bytes per frame seen of each, and the medians of the per-run CPU ratios
# A/peer, B/peer and B/A.
#
#   bench/device-ab.sh PORTHOLE_A PORTHOLE_B PEER WORKLOAD [RUNS] [FRAMES]
#       PEER: libvncserver or neatvnc (built here from bench/peer-*.c), or none
#   MOVES=1: the feeders that can say "these pixels moved" do so on the workloads that are moves
#       (scrolling, drag): porthole-feed commits the move (`moves`, docs/protocol.md §5.8; a build
#       older than protocol 1.2 gets damage only, and the script says so on stderr) and
#       peer-libvncserver calls rfbDoCopyRect (`copyrect`); neatvnc has no such call.
#   ENCODINGS=zrle+copyrect makes the viewer take CopyRect too (default zrle); with MOVES=1 that is
#       run-peers.sh's CopyRect mode.
#
# Needs peers-bench and porthole-feed (cd Benchmarks && swift build -c release --product ...;
# FEED and VIEWER name other copies) and, for a peer, libvncserver-dev or neatvnc (see
# scripts/install-deps.sh --bench).
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
a=$1; b=$2; peer=$3; workload=$4; runs=${5:-5}; frames=${6:-120}; fps=${FPS:-30}; encodings=${ENCODINGS:-zrle}
moves_device=""; moves_peer=""
if [ "${MOVES:-0}" = 1 ]; then moves_device=moves; [ "$peer" != libvncserver ] || moves_peer=copyrect; fi
feed=${FEED:-$root/Benchmarks/.build/release/porthole-feed}
viewer=${VIEWER:-$root/Benchmarks/.build/release/peers-bench}
work=$(mktemp -d)
pids=""
cleanup() { for p in $pids; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT INT TERM
frames_c="-I$root/bench -I$root/Benchmarks/Sources/CBenchFrames/include $root/Benchmarks/Sources/CBenchFrames/bench_frames.c -lpthread"
case $peer in
    libvncserver) cc -O2 -o "$work/peer" "$root/bench/peer-libvncserver.c" $frames_c $(pkg-config --cflags --libs libvncserver) ;;
    neatvnc) cc -O2 -o "$work/peer" "$root/bench/peer-neatvnc.c" $frames_c $(pkg-config --cflags pixman-1) -lneatvnc -laml -lpixman-1 ;;
    none) ;;
    *) echo "unknown peer: $peer" >&2; exit 2 ;;
esac
. "$(dirname "$0")/lib.sh"
port=$((6100 + RANDOM % 100))
one() { # label binary-or-peer
    port=$((port + 1)); rm -f "$work/feed.log" "$work/device"
    if [ "$1" = peer ]; then
        "$work/peer" "$workload" "$frames" "$fps" "$port" "$work/feed.log" $moves_peer >/dev/null 2>&1 & server=$!; feeder=$server; paint=1; pids="$server"
    else
        "$2" serve --device --socket "$work/device" --listen "127.0.0.1:$port" >/dev/null 2>&1 & server=$!; pids="$server"
        wait_for "[ -S $work/device ]"
        "$feed" "$workload" "$frames" "$fps" "$work/feed.log" "$work/device" $moves_device >/dev/null 2>"$work/feed.err" & feeder=$!; paint=0; pids="$pids $feeder"
    fi
    wait_for "grep -q ready $work/feed.log"
    wait_for "(exec 3<>/dev/tcp/127.0.0.1/$port)"
    row=$("$viewer" "$1" "$workload" "$port" "$server" "$feeder" "$work/feed.log" "$frames" "$paint" "$encodings" || echo "$1,FAILED")
    echo "$row"
    # porthole-feed's note that a server older than protocol 1.2 gets no moves (MOVES=1).
    [ "$1" = peer ] || grep -h "sending damage only" "$work/feed.err" >&2 || true
    for p in $pids; do kill "$p" 2>/dev/null || true; done
    for p in $pids; do wait "$p" 2>/dev/null || true; done
    pids=""
}
echo "load before: $(cat /proc/loadavg)" >&2
rows=""
for run in $(seq 1 "$runs"); do
    for who in A B peer; do
        [ $who = peer ] && [ "$peer" = none ] && continue
        case $who in A) bin=$a ;; B) bin=$b ;; peer) bin="" ;; esac
        row=$(one "$who" "$bin"); echo "$run,$row"; rows="$rows$run,$row"$'\n'
    done
done
echo "load after: $(cat /proc/loadavg)" >&2
printf '%s' "$rows" | python3 -c '
import sys, statistics
runs = {}
for line in sys.stdin:
    f = line.strip().split(",")
    if len(f) < 12 or f[2] == "FAILED": continue
    # CPU per frame handed over; bytes per frame seen (a server that skips frames sends fewer).
    runs.setdefault(f[0], {})[f[1]] = (float(f[11]), float(f[10]) * int(f[5]) / max(1, int(f[6])))
for who in ("A", "B", "peer"):
    v = [r[who][0] for r in runs.values() if who in r]
    by = [r[who][1] for r in runs.values() if who in r]
    if v: print(f"{who}: CPU ms/frame median {statistics.median(v):.3f} (runs: {[round(x, 2) for x in v]}), bytes/frame seen median {statistics.median(by):.0f}")
for who in ("A", "B"):
    q = [r[who][0] / r["peer"][0] for r in runs.values() if who in r and "peer" in r and r["peer"][0] > 0]
    if q: print(f"{who}/peer: median of per-run ratios {statistics.median(q):.2f}")
q = [r["B"][0] / r["A"][0] for r in runs.values() if "A" in r and "B" in r and r["A"][0] > 0]
if q: print(f"B/A: median of per-run ratios {statistics.median(q):.2f}")
'
