#!/bin/sh
# t_valgrind.sh - the C unit tests and the fuzz harnesses' corpus replays,
# once each under valgrind's memcheck: an invalid read or write, a use of an
# uninitialised value or a definite leak fails the program's test point
# (the sanitizer build checks the rest of the suite).
. "$top_srcdir/tests/lib.sh"
command -v valgrind >/dev/null 2>&1 || skip_all "valgrind not installed"
tmp=$(scratch)
trap 'rm -rf "$tmp"' EXIT
for p in $MEMCHECK_LIST; do
	name=${p##*/}
	set --
	case $name in
	fuzz_*)
		for d in corpus regress; do
			[ -d "$top_srcdir/tests/fuzz/$d/${name#fuzz_}" ] &&
				set -- "$@" "$top_srcdir/tests/fuzz/$d/${name#fuzz_}"
		done
		;;
	esac
	"$top_builddir/libtool" --mode=execute valgrind -q --error-exitcode=99 \
		--leak-check=full --errors-for-leak-kinds=definite --track-origins=yes \
		"$top_builddir/$p" "$@" >"$tmp/$name.out" 2>"$tmp/$name.err"
	rc=$?
	if [ $rc -eq 99 ]; then
		not_ok "$p under valgrind: memory errors"
		grep '^==' "$tmp/$name.err" | head -n 40 | sed 's/^/# /'
	elif [ $rc -ne 0 ]; then
		not_ok "$p under valgrind: exit status $rc"
		tail -n 20 "$tmp/$name.err" | sed 's/^/# /'
	else
		ok "$p under valgrind: no memory errors"
	fi
done
tap_end
