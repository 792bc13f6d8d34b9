# tests/lib.mk - tests for the lib component.

check_PROGRAMS += tests/t_validate
TESTS += tests/t_validate
tests_t_validate_SOURCES = tests/t_validate.c
tests_t_validate_LDADD = src/lib/libpocdir-core.la

check_PROGRAMS += tests/t_filter
TESTS += tests/t_filter
tests_t_filter_SOURCES = tests/t_filter.c
tests_t_filter_LDADD = src/lib/libpocdir-core.la

check_PROGRAMS += tests/t_load
TESTS += tests/t_load
tests_t_load_SOURCES = tests/t_load.c
tests_t_load_LDADD = src/lib/libpocdir-core.la

check_PROGRAMS += tests/t_search
TESTS += tests/t_search
tests_t_search_SOURCES = tests/t_search.c
tests_t_search_LDADD = src/lib/libpocdir-core.la

check_PROGRAMS += tests/t_threads
TESTS += tests/t_threads
tests_t_threads_SOURCES = tests/t_threads.c
tests_t_threads_LDADD = src/lib/libpocdir.la $(PTHREAD_LIBS)

TESTS += tests/t_install.sh
EXTRA_DIST += tests/t_install.sh doc/lookup-example.c

TESTS += tests/t_style.sh
EXTRA_DIST += tests/t_style.sh

TESTS += tests/t_daemon_headers.sh
EXTRA_DIST += tests/t_daemon_headers.sh

check_PROGRAMS += tests/t_clock
TESTS += tests/t_clock
tests_t_clock_SOURCES = tests/t_clock.c
tests_t_clock_LDADD = src/lib/libpocdir.la

check_PROGRAMS += tests/t_source
TESTS += tests/t_source
tests_t_source_SOURCES = tests/t_source.c
tests_t_source_CFLAGS = $(AM_CFLAGS) $(YAML_CFLAGS) $(SODIUM_CFLAGS)
tests_t_source_LDADD = src/lib/libpocdir-core.la $(PTHREAD_LIBS)

check_PROGRAMS += tests/t_abi
TESTS += tests/t_abi
tests_t_abi_SOURCES = tests/t_abi.c
tests_t_abi_LDADD = src/lib/libpocdir.la
