# tests/local.mk - the test suite: one fragment per component, all TAP.
EXTRA_DIST += tests/tap.h tests/lib.sh tests/summary.sh
include tests/lib.mk
include tests/cli.mk
include tests/ldap.mk
include tests/sync.mk
include tests/import.mk
include tests/tls.mk
include tests/mail.mk
include tests/contrib.mk
include tests/web.mk
include tests/fuzz.mk
include tests/memcheck.mk
