#!/usr/bin/env python3
"""Where the CPU of `porthole serve --device` goes, from a perf.data of bench/device-profile.sh
(docs/benchmarks.md, "Where the CPU goes"): the share of samples whose call stack passes through
each part of the frame path (inclusive, so parts nest and do not add up to 100%), and for zlib,
the kernel and page faults the share of samples whose innermost frame is there.

    bench/perf-breakdown.py PERF_DATA
"""
import collections
import re
import subprocess
import sys

PARTS = [
    ("device: commit handling (DeviceServer.commit: validate, flip at once, reply)", r"DeviceB0C6commit33", False),
    ("device: Composer.compose (at a commit or a clock tick)", r"ComposerV7compose", False),
    ("  PixelConversion.convertOpaqueRow (producer memory -> scanout)", r"convertOpaqueRow", False),
    ("  ScanoutFlip", r"ScanoutFlip", False),
    ("LiveOutput: DamageRefinery.refine", r"DamageRefinery", False),
    ("  TileComparer", r"TileComparer", False),
    ("  MoveDetector", r"MoveDetector", False),
    ("viewer: ViewerUpdateScheduler.nextUpdate (take, encode)", r"ViewerUpdateSchedulerV04nextC02at", False),
    ("  ZRLE tiles (ZRLETileEncoder)", r"ZRLETileEncoderC6encode", False),
    ("  PendingUpdate", r"PendingUpdate", False),
    ("  ChangeHeatTracker", r"ChangeHeatTracker", False),
    ("viewer: NIO writes (ChannelHandlerContext.write)", r"ChannelHandlerContextC5write", False),
    ("NIO: scheduling timers (_prepareToSchedule)", r"_prepareToSchedule", False),
    ("zlib (libz, innermost frame)", r"libz\.so", True),
    ("kernel (innermost frame)", r"kernel\.kallsyms", True),
    ("  page faults", r"clear_page|asm_exc_page_fault", True),
]


def main():
    out = subprocess.run(["perf", "script", "-i", sys.argv[1], "-F", "ip,sym,dso", "--no-demangle"],
                         capture_output=True, text=True, check=True).stdout
    counts = collections.Counter()
    total = 0
    for sample in out.split("\n\n"):
        if not sample.strip():
            continue
        total += 1
        leaf = sample.strip().split("\n")[0]
        for name, pattern, innermost in PARTS:
            if re.search(pattern, leaf if innermost else sample):
                counts[name] += 1
    for name, _, _ in PARTS:
        print(f"{100 * counts[name] / max(1, total):5.1f}%  {name}")
    print(f"samples: {total}")


main()
