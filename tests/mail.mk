# tests/mail.mk - exchanges over mail: the real dovecot and aiosmtpd servers,
# a scripted remote PoC, ping tests, notifications and routing.
TESTS += tests/t_mail_ping.sh
EXTRA_DIST += tests/t_mail_ping.sh tests/mail/servers.sh tests/mail/smtpd.py \
	tests/mail/remote_poc.py tests/mail/origins/kr.yaml tests/mail/origins/jp.yaml
