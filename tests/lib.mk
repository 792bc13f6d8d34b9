# tests/lib.mk - tests for the lib component.

check_PROGRAMS += tests/t_validate
TESTS += tests/t_validate
tests_t_validate_SOURCES = tests/t_validate.c
tests_t_validate_LDADD = src/lib/libpocdir-core.la

check_PROGRAMS += tests/t_filter
TESTS += tests/t_filter
tests_t_filter_SOURCES = tests/t_filter.c
tests_t_filter_LDADD = src/lib/libpocdir-core.la
