#!/usr/bin/env bash
# Start a private clamd for the virus-scanning tests (internal/files/clamd), from Debian's packages.
#
#   .ci/clamd/start.sh [WORKDIR]     default WORKDIR: $OTKLIK_CLAMD_DIR or /tmp/otklik-clamd
#   .ci/clamd/start.sh --stop [WORKDIR]
#
# Installs clamav-daemon if missing (apt-get update only when needed). There is no network for
# freshclam, so the script writes its own signature database into WORKDIR/db: an MD5 hash signature of
# the 68-byte EICAR test file (otklik-eicar.hdb) and a body signature that finds the same bytes anywhere
# in a larger file (otklik-eicar.ndb). It renders WORKDIR/clamd.conf, starts `clamd -c WORKDIR/clamd.conf`
# on the socket WORKDIR/clamd.sock, waits until it answers PING, checks that it reports EICAR and prints
# the export the tests need on stdout (progress goes to stderr). An instance that already answers on
# the socket is reused. It never reads or writes /etc/clamav and never touches the system service.
# Safe to run again.
set -euo pipefail

stop_only=no
if [ "${1:-}" = "--stop" ]; then
	stop_only=yes
	shift
fi
work=${1:-${OTKLIK_CLAMD_DIR:-/tmp/otklik-clamd}}
sock=$work/clamd.sock
conf=$work/clamd.conf
pidfile=$work/clamd.pid
logfile=$work/clamd.log

log() { echo "clamd: $*" >&2; }

# The EICAR test file, from two halves so that this script is not itself reported by scanners.
eicar() { printf '%s%s' 'X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR' '-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*'; }

# clamd_call COMMAND [FILE]: send the z-command to the socket (with FILE as an INSTREAM body when
# given) and print the answer without its NUL. Uses perl from perl-base, which every Debian has.
clamd_call() {
	perl -MIO::Socket::UNIX -e '
		my ($path, $cmd, $file) = @ARGV;
		my $s = IO::Socket::UNIX->new(Type => SOCK_STREAM(), Peer => $path) or exit 1;
		local $SIG{ALRM} = sub { exit 1 };
		alarm 10;
		print $s "z$cmd\0";
		if (defined $file) {
			open(my $fh, "<:raw", $file) or exit 1;
			local $/; my $body = <$fh>;
			print $s pack("N", length $body), $body, pack("N", 0);
		}
		$s->flush;
		my $reply = ""; my $buf;
		while (length($reply) < 4096 && sysread($s, $buf, 4096)) { $reply .= $buf; last if $reply =~ /\0/ }
		$reply =~ s/\0.*//s;
		print $reply, "\n";
	' "$sock" "$@" 2>/dev/null
}

answers_ping() { [ "$(clamd_call PING || true)" = "PONG" ]; }

stop_previous() {
	local pid=""
	[ -f "$pidfile" ] && pid=$(cat "$pidfile" 2>/dev/null || true)
	if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && grep -q clamd "/proc/$pid/comm" 2>/dev/null; then
		log "stopping the instance in $work (pid $pid)"
		kill "$pid" 2>/dev/null || true
		for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
		if kill -0 "$pid" 2>/dev/null; then
			log "pid $pid did not stop; killing it"
			kill -9 "$pid" 2>/dev/null || true
		fi
	fi
	rm -f "$sock" "$pidfile"
}

if [ "$stop_only" = yes ]; then
	stop_previous
	exit 0
fi

# 1. Packages.
if ! command -v clamd >/dev/null 2>&1 || ! dpkg -s clamav-daemon >/dev/null 2>&1; then
	log "installing clamav-daemon"
	export DEBIAN_FRONTEND=noninteractive
	if ! apt-get install -y -q --no-install-recommends clamav-daemon >&2; then
		apt-get update -q >&2
		apt-get install -y -q --no-install-recommends clamav-daemon >&2
	fi
fi

# 2. Reuse a running instance, or write the database and the config and start a new one.
if answers_ping; then
	log "reusing the instance on $sock"
else
	stop_previous
	mkdir -p "$work/db"
	chmod 0755 "$work"
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
	eicar >"$tmp/eicar"
	# .hdb: md5:size:name of the exact file. .ndb: name:target:offset:hex, any target, anywhere.
	echo "$(md5sum "$tmp/eicar" | cut -d' ' -f1):$(stat -c %s "$tmp/eicar"):Eicar-Test-Signature" \
		>"$work/db/otklik-eicar.hdb"
	echo "Eicar-Signature:0:*:$(od -An -v -tx1 "$tmp/eicar" | tr -d ' \n')" >"$work/db/otklik-eicar.ndb"

	user_line=""
	[ "$(id -u)" = 0 ] && user_line="User root" # the default would drop to clamav, who cannot read WORKDIR
	cat >"$conf" <<EOF
# Private clamd for Otklik's tests; written by .ci/clamd/start.sh, rewritten on every start.
LocalSocket $sock
LocalSocketMode 660
FixStaleSocket yes
$user_line
Foreground no
PidFile $pidfile
LogFile $logfile
LogTime yes
LogFileMaxSize 10M
DatabaseDirectory $work/db
OfficialDatabaseOnly no
MaxThreads 4
ReadTimeout 120
CommandReadTimeout 30
SelfCheck 0
StreamMaxLength 64M
MaxFileSize 100M
MaxScanSize 400M
EOF

	# 3. Start and wait for PING. clamd forks into the background after loading the database; keep
	# its output in the log, not ours, or a caller reading our output through a pipe would hang.
	: >"$logfile"
	started=$(date +%s.%N)
	if ! clamd -c "$conf" </dev/null >>"$logfile" 2>&1; then
		log "failed to start; the log follows"
		cat "$logfile" >&2
		exit 1
	fi
	for _ in $(seq 1 600); do
		answers_ping && break
		sleep 0.1
	done
	if ! answers_ping; then
		log "$sock does not answer PING after 60 s; the log follows"
		cat "$logfile" >&2
		exit 1
	fi
	log "started in $(awk -v s="$started" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }') s"
fi

# 4. Check that the database is loaded: the EICAR file must be reported.
check=$(mktemp)
eicar >"$check"
verdict=$(clamd_call INSTREAM "$check" || true)
rm -f "$check"
case "$verdict" in
*" FOUND") ;;
*)
	log "EICAR is not detected (clamd answered: ${verdict:-nothing}); the log follows"
	cat "$logfile" >&2
	exit 1
	;;
esac
log "$(clamd_call VERSION), socket $sock, config $conf, log $logfile; EICAR -> $verdict"

cat <<EOF
export OTKLIK_TEST_CLAMD=unix:$sock
EOF
