#!/bin/sh
# tests/summary.sh - sum the TAP results of the whole suite (the .log files
# and .trs files the driver wrote) into one closing line: "N passed, N failed, N skipped".
# With arguments, over the build folders named (./quickstart check passes
# "." and its sanitizer and fuzzing builds); without, over this tree's.
# In CI (CI=true) a skipped test is a failure: CI installs everything.
cd "$(dirname "$0")/.."
[ $# -gt 0 ] || set -- .
passed=0 failed=0 skipped=0
for trs in $(for dir in "$@"; do find "$dir" -name '*.trs' -path "$dir/tests/*"; done | sort); do
	log=${trs%.trs}.log
	p=$(grep -c -E '^:test-result: (PASS|XFAIL)' "$trs" || true)
	f=$(grep -c -E '^:test-result: (FAIL|ERROR|XPASS)' "$trs" || true)
	s=$(grep -c '^:test-result: SKIP' "$trs" || true)
	passed=$((passed + p))
	failed=$((failed + f))
	skipped=$((skipped + s))
	if [ "$s" -gt 0 ]; then
		grep '^SKIP:' "$log" | sed "s|^|  $log: |" >&2
	fi
	if [ "$f" -gt 0 ]; then
		grep -E '^(FAIL|ERROR|XPASS):' "$log" | sed "s|^|  $log: |" >&2
	fi
done
if [ "$skipped" -gt 0 ]; then
	echo "$passed passed, $failed failed, $skipped skipped"
else
	echo "$passed passed, $failed failed"
fi
if [ "${CI:-}" = true ] && [ "$skipped" -gt 0 ]; then
	echo "tests/summary.sh: $skipped skipped in CI, where nothing may be skipped" >&2
	exit 1
fi
[ "$failed" -eq 0 ] && [ $((passed + failed)) -gt 0 ]
