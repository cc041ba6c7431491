#!/bin/sh
# SPDX-License-Identifier: ISC
#
# What a person meets first, each message naming the path or rule and the
# next step: no daemon (no socket file; a stale one), no permission on the
# socket (not in its group; a closed directory; root only, as nobody), a
# daemon without its policy file, a policy refusal. The manual pages
# (sockbroker(1), sockbrokerd(8)) quote the same texts. $SB_DAEMON and
# $SB_CLI name the programs to test (make check sets them).

lib_name=first
. "$(dirname "$0")/lib.sh"
lib_need_programs
pol=$dir/policy.conf
open=

test_cleanup() {
	[ -n "$open" ] && rm -rf "$open"
}

# expect FILE TEXT: FILE has the fixed string TEXT.
expect() {
	grep -qF -- "$2" "$dir/$1" || fail "$1 does not say: $2"
}

# No socket: the path tried, where it came from, the next step; exit 1.
"$SB_CLI" -s "$dir/none.sock" info >"$dir/none.out" 2>"$dir/none.err"
[ $? -eq 1 ] || fail "info without a daemon did not exit 1"
expect none.err "sockbroker: cannot talk to sockbrokerd: No such file or directory (no socket at"
expect none.err "no socket at $dir/none.sock: start sockbrokerd (systemctl start sockbroker.socket) or set SOCKBROKER_SOCKET to its socket"
expect none.err "or name its socket with -s SOCKET"
SOCKBROKER_SOCKET=$dir/env.sock "$SB_CLI" info 2>"$dir/env.err"
expect env.err "no socket at $dir/env.sock (SOCKBROKER_SOCKET): start"
echo "PASS: no daemon"

# A stale socket file: nothing listens on it.
/usr/bin/python3 -c 'import socket, sys
socket.socket(socket.AF_UNIX).bind(sys.argv[1])' "$dir/stale.sock" ||
    fail "cannot make a stale socket file"
"$SB_CLI" -s "$dir/stale.sock" info 2>"$dir/stale.err"
expect stale.err "cannot talk to sockbrokerd: Connection refused"
expect stale.err "nothing listens on $dir/stale.sock: start sockbrokerd"
echo "PASS: stale socket"

# No policy file: the path, the example and --policy; the daemon stops.
"$SB_DAEMON" --listen "$sock" --foreground --no-privdrop \
    --policy "$dir/missing.conf" >"$log" 2>&1 &&
    fail "the daemon started without its policy file"
grep -q "fatal: policy: $dir/missing.conf: No such file or directory; " \
    "$log" || fail "the daemon does not name the missing policy file"
grep -q "policy\.conf\.example.*--policy PATH" "$log" ||
    fail "the daemon does not say where the example is and --policy"
echo "PASS: no policy"

# A refusal names the rule, as written, and the file; no rule matched
# says so and names the file.
printf 'permit * family inet type stream\ndeny * family inet port 1-1023\n' \
    >"$pol"
daemon_start --no-privdrop --policy "$pol"
cli echo-server 127.0.0.1 80 >"$dir/deny.out" 2>&1 &&
    fail "echo-server bound port 80 against the policy"
expect deny.out "Permission denied (bind: denied by rule at line 2 ($pol:2: deny * family inet port 1-1023))"
cli echo-client -6 ::1 9 >"$dir/none6.out" 2>&1 &&
    fail "echo-client opened an inet6 socket against the policy"
expect none6.out "Permission denied (socket: no rule matched in $pol (nothing is permitted unless a rule says so))"
echo "PASS: policy refusals"

# No permission: as nobody, not in the socket's group; then behind a
# directory nobody may search.
if [ "$(id -u)" -ne 0 ] || ! command -v setpriv >/dev/null; then
	daemon_stop
	echo "not root (or no setpriv): the permission messages skipped"
	exit 0
fi
daemon_stop
open=$(mktemp -d /tmp/sbfirst.XXXXXX)
chmod 755 "$open"
sock=$open/sockbroker.sock
daemon_start --no-privdrop --policy "$pol" --socket-mode 0660
group=$(stat -c %G "$sock")
setpriv --reuid=65534 --regid=65534 --clear-groups \
    "$SB_CLI" -s "$sock" info 2>"$dir/perm.err"
expect perm.err "cannot talk to sockbrokerd: Permission denied"
expect perm.err "no permission to connect to $sock (group $group, mode 0660): not in group $group (usermod -aG $group USER, then log in again)"
chmod 700 "$open"
setpriv --reuid=65534 --regid=65534 --clear-groups \
    "$SB_CLI" -s "$sock" info 2>"$dir/dir.err"
expect dir.err "no permission to reach $sock: a directory on its path is closed to this user"
daemon_stop
echo "PASS: no permission on the socket"
exit 0
