#!/usr/bin/env bash
# README's second set-up command (and CI's, through .ci/run): install the Debian packages and the
# real VNC peers the tests drive, build everything and run all tests (scripts/run-tests.sh).
# A shell script rather than only a make target, because a fresh Debian 12 with Swift has no make.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh --peers
swift build --build-tests
exec scripts/run-tests.sh
