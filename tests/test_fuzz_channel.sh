#!/bin/sh
# SPDX-License-Identifier: ISC
#
# Runs the libFuzzer target tests/fuzz_channel (the data channel's message
# decoder) for a bounded time (SB_FUZZ_SECONDS, default 5), from a few seed
# messages written here. It opens nothing: no namespace is needed. Skipped
# (77) when the target was not built (no clang at configure time).

set -u

seconds=${SB_FUZZ_SECONDS:-5}
fuzzer=${SB_FUZZER_CHANNEL:-tests/fuzz_channel}

if [ ! -x "$fuzzer" ]; then
	echo "SKIP: $fuzzer was not built (configure found no clang with" \
	    "libFuzzer: install clang and libclang-rt-14-dev)"
	exit 77
fi
fuzzer=$(cd "$(dirname "$fuzzer")" && pwd)/$(basename "$fuzzer")
work=$(mktemp -d "$PWD/fuzz-channel.XXXXXX") || exit 99
mkdir "$work/corpus" "$work/artifacts" || exit 99

# Seeds: a SEND with an address and data, a DATA, a FILL, two in a row.
# The header: type, pad, addrlen (2), seq (4), result (4), flags (4),
# datalen (4), ctrllen (4), host order (little-endian here).
printf '\005\000\020\000\001\000\000\000\000\000\000\000\000\000\000\000\004\000\000\000\000\000\000\000\002\000\000\065\177\000\000\001\000\000\000\000\000\000\000\000ping' \
    >"$work/corpus/send"
printf '\001\000\000\000\000\000\000\000\003\000\000\000\000\000\000\000\003\000\000\000\000\000\000\000abc' \
    >"$work/corpus/data"
printf '\006\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000' \
    >"$work/corpus/fill"
cat "$work/corpus/data" "$work/corpus/fill" >"$work/corpus/two"

echo "fuzzing the channel decoder for $seconds s"
(cd "$work" && "$fuzzer" -max_total_time="$seconds" -timeout=10 \
    -rss_limit_mb=1024 -max_len=140000 -print_final_stats=1 \
    -artifact_prefix=artifacts/ corpus) >"$work/fuzz.log" 2>&1 || {
	echo "FAIL: the fuzzer found a failing input (exit status $?)"
	tail -n 40 "$work/fuzz.log"
	ls -l "$work/artifacts"
	exit 1
}
grep -q '^Done [0-9]* runs' "$work/fuzz.log" || {
	echo "FAIL: the fuzzer did not finish its runs"
	tail -n 40 "$work/fuzz.log"
	exit 1
}
grep -E '^Done|^stat::(number_of_executed_units|average_exec_per_sec|new_units_added)' \
    "$work/fuzz.log"
rm -rf "$work"
exit 0
