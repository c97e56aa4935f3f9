#!/usr/bin/env bash
# Start a private Dovecot for the IMAP intake tests (internal/mail/imap), from Debian's packages.
#
#   .ci/dovecot/start.sh [WORKDIR]     default WORKDIR: $OTKLIK_DOVECOT_DIR or /tmp/otklik-dovecot
#   .ci/dovecot/start.sh --stop [WORKDIR]
#
# Installs dovecot-core and dovecot-imapd if missing (apt-get update only when needed), renders
# dovecot.conf and users into WORKDIR, stops an instance started earlier from the same WORKDIR, starts
# `dovecot -c WORKDIR/dovecot.conf`, waits until 127.0.0.1:1143 answers and prints the exports the
# tests need on stdout (progress goes to stderr). Maildirs live under WORKDIR/mail and are kept across
# restarts, so a test may restart the server under a running client. It never reads or writes
# /etc/dovecot and never touches a system instance. Safe to run again.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
stop_only=no
if [ "${1:-}" = "--stop" ]; then
	stop_only=yes
	shift
fi
work=${1:-${OTKLIK_DOVECOT_DIR:-/tmp/otklik-dovecot}}
addr=127.0.0.1
port=1143
mail_user=nobody
mail_group=nogroup

log() { echo "dovecot: $*" >&2; }

port_open() { (exec 3<>"/dev/tcp/$addr/$port") 2>/dev/null; }

stop_previous() {
	[ -f "$work/dovecot.conf" ] || return 0
	local pid=""
	[ -f "$work/run/master.pid" ] && pid=$(cat "$work/run/master.pid" 2>/dev/null || true)
	if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
		log "stopping the instance in $work (pid $pid)"
		dovecot -c "$work/dovecot.conf" stop >/dev/null 2>&1 || kill "$pid" 2>/dev/null || true
		for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
		if kill -0 "$pid" 2>/dev/null; then
			log "pid $pid did not stop; killing it"
			kill -9 "$pid" 2>/dev/null || true
		fi
	fi
	for _ in $(seq 1 50); do port_open || return 0; sleep 0.1; done
	log "$addr:$port is still taken by another process"
	return 1
}

if [ "$stop_only" = yes ]; then
	stop_previous
	exit 0
fi

# 1. Packages.
if ! command -v dovecot >/dev/null 2>&1 || ! dpkg -s dovecot-imapd >/dev/null 2>&1; then
	log "installing dovecot-core and dovecot-imapd"
	export DEBIAN_FRONTEND=noninteractive
	if ! apt-get install -y -q --no-install-recommends dovecot-core dovecot-imapd >&2; then
		apt-get update -q >&2
		apt-get install -y -q --no-install-recommends dovecot-core dovecot-imapd >&2
	fi
fi

# 2. Config: a fresh copy of the templates; the mail stays.
stop_previous
mkdir -p "$work/run" "$work/state" "$work/mail"
chmod 0755 "$work" "$work/run"
chown "$mail_user:$mail_group" "$work/mail"
sed -e "s|@WORK@|$work|g" -e "s|@MAIL@|$work/mail|g" \
	-e "s|@MAIL_USER@|$mail_user|g" -e "s|@MAIL_GROUP@|$mail_group|g" \
	"$here/dovecot.conf" >"$work/dovecot.conf"
cp "$here/users" "$work/users"
chgrp dovecot "$work/users" # the auth process runs as the dovecot user
chmod 0640 "$work/users"

# 3. Start and wait for the listener. The master keeps the stderr it was started with: give it the
# log, not ours, or a caller reading our output through a pipe (CI) would wait for it forever.
: >"$work/dovecot.log"
if ! dovecot -c "$work/dovecot.conf" </dev/null >>"$work/dovecot.log" 2>&1; then
	log "failed to start; the log follows"
	cat "$work/dovecot.log" >&2
	exit 1
fi
for _ in $(seq 1 100); do
	port_open && break
	sleep 0.1
done
if ! port_open; then
	log "$addr:$port does not answer; the log follows"
	cat "$work/dovecot.log" >&2
	exit 1
fi
log "$(dovecot --version) on $addr:$port, config $work/dovecot.conf, log $work/dovecot.log"

cat <<EOF
export OTKLIK_TEST_IMAP=$addr:$port
export OTKLIK_TEST_IMAP_USER=otklik@localhost
export OTKLIK_TEST_IMAP_PASSWORD=otklik-test
export OTKLIK_TEST_IMAP_USER2=other@localhost
export OTKLIK_TEST_IMAP_PASSWORD2=otklik-test
EOF
