#!/bin/sh
# t_sync_three.sh - three pocdird on loopback, A -> hub B -> C: a change
# signed at A reaches C through B, and C verifies A's own signature although
# it fetched from B; a change at C flows back to A; all three converge on
# the same directory. Then kill -9 of C at random moments during repeated
# syncs: each restart serves the last committed version and the state loads.
. "$top_srcdir/tests/lib.sh"
[ -x "$POCDIR" ] || skip_all "pocdir not built"
[ -x "$POCDIRD" ] || skip_all "pocdird not built"
command -v ldapsearch >/dev/null || skip_all "ldapsearch not installed (ldap-utils)"
work_area

serial_of() { sed -n 's/^serial: \([0-9]*\).*/\1/p' "$1"; }
for o in kr sg jp; do "$POCDIR" keygen --key $o.key --pubkey $o.pub >/dev/null; done
mkdir -p a/origins b/origins c/origins
cp "$top_srcdir/tests/sync/kr.yaml" a/origins/
cp "$top_srcdir/tests/sync/sg.yaml" b/origins/
cp "$top_srcdir/tests/sync/jp.yaml" c/origins/
"$POCDIR" sign a/origins/kr.yaml --key kr.key >/dev/null
"$POCDIR" sign b/origins/sg.yaml --key sg.key >/dev/null
"$POCDIR" sign c/origins/jp.yaml --key jp.key >/dev/null

for n in A B C; do
	eval "LDAP_$n=$(free_port) FEED_$n=$(free_port)"
done
# node NAME DIR PEERS...: write NAME.conf; every node trusts all three origins.
node() {
	name=$1 dir=$2
	shift 2
	eval "ldap=\$LDAP_$name feed=\$FEED_$name"
	{
		echo "listen: 127.0.0.1:$ldap"
		echo "directory: $T/$dir"
		echo "sync:"
		echo "  state: $T/$dir-state"
		echo "  publisher: $name"
		echo "  feed-listen: 127.0.0.1:$feed"
		echo "  interval: 1"
		echo "  timeout: 5"
		echo "  backoff-base: 1"
		echo "  backoff-max: 2"
		echo "  peers:"
		for p in "$@"; do eval "echo \"    - http://127.0.0.1:\$FEED_$p/\""; done
		echo "  trusted:"
		echo "    - {origin: kr, key: $T/kr.pub, scope: [KR]}"
		echo "    - {origin: sg, key: $T/sg.pub, scope: [SG]}"
		echo "    - {origin: jp, key: $T/jp.pub, scope: [JP]}"
	} >"$name.conf"
}
node A a B
node B b A C
node C c B
start() {
	"$POCDIRD" -f -c "$1.conf" >>"$1.log" 2>&1 &
	eval "PID_$1=$!"
	PIDS="$PIDS $!"
}
start A
start B
start C

# serials NODE: "origin serial" lines of every contact NODE serves.
serials() {
	eval "port=\$LDAP_$1"
	ldapsearch -x -LLL -o nettimeout=5 -H "ldap://127.0.0.1:$port" -b dc=pocdir \
		'(objectClass=pocContact)' pocOrigin pocSerial 2>/dev/null |
		awk '/^pocOrigin:/ {o=$2} /^pocSerial:/ {print o, $2}' | sort -u | tr '\n' ' '
}
# wait_for NODE TEXT: until NODE's serials contain TEXT (at most ~30 s).
wait_for() {
	i=0
	while [ $i -lt 60 ]; do
		case "$(serials "$1")" in *"$2"*) return 0 ;; esac
		sleep 0.5
		i=$((i + 1))
	done
	return 1
}

KR1=$(serial_of a/origins/kr.yaml)
SG1=$(serial_of b/origins/sg.yaml)
JP1=$(serial_of c/origins/jp.yaml)
WANT="jp $JP1 kr $KR1 sg $SG1 "
check "C has A's kr through the hub" wait_for C "kr $KR1"
check "A has C's jp through the hub" wait_for A "jp $JP1"
for n in A B C; do
	wait_for $n "$WANT"
	check "node $n serves $WANT" [ "$(serials $n)" = "$WANT" ]
