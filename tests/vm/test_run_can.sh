#!/bin/sh
# SPDX-License-Identifier: ISC
#
# sockbroker run in the VM guest (busybox sh): can-utils' candump, cansend
# and cangen and python-can's socketcan interface, unmodified, as uid 65534
# in a network namespace of their own that has no CAN interface, so that
# only the daemon (root, in the guest's namespace, with vcan0) reaches the
# bus. The shim brokers AF_CAN there by default (no --family) and answers
# if_nametoindex and the interface ioctls from the daemon.
#   0. in such a namespace there is no vcan0, and the same programs without
#      sockbroker run fail (python-can's in case 4);
#   1. frames root sends reach the brokered candump (plain, and -t A -d:
#      SO_TIMESTAMP and SO_RXQ_OVFL through the channel) as they reach
#      root's candump with a filter of the permitted ids, byte for byte,
#      timestamps included; refused ids never reach it, root's plain
#      candump sees them all;
#   2. brokered cansend's frames print in root's candump as root cansend's
#      do; a refused id is cansend's "write: Permission denied", exit 1,
#      and never on the bus;
#   3. brokered cangen prints and sends what root's cangen does; a refused
#      id is cangen's "write: Permission denied", exit 1;
#   4. python-can's socketcan interface (the host's python3 over /host,
#      without the sockbroker binding) sends a frame root's candump sees,
#      gets EACCES for a refused id, and receives root's frame but not a
#      refused one before it.
# The policy (the daemon's): uid 65534 may use CAN_RAW on vcan0 with ids
# 0x100-0x1ff. One PASS/FAIL line per case; the exit status is the number
# of failures. An AddressSanitizer build's shim cannot be preloaded into
# uninstrumented programs (tests/test_run.sh): it says SKIP and passes.

set -u

: "${SB_DAEMON:?}" "${SB_CLI:?}"
shim=$(dirname "$SB_CLI")/preload/.libs/libsockbroker-preload.so
if [ ! -f "$shim" ]; then
	echo "FAIL: no shim at $shim (tests/vm/run.sh copies it)"
	exit 1
fi
if grep -q __asan_ "$shim"; then
	echo "SKIP: $shim is built with AddressSanitizer, which the" \
	    "uninstrumented programs cannot load first"
	exit 0
fi
dir=/tmp/test_run_can
rm -rf "$dir" && mkdir -p "$dir" && chmod 755 "$dir" || exit 1
sock=$dir/sb.sock
uid=65534
idle=60000		# -T for every candump: a ceiling, if a case hangs
pids=
. /usr/share/sb-vm/lib.sh

# Runs $@ as uid 65534 in a new network namespace (only lo, down).
nsuser() {
	/usr/bin/unshare -n /usr/bin/setpriv --reuid "$uid" --regid "$uid" \
	    --clear-groups -- "$@"
}

# Runs $@ as nsuser does, through sockbroker run (default mode).
run() {
	nsuser "$SB_CLI" run -s "$sock" -- "$@"
}

# Waits until file $1 has $2 lines (60 s at most), half a second more for
# a line too many.
wait_lines() {
	i=0
	while [ "$i" -lt 600 ] && [ "$(wc -l <"$1")" -lt "$2" ]; do
		sleep 0.1
		i=$((i + 1))
	done
	sleep 0.5
}

# Stops the background programs of a case (SIGTERM: candump exits 0).
stop_all() {
	# shellcheck disable=SC2086 # a list of pids
	[ -n "$pids" ] && kill -TERM $pids 2>/dev/null
	for p in $pids; do
		wait "$p"
	done
	pids=
}

# Case $1: file $2 must equal file $3 and have $4 lines.
same() {
	if ! cmp -s "$2" "$3"; then
		fail "$1: $3 differs from $2"
		diff "$2" "$3"
	elif [ "$(wc -l <"$3")" -ne "$4" ]; then
		fail "$1: $(wc -l <"$3") lines, not $4"
		show "$3"
	else
		pass "$1 ($4 lines the same)"
	fi
}

# Root's candump on vcan0 ($2 on: more arguments) into $dir/$1.out, in the
# background.
dump() {
	name=$1
	shift
	candump -T "$idle" "$@" >"$dir/$name.out" 2>"$dir/$name.err" &
	pids="$pids $!"
}

