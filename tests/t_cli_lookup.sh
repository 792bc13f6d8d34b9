#!/bin/sh
# t_cli_lookup.sh - lookups as an operator types them: countries by code or
# name, roles with hints, repeated options (OR within one, AND across),
# who answers now, free text without accents, validity dates, what the
# node's daemon serves (the state's synced sets), and filter messages.
. "$top_srcdir/tests/lib.sh"
DATA="$top_srcdir/tests/cli/data"
VALIDITY="$top_srcdir/tests/cli/validity"
# Monday 2026-11-23 01:30 UTC: 10:30 in Seoul, 02:30 in Paris, 14:30 in Auckland.
export POCDIR_DIRECTORY="$DATA" POCDIR_NOW=1795397400 TZ=UTC
unset NO_COLOR COLUMNS POCDIR_STATE POCDIR_PASSPHRASE
T=$(scratch)
trap 'rm -rf "$T"' EXIT
# An empty state: what the node holds is only what a test puts there.
export POCDIR_STATE="$T/empty-state"

[ -x "$POCDIR" ] || skip_all "pocdir not built"

run() { "$@" >"$T/out" 2>"$T/err"; rc=$?; }
expect() {
	d=$1 want=$2
	shift 2
	run "$@"
	if [ "$rc" -eq "$want" ]; then ok "$d (exit $want)"; else
		not_ok "$d: exit $rc, expected $want"
		sed 's/^/# /' "$T/err"
	fi
}
has() { # has FILE TEXT DESCRIPTION
	if grep -qF -- "$2" "$T/$1"; then ok "$3"; else
		not_ok "$3: $1 lacks: $2"
		sed 's/^/# /' "$T/$1"
	fi
}
lacks() {
	if grep -qF -- "$2" "$T/$1"; then
		not_ok "$3: $1 has: $2"
		sed 's/^/# /' "$T/$1"
	else ok "$3"; fi
}
# ids FORMAT-JSON output -> "CC/id ..." sorted, for set comparisons.
ids() { /usr/bin/python3 -c 'import json,sys; print(" ".join(sorted(e["country"]+"/"+e["id"] for e in json.load(open(sys.argv[1])))))' "$T/out"; }
same_ids() { # same_ids DESCRIPTION WANT CMD...
	d=$1 want=$2
	shift 2
	run "$@" --format json
	got=$(ids)
	if [ "$got" = "$want" ]; then ok "$d: $want"; else not_ok "$d: got '$got', expected '$want'"; fi
}

# ---- countries and roles as people type them -----------------------------
same_ids "country by name" "" "$POCDIR" lookup --country Japan
expect "a country without contacts is nothing found" 1 "$POCDIR" lookup --country Japan
same_ids "country by name, any case, accents ignored" "FR/anssi" "$POCDIR" lookup --country "france"
same_ids "country by common name" "KR/krcert KR/mofa-policy" "$POCDIR" lookup --country "South Korea"
same_ids "country by part of its ISO name" "KR/krcert KR/mofa-policy" "$POCDIR" lookup --country "korea, republic"
expect "an alpha-3 code is bad usage" 2 "$POCDIR" lookup --country JPN
has err 'did you mean JP (Japan)?' "JPN suggests JP"
expect "UK is bad usage" 2 "$POCDIR" lookup --country UK
has err '"GB"' "UK says GB"
expect "an ambiguous name is bad usage" 2 "$POCDIR" lookup --country Korea
has err "KP (Korea, Democratic People's Republic of), KR (Korea, Republic of)" "Korea lists both"
expect "an unknown name is bad usage" 2 "$POCDIR" lookup --country Atlantis
has err "neither an ISO 3166-1 alpha-2 code" "unknown name says what a country is"
expect "an unknown role is bad usage" 2 "$POCDIR" lookup --role tech
has err "did you mean technical?" "tech suggests technical"
has err "incident-response" "the roles are listed"

# ---- repeated options: OR within one, AND across ---------------------------
same_ids "--country twice is either" "FR/anssi KR/krcert KR/mofa-policy" "$POCDIR" lookup --country KR --country FR
same_ids "--role twice is either" "FR/anssi KR/krcert KR/mofa-policy" "$POCDIR" lookup --role technical --role policy
same_ids "different options are both" "KR/krcert" "$POCDIR" lookup --country KR --country FR --role 24x7
same_ids "--id twice" "FR/anssi NZ/night-desk" "$POCDIR" lookup --id anssi --id night-desk

