#!/bin/sh
# t_style.sh - the house style that a machine can check: every C file is as
# clang-format (.clang-format) writes it, and opens with a comment saying
# what it is for (STYLE.md 6).
. "$top_srcdir/tests/lib.sh"
command -v clang-format >/dev/null 2>&1 || skip_all "clang-format not installed"
cd "$top_srcdir" || exit 1
files=$(find src tests bench doc -name '*.[ch]' 2>/dev/null | sort)
[ -n "$files" ] || skip_all "no sources found"
for f in $files; do
	if clang-format --style=file --dry-run --Werror "$f" >/dev/null 2>&1; then
		ok "$f is formatted"
	else
		not_ok "$f is formatted (run: clang-format -i $f)"
	fi
	if head -n 1 "$f" | grep -q '^/\* [^ ].* - '; then
		ok "$f opens with its purpose"
	else
		not_ok "$f opens with its purpose (/* name - what it is for */)"
	fi
done
tap_end
