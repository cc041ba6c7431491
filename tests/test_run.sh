#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
#
# sockbroker run: unmodified programs, as uid 65534 (nobody), get the
# sockets they may not have from a real daemon through the preloaded shim,
# and each of them fails without it: python3's plain socket module pinging
# 127.0.0.1 over a raw ICMP socket, scapy's ICMP echo and reply on lo,
# netcat (netcat-openbsd) listening on port 80 for a local client, tcpdump
# capturing on lo where the policy grants fd-pass and refused clearly where
# it does not. Then what the shim promises any program: a policy refusal is
# the errno the kernel gave (EPERM, with the rule on stderr under
# SOCKBROKER_DEBUG), a fork child and an exec'ed program (with LD_PRELOAD
# dropped from its environment) get their own brokered sockets, a server
# on port 80 that forks per connection serves it from the child, and
# loses nothing of 200 requests their clients write at once after
# connect, parent and child of a fork read each datagram of a shared UDP
# socket once and both send, a brokered connection on stdin and stdout of
# `sh -c 'exec cat'` echoes through cat what the client wrote at once and
# a close-on-exec one is gone after exec, subprocess (posix_spawn),
# execl, execlp and posix_spawn with dup2 file actions pass brokered
# sockets, SO_RCVTIMEO holds across exec, the
# program's descriptors are back to what they were after close, dup and
# close_range, and an unreachable daemon leaves the local behaviour and
# one warning line.
#
# The daemon runs in a network namespace of the test's own (so loopback
# carries only the test's traffic); the programs run in the host's, as the
# daemon's sockets live in its. Needs root (the daemon, the namespace,
# setpriv); python3-scapy, netcat-openbsd and tcpdump missing fail it.
# $SB_DAEMON_WRAPPER (valgrind ...) is put in front of the daemon, and
# $SB_RUN_WRAPPER in front of each program run through the shim.

lib_name=run
. "$(dirname "$0")/lib.sh"
lib_need_programs
lib_need_root "the daemon must own raw and packet sockets"
# A sanitizer build's shim needs the sanitizers' runtimes loaded ahead of
# it in the (uninstrumented) program: they go first in LD_PRELOAD, which
# `sockbroker run` keeps first; leaks are the programs' own (python3), not
# looked for.
shim=$(dirname "$SB_CLI")/preload/.libs/libsockbroker-preload.so
san=
if grep -q __asan_ "$shim" 2>/dev/null; then
	san=$(ldd "$(dirname "$SB_CLI")/.libs/sockbroker" |
	    awk '/lib(a|ub)san/ { print $3 }' | paste -sd:)
	[ -n "$san" ] || fail "a sanitizer build without the runtimes' paths"
	export ASAN_OPTIONS=detect_leaks=0${ASAN_OPTIONS:+:$ASAN_OPTIONS}
fi
netns=
bg=

test_cleanup() {
	[ -n "$bg" ] && kill "$bg" 2>/dev/null
	[ -n "$netns" ] && ip netns del "$netns" 2>/dev/null
}

for p in setpriv nsenter ip nc tcpdump; do
	command -v "$p" >/dev/null 2>&1 || fail "$p is not installed"
done
/usr/bin/python3 -c 'import scapy' 2>/dev/null ||
    fail "scapy is not installed (Debian package python3-scapy)"

# As nobody, with no groups.
nobody() {
	setpriv --reuid=65534 --regid=65534 --clear-groups "$@"
}

# run NAME PROGRAM [ARGS]: PROGRAM through the shim, as nobody; its output
# in $dir/NAME.out and .err, its status returned.
run() {
	local name=$1
	shift
	# shellcheck disable=SC2086 # the wrapper is a list of words
	nobody timeout 60 env ${san:+LD_PRELOAD="$san"} "$SB_CLI" run \
	    -s "$sock" -- ${SB_RUN_WRAPPER:-} "$@" \
	    >"$dir/$name.out" 2>"$dir/$name.err"
}

# plain NAME PROGRAM [ARGS]: the same without the shim.
plain() {
	local name=$1
	shift
	nobody timeout 60 "$@" >"$dir/$name.out" 2>"$dir/$name.err"
}

