#!/bin/sh
# SPDX-License-Identifier: ISC
#
# The privilege drop: a daemon started as root with --user becomes that
# user, keeping CAP_NET_RAW, CAP_NET_ADMIN and CAP_NET_BIND_SERVICE only
# (/proc/PID/status: Uid, Gid, no groups, CapPrm = CapEff = those three,
# CapInh = CapAmb = CapBnd = 0, NoNewPrivs 1), and still does what needs
# them: a raw ICMP socket (sockbroker ping) and binding port 80. The
# socket it made as root stays root's, with the --socket-mode asked for,
# and root can talk to it. A user that does not exist is fatal, with a
# message naming --user and --no-privdrop.
#
# It makes a throwaway system user (useradd --system), removed at exit.
# $SB_DAEMON and $SB_CLI name the programs to test (make check sets them);
# $SB_DAEMON_WRAPPER, if set, is put in front of the daemon (valgrind ...).
# Needs root and useradd; otherwise it is skipped (status 77).

lib_name=priv
. "$(dirname "$0")/lib.sh"
lib_need_programs
lib_need_root "the daemon must start as root to drop privileges"
if ! command -v useradd >/dev/null 2>&1 || ! command -v userdel >/dev/null 2>&1
then
	echo "needs useradd and userdel (Debian package passwd); skipped"
	exit 77
fi
chmod 0755 "$dir"
user=sbtest$$
made_user=
server=

test_cleanup() {
	[ -n "$server" ] && kill "$server" 2>/dev/null
	[ -n "$daemon" ] && kill "$daemon" 2>/dev/null
	[ -n "$daemon" ] && wait "$daemon" 2>/dev/null
	[ -n "$made_user" ] && userdel "$user" 2>/dev/null
}

# The value of field $1 in the daemon's /proc status, blanks squeezed.
status_field() {
	sed -n "s/^$1:[[:space:]]*//p" "/proc/$daemon/status" | tr -s ' \t' ' ' |
	    sed 's/ *$//'
}

# A user that does not exist: fatal, naming --user and --no-privdrop.
"$SB_DAEMON" --listen "$sock" --foreground --user "$user" \
    --policy "$SB_POLICY" >"$log" 2>&1
status=$?
[ "$status" -ne 0 ] || fail "a daemon with a missing --user did not fail"
{ grep -q -- "--user $user" "$log" && grep -q -- "--no-privdrop" "$log"; } ||
    fail "the missing user's message does not name --user and --no-privdrop"
rm -f "$sock"

useradd --system --no-create-home --home-dir /nonexistent \
    --shell /usr/sbin/nologin "$user" || fail "useradd --system $user failed"
made_user=1
uid=$(id -u "$user")
gid=$(id -g "$user")

# Start the daemon as root and wait until it answers.
daemon_start --user "$user" --socket-mode 0600 --policy "$SB_POLICY"
grep -q "running as $user (uid $uid gid $gid)" "$log" ||
    fail "the daemon did not say it dropped to $user"

# What the kernel says about the running daemon.
[ "$(status_field Uid)" = "$uid $uid $uid $uid" ] ||
    fail "Uid is $(status_field Uid), not $uid x4"
[ "$(status_field Gid)" = "$gid $gid $gid $gid" ] ||
    fail "Gid is $(status_field Gid), not $gid x4"
[ -z "$(status_field Groups)" ] ||
    fail "supplementary groups remain: $(status_field Groups)"
# CAP_NET_BIND_SERVICE 10, CAP_NET_ADMIN 12, CAP_NET_RAW 13: 0x3400.
caps=0000000000003400
[ "$(status_field CapPrm)" = $caps ] ||
    fail "CapPrm is $(status_field CapPrm), not $caps"
[ "$(status_field CapEff)" = $caps ] ||
    fail "CapEff is $(status_field CapEff), not $caps"
[ "$(status_field CapInh)" = 0000000000000000 ] ||
    fail "CapInh is $(status_field CapInh), not 0"
[ "$(status_field CapAmb)" = 0000000000000000 ] ||
    fail "CapAmb is $(status_field CapAmb), not 0"
[ "$(status_field CapBnd)" = 0000000000000000 ] ||
    fail "CapBnd is $(status_field CapBnd), not 0"
[ "$(status_field NoNewPrivs)" = 1 ] ||
    fail "NoNewPrivs is $(status_field NoNewPrivs), not 1"
echo "PASS: uid/gid $uid/$gid, no groups, CapPrm=CapEff=$caps, no" \
    "inheritable/ambient/bounding capabilities, NoNewPrivs 1"

# The socket was made before the drop: root's, mode 0600.
[ "$(stat -c '%u %a' "$sock")" = "0 600" ] ||
    fail "the socket is $(stat -c '%U %a' "$sock"), not root's with mode 600"

# CAP_NET_RAW: a raw ICMP socket through the broker.
cli ping -c 1 127.0.0.1 >"$dir/ping.out" 2>&1 ||
    fail "ping 127.0.0.1 through the dropped daemon failed"
grep -q '^1 packets transmitted, 1 received' "$dir/ping.out" ||
    fail "ping 127.0.0.1: no reply"
echo "PASS: raw ICMP (ping 127.0.0.1)"

# CAP_NET_BIND_SERVICE: an echo server on port 80 (skipped if it is taken).
cli echo-server 127.0.0.1 80 >"$dir/server80.out" 2>&1 &
server=$!
tries=50
while ! grep -q '^Listening on 127\.0\.0\.1 port 80$' "$dir/server80.out"
do
	tries=$((tries - 1))
	[ "$tries" -gt 0 ] || fail "echo-server did not bind port 80"
	kill -0 "$server" 2>/dev/null || break
	sleep 0.1
done
if kill -0 "$server" 2>/dev/null; then
	kill "$server"
	wait "$server" 2>/dev/null
	server=
	echo "PASS: bind 127.0.0.1 port 80"
else
	wait "$server" 2>/dev/null
	server=
	grep -qi 'in use' "$dir/server80.out" ||
	    fail "echo-server could not bind port 80"
	echo "SKIP: port 80 is in use on 127.0.0.1"
fi

# SIGTERM: a clean exit; the socket, in a directory of root's, may stay.
daemon_stop
echo "PASS: privilege drop to $user"
exit 0
