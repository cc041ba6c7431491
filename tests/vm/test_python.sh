#!/bin/sh
# SPDX-License-Identifier: ISC
#
# The Python binding on the guest's kernel (busybox sh): tests/vm/python/
# under pytest, run by the host's interpreter from the host's root
# (sb-python: /host, read-only over 9p) with the build tree's binding,
# against the guest's daemon (under SB_DAEMON_WRAPPER, if set). Fails if
# any of that is missing: the harness checked it. $SB_PYTEST_ARGS, if
# set, goes to pytest (-x, -k 'NAME or NAME', ...).

set -u

: "${SB_DAEMON:?}" "${SB_POLICY:?}" "${SB_VM_SRCDIR:?}"
dir=/tmp/test_python
rm -rf "$dir" && mkdir -p "$dir" || exit 1
sock=$dir/sb.sock

# shellcheck disable=SC2086 # the wrapper is a list of words
${SB_DAEMON_WRAPPER:-} "$SB_DAEMON" --listen "$sock" --foreground \
    --no-privdrop --policy "$SB_POLICY" >"$dir/daemon.log" 2>&1 &
daemon=$!
tries=600
until [ -S "$sock" ]; do
	tries=$((tries - 1))
	if [ "$tries" -eq 0 ] || ! kill -0 "$daemon" 2>/dev/null; then
		echo "FAIL: sockbrokerd did not come up on $sock"
		cat "$dir/daemon.log"
		exit 1
	fi
	sleep 0.1
done

rc=0
eval "set -- ${SB_PYTEST_ARGS:-}"	# words, as a shell quotes them
SOCKBROKER_SOCKET=$sock SB_VM_HANGLOG=$dir/hang.log sb-python -m pytest \
    -p no:cacheprovider -p no:faulthandler --color=no -q -rs --durations=5 "$@" \
    "$SB_VM_SRCDIR/tests/vm/python" || rc=1
if [ -s "$dir/hang.log" ]; then
	echo "FAIL: a test hung; its threads:"
	cat "$dir/hang.log"
fi

kill -TERM "$daemon"
wait "$daemon"
status=$?
if [ "$status" -ne 0 ]; then
	echo "FAIL: sockbrokerd exited $status"
	rc=1
fi
if [ "$rc" -ne 0 ]; then
	echo "---- the daemon's log"
	tail -n 50 "$dir/daemon.log"
fi
exit "$rc"
