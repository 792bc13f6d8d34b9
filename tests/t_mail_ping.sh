#!/bin/sh
# t_mail_ping.sh - ping tests over real mail: pocdir ping sends checks
# through aiosmtpd into dovecot mailboxes, a scripted remote PoC answers some
# of them over IMAP and SMTP, pocdir ping fetch matches the replies by token,
# and pocdir ping report says exactly who answered. Hostile replies, a
# refused recipient, a refused login and a server that never answers each
# get a clear message and change nothing recorded.
. "$top_srcdir/tests/lib.sh"
[ -x "$POCDIR" ] || skip_all "pocdir not built"
work_area
. "$top_srcdir/tests/mail/servers.sh"
why=$(mail_servers_usable) || skip_all "$why"
mail_servers_start
export POCDIR_DIRECTORY="$top_srcdir/tests/mail"
# The state of the exchanges, to show that a failure changed nothing.
records() { (cd "$T/state" 2>/dev/null && find exchanges -type f | sort | xargs -r sha256sum); }

# 1. A round of checks to every PoC: one recipient is refused by the server.
"$POCDIR" ping >out 2>err
rc=$?
check "ping: exit 1 when a check could not be sent" [ "$rc" -eq 1 ]
check "ping: four checks sent" grep -q '^4 sent, 1 failed' out
check "ping: the refused recipient is named with the server's answer" \
	grep -q 'JP/old-desk <refuse-old@desk.jp.example>: not sent: .*550' err
n=$(ls "$T/state/exchanges" | grep -c '^pd[0-9a-f]*\.yaml$')
check "ping: four exchanges recorded, none for the refused one" [ "$n" -eq 4 ]
check "ping: nothing recorded for JP/old-desk" sh -c "! grep -l 'JP/old-desk' $T/state/exchanges/*.yaml"
check "ping: each message is in the PoC's dovecot mailbox" \
	[ "$(ls "$MAILROOT"/cert@krcert.kr.example/Maildir/new | wc -l)" -eq 1 ]
