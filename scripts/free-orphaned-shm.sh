#!/usr/bin/env bash
# Frees SysV shared-memory segments that nobody can use any more: private (key 0), attached by no
# process, and made by a process that is gone, as a killed x11vnc leaves them (twelve per run).
# The machine has 4096 segment ids (kernel.shmmni); once leaks have taken them all, x11vnc, Xvnc
# and Xvfb's MIT-SHM clients fail with "shmget: No space left on device". The tests stop their
# peers with SIGTERM, which lets x11vnc free its own; this clears what earlier runs, or runs
# killed from outside, left behind. Only the caller's own segments are touched.
set -euo pipefail
me=$(id -u)
freed=0
# /proc/sysvipc/shm: key shmid perms size cpid lpid nattch uid gid cuid cgid ...
# (The last process to attach may live on: Xvfb attaches the segments of its MIT-SHM clients.)
while read -r key shmid _ _ cpid _ nattch _ _ cuid _; do
  [ "$key" = 0 ] && [ "$nattch" = 0 ] && [ "$cuid" = "$me" ] || continue
  [ -e "/proc/$cpid" ] && continue
  ipcrm -m "$shmid" 2>/dev/null && freed=$((freed + 1))
done < <(tail -n +2 /proc/sysvipc/shm)
echo "free-orphaned-shm: freed $freed orphaned segments; $(($(wc -l < /proc/sysvipc/shm) - 1)) remain"