# policy FILE-CONTENTS: the daemon's policy from now on (SIGHUP).
policy() {
	printf '%s\n' "$@" >"$dir/policy.conf"
	chmod 644 "$dir/policy.conf"
	[ -n "$daemon" ] || return 0
	kill -HUP "$daemon"
	sleep 0.3
}

# listening NAME WHAT: waits until program NAME (run in the background)
# printed "listening"; fails saying WHAT if it does not.
listening() {
	local n=$tries
	until grep -q '^listening$' "$dir/$1.out" 2>/dev/null; do
		n=$((n - 1))
		[ "$n" -gt 0 ] || fail "$2: not listening"
		sleep 0.1
	done
}

# in_ns CMD...: CMD in the daemon's namespace.
in_ns() {
	ip netns exec "$netns" "$@"
}

chmod 755 "$dir"
netns=sbrun$$
ip netns add "$netns" || { netns=; fail "cannot make a network namespace"; }
in_ns ip link set lo up || fail "cannot bring lo up in $netns"

base_policy=(
	"permit nobody family inet type raw proto icmp,raw option ip_hdrincl"
	"permit nobody family inet,inet6 type stream,dgram port 80,1024-65535"
	"permit nobody family packet option packet_add_membership"
)
policy "${base_policy[@]}"
# nsenter execs the daemon (ip netns exec may fork), so $daemon is its pid
# shellcheck disable=SC2086 # the wrapper is a list of words
nsenter --net="/run/netns/$netns" ${SB_DAEMON_WRAPPER:-} "$SB_DAEMON" --listen "$sock" --socket-mode 0666 \
    --foreground --verbose --no-privdrop --policy "$dir/policy.conf" \
    >"$log" 2>&1 &
daemon=$!
daemon_wait

# ---- python3, plain socket module: a raw ICMP ping of 127.0.0.1 ----------
cat >"$dir/ping.py" <<'PY'
import os, socket, struct, sys

def csum(b):
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    s = (s >> 16) + (s & 0xffff)
    return ~(s + (s >> 16)) & 0xffff

def ping(count):
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
    ping_on(s, count)
    s.close()

def ping_on(s, count):
    s.settimeout(5)
    ident = os.getpid() & 0xffff
    for seq in range(1, count + 1):
        body = struct.pack("!BBHHH", 8, 0, 0, ident, seq) + b"sockbroker"
        s.sendto(body[:2] + struct.pack("!H", csum(body)) + body[4:],
                 ("127.0.0.1", 0))
        while True:
            data, addr = s.recvfrom(1500)
            ihl = (data[0] & 15) * 4
            t, _, _, i, sq = struct.unpack("!BBHHH", data[ihl:ihl + 8])
            if t == 0 and i == ident and sq == seq:
                print("reply from %s icmp_seq=%d" % (addr[0], sq))
                break

if __name__ == "__main__":
    ping(int(sys.argv[1]) if len(sys.argv) > 1 else 3)
PY
run ping /usr/bin/python3 "$dir/ping.py" 3 ||
    fail "python3 ping through sockbroker run: status $?"
[ "$(grep -c '^reply from 127.0.0.1 icmp_seq=[123]$' "$dir/ping.out")" -eq 3 ] ||
    fail "python3 ping: not three replies"
plain ping-plain /usr/bin/python3 "$dir/ping.py" 1 &&
    fail "python3 ping without sockbroker run worked: not a test"
grep -q 'PermissionError: \[Errno 1\] Operation not permitted' \
    "$dir/ping-plain.err" || fail "python3 ping without the shim: not EPERM"

# ---- scapy: ICMP echo and reply on lo --------------------------------------
# L3RawSocket is scapy's own advice for loopback (its packet socket
# default cannot reach 127.0.0.1 as root either).
cat >"$dir/scapy_echo.py" <<'PY'
from scapy.all import ICMP, IP, L3RawSocket, conf, sr1
conf.verb = 0
conf.L3socket = L3RawSocket
r = sr1(IP(dst="127.0.0.1") / ICMP(id=0x4242, seq=7) / b"sockbroker",
        timeout=5)
