#!/bin/sh
# SPDX-License-Identifier: ISC
#
# Runs the libFuzzer target tests/fuzz_request over the seed corpus for a
# bounded time (SB_FUZZ_SECONDS, default 10; make fuzz-run sets 600), and
# replays every saved crasher in tests/fuzz/crashers once. The target
# opens real sockets, so it runs in a new, empty network namespace
# (unshare -rn, or unshare -n as root where user namespaces are off); the
# target itself refuses to run anywhere else. Skipped (77) when the target
# was not built (no clang at configure time) or no namespace can be made.

set -u

srcdir=${srcdir:-.}
seconds=${SB_FUZZ_SECONDS:-10}
fuzzer=${SB_FUZZER:-tests/fuzz_request}

if [ ! -x "$fuzzer" ]; then
	echo "SKIP: $fuzzer was not built (configure found no clang with" \
	    "libFuzzer: install clang and libclang-rt-14-dev)"
	exit 77
fi
if unshare -rn true 2>/dev/null; then
	ns="unshare -rn"
elif unshare -n true 2>/dev/null; then
	ns="unshare -n"
else
	echo "SKIP: cannot make a network namespace (unshare -rn and" \
	    "unshare -n both fail): the fuzz target must not run outside one"
	exit 77
fi
fuzzer=$(cd "$(dirname "$fuzzer")" && pwd)/$(basename "$fuzzer")
# Another target (tests/test_fuzz_channel.sh) brings its own seeds.
seeds=$(cd "${SB_FUZZ_SEEDS:-$srcdir/tests/fuzz/corpus}" && pwd) || exit 99
crashers=${SB_FUZZ_CRASHERS:-$(cd "$srcdir/tests/fuzz" && pwd)/crashers}

# The working directory is also where stray AF_UNIX sockets land: a
# scratch directory in the build tree, removed unless the run failed.
work=$(mktemp -d "$PWD/fuzz-work.XXXXXX") || exit 99
mkdir "$work/corpus" "$work/artifacts" || exit 99
cp "$seeds"/* "$work/corpus/" || exit 99

fail() {
	echo "FAIL: $*"
	echo "---- last lines of $work/fuzz.log"
	tail -n 60 "$work/fuzz.log"
	echo "---- artifacts (inputs that failed) in $work/artifacts:"
	ls -l "$work/artifacts"
	exit 1
}

if [ -d "$crashers" ] && [ -n "$(ls "$crashers" 2>/dev/null)" ]; then
	echo "replaying the saved crashers in $crashers"
	(cd "$work" && $ns "$fuzzer" -artifact_prefix=artifacts/ \
	    "$crashers"/*) >"$work/fuzz.log" 2>&1 ||
		fail "a saved crasher still fails"
fi

echo "fuzzing for $seconds s in $ns, seeds from $seeds"
(cd "$work" && $ns "$fuzzer" -max_total_time="$seconds" -timeout=10 \
    -runs=$((seconds * 100000)) \
    -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 \
    -artifact_prefix=artifacts/ corpus) >"$work/fuzz.log" 2>&1 ||
	fail "the fuzzer found a failing input (exit status $?)"

grep -q '^Done [0-9]* runs' "$work/fuzz.log" ||
	fail "the fuzzer did not finish its runs"
grep -E '^(INFO: seed corpus|#[0-9]+[[:space:]]+(INITED|DONE))|^Done|^stat::(number_of_executed_units|average_exec_per_sec|new_units_added|peak_rss_mb)' \
    "$work/fuzz.log"
rm -rf "$work"
exit 0
