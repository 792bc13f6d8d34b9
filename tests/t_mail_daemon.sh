#!/bin/sh
# t_mail_daemon.sh - pocdird's ping schedule against the real mail servers:
# with ping: interval set, pocdird sends a round to every PoC it serves,
# reads the mailbox between rounds and records the answers the scripted
# remote PoC sends; a restart does not ping everyone again before the
# interval has passed; pocdir ping report reads what the daemon recorded.
. "$top_srcdir/tests/lib.sh"
[ -x "$POCDIR" ] || skip_all "pocdir not built"
[ -x "$POCDIRD" ] || skip_all "pocdird not built"
work_area
. "$top_srcdir/tests/mail/servers.sh"
why=$(mail_servers_usable) || skip_all "$why"
mail_servers_start
export POCDIR_DIRECTORY="$top_srcdir/tests/mail"
LDAP_PORT=$(free_port)
{
	echo "listen: 127.0.0.1:$LDAP_PORT"
	echo "directory: $top_srcdir/tests/mail"
	cat "$T/pocdird.conf"
	echo "  interval: 60"
} >daemon.conf
sent() { ls "$T"/state/exchanges/*.yaml 2>/dev/null | grep -vc answer; }
# wait_for SECONDS COMMAND...: poll until COMMAND succeeds.
wait_for() {
	n=$(($1 * 10))
	shift
	while [ "$n" -gt 0 ]; do
		"$@" && return 0
		sleep 0.1
		n=$((n - 1))
	done
	return 1
}
"$POCDIRD" -f -c daemon.conf >daemon.log 2>&1 &
DPID=$!
PIDS="$PIDS $DPID"
check "pocdird: the schedule starts" wait_for 10 grep -q 'ping: a round every 60 s, replies read every 2 s' daemon.log
check "pocdird: a round goes out (4 checks, 1 refused)" wait_for 30 grep -q 'ping: round sent: 4 checks, 1 failed' daemon.log
check "pocdird: the refused recipient is logged" grep -q 'ping: JP/old-desk <refuse-old@desk.jp.example>: not sent: .*550' daemon.log
check "pocdird: four checks recorded" [ "$(sent)" -eq 4 ]
/usr/bin/python3 "$top_srcdir/tests/mail/remote_poc.py" "$IMAP_PORT" "$SMTP_PORT" "$USERS" \
	cert@krcert.kr.example=reply info@jpcert.jp.example=subject \
	watch@nisc.jp.example=ignore policy@mofa.kr.example=ignore >remote.out 2>remote.err
check "remote PoC answered two of four" [ "$(grep -c ' reply \| subject ' remote.out)" -eq 2 ]
check "pocdird: reads the mailbox and records both answers" \
	wait_for 20 sh -c "[ \$(ls '$T'/state/exchanges/*.answer.yaml 2>/dev/null | wc -l) -eq 2 ]"
check "pocdird: the answers are logged" sh -c "grep -q 'KR/krcert answered' daemon.log && grep -q 'JP/jpcert answered' daemon.log"
"$POCDIR" ping report >report.out
check "report: KR/krcert and JP/jpcert ok" sh -c "grep -q '^KR/krcert .* ok' report.out && grep -q '^JP/jpcert .* ok' report.out"
check "report: the other two waiting" sh -c "grep -q '^JP/nisc-watch .* waiting' report.out && grep -q '^KR/mofa-policy .* waiting' report.out"
kill "$DPID"
wait "$DPID" 2>/dev/null
"$POCDIRD" -f -c daemon.conf >daemon2.log 2>&1 &
DPID=$!
PIDS="$PIDS $DPID"
check "restart: the schedule starts again" wait_for 10 grep -q 'ping: a round every 60 s' daemon2.log
sleep 12
check "restart: no new round before the interval has passed" sh -c "[ \$(ls '$T'/state/exchanges/*.yaml | grep -vc answer) -eq 4 ] && ! grep -q 'round sent' daemon2.log"
kill "$DPID"
wait "$DPID" 2>/dev/null
tap_end
