#!/bin/sh
# SPDX-License-Identifier: ISC
#
# The Debian package, end to end on this machine (make check-deb; root
# only, it installs and purges packages): copies the source tree's files
# (git ls-files, with local changes: a clean checkout) to a scratch
# directory, installs the missing build dependencies with apt-get, runs
# dpkg-buildpackage -us -uc -b (DEB_BUILD_OPTIONS="nocheck parallel=2";
# SB_DEB_CHECK=1 keeps the checks), lintian (no errors), installs the four
# packages with apt-get, and checks: the files, the conffiles, the user and group
# sockbroker, the man pages, `sockbroker --version`, `systemd-analyze
# verify` of the installed units, the Python binding and its python-can
# entry point, a program built against libsockbroker-dev; then
# sockbrokerd started by hand from the installed files (the default
# socket in /run/sockbroker made by the tmpfiles snippet, the installed
# policy, the privilege drop to user sockbroker) answering `sockbroker
# info` and the installed echo example; then purges them and checks that
# nothing of theirs is left (but the system user, which Debian keeps).
# It refuses to run where any of the packages is installed already.
# $srcdir is the source tree (make check-deb sets it); SB_DEB_KEEP=1 keeps
# the scratch directory.

set -u
top=$(cd "${srcdir:-$(dirname "$0")/..}" && pwd)
pkgs="sockbroker libsockbroker0 libsockbroker-dev python3-sockbroker"
start=$(date +%s)
work=
daemon=
ours=

say() {
	echo "deb: $*"
}

