#!/usr/bin/env bash
# Runs the three test groups of `make test` (see the Makefile for why they run apart), every group
# even when an earlier one fails, and ends with what failed: a CI log is often read from its tail,
# and the lines that name a failure would otherwise be buried hundreds of lines up.
set -uo pipefail
cd "$(dirname "$0")/.."

bin="$(swift build --show-bin-path)"
logs="$(mktemp -d)"
trap 'rm -rf "$logs"' EXIT

groups=(unit allocator device integration)
# allocator: LargeAllocationPolicyTests checks where glibc puts a large block, which depends on
# the free blocks earlier tests left in the process's heap, so it runs in a process of its own.
declare -A commands=(
  [unit]="swift test --skip-build --skip DisplayServerTests --skip IntegrationTests --skip LargeAllocationPolicyTests"
  [allocator]="swift test --skip-build --filter LargeAllocationPolicyTests"
  [device]="swift test --skip-build --filter DisplayServerTests"
  [integration]="env PORTHOLE_BIN=$bin/porthole swift test --skip-build --filter IntegrationTests"
)

# x11vnc and Xvnc need SysV shared memory; segments killed peers leaked in earlier runs must not
# have used up the machine's ids.
scripts/free-orphaned-shm.sh || true

status=0
declare -A results
for group in "${groups[@]}"; do
  echo "=== $group: ${commands[$group]}"
  ${commands[$group]} 2>&1 | tee "$logs/$group.log"
  code=${PIPESTATUS[0]}
  results[$group]=$code
  [ "$code" -eq 0 ] || status=1
done

passed=0
failed=0
echo
echo "=== summary"
for group in "${groups[@]}"; do
  log="$logs/$group.log"
  # Swift Testing's closing line: "Test run with N tests in M suites passed|failed after ...".
  total=$(grep -oE 'Test run with [0-9]+ tests?' "$log" | tail -1 | grep -oE '[0-9]+' || true)
  # XCTest's: "Executed N tests, with F failures".
  xctest=$(grep -oE 'Executed [0-9]+ tests?, with [0-9]+ failures?' "$log" | tail -1 || true)
  bad=$(grep -E '^✘ Test .* failed after' "$log" | grep -vc '^✘ Test run with' || true)
  total=${total:-0}
  if [ -n "$xctest" ]; then
    xt=$(echo "$xctest" | grep -oE '[0-9]+' | head -1)
    xf=$(echo "$xctest" | grep -oE '[0-9]+' | tail -1)
    total=$((total + xt)); bad=$((bad + xf))
  fi
  if [ "${results[$group]}" -ne 0 ] && [ "$bad" -eq 0 ]; then bad=1; fi
  echo "$group: exit ${results[$group]}, $total tests, $bad failed"
  grep -E '^✘ Test .*(recorded an issue|failed after)|^error: |^[^ ]*Fatal error:' "$log" | cut -c1-600 || true
  passed=$((passed + total - bad))
  failed=$((failed + bad))
done
echo "tests: $passed passed, $failed failed"
exit $status
