#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
#
# sockbroker ping and sockbroker dump against a real daemon: ping 127.0.0.1
# and ::1 (and, in a network namespace this test makes, an address that
# never answers), capture UDP on lo to a pcap file read back with tshark,
# print it as text, and capture on every interface (Linux cooked headers).
# $SB_DAEMON and $SB_CLI name the programs to test (make check sets them);
# $SB_DAEMON_WRAPPER, if set, is put in front of the daemon (valgrind ...).
#
# It needs root (the daemon must own raw and packet sockets; otherwise it is
# skipped, status 77) and tshark (missing: it fails). Traffic goes only to
# loopback and to the namespace it creates; the namespace case is skipped,
# and says so, when no namespace can be made.

lib_name=ping
. "$(dirname "$0")/lib.sh"
lib_need_programs
lib_need_root "the daemon must own raw and packet sockets"
dumper=
netns=
dumpns=
ddaemon=
veth=
skipped=

test_cleanup() {
	[ -n "$dumper" ] && kill "$dumper" 2>/dev/null
	[ -n "$ddaemon" ] && kill "$ddaemon" 2>/dev/null
	[ -n "$dumpns" ] && ip netns del "$dumpns" 2>/dev/null
	[ -n "$veth" ] && ip link del "$veth" 2>/dev/null
	[ -n "$netns" ] && ip netns del "$netns" 2>/dev/null
}

# tshark -r FILE [ARGS]: its output in $dir/NAME.out; root's warning dropped.
tshark_read() {
	local name=$1
	shift
	tshark -r "$@" >"$dir/$name.out" 2>"$dir/$name.err"
	local status=$?
	grep -v '^Running as user "root"' "$dir/$name.err" >"$dir/$name.err2"
	mv "$dir/$name.err2" "$dir/$name.err"
	return $status
}

# One 5-byte UDP datagram to 127.0.0.1 port $1 (closed: lo also carries an
# ICMP port unreachable back).
send_udp() {
	printf hello >"/dev/udp/127.0.0.1/$1"
}

# Starts "sockbroker dump ARGS" in the background ($dumper) and waits until
# it captures; its output in $dir/NAME.out and $dir/NAME.err.
dump_start() {
	local name=$1 tries=$wait_tries
	shift
	cli dump "$@" >"$dir/$name.out" 2>"$dir/$name.err" &
	dumper=$!
	while ! grep -q '^listening on ' "$dir/$name.err"; do
		tries=$((tries - 1))
		[ "$tries" -gt 0 ] || fail "dump $* did not start capturing"
		kill -0 "$dumper" 2>/dev/null || fail "dump $* exited early"
		sleep 0.1
	done
}

# Sends datagrams to port $1 until the dump exits; its status must be 0.
dump_feed() {
	local port=$1 tries=$wait_tries status
	while kill -0 "$dumper" 2>/dev/null; do
		tries=$((tries - 1))
		[ "$tries" -gt 0 ] || fail "dump did not stop after its count"
		send_udp "$port" 2>/dev/null
		sleep 0.1
	done
	wait "$dumper"
	status=$?
	dumper=
	[ "$status" -eq 0 ] || fail "dump exited with status $status"
}

command -v tshark >/dev/null 2>&1 ||
    fail "tshark is not installed (Debian package tshark); cannot read pcaps"

# Start the daemon and wait until it answers.
wait_tries=$tries
daemon_start --no-privdrop --policy "$SB_POLICY"

