# tests/ldap.mk - tests for the ldap component.
# pocdird against real clients (ldapsearch, python3-ldap3), against OpenLDAP
# slapd on the same data, and against hostile ones. Each test starts its own
# daemons on free loopback ports in a scratch folder.
LDAP_TESTS = \
	tests/t_ldap_ldapsearch.sh \
	tests/t_ldap_basic.py \
	tests/t_ldap_diff.py \
	tests/t_ldap_abuse.py
TESTS += $(LDAP_TESTS)
EXTRA_DIST += $(LDAP_TESTS) tests/ldap/pocdirtest.py tests/ldap/ber.py tests/ldap/quickbench.py
