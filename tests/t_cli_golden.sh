#!/bin/sh
# t_cli_golden.sh - every output format of pocdir against golden files in
# tests/cli/golden, over tests/cli/data with a fixed clock (POCDIR_NOW).
# After a deliberate change of output, regenerate them with
#   POCDIR_REGEN_GOLDEN=1 make check TESTS=tests/t_cli_golden.sh
# and review the diff; nothing regenerates them otherwise.
. "$top_srcdir/tests/lib.sh"
DATA="$top_srcdir/tests/cli/data"
GOLDEN="$top_srcdir/tests/cli/golden"
# Monday 2026-11-23 01:30 UTC: 10:30 in Seoul, 02:30 in Paris, 14:30 in Auckland.
export POCDIR_DIRECTORY="$DATA" POCDIR_NOW=1795397400 TZ=UTC
unset NO_COLOR COLUMNS POCDIR_STATE
VALIDITY="$top_srcdir/tests/cli/validity"
T=$(scratch)
trap 'rm -rf "$T"' EXIT

[ -x "$POCDIR" ] || skip_all "pocdir not built"

# golden NAME STATUS CMD...: run pocdir with CMD, compare stdout with
# golden/NAME byte for byte, and the exit status with STATUS.
golden() {
	name=$1 want=$2
	shift 2
	"$POCDIR" "$@" >"$T/$name" 2>"$T/err"
	rc=$?
	if [ "$rc" -ne "$want" ]; then
		not_ok "$name: pocdir $* exited $rc, expected $want"
		sed 's/^/# /' "$T/err"
		return
	fi
	if [ -n "${POCDIR_REGEN_GOLDEN:-}" ]; then
		cp "$T/$name" "$GOLDEN/$name"
		ok "$name # regenerated"
		return
	fi
	if cmp -s "$T/$name" "$GOLDEN/$name"; then
		ok "$name"
	else
		not_ok "$name differs from the golden file"
		diff -u "$GOLDEN/$name" "$T/$name" | head -40 | sed 's/^/# /'
	fi
}

golden export.ldif 0 export
golden export-no-tree.ldif 0 export --no-tree
golden export-base.ldif 0 export --base ou=contacts,dc=example,dc=org
golden export.json 0 export --format json
golden export.vcf 0 export --format vcard
golden export.csv 0 export --format csv
golden export.vcf3 0 export --format vcard3
golden lookup.txt 0 lookup --no-color
golden lookup-kr.txt 0 --format table lookup --country KR
golden show.txt 0 show KR/mofa-policy --no-color
golden search-attrs.txt 0 search '(|(role=technical)(cn=*desk))' --attrs cn,mail,role,dn
golden search-attrs.json 0 search '(|(role=technical)(cn=*desk))' --attrs cn,mail,role --format json
golden search-attrs.csv 0 search '(|(role=technical)(cn=*desk))' --attrs cn,mail,role --format csv
golden search-attrs.ldif 0 search '(|(role=technical)(cn=*desk))' --attrs cn,mail,role --format ldif
# Validity: out-of-date contacts hidden from lookups, every format marks.
golden validity-lookup.txt 0 -d "$VALIDITY" lookup --no-color
golden validity-all.txt 0 -d "$VALIDITY" lookup --all --no-color
golden validity.json 0 -d "$VALIDITY" export --format json
golden validity.csv 0 -d "$VALIDITY" export --format csv
golden validity.ldif 0 -d "$VALIDITY" export --no-tree
golden validity.vcf 0 -d "$VALIDITY" export --format vcard
golden validity-show.txt 0 -d "$VALIDITY" show stale --no-color

tap_end
