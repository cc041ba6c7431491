#!/bin/sh
# SPDX-License-Identifier: ISC
#
# The sockbroker CLI against a real daemon: info, resolve, and the echo
# example (echo-server + echo-client). $SB_DAEMON and $SB_CLI name the
# programs to test (make check sets them); $SB_DAEMON_WRAPPER, if set, is
# put in front of the daemon (valgrind ...).

lib_name=cli
. "$(dirname "$0")/lib.sh"
lib_need_programs
server=

test_cleanup() {
	[ -n "$server" ] && kill "$server" 2>/dev/null
}

# Help: -h, --help, help and COMMAND --help print the usage and exit 0;
# an unknown option is a usage error (64). The daemon's -h and --help too.
for args in -h --help help "help ping" "ping -h" "ping --help"; do
	# shellcheck disable=SC2086 # args is a list of words
	"$SB_CLI" $args >"$dir/help.out" 2>"$dir/help.err" ||
	    fail "sockbroker $args exited with status $?"
	grep -q '^usage: sockbroker ' "$dir/help.out" ||
	    fail "sockbroker $args printed no usage on stdout"
done
"$SB_CLI" --bogus >/dev/null 2>&1
[ $? -eq 64 ] || fail "sockbroker --bogus is not a usage error (64)"
for args in -h --help; do
	"$SB_DAEMON" $args >"$dir/help.out" 2>"$dir/help.err" ||
	    fail "sockbrokerd $args exited with status $?"
	grep -q '^usage: sockbrokerd ' "$dir/help.out" ||
	    fail "sockbrokerd $args printed no usage on stdout"
done
"$SB_CLI" --version | grep -q '^sockbroker [0-9]' ||
    fail "sockbroker --version printed no version"
echo "PASS: help and version"

daemon_start --no-privdrop --policy "$SB_POLICY"

# info: what the daemon said in Hello.
cli info >"$dir/info.out" 2>&1 || fail "sockbroker info failed"
grep -q '^protocol version: 1$' "$dir/info.out" ||
    fail "sockbroker info does not show protocol version 1"

# resolve localhost: a loopback address.
cli resolve localhost >"$dir/resolve.out" 2>&1 ||
    fail "sockbroker resolve localhost failed"
grep -Eq '127\.0\.0\.1|::1' "$dir/resolve.out" ||
    fail "resolve localhost shows no loopback address"

# The echo example: the server says where it listens, the client talks.
cli echo-server 127.0.0.1 0 >"$dir/server.out" 2>&1 &
server=$!
tries=100
port=
while [ -z "$port" ]; do
	port=$(sed -n 's/^Listening on 127\.0\.0\.1 port \([0-9][0-9]*\)$/\1/p' \
	    "$dir/server.out")
	tries=$((tries - 1))
	[ "$tries" -gt 0 ] || fail "echo-server did not say where it listens"
	[ -n "$port" ] || sleep 0.1
done
cli echo-client 127.0.0.1 "$port" >"$dir/client.out" 2>&1 ||
    fail "echo-client failed"
grep -qx "Received b'Hello, world'" "$dir/client.out" ||
    fail "echo-client did not print the echo"
wait "$server" || fail "echo-server exited with status $?"
server=
grep -q "^Connected by ('127\.0\.0\.1', [0-9]*)$" "$dir/server.out" ||
    fail "echo-server did not say who connected"

# candump and cansend where the kernel may lack AF_CAN (the VM test,
# tests/vm/test_can_cli.sh, runs them on CAN interfaces): the errors that
# need no CAN bus. expect_can STATUS REGEX ARGS...: the CLI with ARGS
# exits STATUS and says something matching REGEX.
expect_can() {
	want=$1
	regex=$2
	shift 2
	"$SB_CLI" "$@" >"$dir/can.out" 2>&1
	status=$?
	[ "$status" -eq "$want" ] ||
	    fail "sockbroker $*: exit $status, not $want"
	grep -Eq "$regex" "$dir/can.out" ||
	    fail "sockbroker $*: no message matching '$regex'"
}
expect_can 64 "bad frame '123#1': the data must be pairs of hex digits" \
    cansend lo 123#1
expect_can 64 "bad frame '12#11': the id must be 3 hex digits" \
    cansend lo 12#11
expect_can 64 "bad frame '123#112233445566778899': more than 8 data bytes" \
    cansend lo 123#112233445566778899
expect_can 64 "bad frame '123##1112233445566778899': a CAN FD frame has" \
    cansend lo 123##1112233445566778899
expect_can 64 "bad filter in 'lo,123': a filter is ID:MASK" candump lo,123
expect_can 64 "bad filter in 'lo,123:7FF,#xyz'" candump lo,123:7FF,#xyz
expect_can 64 "usage: .* candump" candump
expect_can 1 "cansend: interface nosuch0: No such device" \
    -s "$sock" cansend nosuch0 123#11
expect_can 1 "candump: interface nosuch0: No such device" \
    -s "$sock" candump nosuch0
# Without AF_CAN the socket is EAFNOSUPPORT; with it, lo is no CAN device.
expect_can 1 "has no CAN_RAW|lo is not a CAN interface" -s "$sock" \
    cansend lo 123#11
expect_can 1 "has no CAN_RAW|lo is not a CAN interface" -s "$sock" \
    candump -T 100 lo
expect_can 1 "no socket at $dir/nothing.sock" -s "$dir/nothing.sock" \
    candump -T 100 lo
echo "PASS: candump and cansend errors"

# SIGTERM: a clean exit that removes the socket.
daemon_stop
[ ! -e "$sock" ] || fail "sockbrokerd left $sock behind"
echo "PASS: info, resolve, echo-server + echo-client"
exit 0
