#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
#
# The VM harness: runs the tests this machine's kernel cannot (AF_CAN with
# RAW, BCM, ISO-TP and J1939, AF_TIPC, AF_ALG) on a real Linux kernel, booted
# in qemu (TCG; no KVM needed).
#
# It builds an initramfs of busybox (static), sockbrokerd, the CLI and
# sockbroker run's shim, the VM test programs, can-utils and util-linux's
# unshare and setpriv with the shared libraries they need, and the
# kernel modules from Debian's linux-image-amd64 with their dependencies;
# boots it with that kernel and the host's root shared read-only over 9p
# (the guest's Python tests run the host's interpreter from it, on the
# build tree's binding: tests/vm/sb-python); tests/vm/init runs the tests
# inside and writes their output to the second serial port, which becomes
# this script's output. A guest that does not power off within
# SB_VM_TIMEOUT seconds (default 1200; 2400 with SB_DAEMON_WRAPPER) is
# killed and counts as a failure.
#
# What it needs (qemu-system-x86, busybox-static, can-utils, cpio, and the
# kernel package, fetched with apt-get download; python3-pytest and
# python3-can for $SB_PYTHON, default /usr/bin/python3) it installs with
# apt-get. Only where qemu cannot be installed does it exit 77 (skipped);
# without pytest, python-can or the built binding it fails.
#
# The kernel is cached in SB_VM_CACHE (default ~/.cache/sockbroker-vm); the
# initramfs is rebuilt each run (a second or two), in tests/vm/ of the build
# tree. Run from make check (which sets SB_DAEMON and SB_CLI), or by hand:
#     make check TESTS=tests/vm/run.sh
# SB_NO_VM set skips it (exit 77). SB_VM_TESTS limits the run to some
# tests (names from tests/vm/init); SB_VM_TESTS=bench runs the benchmarks instead (make bench-vm), which a run
# without it leaves out.

set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)		# tests/vm in the source tree
top_srcdir=$(cd "$here/../.." && pwd)
: "${SB_DAEMON:?SB_DAEMON must name the built sockbrokerd (make check sets it)}"
builddir=$(cd "$(dirname "$SB_DAEMON")" && pwd)
cache=${SB_VM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/sockbroker-vm}
# The daemon under valgrind keeps the guest busy over 1000 s: twice that.
timeout=${SB_VM_TIMEOUT:-$([ -n "${SB_DAEMON_WRAPPER:-}" ] && echo 2400 || echo 1200)}
work=$builddir/tests/vm
modules=(can can-raw can-bcm can-isotp can-j1939 vcan tipc af_alg algif_hash
	algif_skcipher algif_aead gcm ghash-generic ctr 9p 9pnet_virtio virtio_pci)
programs=(tests/vm/check_can_raw tests/vm/check_can_proto
	tests/vm/check_tipc_alg tests/vm/check_can_chan)
benches=(tests/bench/bench_can)	# in /bench: SB_VM_TESTS=bench runs them
canutils=(candump cansend cangen)
# util-linux's, in /usr/bin (busybox's setpriv cannot change uids): a test
# runs programs as uid 65534 in a network namespace of its own.
utils=(/usr/bin/unshare /usr/bin/setpriv)
packages=(qemu-system-x86 busybox-static can-utils cpio)
pypackages=(python3 python3-pytest python3-can)	# for $python, if Debian's
python=${SB_PYTHON:-/usr/bin/python3}	# the host's, run in the guest over 9p

say() {
	printf 'vm: %s\n' "$*"
}

skip() {
	say "SKIP: $*"
	exit 77
}

fail() {
	say "FAIL: $*"
	exit 1
}

# A build that must not download or boot anything (the Debian package's
# make check, debian/rules) sets SB_NO_VM.
[ -z "${SB_NO_VM:-}" ] || skip "SB_NO_VM is set"

