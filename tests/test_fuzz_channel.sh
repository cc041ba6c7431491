#!/bin/sh
# SPDX-License-Identifier: ISC
#
# Runs the libFuzzer target tests/fuzz_channel (the data channel's message
# decoder, proto/channel.c) as tests/test_fuzz.sh runs tests/fuzz_request,
# for 5 s unless SB_FUZZ_SECONDS says otherwise, from seed messages written
# here: a SEND with an address and data, a DATA, a FILL, two in a row. The
# header: type, pad, addrlen (2 bytes), seq, result, flags, datalen,
# ctrllen (4 bytes each), in host order (little-endian here).

set -u

srcdir=${srcdir:-.}
seeds=$(mktemp -d "$PWD/fuzz-channel-seeds.XXXXXX") || exit 99
trap 'rm -rf "$seeds"' EXIT
printf '\005\000\020\000\001\000\000\000\000\000\000\000\000\000\000\000\004\000\000\000\000\000\000\000\002\000\000\065\177\000\000\001\000\000\000\000\000\000\000\000ping' \
    >"$seeds/send"
printf '\001\000\000\000\000\000\000\000\003\000\000\000\000\000\000\000\003\000\000\000\000\000\000\000abc' \
    >"$seeds/data"
printf '\006\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000' \
    >"$seeds/fill"
cat "$seeds/data" "$seeds/fill" >"$seeds/two"
SB_FUZZER=${SB_FUZZER_CHANNEL:-tests/fuzz_channel} SB_FUZZ_SEEDS=$seeds \
    SB_FUZZ_CRASHERS=/nonexistent SB_FUZZ_SECONDS=${SB_FUZZ_SECONDS:-5} \
    srcdir=$srcdir ${SHELL:-/bin/sh} "$srcdir/tests/test_fuzz.sh"
