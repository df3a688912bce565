#!/usr/bin/env python3
"""Summarises bench/run-peers.sh: medians, Porthole/best-peer ratios and charts.

    bench/plot-peers.py RUNS_CSV OUT_DIR [--note TEXT]

Reads RUNS_CSV (one row per run, see Benchmarks/Sources/peers-bench) and writes to OUT_DIR:
- peers.csv: the median over runs of every figure per server, workload and viewer encoding set
  (wrong_pixels: the largest over runs, so one wrong picture shows);
- peers.md: a table per workload (bytes per frame seen: bytes per frame handed over times frames
  handed over / frames seen, so a server that skips frames does not look cheaper), and for each Porthole server its figures as ratios to the best
  peer's (the best of xvnc, x11vnc, neatvnc and libvncserver on that figure: most frames per
  second, least latency, bytes and CPU);
- peers.png: four charts (frames delivered per second, latency p50 with p99 marks, bytes per
  frame seen, server CPU per frame handed over), workloads on the x axis, one bar per server.

A workload run with the viewer asking for ZRLE and CopyRect (encodings "zrle+copyrect") is shown
as its own case ("scrolling +CopyRect"), with the CopyRect rectangles the viewer received. Runs
files from before the encodings column existed are read as ZRLE only.
"""
import argparse
import csv
import os
import statistics

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

SERVERS = ["porthole-device", "porthole-x11", "xvnc", "x11vnc", "neatvnc", "libvncserver"]
PORTHOLE = ["porthole-device", "porthole-x11"]
WORKLOADS = ["typing", "scrolling", "video", "motion", "drag"]
ENCODINGS = ["zrle", "zrle+copyrect"]
# The cases in table and chart order: (workload, viewer encodings).
CASES = [(w, e) for w in WORKLOADS for e in ENCODINGS]
CASE_LABELS = {"typing": "typing", "scrolling": "scrolling", "video": "video 640x360", "motion": "motion 1080p", "drag": "drag on 4K"}


def case_name(case):
    workload, encodings = case
    return workload if encodings == "zrle" else f"{workload} +CopyRect"
# figure, label, whether more is better
FIGURES = [
    ("fps_delivered", "frames/s delivered", True),
    ("latency_p50_ms", "latency p50 ms", False),
    ("latency_p99_ms", "latency p99 ms", False),
    ("bytes_per_frame", "bytes/frame", False),
    ("bytes_per_seen_frame", "bytes/frame seen", False),
    ("cpu_ms_per_frame", "server CPU ms/frame", False),
]
COLOURS = {"porthole-device": "#d62728", "porthole-x11": "#ff9896", "xvnc": "#1f77b4",
           "x11vnc": "#aec7e8", "neatvnc": "#2ca02c", "libvncserver": "#9467bd"}


def summarise(rows):
    """{(server, (workload, encodings)): {figure: median}} over the runs."""
    grouped = {}
    for row in rows:
        row.setdefault("encodings", "zrle")
        row.setdefault("copyrect_rects", "0")
        row.setdefault("copyrect_share", "0")
        grouped.setdefault((row["server"], (row["workload"], row["encodings"])), []).append(row)
    summary = {}
    for key, runs in grouped.items():
        for r in runs:
            r["bytes_per_seen_frame"] = float(r["bytes_per_frame"]) * int(r["frames"]) / max(1, int(r["frames_seen"]))
        medians = {name: statistics.median(float(r[name]) for r in runs) for name, _, _ in FIGURES}
        medians["frames"] = int(runs[0]["frames"])
        medians["frames_seen"] = statistics.median(int(r["frames_seen"]) for r in runs)
        medians["wrong_pixels"] = max(int(r["wrong_pixels"]) for r in runs)
        medians["copyrect_rects"] = statistics.median(int(r["copyrect_rects"]) for r in runs)
        medians["copyrect_share"] = statistics.median(float(r["copyrect_share"]) for r in runs)
        medians["runs"] = len(runs)
        summary[key] = medians
    return summary


def best_peer(summary, case, name, more_is_better):
    """(server, value) of the best peer on one figure, or None."""
    peers = [(s, summary[(s, case)][name]) for s in SERVERS
             if s not in PORTHOLE and (s, case) in summary]
    if not peers:
        return None
    return (max if more_is_better else min)(peers, key=lambda p: p[1])


def fmt(value, name):
    if name.startswith("bytes"):
        return f"{value:,.0f}".replace(",", " ")
    return f"{value:.2f}" if value < 100 else f"{value:.0f}"


