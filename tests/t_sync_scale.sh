#!/bin/sh
# t_sync_scale.sh - DESIGN.md's sync targets on a directory of 200 origins:
# nothing changed costs one conditional request and no body; one origin of
# 200 changed transfers only that origin's set (and its signature). Counted
# from the requests the peer saw. Also pocdird's own feed server: 304 on
# If-None-Match / If-Modified-Since, and nothing outside the feed.
. "$top_srcdir/tests/lib.sh"
[ -x "$POCDIR" ] || skip_all "pocdir not built"
[ -x "$POCDIRD" ] || skip_all "pocdird not built"
command -v curl >/dev/null || skip_all "curl not installed"
work_area
mkdir -p a/origins feeds empty

# 200 origins x1 .. x200, each speaking for one country (scope checks
# still apply), all signed by one key in one `pocdir sign` run.
"$POCDIR" keygen --key k.key --pubkey k.pub >/dev/null
COUNTRIES=$(awk -F'\t' '/^[A-Z][A-Z]\t/ {print $1}' /usr/share/zoneinfo/iso3166.tab | head -n 200)
n=0
{
	echo "sync:"
	echo "  state: $T/b-state"
	echo "  trusted:"
} >b.conf
for cc in $COUNTRIES; do
	n=$((n + 1))
	lc=$(echo "$cc" | tr 'A-Z' 'a-z')
	cat >"a/origins/x$n.yaml" <<EOF
origin: x$n
name: Participant $n
scope: [$cc]
serial: 1
updated: 2026-11-22T09:00:00Z
entries:
  - id: cert
    country: $cc
    agency: CERT $n
    agency-type: national-cert
    roles: [technical]
    email: [cert@cert.$lc.example]
EOF
	echo "    - {origin: x$n, key: $T/k.pub, scope: [$cc]}" >>b.conf