if r is None:
    raise SystemExit("no reply")
print("reply from %s type %d id %#x seq %d %s" % (r[IP].src, r[ICMP].type,
      r[ICMP].id, r[ICMP].seq, bytes(r[ICMP].payload).decode()))
PY
run scapy /usr/bin/python3 "$dir/scapy_echo.py" || fail "scapy: status $?"
grep -q '^reply from 127.0.0.1 type 0 id 0x4242 seq 7 sockbroker$' \
    "$dir/scapy.out" || fail "scapy: no echo reply"
plain scapy-plain /usr/bin/python3 "$dir/scapy_echo.py" &&
    fail "scapy without sockbroker run worked: not a test"
grep -q 'PermissionError' "$dir/scapy-plain.err" ||
    fail "scapy without the shim: not a PermissionError"

# ---- netcat: listening on port 80, a local client --------------------------
run nc-l nc -l 127.0.0.1 80 &
bg=$!
n=$tries
until in_ns bash -c 'printf "hello port 80\n" | nc -N 127.0.0.1 80' \
    >"$dir/nc-client.out" 2>&1; do
	n=$((n - 1))
	[ "$n" -gt 0 ] || fail "nc: no listener on port 80"
	sleep 0.1
done
wait "$bg" || fail "nc -l through sockbroker run: status $?"
bg=
[ "$(cat "$dir/nc-l.out")" = "hello port 80" ] ||
    fail "nc -l did not get the client's line"
plain nc-plain nc -l 127.0.0.1 80 && fail "nc -l 80 without the shim worked"
grep -q 'Permission denied' "$dir/nc-plain.err" ||
    fail "nc -l 80 without the shim: not EACCES"

# ---- tcpdump on lo: fd-pass granted, and refused --------------------------
port=$((20000 + $$ % 10000))
policy "${base_policy[@]}" "permit nobody family packet option packet_add_membership fd-pass"
run tcpdump tcpdump -i lo -n -c 3 udp port "$port" &
bg=$!
n=$tries
while kill -0 "$bg" 2>/dev/null; do
	n=$((n - 1))
	[ "$n" -gt 0 ] || fail "tcpdump did not stop after 3 packets"
	in_ns bash -c "printf x >/dev/udp/127.0.0.1/$port" 2>/dev/null
	sleep 0.1
done
wait "$bg" || fail "tcpdump through sockbroker run: status $?"
bg=
[ "$(grep -Ec "^[0-9:.]+ IP 127\\.0\\.0\\.1\\.[0-9]+ > 127\\.0\\.0\\.1\\.$port: UDP, length 1\$" \
    "$dir/tcpdump.out")" -eq 3 ] || fail "tcpdump: not three UDP lines"
grep -q '^3 packets captured$' "$dir/tcpdump.err" ||
    fail "tcpdump did not say it captured 3 packets"
plain tcpdump-plain tcpdump -i lo -n -c 1 &&
    fail "tcpdump without the shim worked"
grep -q "You don't have permission" "$dir/tcpdump-plain.err" ||
    fail "tcpdump without the shim: not its permission error"
policy "${base_policy[@]}"
run tcpdump-nopass tcpdump -i lo -n -c 1 && fail "tcpdump without fd-pass worked"
# (the daemon's reason, then its file and rule, whole: the shim keeps as
# much of it as the daemon writes)
grep -qxF "sockbroker run: a memory-mapped packet ring needs the real socket, and the policy grants no fd-pass for it (passfd: rule at line 3 does not grant passing the real descriptor (needs fd-pass) ($dir/policy.conf:3: permit nobody family packet option packet_add_membership))" \
    "$dir/tcpdump-nopass.err" || fail "tcpdump without fd-pass: no clear refusal, or cut short"

# ---- a policy refusal is the kernel's errno, the rule under SOCKBROKER_DEBUG
policy "deny nobody family inet type raw" "${base_policy[@]:1}"
SOCKBROKER_DEBUG=1 run refused /usr/bin/python3 "$dir/ping.py" 1 &&
    fail "a raw socket the policy refuses was made"