# Installs the packages whose commands are missing, if this is root.
install_tools() {
	local sudo=
	if command -v qemu-system-x86_64 >/dev/null && [ -x /bin/busybox ] &&
	    command -v candump >/dev/null && command -v cpio >/dev/null; then
		return 0
	fi
	command -v apt-get >/dev/null || return 0
	[ "$(id -u)" -eq 0 ] || sudo=sudo
	say "installing ${packages[*]}"
	export DEBIAN_FRONTEND=noninteractive
	$sudo apt-get install -y -q --no-install-recommends "${packages[@]}" ||
	    { $sudo apt-get update -q &&
	    $sudo apt-get install -y -q --no-install-recommends "${packages[@]}"; } ||
	    say "apt-get could not install ${packages[*]}"
}

# Fetches and unpacks Debian's kernel into the cache, once; prints its
# directory (vmlinuz and lib/modules/VERSION/ with modules.dep inside).
kernel() {
	local pkg dir deb
	pkg=$(apt-cache depends linux-image-amd64 2>/dev/null |
	    awk '$1 == "Depends:" && $2 ~ /^linux-image-[0-9]/ && !p { print $2; p = 1 }')
	[ -n "$pkg" ] || fail "apt-cache knows no linux-image-amd64"
	dir=$cache/$pkg
	if [ ! -f "$dir/.complete" ]; then
		say "fetching $pkg into $cache" >&2
		rm -rf "$dir" && mkdir -p "$dir/deb"
		(cd "$dir/deb" && apt-get download "$pkg" 2>&1 |
		    grep -v '^W: Download is performed unsandboxed' >&2) ||
		    fail "apt-get download $pkg"
		deb=$(echo "$dir"/deb/*.deb)
		dpkg-deb -x "$deb" "$dir/root"
		mv "$dir"/root/boot/vmlinuz-* "$dir/vmlinuz"
		busybox depmod -b "$dir/root" "${pkg#linux-image-}"
		rm -rf "$dir/deb" "$dir/root/boot" "$dir/root/usr"
		touch "$dir/.complete"
	fi
	echo "$dir"
}

# Copies ELF program $1 to $2 in the image, with its shared libraries (in
# /lib, which tests/vm/init puts on LD_LIBRARY_PATH) and its interpreter.
copy_elf() {
	local lib
	install -D -m 0755 "$1" "$root$2"
	for lib in $(ldd "$1" | awk '/=> \// { print $3 }'); do
		[ -e "$root/lib/${lib##*/}" ] ||
		    install -D -m 0755 "$lib" "$root/lib/${lib##*/}"
	done
	for lib in $(ldd "$1" | awk '/^\t\// { print $1 }'); do
		[ -e "$root$lib" ] || install -D -m 0755 "$lib" "$root$lib"
	done
}

# The real binary behind a libtool wrapper in the build tree.
real_program() {
	"$builddir/libtool" --mode=execute echo "$builddir/$1"
}

# valgrind, for SB_DAEMON_WRAPPER=valgrind... (the daemon under valgrind in
# the guest, as quickstart.sh's valgrind step runs it on the host).
copy_valgrind() {
	local f
	copy_elf /usr/bin/valgrind.bin /usr/bin/valgrind
	for f in /usr/libexec/valgrind/{memcheck-amd64-linux,vgpreload_core-amd64-linux.so,vgpreload_memcheck-amd64-linux.so,default.supp}; do
		install -D -m 0755 "$f" "$root$f"
	done
	# valgrind must see ld.so's symbols: libc6-dbg's file for its build id.
	f=$(readelf -n /lib64/ld-linux-x86-64.so.2 |
	    awk '/Build ID/ { print substr($3, 1, 2) "/" substr($3, 3) }')
	f=/usr/lib/debug/.build-id/$f.debug
	[ -f "$f" ] || fail "valgrind in the guest needs libc6-dbg ($f)"
	install -D -m 0644 "$f" "$root$f"
}

