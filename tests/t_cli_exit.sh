#!/bin/sh
# t_cli_exit.sh - pocdir's exit statuses (0 found, 1 nothing, 2 bad usage or
# input) and its error messages, over the test directory tests/cli/data.
. "$top_srcdir/tests/lib.sh"
DATA="$top_srcdir/tests/cli/data"
export POCDIR_DIRECTORY="$DATA" POCDIR_NOW=1795397400
unset NO_COLOR COLUMNS
T=$(scratch)
trap 'rm -rf "$T"' EXIT

# run CMD...: status in $rc, output in $T/out and $T/err.
run() { "$@" >"$T/out" 2>"$T/err"; rc=$?; }
# expect DESCRIPTION STATUS CMD...: one test point for the exit status.
expect() {
	d=$1 want=$2
	shift 2
	run "$@"
	if [ "$rc" -eq "$want" ]; then ok "$d (exit $want)"; else
		not_ok "$d: exit $rc, expected $want"
		sed 's/^/# /' "$T/err"
	fi
}
# stderr_has TEXT / stdout_has TEXT: one test point on the last run's output.
stderr_has() {
	if grep -qF -- "$1" "$T/err"; then ok "stderr says: $1"; else
		not_ok "stderr lacks: $1"
		sed 's/^/# /' "$T/err"
	fi
}
stdout_has() {
	if grep -qF -- "$1" "$T/out"; then ok "stdout says: $1"; else
		not_ok "stdout lacks: $1"
		sed 's/^/# /' "$T/out"
	fi
}

[ -x "$POCDIR" ] || skip_all "pocdir not built"

# Found.
expect "lookup by country" 0 "$POCDIR" lookup --country kr
stdout_has "KrCERT/CC"
expect "lookup by agency substring, any case" 0 "$POCDIR" lookup --agency "AGENCE nationale"
expect "lookup by role and country" 0 "$POCDIR" lookup --role 24x7 --country KR
expect "lookup by id" 0 "$POCDIR" lookup --id night-desk
expect "search" 0 "$POCDIR" search '(&(c=KR)(role=technical))'
expect "show CC/ID" 0 "$POCDIR" show KR/krcert
expect "show ID" 0 "$POCDIR" show anssi
expect "show DN" 0 "$POCDIR" show uid=anssi,c=FR,dc=pocdir
expect "export" 0 "$POCDIR" export
expect "common options after the command" 0 "$POCDIR" lookup --country KR --format json -d "$DATA"
expect "common options before the command" 0 "$POCDIR" --format json -d "$DATA" lookup --country KR
expect "--directory=PATH form" 0 "$POCDIR" --directory="$DATA" show krcert
expect "--base" 0 "$POCDIR" --base o=test show uid=krcert,c=KR,o=test

# Nothing found.
expect "lookup with no match" 1 "$POCDIR" lookup --country FR --role policy
stderr_has "pocdir: no contact found"
expect "search with no match" 1 "$POCDIR" search '(cn=nobody*)'
expect "no match as JSON" 1 "$POCDIR" lookup --country JP --format json
if [ "$(cat "$T/out")" = "[]" ]; then ok "empty JSON answer is []"; else not_ok "empty JSON answer: $(cat "$T/out")"; fi
expect "show an unknown id" 1 "$POCDIR" show KR/nobody
stderr_has "pocdir: "

# Bad usage.
expect "no command" 2 "$POCDIR"
stderr_has "usage: pocdir"
expect "unknown command" 2 "$POCDIR" frobnicate
stderr_has "pocdir: unknown command 'frobnicate'"
expect "unknown long option" 2 "$POCDIR" lookup --bogus
stderr_has "pocdir: unknown option '--bogus'"
expect "unknown short option" 2 "$POCDIR" -x lookup
stderr_has "pocdir: unknown option '-x'"
expect "option without its value" 2 "$POCDIR" lookup --country
stderr_has "pocdir: option '--country' needs a value"
expect "value for a flag" 2 "$POCDIR" lookup --no-color=yes
stderr_has "takes no value"
expect "unknown format" 2 "$POCDIR" lookup --format xml
stderr_has "pocdir: unknown format 'xml'"
expect "lookup with an operand" 2 "$POCDIR" lookup KR
expect "search without a filter" 2 "$POCDIR" search
stderr_has "a filter is needed"
expect "search with two filters" 2 "$POCDIR" search '(c=KR)' '(c=FR)'
expect "bad filter" 2 "$POCDIR" search '(c=KR'
stderr_has 'pocdir: bad filter "(c=KR"'
if [ "$(wc -l <"$T/out")" -eq 0 ]; then ok "bad filter prints nothing on stdout"; else not_ok "bad filter printed on stdout"; fi
expect "filter without parentheses is not a filter" 2 "$POCDIR" search '&&&'
expect "show without a key" 2 "$POCDIR" show
expect "empty --attrs" 2 "$POCDIR" search '(c=KR)' --attrs ,
expect "bad POCDIR_NOW" 2 env POCDIR_NOW=yesterday "$POCDIR" lookup
stderr_has "POCDIR_NOW"

# Help and version exit 0 and write to stdout.
expect "--help" 0 "$POCDIR" --help
stdout_has "lookup"
expect "command --help" 0 "$POCDIR" lookup --help
stdout_has "--country"
expect "help COMMAND" 0 "$POCDIR" help search
stdout_has "--attrs"
expect "--version" 0 "$POCDIR" --version
stdout_has "pocdir 0.1.0"

