# tests/mail.mk - exchanges over mail: the real dovecot and aiosmtpd servers,
# a scripted remote PoC, ping tests, notifications and routing.
TESTS += tests/t_mail_ping.sh tests/t_mail_notify.sh tests/t_mail_daemon.sh
EXTRA_DIST += tests/t_mail_ping.sh tests/t_mail_notify.sh tests/t_mail_daemon.sh tests/mail/check_notification.py \
	tests/mail/delegated-sample.txt tests/mail/servers.sh tests/mail/smtpd.py \
	tests/mail/remote_poc.py tests/mail/origins/kr.yaml tests/mail/origins/jp.yaml \
	tests/mail/sandbox.sh tests/mail/users.py
check_PROGRAMS += tests/t_exchange
tests_t_exchange_SOURCES = tests/t_exchange.c
tests_t_exchange_LDADD = src/lib/libpocdir-core.la
TESTS += tests/t_exchange
