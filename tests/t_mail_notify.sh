#!/bin/sh
# t_mail_notify.sh - notifications over real mail: pocdir notify builds a
# message from the template (typed, checked indicators; STIX 2.1 part; a
# minisign signature), chooses the PoC (open now, else 24x7), routes IPs to
# countries through the RIR sample table, sends through aiosmtpd into
# dovecot; the scripted remote PoC answers one case and not the other;
# pocdir cases shows which. Bad input changes nothing recorded. pocdir route
# answers by longest prefix and refreshes its table conditionally.
. "$top_srcdir/tests/lib.sh"
[ -x "$POCDIR" ] || skip_all "pocdir not built"
work_area
. "$top_srcdir/tests/mail/servers.sh"
why=$(mail_servers_usable) || skip_all "$why"
[ -x /usr/bin/minisign ] || skip_all "minisign not installed"
mail_servers_start
export POCDIR_DIRECTORY="$top_srcdir/tests/mail"
records() { (cd "$T/state" 2>/dev/null && find exchanges -type f | sort | xargs -r sha256sum); }
cp "$top_srcdir/tests/mail/delegated-sample.txt" "$T/routes.txt"
"$POCDIR" keygen --key "$T/node.key" --pubkey "$T/node.pub" >/dev/null
cat >>"$T/pocdird.conf" <<CONF
notify:
  sender-state: Republic of Testland
  sender-poc: Testland CERT
  key: $T/node.key
  answer-days: 7
routing:
  table: $T/routes.txt
CONF
# Saturday 28 November 2026, 08:00 UTC: 17:00 in Tokyo and Seoul.
SAT=1795852800

# 1. --dry-run prints the exact message, sends and records nothing.
POCDIR_NOW=$SAT "$POCDIR" notify --country KR --summary "Phishing site hosted in your network" \
	--ioc ip:198.51.100.7 --ioc domain:Login-Bank.example --ioc url:https://login-bank.example/x \
	--ioc email:phish@login-bank.example --ioc sha256:9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08 \
	--ioc malware:Emotet --urgency high --tlp amber --first-seen 2026-11-27 \
	--last-seen 2026-11-28T07:00:00Z --action "Take the site down and tell us" --dry-run \
	>dry.eml 2>dry.err
rc=$?
check "dry-run: exit 0" [ "$rc" -eq 0 ]
check "dry-run: the choice is shown" grep -q '^to KR/krcert <cert@krcert.kr.example>: office open now (24/7, 17:00 Asia/Seoul)' dry.err
check "dry-run: nothing recorded" [ ! -d "$T/state/exchanges" ]
check "dry-run: nothing in the PoC's mailbox" [ ! -d "$MAILROOT/cert@krcert.kr.example/Maildir/new" ]
mkdir -p dry
/usr/bin/python3 "$top_srcdir/tests/mail/check_notification.py" dry.eml dry >dry.check 2>dry.check.err
check "dry-run: a MIME message whose STIX 2.1 bundle a consumer accepts" [ "$?" -eq 0 ]
[ -s dry.check.err ] && sed 's/^/# /' dry.check.err
check "STIX: an ipv4-addr pattern" grep -q "^\[ipv4-addr:value = '198.51.100.7'\]" dry.check
check "STIX: the domain, lower-cased" grep -q "^\[domain-name:value = 'login-bank.example'\]" dry.check
check "STIX: a SHA-256 file hash, lower-case hex" grep -q "^\[file:hashes.'SHA-256' = '9f86d08" dry.check
check "STIX: TLP:AMBER marking" grep -q "^tlp \['amber'\]" dry.check
check "signature: minisign verifies the STIX part with the node's key" \
	/usr/bin/minisign -Vq -m dry/bundle.json -x dry/bundle.json.minisig -p "$T/node.pub"
check "signature: the trusted comment names the case" sh -c \
	"/usr/bin/minisign -V -m dry/bundle.json -x dry/bundle.json.minisig -p '$T/node.pub' | grep -q 'pocdir notification pd'"