# An answer that cannot be written is a failure, not a success.
if [ -w /dev/full ]; then
	for cmd in "lookup" "export" "validate" "--help"; do
		# shellcheck disable=SC2086
		"$POCDIR" $cmd >/dev/full 2>"$T/err"
		rc=$?
		if [ "$rc" -eq 2 ] && grep -q "No space left" "$T/err"; then ok "$cmd to a full disk (exit 2)"; else
			not_ok "$cmd to a full disk: exit $rc"
			sed 's/^/# /' "$T/err"
		fi
	done
fi

# Bad input: a missing directory, an invalid file.
expect "missing directory" 2 "$POCDIR" -d "$T/nowhere" lookup
stderr_has "$T/nowhere"
expect "validate a missing directory" 2 "$POCDIR" validate "$T/nowhere"
stderr_has "pocdir: "

mkdir -p "$T/bad/origins"
cat >"$T/bad/origins/xx.yaml" <<'YAML'
origin: kr
scope: [KR]
serial: 1
entries:
  - id: one
    country: KR
    agency: Test
    roles: [technical]
    email: [desk@test.kr.example]
    phone: ["+82 2"]
    emial: [a@b.example]
YAML
expect "validate an invalid directory" 2 "$POCDIR" validate "$T/bad"
stdout_has "$T/bad/origins/xx.yaml:10:13: phone"
stdout_has "$T/bad/origins/xx.yaml:11:5: unknown key \"emial\""
stdout_has "2 errors in 1 file"
expect "lookup in an invalid directory" 2 "$POCDIR" -d "$T/bad" lookup
stderr_has "pocdir: $T/bad/origins/xx.yaml:10:13:"
stderr_has "(and 1 more problem: run"

printf 'origin: kr\nscope: [KR\nserial: 1\n' >"$T/bad/origins/xx.yaml"
expect "YAML syntax error" 2 "$POCDIR" validate "$T/bad/origins/xx.yaml"
if grep -qE '^[^:]+/xx\.yaml:[0-9]+:[0-9]+: ' "$T/out"; then ok "syntax error has file:line:col"; else
	not_ok "syntax error lacks file:line:col"
	sed 's/^/# /' "$T/out"
fi

expect "validate the test directory" 0 "$POCDIR" validate
stdout_has "$DATA is valid: 3 origins, 4 entries"
expect "validate one good file and one bad" 2 "$POCDIR" validate "$DATA/origins/kr.yaml" "$T/bad/origins/xx.yaml"
stdout_has "kr.yaml is valid: 1 origin, 2 entries"

# Warnings on the day of POCDIR_NOW (2026-11-23): valid-until past, a PGP key
# expired and one expiring within 30 days, verified more than 180 days ago.
mkdir -p "$T/warn/origins"
sed -e 's/expires: 2027-06-30/expires: 2026-12-20/' -e 's/valid-until: 2027-12-31/valid-until: 2026-11-22/' \
	-e '0,/verified: 2026-11-01/s//verified: 2026-05-25/' "$DATA/origins/kr.yaml" >"$T/warn/origins/kr.yaml"
expect "validate warns without failing" 0 "$POCDIR" validate "$T/warn"
stdout_has "$T/warn/origins/kr.yaml:9: warning: KR/krcert: PGP key expires on 2026-12-20, within 30 days"
stdout_has "$T/warn/origins/kr.yaml:9: warning: KR/krcert: last verified 2026-05-25, more than 180 days ago"
stdout_has "$T/warn/origins/kr.yaml:27: warning: KR/mofa-policy: valid-until 2026-11-22 is past"
stdout_has "$T/warn is valid: 1 origin, 2 entries, 3 warnings"
expect "validate --strict fails on warnings" 2 "$POCDIR" validate --strict "$T/warn"
stdout_has "3 warnings in $T/warn (errors with --strict)"
expect "validate --strict passes a directory without warnings" 0 "$POCDIR" validate --strict
expect "on 2026-12-21 the key has expired" 0 env POCDIR_NOW=$(date -u -d 2026-12-21 +%s) "$POCDIR" validate "$T/warn"
stdout_has "warning: KR/krcert: PGP key expired on 2026-12-20"
expect "verified exactly 180 days ago is no warning" 0 env POCDIR_NOW=$(date -u -d 2026-11-21 +%s) "$POCDIR" validate "$T/warn"
if grep -q "last verified" "$T/out"; then not_ok "no verification warning at 180 days"; else ok "no verification warning at 180 days"; fi
# pocdird says the same in its log when it loads the directory (real clock:
# these two stay true), and serves it all the same.
expect "pocdird loads a directory with warnings" 0 "$POCDIRD" -n --directory "$T/warn"
if grep -q "pocdird warning: $T/warn/origins/kr.yaml:27: KR/mofa-policy: valid-until 2026-11-22 is past" "$T/err" &&
	grep -q "pocdird warning: $T/warn/origins/kr.yaml:9: KR/krcert: last verified 2026-05-25, more than 180 days ago" "$T/err"; then
	ok "pocdird logs the warnings"
else
	not_ok "pocdird logs the warnings"
	sed 's/^/# /' "$T/err"
fi

tap_end
