# tests/ldap.mk - tests for the ldap component.
# pocdird against real clients (ldapsearch, python3-ldap3), against OpenLDAP
# slapd on the same data, and against hostile ones. Each test starts its own
# daemons on free loopback ports in a scratch folder.
LDAP_TESTS = \
	tests/t_ldap_ldapsearch.sh \
	tests/t_ldap_basic.py \
	tests/t_ldap_diff.py \
	tests/t_ldap_random.py \
	tests/t_ldap_schema.py \
	tests/t_ldap_abuse.py \
	tests/t_ldap_controls.py \
	tests/t_ldap_visibility.py \
	tests/t_ldap_syncrepl.py \
	tests/t_ldap_exhaust.py \
	tests/t_ldap_syncprov.py \
	tests/t_ldap_addressbook.py \
	tests/t_ldap_reload_memory.py
TESTS += $(LDAP_TESTS)
EXTRA_DIST += $(LDAP_TESTS) tests/ldap/pocdirtest.py tests/ldap/ber.py tests/ldap/quickbench.py \
	tests/ldap/intl/origins/fr.yaml tests/ldap/intl/origins/asia.yaml

# The configuration reader alone (a pure core: no sockets, no daemon).
check_PROGRAMS += tests/ldap/t_config
TESTS += tests/ldap/t_config
tests_ldap_t_config_SOURCES = tests/ldap/t_config.c src/pocdird/config.c src/pocdird/log.c \
	src/pocdird/pocdird.h
tests_ldap_t_config_CFLAGS = $(AM_CFLAGS) $(YAML_CFLAGS)
tests_ldap_t_config_LDADD = src/lib/libpocdir-core.la $(YAML_LIBS) $(LDAP_LIBS)

# More random differential searches than make check runs:
# make difftest N=50000 [SEED=...]
N ?= 20000
SEED ?= 20261202
difftest: all
	top_srcdir=$(top_srcdir) top_builddir=$(top_builddir) POCDIR_DIFF_COUNT=$(N) \
	POCDIR_DIFF_SEED=$(SEED) /usr/bin/python3 $(top_srcdir)/tests/t_ldap_random.py
.PHONY: difftest

# Admission (per-address limits, rates, the reserve), on a fake clock.
check_PROGRAMS += tests/ldap/t_admit
TESTS += tests/ldap/t_admit
tests_ldap_t_admit_SOURCES = tests/ldap/t_admit.c src/pocdird/admit.c src/pocdird/pocdird.h
tests_ldap_t_admit_CFLAGS = $(AM_CFLAGS) $(YAML_CFLAGS)
tests_ldap_t_admit_LDADD = src/lib/libpocdir-core.la
