#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
#
# quickstart.sh run    build sockbroker in ./build and run the daemon on
#                      ./run/sockbroker.sock in the foreground
# quickstart.sh check  build and run every test: make check, again with
#                      AddressSanitizer (./build-asan), the daemon and the
#                      unit tests under valgrind, make distcheck, and (as
#                      root) make check-deb: the Debian packages built,
#                      installed, run and purged
#
# Missing build dependencies are installed with apt-get (through sudo when
# not root). Nothing is installed system-wide besides those packages.

set -euo pipefail

cd "$(dirname "$0")"
top=$PWD
jobs=$(nproc 2>/dev/null || echo 2)
packages=(build-essential autoconf automake libtool pkg-config
	libprotobuf-c-dev protobuf-c-compiler libevent-dev check
	libsystemd-dev libcap-ng-dev systemd python3-dev python3-pytest
	python3-can)
# What check needs more: the programs the tests run (test_run.sh, the VM
# harness, test_remote.sh, test_man.sh) and the Debian packaging tools.
check_packages=(valgrind tshark clang libclang-rt-14-dev python3-scapy
	netcat-openbsd tcpdump openssh-server mandoc qemu-system-x86 busybox-static can-utils cpio
	git dpkg-dev debhelper dh-python lintian)
valgrind_daemon="valgrind --leak-check=full --errors-for-leak-kinds=definite,indirect --error-exitcode=99 -q"
valgrind_tests=(valgrind --leak-check=full --error-exitcode=1 -q
	--child-silent-after-fork=yes)
py_modules="pytest, can"	# the Python binding's tests import these
results=()
failed=0

say() {
	printf '\n==> %s\n' "$*"
}

usage() {
	echo "usage: $0 run|check" >&2
	exit 2
}

# Whether a command or pkg-config module the build needs is missing.
deps_missing() {
	local cmd mod
	for cmd in cc make autoreconf automake libtoolize pkg-config protoc-c \
	    "$@"; do
		command -v "$cmd" >/dev/null 2>&1 || return 0
	done
	for mod in 'libprotobuf-c >= 1.3' 'libevent_core >= 2.1' \
	    'check >= 0.11' libsystemd libcap-ng python3; do
		pkg-config --exists "$mod" 2>/dev/null || return 0
	done
	# the Python binding's tests: Debian's interpreter with pytest and can
	/usr/bin/python3 -c "import $py_modules" 2>/dev/null || return 0
	return 1
}

# Installs the build dependencies, only if something is missing.
deps_install() {
	local sudo=
	deps_missing "$@" || return 0
	say "installing build dependencies: ${packages[*]}"
	if [ "$(id -u)" -ne 0 ]; then
		sudo=sudo
	fi
	$sudo apt-get update
	$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y \
	    --no-install-recommends "${packages[@]}"
}

# Runs autoreconf when configure (or what it needs) is missing or older
# than configure.ac.
bootstrap() {
	if [ ! -x configure ] || [ configure.ac -nt configure ] ||
	    [ ! -f Makefile.in ] || [ ! -f build-aux/ltmain.sh ]; then
		say "autoreconf -fi"
		autoreconf -fi
	fi
}

# Configures directory $1 (out of tree) with the other arguments, again if
# they changed, then builds it.
build_in() {
	local dir=$1
	shift
	mkdir -p "$dir"
	if [ ! -f "$dir/Makefile" ] ||
	    [ "$(cat "$dir/.quickstart-args" 2>/dev/null)" != "$*" ]; then
		say "configuring $dir $*"
		(cd "$dir" && "$top/configure" -q "$@") || return 1
		echo "$*" >"$dir/.quickstart-args"
	fi
	say "building in $dir"
	make -C "$dir" -j"$jobs" all
}

# Prints the logs of the tests that failed in directory $1.
failed_logs() {
	local trs
	for trs in "$1"/tests/*.trs; do
		[ -f "$trs" ] || continue
		if grep -Eq '^:test-result: (FAIL|ERROR|XPASS)' "$trs"; then
			echo "---- ${trs%.trs}.log"
			cat "${trs%.trs}.log"
		fi
	done
}

# make check in directory $1 (further arguments go to make); logs on failure.
check_in() {
	local dir=$1
	shift
	say "make check in $dir $*"
	if ! make -C "$dir" -j"$jobs" check "$@"; then
		failed_logs "$dir"
		return 1
	fi
}

# make distcheck; the logs of the tests that failed in its tree, if any.
distcheck() {
	local d
	say "make distcheck"
	make -C build -j"$jobs" distcheck && return 0
	for d in build/sockbroker-*/_build/sub; do
		[ -d "$d" ] && failed_logs "$d"
	done
	return 1
}

