#!/usr/bin/env bash
# Install headless Chromium for the browser tests (internal/testkit.Browser), from Debian's packages.
#
#   .ci/chromium/install.sh
#
# Installs the `chromium` package when /usr/bin/chromium is missing: apt-get update first, then an
# install without recommends (DejaVu fonts, which cover Cyrillic, come with fontconfig). apt's output
# goes to a log shown only on failure. Checks that the binary answers --version and prints the export
# the tests need on stdout (progress goes to stderr). Starts nothing: each test starts its own browser.
# Safe to run again.
set -euo pipefail

bin=/usr/bin/chromium

log() { echo "chromium: $*" >&2; }

if [ ! -x "$bin" ]; then
	log "installing chromium (a minute or so)"
	export DEBIAN_FRONTEND=noninteractive
	apt_log=$(mktemp)
	trap 'rm -f "$apt_log"' EXIT
	if ! { apt-get update -q && apt-get install -y -q --no-install-recommends chromium; } >"$apt_log" 2>&1; then
		log "apt-get failed; its output follows"
		cat "$apt_log" >&2
		exit 1
	fi
fi
# The launcher script prints a harmless shell warning on stderr on some machines; keep only stdout.
if ! version=$("$bin" --version 2>/dev/null); then
	log "$bin does not start"
	exit 1
fi
log "$version"

cat <<EOF
export OTKLIK_TEST_CHROMIUM=$bin
EOF
