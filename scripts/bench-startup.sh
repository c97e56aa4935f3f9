#!/usr/bin/env bash
# Measures start-up (exec to the first 200 from /healthz) and resident memory at rest, as in
# docs/PERFORMANCE.md. The server keeps running for read benchmarks; its PID is printed last.
# usage: scripts/bench-startup.sh DATA_DIR PORT
set -euo pipefail
DATA=$1; PORT=$2; OTKLIK=${OTKLIK:-/tmp/otklik}
start=$(date +%s%N)
"$OTKLIK" serve --data "$DATA" --addr 127.0.0.1:$PORT >/dev/null 2>&1 &
PID=$!
until curl -s -o /dev/null http://127.0.0.1:$PORT/healthz; do sleep 0.005; done
end=$(date +%s%N)
echo "start-up to first /healthz: $(( (end - start) / 1000000 )) ms"
sleep 5
grep -E "VmRSS|RssAnon|RssFile" /proc/$PID/status
echo "pid $PID"