# ---- the daemon, root, in the guest's namespace
cat >"$dir/policy.conf" <<EOF
permit $uid family can proto raw iface vcan0 can-id 0x100-0x1ff
EOF
chmod 644 "$dir/policy.conf"
start_daemon "$sock" "$dir/policy.conf" --socket-mode 0666 --verbose
daemon=$started
if ! wait_daemon "$sock"; then
	echo "FAIL: sockbrokerd did not come up on $sock"
	show "$sock.log"
	exit 1
fi

# ---- 0. the namespace has no CAN interface; without the broker, no bus
if nsuser ip -o link show >"$dir/links.out" 2>&1 &&
    [ "$(wc -l <"$dir/links.out")" -eq 1 ] &&
    grep -q '^1: lo:' "$dir/links.out" &&
    ! nsuser ip link show vcan0 >/dev/null 2>&1 &&
    [ "$(nsuser id -u)" -eq "$uid" ]; then
	pass "the namespace has only lo, and the programs run as uid $uid"
else
	fail "the namespace is not as expected"
	show "$dir/links.out"
fi
status_want=1
msg_want="^SIOCGIFINDEX: No such device"
expect_exit "plain candump vcan0 in the namespace" \
    nsuser candump -T 100 vcan0
expect_exit "plain cangen vcan0 in the namespace" \
    nsuser cangen vcan0 -n 1
msg_want="^if_nametoindex: No such device"
expect_exit "plain cansend vcan0 in the namespace" \
    nsuser cansend vcan0 123#DEADBEEF

# The frames of the cases: ids the policy permits (0x100-0x1ff; EFF ones
# too: the flag bits are not part of the id), classic, remote and FD
# (flags 3: BRS, ESI), and ids it refuses.
permitted="123#DEADBEEF 100# 1FF#R 155#R3 00000123#1122 123##311223344
1A0#0102030405060708"
refused="7FF#00 200#01 0FF#02 12345678#03 1ABCDEF0#R"
npermitted=$(echo "$permitted" | wc -w)
nrefused=$(echo "$refused" | wc -w)

# ---- 1. receiving: root's frames through the broker, refused ids held
base=$(receivers)
dump all vcan0
dump filtered -t A -d vcan0,100:700
run candump -T "$idle" vcan0 >"$dir/sb.out" 2>"$dir/sb.err" &
pids="$pids $!"
run candump -T "$idle" -t A -d vcan0 >"$dir/sbt.out" 2>"$dir/sbt.err" &
pids="$pids $!"
wait_receivers $((base + 4)) ||
    fail "the candumps did not bind: $(receivers) receivers, wanted $((base + 4))"
sleep 1		# past the brokered candumps' setsockopt calls
for f in $permitted $refused; do
	cansend vcan0 "$f" || fail "root's cansend vcan0 $f"
done
wait_lines "$dir/sb.out" "$npermitted"
wait_lines "$dir/sbt.out" "$npermitted"
stop_all
if [ "$(wc -l <"$dir/all.out")" -eq $((npermitted + nrefused)) ]; then
	pass "root's candump saw every frame ($(wc -l <"$dir/all.out"))"
else
	fail "root's candump saw $(wc -l <"$dir/all.out") frames"
	show "$dir/all.out"
fi
same "brokered candump -t A -d = root's candump -t A -d of the permitted ids" \
    "$dir/filtered.out" "$dir/sbt.out" "$npermitted"
sed 's/^ ([0-9-]* [0-9:.]*) / /' "$dir/filtered.out" >"$dir/filtered.plain"
same "brokered candump = root's candump of the permitted ids" \
    "$dir/filtered.plain" "$dir/sb.out" "$npermitted"
[ -s "$dir/sb.err" ] && show "$dir/sb.err"

# ---- 2. sending: brokered cansend as root's cansend; refused ids fail
base=$(receivers)
dump sbsend vcan0
wait_receivers $((base + 1)) || fail "root's candump did not bind"
for f in $permitted; do
	run cansend vcan0 "$f" >"$dir/cmd.out" 2>&1 ||
	    { fail "brokered cansend vcan0 $f: exit $?"; show "$dir/cmd.out"; }
done
status_want=1
msg_want="^write: Permission denied"
for f in $refused; do
	expect_exit "brokered cansend vcan0 $f (refused id)" \
	    run cansend vcan0 "$f"
done
wait_lines "$dir/sbsend.out" "$npermitted"
stop_all
base=$(receivers)
dump rootsend vcan0
wait_receivers $((base + 1)) || fail "root's candump did not bind"
for f in $permitted; do
	cansend vcan0 "$f" || fail "root's cansend vcan0 $f"
