#!/bin/sh
# SPDX-License-Identifier: ISC
#
# The systemd glue: `systemd-analyze verify` on sockbroker.service and
# sockbroker.socket (the service pointed at the built daemon), the
# exposure `systemd-analyze security --offline=yes` gives the service
# (above SB_MAX_EXPOSURE, default 3.5, fails: a hardening regression), socket
# activation (systemd-socket-activate hands the daemon its socket) and the
# sd_notify messages READY=1, STATUS= and STOPPING=1 (read with python3).
# $SB_DAEMON and $SB_CLI name the programs to test (make check sets them);
# $SB_DAEMON_WRAPPER, if set, is put in front of the daemon (valgrind ...).
#
# systemd-analyze missing is a failure (Debian package systemd); one that
# cannot run at all here is a skip (status 77) that says why.

lib_name=systemd
. "$(dirname "$0")/lib.sh"
lib_need_programs
srcdir=${srcdir:-$(dirname "$0")/..}
max_exposure=${SB_MAX_EXPOSURE:-3.5}
server=
listener=
notrun=

test_cleanup() {
	[ -n "$server" ] && kill "$server" 2>/dev/null
	[ -n "$listener" ] && kill "$listener" 2>/dev/null
}

command -v systemd-analyze >/dev/null 2>&1 ||
    fail "systemd-analyze is not installed (Debian package systemd)"
if ! systemd-analyze --version >"$dir/version.out" 2>&1; then
	echo "SKIP: systemd-analyze cannot run here:"
	cat "$dir/version.out"
	exit 77
fi
head -n 1 "$dir/version.out"

# verify: the units as installed, ExecStart pointing at the built daemon
# (verify checks that it exists and is executable).
units=$dir/units
mkdir "$units" || exit 99
cp "$SB_DAEMON" "$units/sockbrokerd" || exit 99
sed -e "s|@sbindir@|$units|g" "$srcdir/systemd/sockbroker.service.in" \
    >"$units/sockbroker.service" || exit 99
cp "$srcdir/systemd/sockbroker.socket" "$units/" || exit 99
(cd "$units" && systemd-analyze verify sockbroker.service sockbroker.socket) \
    >"$dir/verify.out" 2>&1 || fail "systemd-analyze verify failed"
[ -s "$dir/verify.out" ] && fail "systemd-analyze verify complained"
echo "PASS: systemd-analyze verify sockbroker.service sockbroker.socket"

# security: the exposure level, at most $max_exposure.
(cd "$units" && systemd-analyze security --offline=yes sockbroker.service) \
    >"$dir/security.out" 2>&1 ||
    fail "systemd-analyze security --offline=yes failed"
exposure=$(sed -n 's/^→ Overall exposure level for sockbroker\.service: \([0-9.]*\) .*/\1/p' \
    "$dir/security.out")
[ -n "$exposure" ] || fail "systemd-analyze security printed no exposure level"
grep '^→ Overall exposure level' "$dir/security.out"
awk -v e="$exposure" -v m="$max_exposure" 'BEGIN { exit !(e <= m) }' ||
    fail "exposure $exposure is above $max_exposure: a hardening regression"
echo "PASS: exposure $exposure (at most $max_exposure)"

# Socket activation: systemd-socket-activate makes the socket and passes it
# (LISTEN_FDS=1); the daemon serves on it and leaves it in place.
if command -v systemd-socket-activate >/dev/null 2>&1; then
	# shellcheck disable=SC2086 # the wrapper is a list of words
	systemd-socket-activate -l "$sock" ${SB_DAEMON_WRAPPER:-} \
	    "$SB_DAEMON" --foreground --verbose --no-privdrop --policy "$SB_POLICY" >"$log" 2>&1 &
	daemon=$!
	daemon_wait
	grep -q 'socket activation: using the socket systemd passed' "$log" ||
	    fail "the daemon did not say it took the socket from systemd"
	daemon_stop
	[ -S "$sock" ] || fail "sockbrokerd removed the socket systemd made"
	rm -f "$sock"
	echo "PASS: socket activation"
else
	notrun="$notrun socket-activation(no systemd-socket-activate)"
	echo "SKIP: socket activation: systemd-socket-activate is missing"
fi

# sd_notify: a datagram socket as NOTIFY_SOCKET collects what the daemon
# says: READY=1 and STATUS=serving 0 clients at start, serving 1 client
# while a client is connected, STOPPING=1 at the end.
if command -v python3 >/dev/null 2>&1; then
	python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
out = open(sys.argv[2], "w", buffering=1)
while True:
    out.write(s.recv(4096).decode() + "\n")
' "$dir/notify" "$dir/notify.out" 2>"$dir/listener.out" &
	listener=$!
	tries=50
	while [ ! -S "$dir/notify" ]; do
		tries=$((tries - 1))
		[ "$tries" -gt 0 ] || fail "the notify listener did not start"
		sleep 0.1
	done
	# shellcheck disable=SC2086 # the wrapper is a list of words
	NOTIFY_SOCKET=$dir/notify ${SB_DAEMON_WRAPPER:-} "$SB_DAEMON" \
	    --listen "$sock" --foreground --verbose --no-privdrop --policy "$SB_POLICY" \
	    >"$log" 2>&1 &
	daemon=$!
	daemon_wait
	cli echo-server 127.0.0.1 0 >"$dir/server.out" 2>&1 &
	server=$!
	tries=50
	while ! grep -q '^STATUS=serving 1 client$' "$dir/notify.out"; do
		tries=$((tries - 1))
		[ "$tries" -gt 0 ] || fail "no STATUS=serving 1 client"
		sleep 0.1
	done
	kill "$server"
	wait "$server" 2>/dev/null
	server=
	daemon_stop
	sleep 0.2
	kill "$listener"
	wait "$listener" 2>/dev/null
	listener=
	grep -qx 'READY=1' "$dir/notify.out" || fail "no READY=1"
	grep -qx 'STATUS=serving 0 clients' "$dir/notify.out" ||
	    fail "no STATUS=serving 0 clients"
	grep -qx 'STOPPING=1' "$dir/notify.out" || fail "no STOPPING=1"
	echo "PASS: sd_notify READY=1, STATUS=, STOPPING=1"
else
	notrun="$notrun sd_notify(no python3)"
	echo "SKIP: sd_notify: python3 is missing to read the messages"
fi

[ -z "$notrun" ] || echo "NOT RUN:$notrun"
exit 0