done
check "200 origins written" [ "$n" -eq 200 ]
"$POCDIR" sign a/origins/*.yaml --key k.key >/dev/null
check "200 origins signed in one run" [ "$(ls a/origins/*.minisig | wc -l)" -eq 200 ]
"$POCDIR" -d a publish --state a-state --out feeds/f --publisher a >out
check "publish 200 origins" grep -q "published 200 origins" out

PORT=$(free_port)
/usr/bin/python3 "$top_srcdir/tests/sync/fakepeer.py" "$PORT" "$T/feeds" >peer.out 2>peer.log &
PIDS="$PIDS $!"
for i in 1 2 3 4 5 6 7 8 9 10; do grep -q ready peer.out 2>/dev/null && break; sleep 0.2; done
URL="http://127.0.0.1:$PORT/f/"
requests() { grep -c '"GET ' peer.log; }

"$POCDIR" sync --config b.conf --peer "$URL" >out 2>err
check "first sync: all 200 fetched" grep -q "200 origins checked, 200 updated, 0 rejected" out
check "first sync: 1 + 2 x 200 requests" [ "$(requests)" -eq 401 ]

before=$(requests)
"$POCDIR" sync --config b.conf --peer "$URL" >out 2>err
check "nothing changed: one request" [ "$(($(requests) - before))" -eq 1 ]
check "nothing changed: answered 304, no body" sh -c "tail -n 1 peer.log | grep -q '\"GET /f/index.yaml HTTP/1.1\" 304'"

sed -i 's/CERT 77$/CERT 77 (new name)/' a/origins/x77.yaml
"$POCDIR" sign a/origins/x77.yaml --key k.key >/dev/null
sleep 1 # a new Last-Modified second for the fake peer's index
"$POCDIR" -d a publish --state a-state --out feeds/f --publisher a >/dev/null
before=$(requests)
"$POCDIR" sync --config b.conf --peer "$URL" >out 2>err
check "one of 200 changed: updated" grep -q "origin x77: updated to" out
check "one of 200 changed: 200 checked, 1 updated" grep -q "200 origins checked, 1 updated, 0 rejected" out
check "one of 200 changed: index + that set + its signature only" [ "$(($(requests) - before))" -eq 3 ]
check "... and they were x77's" [ "$(tail -n 2 peer.log | grep -c '/f/origins/x77/')" -eq 2 ]

# pocdird's own feed server over the same state.
HTTP=$(free_port)
LDAP=$(free_port)
cat >d.conf <<EOF
listen: 127.0.0.1:$LDAP
directory: $T/a
sync:
  state: $T/a-state
  publisher: a
  feed-listen: 127.0.0.1:$HTTP
EOF
"$POCDIRD" -f -c d.conf >d.log 2>&1 &
DPID=$!
PIDS="$PIDS $DPID"
# Its first start records 200 sets (each synced to disk): allow for a slow
# machine or a sanitizer build.
i=0
while [ $i -lt 120 ] && ! curl -s -o /dev/null "http://127.0.0.1:$HTTP/index.yaml"; do
	sleep 0.25
	i=$((i + 1))
done
code() { curl -s -o /dev/null -w '%{http_code}' "$@"; }
check "pocdird serves its index" [ "$(code "http://127.0.0.1:$HTTP/index.yaml")" = 200 ]
curl -s -D headers -o index.yaml "http://127.0.0.1:$HTTP/index.yaml"
ETAG=$(sed -n 's/^ETag: //Ip' headers | tr -d '\r')
LM=$(sed -n 's/^Last-Modified: //Ip' headers | tr -d '\r')
SUM=$(sha256sum index.yaml | cut -d' ' -f1)
check "ETag is the SHA-256 of the file" [ "$ETAG" = "\"$SUM\"" ]
check "If-None-Match -> 304" [ "$(code -H "If-None-Match: $ETAG" "http://127.0.0.1:$HTTP/index.yaml")" = 304 ]
check "If-Modified-Since -> 304" [ "$(code -H "If-Modified-Since: $LM" "http://127.0.0.1:$HTTP/index.yaml")" = 304 ]
check "another ETag -> 200" [ "$(code -H 'If-None-Match: "x"' "http://127.0.0.1:$HTTP/index.yaml")" = 200 ]
S=$(sed -n 's/^serial: //p' a/origins/x77.yaml)
check "a set and its signature" [ "$(code "http://127.0.0.1:$HTTP/origins/x77/$S.yaml")$(code "http://127.0.0.1:$HTTP/origins/x77/$S.yaml.minisig")" = 200200 ]
check "nothing outside the feed" [ "$(code --path-as-is "http://127.0.0.1:$HTTP/origins/../../sets/x77/$S.meta")" = 404 ]
check "nothing but feed files" [ "$(code "http://127.0.0.1:$HTTP/peers/")" = 404 ]
check "GET and HEAD only" [ "$(code -X DELETE "http://127.0.0.1:$HTTP/index.yaml")" = 405 ]
check "HEAD" [ "$(code -I "http://127.0.0.1:$HTTP/index.yaml")" = 200 ]
check "pocdird synced nothing and still answers LDAP" \
	sh -c "ldapsearch -x -LLL -H ldap://127.0.0.1:$LDAP -b dc=pocdir '(pocOrigin=x77)' o | grep -q 'CERT 77 (new name)'"

# A publisher without peers: a set signed here is published within seconds.
sed -i 's/CERT 5$/CERT 5 (renamed)/' a/origins/x5.yaml
"$POCDIR" sign a/origins/x5.yaml --key k.key >/dev/null
S5=$(sed -n 's/^serial: //p' a/origins/x5.yaml)
for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
	[ "$(code "http://127.0.0.1:$HTTP/origins/x5/$S5.yaml")" = 200 ] && break
	sleep 0.5
done
check "a newly signed local set is in pocdird's feed without a SIGHUP" \
	[ "$(code "http://127.0.0.1:$HTTP/origins/x5/$S5.yaml")" = 200 ]
for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
	ldapsearch -x -LLL -H "ldap://127.0.0.1:$LDAP" -b dc=pocdir '(pocOrigin=x5)' o 2>/dev/null |
		grep -q 'CERT 5 (renamed)' && break
	sleep 0.5
done
check "and served over LDAP" \
	sh -c "ldapsearch -x -LLL -H ldap://127.0.0.1:$LDAP -b dc=pocdir '(pocOrigin=x5)' o | grep -q 'CERT 5 (renamed)'"
# A file edited after signing: pocdird says so on reload and keeps the
# signed version published; pocdir publish refuses.
sed -i 's/CERT 6$/CERT 6 (unsigned edit)/' a/origins/x6.yaml
kill -HUP "$DPID"
for i in 1 2 3 4 5 6 7 8 9 10; do grep -q "x6.yaml: .*run pocdir sign" d.log && break; sleep 0.3; done
check "pocdird warns about a set edited after signing" grep -q "x6.yaml: serial .* already held with different content.*run pocdir sign" d.log
check "pocdird still answers after the reload" \
	sh -c "ldapsearch -x -LLL -H ldap://127.0.0.1:$LDAP -b dc=pocdir '(pocOrigin=x5)' o | grep -q 'CERT 5 (renamed)'"
"$POCDIR" -d a publish --state a-state --out feeds/f --publisher a >out 2>err
check "pocdir publish refuses it" [ $? -eq 2 ]
check "... naming the file" grep -q "x6.yaml: serial .* already held with different content" err

# SIGHUP with a new peer and a new trusted origin: synced without a restart.
mkdir -p y/origins
cat >y/origins/y1.yaml <<EOF
origin: y1
name: Another participant for AD
scope: [AD]
serial: 1
entries:
  - id: desk
    country: AD
    agency: Desk Y
    agency-type: csirt
    roles: [technical]
    email: [desk@y.ad.example]
EOF
"$POCDIR" sign y/origins/y1.yaml --key k.key >/dev/null
"$POCDIR" -d y publish --state y-state --out feeds/g --publisher y >/dev/null
cat >>d.conf <<EOF
  interval: 1
  peers: [http://127.0.0.1:$PORT/g/]
  trusted:
    - {origin: y1, key: $T/k.pub, scope: [AD]}
EOF
kill -HUP "$DPID"
for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
	ldapsearch -x -LLL -H "ldap://127.0.0.1:$LDAP" -b dc=pocdir '(pocOrigin=y1)' uid 2>/dev/null | grep -q '^uid: desk' && break
	sleep 0.5
done
check "SIGHUP: a peer and a trusted origin added without a restart" \
	sh -c "ldapsearch -x -LLL -H ldap://127.0.0.1:$LDAP -b dc=pocdir '(pocOrigin=y1)' uid | grep -q '^uid: desk'"
check "SIGHUP: logged" grep -q "sync: reloaded: 1 peers, 1 trusted origins" d.log
tap_end
