#!/bin/sh
# SPDX-License-Identifier: ISC
#
# Remote clients over ssh (ssh://, sockbroker dial-stdio) against an sshd
# this test starts itself: Debian's /usr/sbin/sshd on 127.0.0.1 and two
# unprivileged ports, its own config, host key, authorized keys and log in
# $dir, for a throwaway user (useradd here, userdel at the end) whose
# commands find `sockbroker` (a wrapper of $SB_CLI in $dir/bin) on their
# PATH through the first port's SetEnv, and none on the second's. The
# client's ssh reads only $dir (SOCKBROKER_SSH: -F /dev/null, the test's
# key and known_hosts). Outside $dir it touches the throwaway user and,
# if it is missing, sshd's privilege separation directory /run/sshd
# (compiled into Debian's sshd; removed again if this test made it).
#
# Checked: info and the echo example over ssh; a policy permitting the
# remote user one thing and denying another, the audit log naming that
# user; fd passing off (info, passfd, fileno); the Python binding over ssh;
# the failures (an unknown host key, a wrong key, no sockbroker on the far
# PATH, no daemon there, ssh killed in the middle of a call), each a clear
# error, in bounded time, with no ssh left behind.

lib_name=remote
. "$(dirname "$0")/lib.sh"
lib_need_programs
lib_need_root "starts sshd and adds a throwaway user"
for p in /usr/sbin/sshd ssh ssh-keygen useradd userdel pgrep; do
	command -v "$p" >/dev/null 2>&1 || {
		echo "no $p; skipped"
		exit 77
	}
done

sshd=
made_run_sshd=
user=
test_cleanup() {
	[ -n "$sshd" ] && kill "$sshd" 2>/dev/null && wait "$sshd" 2>/dev/null
	if [ -n "$user" ]; then
		# The throwaway user's own processes only, by their ids.
		for pid in $(pgrep -u "$user"); do
			kill -KILL "$pid" 2>/dev/null
		done
		userdel "$user" 2>/dev/null
	fi
	[ -n "$made_run_sshd" ] && rmdir /run/sshd 2>/dev/null
}

# Two free TCP ports on 127.0.0.1 (bound and let go: free for a moment).
free_ports() {
	/usr/bin/python3 -c '
import socket
ss = [socket.socket() for _ in range(2)]
for s in ss:
    s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in ss))'
}

# The processes whose command line names this test's known_hosts: the ssh
# clients of this test (none may be left behind).
ssh_left() {
	pgrep -f "UserKnownHostsFile=$dir/" || true
}

# Waits up to a few seconds until no ssh client of this test runs.
wait_no_ssh() {
	for _ in $(seq 1 50); do
		[ -z "$(ssh_left)" ] && return 0
		sleep 0.1
	done
	fail "ssh left running after $1: $(ssh_left)"
}

# Waits up to a few seconds until the throwaway user runs nothing (the far
# side of every connection ended: sshd's session and dial-stdio).
wait_no_far() {
	for _ in $(seq 1 100); do
		[ -z "$(pgrep -u "$user")" ] && return 0
		sleep 0.1
	done
	fail "the far side still runs after $1: $(pgrep -a -u "$user")"
}

# Starts the echo server on the daemon at $1, output in $dir/$2.out and
# .err, and waits until it listens; its pid in $srv.
echo_server() {
	"$SB_CLI" -s "$1" echo-server 127.0.0.1 0 >"$dir/$2.out" \
	    2>"$dir/$2.err" &
	srv=$!
	n=$tries
	until grep -q "^Listening on" "$dir/$2.out"; do
		n=$((n - 1))
		[ "$n" -gt 0 ] && kill -0 "$srv" 2>/dev/null ||
		    fail "the echo server on $1 did not listen"
		sleep 0.1
	done
}

# Runs a command with timeout $1 (seconds), output in $dir/$2.out and
# $dir/$2.err; its status in $st.
run() {
	t=$1
	name=$2
	shift 2
	timeout "$t" "$@" >"$dir/$name.out" 2>"$dir/$name.err"
	st=$?
}

# run for the CLI: rcli TIMEOUT NAME ARGS.
rcli() {
	t=$1
	name=$2
	shift 2
	run "$t" "$name" "$SB_CLI" "$@"
}

chmod 755 "$dir"
user=sbrt$(od -An -N3 -tx1 /dev/urandom | tr -d ' \n')
useradd -M -d "$dir/home" -s /bin/sh -p '*' "$user" ||
    { user=; fail "useradd $user failed"; }
