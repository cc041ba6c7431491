#!/bin/sh
# SPDX-License-Identifier: ISC
#
# sockbroker policy check and sockbroker policy explain: no daemon, just
# the CLI and policy files. $SB_CLI names the program (make check sets
# it); $srcdir is where the example policy is.

set -u

if [ -z "${SB_CLI:-}" ]; then
	echo "SB_CLI must be set; skipped"
	exit 77
fi
umask 022
dir=$(mktemp -d /tmp/sbpolicy.XXXXXX) || exit 99
trap 'rm -rf "$dir"' EXIT

fail() {
	echo "FAIL: $*"
	for f in "$dir"/*.out "$dir"/*.err; do
		[ -f "$f" ] && { echo "---- $f"; cat "$f"; }
	done
	exit 1
}

# run STATUS ARGS...: runs the CLI, which must exit with STATUS.
run() {
	want=$1
	shift
	"$SB_CLI" "$@" >"$dir/cmd.out" 2>"$dir/cmd.err"
	status=$?
	[ "$status" -eq "$want" ] ||
	    fail "sockbroker $* exited with $status, not $want"
}

# expect FILE LINE: FILE must contain exactly this line.
expect() {
	grep -Fqx -- "$2" "$dir/$1" || fail "no line '$2' in $1"
}

cat >"$dir/policy.conf" <<'POLICY'
# the issue's examples
permit * family inet
permit :canbus family can iface vcan0,can0
permit alice family inet type raw proto icmp
deny * family inet port 1-1023
permit :capture family packet iface eth0 fd-pass
permit :root family inet port 22
permit * family unix
POLICY
printf 'permit * family inet\n\npermit :x family inte\n' >"$dir/bad.conf"

# check: a count, or the error with file, line and column.
run 0 policy check "$dir/policy.conf"
expect cmd.out "$dir/policy.conf: 7 rules, OK"
run 0 policy check "${srcdir:-.}/systemd/policy.conf"
grep -Eq ': [0-9]+ rules, OK$' "$dir/cmd.out" ||
    fail "the example policy does not check"
run 1 policy check "$dir/bad.conf"
expect cmd.err "$dir/bad.conf:3:18: unknown family 'inte'"
run 1 policy check "$dir/missing.conf"
expect cmd.err "$dir/missing.conf: No such file or directory"
run 64 policy check
run 64 policy frobnicate

# explain: the verdict, and the deciding rule with its line and text.
run 0 policy explain -f "$dir/policy.conf" nobody inet type stream
expect cmd.out "permit: permitted by rule at line 2"
expect cmd.out "rule at line 2: permit * family inet"
run 1 policy explain -f "$dir/policy.conf" nobody inet port 80
expect cmd.out "nobody (uid $(id -u nobody)): bind inet port 80"
expect cmd.out "deny: denied by rule at line 5"
expect cmd.out "rule at line 5: deny * family inet port 1-1023"
run 0 policy explain -f "$dir/policy.conf" nobody inet port 8080 op connect \
    addr 192.0.2.1
expect cmd.out "permit: permitted by rule at line 2"
# root is in group root: rule 7 grants port 22, by group.
run 0 policy explain -f "$dir/policy.conf" root inet port 22
expect cmd.out "permit: permitted by rule at line 7"
run 1 policy explain -f "$dir/policy.conf" nobody inet option so_mark
expect cmd.out "deny: rule at line 2 does not grant option so_mark (needs an option criterion)"
run 1 policy explain -f "$dir/policy.conf" nobody unix addr /run/x.sock
expect cmd.out "deny: rule at line 8 does not grant connecting to /run/x.sock (needs a path criterion)"
run 1 policy explain -f "$dir/policy.conf" nobody netlink
expect cmd.out "deny: no rule matched"
# a user this machine does not know: explained without groups
run 0 policy explain -f "$dir/policy.conf" sb-no-such-user inet type dgram \
    proto icmp
expect cmd.out "permit: permitted by rule at line 2"
# family inet is no grant of raw sockets: that needs type raw
run 1 policy explain -f "$dir/policy.conf" sb-no-such-user inet type raw \
    proto icmp
expect cmd.out "deny: rule at line 2 does not grant a raw inet socket (needs type raw)"
run 1 policy explain -f "$dir/bad.conf" nobody inet
expect cmd.err "$dir/bad.conf:3:18: unknown family 'inte'"
run 64 policy explain -f "$dir/policy.conf" nobody inte
run 64 policy explain -f "$dir/policy.conf" nobody inet port
run 64 policy explain -f "$dir/policy.conf" nobody inet colour blue
run 64 policy explain nobody
echo "PASS: policy check, policy explain"
exit 0
