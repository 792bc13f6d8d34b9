# tests/tls.mk - tests for TLS: pocdird's LDAPS and StartTLS against real
# clients (ldapsearch, ldapwhoami, python3-ldap3, gnutls-cli), and its feed
# over HTTPS to curl and pocdir sync, with certificates the test makes with
# certtool (make_certs in tests/lib.sh).
TLS_TESTS = \
	tests/t_tls_ldap.py \
	tests/t_tls_feed.sh
TESTS += $(TLS_TESTS)
EXTRA_DIST += $(TLS_TESTS)
