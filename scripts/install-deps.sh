#!/usr/bin/env bash
# Installs what Porthole needs on Debian 12: the C libraries it links (libpng, zlib, libdeflate, libcrypto, libjpeg-turbo, xcb) and,
# with --peers, the real VNC peers the integration tests drive, and with --bench, what bench/run-peers.sh
# needs (the peer servers, the neatvnc and libvncserver libraries, matplotlib for the charts) and perf
# for the profile scripts and bench/kernel-share.sh.
# Idempotent and quiet when all is there.
set -euo pipefail

build_packages=(pkg-config libpng-dev zlib1g-dev libdeflate-dev libssl-dev libturbojpeg0-dev
                libxcb1-dev libxcb-shm0-dev libxcb-damage0-dev libxcb-xfixes0-dev libxcb-xtest0-dev libxcb-randr0-dev libxcb-xkb-dev)
peer_packages=(xvfb x11-apps xauth xterm tigervnc-standalone-server tigervnc-viewer x11vnc vncsnapshot
               xtightvncviewer novnc websockify chromium fonts-dejavu-core netpbm libjpeg-turbo-progs tigervnc-tools python3-pip
               xclip xdotool x11-xserver-utils x11-utils x11-xkb-utils libvncserver-dev gcc)
bench_packages=(xvfb tigervnc-standalone-server x11vnc libneatvnc-dev libvncserver-dev python3-matplotlib linux-perf)

wanted=("${build_packages[@]}")
[[ "${1:-}" == "--peers" ]] && wanted+=("${peer_packages[@]}")
[[ "${1:-}" == "--bench" ]] && wanted+=("${bench_packages[@]}")

missing=()
for p in "${wanted[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

as_root() { if [[ $(id -u) -eq 0 ]]; then "$@"; else sudo "$@"; fi; }

if ((${#missing[@]})); then
    echo "installing Debian packages: ${missing[*]}" >&2
    as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [[ "${1:-}" == "--peers" ]] && ! command -v vncdotool >/dev/null; then
    echo "installing vncdotool from PyPI" >&2
    python3 -m pip install -q vncdotool 2>/dev/null || python3 -m pip install -q --break-system-packages vncdotool
fi
