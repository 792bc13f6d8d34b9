#!/bin/sh
# t_tls_feed.sh - pocdird serves its feed over HTTPS (feed-listen:
# https://...) with the certificate of tls:, checked with curl and synced
# with `pocdir sync` (ca-file for the test CA); a wrong CA and plain HTTP
# on the TLS port are refused; SIGHUP replaces the certificate for new
# handshakes.
. "$top_srcdir/tests/lib.sh"
[ -x "$POCDIR" ] || skip_all "pocdir not built"
[ -x "$POCDIRD" ] || skip_all "pocdird not built"
command -v curl >/dev/null || skip_all "curl not installed"
command -v certtool >/dev/null || skip_all "certtool not installed (gnutls-bin)"
command -v gnutls-cli >/dev/null || skip_all "gnutls-cli not installed (gnutls-bin)"
work_area

make_certs certs || { echo "not ok 1 - make_certs"; exit 1; }
cp certs/server.pem live.pem
cp certs/server.key live.key
"$POCDIR" keygen --key kr.key --pubkey kr.pub >/dev/null
mkdir -p a/origins
cp "$top_srcdir/tests/sync/kr.yaml" a/origins/
"$POCDIR" sign a/origins/kr.yaml --key kr.key >/dev/null
S1=$(sed -n 's/^serial: \([0-9]*\).*/\1/p' a/origins/kr.yaml)
LDAP=$(free_port)
FEED=$(free_port)
U="https://127.0.0.1:$FEED"
cat >a.conf <<EOF
listen: 127.0.0.1:$LDAP
directory: $T/a
tls:
  certificate: $T/live.pem
  key: $T/live.key
sync:
  state: $T/a-state
  publisher: node-a
  feed-listen: $U
  trusted:
    - {origin: kr, key: $T/kr.pub, scope: [KR]}
EOF
"$POCDIRD" -f -c a.conf >a.log 2>&1 &
PIDS="$PIDS $!"
PID=$!
i=0
while ! curl -s -o /dev/null --cacert certs/ca.pem "$U/index.yaml"; do
	i=$((i + 1))
	[ $i -gt 100 ] && break
	sleep 0.1
done
check "pocdird says it serves the feed over HTTPS" grep -q "serving the feed .* over HTTPS on $U" a.log
code=$(curl -s -o index.yaml -D headers -w '%{http_code}' --cacert certs/ca.pem "$U/index.yaml")
check "curl --cacert: index.yaml over HTTPS (200)" [ "$code" = 200 ]
check "... the index names node-a" grep -q 'publisher: "node-a"' index.yaml
ETAG=$(sed -n 's/^ETag: *//Ip' headers | tr -d '\r')
code=$(curl -s -o /dev/null -w '%{http_code}' --cacert certs/ca.pem -H "If-None-Match: $ETAG" "$U/index.yaml")
check "If-None-Match over HTTPS: 304" [ "$code" = 304 ]
code=$(curl -s -o set.yaml -w '%{http_code}' --cacert certs/ca.pem "$U/origins/kr/$S1.yaml")
check "the signed set over HTTPS, byte for byte" sh -c "[ $code = 200 ] && cmp -s set.yaml a/origins/kr.yaml"
curl -s -o /dev/null --cacert certs/other-ca.pem "$U/index.yaml"
check "curl with a CA that did not sign the certificate: refused" [ $? -ne 0 ]
code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "http://127.0.0.1:$FEED/index.yaml")
check "plain HTTP on the HTTPS port gets no feed ($code)" [ "$code" != 200 ]
gnutls-cli --x509cafile certs/ca.pem --priority "NORMAL:-VERS-ALL:+VERS-TLS1.1:+VERS-TLS1.0" \
	-p "$FEED" 127.0.0.1 </dev/null >gnutls.out 2>&1
check "TLS 1.1 and 1.0 refused by the server (gnutls-cli)" \
	sh -c "! grep -q 'Handshake was completed' gnutls.out"
gnutls-cli --x509cafile certs/ca.pem --priority "NORMAL:-VERS-ALL:+VERS-TLS1.2" \
	-p "$FEED" 127.0.0.1 </dev/null >gnutls.out 2>&1
check "TLS 1.2 accepted" grep -q 'Handshake was completed' gnutls.out

cat >b.conf <<EOF
sync:
  state: $T/b-state
  ca-file: $T/certs/ca.pem
  peers: [$U/]
  trusted:
    - {origin: kr, key: $T/kr.pub, scope: [KR]}
EOF
# An index fetched within the second it was written is not remembered by
# its validators (RFC 9110 8.8.2.2), so that the 304 below is the one for a
# settled index, wait for the next second.
sleep 1
"$POCDIR" sync --config b.conf >out 2>err
check "pocdir sync over HTTPS from pocdird" [ $? -eq 0 ]
check "... origin kr updated to $S1" grep -q "origin kr: updated to $S1" out
check "... the held set is the signed file" cmp -s a/origins/kr.yaml "b-state/sets/kr/$S1.yaml"
"$POCDIR" sync --config b.conf >out 2>err
check "a second sync: not modified" grep -q "not modified" out
sed 's|ca-file: .*|ca-file: '"$T"'/certs/other-ca.pem|; s|b-state|c-state|' b.conf >c.conf
"$POCDIR" sync --config c.conf >out 2>err
check "pocdir sync trusting another CA: refused" [ $? -ne 0 ]
check "... for the certificate" grep -qi "certificate" err

# SIGHUP: new handshakes get the new certificate.
cp certs/wronghost.pem live.pem
cp certs/wronghost.key live.key
n=$(grep -c "tls: certificate .* loaded" a.log)
kill -HUP "$PID"
i=0
while [ "$(grep -c "tls: certificate .* loaded" a.log)" -le "$n" ] && [ $i -lt 100 ]; do
	i=$((i + 1))
	sleep 0.1
done
curl -s -o /dev/null --cacert certs/ca.pem "$U/index.yaml" 2>curl.err
check "after SIGHUP, a certificate for another name: curl refuses" [ $? -ne 0 ]
cp certs/server.pem live.pem
cp certs/server.key live.key
n=$(grep -c "tls: certificate .* loaded" a.log)
kill -HUP "$PID"
i=0
while [ "$(grep -c "tls: certificate .* loaded" a.log)" -le "$n" ] && [ $i -lt 100 ]; do
	i=$((i + 1))
	sleep 0.1
done
check "after SIGHUP again, the right certificate: served" \
	curl -sf -o /dev/null --cacert certs/ca.pem "$U/index.yaml"
check "pocdird is still running" kill -0 "$PID"
kill "$PID"
wait "$PID" 2>/dev/null
check "SIGTERM: clean exit" [ $? -eq 0 ]
tap_end
