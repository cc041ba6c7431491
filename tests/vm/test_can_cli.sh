#!/bin/sh
# SPDX-License-Identifier: ISC
#
# sockbroker candump and cansend in the VM guest (busybox sh), against
# can-utils' own candump and cansend on vcan0 and vcan1:
#   1. frames a root process sends directly (real cansend) print the same,
#      byte for byte, in real candump and sockbroker candump;
#   2. sockbroker cansend's frames print as expected in both;
#   3. the same filter string gives both candumps the same output;
#   4. bad frames and filters exit 64 with a message; an unknown interface,
#      one that is not CAN, FD on a non-FD interface and a policy refusal
#      exit 1 with a message; -n COUNT and SIGTERM exit 0.
# One PASS/FAIL line per case; the exit status is the number of failures.

set -u

: "${SB_DAEMON:?}" "${SB_CLI:?}" "${SB_POLICY:?}" "${SB_VM_CONF:?}"
dir=/tmp/test_can_cli
rm -rf "$dir" && mkdir -p "$dir" || exit 1
sock=$dir/sb.sock
export SOCKBROKER_SOCKET=$sock
idle=30000		# -T for both candumps: a ceiling, if a case hangs
real=
sbd=
. /usr/share/sb-vm/lib.sh

# Starts real candump and sockbroker candump with the same arguments ($2
# on) and waits until both have bound: each registers $1 receivers.
# wait_both stops them.
listen_both() {
	n=$1
	shift
	base=$(receivers)
	candump -T "$idle" "$@" >"$dir/real.out" 2>"$dir/real.err" &
	real=$!
	"$SB_CLI" candump -T "$idle" "$@" >"$dir/sb.out" 2>"$dir/sb.err" &
	sbd=$!
	wait_receivers $((base + 2 * n)) || {
		echo "the candumps did not bind: $(receivers) receivers," \
		    "wanted $((base + 2 * n))"
		return 1
	}
}

# Waits until both candumps of listen_both have printed $1 lines (30 s at
# most), half a second more for a line too many, then stops them with
# SIGTERM, which both take as the end of a run: 0 if both exited 0.
wait_both() {
	i=0
	while [ "$i" -lt 300 ] && { [ "$(wc -l <"$dir/real.out")" -lt "$1" ] ||
	    [ "$(wc -l <"$dir/sb.out")" -lt "$1" ]; }; do
		sleep 0.1
		i=$((i + 1))
	done
	sleep 0.5
	kill -TERM "$real" "$sbd" 2>/dev/null
	rc=0
	wait "$real" || { echo "real candump exited $?"; rc=1; }
	wait "$sbd" || { echo "sockbroker candump exited $?"; rc=1; }
	real=
	sbd=
	return "$rc"
}

# Case $1: after wait_both, whether both outputs are the same and have
# $2 lines (so that two empty outputs do not pass).
compare_both() {
	lines=$(wc -l <"$dir/sb.out")
	if ! cmp -s "$dir/real.out" "$dir/sb.out"; then
		fail "$1: sockbroker candump differs from candump"
		diff "$dir/real.out" "$dir/sb.out"
		show "$dir/sb.err"
	elif [ "$lines" -ne "$2" ]; then
		fail "$1: $lines lines, not $2"
		show "$dir/sb.out"
	else
		pass "$1 ($lines lines the same)"
	fi
}

# 64 data bytes 00..3F: as cansend data ($1 = "") or as candump prints
# them ($1 = " ").
bytes64() {
	i=0
	out=
	while [ "$i" -lt 64 ]; do
		out=$out$1$(printf '%02X' "$i")
		i=$((i + 1))
	done
	echo "$out"
}

# The frames of cases 1 and 2, in cansend's syntax: classic SFF and EFF,
# remote frames with and without a length, zero length, '.' separators,
# CAN FD with flags (BRS, ESI) at 0, 12 and 64 bytes, error frames (8
# digits with CAN_ERR_FLAG, which cansend sends as they are), and SFF ids
# after the first EFF one (which candump indents).
frames="123#112233 123# 123#R 123#R3 5A1#11.2233.44556677.88 123##1
123##311.22.33.44.55.66.77.88.99.AA.BB.CC 321##2$(bytes64 '')
1ABCDEF0#DEADBEEF 7FF#00 00000123#R3 1FFFFFFF#R 000##3
20000004#0000000000000000 20000004#11"
nframes=$(echo $frames | wc -w)