grep -q 'PermissionError: \[Errno 1\] Operation not permitted' \
    "$dir/refused.err" || fail "policy refusal: not EPERM as the kernel's"
grep -q '^sockbroker run: socket: .*rule at line 1' "$dir/refused.err" ||
    fail "policy refusal: no line naming the rule under SOCKBROKER_DEBUG"
[ "$(grep -c '^sockbroker run: ' "$dir/refused.err")" -eq 1 ] ||
    fail "policy refusal: not one line"
run refused-quiet /usr/bin/python3 "$dir/ping.py" 1
grep -q '^sockbroker run: ' "$dir/refused-quiet.err" &&
    fail "policy refusal: a line on stderr without SOCKBROKER_DEBUG"
policy "${base_policy[@]}"

# ---- fork and exec --------------------------------------------------------
cat >"$dir/forkexec.py" <<'PY'
import os, sys
sys.path.insert(0, os.path.dirname(__file__))
from ping import ping
if sys.argv[1] == "fork":
    ping(1)                     # the parent's connection is open now
    pid = os.fork()
    if pid == 0:
        ping(2)                 # the child's own
        os._exit(0)
    _, st = os.waitpid(pid, 0)
    ping(1)                     # the parent's still works
    sys.exit(os.waitstatus_to_exitcode(st))
# exec: an environment without LD_PRELOAD, as some programs make one
env = {k: v for k, v in os.environ.items() if k != "LD_PRELOAD"}
os.execve(sys.executable, [sys.executable, os.path.join(
    os.path.dirname(__file__), "ping.py"), "2"], env)
PY
run fork /usr/bin/python3 "$dir/forkexec.py" fork || fail "fork: status $?"
[ "$(grep -c '^reply from' "$dir/fork.out")" -eq 4 ] ||
    fail "fork: not four replies (parent, child twice, parent)"
run exec /usr/bin/python3 "$dir/forkexec.py" exec || fail "exec: status $?"
[ "$(grep -c '^reply from' "$dir/exec.out")" -eq 2 ] ||
    fail "exec: the program exec'ed did not get its raw socket"

# ---- a server on port 80 that forks per connection ------------------------
# The child serves the connection it inherited; the parent closes its copy
# at once and serves the next one (two clients, one after the other).
cat >"$dir/forkserver.py" <<'PY'
import os, socket, sys
l = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
l.bind(("127.0.0.1", 80))
l.listen(4)
print("listening", flush=True)
for _ in range(2):
    conn, _ = l.accept()
    pid = os.fork()
    if pid == 0:
        l.close()
        conn.sendall(b"hello from %d\n" % os.getpid())
        line = conn.makefile("rb").readline()
        conn.sendall(b"child got " + line)
        conn.close()
        os._exit(0)
    conn.close()
    _, st = os.waitpid(pid, 0)
    if os.waitstatus_to_exitcode(st) != 0:
        sys.exit("child failed")
print("served 2", flush=True)
PY
run forkserver /usr/bin/python3 "$dir/forkserver.py" &
bg=$!
listening forkserver "fork server"
for i in 1 2; do
	in_ns /usr/bin/python3 -c '
import socket, sys
s = socket.create_connection(("127.0.0.1", 80), timeout=10)
f = s.makefile("rb")
sys.stdout.write(f.readline().decode())
s.sendall(b"line %s\n" % sys.argv[1].encode())
sys.stdout.write(f.readline().decode())
' "$i" >"$dir/forkclient$i.out" 2>&1 || fail "fork server: client $i failed"
	grep -q '^hello from [0-9]*$' "$dir/forkclient$i.out" &&
	    grep -q "^child got line $i\$" "$dir/forkclient$i.out" ||
	    fail "fork server: client $i not served by the child"
done
wait "$bg" || fail "fork server through sockbroker run: status $?"
bg=
grep -q '^served 2$' "$dir/forkserver.out" || fail "fork server: not two served"

