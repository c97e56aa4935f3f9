#!/usr/bin/env bash
# Start a private S3-compatible server for the S3 blob store tests (internal/files/blob): Versity
# Gateway (github.com/versity/versitygw, Apache-2.0) with its POSIX backend. Debian packages no S3
# server, so it is built from source with the Go toolchain.
#
#   .ci/s3/start.sh [WORKDIR]     default WORKDIR: $OTKLIK_S3_DIR or /tmp/otklik-s3
#   .ci/s3/start.sh --stop [WORKDIR]
#
# Installs versitygw into $OTKLIK_CI_BIN (default ~/.cache/otklik-ci/bin) with `go install` if it is
# missing or another version (about a minute the first time, from the Go module proxy), starts it on
# 127.0.0.1:7070 in single-account mode with fixed test credentials, its buckets being the
# directories of WORKDIR/buckets, creates the bucket otklik-test there, waits until it answers and
# prints the export the tests need on stdout (progress goes to stderr). An instance that already
# answers on the port is reused. The tests put their objects under a random prefix each and remove
# them. Safe to run again.
set -euo pipefail

stop_only=no
if [ "${1:-}" = "--stop" ]; then
	stop_only=yes
	shift
fi
work=${1:-${OTKLIK_S3_DIR:-/tmp/otklik-s3}}
bindir=${OTKLIK_CI_BIN:-$HOME/.cache/otklik-ci/bin}
version=v1.8.0
bin=$bindir/versitygw
addr=127.0.0.1
port=7070
access=otklik-test
secret=otklik-test-secret
bucket=otklik-test
pidfile=$work/versitygw.pid
logfile=$work/versitygw.log

log() { echo "s3: $*" >&2; }

# answers: something on the port speaks HTTP as Versity Gateway (an unsigned request gets its 403).
answers() {
	local reply
	reply=$(
		exec 2>/dev/null
		exec 3<>"/dev/tcp/$addr/$port" || exit 1
		printf 'GET / HTTP/1.0\r\nHost: %s:%s\r\n\r\n' "$addr" "$port" >&3
		timeout 5 head -c 512 <&3
	) || return 1
	case "$reply" in
	HTTP/1.?" "*VERSITYGW*) return 0 ;;
	esac
	return 1
}

port_open() { (exec 3<>"/dev/tcp/$addr/$port") 2>/dev/null; }

stop_previous() {
	local pid=""
	[ -f "$pidfile" ] && pid=$(cat "$pidfile" 2>/dev/null || true)
	if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && grep -q versitygw "/proc/$pid/comm" 2>/dev/null; then
		log "stopping the instance in $work (pid $pid)"
		kill "$pid" 2>/dev/null || true
		for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
		if kill -0 "$pid" 2>/dev/null; then
			log "pid $pid did not stop; killing it"
			kill -9 "$pid" 2>/dev/null || true
		fi
	fi
	rm -f "$pidfile"
}

if [ "$stop_only" = yes ]; then
	stop_previous
	exit 0
fi

# 1. The binary.
installed() { # the binary is there and of $version (its --version says only "git")
	[ -x "$bin" ] && go version -m "$bin" 2>/dev/null | grep -q "^[[:space:]]mod[[:space:]]github.com/versity/versitygw[[:space:]]$version[[:space:]]"
}
if ! installed; then
	log "installing versitygw $version into $bindir (go install; about a minute the first time)"
	mkdir -p "$bindir"
	started=$(date +%s.%N)
	GOBIN=$bindir GOFLAGS=-buildvcs=false go install "github.com/versity/versitygw/cmd/versitygw@$version" >&2
	log "installed in $(awk -v s="$started" -v e="$(date +%s.%N)" 'BEGIN { printf "%.0f", e - s }') s"
fi

# 2. Reuse a running instance, or start one. The bucket is a directory of the POSIX backend's root.
mkdir -p "$work/buckets/$bucket"
chmod 0700 "$work"
if answers; then
	log "reusing the instance on $addr:$port"
else
	stop_previous
	if port_open; then
		log "$addr:$port is taken by something that is not versitygw"
		exit 1
	fi
	# The credentials go in the environment, not on the command line. setsid: the gateway outlives
	# this script; its output goes to the log, not ours, or a caller reading our output through a
	# pipe would wait for it forever.
	: >"$logfile"
	started=$(date +%s.%N)
	ROOT_ACCESS_KEY=$access ROOT_SECRET_KEY=$secret \
		setsid "$bin" --port "$addr:$port" --quiet posix "$work/buckets" </dev/null >>"$logfile" 2>&1 &
	echo $! >"$pidfile"
	for _ in $(seq 1 100); do
		answers && break
		kill -0 "$(cat "$pidfile")" 2>/dev/null || break
		sleep 0.1
	done
	if ! answers; then
		log "$addr:$port does not answer; the log follows"
		cat "$logfile" >&2
		exit 1
	fi
	log "started in $(awk -v s="$started" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }') s"
fi
log "versitygw $version on $addr:$port, buckets in $work/buckets, log $logfile"

cat <<EOF
export OTKLIK_TEST_S3=http://$access:$secret@$addr:$port/$bucket
EOF