# 2. Bad input: a clear message each, exit 2, nothing recorded or sent.
bad() {
	d=$1
	shift
	POCDIR_NOW=$SAT "$POCDIR" notify --summary "x" "$@" >bad.out 2>bad.err
	brc=$?
	check "bad input: $d: exit 2" [ "$brc" -eq 2 ]
}
bad "unknown country" --country XY
check "bad input: unknown country named" grep -q '"XY" is not an ISO 3166-1 alpha-2 code' bad.err
bad "no PoC with that role" --country KR --role law-enforcement
check "bad input: no PoC with the role said so" grep -q 'no PoC in KR (Korea, Republic of) with role law-enforcement' bad.err
bad "unparsable IP" --country KR --ioc ip:300.1.2.3
check "bad input: the bad IP is named" grep -q 'ip:300.1.2.3: not an IPv4 or IPv6 address' bad.err
bad "prefix with host bits" --country KR --ioc ip:198.51.100.7/24
check "bad input: host bits named" grep -q 'ip:198.51.100.7/24: bits are set past the /24 prefix length' bad.err
bad "short hash" --country KR --ioc sha256:abcd
check "bad input: digest length said" grep -q 'sha256:abcd: a SHA-256 digest is 64 hex digits' bad.err
bad "bad domain" --country KR --ioc domain:-bad-.example
check "bad input: domain label said" grep -q "domain:-bad-.example: not a domain: a label starts with '-'" bad.err
bad "untyped indicator" --country KR --ioc 198.51.100.7
check "bad input: TYPE:VALUE asked for" grep -q 'write an indicator as TYPE:VALUE' bad.err
bad "bad TLP" --country KR --tlp purple
check "bad input: TLP choices listed" grep -q 'TLP "purple" is not one of clear, green, amber, amber+strict, red' bad.err
bad "no country, no routable IP" --ioc domain:login-bank.example
check "bad input: asks for a country" grep -q 'no recipient country: give --country' bad.err
check "bad input: nothing recorded" [ ! -d "$T/state/exchanges" ]

# 3. Routed by IP: KR and JP blocks (the JP one a longer prefix inside KR's
# /24), one address nobody holds; JP's office is closed on Saturday: its
# 24x7 PoC gets it.
POCDIR_NOW=$SAT "$POCDIR" notify --summary "Scanning from your networks" \
	--ioc ip:198.51.100.7 --ioc ip:198.51.100.130 --ioc ip:2001:db8:1000::5 --ioc ip:192.0.2.1 \
	--ioc malware:Mirai --type request-for-assistance --tlp green >sent.out 2>sent.err
rc=$?
check "notify: exit 0" [ "$rc" -eq 0 ]
check "notify: the unrouted address is reported" grep -q 'not routed: ip:192.0.2.1: no country in the routing table' sent.err
check "notify: KR's CERT chosen, open 24/7" grep -q '^to KR/krcert <cert@krcert.kr.example>: office open now' sent.out
check "notify: JP's office closed, its 24x7 PoC chosen" \
	grep -q '^to JP/nisc-watch <watch@nisc.jp.example>: JP/jpcert closed now (Mo-Fr 09:00-17:30, 17:00 Asia/Tokyo); office open now (24/7' sent.out