# ---- a fork-per-connection server whose clients write first ----------------
# Each client sends its whole request right after connect, as an HTTP
# client does, while the parent may still hold the connection: the child
# that serves it shares the parent's channel, so nothing the daemon had
# relayed into it is lost. 200 connections, 8 at a time, every reply
# checked byte for byte.
cat >"$dir/httpfork.py" <<'PY'
import hashlib, os, socket, sys
n = int(sys.argv[1])
l = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
l.bind(("127.0.0.1", 80))
l.listen(64)
print("listening", flush=True)
kids = 0
for _ in range(n):
    conn, _ = l.accept()
    pid = os.fork()
    if pid == 0:
        l.close()
        f = conn.makefile("rb")
        head = f.readline()
        body = f.read(int(head.split()[1]))
        conn.sendall(b"%s %d %s\n" % (head.split()[0], len(body),
                     hashlib.sha256(body).hexdigest().encode()))
        conn.close()
        os._exit(0)
    conn.close()
    kids += 1
    while kids > 0:
        p, st = os.waitpid(-1, os.WNOHANG)
        if p == 0:
            break
        kids -= 1
        if os.waitstatus_to_exitcode(st) != 0:
            sys.exit("child failed")
while kids > 0:
    _, st = os.wait()
    kids -= 1
print("served %d" % n, flush=True)
PY
cat >"$dir/httpclient.py" <<'PY'
import hashlib, socket, sys, threading
n, bad = int(sys.argv[1]), []
def one(i):
    body = (b"%d-" % i) * (50 + i * 7)
    try:
        s = socket.create_connection(("127.0.0.1", 80), timeout=30)
        s.sendall(b"R%d %d\n" % (i, len(body)) + body)
        want = b"R%d %d %s\n" % (i, len(body),
                                 hashlib.sha256(body).hexdigest().encode())
        got = s.makefile("rb").readline()
        if got != want:
            bad.append("%d: got %r" % (i, got))
        s.close()
    except Exception as e:
        bad.append("%d: %r" % (i, e))
def worker(k):
    for i in range(k, n, 8):
        one(i)
ts = [threading.Thread(target=worker, args=(k,)) for k in range(8)]
[t.start() for t in ts]
[t.join() for t in ts]
print("bad %d" % len(bad))
for b in bad[:10]:
    print(b)
PY
run httpfork /usr/bin/python3 "$dir/httpfork.py" 200 &
bg=$!
listening httpfork "write-first fork server"
in_ns /usr/bin/python3 "$dir/httpclient.py" 200 >"$dir/httpclient.out" 2>&1 ||
    fail "write-first fork server: the clients failed"
wait "$bg" || fail "write-first fork server: status $?"
bg=
grep -q '^bad 0$' "$dir/httpclient.out" ||
    fail "write-first fork server: replies lost or wrong"
grep -q '^served 200$' "$dir/httpfork.out" ||
    fail "write-first fork server: not 200 served"

# ---- a UDP socket shared after fork ----------------------------------------
# Datagrams the daemon relayed into the parent's channel before the fork
# are the child's to read (the parent waits a second before it reads):
# they wait in the one channel both share. Then parent and child both
# read and answer: every datagram is answered exactly once between them,
# and both send (each send's answer comes back to the process that made
# it: a misrouted one would stall it).
cat >"$dir/udpfork.py" <<'PY'
import os, socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 80))
print("listening", flush=True)
data, peer = s.recvfrom(100)            # "start"
time.sleep(0.5)                         # e0..e4 reach the channel
pid = os.fork()
me = b"C" if pid == 0 else b"P"
if pid != 0:
    time.sleep(1)
s.settimeout(3)
n = 0
while True:
    try:
        data, peer = s.recvfrom(100)
    except socket.timeout:
        break
    assert s.sendto(me + b":" + data, peer) == len(data) + 2
    n += 1
assert s.sendto(b"bye " + me, peer) == 5
if pid == 0:
    os._exit(0)
_, st = os.waitpid(pid, 0)
print("parent %d, child status %d" % (n, os.waitstatus_to_exitcode(st)),
      flush=True)
PY
cat >"$dir/udpclient.py" <<'PY'
import socket, sys, time
n = int(sys.argv[1])
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.settimeout(10)
for d in [b"start"] + [b"e%d" % i for i in range(5)]:
    u.sendto(d, ("127.0.0.1", 80))
