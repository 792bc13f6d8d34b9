#!/bin/sh
# tests/mail/sandbox.sh - a local test mailbox to try ping tests and
# notifications by hand: the same dovecot (IMAP) and aiosmtpd (SMTP)
# servers the tests start, on 127.0.0.1 with their own folder, users and
# ports, and a pocdird.conf for the node node@pocdir.test that uses them.
#   sh tests/mail/sandbox.sh start FOLDER   start both, print what to export
#   sh tests/mail/sandbox.sh stop FOLDER    stop them (the folder stays)
# Mail delivered to any PoC of tests/mail/origins lands in
# FOLDER/mail/ADDRESS/Maildir; tests/mail/remote_poc.py answers it.
set -eu
top_srcdir=$(cd "$(dirname "$0")/../.." && pwd)
action=${1:-}
T=${2:-}
if [ -z "$T" ] || { [ "$action" != start ] && [ "$action" != stop ]; }; then
	echo "usage: sh tests/mail/sandbox.sh start|stop FOLDER" >&2
	exit 2
fi
if [ "$action" = stop ]; then
	for p in $(cat "$T/sandbox.pids" 2>/dev/null); do
		kill "$p" 2>/dev/null || true
	done
	rm -f "$T/sandbox.pids"
	echo "sandbox in $T stopped"
	exit 0
fi
free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
mkdir -p "$T"
T=$(cd "$T" && pwd)
PIDS=
. "$top_srcdir/tests/mail/servers.sh"
why=$(mail_servers_usable) || { echo "sandbox: $why" >&2; exit 1; }
mail_servers_start
echo "$PIDS" >"$T/sandbox.pids"
cp "$top_srcdir/tests/mail/delegated-sample.txt" "$T/delegated-extended.txt"
cat >>"$T/pocdird.conf" <<CONF
notify:
  sender-state: Republic of Testland
  sender-poc: Testland CERT
  answer-days: 3
routing:
  table: $T/delegated-extended.txt
CONF
cat <<MSG
sandbox: IMAP on 127.0.0.1:$IMAP_PORT, SMTP on 127.0.0.1:$SMTP_PORT, mail under $T/mail
  export POCDIR_CONFIG=$T/pocdird.conf
  export POCDIR_DIRECTORY=$top_srcdir/tests/mail
Answer as the remote PoCs:
  /usr/bin/python3 $top_srcdir/tests/mail/remote_poc.py $IMAP_PORT $SMTP_PORT $USERS \\
      cert@krcert.kr.example=reply info@jpcert.jp.example=ignore
Stop: sh $top_srcdir/tests/mail/sandbox.sh stop $T
MSG
