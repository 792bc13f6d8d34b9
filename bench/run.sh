#!/bin/sh
# bench/run.sh - `make bench`: pocdird and OpenLDAP slapd side by side on the
# same generated data, driven by the same load generator, plus the library
# figures; writes BENCHMARKS.md. Sets up and tears down everything itself in
# a scratch folder on 127.0.0.1 (the system slapd is never touched), bounded
# in time (about 8 minutes on 2 cores). Not part of `make check`.
#
# Knobs (environment): BENCH_SIZES ("5000 100000"), BENCH_ORIGINS (200),
# BENCH_WARMUP (5), BENCH_DURATION (10), BENCH_CONNS (4), BENCH_INFLIGHT (8),
# BENCH_OUT (BENCHMARKS.md in the source folder), BENCH_KEEP=1 keeps the
# scratch folder, BENCH_SCHEMA (default contrib/pocdir.schema),
# BENCH_SERVERS ("slapd pocdird"; the uid workload runs over LDAPS too), BENCH_RATE_ROUNDS (3), BENCH_COMMIT (the commit measured, when
# the source folder is an export without git).
set -eu

srcdir=$(cd "$(dirname "$0")/.." && pwd)
builddir=$(pwd)
if [ ! -f "$builddir/Makefile" ]; then
	echo "bench/run.sh: run it as 'make bench' from the configured build folder" >&2
	exit 2
fi
MAKE=${MAKE:-make}
SIZES=${BENCH_SIZES:-"5000 100000"}
ORIGINS=${BENCH_ORIGINS:-200}
WARMUP=${BENCH_WARMUP:-5}
DURATION=${BENCH_DURATION:-10}
CONNS=${BENCH_CONNS:-4}
INFLIGHT=${BENCH_INFLIGHT:-8}
OUT=${BENCH_OUT:-$srcdir/BENCHMARKS.md}
SCHEMA=${BENCH_SCHEMA:-$srcdir/contrib/pocdir.schema}
SERVERS=${BENCH_SERVERS:-"slapd pocdird"}
RATE_ROUNDS=${BENCH_RATE_ROUNDS:-3}
RATE_DURATION=$(awk -v d="$DURATION" 'BEGIN { printf "%g", d / 2 }')
SEED=1
PYTHON=/usr/bin/python3
AUTOCOMPLETE_ATTRS=cn,mail,givenName,sn,telephoneNumber,mobile,o,title
# Mail clients cap an address-book search (Thunderbird's default is 100).
AUTOCOMPLETE_LIMIT=100

POCDIR=$builddir/src/pocdir/pocdir
POCDIRD=$builddir/src/pocdird/pocdird
LOADGEN=$builddir/bench/loadgen
LIBBENCH=$builddir/bench/libbench

# Client and server on different cores when there are two; servers share
# theirs (only one of them is under load at a time).
if [ "$(nproc)" -ge 2 ]; then
	PIN_CLIENT="taskset -c 0"
	PIN_SERVER="taskset -c 1"
else
	PIN_CLIENT=
	PIN_SERVER=
fi

for tool in slapd slapadd ldapsearch certtool; do
	if ! command -v "$tool" >/dev/null 2>&1 && [ ! -x "/usr/sbin/$tool" ]; then
		echo "bench/run.sh: $tool not found (Debian packages slapd, ldap-utils, gnutls-bin)" >&2
		exit 2
	fi
done
PATH=$PATH:/usr/sbin
if [ ! -f "$SCHEMA" ]; then
	echo "bench/run.sh: schema $SCHEMA not found" >&2
	exit 2
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/pocdir-bench.XXXXXX")
pids=
cleanup() {
	status=$?
	for p in $pids; do
		kill "$p" 2>/dev/null || true
	done
	for p in $pids; do
		wait "$p" 2>/dev/null || true
	done
	if [ "${BENCH_KEEP:-0}" = 1 ]; then
		echo "bench: scratch folder kept: $work"
	else
		rm -rf "$work"
	fi
	exit $status
}
trap cleanup EXIT
trap 'exit 130' INT TERM