early = sorted(u.recv(100) for _ in range(5))
time.sleep(1)                           # the parent reads too now
got = {}
for i in range(n):
    u.sendto(b"%d" % i, ("127.0.0.1", 80))
    p, v = u.recv(100).split(b":")
    got[int(v)] = got.get(int(v), 0) + 1
byes, extra = set(), 0
while len(byes) < 2:
    r = u.recv(100)
    if r.startswith(b"bye "):
        byes.add(r[4:])
    else:
        extra += 1
print("early %s" % b" ".join(early).decode())
print("answered once %d, extra %d, byes %s" % (
    sum(1 for i in range(n) if got.get(i) == 1),
    extra + sum(v - 1 for v in got.values() if v > 1), sorted(byes)))
PY
run udpfork /usr/bin/python3 "$dir/udpfork.py" &
bg=$!
listening udpfork "UDP fork"
in_ns /usr/bin/python3 "$dir/udpclient.py" 200 >"$dir/udpclient.out" 2>&1 ||
    fail "UDP fork: the client failed"
wait "$bg" || fail "UDP fork: status $?"
bg=
grep -q '^early C:e0 C:e1 C:e2 C:e3 C:e4$' "$dir/udpclient.out" ||
    fail "UDP fork: the child did not read what waited in the channel"
grep -q "^answered once 200, extra 0, byes \[b'C', b'P'\]$" \
    "$dir/udpclient.out" || fail "UDP fork: not each datagram once, or not both sent"
grep -q '^parent [0-9]*, child status 0$' "$dir/udpfork.out" ||
    fail "UDP fork: the child failed"

# ---- a brokered socket as stdin and stdout of a program exec'ed -----------
# inetd's way: the connection on 0 and 1 of sh, which execs cat, which
# echoes what it reads, the parent's copy closed; a close-on-exec brokered
# socket is gone after exec. The client writes at once after connect: what
# the daemon relays before cat imported the socket waits in the one
# channel every program on the way shares.
cat >"$dir/inetd.py" <<'PY'
import os, socket, subprocess, sys
l = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
l.bind(("127.0.0.1", 80))
l.listen(1)
raw = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
print("listening", flush=True)
conn, _ = l.accept()
check = "import os, stat, sys; sys.exit(not stat.S_ISSOCK(os.fstat(int(sys.argv[1])).st_mode))"
pid = os.fork()
if pid == 0:
    os.execv(sys.executable, [sys.executable, "-c", check, str(raw.fileno())])
_, st = os.waitpid(pid, 0)
print("cloexec fd after exec: %s" % ("open" if st == 0 else "gone"),
      flush=True)
p = subprocess.Popen(["/bin/sh", "-c", "exec cat"], stdin=conn, stdout=conn)
conn.close()
print("cat status %d" % p.wait(), flush=True)
PY
run inetd /usr/bin/python3 "$dir/inetd.py" &
bg=$!
listening inetd "inetd"
in_ns /usr/bin/python3 -c '
import socket
s = socket.create_connection(("127.0.0.1", 80), timeout=10)
s.sendall(b"through cat\n")
s.shutdown(socket.SHUT_WR)
got = b""
while True:
    b = s.recv(100)
    if not b:
        break
    got += b
print(got.decode(), end="")
' >"$dir/inetd-client.out" 2>&1 || fail "inetd: client failed"
wait "$bg" || fail "inetd through sockbroker run: status $?"
bg=
[ "$(cat "$dir/inetd-client.out")" = "through cat" ] ||
    fail "inetd: cat exec'ed did not echo through the brokered socket"
grep -q '^cat status 0$' "$dir/inetd.out" || fail "inetd: cat failed"
grep -q '^cloexec fd after exec: gone$' "$dir/inetd.out" ||
    fail "inetd: a close-on-exec brokered socket survived exec"