# Checks the host's Python for the guest's Python tests, which run it from
# the host's root (mounted read-only at /host): it must import pytest and
# python-can (Debian's packages, which apt-get installs for Debian's
# interpreter) and the binding must be built. Sets SB_VM_PYTHON,
# SB_VM_PYTHONPATH, SB_VM_LIBPATH and SB_VM_SRCDIR, as the guest sees them.
python_check() {
	local sudo= want="import pytest, can" dirs d
	if ! "$python" -c "$want" 2>/dev/null && command -v apt-get >/dev/null; then
		[ "$(id -u)" -eq 0 ] || sudo=sudo
		say "installing ${pypackages[*]}"
		DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q \
		    --no-install-recommends "${pypackages[@]}" ||
		    say "apt-get could not install ${pypackages[*]}"
	fi
	"$python" -c "$want" ||
	    fail "$python cannot import pytest and can (python3-pytest, python3-can)"
	ls "$builddir"/python/sockbroker/_sockbroker*.so >/dev/null 2>&1 ||
	    fail "the Python binding is not built in $builddir (python3-dev, then configure)"
	SB_VM_PYTHON=/host$("$python" -c 'import os, sys
print(os.path.realpath(sys.executable))')
	SB_VM_PYTHONPATH=/host$(cd "$builddir/python" && pwd -P)
	SB_VM_SRCDIR=/host$(cd "$top_srcdir" && pwd -P)
	# The host's library directories: the interpreter's, its extension
	# modules', the binding's (libsockbroker, in the build tree's .libs).
	dirs=$(cd "$builddir/.libs" && pwd -P)
	for d in $( (ldconfig -p 2>/dev/null || /sbin/ldconfig -p) |
	    awk '$NF ~ /^\// { sub(/\/[^\/]*$/, "", $NF); print $NF }' | sort -u); do
		dirs=$dirs:$d
	done
	SB_VM_LIBPATH=/host${dirs//:/:\/host}:/lib
	# A sanitizer build's module needs ASan's runtime loaded first (as
	# tests/test_python.sh does on the host).
	d=$(ldd "$builddir"/python/sockbroker/_sockbroker*.so 2>/dev/null |
	    awk '/libasan/ { print $3 }')
	SB_VM_PYPRELOAD=${d:+/host$d}
}

# The environment the guest's tests get from here, as shell assignments.
guest_env() {
	local v
	for v in SB_VM_TESTS SB_DAEMON_WRAPPER SB_BENCH_SECONDS SB_BENCH_ROUNDS \
	    SB_BENCH_PIN SB_PYTEST_ARGS SB_VM_PYTHON SB_VM_PYTHONPATH \
	    SB_VM_LIBPATH SB_VM_SRCDIR SB_VM_PYPRELOAD; do
		[ -n "${!v:-}" ] || continue
		printf "export %s='%s'\n" "$v" "${!v//\'/\'\\\'\'}"
	done
}

# Builds the initramfs: $1 is the kernel directory.
build_initramfs() {
	local kdir=$1 kver mod dep p lib
	kver=$(basename "$(echo "$kdir"/root/lib/modules/*)")
	root=$work/root
	rm -rf "$root" && mkdir -p "$root"/{bin,dev,proc,sys,tmp,run,etc/sockbroker,tests}
	install -m 0755 /bin/busybox "$root/bin/busybox"
	install -m 0755 "$here/init" "$root/init"
	# The modules and what they depend on, in load order.
	for mod in "${modules[@]}"; do
		dep=$(awk -v m="/$mod.ko:" 'index($1, m) { $1 = substr($1, 1,
		    length($1) - 1); print; exit }' \
		    "$kdir/root/lib/modules/$kver/modules.dep")
		[ -n "$dep" ] || fail "module $mod is not in $kver"
		for p in $dep; do
			[ -e "$root/lib/modules/$kver/$p" ] ||
			    install -D -m 0644 "$kdir/root/lib/modules/$kver/$p" \
			    "$root/lib/modules/$kver/$p"
		done
	done
	cp "$kdir"/root/lib/modules/"$kver"/modules.{dep,alias,builtin,order} \
	    "$root/lib/modules/$kver/"
	printf '%s\n' "${modules[@]}" >"$root/etc/modules"
	# The programs under test, from the build tree, and can-utils.
	(
		export LD_LIBRARY_PATH=$builddir/.libs
		copy_elf "$(real_program sockbrokerd)" /bin/sockbrokerd
		copy_elf "$(real_program sockbroker)" /bin/sockbroker
		for p in "${programs[@]}"; do
			copy_elf "$(real_program "$p")" "/tests/$(basename "$p")"
		done
		for p in "${benches[@]}"; do
			copy_elf "$(real_program "$p")" "/bench/$(basename "$p")"
		done
		for p in "${canutils[@]}"; do
			copy_elf "$(command -v "$p")" "/usr/bin/$p"
		done
		for p in "${utils[@]}"; do
			copy_elf "$p" "$p"
		done
		# sockbroker run's shim, where the CLI (/bin/sockbroker) looks
		# for it in a build tree: preload/.libs/ beside itself.
		copy_elf "$builddir/preload/.libs/libsockbroker-preload.so" \
		    /bin/preload/.libs/libsockbroker-preload.so
		case ${SB_DAEMON_WRAPPER:-} in
		valgrind*) copy_valgrind ;;
		esac
	)
	install -m 0755 "$here"/test_*.sh "$root/tests/"
	install -D -m 0644 "$here/guest-lib.sh" "$root/usr/share/sb-vm/lib.sh"
	install -m 0755 "$here/sb-python" "$root/bin/sb-python"
	for p in "$here"/bench_*.sh; do
		install -D -m 0755 "$p" "$root/bench/$(basename "$p" .sh)"
	done
	install -m 0644 "$top_srcdir/tests/e2e.conf" "$here"/*.conf \
	    "$root/etc/sockbroker/"
	echo "root:x:0:0:root:/:/bin/sh" >"$root/etc/passwd"
	echo "root:x:0:" >"$root/etc/group"
	guest_env >"$root/etc/sb-vm-env"
	(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet |
	    gzip -1) >"$work/initramfs.gz"
}

main() {
	local kdir start rc=0 end

	install_tools
	command -v qemu-system-x86_64 >/dev/null ||
	    skip "qemu-system-x86_64 is not installed and apt-get could not install it"
	# (grep -q would stop reading early: busybox's SIGPIPE, pipefail.)
	[ -x /bin/busybox ] && /bin/busybox --list | grep -x modprobe >/dev/null ||
	    fail "/bin/busybox (busybox-static) is missing"
	for p in "${canutils[@]}" cpio "${utils[@]}"; do
		command -v "$p" >/dev/null ||
		    fail "$p is missing (can-utils, cpio, util-linux)"
	done
	mkdir -p "$cache" "$work"
	exec 9>"$cache/.lock"
	flock 9
	kdir=$(kernel)
	flock -u 9
	python_check
	build_initramfs "$kdir"
	say "booting $(basename "$kdir") ($(du -h "$work/initramfs.gz" | cut -f1) initramfs), timeout ${timeout}s"
	start=$(date +%s)
	rm -f "$work/console.log" "$work/output.log"
	timeout -k 10 "$timeout" qemu-system-x86_64 -machine q35 -accel tcg \
	    -cpu max -smp 2 -m 1536 -nodefaults -display none -no-reboot \
	    -kernel "$kdir/vmlinuz" -initrd "$work/initramfs.gz" \
	    -virtfs local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap \
	    -append "console=ttyS0 panic=-1 quiet loglevel=4" \
	    -serial "file:$work/console.log" -serial "file:$work/output.log" ||
	    rc=$?
	end=$(date +%s)
	cat "$work/output.log" 2>/dev/null || :
	say "guest ran $((end - start)) s"
	if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
		say "the guest hung: killed after ${timeout}s; its console:"
		tail -n 50 "$work/console.log"
		exit 1
	fi
	if ! grep -q '^sb-vm: result ' "$work/output.log"; then
		say "the guest stopped without a result (qemu status $rc); its console:"
		tail -n 50 "$work/console.log"
		exit 1
	fi
	rc=$(sed -n 's/^sb-vm: result \([0-9]*\).*/\1/p' "$work/output.log" | tail -n 1)
	[ "$rc" -eq 0 ] || fail "tests failed in the guest"
	say "all tests passed in the guest"
}

main "$@"
