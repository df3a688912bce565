#!/bin/bash
# A slow link (docs/benchmarks.md, "A slow link"): porthole serve --device, fed by porthole-feed,
# watched through a throttling loopback proxy by a viewer that uses Fence and ContinuousUpdates
# like TigerVNC's (Benchmarks/Sources/slow-link-bench), with fence pacing on and off
# (--no-fence-pacing) in the same run, alternating.
#
#   bench/slow-link.sh [OUT_DIR]
#
# LINKS (default "20:20 1000:0.2", Mbit/s:added round trip in ms each) shapes the links: the slow
# link where pacing matters and a fast one where it must cost nothing; WORKLOADS (default "video scrolling"),
# FRAMES (default 150), FPS (default 30) and RUNS (default 3) the load. Writes
# OUT_DIR/slow-link-runs.csv (default bench/results/slow-link).
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-"$root/bench/results/slow-link"}
links=${LINKS:-"20:20 1000:0.2"}; frames=${FRAMES:-150}; fps=${FPS:-30}; runs=${RUNS:-3}
workloads=${WORKLOADS:-"video scrolling"}
mkdir -p "$out"
work=$(mktemp -d)
pids=""
cleanup() { for p in $pids; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT INT TERM

(cd "$root" && swift build -c release --product porthole) >&2
(cd "$root/Benchmarks" && swift build -c release --product slow-link-bench && swift build -c release --product porthole-feed) >&2
porthole="$root/.build/release/porthole"
viewer="$root/Benchmarks/.build/release/slow-link-bench"
producer="$root/Benchmarks/.build/release/porthole-feed"

csv="$out/slow-link-runs.csv"
echo "run,mbit,rtt_ms,pacing,workload,frames,frames_seen,age_p50_ms,age_p99_ms,backlog_p50_kB,backlog_max_kB,kB_per_frame,wrong_pixels" > "$csv"

. "$(dirname "$0")/lib.sh"
port=5971
while (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null; do port=$((port + 1)); done

for run in $(seq 1 "$runs"); do
  for link in $links; do
    mbit=${link%%:*}; rtt=${link#*:}
    for workload in $workloads; do
        for pacing in on off; do
            log="$work/feed.log"; rm -f "$log" "$work/device"
            flag=""; [ $pacing = off ] && flag="--no-fence-pacing"
            start "$porthole" serve --device --socket "$work/device" --listen "127.0.0.1:$port" $flag
            wait_for "[ -S $work/device ]"
            start "$producer" "$workload" "$frames" "$fps" "$log" "$work/device"; feeder=$last
            wait_for "grep -q ready $log"
            if row=$("$viewer" "$pacing" "$workload" "$port" "$feeder" "$log" "$frames" "$mbit" "$rtt"); then
                IFS=, read -r label rest <<<"$row"
                echo "$run,$mbit,$rtt,$label,$rest" | tee -a "$csv" >&2
            else
                echo "FAILED: $workload pacing $pacing (run $run)" >&2; tail -5 "$work/server.log" >&2
            fi
            for p in $pids; do kill "$p" 2>/dev/null || true; done
            for p in $pids; do wait "$p" 2>/dev/null || true; done
            pids=""
        done
    done
  done
done
echo "wrote $csv" >&2
