#!/bin/sh
# t_fuzz_replay.sh - run every fuzz harness once on each input of its seed
# corpus (tests/fuzz/corpus/NAME) and of its past crashes
# (tests/fuzz/regress/NAME): a crash, a sanitizer report or a broken
# invariant fails the harness's test point.
. "$top_srcdir/tests/lib.sh"
tmp=$(scratch)
trap 'rm -rf "$tmp"' EXIT
for h in $FUZZ_HARNESSES; do
	name=${h##*/}
	name=${name#fuzz_}
	set --
	for d in corpus regress; do
		[ -d "$top_srcdir/tests/fuzz/$d/$name" ] && set -- "$@" "$top_srcdir/tests/fuzz/$d/$name"
	done
	if [ $# -eq 0 ]; then
		not_ok "$name: no corpus in tests/fuzz/corpus/$name"
		continue
	fi
	# -runs=0: with libFuzzer, replay only; replay.c ignores options.
	if "$top_builddir/$h" -runs=0 "$@" >"$tmp/$name.out" 2>"$tmp/$name.err"; then
		n=$(find "$@" -type f | wc -l)
		ok "$name: $n inputs replayed without a crash"
	else
		not_ok "$name: crashed (last input and report below)"
		grep 'replay: ' "$tmp/$name.err" | tail -n 1 | sed 's/^/# /'
		grep -v 'replay: ' "$tmp/$name.err" | tail -n 30 | sed 's/^/# /'
	fi
done
tap_end