# What candump prints for them on vcan0.
expected() {
	cat <<EOF
  vcan0  123   [3]  11 22 33
  vcan0  123   [0] 
  vcan0  123   [0]  remote request
  vcan0  123   [3]  remote request
  vcan0  5A1   [8]  11 22 33 44 55 66 77 88
  vcan0  123  [00] 
  vcan0  123  [12]  11 22 33 44 55 66 77 88 99 AA BB CC
  vcan0  321  [64] $(bytes64 ' ')
  vcan0  1ABCDEF0   [4]  DE AD BE EF
  vcan0       7FF   [1]  00
  vcan0  00000123   [3]  remote request
  vcan0  1FFFFFFF   [0]  remote request
  vcan0       000  [00] 
  vcan0  20000004   [8]  00 00 00 00 00 00 00 00   ERRORFRAME
  vcan0  20000004   [1]  11                        ERRORFRAME
EOF
}

# ---- the daemon
start_daemon "$sock" "$SB_POLICY"
daemon=$started
if ! wait_daemon "$sock"; then
	fail "sockbrokerd did not come up on $sock"
	show "$sock.log"
	exit 1
fi

# ---- 1. a root process's frames: candump and sockbroker candump agree.
# #FFFFFFFF adds error frames to the default "every frame" filter.
if listen_both 2 vcan0,#FFFFFFFF; then
	for f in $frames; do
		cansend vcan0 "$f" || echo "cansend vcan0 $f failed"
	done
fi
wait_both "$nframes" || fail "direct cansend: a candump did not exit 0"
compare_both "direct cansend -> candump and sockbroker candump" "$nframes"
expected >"$dir/expected.out"
if cmp -s "$dir/expected.out" "$dir/real.out"; then
	pass "direct cansend -> candump: as expected"
else
	fail "direct cansend -> candump: not as expected"
	diff "$dir/expected.out" "$dir/real.out"
fi

# ---- 2. sockbroker cansend: both candumps print what is expected.
if listen_both 2 vcan0,#FFFFFFFF; then
	for f in $frames; do
		"$SB_CLI" cansend vcan0 "$f" ||
		    fail "sockbroker cansend vcan0 $f exited $?"
	done
fi
wait_both "$nframes" || fail "sockbroker cansend: a candump did not exit 0"
for out in real sb; do
	if cmp -s "$dir/expected.out" "$dir/$out.out"; then
		pass "sockbroker cansend -> $out candump: as expected"
	else
		fail "sockbroker cansend -> $out candump: not as expected"
		diff "$dir/expected.out" "$dir/$out.out"
	fi
done

# ---- 3. filters: the same string, the same output. Each case: the
# receivers each candump registers, the lines expected, the arguments.
mixed="123#01 124#02 12345678#03 00000123#04 223#05 1A0#06 103#07
12345679#08 678#09 7FF#0A 123#R 20000004#0000000000000000"
filter_case() {
	n=$1
	lines=$2
	shift 2
	if listen_both "$n" "$@"; then
		for f in $mixed; do
			cansend vcan0 "$f"
			cansend vcan1 "$f"
		done
	fi
	wait_both "$lines" || fail "filter $*: a candump did not exit 0"
	# Two sockets print in the order of their threads (sockbroker) or
	# of select() (candump): the lines are compared in one order.
	if [ "$#" -gt 1 ]; then
		sort "$dir/real.out" >"$dir/real.sorted"
		sort "$dir/sb.out" >"$dir/sb.sorted"
		mv "$dir/real.sorted" "$dir/real.out"
		mv "$dir/sb.sorted" "$dir/sb.out"
	fi
	compare_both "filter $*" "$lines"
}
# id:mask passes 123 in SFF and EFF (the mask has no EFF bit) and the RTR.
filter_case 1 3 vcan0,123:7FF
# id~mask: ids whose bits 8-10 are not 1 (12345678, 223, 12345679, 678,
# 7FF).
filter_case 1 5 vcan0,100~700
# j: both filters must match (1xx and x20): 123, 124, EFF 123, RTR 123.
filter_case 2 4 vcan0,100:700,020:0F0,j
# Without j either filter passes: those, 223, 1A0 and 103.
filter_case 2 7 vcan0,100:700,020:0F0
# An 8-digit id is an EFF filter.
filter_case 1 1 vcan0,12345678:1FFFFFFF
# Only error frames, from every interface: "any" is 3 wide, vcan0 is 5.
filter_case 2 2 any,0~0,#FFFFFFFF
# Every frame of both interfaces through "any".
filter_case 1 22 any
# Two interfaces, each with its own filters: 3 lines from vcan0, 7FF and
# the error frame (CAN_ERR_CRTL, 4) from vcan1.
filter_case 3 5 vcan0,123:7FF vcan1,7FF:7FF,#4

