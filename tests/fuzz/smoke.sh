#!/bin/sh
# smoke.sh - make fuzz-smoke: fuzz every harness for FUZZ_SMOKE_TIME seconds
# (libFuzzer, --enable-fuzzing build) starting from its checked-in corpus,
# one TAP point each. New inputs go to a scratch copy; a crash leaves its
# input in tests/fuzz/crash-NAME-* of the build tree, to add to
# tests/fuzz/regress/NAME once fixed.
. "$top_srcdir/tests/lib.sh"
: "${FUZZ_SMOKE_TIME:=10}"
tmp=$(scratch)
trap 'rm -rf "$tmp"' EXIT
for h in $FUZZ_HARNESSES; do
	name=${h##*/}
	name=${name#fuzz_}
	mkdir -p "$tmp/$name"
	set -- "$tmp/$name"
	for d in corpus regress; do
		[ -d "$top_srcdir/tests/fuzz/$d/$name" ] && set -- "$@" "$top_srcdir/tests/fuzz/$d/$name"
	done
	dict=
	[ -f "$top_srcdir/tests/fuzz/dict/$name.dict" ] && dict="-dict=$top_srcdir/tests/fuzz/dict/$name.dict"
	# shellcheck disable=SC2086
	"$top_builddir/$h" -max_total_time="$FUZZ_SMOKE_TIME" -timeout=10 -rss_limit_mb=1024 \
		-max_len=65536 -print_final_stats=1 $dict \
		-artifact_prefix="$top_builddir/tests/fuzz/crash-$name-" "$@" \
		>"$tmp/$name.out" 2>"$tmp/$name.err"
	rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$tmp/$name.err")
	if [ $rc -eq 0 ]; then
		ok "$name: ${runs:-?} executions in ${FUZZ_SMOKE_TIME}s, no crash"
	else
		not_ok "$name: crashed after ${runs:-?} executions (see tests/fuzz/crash-$name-*)"
		grep -E 'ERROR|SUMMARY|invariant|#[0-9]+ ' "$tmp/$name.err" | head -n 40 | sed 's/^/# /'
	fi
done
tap_end
