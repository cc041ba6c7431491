# SPDX-License-Identifier: ISC
# shellcheck shell=sh
#
# What every shell test starts with; sourced by each, after it has set
# lib_name (the prefix of its scratch directory). It gives:
#   lib_need_programs   skip (77) unless $SB_DAEMON and $SB_CLI are set
#   lib_need_root WHY   skip (77) unless root, saying WHY
#   $dir, $sock, $log   a scratch directory (removed at exit), the daemon's
#                       socket and log in it
#   $tries              how many tenths of a second to wait for things
#                       (longer under $SB_DAEMON_WRAPPER, valgrind say);
#                       the test may count it down, lib.sh keeps its own
#   fail MSG            prints MSG, every $dir/*.out and *.err and the
#                       daemon's log, and exits 1
#   cli ARGS            the CLI on $sock
#   daemon_start ARGS   starts $SB_DAEMON (under $SB_DAEMON_WRAPPER) on
#                       $sock in the foreground, verbose, with ARGS, and
#                       waits until it answers; its pid in $daemon
#   daemon_wait         waits until the daemon on $sock answers
#   daemon_stop         SIGTERM; its exit status must be 0
# A test with more to undo at exit defines test_cleanup; the daemon is
# killed and $dir removed after it.

set -u

lib_cleanup() {
	if command -v test_cleanup >/dev/null 2>&1; then
		test_cleanup
	fi
	[ -n "${daemon:-}" ] && kill "$daemon" 2>/dev/null
	rm -rf "$dir"
}

lib_need_programs() {
	if [ -z "${SB_DAEMON:-}" ] || [ -z "${SB_CLI:-}" ]; then
		echo "SB_DAEMON and SB_CLI must be set; skipped"
		exit 77
	fi
}

lib_need_root() {
	if [ "$(id -u)" -ne 0 ]; then
		echo "needs root: $1; skipped"
		exit 77
	fi
}

fail() {
	echo "FAIL: $*"
	for f in "$dir"/*.out "$dir"/*.err; do
		[ -f "$f" ] && { echo "---- $f"; cat "$f"; }
	done
	if [ -f "$log" ]; then
		echo "---- sockbrokerd log"
		cat "$log"
	fi
	exit 1
}

cli() {
	"$SB_CLI" -s "$sock" "$@"
}

daemon_wait() {
	n=$lib_tries
	while ! cli info >/dev/null 2>&1; do
		n=$((n - 1))
		[ "$n" -gt 0 ] || fail "the daemon did not come up on $sock"
		kill -0 "$daemon" 2>/dev/null ||
		    fail "the daemon exited at start-up"
		sleep 0.1
	done
}

daemon_start() {
	# shellcheck disable=SC2086 # the wrapper is a list of words
	${SB_DAEMON_WRAPPER:-} "$SB_DAEMON" --listen "$sock" --foreground \
	    --verbose "$@" >"$log" 2>&1 &
	daemon=$!
	daemon_wait
}

daemon_stop() {
	kill -TERM "$daemon"
	wait "$daemon"
	status=$?
	daemon=
	[ "$status" -eq 0 ] || fail "sockbrokerd exited with status $status"
}

dir=$(mktemp -d "/tmp/sb${lib_name:-test}.XXXXXX") || exit 99
sock=$dir/sb.sock
log=$dir/daemon.log
daemon=
if [ -n "${SB_DAEMON_WRAPPER:-}" ]; then
	lib_tries=600
	# A daemon under valgrind may answer its first Hello after sb_open's
	# default 10 s.
	: "${SOCKBROKER_TIMEOUT:=300}"
	export SOCKBROKER_TIMEOUT
else
	lib_tries=100
fi
tries=$lib_tries
trap lib_cleanup EXIT
