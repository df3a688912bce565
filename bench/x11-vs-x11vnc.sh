#!/bin/bash
# Porthole's X11 mirror against x11vnc on the same Xvfb with the same X client drawing
# (docs/benchmarks.md, "X11 mirror vs x11vnc").
#
#   bench/x11-vs-x11vnc.sh [OUT_DIR]
#
# Builds porthole and the benchmark viewer (release) and the drawing client, then for each
# workload (typing, video) and each server runs RUNS (default 3) rounds, alternating the servers,
# each on a fresh 1920x1080 Xvfb. Writes OUT_DIR/x11-vs-x11vnc.csv (one row per run) and
# OUT_DIR/x11-vs-x11vnc.md (medians over the runs and Porthole/x11vnc ratios). Needs Xvfb, x11vnc,
# a C compiler and libxcb-dev.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-"$root/bench/out"}
runs=${RUNS:-3}
frames=${FRAMES:-300}
fps=${FPS:-30}
mkdir -p "$out"
work=$(mktemp -d)
pids=""
cleanup() { for p in $pids; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT INT TERM

for tool in Xvfb x11vnc cc pkg-config; do
    command -v "$tool" >/dev/null || { echo "missing: $tool" >&2; exit 1; }
done
(cd "$root" && swift build -c release --product porthole) >&2
(cd "$root/Benchmarks" && swift build -c release --product x11-bench) >&2
porthole="$root/.build/release/porthole"
viewer="$root/Benchmarks/.build/release/x11-bench"
drawer="$work/x11-draw"
cc -O2 -Wall -o "$drawer" "$root/bench/x11-draw.c" $(pkg-config --cflags --libs xcb)

csv="$out/x11-vs-x11vnc.csv"
echo "server,workload,frames,frames_seen,cpu_ms_per_frame,bytes_per_frame,bytes_per_seen_frame,latency_median_ms,latency_p95_ms" > "$csv"

# Waits (at most 20 s) until something accepts connections on 127.0.0.1:$1.
wait_port() {
    i=0
    while ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; do
        i=$((i + 1)); [ $i -lt 200 ] || { echo "nothing listens on port $1" >&2; return 1; }
        sleep 0.1
    done
}

# Stops process $1 and waits for it: SIGTERM, then SIGKILL after 5 s (x11vnc sometimes hangs in
# its SIGTERM handler once its X server is gone).
stop() {
    kill "$1" 2>/dev/null || true
    i=0
    # Running until it is gone or a zombie (then `wait` reaps it).
    while [ -e "/proc/$1" ] && ! grep -q '^State:.*Z' "/proc/$1/status" 2>/dev/null; do
        i=$((i + 1)); [ $i -lt 50 ] || { kill -9 "$1" 2>/dev/null || true; break; }
        sleep 0.1
    done
    wait "$1" 2>/dev/null || true
}

run_one() { # server workload
    Xvfb :$display -noreset -screen 0 1920x1080x24 -nolisten tcp >"$work/xvfb.log" 2>&1 &
    xvfb=$!; pids="$pids $xvfb"
    i=0; until [ -e /tmp/.X11-unix/X$display ]; do i=$((i + 1)); [ $i -lt 200 ] || exit 1; sleep 0.1; done
    port=$((5900 + display))
    case $1 in
        porthole) "$porthole" serve --x11 ":$display" --listen "127.0.0.1:$port" >"$work/server.log" 2>&1 & ;;
        x11vnc) x11vnc -display ":$display" -rfbport "$port" -localhost -nopw -forever -shared -quiet >"$work/server.log" 2>&1 & ;;
    esac
    server=$!; pids="$pids $server"
    wait_port "$port"
    DISPLAY=":$display" "$viewer" "$1" "$port" "$server" "$2" "$frames" "$fps" "$drawer" "$work/draw.log" >>"$csv"
    stop "$server"; stop "$xvfb"
    display=$((display + 1))
}

display=71
echo "load before: $(cat /proc/loadavg)" >&2
for workload in typing video; do
    n=1
    while [ $n -le "$runs" ]; do
        if [ $((n % 2)) -eq 1 ]; then order="porthole x11vnc"; else order="x11vnc porthole"; fi
        for server in $order; do run_one "$server" "$workload"; done
        n=$((n + 1))
    done
done
load=$(cat /proc/loadavg)
echo "load after: $load" >&2

# Medians per server and workload, and Porthole's figures as a fraction of x11vnc's.
awk -F, -v load="$load" -v runs="$runs" -v frames="$frames" -v fps="$fps" '
function median(list,   n, a, i, j, t) {
    n = split(list, a, " ")
    for (i = 2; i <= n; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] + 0 > t + 0; j--) a[j + 1] = a[j]; a[j + 1] = t }
    return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
NR > 1 { k = $1 SUBSEP $2; seen[k] = seen[k] " " $4; cpu[k] = cpu[k] " " $5; bytes[k] = bytes[k] " " $6; sbytes[k] = sbytes[k] " " $7; lat[k] = lat[k] " " $8; p95[k] = p95[k] " " $9 }
END {
    printf "%d runs per server and workload, %d frames at %s fps each, 1920x1080 Xvfb, ZRLE; load average after: %s\n\n", runs, frames, fps, load
    print "| workload | server | frames seen | server CPU ms/frame | bytes/frame | bytes/seen frame | latency median ms | latency p95 ms |"
    print "|---|---|---:|---:|---:|---:|---:|---:|"
    split("typing video", ws, " ")
    for (w = 1; w <= 2; w++) {
        for (s = 1; s <= 2; s++) {
            name = s == 1 ? "porthole" : "x11vnc"; k = name SUBSEP ws[w]
            m[s, 0] = median(seen[k]); m[s, 1] = median(cpu[k]); m[s, 2] = median(bytes[k]); m[s, 5] = median(sbytes[k])
            m[s, 3] = median(lat[k]); m[s, 4] = median(p95[k])
            printf "| %s | %s | %d | %.2f | %.0f | %.0f | %.1f | %.1f |\n", ws[w], name, m[s, 0], m[s, 1], m[s, 2], m[s, 5], m[s, 3], m[s, 4]
        }
        printf "| %s | Porthole / x11vnc | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f |\n", ws[w], m[1, 0] / m[2, 0], m[1, 1] / m[2, 1], m[1, 2] / m[2, 2], m[1, 5] / m[2, 5], m[1, 3] / m[2, 3], m[1, 4] / m[2, 4]
    }
}' "$csv" > "$out/x11-vs-x11vnc.md"
cat "$out/x11-vs-x11vnc.md"