fail() {
	echo "FAIL: $*"
	for f in "$work"/*.err "$work"/*.log; do
		[ -f "$f" ] && { echo "---- $f"; tail -n 40 "$f"; }
	done
	exit 1
}

cleanup() {
	[ -n "$daemon" ] && kill "$daemon" 2>/dev/null
	if [ -n "$ours" ]; then
		# shellcheck disable=SC2086 # a list of package names
		DEBIAN_FRONTEND=noninteractive apt-get purge -y -q $pkgs \
		    >/dev/null 2>&1
	fi
	if [ -n "$work" ] && [ "${SB_DEB_KEEP:-0}" != 1 ]; then
		rm -rf "$work"
	fi
}
trap cleanup EXIT

# installed PKG: whether dpkg knows PKG in any state but not-installed.
installed() {
	st=$(dpkg-query -W -f '${db:Status-Abbrev}' "$1" 2>/dev/null)
	[ -n "$st" ] && [ "$st" != "un " ]
}

if [ "$(id -u)" -ne 0 ]; then
	echo "needs root (it installs and purges packages); skipped"
	exit 77
fi
for cmd in dpkg-buildpackage apt-get git lintian; do
	command -v "$cmd" >/dev/null ||
	    { echo "no $cmd here (Debian: dpkg-dev, apt, git, lintian); skipped"; exit 77; }
done
git -C "$top" rev-parse --git-dir >/dev/null 2>&1 ||
    { echo "$top is no git checkout; skipped"; exit 77; }
for p in $pkgs; do
	installed "$p" && { echo "$p is installed already; skipped"; exit 77; }
done

work=$(mktemp -d /tmp/sbdeb.XXXXXX)
# The package's make check runs programs as nobody from the build tree.
chmod 755 "$work"
mkdir "$work/src" || exit 99
(cd "$top" && git ls-files -co --exclude-standard -z |
    tar --null -T - -cf -) | tar -C "$work/src" -xf - ||
    fail "cannot copy the source tree"

# Build dependencies: what dpkg-checkbuilddeps says is missing.
cd "$work/src" || exit 99
missing=$(dpkg-checkbuilddeps 2>&1 | sed -n 's/.*Unmet build dependencies: //p' |
    sed 's/([^)]*)//g; s/<[^>]*>//g; s/|[^ ]*//g')
if [ -n "$missing" ]; then
	say "installing build dependencies: $missing"
	# shellcheck disable=SC2086 # a list of package names
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
	    --no-install-recommends $missing >"$work/builddeps.log" 2>&1 ||
	    fail "apt-get install $missing"
fi

opts="nocheck parallel=2"
[ "${SB_DEB_CHECK:-0}" = 1 ] && opts=parallel=2
t0=$(date +%s)
DEB_BUILD_OPTIONS=$opts dpkg-buildpackage -us -uc -b >"$work/build.log" 2>&1 ||
    fail "dpkg-buildpackage -us -uc -b failed"
say "dpkg-buildpackage -us -uc -b (DEB_BUILD_OPTIONS=$opts): $(($(date +%s) - t0)) s"
# The symbols file must list what the library exports (a merge adding
# calls fails here until debian/libsockbroker0.symbols has them).
grep -q 'dpkg-gensymbols: warning' "$work/build.log" &&
    fail "debian/libsockbroker0.symbols is out of date: $(grep -A30 'dpkg-gensymbols: warning' "$work/build.log" | grep '^+ ')"
cd "$work" || exit 99
changes=$(ls "$work"/sockbroker_*.changes)
lintian --fail-on error "$changes" >"$work/lintian.log" 2>&1 ||
    fail "lintian reports errors"
say "lintian: $(grep -c '^E:' "$work/lintian.log") errors, $(grep -c '^W:' "$work/lintian.log") warnings"
grep '^[EW]:' "$work/lintian.log"

debs=
for p in $pkgs; do
	debs="$debs $(ls "$work/${p}"_*.deb)"
done
ours=1		# from here on, a failure purges what it installed
# shellcheck disable=SC2086 # a list of files
DEBIAN_FRONTEND=noninteractive apt-get install -y -q $debs \
    >"$work/install.log" 2>&1 || fail "apt-get install of the packages"
say "installed: $pkgs"

# Files, conffiles, man pages, the user.
for f in /usr/sbin/sockbrokerd /usr/bin/sockbroker \
    /etc/sockbroker/policy.conf /etc/sockbroker/policy.conf.example \
    /lib/systemd/system/sockbroker.service /lib/systemd/system/sockbroker.socket \
    /usr/lib/sysusers.d/sockbroker.conf /usr/lib/tmpfiles.d/sockbroker.conf \
    /usr/include/sockbroker.h /usr/share/man/man8/sockbrokerd.8.gz \
    /usr/share/man/man5/sockbroker.conf.5.gz /usr/share/man/man1/sockbroker.1.gz \
    /usr/share/man/man3/sb_socket.3.gz; do
	[ -e "$f" ] || fail "$f is not installed"
done
multiarch=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
if [ -d "$top/preload" ]; then
	[ -e "/usr/lib/$multiarch/libsockbroker-preload.so" ] ||
	    fail "the preload shim of sockbroker run is not installed"
fi
conf=$(dpkg-query -W -f '${Conffiles}' sockbroker)
for f in /etc/sockbroker/policy.conf /etc/sockbroker/policy.conf.example; do
	printf '%s\n' "$conf" | grep -q " $f " || fail "$f is no conffile"
done
[ "$(readlink /usr/share/man/man3/sb_bind.3.gz)" = sb_socket.3.gz ] ||
    fail "sb_bind(3) is no link to sb_socket(3)"
man -w sb_bind >/dev/null 2>&1 || fail "man -w sb_bind finds nothing"
getent passwd sockbroker >/dev/null || fail "no user sockbroker"
getent group sockbroker >/dev/null || fail "no group sockbroker"
[ -d /run/sockbroker ] || fail "no /run/sockbroker (tmpfiles)"
/usr/bin/sockbroker --version | grep -qx 'sockbroker 0\.1\.0' ||
    fail "sockbroker --version: $(/usr/bin/sockbroker --version 2>&1)"
/usr/sbin/sockbrokerd --version | grep -q '^sockbrokerd 0\.1\.0' ||
    fail "sockbrokerd --version"
say "files, conffiles, man pages, user and group, --version"

# The installed units.
systemd-analyze verify /lib/systemd/system/sockbroker.socket \
    /lib/systemd/system/sockbroker.service >"$work/verify.err" 2>&1 ||
    fail "systemd-analyze verify of the installed units"
[ -s "$work/verify.err" ] && fail "systemd-analyze verify complained"
say "systemd-analyze verify sockbroker.socket sockbroker.service"

# The Python binding and python-can's entry point, as installed.
/usr/bin/python3 -c 'import sockbroker, importlib.metadata as m
assert sockbroker.__file__.startswith("/usr/lib/python3/dist-packages/")
eps = [e.name for e in m.entry_points(group="can.interface")]
assert "sockbroker" in eps, eps' >"$work/python.err" 2>&1 ||
    fail "the installed Python binding"
say "import sockbroker; python-can interface registered"

# A program against libsockbroker-dev: the echo client of libsockbroker(3).
zcat /usr/share/man/man3/libsockbroker.3.gz |
    sed -n '/^\.Sh EXAMPLES/,/^\.Ed/p' |
    sed -n '/^#include <sys\/socket.h>/,/^}$/p' | sed 's/\\e/\\/g' \
    >"$work/echo.c"
grep -q 'sb_open(NULL)' "$work/echo.c" ||
    fail "no echo example in the installed libsockbroker(3)"
# shellcheck disable=SC2046 # pkg-config's words
cc -o "$work/echo" "$work/echo.c" $(pkg-config --cflags --libs sockbroker) \
    >"$work/cc.err" 2>&1 || fail "the echo example does not build"
say "the echo example of libsockbroker(3) builds with pkg-config"

# The daemon from the installed files: default socket, installed policy,
# dropping to user sockbroker (as root here; systemd is not PID 1).
/usr/bin/python3 -c 'import socket
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", 50007)); s.listen()
c, _ = s.accept(); c.sendall(c.recv(1024)); c.close()' &
echo_server=$!
/usr/sbin/sockbrokerd --foreground >"$work/daemon.log" 2>&1 &
daemon=$!
n=100
while ! /usr/bin/sockbroker info >"$work/info.out" 2>"$work/info.err"; do
	n=$((n - 1))
	[ "$n" -gt 0 ] || fail "the installed daemon does not answer"
	kill -0 "$daemon" 2>/dev/null || fail "the installed daemon exited"
	sleep 0.1
done
grep -q '^protocol version: 1$' "$work/info.out" ||
    fail "sockbroker info: $(cat "$work/info.out")"
uid=$(id -u sockbroker)
grep -Eq "^Uid:[[:space:]]+$uid[[:space:]]+$uid[[:space:]]" "/proc/$daemon/status" ||
    fail "the daemon did not drop to user sockbroker"
"$work/echo" >"$work/echo.out" 2>"$work/echo.err" ||
    fail "the echo example through the installed daemon"
grep -qx 'Received Hello, world' "$work/echo.out" || fail "echo: $(cat "$work/echo.out")"
wait "$echo_server"
if [ -d "$top/preload" ]; then
	/usr/bin/sockbroker run -- /bin/true >"$work/run.err" 2>&1 ||
	    fail "sockbroker run -- /bin/true with the installed shim"
	say "sockbroker run -- /bin/true with the installed shim"
fi
kill "$daemon"
wait "$daemon" || fail "the installed daemon did not stop cleanly"
daemon=
say "installed sockbrokerd (as user sockbroker) answers sockbroker info and the echo example"

# Purge: nothing of the packages' is left.
for p in $pkgs; do
	dpkg-query -L "$p" 2>/dev/null
done | sort -u >"$work/files.list"
# shellcheck disable=SC2086 # a list of package names
DEBIAN_FRONTEND=noninteractive apt-get purge -y -q $pkgs \
    >"$work/purge.log" 2>&1 || fail "apt-get purge"
ours=
for p in $pkgs; do
	installed "$p" && fail "$p is still known to dpkg after purge"
done
left=
while read -r f; do
	[ -e "$f" ] || [ -L "$f" ] || continue
	[ -d "$f" ] && continue	# shared directories (and /lib -> usr/lib)
	left="$left $f"
done <"$work/files.list"
for f in /etc/sockbroker /run/sockbroker /var/log/sockbroker \
    /etc/systemd/system/sockets.target.wants/sockbroker.socket \
    /var/lib/systemd/deb-systemd-helper-enabled/sockets.target.wants/sockbroker.socket; do
	[ -e "$f" ] || [ -L "$f" ] && left="$left $f"
done
[ -z "$left" ] || fail "left after purge:$left"
say "purged; nothing left (the system user sockbroker stays, as Debian keeps system users)"
say "PASS: $(($(date +%s) - start)) s in all"
exit 0
