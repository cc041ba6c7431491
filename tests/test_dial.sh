#!/bin/sh
# SPDX-License-Identifier: ISC
#
# sockbroker dial-stdio, without ssh: a Hello through the relay to a real
# daemon and its answer back (status 0), standard input's end passed on
# as a half-close (to a server of the test's own that answers only after
# EOF), the daemon closing first (3), standard output's reader gone (4), no
# daemon (1), usage (64).

lib_name=dial
. "$(dirname "$0")/lib.sh"
lib_need_programs
daemon_start --no-privdrop --policy "$SB_POLICY"

# Runs tests/remote/dial.py (its modes say what they check) on socket $1
# in mode $2 and checks that dial-stdio's exit status was $3.
dial() {
	st=$(timeout 60 /usr/bin/python3 "$(dirname "$0")/remote/dial.py" \
	    "$SB_CLI" "$1" "$2" 2>"$dir/$2.err") || fail "dial.py $2 failed"
	[ "$st" = "$3" ] || fail "dial-stdio ($2): status $st, not $3"
}

dial "$sock" hello 0
echo "ok: a Hello through dial-stdio and its answer back, then EOF: status 0"
dial "$dir/half.sock" halfclose 0
echo "ok: the end of input crosses as a half-close, the answer after it"
dial "$sock" junk 3
echo "ok: the daemon closing first: status 3"
dial "$sock" gone 4
echo "ok: standard output's reader gone: status 4"

# The global -s works as the command's own.
timeout 20 "$SB_CLI" -s "$dir/none.sock" dial-stdio </dev/null \
    >/dev/null 2>"$dir/g.err"
grep -q "$dir/none.sock" "$dir/g.err" || fail "dial-stdio ignores the global -s"

# No daemon: status 1, saying so.
timeout 20 "$SB_CLI" dial-stdio -s "$dir/none.sock" </dev/null \
    >/dev/null 2>"$dir/none.err"
st=$?
[ "$st" -eq 1 ] || fail "no daemon: status $st, not 1"
grep -q "^sockbroker: cannot talk to sockbrokerd: $dir/none.sock: No such file or directory$" \
    "$dir/none.err" || fail "no daemon: $(cat "$dir/none.err")"
timeout 20 "$SB_CLI" dial-stdio -s ssh://localhost </dev/null \
    >/dev/null 2>"$dir/ssh.err"
[ $? -eq 1 ] && grep -q "takes a local socket" "$dir/ssh.err" ||
    fail "dial-stdio to an ssh:// address: $(cat "$dir/ssh.err")"
timeout 20 "$SB_CLI" dial-stdio extra </dev/null >/dev/null 2>&1
[ $? -eq 64 ] || fail "dial-stdio with an argument is no usage error"
echo "ok: no daemon: status 1; usage: 64"

daemon_stop
echo "PASS: dial-stdio"