mkdir -m 700 "$dir/home" && chown "$user:" "$dir/home"
if [ ! -d /run/sshd ]; then
	mkdir -m 755 /run/sshd && made_run_sshd=1
fi

# The far side's sockbroker: the CLI under test.
mkdir -m 755 "$dir/bin"
printf '#!/bin/sh\nexec %s "$@"\n' "$SB_CLI" >"$dir/bin/sockbroker"
chmod 755 "$dir/bin/sockbroker"

ssh-keygen -q -t ed25519 -N '' -C host -f "$dir/host_key" ||
    fail "ssh-keygen (host)"
ssh-keygen -q -t ed25519 -N '' -C user -f "$dir/user_key" ||
    fail "ssh-keygen (user)"
ssh-keygen -q -t ed25519 -N '' -C wrong -f "$dir/wrong_key" ||
    fail "ssh-keygen (wrong)"
cp "$dir/user_key.pub" "$dir/authorized_keys"
chmod 644 "$dir/authorized_keys"

set -- $(free_ports)
port=$1
port2=$2
cat >"$dir/sshd_config" <<EOF
ListenAddress 127.0.0.1
Port $port
Port $port2
HostKey $dir/host_key
PidFile $dir/sshd.pid
AuthorizedKeysFile $dir/authorized_keys
StrictModes no
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
PermitRootLogin no
AllowUsers $user
AllowTcpForwarding no
X11Forwarding no
PrintMotd no
LogLevel VERBOSE
Match LocalPort $port
	SetEnv PATH=$dir/bin:/usr/bin:/bin
Match LocalPort $port2
	SetEnv PATH=/usr/bin:/bin
EOF
/usr/sbin/sshd -t -f "$dir/sshd_config" 2>"$dir/sshd-t.err" ||
    fail "sshd -t: $(cat "$dir/sshd-t.err")"
/usr/sbin/sshd -D -e -f "$dir/sshd_config" 2>"$dir/sshd.log" &
sshd=$!
n=$tries
until grep -q "Server listening on 127.0.0.1 port $port2" "$dir/sshd.log"; do
	n=$((n - 1))
	[ "$n" -gt 0 ] && kill -0 "$sshd" 2>/dev/null ||
	    fail "sshd did not start: $(cat "$dir/sshd.log")"
	sleep 0.1
done

printf '[127.0.0.1]:%s %s\n[127.0.0.1]:%s %s\n' "$port" \
    "$(cut -d' ' -f1,2 "$dir/host_key.pub")" "$port2" \
    "$(cut -d' ' -f1,2 "$dir/host_key.pub")" >"$dir/known_hosts"
: >"$dir/known_hosts_empty"
ssh_opts="-F /dev/null -o IdentitiesOnly=yes -o GlobalKnownHostsFile=/dev/null -o StrictHostKeyChecking=yes"
SOCKBROKER_SSH="$ssh_opts -i $dir/user_key -o UserKnownHostsFile=$dir/known_hosts"
export SOCKBROKER_SSH
unset SSH_AUTH_SOCK
url=ssh://$user@127.0.0.1:$port$sock

# The daemon: the remote user may open TCP sockets, not connect to port 9
# (and UDP ones, for a call that blocks; root too: the local end of the
# benchmark).
cat >"$dir/policy.conf" <<EOF
permit $user family inet type stream port 0-65535
deny $user family inet port 9
permit $user family inet type dgram port 0-65535
permit root family inet type dgram port 0-65535
EOF
daemon_start --no-privdrop --socket-mode 0666 --policy "$dir/policy.conf"

# info over ssh: Hello came, fd passing off.
rcli 30 info -s "$url" info
[ "$st" -eq 0 ] || fail "info over ssh: status $st: $(cat "$dir/info.err")"
grep -q "^protocol version: " "$dir/info.out" || fail "info over ssh said nothing"
grep -q "^fd passing: no$" "$dir/info.out" ||
    fail "info over ssh does not say fd passing is off"
grep -q "connected, pid [0-9]* .* uid $(id -u "$user") ($user)" "$log" ||
    fail "the daemon did not see the remote user"
run 30 envinfo env SOCKBROKER_SOCKET="$url" "$SB_CLI" info
[ "$st" -eq 0 ] && cmp -s "$dir/info.out" "$dir/envinfo.out" ||
    fail "info over ssh from SOCKBROKER_SOCKET: $(cat "$dir/envinfo.err")"
