# tests/ldap.mk - tests for the ldap component.