eml=$(ls "$T"/state/exchanges/*.eml | head -n 1)
check "ping: the recorded message has a token in Message-ID and subject" \
	sh -c "grep -q '^Message-ID: <pd[0-9a-f]\{20\}@pocdir.test>' '$eml' && grep -q '^Subject: \[pocdir pd' '$eml'"

# 2. The remote PoC answers some checks and not others.
/usr/bin/python3 "$top_srcdir/tests/mail/remote_poc.py" "$IMAP_PORT" "$SMTP_PORT" "$USERS" \
	cert@krcert.kr.example=reply policy@mofa.kr.example=subject \
	watch@nisc.jp.example=auto info@jpcert.jp.example=ignore >remote.out 2>remote.err
check "remote PoC read every check with a real MIME parser" sh -c "[ \$(wc -l <remote.out) -eq 4 ] && [ ! -s remote.err ]"

# 3. Hostile messages delivered into the node's mailbox beside the replies.
tok=$(sed -n 's/^token: "\(.*\)"/\1/p' $(grep -l 'JP/jpcert' "$T"/state/exchanges/*.yaml))
box="$MAILROOT/node@pocdir.test/Maildir"
mkdir -p "$box/new" "$box/cur" "$box/tmp"
hostile() { cat >"$box/new/$1.host"; }
/usr/bin/python3 -c "
import sys
sys.stdout.write('From: a@jpcert.jp.example\r\nSubject: Re: [pocdir $tok] huge\r\nIn-Reply-To: <$tok@pocdir.test>\r\n\r\n' + 'x' * 76 + '\r\n' * 1 + ('y' * 76 + '\r\n') * 5000)" | hostile huge
printf 'From: a@jpcert.jp.example\r\nSubject: Re: [pocdir %s]\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed\r\n\r\nno boundary\r\n' "$tok" | hostile badmime
printf 'From: someone@example.org\r\nSubject: hello\r\n\r\nno token here\r\n' | hostile notoken
printf 'From: a@jpcert.jp.example\r\nSubject: Re: [pocdir pd00000000000000000000]\r\n\r\nforged\r\n' | hostile unknown
/usr/bin/python3 -c "
import sys
sys.stdout.write('From: a@jpcert.jp.example\r\nSubject: Re: [pocdir $tok] ' + 'z' * 2000 + '\r\n\r\nlong line\r\n')" | hostile longline
chown -R "$MAIL_USER:$MAIL_GROUP" "$box"
before=$(records)

# 4. Fetch: the real replies match, the rest is refused with reasons.
logins() { grep -c 'Login: user=<node@pocdir.test>' "$T/dovecot/dovecot.log"; }
l0=$(logins)
"$POCDIR" ping fetch >out 2>err
rc=$?
check "fetch: one IMAP login for the searches and all nine headers" [ $(($(logins) - l0)) -eq 1 ]
check "fetch: exit 0" [ "$rc" -eq 0 ]
check "fetch: two answers (reply threading, subject token)" grep -q ' 2 new answers' out
check "fetch: KR/krcert answered" grep -q '^answered KR/krcert .*from cert@krcert.kr.example' out
check "fetch: KR/mofa-policy answered by its subject's token" grep -q '^answered KR/mofa-policy' out
check "fetch: the auto-reply is not an answer" grep -q 'refused: an automatic reply (Auto-Submitted: auto-replied)' err
check "fetch: the huge reply is not read" grep -q 'refused: larger than the limit of 262144 bytes' err
check "fetch: multipart without boundary is refused" grep -q 'bad MIME: Content-Type multipart/mixed has no boundary' err
check "fetch: a message without a token is refused" grep -q 'from someone@example.org: refused: no pocdir token' err
check "fetch: an unknown token is refused" grep -q 'refused: its token matches nothing sent from this node' err
check "fetch: an over-long header line is refused" grep -q 'refused: header line 2 is longer than 998 bytes' err
after=$(records)
check "fetch: only the two answers were added" \
	[ "$(echo "$after" | grep -c 'answer.yaml')" -eq 2 ]
check "fetch: nothing for JP/jpcert (hostile replies recorded nothing)" \
	sh -c "! ls $T/state/exchanges/$tok.answer.yaml 2>/dev/null"
"$POCDIR" ping fetch >out2 2>err2
check "fetch again: the answers are known, none new" grep -q ' 0 new answers, 2 known' out2
check "fetch again: records unchanged" [ "$(records)" = "$after" ]

# 5. The report says exactly who answered; after the answer time, who is overdue.
"$POCDIR" ping report >report 2>&1
rc=$?
check "report: exit 0 while nobody is overdue" [ "$rc" -eq 0 ]
check "report: KR/krcert ok" grep -q '^KR/krcert .* yes .* ok' report
check "report: KR/mofa-policy ok" grep -q '^KR/mofa-policy .* yes .* ok' report
check "report: JP/jpcert not answered, waiting" grep -q '^JP/jpcert .* no .* waiting' report
check "report: JP/nisc-watch not answered (auto-reply), waiting" grep -q '^JP/nisc-watch .* no .* waiting' report
check "report: four contacts" grep -q '^4 contacts, 0 overdue' report
later=$(( $(date +%s) + 8 * 86400 ))
POCDIR_NOW=$later "$POCDIR" ping report >report8 2>&1
rc=$?
check "report 8 days later: exit 1 (overdue PoCs, for cron)" [ "$rc" -eq 1 ]
check "report 8 days later: JP/jpcert OVERDUE" grep -q '^JP/jpcert .* OVERDUE' report8
check "report 8 days later: JP/nisc-watch OVERDUE" grep -q '^JP/nisc-watch .* OVERDUE' report8
check "report 8 days later: KR/krcert ok, 8 days since success" grep -q '^KR/krcert .* ok (8 days since success)' report8
check "report 8 days later: 2 overdue" grep -q '^4 contacts, 2 overdue' report8

# What a kill -9 in the middle of a write can leave (util.c's temporary
# files, a message whose record was not yet renamed into place) is not
# taken for a record.
cp report report.before
printf 'kind: ping\ntoken: "pd' >"$T/state/exchanges/$tok.answer.yaml.tmpAb12Cd"
printf 'half a messa' >"$T/state/exchanges/pd0123456789abcdef0123.eml"
printf 'kind: ping\nent' >"$T/state/exchanges/pd0123456789abcdef0123.yaml.tmpXy34Zw"
"$POCDIR" ping report >report 2>&1
check "crash leftovers: the report is the same" cmp -s report report.before
rm -f "$T"/state/exchanges/*.tmp* "$T/state/exchanges/pd0123456789abcdef0123.eml"

# 6. Failures change nothing recorded.
before=$(records)
sed "s/pw-node/wrong/" "$T/netrc" >"$T/netrc.bad"
chmod 600 "$T/netrc.bad"
sed "s|credentials: .*|credentials: $T/netrc.bad|" "$T/pocdird.conf" >bad-login.conf
POCDIR_CONFIG=bad-login.conf "$POCDIR" ping fetch >out 2>err
rc=$?
check "IMAP login failure: exit 1" [ "$rc" -eq 1 ]
check "IMAP login failure: says the server refused the login" grep -q 'IMAP server imap://127.0.0.1:.* refused the login' err
POCDIR_CONFIG=bad-login.conf "$POCDIR" ping --country KR >out 2>err
check "SMTP login failure: says so" grep -q 'not sent: SMTP server smtp://127.0.0.1:.* refused the login' err
# A server that accepts the connection and never speaks.
SILENT_PORT=$(free_port)
/usr/bin/python3 -c "
import socket, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('127.0.0.1', $SILENT_PORT)); s.listen(8)
conns = []
while True:
    c, _ = s.accept(); conns.append(c)" &
PIDS="$PIDS $!"
sleep 0.3
sed -e "s|smtp: .*|smtp: smtp://127.0.0.1:$SILENT_PORT|" -e "s|timeout: .*|timeout: 2|" \
	"$T/pocdird.conf" >silent.conf
POCDIR_CONFIG=silent.conf "$POCDIR" ping --id krcert >out 2>err
rc=$?
check "SMTP timeout: exit 1" [ "$rc" -eq 1 ]
check "SMTP timeout: says it timed out" grep -q 'not sent: SMTP server smtp://127.0.0.1:[0-9]* timed out after 2 s' err
"$POCDIR" ping --country XX >out 2>err
rc=$?
check "unknown country: exit 1 with a message" sh -c "[ $rc -eq 1 ] && grep -q 'no contact matches' err"
check "failures: records unchanged" [ "$(records)" = "$before" ]
POCDIR_STATE="$T/state" "$POCDIR" show KR/krcert >show.out
check "show: KR/krcert verified here, by the ping test's answer" \
	grep -q "^verified here  *20[0-9-]* [0-9:]*Z (answered a ping test from this node)" show.out
check "show: the origin's own pocVerified unchanged beside it" grep -q '^pocVerified  *2026-11-01' show.out
POCDIR_STATE="$T/state" "$POCDIR" show JP/jpcert >show.out
check "show: JP/jpcert (never answered) has no local verification" sh -c "! grep -q 'verified here' show.out"
tap_end
