#!/bin/sh
# SPDX-License-Identifier: ISC
#
# /bench/bench_python_can in the VM guest (SB_VM_TESTS=bench, make
# bench-vm): tests/bench/bench_python_can.py, the Python CAN rows, run by
# the host's Python (sb-python) from the source tree on the host's root.

: "${SB_VM_SRCDIR:?}"
exec sb-python "$SB_VM_SRCDIR/tests/bench/bench_python_can.py"