# ---- the exec family beyond execve: execl, execlp, posix_spawn -------------
# glibc's execl*, posix_spawn and posix_spawnp reach its internal execve;
# the shim's own pass the brokered descriptors as execve does. python's
# subprocess with close_fds=False uses posix_spawn; ctypes calls execl
# and execlp by name (the shim's, first in the lookup order).
cat >"$dir/usefd.py" <<'PY'
import os, socket, sys
sys.path.insert(0, os.path.dirname(__file__))
from ping import ping_on
ping_on(socket.socket(fileno=int(sys.argv[1])), 1)
PY
cat >"$dir/spawn.py" <<'PY'
import ctypes, fcntl, os, socket, subprocess, sys
here = os.path.dirname(__file__)
raw = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
fcntl.fcntl(raw.fileno(), fcntl.F_SETFD, 0)     # inheritable
use = [sys.executable, os.path.join(here, "usefd.py"), str(raw.fileno())]
how = sys.argv[1]
if how == "subprocess":
    sys.exit(subprocess.run(use, close_fds=False).returncode)
libc = ctypes.CDLL(None, use_errno=True)
args = [a.encode() for a in use] + [None]
if how == "execl":
    libc.execl(args[0], *args)
elif how == "execlp":
    libc.execlp(os.path.basename(sys.executable).encode(), *args)
sys.exit("%s failed: %s" % (how, os.strerror(ctypes.get_errno())))
PY
for how in subprocess execl execlp; do
	run "spawn-$how" /usr/bin/python3 "$dir/spawn.py" "$how" ||
	    fail "$how: status $?"
	grep -q '^reply from 127.0.0.1 icmp_seq=1$' "$dir/spawn-$how.out" ||
	    fail "$how: the program it ran did not get the brokered socket"
done

# posix_spawn with file actions: the connection dup2'ed onto cat's stdin
# and stdout, the client writing at once.
cat >"$dir/spawncat.py" <<'PY'
import os, socket
l = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
l.bind(("127.0.0.1", 80))
l.listen(1)
print("listening", flush=True)
conn, _ = l.accept()
pid = os.posix_spawn("/bin/cat", ["cat"], os.environ, file_actions=[
    (os.POSIX_SPAWN_DUP2, conn.fileno(), 0),
    (os.POSIX_SPAWN_DUP2, conn.fileno(), 1)])
conn.close()
print("cat status %d" % os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]),
      flush=True)
PY
run spawncat /usr/bin/python3 "$dir/spawncat.py" &
bg=$!
listening spawncat "posix_spawn cat"
in_ns /usr/bin/python3 -c '
import socket
s = socket.create_connection(("127.0.0.1", 80), timeout=10)
s.sendall(b"spawned cat\n")
s.shutdown(socket.SHUT_WR)
got = b""
while True:
    b = s.recv(100)
    if not b:
        break
    got += b
print(got.decode(), end="")
' >"$dir/spawncat-client.out" 2>&1 || fail "posix_spawn cat: client failed"
wait "$bg" || fail "posix_spawn cat: status $?"
bg=
[ "$(cat "$dir/spawncat-client.out")" = "spawned cat" ] ||
    fail "posix_spawn: cat did not echo through the brokered socket"
grep -q '^cat status 0$' "$dir/spawncat.out" || fail "posix_spawn: cat failed"

# ---- SO_RCVTIMEO across exec ------------------------------------------------
cat >"$dir/rcvtimeo.py" <<'PY'
import errno, fcntl, os, signal, socket, struct, sys, time
if len(sys.argv) == 1:
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 80))
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVTIMEO,
                 struct.pack("ll", 0, 400000))
    fcntl.fcntl(s.fileno(), fcntl.F_SETFD, 0)   # inheritable
    os.execv(sys.executable, [sys.executable, __file__, str(s.fileno())])
s = socket.socket(fileno=int(sys.argv[1]))
signal.alarm(10)                # without the timeout, recv would block
t = time.monotonic()
try:
    s.recv(10)
    sys.exit("recv returned")
except OSError as e:
    assert e.errno == errno.EAGAIN, e
print("recv EAGAIN after %.1f s" % (time.monotonic() - t))
PY
run rcvtimeo /usr/bin/python3 "$dir/rcvtimeo.py" || fail "SO_RCVTIMEO: status $?"
grep -q '^recv EAGAIN after 0.[45] s$' "$dir/rcvtimeo.out" ||
    fail "SO_RCVTIMEO was not carried across exec"

