# tests/lib.mk - tests for the lib component.

check_PROGRAMS += tests/t_validate
TESTS += tests/t_validate
tests_t_validate_SOURCES = tests/t_validate.c
tests_t_validate_LDADD = src/lib/libpocdir-core.la
