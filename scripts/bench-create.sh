#!/usr/bin/env bash
# Measures ticket creation over HTTP on a fresh database, as in docs/PERFORMANCE.md.
# usage: scripts/bench-create.sh [full|normal] [clients] [duration] [extra serve flags…]
# With PG=postgres://postgres@127.0.0.1:5432 set, the run uses a new PostgreSQL database on that server
# (dropped afterwards) instead of SQLite; NODES=2 starts two nodes on it and splits the clients. Nodes
# that share this machine get its cores between them (GOMAXPROCS = cores / NODES, or NODE_GOMAXPROCS),
# as co-located nodes would be configured; the load tools keep the default.
# Needs the binaries: go build -o /tmp/otklik ./cmd/otklik && go build -o /tmp/otklik-load ./cmd/otklik-load
set -euo pipefail
SYNC=${1:-full}; C=${2:-32}; D=${3:-20s}; shift $(( $# < 3 ? $# : 3 ))
OTKLIK=${OTKLIK:-/tmp/otklik}; LOAD=${LOAD:-/tmp/otklik-load}
DIR=$(mktemp -d)
PIDS=()
DBNAME=""
cleanup() {
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	[ -n "$DBNAME" ] && psql "$PG/postgres" -qc "DROP DATABASE IF EXISTS $DBNAME WITH (FORCE)" >/dev/null
	rm -rf "$DIR"
}
trap cleanup EXIT
DBFLAGS=()
if [ -n "${PG:-}" ]; then
	DBNAME=bench_$RANDOM$RANDOM
	psql "$PG/postgres" -qc "CREATE DATABASE $DBNAME" >/dev/null
	DBFLAGS=(--db "$PG/$DBNAME")
fi
TOK=$(openssl rand -hex 32)
URLS=()
for n in $(seq 1 "${NODES:-1}"); do
	PORT=$(( 20000 + RANDOM % 20000 ))
	NODEPROCS=${NODE_GOMAXPROCS:-$(( $(nproc) / ${NODES:-1} > 0 ? $(nproc) / ${NODES:-1} : 1 ))}
	GOMAXPROCS=$NODEPROCS OTKLIK_ADMIN_TOKEN=$TOK "$OTKLIK" serve --data "$DIR/$n" --addr 127.0.0.1:$PORT --sqlite-sync "$SYNC" "${DBFLAGS[@]}" "$@" >"$DIR/serve$n.log" 2>&1 &
	PIDS+=($!)
	until curl -s -o /dev/null http://127.0.0.1:$PORT/healthz; do sleep 0.05; done
	URLS+=("http://127.0.0.1:$PORT")
done
if [ "${NODES:-1}" = 1 ]; then
	OTKLIK_ADMIN_TOKEN=$TOK "$LOAD" -url "${URLS[0]}" -scenario create -c "$C" -d "$D" -warmup 3s
else
	# One load tool per node, each with its share of the clients, at the same time; add the throughputs.
	for u in "${URLS[@]}"; do
		OTKLIK_ADMIN_TOKEN=$TOK "$LOAD" -url "$u" -scenario create -c $(( C / ${NODES} )) -d "$D" -warmup 3s >"$DIR/load-${u##*:}.txt" 2>&1 &
	done
	wait $(jobs -p | grep -v -e "${PIDS[0]}" -e "${PIDS[1]}") 2>/dev/null || true
	sleep 1
	for u in "${URLS[@]}"; do grep -E "^(target|throughput|latency)" "$DIR/load-${u##*:}.txt"; done
	awk '/^throughput/ {s += $2} END {printf "total throughput %.0f req/s\n", s}' "$DIR"/load-*.txt
fi