wait_no_ssh "info"
wait_no_far "info"
echo "ok: info over ssh (-s and SOCKBROKER_SOCKET)"

# SOCKBROKER_SSH's quoting: "..." and a backslash make the same words.
run 30 quoted env SOCKBROKER_SSH="$ssh_opts -i \"$dir/user_key\" -o UserKnownHostsFile=$dir/known\\_hosts" \
    "$SB_CLI" -s "$url" info
[ "$st" -eq 0 ] || fail "SOCKBROKER_SSH with quotes: $(cat "$dir/quoted.err")"
echo "ok: SOCKBROKER_SSH's quoting"

# The echo example, both ends through the far daemon over ssh.
echo_server "$url" srv
eport=$(sed -n 's/^Listening on 127.0.0.1 port \([0-9]*\)$/\1/p' "$dir/srv.out")
rcli 30 echo -s "$url" echo-client 127.0.0.1 "$eport" "hello over ssh"
[ "$st" -eq 0 ] || fail "echo-client over ssh: status $st"
grep -q "^Received b'hello over ssh'$" "$dir/echo.out" ||
    fail "the echo over ssh came back wrong: $(cat "$dir/echo.out")"
wait "$srv" || fail "the echo server over ssh failed"
grep -q "^Connected by (.127.0.0.1., " "$dir/srv.out" ||
    fail "the echo server did not see the client"
echo "ok: the echo example over ssh"

# What the policy denies the remote user: refused, audited under its name.
rcli 30 deny -s "$url" echo-client 127.0.0.1 9 "no"
[ "$st" -ne 0 ] || fail "a connect the policy denies went through over ssh"
grep -q "Permission denied" "$dir/deny.err" ||
    fail "the denial over ssh does not say so: $(cat "$dir/deny.err")"
grep -q "uid=$(id -u "$user") user=$user .*op=connect .*remote=127.0.0.1:9 verdict=deny rule=2" "$log" ||
    fail "the audit log does not name the remote user's denied connect"
echo "ok: the policy and the audit log see the remote user"

# What cannot cross ssh, from C: sb_passfd, sb_fileno, channels.
if [ -n "${SB_NOFDS:-}" ]; then
	run 30 nofds "$SB_NOFDS" "$url"
	[ "$st" -eq 0 ] || fail "descriptors over ssh: status $st"
	cat "$dir/nofds.out"
	wait_no_ssh "nofds"
fi

# Starts a second daemon on $dir/$1.sock that logs no requests (not
# --verbose); its pid in $daemon2.
daemon2_start() {
	# shellcheck disable=SC2086 # the wrapper is a list of words
	${SB_DAEMON_WRAPPER:-} "$SB_DAEMON" --listen "$dir/$1.sock" \
	    --foreground --no-privdrop --socket-mode 0666 \
	    --policy "$dir/policy.conf" >"$dir/$1-daemon.log" 2>&1 &
	daemon2=$!
	n=$tries
	until "$SB_CLI" -s "$dir/$1.sock" info >/dev/null 2>&1; do
		n=$((n - 1))
		[ "$n" -gt 0 ] || fail "the second daemon did not start"
		sleep 0.1
	done
}

# The round trip over ssh against a local one, in the same run, on a
# daemon that logs no requests.
if [ -n "${SB_BENCH_REMOTE:-}" ]; then
	daemon2_start bench
	run 120 bench "$SB_BENCH_REMOTE" "$dir/bench.sock" \
	    "ssh://$user@127.0.0.1:$port$dir/bench.sock"
	kill "$daemon2"
	wait "$daemon2"
	[ "$st" -eq 0 ] || fail "bench_remote: status $st"
	cat "$dir/bench.out"
	wait_no_ssh "bench_remote"
fi

# The far daemon stopping under a call blocked in it (an accept): the call
# fails at once, saying how the far end went (dial-stdio's status 3).
daemon2_start stop
echo_server "ssh://$user@127.0.0.1:$port$dir/stop.sock" stop
kill "$daemon2"
wait "$daemon2"
n=$tries
while kill -0 "$srv" 2>/dev/null; do
	n=$((n - 1))
	[ "$n" -gt 0 ] || fail "the call did not end when the far daemon stopped"
	sleep 0.1
done
grep -q "Connection reset by peer (ssh to 127.0.0.1 (exit status 3): the connection ended)" \
    "$dir/stop.err" || fail "the far daemon stopping: $(cat "$dir/stop.err")"