def write_table(summary, path, note):
    lines = [f"{note}", ""]
    for case in CASES:
        present = [s for s in SERVERS if (s, case) in summary]
        if not present:
            continue
        copyrect = case[1] != "zrle"
        extra = " CopyRect rects | CopyRect share |" if copyrect else ""
        lines.append(f"**{case_name(case)}**" + (" (viewer asks for ZRLE and CopyRect)" if copyrect else ""))
        lines.append("")
        lines.append("| server | frames seen | " + " | ".join(label for _, label, _ in FIGURES) + " | wrong pixels |" + extra)
        lines.append("|---|---:|" + "---:|" * len(FIGURES) + "---:|" + ("---:|---:|" if copyrect else ""))
        for server in present:
            m = summary[(server, case)]
            cells = [fmt(m[name], name) for name, _, _ in FIGURES]
            more = f" {m['copyrect_rects']:.0f} | {m['copyrect_share']:.2f} |" if copyrect else ""
            lines.append(f"| {server} | {m['frames_seen']:.0f}/{m['frames']} | " + " | ".join(cells) + f" | {m['wrong_pixels']} |" + more)
        for server in PORTHOLE:
            if (server, case) not in summary:
                continue
            cells = []
            for name, _, more in FIGURES:
                best = best_peer(summary, case, name, more)
                if best is None or best[1] == 0:
                    cells.append("-")
                else:
                    cells.append(f"{summary[(server, case)][name] / best[1]:.2f} ({best[0]})")
            lines.append(f"| {server} / best peer | | " + " | ".join(cells) + " | |" + (" | |" if copyrect else ""))
        lines.append("")
    with open(path, "w") as f:
        f.write("\n".join(lines))


def draw(summary, path, note):
    panels = [("fps_delivered", "frames delivered per second (of 30 handed over)", False),
              ("latency_p50_ms", "latency hand-over → viewer, ms (bar p50, mark p99)", True),
              ("bytes_per_seen_frame", "bytes per frame seen", True),
              ("cpu_ms_per_frame", "server CPU ms per frame handed over", True)]
    figure, axes = plt.subplots(2, 2, figsize=(15, 9.5))
    servers = [s for s in SERVERS if any((s, c) in summary for c in CASES)]
    cases = [c for c in CASES if any((s, c) in summary for s in SERVERS)]
    width = 0.8 / max(1, len(servers))
    for axis, (name, title, log) in zip(axes.flat, panels):
        for i, server in enumerate(servers):
            xs, ys, p99 = [], [], []
            for j, case in enumerate(cases):
                if (server, case) in summary:
                    xs.append(j - 0.4 + width * (i + 0.5))
                    ys.append(max(summary[(server, case)][name], 1e-3))
                    p99.append(summary[(server, case)]["latency_p99_ms"])
            axis.bar(xs, ys, width, label=server, color=COLOURS[server])
            if name == "latency_p50_ms":
                axis.scatter(xs, p99, marker="_", s=120, color="black", zorder=3)
        axis.set_title(title, fontsize=11)
        axis.set_xticks(range(len(cases)))
        axis.set_xticklabels([CASE_LABELS[w] + ("\n+CopyRect" if e != "zrle" else "") for w, e in cases], fontsize=9)
        if log:
            axis.set_yscale("log")
        axis.grid(axis="y", alpha=0.3, which="both")
    handles, labels = axes[0][0].get_legend_handles_labels()
    figure.legend(handles, labels, loc="upper center", ncol=len(servers), fontsize=10, bbox_to_anchor=(0.5, 0.965))
    figure.suptitle("Porthole and its peers, ZRLE (+CopyRect where marked), one viewer: " + note, fontsize=10)
    figure.tight_layout(rect=(0, 0, 1, 0.93))
    figure.savefig(path, dpi=80)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("runs_csv")
    parser.add_argument("out_dir")
    parser.add_argument("--note", default="")
    arguments = parser.parse_args()
    with open(arguments.runs_csv) as f:
        rows = list(csv.DictReader(f))
    summary = summarise(rows)
    with open(os.path.join(arguments.out_dir, "peers.csv"), "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["server", "workload", "runs", "frames", "frames_seen"] + [n for n, _, _ in FIGURES]
                        + ["wrong_pixels", "encodings", "copyrect_rects", "copyrect_share"])
        for case in CASES:
            for server in SERVERS:
                if (server, case) in summary:
                    m = summary[(server, case)]
                    writer.writerow([server, case[0], m["runs"], m["frames"], m["frames_seen"]] + [m[n] for n, _, _ in FIGURES]
                                    + [m["wrong_pixels"], case[1], m["copyrect_rects"], m["copyrect_share"]])
    write_table(summary, os.path.join(arguments.out_dir, "peers.md"), arguments.note)
    draw(summary, os.path.join(arguments.out_dir, "peers.png"), arguments.note)
    print(open(os.path.join(arguments.out_dir, "peers.md")).read())


if __name__ == "__main__":
    main()
