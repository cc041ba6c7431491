#!/bin/sh
# SPDX-License-Identifier: ISC
#
# The Python binding (python/) against a real daemon: tests/python/ under
# pytest, with sockbroker imported from the build tree. $SB_PYTHON is the
# interpreter and $SB_PYTHONPATH the build tree's python/ (make check sets
# both when the binding is built; without it the test is skipped).
# $SB_PYTEST_ARGS, if set, is passed on to pytest (-k NAME, -x, ...).

lib_name=py
. "$(dirname "$0")/lib.sh"
lib_need_programs
if [ -z "${SB_PYTHON:-}" ] ||
    [ ! -f "${SB_PYTHONPATH:-/nonexistent}/sockbroker/__init__.py" ]; then
	echo "the Python binding was not built; skipped"
	exit 77
fi
"$SB_PYTHON" -c 'import pytest' 2>/dev/null ||
    fail "no pytest for $SB_PYTHON (Debian: apt-get install python3-pytest)"

# A sanitizer build's module needs ASan's runtime loaded before anything
# else in the interpreter (and the interpreter's own memory at exit is no
# leak of ours); the daemon started here keeps its leak check.
py_env=
for so in "$SB_PYTHONPATH"/sockbroker/_sockbroker*.so; do
	preload=$(ldd "$so" 2>/dev/null | awk '/libasan/ { print $3 }')
	[ -n "$preload" ] && py_env="LD_PRELOAD=$preload
ASAN_OPTIONS=detect_leaks=0${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
done

daemon_start --no-privdrop --policy "$SB_POLICY"
# shellcheck disable=SC2086 # py_env and SB_PYTEST_ARGS are lists of words
SOCKBROKER_SOCKET=$sock PYTHONPATH=$SB_PYTHONPATH \
    PYTHONDONTWRITEBYTECODE=1 env $py_env timeout 1200 \
    "$SB_PYTHON" -m pytest -p no:cacheprovider -o faulthandler_timeout=120 -q -rs \
    ${SB_PYTEST_ARGS:-} "$(dirname "$0")/python" ||
    fail "pytest failed"
daemon_stop
echo "PASS: the Python binding's tests"
