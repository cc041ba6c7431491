#!/bin/sh
# SPDX-License-Identifier: ISC
#
# The manual pages (man/): every page lints clean with Debian's mandoc
# (-Tlint: nothing at level warning; at level style nothing but references
# to pages this machine does not have installed, which depend on the host),
# and nothing goes undocumented: every command of the CLI's table
# (cli/cli.c) and every option in its usage strings and its getopt string
# is in sockbroker(1); every long and short option of the daemon
# (daemon/sockbrokerd.c) in sockbrokerd(8); every function of
# client/sockbroker.h, and every symbol the built library exports under
# client/libsockbroker.map's patterns, is a .Nm of a section 3 page, each
# such name either a page of its own or a link in Makefile.am's man_links,
# and every page is in dist_man_MANS. A later addition fails here until it
# is documented. $srcdir is the source tree (make check sets it).

set -u
top=${srcdir:-$(dirname "$0")/..}
man=$top/man
failed=0
part=0

fail() {
	echo "FAIL: $*"
	failed=1
	part=1
}

# pass WHAT: says PASS for a part that had no failure, and starts the next.
pass() {
	[ "$part" -eq 0 ] && echo "PASS: $*"
	part=0
}

if ! command -v mandoc >/dev/null 2>&1; then
	echo "mandoc is not installed (Debian: apt-get install mandoc); skipped"
	exit 77
fi

# Lint: -W warning must be silent; -W style may only miss other pages.
for page in "$man"/*.[0-9]; do
	if ! out=$(mandoc -Tlint -W warning "$page" 2>&1) || [ -n "$out" ]; then
		fail "mandoc -Tlint -W warning $page: $out"
		continue
	fi
	out=$(mandoc -Tlint -W style "$page" 2>&1 |
	    grep -v -e 'STYLE: referenced manual not found' \
	    -e 'outdated mandoc.db')
	[ -z "$out" ] || fail "mandoc -Tlint -W style $page: $out"
done
pass "lint"

# documented PAGE FLAG [It]: whether PAGE has FLAG (a letter, or --long)
# after an Fl macro, alone or in a run of letters (Fl 46q) or a list (Fl 4
# | 6); with It, only on the .It line of a list (the entry saying what it
# does, not the synopsis).
documented() {
	awk -v want="$2" -v it="${3:-}" '
	it != "" && $1 != ".It" { next }
	{
		for (i = 1; i <= NF; i++) {
			if ($i != "Fl")
				continue
			for (j = i + 1; j <= NF && $j !~ /^[A-Z][a-z]$/; j++) {
				w = $j
				gsub(/\\-/, "-", w)
				gsub(/\\&/, "", w)
				if (w == want || "-" w == want)
					found = 1
				if (length(want) == 1 && w ~ /^[A-Za-z0-9]+$/ &&
				    index(w, want) > 0)
					found = 1
			}
		}
	}
	END { exit !found }' "$1"
}

# The CLI: commands from the table, options from the usage strings.
cli=$top/cli/cli.c
page=$man/sockbroker.1
table=$(sed -n '/^static const struct cli_cmd cli_cmds\[\] = {/,/^};/p' "$cli")
[ -n "$table" ] || fail "no command table in $cli"
for cmd in $(printf '%s\n' "$table" | grep -o '{ "[a-z-]*",' | cut -d'"' -f2); do
	grep -Eq "^\\.(It )?Cm $cmd( |\$)" "$page" ||
	    fail "sockbroker $cmd is not documented in sockbroker.1"
done
for flag in $(printf '%s\n' "$table" | grep -oE -- '(^|[[ |])-[-a-zA-Z0-9]*' |
    sed 's/^[[ |]*-//' | sort -u); do
	case $flag in
	-) continue ;;		# the -- before PROGRAM
	-*) documented "$page" "$flag" ;;
	*) for l in $(printf '%s\n' "$flag" | sed 's/./& /g'); do
		documented "$page" "$l" ||
		    fail "sockbroker option -$l is not documented in sockbroker.1"
	done; continue ;;
	esac || fail "sockbroker option -$flag is not documented in sockbroker.1"
done
global=$(sed -n 's/.*getopt_long(argc, argv, "+\([a-zA-Z:]*\)".*/\1/p' "$cli" |
    tr -d ':')