# The daemon under valgrind for the e2e, CLI and VM tests (leaks fail them;
# tests/vm/run.sh puts valgrind in the guest). In the guest, the C programs
# and the CLI test only: the Python tests there (test_python.sh, about
# 5 minutes more under valgrind) run in both make check steps, and under
# valgrind by hand: make check TESTS=tests/vm/run.sh SB_DAEMON_WRAPPER=...
check_valgrind_daemon() {
	say "e2e and CLI tests with the daemon under valgrind"
	(
		export SB_DAEMON_WRAPPER=$valgrind_daemon
		export SB_VM_TESTS="check_can_raw check_can_proto check_tipc_alg check_can_chan test_can_cli.sh"
		check_in build \
		    TESTS="tests/check_e2e tests/test_cli.sh tests/test_ping_dump.sh tests/test_systemd.sh tests/test_privdrop.sh tests/test_policy_daemon.sh tests/vm/run.sh"
	)
}

# The test programs themselves (and so the library) under valgrind.
check_valgrind_tests() {
	local t rc=0
	say "unit and e2e test programs under valgrind (CK_FORK=no)"
	for t in check_frame check_address check_audit check_policy check_e2e; do
		echo "valgrind tests/$t"
		CK_FORK=no SB_DAEMON=$top/build/sockbrokerd \
		    SB_CLI=$top/build/sockbroker \
		    SB_POLICY=$top/tests/e2e.conf \
		    SB_SLOWNSS=$top/build/tests/.libs/slownss.so \
		    build/libtool --mode=execute "${valgrind_tests[@]}" \
		    "build/tests/$t" >"build/tests/$t.valgrind.log" 2>&1 || {
			rc=1
			cat "build/tests/$t.valgrind.log"
		}
		tail -n 1 "build/tests/$t.valgrind.log"
	done
	return $rc
}

# Runs step $1 (a command and its arguments after it), records the result
# and returns its status.
step() {
	local name=$1
	shift
	if "$@"; then
		results+=("PASS  $name")
		return 0
	fi
	results+=("FAIL  $name")
	failed=1
	return 1
}

cmd_run() {
	deps_install
	bootstrap
	build_in build
	mkdir -p run
	cat <<EOF

sockbrokerd is starting on $top/run/sockbroker.sock (Ctrl-C stops it).
In another terminal, talk to it:

    SOCKBROKER_SOCKET=$top/run/sockbroker.sock build/sockbroker info
    SOCKBROKER_SOCKET=$top/run/sockbroker.sock build/sockbroker resolve localhost
    SOCKBROKER_SOCKET=$top/run/sockbroker.sock build/sockbroker echo-server 127.0.0.1 50007 &
    SOCKBROKER_SOCKET=$top/run/sockbroker.sock build/sockbroker echo-client 127.0.0.1 50007

The policy is the example, systemd/policy.conf: TCP, UDP and ICMP datagram
sockets for everyone, more for some groups. Try
    build/sockbroker policy explain -f systemd/policy.conf \$USER inet op bind port 22

EOF
	# As root without a sockbroker user, a development run stays root.
	if [ "$(id -u)" -eq 0 ] && ! id sockbroker >/dev/null 2>&1; then
		set -- --no-privdrop
	fi
	exec build/sockbrokerd --listen "$top/run/sockbroker.sock" \
	    --policy "$top/systemd/policy.conf" --foreground --verbose "$@"
}

cmd_check() {
	local start r
	start=$(date +%s)
	packages+=("${check_packages[@]}")
	py_modules="$py_modules, scapy"
	deps_install valgrind tshark systemd-analyze clang nc tcpdump \
	    /usr/sbin/sshd mandoc qemu-system-x86_64 busybox candump cpio git \
	    dpkg-buildpackage dh lintian
	bootstrap
	if step "build (./build)" build_in build; then
		step "make check" check_in build || :
		step "valgrind: daemon under e2e and CLI tests" \
		    check_valgrind_daemon || :
		step "valgrind: test programs (CK_FORK=no)" \
		    check_valgrind_tests || :
	fi
	if step "build with sanitizers (./build-asan)" build_in build-asan \
	    --enable-debug --enable-sanitizers; then
		step "make check with ASan+UBSan" check_in build-asan || :
	fi
	if [ -f build/Makefile ]; then
		step "make distcheck" distcheck || :
	fi
	# About 2 minutes; it installs and purges packages, so root only.
	if [ -f build/Makefile ] && [ "$(id -u)" -eq 0 ]; then
		step "Debian package (make check-deb)" make -C build check-deb || :
	fi

	echo
	echo "==> results"
	for r in "${results[@]}"; do
		echo "    $r"
	done
	if [ "$failed" -ne 0 ]; then
		echo "quickstart check: FAILED ($(($(date +%s) - start)) s)"
		exit 1
	fi
	echo "quickstart check: all ${#results[@]} steps passed ($(($(date +%s) - start)) s)"
}

[ $# -eq 1 ] || usage
case $1 in
run)	cmd_run ;;
check)	cmd_check ;;
*)	usage ;;
esac
