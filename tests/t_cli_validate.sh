#!/bin/sh
# t_cli_validate.sh - pocdir validate's messages as an operator reads them:
# in line order, each mistake once (no follow-on errors), at the column of
# the value, with the key meant ("tz": timezone, "telephone": phone), a
# country code given as a language refused, duplicate ids found in entries
# with other errors, entries checked under a wrong top, files counted, a
# missing path said once.
# The whole output is compared with tests/cli/golden/validate-mistakes.txt
# (regenerate with POCDIR_REGEN_GOLDEN=1, then review the diff).
. "$top_srcdir/tests/lib.sh"
T=$(scratch)
trap 'rm -rf "$T"' EXIT
unset POCDIR_STATE
[ -x "$POCDIR" ] || skip_all "pocdir not built"
GOLDEN="$top_srcdir/tests/cli/golden/validate-mistakes.txt"

cd "$top_srcdir/tests/cli/mistakes" || exit 1
"$POCDIR" validate origins >"$T/out" 2>"$T/err"
rc=$?
check "validate of a directory with mistakes exits 2" test "$rc" -eq 2
if [ -n "${POCDIR_REGEN_GOLDEN:-}" ]; then
	cp "$T/out" "$GOLDEN"
	ok "validate-mistakes.txt # regenerated"
elif cmp -s "$T/out" "$GOLDEN"; then
	ok "validate's messages match the golden file"
else
	not_ok "validate's messages differ from the golden file"
	diff -u "$GOLDEN" "$T/out" | sed 's/^/# /'
fi
# The same facts, each as its own test point.
has() { if grep -qF -- "$1" "$T/out"; then ok "$2"; else not_ok "$2: lacks $1"; fi; }
has 'did you mean "timezone"?' '"tz" suggests timezone'
has 'did you mean "phone"?' '"telephone" suggests phone'
has '"jp" is a country code' 'languages: [jp] is refused'
has 'Japanese is "ja"' '... and says ja'
has 'xx.yaml:17:9: id "one" is used twice' 'a duplicate id is reported at its value, in an invalid entry too'
has 'did you mean technical?' 'an unknown role suggests the role meant'
has '11 errors in 3 files' 'errors in three files are counted as three files'
has 'xx.yaml:13:32: phone: "+82 2 0000 0001" is given twice' 'a phone given twice is said in an entry with other mistakes'
has 'yy.yaml:13:32: phone: "+82-2-0000-0100" is given twice' '... compared as telephone numbers are'
has 'zz.yaml:9:13: phone' "an error at the top of a file does not hide its entries' errors"
lines=$(grep -c ':[0-9]*:[0-9]*: ' "$T/out")

grep ':[0-9]*:[0-9]*: ' "$T/out" >"$T/out.lines"
sort -t: -k1,1 -k2,2n -k3,3n "$T/out.lines" >"$T/out.sorted"
check "messages come in file and line order ($lines of them)" cmp -s "$T/out.lines" "$T/out.sorted"
if grep -q 'no way to reach it\|has no "roles"' "$T/out"; then
	not_ok "a bad value is reported once, without a follow-on 'missing' error"
else
	ok "a bad value is reported once, without a follow-on 'missing' error"
fi

"$POCDIR" validate "$T/nowhere" >"$T/out" 2>"$T/err"
n=$(cat "$T/out" "$T/err" | grep -c "nowhere")
check "a missing path is said once (exit 2)" test "$n" -eq 1
tap_end
