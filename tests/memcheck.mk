# tests/memcheck.mk - memory errors fail the suite. A build configured with
# --enable-sanitizers (ASan + UBSan) writes every sanitizer report to a file
# under tests/sanitizer/, and t_sanitizer_reports.sh, run by check-local
# once every other test is done, fails when there is one: a report from a
# daemon a test stopped, or from a program whose exit status nobody checks,
# counts too. Any other build runs the C unit tests and the fuzz replays
# once under valgrind (t_valgrind.sh).
if SANITIZERS
AM_TESTS_ENVIRONMENT += \
	ASAN_OPTIONS='log_path=$(abs_top_builddir)/tests/sanitizer/asan:detect_leaks=1'; \
	UBSAN_OPTIONS='log_path=$(abs_top_builddir)/tests/sanitizer/ubsan:print_stacktrace=1:halt_on_error=1'; \
	POCDIR_SANITIZERS=yes; export ASAN_OPTIONS UBSAN_OPTIONS POCDIR_SANITIZERS;
# Reports of an earlier run must not count in this one.
check_DATA = sanitizer-reports-clear
sanitizer-reports-clear:
	@rm -rf tests/sanitizer && $(MKDIR_P) tests/sanitizer
check-local: check-TESTS
	@$(AM_TESTS_ENVIRONMENT) \
	$(LOG_DRIVER) --test-name tests/t_sanitizer_reports.sh \
		--log-file tests/t_sanitizer_reports.log --trs-file tests/t_sanitizer_reports.trs \
		--color-tests no --enable-hard-errors yes --expect-failure no -- \
		$(SHELL) $(srcdir)/tests/t_sanitizer_reports.sh
	@cat tests/t_sanitizer_reports.log
	@! grep -q -E '^:test-result: (FAIL|ERROR)' tests/t_sanitizer_reports.trs
else
TESTS += tests/t_valgrind.sh
AM_TESTS_ENVIRONMENT += MEMCHECK_LIST='$(MEMCHECK_LIST)'; export MEMCHECK_LIST;
endif
.PHONY: sanitizer-reports-clear
EXTRA_DIST += tests/t_sanitizer_reports.sh tests/t_valgrind.sh
CLEANFILES += tests/t_sanitizer_reports.log tests/t_sanitizer_reports.trs

# The C unit tests (each run as it is) and the fuzz harnesses (replaying
# their corpora) that t_valgrind.sh runs.
MEMCHECK_LIST = tests/t_validate tests/t_filter tests/t_load tests/t_search \
	tests/t_threads tests/t_clock tests/ldap/t_config $(FUZZ_HARNESSES)