done
check "the hub republished A's set byte for byte" cmp a/origins/kr.yaml "b-state/feed/origins/kr/$KR1.yaml"
check "and A's signature with it" cmp a/origins/kr.yaml.minisig "b-state/feed/origins/kr/$KR1.yaml.minisig"
check "C holds kr as A signed it (verified with kr's key)" \
	sh -c "'$POCDIR' verify 'c-state/sets/kr/$KR1.yaml' --pubkey kr.pub >/dev/null"
check "C got kr from the hub, not from A" \
	sh -c "POCDIR_STATE=c-state '$POCDIR' log kr | grep -q 'http://127.0.0.1:$FEED_B/'"

# A change at A reaches C.
sed -i 's/cert@krcert.kr.example/cert-desk@krcert.kr.example/' a/origins/kr.yaml
"$POCDIR" sign a/origins/kr.yaml --key kr.key >/dev/null
KR2=$(serial_of a/origins/kr.yaml)
check "a change signed at A reaches C ($KR2)" wait_for C "kr $KR2"
check "C serves the new value" sh -c "ldapsearch -x -LLL -H ldap://127.0.0.1:$LDAP_C -b dc=pocdir '(mail=cert-desk@krcert.kr.example)' uid | grep -q '^uid: krcert'"
# A change at C flows back to A.
sed -i 's/intl@nisc.jp.example/intl-desk@nisc.jp.example/' c/origins/jp.yaml
"$POCDIR" sign c/origins/jp.yaml --key jp.key >/dev/null
JP2=$(serial_of c/origins/jp.yaml)
check "a change signed at C flows back to A ($JP2)" wait_for A "jp $JP2"
WANT="jp $JP2 kr $KR2 sg $SG1 "
for n in A B C; do
	wait_for $n "$WANT"
	check "node $n converged on $WANT" [ "$(serials $n)" = "$WANT" ]
done
check "a forged hub cannot speak for kr: B's key does not verify kr's set" \
	sh -c "! '$POCDIR' verify 'c-state/sets/kr/$KR2.yaml' --pubkey sg.pub 2>/dev/null"

# kill -9 of C at random moments while A keeps changing.
i=0
crashes=0
while [ $i -lt 6 ]; do
	i=$((i + 1))
	sed -i "s/^    agency: KrCERT.*/    agency: KrCERT\/CC round $i/" a/origins/kr.yaml
	"$POCDIR" sign a/origins/kr.yaml --key kr.key >/dev/null
	# 0.1 .. 1.6 s into C's syncs.
	sleep "$(awk -v r="$(od -An -N1 -tu1 /dev/urandom)" 'BEGIN { printf "%.2f", 0.1 + r / 170 }')"
	eval "kill -9 \$PID_C"
	eval "wait \$PID_C" 2>/dev/null
	crashes=$((crashes + 1))
	start C
	# Every restart serves what was committed last: the state loads, and
	# what LDAP shows is the newest kr held.
	held=$(ls c-state/sets/kr | sed -n 's/^\([0-9]*\)\.yaml$/\1/p' | sort -n | tail -n 1)
	j=0
	while [ $j -lt 20 ] && [ -z "$(serials C)" ]; do sleep 0.25; j=$((j + 1)); done
	case "$(serials C)" in
	*"kr $held"* | *"kr $((held + 1))"* | *"kr $((held + 2))"*)
		ok "restart $i after kill -9: serves the committed kr $held (or newer)" ;;
	*) not_ok "restart $i: C serves $(serials C), held kr $held" ;;
	esac
done
KRN=$(serial_of a/origins/kr.yaml)
check "C catches up with A after the crashes ($KRN)" wait_for C "kr $KRN"
# A crash mid-write may leave a temporary file; it is never read as a
# version, and the next commit of that origin clears it.
check "no half-written set left in C's kr history" sh -c "[ -z \"\$(find c-state/sets/kr -name '*.tmp*')\" ]"
bad=0
for f in c-state/sets/*/*.yaml; do
	"$POCDIR" validate "$f" >/dev/null 2>&1 || { bad=1; echo "# invalid: $f"; }
	"$POCDIR" verify "$f" --pubkey "$(basename "$(dirname "$f")").pub" >/dev/null 2>&1 ||
		{ bad=1; echo "# unverified: $f"; }
done
check "every set held by C validates and verifies" [ $bad -eq 0 ]
check "every version of kr kept, in order" \
	[ "$(ls c-state/sets/kr/*.yaml | wc -l)" -ge 3 ]
tap_end
