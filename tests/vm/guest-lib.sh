# SPDX-License-Identifier: ISC
#
# What the guest's shell tests share (busybox sh; tests/vm/run.sh installs
# it as /usr/share/sb-vm/lib.sh, and a test sources it after setting $dir,
# its directory). PASS and FAIL lines, $failed counting the failures, the
# daemon started and stopped as a child of the test's shell, the kernel's
# CAN_RAW receivers and a command's expected exit.

failed=0

pass() {
	echo "PASS: $*"
}

fail() {
	echo "FAIL: $*"
	failed=$((failed + 1))
}

# Shows a file in the log of a failed case.
show() {
	echo "---- $1"
	cat "$1"
}

# Starts a daemon on socket $1 with policy $2 (more options: $3 on), a
# child of this shell (so that wait sees its status); its pid in $started,
# its output in $1.log.
start_daemon() {
	sock_=$1
	policy_=$2
	shift 2
	"$SB_DAEMON" --listen "$sock_" --foreground --no-privdrop \
	    --policy "$policy_" "$@" >"$sock_.log" 2>&1 &
	started=$!
}

# Waits until the daemon on socket $1 answers (30 s at most).
wait_daemon() {
	tries=300
	until "$SB_CLI" -s "$1" info >/dev/null 2>&1; do
		tries=$((tries - 1))
		[ "$tries" -gt 0 ] || return 1
		sleep 0.1
	done
}

# Stops daemon $1 (socket $2): it must exit 0.
stop_daemon() {
	kill -TERM "$1"
	wait "$1"
	status=$?
	if [ "$status" -eq 0 ]; then
		pass "sockbrokerd on $2 exited 0"
	else
		fail "sockbrokerd on $2 exited $status"
		show "$2.log"
	fi
}

# The CAN_RAW receivers the kernel has in this network namespace: one per
# filter, error filter or default filter of each bound socket (lines
# ending in "raw").
receivers() {
	cat /proc/net/can/rcvlist_* | grep -c ' raw$'
}

# Waits until the kernel has at least $1 receivers (30 s at most).
wait_receivers() {
	tries=300
	while [ "$(receivers)" -lt "$1" ]; do
		tries=$((tries - 1))
		[ "$tries" -gt 0 ] || return 1
		sleep 0.1
	done
}

# Case $1: command $2... must exit with status $status_want and say
# something matching the extended regular expression $msg_want (nothing
# at all if $msg_want is empty).
expect_exit() {
	what=$1
	shift
	"$@" >"$dir/cmd.out" 2>&1
	status=$?
	if [ "$status" -ne "$status_want" ]; then
		fail "$what: exit $status, not $status_want"
		show "$dir/cmd.out"
	elif [ -z "$msg_want" ] && [ -s "$dir/cmd.out" ]; then
		fail "$what: said something"
		show "$dir/cmd.out"
	elif [ -n "$msg_want" ] && ! grep -Eq "$msg_want" "$dir/cmd.out"; then
		fail "$what: no message matching '$msg_want'"
		show "$dir/cmd.out"
	else
		pass "$what: exit $status: $(head -n 1 "$dir/cmd.out")"
	fi
}