started=$(date +%s)
load_start=$(cut -d' ' -f1-3 /proc/loadavg)
date_start=$(date -u '+%Y-%m-%d %H:%M UTC')
log() { echo "bench [$(($(date +%s) - started)) s]: $*"; }
free_port() { $PYTHON -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# Wait (at most $2 seconds) until the LDAP server at $1 answers a root DSE read.
wait_ldap() {
	i=0
	while ! ldapsearch -x -H "$1" -s base -b "" -LLL "(objectClass=*)" 1.1 >/dev/null 2>&1; do
		i=$((i + 1))
		if [ "$i" -gt $(($2 * 10)) ]; then
			return 1
		fi
		sleep 0.1
	done
}

results=$work/results.txt
: >"$results"
commands=$work/commands.txt
: >"$commands"
# record LINE...: append a command to the list BENCHMARKS.md shows.
record() { echo "$*" >>"$commands"; }

# One certificate for both servers' LDAPS, from the test suite's CA; the
# load generator trusts that CA (libldap reads LDAPTLS_CACERT).
(top_srcdir=$srcdir && . "$srcdir/tests/lib.sh" && make_certs "$work/certs") ||
	{ echo "bench: cannot make certificates (certtool)" >&2; exit 1; }
export LDAPTLS_CACERT=$work/certs/ca.pem LDAPTLS_REQCERT=demand

log "building"
targets="bench/loadgen bench/libbench src/pocdir/pocdir"
case " $SERVERS " in *" pocdird "*) targets="$targets src/pocdird/pocdird" ;; esac
$MAKE -s $targets >/dev/null

# Library figures: one fresh process per size, as ru_maxrss only grows.
lib_sizes="1000 10000 100000"
for n in $lib_sizes $SIZES; do
	d=$work/dir-$n
	[ -d "$d" ] && continue
	log "generating $n entries in $ORIGINS origins"
	$PYTHON "$srcdir/tests/gen-directory.py" --origins "$ORIGINS" --entries "$n" \
		--seed "$SEED" --out "$d" >/dev/null
done
record "/usr/bin/python3 tests/gen-directory.py --origins $ORIGINS --entries N --seed $SEED --out DIR  # N = $lib_sizes $SIZES"
for n in $lib_sizes; do
	log "library: load $n"
	$LIBBENCH load "$work/dir-$n" | tee -a "$work/lib.log" |
		sed -n "s/^RESULT /RESULT size=$n /p" >>"$results"
done
record "bench/libbench load DIR   # fresh process per size"
for n in 5000 100000; do
	[ -d "$work/dir-$n" ] || continue
	log "library: lookups at $n"
	$PIN_CLIENT $LIBBENCH lookup "$work/dir-$n" 200000 | tee -a "$work/lib.log" |
		sed -n "s/^RESULT /RESULT size=$n /p" >>"$results"
done
record "$PIN_CLIENT bench/libbench lookup DIR 200000"

# Sync: a node against a feed of 200 origins served by nginx.
SYNC_SIZE=5000
if [ -x /usr/sbin/nginx ] && [ -d "$work/dir-$SYNC_SIZE" ]; then
	log "sync: 200 origins through nginx"
	sh "$srcdir/bench/sync.sh" "$POCDIR" "$work/dir-$SYNC_SIZE" "$work/sync" >"$work/sync.out" 2>&1 ||
		{ log "sync benchmark failed:"; tail -5 "$work/sync.out" >&2; }
	sed -n "s/^RESULT /RESULT size=$SYNC_SIZE /p" "$work/sync.out" >>"$results"
	record "bench/sync.sh src/pocdir/pocdir DIR WORK   # DIR: $SYNC_SIZE entries in $ORIGINS origins; nginx serves the feed; counts from its access log"
else
	log "sync: skipped (nginx not installed)"
fi

# slapd_start SIZE: load the LDIF into a fresh back-mdb and start slapd.
slapd_start() {
	s=$work/slapd-$1
	mkdir -p "$s/db"
	sed -e "s|@SCHEMADIR@|/etc/ldap/schema|g" -e "s|@POCDIR_SCHEMA@|$SCHEMA|g" \
		-e "s|@MODULEDIR@|/usr/lib/ldap|g" -e "s|@RUNDIR@|$s|g" -e "s|@DBDIR@|$s/db|g" \
		-e "s|@TLSCERT@|$work/certs/server.pem|g" -e "s|@TLSKEY@|$work/certs/server.key|g" \
		"$srcdir/bench/slapd.conf.in" >"$s/slapd.conf"
	slapadd -q -f "$s/slapd.conf" -l "$work/dir-$1.ldif"
	port=$(free_port)
	tport=$(free_port)
	$PIN_SERVER slapd -f "$s/slapd.conf" -h "ldap://127.0.0.1:$port/ ldaps://127.0.0.1:$tport/" \
		-d 0 >"$s/log" 2>&1 &
	slapd_pid=$!
	pids="$pids $slapd_pid"
	slapd_uri=ldap://127.0.0.1:$port
	slapd_tls_uri=ldaps://127.0.0.1:$tport
	wait_ldap "$slapd_uri" 30 || { echo "bench: slapd did not start:" >&2; cat "$s/log" >&2; exit 1; }
}