# ---- who answers now, languages, names ------------------------------------
same_ids "--open-now at 10:30 Seoul, 02:30 Paris" "KR/krcert KR/mofa-policy" "$POCDIR" lookup --open-now
same_ids "--24x7" "KR/krcert NZ/night-desk" "$POCDIR" lookup --24x7
same_ids "--open-now --24x7 is both" "KR/krcert" "$POCDIR" lookup --open-now --24x7
same_ids "--language" "NZ/night-desk" "$POCDIR" lookup --language mi
same_ids "--language en also finds en-*" "FR/anssi KR/krcert KR/mofa-policy NZ/night-desk" "$POCDIR" lookup --language en
same_ids "--name without accents, any case" "FR/anssi" "$POCDIR" lookup --name ELODIE
same_ids "--name in Hangul" "KR/mofa-policy" "$POCDIR" lookup --name 민준
same_ids "q: every word somewhere" "KR/krcert" "$POCDIR" q korea cert
same_ids "q: accents ignored, country name" "FR/anssi" "$POCDIR" q securite france
same_ids "q with lookup options" "KR/mofa-policy" "$POCDIR" q korea --role policy
expect "q with no word is bad usage" 2 "$POCDIR" q
expect "lookup with free text says where it goes" 2 "$POCDIR" lookup kim
has err "pocdir q kim" "lookup TEXT points at q"

# JSON carries the clock: local time and open now.
run "$POCDIR" lookup --id mofa-policy --format json
if /usr/bin/python3 -c 'import json,sys; e=json.load(open(sys.argv[1]))[0]; sys.exit(0 if e["local-time"]=="Mo 10:30" and e["open-now"] is True and e["status"]==[] else 1)' "$T/out"; then
	ok "JSON has local-time and open-now"
else not_ok "JSON lacks local-time/open-now"; sed 's/^/# /' "$T/out"; fi

# --attrs on lookup, and unknown attributes warn.
expect "lookup --attrs" 0 "$POCDIR" lookup --country KR --attrs cn,mail
has out "KrCERT/CC Incident Response Team" "lookup --attrs prints the column"
lacks out "+82 2 0000 0110" "lookup --attrs prints only those columns"
expect "unknown --attrs is a warning" 0 "$POCDIR" lookup --country KR --attrs cn,emial
has err 'warning: --attrs: "emial" is not an attribute' "unknown --attrs warns"
expect "unknown attribute in a filter is a warning" 1 "$POCDIR" search '(telephone=+82*)'
has err 'warning: "telephone" is not an attribute pocdir knows' "unknown filter attribute warns"

# ---- filter errors say where and why ---------------------------------------
expect "unbalanced filter" 2 "$POCDIR" search '(&(c=KR)(role=technical)'
has err "column" "an unbalanced filter names a column"
expect "item without an operator" 2 "$POCDIR" search '(&(c=KR)(role))'
has err "(role)" "an item without '=' is named"
has err "column 9" "an item without '=' has its column"
expect "bad escape" 2 "$POCDIR" search '(cn=a\zz)'
has err "escape" "a bad escape is named"

# ---- validity: hidden by default, marked everywhere ------------------------
same_ids "out-of-validity contacts are hidden" "DE/good DE/pgp-old DE/stale" "$POCDIR" -d "$VALIDITY" lookup
same_ids "--all shows them" "DE/ended DE/future DE/good DE/pgp-old DE/stale" "$POCDIR" -d "$VALIDITY" lookup --all
same_ids "search hides them too" "DE/good DE/pgp-old DE/stale" "$POCDIR" -d "$VALIDITY" search '(c=DE)'
same_ids "search --all" "DE/ended DE/future DE/good DE/pgp-old DE/stale" "$POCDIR" -d "$VALIDITY" search '(c=DE)' --all
expect "the table says what it hid" 0 "$POCDIR" -d "$VALIDITY" lookup
has err "2 contacts outside their validity dates not shown (--all shows them)" "hidden contacts are counted"
has out "! stale: last verified 2025-06-01" "the table marks a stale contact"
has out "! pgp-expired: PGP key expired 2026-06-30" "the table marks an expired key"
expect "show an ended contact" 0 "$POCDIR" -d "$VALIDITY" show ended
has out "expired: valid until 2026-01-31" "show marks an ended contact"

# ---- the node's view: synced sets in the state directory -------------------
mkdir -p "$T/peer/origins" "$T/state"
cat >"$T/peer/origins/jp.yaml" <<'YAML'
origin: jp
name: Japan (peer)
scope: [JP]
serial: 2026112001
updated: 2026-11-20T00:00:00Z
entries:
  - id: jpcert
    country: JP
    agency: JPCERT/CC
    agency-type: national-cert
    roles: [technical, incident-response]
    email: [office@jpcert.jp.example]
YAML
"$POCDIR" keygen --key "$T/jp.key" --pubkey "$T/jp.pub" >/dev/null 2>&1 &&
	"$POCDIR" sign "$T/peer/origins/jp.yaml" --key "$T/jp.key" >/dev/null 2>&1 &&
	"$POCDIR" publish -d "$T/peer" --state "$T/state" --out "$T/feed" >/dev/null 2>&1
check "a set held in the state directory (as sync commits it)" test -s "$T/feed/index.yaml"
export POCDIR_STATE="$T/state"
same_ids "lookup sees the synced set by default" "JP/jpcert" "$POCDIR" lookup --country JP
same_ids "... and the local folder's" "FR/anssi" "$POCDIR" lookup --country FR
same_ids "--local: the folder only" "" "$POCDIR" --local lookup --country JP
same_ids "--state DIR names the state" "JP/jpcert" env POCDIR_STATE="$T/empty-state" "$POCDIR" --state "$T/state" lookup --country JP

tap_end
