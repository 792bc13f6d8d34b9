#!/bin/sh
# bench/sync.sh - sync figures for BENCHMARKS.md: requests and bytes a node
# costs its peer for a first full sync of 200 origins, for "nothing changed"
# and for "one origin of 200 changed". The feed is served by nginx, not by
# pocdir, so the counts come from an independent web server's access log.
#
#   bench/sync.sh POCDIR DIR WORK    (DIR: a generated directory of 200 origins)
#
# Prints one "RESULT bench=sync case=... requests=N bytes=N ..." line per case.
# Run by bench/run.sh; needs nginx (Debian nginx-light) and /usr/bin/python3.
set -eu

POCDIR=$1
DIR=$2
W=$3
NGINX=${NGINX:-/usr/sbin/nginx}
[ -x "$NGINX" ] || { echo "bench/sync.sh: nginx not found (Debian nginx-light)" >&2; exit 2; }

mkdir -p "$W/origins" "$W/feeds" "$W/nginx/logs" "$W/nginx/tmp"
# nginx's worker drops root for an unprivileged user: it must be able to
# reach the feed inside a private (mktemp -d) scratch folder.
chmod a+x "$(dirname "$W")" "$W"
cp "$DIR"/origins/*.yaml "$W/origins/"
norigins=$(ls "$W"/origins/*.yaml | wc -l)

# One signing key for all origins: the figures count requests and bytes,
# which do not depend on how many keys there are.
unset POCDIR_PASSPHRASE POCDIR_STATE POCDIR_CONFIG
"$POCDIR" keygen --key "$W/origin.key" --pubkey "$W/origin.pub" >/dev/null
{
	echo "sync:"
	echo "  state: $W/node-state"
	echo "  trusted:"
	for f in "$W"/origins/*.yaml; do
		id=$(sed -n 's/^origin: *//p' "$f" | head -n 1)
		scope=$(sed -n 's/^scope: *//p' "$f" | head -n 1)
		echo "    - {origin: $id, key: $W/origin.pub, scope: $scope}"
	done
} >"$W/node.conf"
"$POCDIR" sign "$W"/origins/*.yaml --key "$W/origin.key" >/dev/null
"$POCDIR" -d "$W" publish --state "$W/pub-state" --out "$W/feeds/f" --publisher bench >/dev/null
chmod -R a+rX "$W/feeds"

port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat >"$W/nginx/nginx.conf" <<EOF
worker_processes 1;
pid $W/nginx/nginx.pid;
error_log $W/nginx/logs/error.log;
events { worker_connections 64; }
http {
	access_log off;
	client_body_temp_path $W/nginx/tmp;
	proxy_temp_path $W/nginx/tmp;
	fastcgi_temp_path $W/nginx/tmp;
	uwsgi_temp_path $W/nginx/tmp;
	scgi_temp_path $W/nginx/tmp;
	log_format counts '\$status \$body_bytes_sent \$bytes_sent "\$request"';
	server {
		listen 127.0.0.1:$port;
		root $W/feeds;
		access_log $W/nginx/logs/access.log counts;
	}
}
EOF
"$NGINX" -p "$W/nginx" -c "$W/nginx/nginx.conf" -g 'daemon off;' 2>"$W/nginx/stderr" &
nginx_pid=$!
trap 'kill $nginx_pid 2>/dev/null || true; wait $nginx_pid 2>/dev/null || true' EXIT
i=0
until /usr/bin/python3 -c "import socket; socket.create_connection(('127.0.0.1', $port), 1)" 2>/dev/null; do
	i=$((i + 1))
	[ $i -lt 50 ] || { echo "bench/sync.sh: nginx did not start" >&2; cat "$W/nginx/stderr" >&2; exit 1; }
	sleep 0.1
done
url="http://127.0.0.1:$port/f/"
log=$W/nginx/logs/access.log

# measure CASE: one `pocdir sync`; requests, body bytes and bytes on the wire
# (headers included) from the lines nginx logged meanwhile.
measure() {
	before=$(wc -l <"$log" 2>/dev/null || echo 0)
	t0=$(date +%s.%N)
	set +e
	"$POCDIR" sync --config "$W/node.conf" --peer "$url" >"$W/sync-$1.out" 2>"$W/sync-$1.err"
	rc=$?
	set -e
	t1=$(date +%s.%N)
	tail -n +$((before + 1)) "$log" >"$W/sync-$1.log"
	awk -v c="$1" -v rc="$rc" -v secs="$(echo "$t1 $t0" | awk '{printf "%.3f", $1 - $2}')" \
		-v summary="$(tail -n 1 "$W/sync-$1.out" | tr ' ' '_')" '
		{ n++; body += $2; wire += $3; st[$1]++ }
		END {
			s = ""; for (k in st) s = s (s == "" ? "" : ",") k ":" st[k];
			printf "RESULT bench=sync case=%s requests=%d body_bytes=%d wire_bytes=%d statuses=%s secs=%s status=%d summary=%s\n", c, n, body, wire, s, secs, rc, summary
		}' "$W/sync-$1.log"
}

# An index fetched within the second it was written is not remembered by its
# validators (RFC 9110 8.8.2.2): start once the published feed has settled.
sleep 1
measure first-full
measure nothing-changed
# One origin changes one contact: re-signed (its serial goes up), published.
one=$(ls "$W"/origins/*.yaml | sed -n 77p)
[ -n "$one" ] || one=$(ls "$W"/origins/*.yaml | head -n 1)
sed -i '0,/^    agency: /s/^    agency: \(.*\)$/    agency: \1 (renamed)/' "$one"
"$POCDIR" sign "$one" --key "$W/origin.key" >/dev/null
sleep 1 # a new Last-Modified second for index.yaml
"$POCDIR" -d "$W" publish --state "$W/pub-state" --out "$W/feeds/f" --publisher bench >/dev/null
chmod -R a+rX "$W/feeds"
measure one-changed
echo "RESULT bench=sync case=feed origins=$norigins feed_bytes=$(du -sb "$W/feeds/f" | cut -f1) changed=$(basename "$one" .yaml)"