pocdird_start() {
	port=$(free_port)
	tport=$(free_port)
	printf '%s\n' "listen: [ldap://127.0.0.1:$port, ldaps://127.0.0.1:$tport]" \
		"directory: $work/dir-$1" \
		"tls: {certificate: $work/certs/server.pem, key: $work/certs/server.key}" \
		>"$work/pocdird-$1.conf"
	$PIN_SERVER "$POCDIRD" -f -c "$work/pocdird-$1.conf" >"$work/pocdird-$1.log" 2>&1 &
	pocdird_pid=$!
	pids="$pids $pocdird_pid"
	pocdird_uri=ldap://127.0.0.1:$port
	pocdird_tls_uri=ldaps://127.0.0.1:$tport
	wait_ldap "$pocdird_uri" 120 || {
		echo "bench: pocdird did not start:" >&2
		cat "$work/pocdird-$1.log" >&2
		exit 1
	}
}

stop() {
	kill "$1" 2>/dev/null || true
	wait "$1" 2>/dev/null || true
	new=
	for p in $pids; do [ "$p" = "$1" ] || new="$new $p"; done
	pids=$new
}

# run SIZE WORKLOAD SERVER URI PID LOADGEN-ARGS...: one measured run.
run() {
	size=$1 workload=$2 server=$3 uri=$4 pid=$5
	shift 5
	log "$size $workload on $server"
	set +e
	$PIN_CLIENT "$LOADGEN" -H "$uri" -p "$pid" -L "$server-$workload-$size" "$@" \
		>"$work/run.out" 2>"$work/run.err"
	rc=$?
	set -e
	cat "$work/run.out" "$work/run.err" >>"$work/loadgen.log"
	sed -n "s/^RESULT /RESULT size=$size workload=$workload server=$server /p" \
		"$work/run.out" >>"$results"
	if [ $rc -ne 0 ]; then
		log "  loadgen status $rc: $(grep -v '^RESULT' "$work/run.out" | sed -n 3,4p | tr -s ' ')"
		head -3 "$work/run.err" >&2
	fi
	grep '^RESULT' "$work/run.out" | tr ' ' '\n' | grep -E '^(ops_per_s|p99_us|errors|ops_per_server_cpu_s)=' | tr '\n' ' '
	echo
}