# ping 127.0.0.1 and ::1: three replies each, iputils' lines, status 0.
for host in 127.0.0.1 ::1; do
	out=$dir/ping-${host//[.:]/_}.out
	cli ping -c 3 -i 0.2 "$host" >"$out" 2>&1 ||
	    fail "ping $host exited with status $?"
	grep -q "^PING $host ($host) 56" "$out" ||
	    fail "ping $host: no PING line"
	[ "$(grep -Ec "^64 bytes from $host: icmp_seq=[123] ttl=[0-9]+ time=[0-9.]+ ms$" "$out")" -eq 3 ] ||
	    fail "ping $host: not three reply lines"
	grep -q "^--- $host ping statistics ---$" "$out" ||
	    fail "ping $host: no statistics"
	grep -Eq '^3 packets transmitted, 3 received, 0% packet loss, time [0-9]+ms$' \
	    "$out" || fail "ping $host: not 3 received"
	grep -Eq '^rtt min/avg/max/mdev = [0-9.]+/[0-9.]+/[0-9.]+/[0-9.]+ ms$' \
	    "$out" || fail "ping $host: no rtt line"
done

# ping without a daemon: an error other than no reply, status 2.
"$SB_CLI" -s "$dir/nothing.sock" ping -c 1 127.0.0.1 >"$dir/nodaemon.out" 2>&1
status=$?
[ "$status" -eq 2 ] || fail "ping without a daemon: status $status, not 2"

# ping an address that never answers: it is in a namespace of ours that has
# no route back. No reply: status 1, 100% packet loss.
netns_case() {
	netns=sbping$$
	veth=sbh$$
	ip netns add "$netns" 2>/dev/null || { netns=; return 1; }
	ip link add "$veth" type veth peer name "sbn$$" 2>/dev/null ||
	    { veth=; return 1; }
	ip link set "sbn$$" netns "$netns" &&
	    ip -n "$netns" addr add 198.18.77.2/24 dev "sbn$$" &&
	    ip -n "$netns" link set "sbn$$" up &&
	    ip link set "$veth" up &&
	    ip route add 198.18.77.2/32 dev "$veth" || return 1
	return 0
}
if command -v ip >/dev/null 2>&1 && netns_case; then
	out=$dir/ping-noreply.out
	cli ping -c 2 -i 0.2 -W 1 198.18.77.2 >"$out" 2>&1
	status=$?
	[ "$status" -eq 1 ] ||
	    fail "ping of a silent address: status $status, not 1"
	grep -Eq '^2 packets transmitted, 0 received, 100% packet loss' "$out" ||
	    fail "ping of a silent address: not 0 received"
	ip link del "$veth"
	veth=
	ip netns del "$netns"
	netns=
else
	skipped="$skipped ping-without-reply(no network namespace)"
	echo "SKIP: ping of a silent address: cannot make a network namespace"
fi

# The dumps run against a second daemon in a network namespace of their
# own, so that the loopback traffic of other tests (make check runs them in
# parallel) cannot take the place of the datagrams this test sends.
dumpns=sbdump$$
ip netns add "$dumpns" || fail "cannot make a network namespace for the dumps"
ip -n "$dumpns" link set lo up || fail "cannot bring lo up in $dumpns"
sock=$dir/dump.sock
log=$dir/daemon-dump.log
tries=$wait_tries
# shellcheck disable=SC2086 # the wrapper is a list of words
ip netns exec "$dumpns" ${SB_DAEMON_WRAPPER:-} "$SB_DAEMON" --listen "$sock" \
    --foreground --verbose --no-privdrop --policy "$SB_POLICY" >"$log" 2>&1 &
ddaemon=$!
while ! cli info >/dev/null 2>&1; do
	tries=$((tries - 1))
	[ "$tries" -gt 0 ] || fail "the dump daemon did not come up on $sock"
	kill -0 "$ddaemon" 2>/dev/null || fail "the dump daemon exited at start-up"
	sleep 0.1
done
send_udp() {
	ip netns exec "$dumpns" bash -c "printf hello >/dev/udp/127.0.0.1/$1"
}

# dump -i lo -c 5 -w FILE: a pcap tshark reads, five packets, UDP among them.
port=$((20000 + $$ % 10000))
dump_start dump-w -i lo -c 5 -w "$dir/lo.pcap"
dump_feed "$port"
grep -q '^5 packets captured$' "$dir/dump-w.err" ||
    fail "dump -w did not say it captured 5 packets"
tshark_read tshark-lo "$dir/lo.pcap" || fail "tshark cannot read the pcap"
[ "$(wc -l <"$dir/tshark-lo.out")" -eq 5 ] ||
    fail "tshark lists $(wc -l <"$dir/tshark-lo.out") packets, not 5"
grep -q "UDP.* → $port " "$dir/tshark-lo.out" ||
    fail "tshark shows no UDP datagram to port $port"
tshark_read tshark-lo-proto "$dir/lo.pcap" -T fields -e frame.protocols ||
    fail "tshark cannot read the pcap's protocols"
grep -q '^eth:ethertype:ip:udp' "$dir/tshark-lo-proto.out" ||
    fail "the lo pcap is not Ethernet + IPv4 + UDP"

# dump -i lo -c 3 without -w: tcpdump -n lines.
dump_start dump-text -i lo -c 3
dump_feed "$port"
[ "$(wc -l <"$dir/dump-text.out")" -eq 3 ] ||
    fail "dump -c 3 printed $(wc -l <"$dir/dump-text.out") lines, not 3"
grep -Evq '^[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6} lo (In |Out) IP ' \
    "$dir/dump-text.out" && fail "dump printed a line of another form"
grep -Eq "^[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{6} lo In  IP 127\\.0\\.0\\.1\\.[0-9]+ > 127\\.0\\.0\\.1\\.$port: UDP, length 5\$" \
    "$dir/dump-text.out" || fail "dump printed no UDP line as tcpdump -n does"

# dump on every interface: Linux cooked headers, which tshark reads.
dump_start dump-any -c 4 -w "$dir/any.pcap"
dump_feed "$port"
tshark_read tshark-any "$dir/any.pcap" -T fields -e frame.protocols ||
    fail "tshark cannot read the all-interfaces pcap"
[ "$(wc -l <"$dir/tshark-any.out")" -eq 4 ] ||
    fail "tshark lists $(wc -l <"$dir/tshark-any.out") packets, not 4"
grep -vq '^sll:ethertype:' "$dir/tshark-any.out" &&
    fail "the all-interfaces pcap has a frame without a cooked header"

# SIGTERM: a clean exit (under valgrind: no leak), for both daemons.
for pid in "$ddaemon" "$daemon"; do
	kill -TERM "$pid"
	wait "$pid"
	status=$?
	[ "$status" -eq 0 ] || fail "sockbrokerd $pid exited with status $status"
done
daemon=
ddaemon=
echo "PASS: ping 127.0.0.1 and ::1, ping errors, dump to pcap (tshark)," \
    "dump as text, dump on every interface"
[ -z "$skipped" ] || echo "NOT RUN:$skipped"
exit 0
