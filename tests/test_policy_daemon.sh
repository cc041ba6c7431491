#!/bin/sh
# SPDX-License-Identifier: ISC
#
# The daemon and its policy file: a syntax error stops it at start-up with
# FILE:LINE:COL; SIGHUP reloads a changed policy atomically, and a broken
# one on reload leaves the old policy in force with the reason in the log.
# A denial reaches the client as "Permission denied". $SB_DAEMON and $SB_CLI
# name the programs to test (make check sets them); $SB_DAEMON_WRAPPER, if
# set, is put in front of the daemon (valgrind ...).

lib_name=pold
. "$(dirname "$0")/lib.sh"
lib_need_programs
pol=$dir/policy.conf

# Opening a TCP socket through the broker: the echo server does it first.
# Prints what the server said; its status is 0 if it got as far as listening.
try_socket() {
	"$SB_CLI" -s "$sock" echo-server 127.0.0.1 0 >"$dir/echo.out" 2>&1 &
	server=$!
	for _ in $(seq 1 "$tries"); do
		grep -q "Listening on\|denied" "$dir/echo.out" && break
		kill -0 "$server" 2>/dev/null || break
		sleep 0.1
	done
	kill "$server" 2>/dev/null
	wait "$server" 2>/dev/null
	grep -q "Listening on" "$dir/echo.out"
}

# Waits until the log has a line matching $1 (a grep pattern).
wait_log() {
	for _ in $(seq 1 "$tries"); do
		grep -q "$1" "$log" && return 0
		sleep 0.1
	done
	fail "no log line matching '$1'"
}


# A syntax error: the daemon refuses to start and names file, line, column.
printf 'permit * family inet\npermit * family inte\n' >"$pol"
# shellcheck disable=SC2086 # the wrapper is a list of words
${SB_DAEMON_WRAPPER:-} "$SB_DAEMON" --listen "$sock" --foreground \
    --no-privdrop --policy "$pol" >"$log" 2>&1
status=$?
[ "$status" -ne 0 ] || fail "the daemon started with a broken policy"
grep -q "$pol:2:17: unknown family 'inte'" "$log" ||
    fail "the start-up error does not name $pol:2:17"
[ -e "$sock" ] && fail "the daemon left its socket behind"

# A policy that permits TCP: the echo server gets its socket.
printf 'permit * family inet type stream\n' >"$pol"
daemon_start --no-privdrop --policy "$pol"
try_socket || fail "a permitted TCP socket was refused: $(cat "$dir/echo.out")"

# SIGHUP with a policy that permits nothing of the kind: refused now.
printf 'permit * family unix\n' >"$pol"
kill -HUP "$daemon"
wait_log "policy $pol reloaded: 1 rules"
try_socket && fail "a TCP socket was opened after the policy forbade it"
grep -q "Permission denied" "$dir/echo.out" ||
    fail "the refusal does not say Permission denied: $(cat "$dir/echo.out")"
grep -q "verdict=deny rule=none" "$log" ||
    fail "the denial was not audited"

# SIGHUP with a broken policy: the old one stays in force.
printf 'permit * family inet type stream\npermit * bogus\n' >"$pol"
kill -HUP "$daemon"
wait_log "policy reload failed, keeping the old policy: $pol:2:10"
try_socket && fail "a broken reload replaced the policy"

daemon_stop
echo "PASS: broken policy refused at start-up, SIGHUP reload, broken reload kept the old policy"
