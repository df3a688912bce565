#!/bin/bash
# How much of each server's CPU per frame is the kernel's (system calls, wake-ups, loopback TCP),
# in bench/run-peers.sh's harness: the floor under CPU per frame that no user-space change can
# remove (docs/benchmarks.md, "Kernel time: the floor under typing").
#
#   bench/kernel-share.sh [WORKLOAD]      (default typing)
#
# Runs bench/run-peers.sh once (RUNS=1, FRAMES default 1200, no CopyRect runs; SERVERS default
# "porthole-device neatvnc libvncserver"; PORTHOLE_BIN and FPS as there) under `perf record -a` (cpu-clock
# samples of the whole machine, 2 kHz), then prints, per server process, system and user
# milliseconds per frame over the middle of its run (from a quarter of its life to nine tenths,
# so that start-up and the first, whole-screen frame are left out), after run-peers.sh's own
# figures for the same run. The peers' user time includes painting the frames, which
# run-peers.sh subtracts from its figure and which makes no system calls; their system time is
# all serving. The whole machine is sampled because `perf record -p` misses threads started before
# it attaches (libvncserver's event loop), and /proc's user/system split of a process's time is
# apportioned from timer ticks, which at these loads swung by a factor of three between runs.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
workload=${1:-typing}
export FRAMES=${FRAMES:-1200} RUNS=1 WORKLOADS=$workload COPYRECT_WORKLOADS=${COPYRECT_WORKLOADS-}
export SERVERS=${SERVERS:-"porthole-device neatvnc libvncserver"} FPS=${FPS:-30}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The process names (comm, at most 15 characters) of the servers run-peers.sh starts. Porthole
# is known by its device thread ("porthole-device"), since its threads are named for their work;
# the X11 mirror has no such thread, so porthole-x11 is not split here.
names=""
for s in $SERVERS; do
    case $s in
        porthole-device) names="$names porthole-device" ;;
        neatvnc) names="$names peer-neatvnc" ;;
        libvncserver) names="$names peer-libvncserv" ;;
        xvnc) names="$names Xvnc" ;;
        x11vnc) names="$names x11vnc" ;;
        *) echo "kernel-share.sh: cannot tell the process of $s apart; it is left out of the split" >&2 ;;
    esac
done

perf record -a -F 2000 -o "$work/perf.data" -- "$root/bench/run-peers.sh" "$work/results" >"$work/run.log" 2>"$work/perf.log"
grep -E '^\| (server|porthole-device|porthole-x11|neatvnc|libvncserver|xvnc|x11vnc) ' "$work/run.log" | grep -v ' / best' || true
perf script -i "$work/perf.data" -F comm,pid,time,ip 2>/dev/null | python3 -c '
import sys, collections
# A process is known by any of its threads: the peers keep one name for all of theirs.
fps = float(sys.argv[1]); names = set(sys.argv[2:]); hz = 2000
samples = collections.defaultdict(list); label = {}
for line in sys.stdin:
    parts = line.split()
    if len(parts) < 4: continue
    ip = parts[-1]; time = float(parts[-2].rstrip(":")); pid = parts[-3]; comm = " ".join(parts[:-3])
    samples[pid].append((time, ip.startswith("ffff")))
    if comm in names: label[pid] = comm
for pid, name in sorted(label.items(), key=lambda kv: samples[kv[0]][0][0]):
    rows = samples[pid]
    if len(rows) < 100: continue
    t0, t1 = rows[0][0], rows[-1][0]
    lo, hi = t0 + 0.25 * (t1 - t0), t0 + 0.9 * (t1 - t0)
    window = [k for t, k in rows if lo <= t <= hi]
    frames = (hi - lo) * fps
    system = sum(window) / hz * 1000 / frames; user = (len(window) - sum(window)) / hz * 1000 / frames
    print(f"{name:16s} system {system:.3f} ms/frame, user {user:.3f} ms/frame (over {hi - lo:.0f} s)")
' "$FPS" $names
