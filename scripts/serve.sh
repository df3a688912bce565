#!/usr/bin/env bash
# README's first set-up command: install the Debian packages Porthole links, build it in release
# mode and run `porthole serve` (the demo desktop on 127.0.0.1:5900; arguments are passed on).
# A shell script rather than only a make target, because a fresh Debian 12 with Swift has no make.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
swift build -c release --product porthole
exec "$(swift build -c release --show-bin-path)/porthole" serve "$@"