check "notify: two sent" grep -q '^2 sent, 0 failed' sent.out
kr=$(ls "$MAILROOT"/cert@krcert.kr.example/Maildir/new/* | head -n 1)
jp=$(ls "$MAILROOT"/watch@nisc.jp.example/Maildir/new/* | head -n 1)
mkdir -p kr jp
/usr/bin/python3 "$top_srcdir/tests/mail/check_notification.py" "$kr" kr >kr.check 2>&1
check "KR's copy: valid, with KR's address only" sh -c "grep -q \"198.51.100.7'\" kr.check && ! grep -q '198.51.100.130\|2001:db8' kr.check"
/usr/bin/python3 "$top_srcdir/tests/mail/check_notification.py" "$jp" jp >jp.check 2>&1
check "JP's copy: valid, the longer prefix's address and the IPv6 one" sh -c "grep -q \"198.51.100.130'\" jp.check && grep -q \"2001:db8:1000::5'\" jp.check && ! grep -q \"198.51.100.7'\" jp.check"
check "both copies: the malware" grep -q 'Mirai' "$kr"
"$POCDIR" cases >cases.out
check "cases: two open" grep -q '^2 cases: 0 answered, 2 open, 0 overdue' cases.out

# 4. The remote PoC answers KR's case and not JP's.
/usr/bin/python3 "$top_srcdir/tests/mail/remote_poc.py" "$IMAP_PORT" "$SMTP_PORT" "$USERS" \
	cert@krcert.kr.example=reply watch@nisc.jp.example=ignore >remote.out 2>remote.err
check "remote PoC read both notifications" [ "$(wc -l <remote.out)" -eq 2 ]
"$POCDIR" cases fetch >cases.out 2>cases.err
rc=$?
check "cases fetch: exit 0" [ "$rc" -eq 0 ]
check "cases fetch: one new answer" grep -q ' 1 new answer' cases.out
check "cases: KR answered by its CERT" grep -q 'KR/krcert .* answered .* by cert@krcert.kr.example' cases.out
check "cases: JP still open" grep -q 'JP/nisc-watch .* sent, due' cases.out
"$POCDIR" ping report >report.out
check "a notification's answer is not a ping test" grep -q '^no ping tests recorded' report.out
POCDIR_NOW=$((SAT + 8 * 86400)) "$POCDIR" cases >late.out
rc=$?
check "cases 8 days later: exit 1 (overdue)" [ "$rc" -eq 1 ]
check "cases 8 days later: JP OVERDUE" grep -q 'JP/nisc-watch .* OVERDUE' late.out

# 5. SMTP refusing: nothing recorded.
before=$(records)
sed "s/pw-node/wrong/" "$T/netrc" >"$T/netrc.bad"
chmod 600 "$T/netrc.bad"
sed "s|credentials: .*|credentials: $T/netrc.bad|" "$T/pocdird.conf" >bad.conf
POCDIR_CONFIG=bad.conf "$POCDIR" notify --country KR --summary x >out 2>err
rc=$?
check "SMTP refusing the login: exit 1, said so" sh -c "[ $rc -eq 1 ] && grep -q 'not sent: SMTP server .* refused the login' err"
check "SMTP refusing: nothing recorded" [ "$(records)" = "$before" ]

# 6. pocdir route: longest prefix, IPv6, nothing, bad input.
"$POCDIR" route 198.51.100.7 198.51.100.130 2001:db8::1 2001:db8:1000::1 >route.out
check "route: KR's /24" grep -q '^198.51.100.7 KR' route.out
check "route: JP's longer /26 inside it" grep -q '^198.51.100.130 JP' route.out
check "route: IPv6 /32 and the /36 inside it" sh -c "grep -q '^2001:db8::1 KR' route.out && grep -q '^2001:db8:1000::1 JP' route.out"
"$POCDIR" route 192.0.2.1 >route.out
check "route: a reserved block routes nowhere (exit 1)" sh -c "[ $? -eq 1 ] && grep -q 'no block' route.out"
"$POCDIR" route 300.1.1.1 2>route.err
check "route: bad address, exit 2" [ "$?" -eq 2 ]

# 7. pocdir route refresh: conditional GET from a web server.
mkdir -p www
cp "$top_srcdir/tests/mail/delegated-sample.txt" www/delegated-extended.txt
echo 'apnic|FR|ipv4|203.0.113.192|64|20250101|allocated|A9100003' >>www/delegated-extended.txt
# Published a while ago, as a registry's daily file is: a file served in the
# second it was written is not remembered by its validators (RFC 9110 8.8.2.2).
touch -d '1 hour ago' www/delegated-extended.txt
HTTP_PORT=$(free_port)
/usr/bin/python3 -m http.server --bind 127.0.0.1 --directory www "$HTTP_PORT" >http.log 2>&1 &
PIDS="$PIDS $!"
for _ in $(seq 1 50); do
	curl -s -o /dev/null "http://127.0.0.1:$HTTP_PORT/" && break
	sleep 0.1
done
echo "  url: http://127.0.0.1:$HTTP_PORT/delegated-extended.txt" >>"$T/pocdird.conf"
"$POCDIR" route refresh >r1.out 2>&1
check "refresh: updated" grep -q 'routing table updated' r1.out
check "refresh: the new block routes" sh -c "'$POCDIR' route 203.0.113.200 | grep -q FR"
"$POCDIR" route refresh >r2.out 2>&1
check "refresh again: not modified (304)" grep -q 'not modified' r2.out
check "refresh again: one request with If-Modified-Since answered 304" \
	sh -c "grep -c '\" 304 ' http.log | grep -q '^1$'"
sum=$(sha256sum <"$T/routes.txt")
sleep 1
printf 'apnic|KR|ipv4|not-an-address|256|20100101|allocated|x\n' >www/delegated-extended.txt
"$POCDIR" route refresh >r3.out 2>&1
rc=$?
check "refresh of a bad table: exit 1 with file:line" sh -c "[ $rc -eq 1 ] && grep -q 'delegated-extended.txt:1: bad IPv4 block not-an-address' r3.out"
check "refresh of a bad table: the old table kept" [ "$(sha256sum <"$T/routes.txt")" = "$sum" ]
tap_end