# ---- 4. errors and the end of a run.
status_want=64
for f in 12#11 1234#11 123 123#1 123#GG 123#11..22 123#112233445566778899 \
    FFF#11 80000123#11 123#R9 123#R33 123## 123##X11 \
    123##1112233445566778899 "123##0$(bytes64 '')00"; do
	msg_want="bad frame '.*': "
	expect_exit "sockbroker cansend vcan0 '$f'" \
	    "$SB_CLI" cansend vcan0 "$f"
done
for a in vcan0,123 vcan0, ,123:7FF vcan0,123:7FF:1 vcan0,#xyz vcan0,jj \
    vcan0,123456789:7FF; do
	msg_want="bad (filter|interface name) in '"
	expect_exit "sockbroker candump '$a'" "$SB_CLI" candump "$a"
done
msg_want="bad value for -n"
expect_exit "sockbroker candump -n 0" "$SB_CLI" candump -n 0 vcan0
msg_want="usage: "
expect_exit "sockbroker cansend with no frame" "$SB_CLI" cansend vcan0

status_want=1
msg_want="interface nosuch0: No such device"
expect_exit "sockbroker cansend nosuch0" "$SB_CLI" cansend nosuch0 123#11
expect_exit "sockbroker candump nosuch0" "$SB_CLI" candump -T 100 nosuch0
msg_want="lo is not a CAN interface"
expect_exit "sockbroker cansend lo" "$SB_CLI" cansend lo 123#11
expect_exit "sockbroker candump lo" "$SB_CLI" candump -T 100 lo
# vcan2 has the classic MTU: an FD frame is the kernel's EINVAL.
ip link add dev vcan2 type vcan && ip link set vcan2 mtu 16 &&
    ip link set vcan2 up || fail "cannot create vcan2"
msg_want="vcan2 is not CAN FD capable \(MTU 16, not 72\): Invalid argument"
expect_exit "sockbroker cansend vcan2 (not FD)" \
    "$SB_CLI" cansend vcan2 123##1112233
status_want=0
msg_want=
expect_exit "sockbroker cansend vcan2 (classic)" "$SB_CLI" cansend vcan2 123#11
ip link del dev vcan2

# A policy that permits ids 0x700-0x7ff only: 123 is refused, 7FF goes.
deny=$dir/deny.sock
start_daemon "$deny" "$SB_VM_CONF/can-id.conf"
denyd=$started
if wait_daemon "$deny"; then
	status_want=1
	msg_want="send on vcan0: Permission denied \(.+\)"
	expect_exit "sockbroker cansend refused by the policy" \
	    "$SB_CLI" -s "$deny" cansend vcan0 123#11
	status_want=0
	msg_want=
	expect_exit "sockbroker cansend permitted by the policy" \
	    "$SB_CLI" -s "$deny" cansend vcan0 7FF#11
	stop_daemon "$denyd" "$deny"
else
	fail "the can-id daemon did not come up"
	show "$deny.log"
fi

# -n 2: two frames of three, then exit 0 by itself.
base=$(receivers)
"$SB_CLI" candump -n 2 vcan0 >"$dir/n.out" 2>&1 &
pid=$!
if wait_receivers $((base + 1)); then
	for f in 101#01 102#02 103#03; do
		cansend vcan0 "$f"
	done
fi
wait "$pid"
status=$?
printf '  vcan0  101   [1]  01\n  vcan0  102   [1]  02\n' >"$dir/n.want"
if [ "$status" -eq 0 ] && cmp -s "$dir/n.want" "$dir/n.out"; then
	pass "sockbroker candump -n 2: two frames, exit 0"
else
	fail "sockbroker candump -n 2: exit $status"
	show "$dir/n.out"
fi

# SIGTERM: exit 0, as candump.
base=$(receivers)
"$SB_CLI" candump vcan0 >"$dir/term.out" 2>&1 &
pid=$!
wait_receivers $((base + 1))
kill -TERM "$pid"
wait "$pid"
status=$?
if [ "$status" -eq 0 ]; then
	pass "sockbroker candump: SIGTERM, exit 0"
else
	fail "sockbroker candump: SIGTERM, exit $status"
	show "$dir/term.out"
fi

stop_daemon "$daemon" "$sock"
echo "$failed failed"
[ "$failed" -eq 0 ]