for n in $SIZES; do
	log "export $n entries to LDIF"
	# slapadd (2.5) takes no RFC 2849 version-spec line: it reads "version"
	# as an attribute of the first entry. ldapadd would; slapadd is the tool
	# for a bulk load, so the line is dropped and nothing else is touched.
	"$POCDIR" -d "$work/dir-$n" export --format ldif |
		sed '1{/^version: 1$/d}' >"$work/dir-$n.ldif"
	slapd_pid= pocdird_pid=
	case " $SERVERS " in *" slapd "*)
		log "slapadd $n entries"
		slapd_start "$n" ;;
	esac
	case " $SERVERS " in *" pocdird "*)
		log "pocdird on $n entries"
		pocdird_start "$n" ;;
	esac
	log "key files"
	mkdir -p "$work/keys-$n"
	$LIBBENCH keys "$work/dir-$n" "$work/keys-$n" >/dev/null
	k=$work/keys-$n
	for srv in $SERVERS; do
		if [ $srv = slapd ]; then uri=$slapd_uri pid=$slapd_pid; else uri=$pocdird_uri pid=$pocdird_pid; fi
		common="-c $CONNS -k $INFLIGHT -W $WARMUP -t $DURATION"
		run "$n" uid $srv "$uri" "$pid" $common -f "$k/uid.keys"
		if [ $srv = slapd ]; then tls_uri=$slapd_tls_uri; else tls_uri=$pocdird_tls_uri; fi
		run "$n" uid-ldaps $srv "$tls_uri" "$pid" $common -f "$k/uid.keys"
		run "$n" country-role $srv "$uri" "$pid" $common -f "$k/country-role.keys"
		run "$n" autocomplete $srv "$uri" "$pid" $common -f "$k/autocomplete.keys" \
			-a "$AUTOCOMPLETE_ATTRS" -z "$AUTOCOMPLETE_LIMIT"
		run "$n" country $srv "$uri" "$pid" $common -f "$k/country.keys"
		run "$n" paged-all $srv "$uri" "$pid" -c 1 -k 1 -W 2 -t "$DURATION" -g 500 \
			-f "$k/all.keys"
	done
	# p99 at the same load: both servers at a quarter of slapd's closed-loop
	# rate (slapd spends about twice the CPU per answer when requests come
	# one by one instead of in bursts, so half its closed-loop rate already
	# overloads it), in RATE_ROUNDS alternating rounds: on a shared machine
	# one round's p99 is mostly whatever else ran then; the report takes the
	# median.
	rate=$(sed -n "s/^RESULT size=$n workload=uid server=slapd .* ops_per_s=\([0-9.]*\) .*/\1/p" \
		"$results" | awk '{ printf "%d", $1 / 4 }')
	if [ -n "$rate" ] && [ "$rate" -gt 0 ]; then
		round=1
		while [ $round -le "$RATE_ROUNDS" ]; do
			for srv in $SERVERS; do
				if [ $srv = slapd ]; then uri=$slapd_uri pid=$slapd_pid; else uri=$pocdird_uri pid=$pocdird_pid; fi
				run "$n" uid-rate $srv "$uri" "$pid" -c "$CONNS" -k "$INFLIGHT" \
					-W 2 -t "$RATE_DURATION" -r "$rate" -f "$k/uid.keys"
			done
			round=$((round + 1))
		done
	fi
	[ -z "$slapd_pid" ] || stop "$slapd_pid"
	[ -z "$pocdird_pid" ] || stop "$pocdird_pid"
done
record "src/pocdir/pocdir -d DIR export --format ldif | sed '1{/^version: 1\$/d}' > DIR.ldif"
record "slapadd -q -f slapd.conf -l DIR.ldif    # slapd.conf from bench/slapd.conf.in"
record "$PIN_SERVER slapd -f slapd.conf -h 'ldap://127.0.0.1:PORT/ ldaps://127.0.0.1:TLSPORT/' -d 0"
record "$PIN_SERVER src/pocdird/pocdird -f -c pocdird.conf   # listen: [ldap://127.0.0.1:PORT, ldaps://127.0.0.1:TLSPORT], tls: the same certificate"
record "LDAPTLS_CACERT=ca.pem $PIN_CLIENT bench/loadgen -H ldaps://127.0.0.1:TLSPORT ... -f KEYDIR/uid.keys   # uid-ldaps; certificates from make_certs in tests/lib.sh"
record "bench/libbench keys DIR KEYDIR"
record "$PIN_CLIENT bench/loadgen -H URI -p SERVER_PID -c $CONNS -k $INFLIGHT -W $WARMUP -t $DURATION -f KEYDIR/{uid,country-role,country}.keys"
record "$PIN_CLIENT bench/loadgen ... -f KEYDIR/autocomplete.keys -a $AUTOCOMPLETE_ATTRS -z $AUTOCOMPLETE_LIMIT"
record "$PIN_CLIENT bench/loadgen ... -c 1 -k 1 -W 2 -t $DURATION -g 500 -f KEYDIR/all.keys"
record "$PIN_CLIENT bench/loadgen ... -W 2 -t $RATE_DURATION -r RATE -f KEYDIR/uid.keys   # RATE = a quarter of slapd's closed-loop uid rate; $RATE_ROUNDS alternating rounds"

log "writing $OUT"
cp "$results" "$work/results.keep"
$PYTHON "$srcdir/bench/report.py" --results "$results" --commands "$commands" \
	--out "$OUT" --duration "$(($(date +%s) - started))" \
	--loadavg "$load_start / $(cut -d' ' -f1-3 /proc/loadavg)" --date "$date_start" \
	--slapd-version "$(slapd -VV 2>&1 | sed -n 's/.*\(slapd [0-9][0-9.]*[^ ]*\).*/\1/p' | head -1)" \
	--pocdird-version "${BENCH_COMMIT:-$(git -C "$srcdir" rev-parse --short HEAD 2>/dev/null || echo unknown)}"
log "done"