# ---- the program's descriptors after close, dup and close_range ------------
cat >"$dir/fds.py" <<'PY'
import fcntl, os, socket
def fds():                      # the descriptors the program can see
    out = []
    for fd in range(4096):
        try:
            fcntl.fcntl(fd, fcntl.F_GETFD)
            out.append(fd)
        except OSError:
            pass
    return out
def raw():
    return socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
raw().close()                   # the shim's connection is open from here
before = fds()
socks = [raw() for _ in range(5)]
d = os.dup(socks[0].fileno())
assert d not in before and all(s.fileno() not in before for s in socks)
for s in socks:
    s.close()
os.close(d)
assert fds() == before, (fds(), before)
s = raw()
os.closerange(3, 1 << 20)       # close_range: the shim's own stay open
s.detach()
print("after close_range", fds())
raw().close()                   # still brokered: the connection is there
print("fds ok")
PY
run fds /usr/bin/python3 "$dir/fds.py" || fail "descriptors: status $?"
grep -q '^fds ok$' "$dir/fds.out" || fail "descriptors: not back to normal"
grep -q '^after close_range \[0, 1, 2\]$' "$dir/fds.out" ||
    fail "descriptors: close_range left the program's descriptors open"

# ---- an unreachable daemon: local behaviour and one warning line -----------
nobody timeout 60 env ${san:+LD_PRELOAD="$san"} "$SB_CLI" run \
    -s "$dir/nothing.sock" -- \
    /usr/bin/python3 "$dir/ping.py" 1 >"$dir/nodaemon.out" \
    2>"$dir/nodaemon.err" && fail "a raw socket without a daemon was made"
grep -q 'PermissionError: \[Errno 1\] Operation not permitted' \
    "$dir/nodaemon.err" || fail "no daemon: not the local EPERM"
[ "$(grep -c "^sockbroker run: cannot reach sockbrokerd at $dir/nothing.sock" \
    "$dir/nodaemon.err")" -eq 1 ] || fail "no daemon: not one warning line"

# ---- interface names the program's namespace lacks: the daemon's ---------
# if_nametoindex, if_indextoname and if_nameindex answer locally first and
# ask the daemon for a name or index the program's namespace lacks: a
# bridge of index 4242 in the daemon's namespace only. Without the shim
# the name is unknown.
run_if_names() {
	in_ns ip link add sbrun0 index 4242 type bridge ||
	    fail "cannot add a bridge to $netns"
	cat >"$dir/ifnames.py" <<'PY'
import socket
print("index", socket.if_nametoindex("sbrun0"))
print("name", socket.if_indextoname(4242))
print("listed", [i for i in socket.if_nameindex() if i[1] == "sbrun0"])
print("lo", socket.if_nametoindex("lo"))
try:
    socket.if_nametoindex("nosuch0")
except OSError as e:
    print("nosuch0", e)
PY
	run ifnames /usr/bin/python3 "$dir/ifnames.py" ||
	    fail "interface names through sockbroker run: status $?"
	printf '%s\n' "index 4242" "name sbrun0" "listed [(4242, 'sbrun0')]" \
	    "lo 1" "nosuch0 no interface with this name" >"$dir/ifnames.want"
	cmp -s "$dir/ifnames.want" "$dir/ifnames.out" ||
	    fail "interface names: not the daemon's ($(cat "$dir/ifnames.out"))"
	plain ifnames-plain /usr/bin/python3 "$dir/ifnames.py" &&
	    fail "interface names: sbrun0 is known without the shim"
	grep -q 'OSError: no interface with this name' \
	    "$dir/ifnames-plain.err" ||
	    fail "interface names: not the local error without the shim"
	in_ns ip link del sbrun0
}
run_if_names

daemon_stop
echo "PASS: python3 ping, scapy, nc -l 80, tcpdump (fd-pass and refused)," \
    "refusal errno, fork, exec, fork server, write-first fork server (200)," \
    "UDP shared after fork, inetd-style exec, subprocess/execl/execlp," \
    "posix_spawn dup2, SO_RCVTIMEO across exec, descriptors, no daemon," \
    "the daemon's interface names"