[ -n "$global" ] || fail "no getopt string in $cli"
for l in $(printf '%s\n' "$global" | sed 's/./& /g'); do
	documented "$page" "$l" ||
	    fail "sockbroker's global -$l is not documented in sockbroker.1"
done
pass "sockbroker(1) has every command and option"

# The daemon: its long options and its getopt string.
d=$top/daemon/sockbrokerd.c
page=$man/sockbrokerd.8
longs=$(sed -n 's/^[[:space:]]*{ "\([a-z-]*\)", [a-z_]*_argument,.*/\1/p' "$d")
[ -n "$longs" ] || fail "no long options in $d"
for o in $longs; do
	documented "$page" "--$o" It ||
	    fail "sockbrokerd --$o is not documented in sockbrokerd.8"
done
short=$(sed -n 's/.*getopt_long(argc, argv, "\([a-zA-Z:]*\)".*/\1/p' "$d" |
    tr -d ':')
[ -n "$short" ] || fail "no getopt string in $d"
for l in $(printf '%s\n' "$short" | sed 's/./& /g'); do
	documented "$page" "$l" It ||
	    fail "sockbrokerd -$l is not documented in sockbrokerd.8"
done
pass "sockbrokerd(8) has every option"

# The library: the header's functions and the built library's exports.
names=$(awk 'NF >= 2 && $1 == ".Nm" { print $2 }' "$man"/*.3 | sort -u)
funcs=$(grep -o '\bsb_[a-z_0-9]*(' "$top/client/sockbroker.h" | tr -d '(' |
    sort -u)
[ -n "$funcs" ] || fail "no functions in client/sockbroker.h"
lib=
for f in .libs/libsockbroker.so ../.libs/libsockbroker.so; do
	[ -f "$f" ] && { lib=$f; break; }
done
exports=
if [ -n "$lib" ]; then
	patterns=$(sed -n 's/^[[:space:]]*\([a-z_*]*\);$/\1/p' \
	    "$top/client/libsockbroker.map" | grep -v '^\*$')
	for sym in $(nm -D --defined-only "$lib" | awk '{ print $3 }' |
	    sed 's/@.*//' | sort -u); do
		for p in $patterns; do
			# shellcheck disable=SC2254 # p is a glob on purpose
			case $sym in $p) exports="$exports $sym" ;; esac
		done
	done
	[ -n "$exports" ] || fail "$lib exports nothing under the map"
else
	echo "no built libsockbroker.so here: checking the header only"
fi
for fn in $funcs $exports; do
	printf '%s\n' "$names" | grep -qx "$fn" ||
	    fail "$fn is not the .Nm of any section 3 page"
done
pass "every function has a page"

# Each .Nm is its page or a link made and installed by Makefile.am.
am=$top/Makefile.am
links=$(sed -n '/^man_links = /,/^[^	]/p' "$am" | grep -o 'man/[a-z_0-9]*\.3')
for page in "$man"/*.[0-9]; do
	base=man/$(basename "$page")
	grep -q "$base" "$am" || fail "$base is not in Makefile.am"
	case $page in *.3) ;; *) continue ;; esac
	for n in $(awk 'NF >= 2 && $1 == ".Nm" { print $2 }' "$page"); do
		[ "man/$n.3" = "$base" ] && continue
		printf '%s\n' "$links" | grep -qx "man/$n.3" ||
		    fail "$n (in $base) is not in man_links in Makefile.am"
	done
done
for l in $links; do
	printf '%s\n' "$names" | grep -qx "$(basename "$l" .3)" ||
	    fail "$l in man_links is no page's .Nm"
done
pass "every name is installed"
exit $failed
