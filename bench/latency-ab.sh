#!/bin/bash
# Latency distributions of two or more porthole builds on one workload of bench/run-peers.sh,
# the builds alternating, one run of 120 frames each per round (docs/benchmarks.md, "A burst of
# two under the frame cap"):
#
#   bench/latency-ab.sh SERVER WORKLOAD ROUNDS BIN_A BIN_B ...
#       SERVER: porthole-x11 or porthole-device; BIN_*: copies of release builds of porthole
#
# Prints, per run, run-peers.sh's latency p50 and p99, bytes and server CPU per frame, and the
# p50/p90/p95/p98 quantiles and maximum of the frames' latencies (PEERS_BENCH_LATENCIES).
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
server=$1; workload=$2; rounds=$3; shift 3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for round in $(seq "$rounds"); do
    for bin in "$@"; do
        PORTHOLE_BIN=$bin SERVERS=$server WORKLOADS=$workload COPYRECT_WORKLOADS= RUNS=1 FRAMES=${FRAMES:-120} \
            PEERS_BENCH_LATENCIES="$work/latencies.csv" "$root/bench/run-peers.sh" --quick "$work/out" >"$work/log" 2>&1 \
            || { echo "run failed:" >&2; tail -5 "$work/log" >&2; exit 1; }
        row=$(grep "^1,$server," "$work/log" | head -1 | cut -d, -f9-12)
        quantiles=$(cut -d, -f3 "$work/latencies.csv" | python3 -c '
import sys
v = sorted(float(x) for x in sys.stdin)
print(" ".join("%.1f" % v[int(len(v) * q)] for q in (.5, .9, .95, .98)), "max %.1f" % v[-1])')
        echo "$bin $workload round $round: p50,p99,bytes,cpu $row | q50 q90 q95 q98: $quantiles"
    done
done
