#!/usr/bin/env bash
# Stop the server started by start.sh: kills exactly the pids listed in <state-dir>/pids
# (the Cyrus master; SIGTERM makes master kill its own httpd children).
set -u
if [ $# -ne 1 ]; then echo "usage: $0 <state-dir>" >&2; exit 2; fi
STATE="$1"
[ -f "$STATE/pids" ] || { echo "no $STATE/pids, nothing to stop"; exit 0; }
PIDS=$(cat "$STATE/pids")
for p in $PIDS; do kill -TERM "$p" 2>/dev/null || true; done
for _ in $(seq 1 50); do
  alive=""
  for p in $PIDS; do kill -0 "$p" 2>/dev/null && alive="$alive $p"; done
  [ -z "$alive" ] && break
  sleep 0.1
done
for p in $alive; do kill -KILL "$p" 2>/dev/null || true; done
rm -f "$STATE/pids"
echo "stopped:$PIDS"