wait_no_ssh "the far daemon stopping"
echo "ok: the far daemon stopping: $(cat "$dir/stop.err")"

# The Python binding over ssh, and ssh killed in the middle of its call.
# Starts tests/remote/$2 over ssh in the background (the rest: a command
# to run it under), output in $dir/$1.out and .err, and waits for a line
# matching $3; its pid in $py.
py_start() {
	name=$1
	script=$2
	line=$3
	shift 3
	SOCKBROKER_SOCKET="$url" PYTHONPATH="$SB_PYTHONPATH" \
	    PYTHONDONTWRITEBYTECODE=1 "$@" env ${py_env:-} "$SB_PYTHON" \
	    "$(dirname "$0")/remote/$script" >"$dir/$name.out" \
	    2>"$dir/$name.err" &
	py=$!
	n=$tries
	until grep -q "$line" "$dir/$name.out" 2>/dev/null; do
		n=$((n - 1))
		[ "$n" -gt 0 ] && kill -0 "$py" 2>/dev/null ||
		    fail "$script over ssh did not start"
		sleep 0.1
	done
}

if [ -n "${SB_PYTHON:-}" ] &&
    [ -f "${SB_PYTHONPATH:-/nonexistent}/sockbroker/__init__.py" ]; then
	# A sanitizer build's module needs ASan's runtime loaded first (as in
	# tests/test_python.sh): for the Python runs only (pgrep hangs with it).
	asan=$(ldd "$SB_PYTHONPATH"/sockbroker/_sockbroker*.so 2>/dev/null |
	    awk '/libasan/ { print $3; exit }')
	py_env=${asan:+LD_PRELOAD=$asan ASAN_OPTIONS=detect_leaks=0}
	# shellcheck disable=SC2086 # py_env is a list of words
	run 60 py env $py_env SOCKBROKER_SOCKET="$url" SB_LOCAL="$sock" \
	    PYTHONPATH="$SB_PYTHONPATH" PYTHONDONTWRITEBYTECODE=1 \
	    "$SB_PYTHON" "$(dirname "$0")/remote/py_remote.py"
	[ "$st" -eq 0 ] || fail "the Python binding over ssh: status $st"
	cat "$dir/py.out"
	wait_no_ssh "the Python binding"

	# SIGINT to the program's process group (a terminal's ^C) spares ssh.
	py_start sigint py_sigint.py "^ready" setsid
	[ "$(ps -o pgid= -p "$py" | tr -d ' ')" = "$py" ] ||
	    fail "the Python client is no process group leader"
	kill -INT "-$py"
	wait "$py" || fail "a SIGINT to the program's group broke its ssh"
	grep -q "^after SIGINT: ('127.0.0.1', " "$dir/sigint.out" ||
	    fail "no call after the SIGINT"
	wait_no_ssh "SIGINT"
	echo "ok: a SIGINT to the program's process group spares its ssh"

	# A process that exits without closing: its ssh goes by itself.
	# shellcheck disable=SC2086 # py_env is a list of words
	run 60 pyexit env $py_env SOCKBROKER_SOCKET="$url" \
	    PYTHONPATH="$SB_PYTHONPATH" PYTHONDONTWRITEBYTECODE=1 \
	    "$SB_PYTHON" -c 'import sockbroker; sockbroker.info()'
	[ "$st" -eq 0 ] || fail "Python over ssh exiting unclosed: status $st"
	wait_no_ssh "a Python exit without closing"
	wait_no_far "a Python exit without closing"

	py_start kill py_killed.py "^waiting" timeout 60
	sleep 0.5	# into its recv, parked in the far daemon
	victim=$(ssh_left)	# timeout's child's: the only ssh of the test now
	[ -n "$victim" ] || fail "no ssh child of the client"
	kill -KILL "$victim"
	wait "$py" || fail "ssh killed mid-call: status $? (124: a hang)"
	grep -q "recv failed after .*: \[Errno 104\] .*: ssh to 127.0.0.1 (killed by signal 9): the connection ended" \
	    "$dir/kill.out" || fail "ssh killed mid-call: no clear error"
	cat "$dir/kill.out"
	wait_no_ssh "ssh killed mid-call"
	wait_no_far "ssh killed mid-call"
	echo "ok: ssh killed mid-call"
else
	echo "the Python binding was not built: its checks skipped"
fi

