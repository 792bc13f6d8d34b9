#!/bin/sh
# t_sync_feed.sh - the maintainer's round trip through the tool: keygen, sign
# (minisign verifies), publish a feed, serve it with a real nginx using
# contrib/nginx-feed.conf, sync it into another state directory, then
# log, diff, status and lookups --at a serial and a date.
. "$top_srcdir/tests/lib.sh"
[ -x "$POCDIR" ] || skip_all "pocdir not built"
NGINX=/usr/sbin/nginx
MINISIGN=/usr/bin/minisign
T=$(scratch)
NGINX_PID=
cleanup() {
	[ -n "$NGINX_PID" ] && kill "$NGINX_PID" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
unset POCDIR_STATE POCDIR_PASSPHRASE
export POCDIR_DIRECTORY="$T/empty"
mkdir -p "$T/a/origins" "$T/empty"
cd "$T" || exit 1

# run CMD...: status in $rc, output in out / err.
run() { "$@" >out 2>err; rc=$?; }
has() { if grep -qF -- "$2" "$1"; then ok "$1 says: $2"; else not_ok "$1 lacks: $2"; sed 's/^/# /' "$1"; fi; }

run "$POCDIR" keygen --key kr.key --pubkey kr.pub
check "keygen" [ "$rc" -eq 0 ] && [ -f kr.key ] && [ -f kr.pub ]
check "secret key is private (0600)" [ "$(stat -c %a kr.key)" = 600 ]
run "$POCDIR" keygen --key kr.key --pubkey kr2.pub
check "keygen refuses to overwrite a secret key" [ "$rc" -eq 2 ]

cp "$top_srcdir/tests/sync/kr.yaml" a/origins/kr.yaml
run "$POCDIR" sign a/origins/kr.yaml --key kr.key
check "sign" [ "$rc" -eq 0 ]
has out "serial 2026112201 -> "
S1=$(sed -n 's/^serial: \([0-9]*\).*/\1/p' a/origins/kr.yaml)
check "serial raised ($S1)" [ "$S1" -gt 2026112201 ]
check "comment beside the serial kept" grep -q "^serial: $S1   # raised by pocdir sign" a/origins/kr.yaml
run "$POCDIR" verify a/origins/kr.yaml --pubkey kr.pub
check "pocdir verify" [ "$rc" -eq 0 ]
if [ -x "$MINISIGN" ]; then
	check "minisign verifies pocdir's signature" "$MINISIGN" -q -Vm a/origins/kr.yaml -p kr.pub
else
	ok "# SKIP minisign not installed"
fi
run "$POCDIR" sign a/origins/kr.yaml --key kr.key
has out "unchanged"

# Publish into a feed folder, served by nginx with the contrib snippet.
run "$POCDIR" -d a publish --state a-state --out feed --publisher node-a
check "publish" [ "$rc" -eq 0 ] && [ -f feed/index.yaml ]
check "the set is in the feed byte for byte" cmp a/origins/kr.yaml "feed/origins/kr/$S1.yaml"
check "with its signature" cmp a/origins/kr.yaml.minisig "feed/origins/kr/$S1.yaml.minisig"
has feed/index.yaml "publisher: \"node-a\""
has feed/index.yaml "path: origins/kr/$S1.yaml"
check "no temporary files left in the feed" [ -z "$(find feed -name '*.tmp*')" ]

if [ ! -x "$NGINX" ]; then
	ok "# SKIP nginx not installed: the sync half of this test needs it"
	tap_end
	exit $?
fi
PORT=$(free_port)
TLS=$(free_port)
mkdir -p ng/tmp
# A private CA's certificate for 127.0.0.1, to check that https peers are
# verified (and that ca-file trusts a private CA).
TLS_OK=
if command -v openssl >/dev/null &&
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 \
		-addext subjectAltName=IP:127.0.0.1 -keyout ng/tls.key -out ng/tls.crt \
		>/dev/null 2>&1; then
	TLS_OK=1
fi
sed "s|/var/lib/pocdir/feed/|$T/feed/|" "$top_srcdir/contrib/nginx-feed.conf" >ng/feed.conf
cat >ng/nginx.conf <<EOF
user $(id -un);
worker_processes 1;
pid $T/ng/nginx.pid;
error_log $T/ng/error.log;
events { worker_connections 64; }
http {
	access_log $T/ng/access.log;
	client_body_temp_path $T/ng/tmp;
	proxy_temp_path $T/ng/tmp;
	fastcgi_temp_path $T/ng/tmp;
	uwsgi_temp_path $T/ng/tmp;
	scgi_temp_path $T/ng/tmp;
	server {
		listen 127.0.0.1:$PORT;
		include $T/ng/feed.conf;
	}
$([ -n "$TLS_OK" ] && printf '\tserver {\n\t\tlisten 127.0.0.1:%s ssl;\n\t\tssl_certificate %s;\n\t\tssl_certificate_key %s;\n\t\tinclude %s;\n\t}\n' "$TLS" "$T/ng/tls.crt" "$T/ng/tls.key" "$T/ng/feed.conf")
}
EOF
"$NGINX" -p "$T/ng" -c "$T/ng/nginx.conf" -g 'daemon off;' 2>ng/stderr &
NGINX_PID=$!
for i in 1 2 3 4 5 6 7 8 9 10; do
	curl -s -o /dev/null "http://127.0.0.1:$PORT/pocdir/index.yaml" && break
	sleep 0.2
done
check "nginx serves the feed" curl -sf -o /dev/null "http://127.0.0.1:$PORT/pocdir/index.yaml"
check "nginx refuses other paths" [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/pocdir/a-state")" = 404 ]

cat >b.conf <<EOF
sync:
  state: $T/b-state
  peers:
    - url: http://127.0.0.1:$PORT/pocdir/
      timeout: 5
  trusted:
    - origin: kr
      key: $T/kr.pub
      scope: [KR]
EOF
# An index fetched within the second it was written is not remembered by its
# validators (RFC 9110 8.8.2.2): wait a second, so that the second sync below
# can be the 304 it checks.
sleep 1
run "$POCDIR" sync --config b.conf
check "sync from nginx" [ "$rc" -eq 0 ]
has out "origin kr: updated to $S1"
has out "1 origin checked, 1 updated, 0 rejected"
check "held set is the signed file" cmp a/origins/kr.yaml "b-state/sets/kr/$S1.yaml"
run "$POCDIR" sync --config b.conf
check "second sync" [ "$rc" -eq 0 ]
has out "not modified"
check "the second index fetch was a 304 without a body" \
	sh -c "tail -n 1 ng/access.log | grep -q '\"GET /pocdir/index.yaml HTTP/1.1\" 304 0'"

# A new version at A: edit, sign, publish; B fetches only that set.
sleep 1 # a new Last-Modified second for nginx
sed -i 's/cert@krcert.kr.example/cert-desk@krcert.kr.example/' a/origins/kr.yaml
cat >>a/origins/kr.yaml <<'EOF'
  - id: knpa
    country: KR
    agency: Korean National Police Agency
    agency-type: law-enforcement
    roles: [law-enforcement]
    email: [cyber@police.kr.example]
EOF
"$POCDIR" sign a/origins/kr.yaml --key kr.key >/dev/null
S2=$(sed -n 's/^serial: \([0-9]*\).*/\1/p' a/origins/kr.yaml)
"$POCDIR" -d a publish --state a-state --out feed --publisher node-a >/dev/null
: >ng/access.log.mark
LINES=$(wc -l <ng/access.log)
run "$POCDIR" sync --config b.conf
check "sync of the new version" [ "$rc" -eq 0 ]
has out "origin kr: updated to $S2"
check "three requests: index, set, signature" [ "$(($(wc -l <ng/access.log) - LINES))" -eq 3 ]

# https: the certificate is checked; a private CA is trusted with ca-file.
if [ -n "$TLS_OK" ]; then
	run "$POCDIR" sync --config b.conf --peer "https://127.0.0.1:$TLS/pocdir/"
	check "https peer with an unknown CA: refused" [ "$rc" -eq 1 ]
	has err "SSL certificate problem"
	cat >c.conf <<EOF
sync:
  state: $T/c-state
  ca-file: $T/ng/tls.crt
  trusted:
    - {origin: kr, key: $T/kr.pub, scope: [KR]}
EOF
	run "$POCDIR" sync --config c.conf --peer "https://127.0.0.1:$TLS/pocdir/"
	check "https peer with ca-file: synced" [ "$rc" -eq 0 ]
	has out "origin kr: updated to $S2"
	run "$POCDIR" sync --config c.conf --peer "https://localhost:$TLS/pocdir/"
	check "https peer under another name: refused (hostname checked)" [ "$rc" -eq 1 ]
else
	ok "# SKIP https checks: openssl could not make a certificate"
fi

export POCDIR_STATE="$T/b-state"
run "$POCDIR" log kr
check "log lists both versions" [ "$(grep -c "^kr " out)" -eq 2 ]
has out "http://127.0.0.1:$PORT/pocdir/"
run "$POCDIR" diff kr "$S1" "$S2"
check "diff" [ "$rc" -eq 0 ]
has out "+ KR/knpa (added)"
has out "~ KR/krcert mail: cert@krcert.kr.example -> cert-desk@krcert.kr.example"
has out "2 changes"
run "$POCDIR" diff kr 1 "$S2"
check "diff with a version not held" [ "$rc" -eq 2 ]
has err "is not held"
run "$POCDIR" lookup --country KR --at "$S1" --format csv
check "lookup --at the first serial" [ "$rc" -eq 0 ] && ! grep -q knpa out
has out "cert@krcert.kr.example"
run "$POCDIR" lookup --country KR --format csv --at "$S2"
has out "knpa"
run "$POCDIR" lookup --country KR --at 2020-01-01
check "lookup --at a date before any version" [ "$rc" -eq 2 ]
has err "no version of any origin is as old as"
run "$POCDIR" search '(c=KR)' --at "$(date -u +%Y-%m-%d)" --format csv
has out "knpa"
run "$POCDIR" status
check "status" [ "$rc" -eq 0 ]
has out "directory version "
has out "http://127.0.0.1:$PORT/pocdir/"
check "status: peer with no failures" grep -q "^http://127.0.0.1:$PORT/pocdir/ .* 0 *-$" out

# The feed keeps the current set and the one before (for a reader holding
# the previous index); older ones go.
check "feed keeps the previous set" [ -f "feed/origins/kr/$S1.yaml" ] && [ -f "feed/origins/kr/$S2.yaml" ]
sed -i 's/cert-desk@/cert-desk2@/' a/origins/kr.yaml
"$POCDIR" sign a/origins/kr.yaml --key kr.key >/dev/null
S3=$(sed -n 's/^serial: \([0-9]*\).*/\1/p' a/origins/kr.yaml)
"$POCDIR" -d a publish --state a-state --out feed --publisher node-a >/dev/null
check "feed after a third version: $S2 and $S3 only" \
	[ "$(ls feed/origins/kr | tr '\n' ' ')" = "$S2.yaml $S2.yaml.minisig $S3.yaml $S3.yaml.minisig " ]
check "the state keeps every version" [ "$(ls a-state/sets/kr/*.yaml | wc -l)" -eq 3 ]
tap_end
