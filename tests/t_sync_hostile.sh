#!/bin/sh
# t_sync_hostile.sh - a peer that attacks the nodes syncing from it rather
# than failing: a small index that would take hundreds of MB to parse (a
# flow sequence of 1.4 million empty mappings), refused in bounded memory
# by pocdir sync and by pocdird's sync thread, which keeps serving; a slow
# peer named only on the command line, held to the configured timeout; a
# peer listing 10,000 untrusted origins, which must not flood the log.
. "$top_srcdir/tests/lib.sh"
[ -x "$POCDIR" ] || skip_all "pocdir not built"
[ -x "$POCDIRD" ] || skip_all "pocdird not built"
command -v ldapsearch >/dev/null || skip_all "ldapsearch not installed (ldap-utils)"
work_area
mkdir -p feeds/bomb empty

# peak_kib CMD...: run CMD, print the peak RSS (KiB) it reached; its exit
# status goes to ./rc, its output to ./out and ./err.
peak_kib() {
	/usr/bin/python3 -c '
import resource, subprocess, sys
with open("out", "wb") as o, open("err", "wb") as e:
    rc = subprocess.call(sys.argv[1:], stdout=o, stderr=e)
open("rc", "w").write("%d\n" % rc)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)' "$@"
}
# vm_hwm PID: the peak RSS (KiB) of a running process.
vm_hwm() { sed -n 's/^VmHWM:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$1/status"; }

/usr/bin/python3 -c '
import sys
n = 1390000
sys.stdout.write("publisher: bomb\norigins: [" + "{}," * n + "{}]\n")' >feeds/bomb/index.yaml
size=$(wc -c <feeds/bomb/index.yaml)
check "the flow bomb is under the 4 MiB index limit ($size bytes)" [ "$size" -le 4194304 ]

PORT=$(free_port)
LDAP=$(free_port)
/usr/bin/python3 "$top_srcdir/tests/sync/fakepeer.py" "$PORT" "$T/feeds" >peer.out 2>peer.log &
PIDS="$PIDS $!"
for i in 1 2 3 4 5 6 7 8 9 10; do grep -q ready peer.out 2>/dev/null && break; sleep 0.2; done
U="http://127.0.0.1:$PORT"
"$POCDIR" keygen --key kr.key --pubkey kr.pub >/dev/null
cat >b.conf <<EOC
listen: 127.0.0.1:$LDAP
directory: $SAMPLE
sync:
  state: $T/b-state
  interval: 1
  timeout: 10
  backoff-base: 1
  backoff-max: 1
  peers:
    - $U/noetag/bomb/
  trusted:
    - {origin: kr, key: $T/kr.pub, scope: [KR]}
EOC

# pocdir sync: libyaml's document loader took 380-790 MB and seconds here.
kib=$(peak_kib "$POCDIR" sync --config b.conf --peer "$U/noetag/bomb/")
check "pocdir sync: the flow bomb is refused (exit $(cat rc))" [ "$(cat rc)" -eq 1 ]
check "... saying where and why" grep -q "bad index: .*index.yaml:2:[0-9]*: more than 10000 items in one list" err || sed "s/^/# /" err out
check "... with a peak RSS under 64 MiB ($kib KiB)" [ "$kib" -lt 65536 ]

# pocdird: its sync thread meets the bomb every second and keeps serving.
# AddressSanitizer's shadow memory and quarantine triple a daemon's resident
# size (about 20 MiB becomes 100); the bomb cost 400 MiB and more before it was
# refused early, so the looser bound still tells the two apart.
rss_bound=65536
[ "${POCDIR_SANITIZERS:-}" = yes ] && rss_bound=196608
"$POCDIRD" -f -c b.conf >d.log 2>&1 &
DPID=$!
PIDS="$PIDS $DPID"
for i in $(seq 1 50); do
	ldapsearch -x -LLL -H "ldap://127.0.0.1:$LDAP" -b dc=pocdir '(c=KR)' uid >/dev/null 2>&1 && break
	sleep 0.2
done
for i in $(seq 1 50); do
	[ "$(grep -c 'more than 10000 items in one list' d.log)" -ge 3 ] && break
	sleep 0.2
done
runs=$(grep -c "sync: peer $U/noetag/bomb/: failed: bad index: .*more than 10000 items in one list" d.log)
check "pocdird: the sync thread refused the bomb in $runs runs" [ "$runs" -ge 3 ]
hwm=$(vm_hwm "$DPID")
check "pocdird: peak RSS stays under $((rss_bound / 1024)) MiB ($hwm KiB)" [ "$hwm" -lt "$rss_bound" ]
check "pocdird: still answers LDAP" sh -c "ldapsearch -x -LLL -H ldap://127.0.0.1:$LDAP -b dc=pocdir '(uid=krcert)' uid | grep -q 'uid: krcert'"
kill "$DPID"
wait "$DPID" 2>/dev/null

# A peer not in the configuration, named on the command line, still gets
# the file's sync: timeout (here 2 s; the built-in default is 30 s). The
# slow peer sends its 28-byte index at 2 bytes a second.
mkdir -p feeds/plain
printf 'publisher: plain\norigins: []\n' >feeds/plain/index.yaml
sed 's/^  timeout: 10$/  timeout: 2/' b.conf >c.conf
start=$(date +%s)
"$POCDIR" sync --config c.conf --peer "$U/slow/plain/" >out 2>err
rc=$?
took=$(($(date +%s) - start))
check "pocdir sync --peer URL (not in the file): the file's timeout 2 s applies (exit $rc, $took s)" \
	sh -c "[ $rc -eq 1 ] && [ $took -lt 8 ] && grep -q 'timed out after 2 s' err"

# A peer listing 10,000 origins not trusted here, with no validators so
# that every run takes the whole index: a few lines, not 10,000 a run.
mkdir -p feeds/many
/usr/bin/python3 -c '
import sys
sha = "0" * 64
sys.stdout.write("publisher: many\norigins:\n")
for i in range(10000):
    sys.stdout.write("  - {origin: o%d, serial: 1, sha256: %s, path: origins/o%d/1.yaml}\n" % (i, sha, i))' \
	>feeds/many/index.yaml
LDAP2=$(free_port)
sed "s|^listen: .*|listen: 127.0.0.1:$LDAP2|; s|noetag/bomb/|noetag/many/|; s|b-state|m-state|" b.conf >m.conf
"$POCDIRD" -f -c m.conf >m.log 2>&1 &
MPID=$!
PIDS="$PIDS $MPID"
for i in $(seq 1 60); do
	[ "$(grep -c 'more origins ignored' m.log)" -ge 3 ] && break
	sleep 0.2
done
runs=$(grep -c 'more origins ignored' m.log)
lines=$(grep -c 'unknown origin' m.log)
check "10,000 untrusted origins over $runs runs: $lines per-origin lines (at most 20 an hour)" \
	sh -c "[ $runs -ge 3 ] && [ $lines -le 20 ]"
check "... and each run says how many it did not log" grep -q "9980 more origins ignored" m.log
kill "$MPID"
wait "$MPID" 2>/dev/null
tap_end
