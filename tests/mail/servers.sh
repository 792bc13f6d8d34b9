# tests/mail/servers.sh - sourced by the exchange tests after work_area: a
# real IMAP server (dovecot, a non-system instance with its own base_dir,
# passwd-file users, Maildir folders and port) and a real SMTP server
# (aiosmtpd) that delivers into those folders, both on 127.0.0.1.
# mail_servers_usable says what is missing; mail_servers_start starts both.
# Sets IMAP_PORT, SMTP_PORT, USERS, MAILROOT; writes $T/pocdird.conf and
# $T/netrc for the node node@pocdir.test. Needs $T and $PIDS.
DOVECOT=/usr/sbin/dovecot
mail_servers_usable() {
	[ -x "$DOVECOT" ] || { echo "dovecot not installed (dovecot-imapd)"; return 1; }
	/usr/bin/python3 -c 'import aiosmtpd' 2>/dev/null ||
		{ echo "aiosmtpd not installed (python3-aiosmtpd)"; return 1; }
	return 0
}
mail_servers_start() {
IMAP_PORT=$(free_port)
SMTP_PORT=$(free_port)
MAILROOT=$T/mail
USERS=$T/dovecot/users
mkdir -p "$T/dovecot/run" "$T/dovecot/state" "$MAILROOT"
chmod 755 "$T"
# dovecot refuses mail access as root: as root, mail belongs to nobody.
if [ "$(id -u)" -eq 0 ]; then
	MAIL_USER=nobody
	MAIL_GROUP=$(id -gn nobody)
	AS_MAIL_USER="setpriv --reuid=nobody --regid=$MAIL_GROUP --clear-groups"
else
	MAIL_USER=$(id -un)
	MAIL_GROUP=$(id -gn)
	AS_MAIL_USER=
fi
# The node and every PoC mailbox the test directory names.
: >"$USERS"
for u in node@pocdir.test cert@krcert.kr.example duty@krcert.kr.example policy@mofa.kr.example \
	info@jpcert.jp.example watch@nisc.jp.example; do
	echo "$u:{PLAIN}pw-${u%%@*}::::::" >>"$USERS"
done
chmod 644 "$USERS"
cat >"$T/dovecot/dovecot.conf" <<CONF
base_dir = $T/dovecot/run
state_dir = $T/dovecot/state
log_path = $T/dovecot/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_login_user = $MAIL_USER
default_internal_user = $MAIL_USER
default_internal_group = $MAIL_GROUP
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u $USERS
}
userdb {
  driver = passwd-file
  args = username_format=%u $USERS
  default_fields = uid=$MAIL_USER gid=$MAIL_GROUP home=$MAILROOT/%u
}
mail_location = maildir:$MAILROOT/%u/Maildir
service imap-login {
  chroot =
  inet_listener imap {
    address = 127.0.0.1
    port = $IMAP_PORT
  }
  inet_listener imaps {
    port = 0
  }
}
service anvil {
  chroot =
}
CONF
chown -R "$MAIL_USER:$MAIL_GROUP" "$MAILROOT"
# In the foreground (-F): its pid is known at once, so the caller's exit
# trap stops it whatever happens next.
"$DOVECOT" -F -c "$T/dovecot/dovecot.conf" 2>"$T/dovecot/stderr" &
PIDS="$PIDS $!"
# The mail user may not read the source tree (a clone under /root): it runs
# a copy of the server kept beside the mail.
mkdir -p "$T/smtpd"
cp "$top_srcdir/tests/mail/smtpd.py" "$top_srcdir/tests/mail/users.py" "$T/smtpd/"
chmod -R a+rX "$T/smtpd"
# shellcheck disable=SC2086
$AS_MAIL_USER /usr/bin/python3 "$T/smtpd/smtpd.py" "$SMTP_PORT" "$MAILROOT" \
	"$USERS" "$MAILROOT/.smtpd.ready" 2>"$T/smtpd.log" &
PIDS="$PIDS $!"
for _ in $(seq 1 300); do
	[ -f "$MAILROOT/.smtpd.ready" ] && [ -f "$T/dovecot/run/master.pid" ] && break
	sleep 0.1
done
[ -f "$MAILROOT/.smtpd.ready" ] || { echo "Bail out! smtpd did not start"; cat "$T/smtpd.log"; exit 1; }
[ -f "$T/dovecot/run/master.pid" ] ||
	{ echo "Bail out! dovecot did not start"; cat "$T/dovecot/stderr"; exit 1; }
cat >"$T/netrc" <<NETRC
machine 127.0.0.1 login node@pocdir.test password pw-node
NETRC
chmod 600 "$T/netrc"
cat >"$T/pocdird.conf" <<CONF
sync:
  state: $T/state
mail:
  from: node@pocdir.test
  name: "Test Node CERT"
  smtp: smtp://127.0.0.1:$SMTP_PORT
  imap: imap://127.0.0.1:$IMAP_PORT/INBOX
  credentials: $T/netrc
  timeout: 5
  max-reply: 256K
ping:
  answer-days: 7
CONF
export POCDIR_CONFIG="$T/pocdird.conf"
}
