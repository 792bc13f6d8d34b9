#!/bin/sh
# t_sanitizer_reports.sh - in a build with --enable-sanitizers, runs after
# every other test: each AddressSanitizer, LeakSanitizer or UBSan report the
# suite's programs wrote to tests/sanitizer/ is a failure, shown here.
. "$top_srcdir/tests/lib.sh"
dir="$top_builddir/tests/sanitizer"
n=0
for f in "$dir"/*; do
	[ -f "$f" ] || continue
	n=$((n + 1))
	what=$(grep -m 1 -E 'ERROR: |runtime error' "$f" | sed 's/^==[0-9]*==//')
	not_ok "sanitizer report ${f##*/}: $what"
	head -n 40 "$f" | sed 's/^/# /'
done
[ "$n" -eq 0 ] && ok "no sanitizer report from any program of the suite"
tap_end