# Failures, each a clear error in bounded time with no ssh left behind.
# $1: what; $2: the expected error text (grep pattern); the rest: the CLI.
expect_fail() {
	what=$1
	pat=$2
	shift 2
	t0=$(date +%s)
	run 40 fail "$@"
	[ "$st" -eq 124 ] && fail "$what: the CLI hung"
	[ "$st" -ne 0 ] || fail "$what: the CLI succeeded"
	grep -q "$pat" "$dir/fail.err" ||
	    fail "$what: the error does not say '$pat': $(cat "$dir/fail.err")"
	[ $(($(date +%s) - t0)) -le 15 ] || fail "$what: took too long"
	wait_no_ssh "$what"
	echo "ok: $what: $(cat "$dir/fail.err")"
}
expect_fail "unknown host key" "exit status 255.*Host key verification failed" \
    env SOCKBROKER_SSH="$ssh_opts -i $dir/user_key -o UserKnownHostsFile=$dir/known_hosts_empty" \
    "$SB_CLI" -s "$url" info
expect_fail "wrong key" "exit status 255.*Permission denied (publickey)" \
    env SOCKBROKER_SSH="$ssh_opts -i $dir/wrong_key -o UserKnownHostsFile=$dir/known_hosts" \
    "$SB_CLI" -s "$url" info
expect_fail "no sockbroker on the far PATH" "Connection refused (ssh to 127.0.0.1 (exit status 127): sh: 1: sockbroker: not found)" \
    "$SB_CLI" -s "ssh://$user@127.0.0.1:$port2$sock" info
expect_fail "no daemon there" \
    "Connection refused (ssh to 127.0.0.1 (exit status 1): sockbroker: cannot talk to sockbrokerd: $dir/none.sock: No such file" \
    "$SB_CLI" -s "ssh://$user@127.0.0.1:$port$dir/none.sock" info
# sb_open's timeout covers ssh's start: a proxy that never connects.
expect_fail "an ssh start over the timeout" "Connection timed out.*no Hello in time" \
    env SOCKBROKER_TIMEOUT=2 SOCKBROKER_SSH="$SOCKBROKER_SSH -o 'ProxyCommand=sleep 31.5'" \
    "$SB_CLI" -s "$url" info
[ -z "$(pgrep -f "sleep 31[.]5")" ] || fail "ssh's proxy command was left running"
wait_no_far "the failures"

# An IPv6 host in brackets reaches ssh as it is (nothing listens there).
expect_fail "an IPv6 address" "exit status 255): ssh: connect to host ::1 port 1: " \
    "$SB_CLI" -s "ssh://$user@[::1]:1$sock" info

# sockbroker run needs descriptors: refused over ssh, saying why.
expect_fail "sockbroker run over ssh" \
    "sockbroker run: $url: no descriptors cross an ssh:// connection" \
    "$SB_CLI" -s "$url" run -- true
expect_fail "sockbroker run over ssh (SOCKBROKER_SOCKET)" \
    "no descriptors cross an ssh:// connection" \
    env SOCKBROKER_SOCKET="$url" "$SB_CLI" run -- true

# Bad addresses and a bad SOCKBROKER_SSH: refused before anything runs.
for bad in "ssh://" "ssh://$user@" "ssh://@127.0.0.1" "ssh://127.0.0.1:0" \
    "ssh://127.0.0.1:65536" "ssh://127.0.0.1:22x" "ssh://127.0.0.1:" \
    "ssh://127.0.0.1/" "ssh://127.0.0.1/a;b" "ssh://127.0.0.1/a b" \
    "ssh://-oProxyCommand=x" "ssh://a\$b@127.0.0.1" "ssh://[::1" \
    "ssh://[1.2.3.4]" "ssh://host?x" "ssh://127.0.0.1/\$(id)"; do
	expect_fail "address $bad" "Invalid argument (bad ssh:// address: " \
	    "$SB_CLI" -s "$bad" info
done
expect_fail "SOCKBROKER_SSH ending in a backslash" \
    "SOCKBROKER_SSH ends in a backslash" \
    env SOCKBROKER_SSH="-v \\" "$SB_CLI" -s "$url" info
expect_fail "an unterminated quote in SOCKBROKER_SSH" \
    "SOCKBROKER_SSH has an unterminated quote" \
    env SOCKBROKER_SSH="-o 'x" "$SB_CLI" -s "$url" info

echo "PASS: remote clients over ssh"
