#!/bin/sh
# t_daemon_headers.sh - what pocdird and the CLI see of the library: every
# src/lib header a src/pocdird file includes is one of the set README.md
# ("What pocdird sees of the library") names, the CLI includes pocdir.h
# alone, and no daemon header shares a name with a library one.
. "$top_srcdir/tests/lib.sh"
cd "$top_srcdir" || exit 1

# The set, and why each is in it, is in README.md; keep the two together.
DAEMON_SET="pocdir.h source.h store.h entry.h attr.h dn.h filter.h search.h sync.h feed.h conf.h util.h"
CLI_SET="pocdir.h"

in_set() { # NAME SET...: is NAME one of SET?
	_n=$1
	shift
	for _s in $*; do [ "$_s" = "$_n" ] && return 0; done
	return 1
}

# check_includes DIR SET: every include of a DIR file that names a src/lib
# header names one in SET; a header found nowhere is an error too.
check_includes() {
	_dir=$1
	_set=$2
	for f in "$_dir"/*.c "$_dir"/*.h; do
		[ -f "$f" ] || continue
		bad=
		for h in $(sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*["<]\([^">]*\)[">].*/\1/p' "$f"); do
			case $h in
			config.h) continue ;; # the build's configuration header
			esac
			if [ -f "$_dir/$h" ]; then
				continue # the component's own header
			fi
			if [ -f "src/lib/$h" ]; then
				in_set "$h" $_set || bad="$bad $h"
			fi
		done
		if [ -z "$bad" ]; then
			ok "$f includes only the library headers it may"
		else
			not_ok "$f includes library headers outside its set:$bad"
		fi
	done
}

# The set names headers that exist: a renamed one must be renamed here.
missing=
for h in $DAEMON_SET; do [ -f "src/lib/$h" ] || missing="$missing $h"; done
check "every header of the daemon's set exists in src/lib" [ -z "$missing" ]

check_includes src/pocdird "$DAEMON_SET"
check_includes src/pocdir "$CLI_SET"

# A daemon header named like a library one makes `#include "x.h"` mean one
# thing in src/pocdird and another in src/lib.
for f in src/pocdird/*.h; do
	n=$(basename "$f")
	if [ -f "src/lib/$n" ]; then
		not_ok "$f has a name of its own (src/lib/$n exists too)"
	else
		ok "$f has a name of its own"
	fi
done
tap_end