done
wait_lines "$dir/rootsend.out" "$npermitted"
stop_all
same "brokered cansend -> root's candump = root's cansend's, none refused" \
    "$dir/rootsend.out" "$dir/sbsend.out" "$npermitted"

# ---- 3. cangen: fixed id, length and incrementing data
gen="-n 10 -I 1A5 -L 8 -D i -g 1 -v"
for who in sb root; do
	base=$(receivers)
	dump "gen$who" vcan0
	wait_receivers $((base + 1)) || fail "root's candump did not bind"
	# shellcheck disable=SC2086 # the options are a list of words
	if [ "$who" = sb ]; then
		run cangen vcan0 $gen >"$dir/cangen$who.out" 2>&1
	else
		cangen vcan0 $gen >"$dir/cangen$who.out" 2>&1
	fi || fail "$who cangen: exit $?"
	wait_lines "$dir/gen$who.out" 10
	stop_all
done
same "brokered cangen -v prints what root's does" \
    "$dir/cangenroot.out" "$dir/cangensb.out" 10
same "brokered cangen -> root's candump = root's cangen's" \
    "$dir/genroot.out" "$dir/gensb.out" 10
status_want=1
msg_want="^write: Permission denied"
expect_exit "brokered cangen of a refused id" \
    run cangen vcan0 -n 3 -I 7FF -L 1 -D 00 -g 1

# ---- 4. python-can's socketcan interface, unmodified
if [ -n "${SB_VM_PYTHON:-}" ] && [ -x "$SB_VM_PYTHON" ]; then
	cat >"$dir/pycan.py" <<'PY'
import sys
import can

bus = can.Bus(interface="socketcan", channel="vcan0")
bus.send(can.Message(arbitration_id=0x123, is_extended_id=False,
                     data=bytes.fromhex("deadbeef")))
try:
    bus.send(can.Message(arbitration_id=0x7ff, is_extended_id=False,
                         data=b"\xee"))
    print("refused id: sent")
except can.CanError as e:
    print("refused id: error_code %s" % getattr(e, "error_code", None))
print("binding loaded: %s" % ("sockbroker" in sys.modules))
print("ready", flush=True)
m = bus.recv(timeout=60)
if m is None:
    print("recv: timeout")
else:
    print("recv %s %x %s" % (m.channel, m.arbitration_id, m.data.hex()))
bus.shutdown()
PY
	status_want=1
	msg_want="OSError: \[Errno 19\] No such device"
	expect_exit "plain python-can socketcan in the namespace" \
	    nsuser env LD_LIBRARY_PATH="$SB_VM_LIBPATH" \
	    PYTHONDONTWRITEBYTECODE=1 "$SB_VM_PYTHON" "$dir/pycan.py"
	base=$(receivers)
	dump py vcan0
	wait_receivers $((base + 1)) || fail "root's candump did not bind"
	run env LD_LIBRARY_PATH="$SB_VM_LIBPATH" PYTHONDONTWRITEBYTECODE=1 \
	    "$SB_VM_PYTHON" "$dir/pycan.py" >"$dir/pycan.out" 2>&1 &
	py=$!
	i=0
	until grep -q '^ready$' "$dir/pycan.out" || [ "$i" -ge 1200 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	cansend vcan0 7FF#01
	cansend vcan0 1AB#C0FFEE
	wait "$py" || fail "python-can's script: exit $?"
	wait_lines "$dir/py.out" 3
	stop_all
	cat >"$dir/pycan.want" <<'EOF'
refused id: error_code 13
binding loaded: False
ready
recv vcan0 1ab c0ffee
EOF
	if cmp -s "$dir/pycan.want" "$dir/pycan.out"; then
		pass "python-can socketcan: sent, EACCES for 7FF, received 1AB (not 7FF)"
	else
		fail "python-can socketcan: not as expected"
		diff "$dir/pycan.want" "$dir/pycan.out"
	fi
	printf '%s\n' "  vcan0  123   [4]  DE AD BE EF" "  vcan0  7FF   [1]  01" \
	    "  vcan0  1AB   [3]  C0 FF EE" >"$dir/py.want"
	same "python-can's frame in root's candump, its refused one not" \
	    "$dir/py.want" "$dir/py.out" 3
else
	fail "no host Python in the guest ('${SB_VM_PYTHON:-}')"
fi

[ "$failed" -ne 0 ] && show "$sock.log"
stop_daemon "$daemon" "$sock"
echo "$failed failed"
[ "$failed" -eq 0 ]
