# tests/fuzz.mk - fuzz harnesses (tests/fuzz/): each defines libFuzzer's
# LLVMFuzzerTestOneInput. Built with ./configure --enable-fuzzing CC=clang
# they link libFuzzer and `make fuzz-smoke` fuzzes each for a bounded time;
# in every other build they link tests/fuzz/replay.c instead, and make check
# replays their seed corpora and the inputs of past crashes (regress/).
FUZZ_HARNESSES = \
	tests/fuzz/fuzz_origin \
	tests/fuzz/fuzz_filter_ber \
	tests/fuzz/fuzz_filter_string \
	tests/fuzz/fuzz_feed_index \
	tests/fuzz/fuzz_minisign \
	tests/fuzz/fuzz_config \
	tests/fuzz/fuzz_ldap \
	tests/fuzz/fuzz_mail \
	tests/fuzz/fuzz_api
check_PROGRAMS += $(FUZZ_HARNESSES)

if FUZZING
FUZZ_MAIN =
else
FUZZ_MAIN = tests/fuzz/replay.c
endif
FUZZ_COMMON = tests/fuzz/fuzz.h tests/fuzz/fuzz_common.c $(FUZZ_MAIN)
FUZZ_LINK_FLAGS = $(AM_LDFLAGS) $(FUZZ_ENGINE)

tests_fuzz_fuzz_origin_SOURCES = tests/fuzz/fuzz_origin.c $(FUZZ_COMMON)
tests_fuzz_fuzz_origin_LDADD = src/lib/libpocdir-core.la
tests_fuzz_fuzz_origin_LDFLAGS = $(FUZZ_LINK_FLAGS)

FUZZ_FILTER = tests/fuzz/filter_check.c tests/fuzz/filter_check.h
tests_fuzz_fuzz_filter_ber_SOURCES = tests/fuzz/fuzz_filter_ber.c $(FUZZ_FILTER) $(FUZZ_COMMON)
tests_fuzz_fuzz_filter_ber_LDADD = src/lib/libpocdir-core.la
tests_fuzz_fuzz_filter_ber_LDFLAGS = $(FUZZ_LINK_FLAGS)

tests_fuzz_fuzz_filter_string_SOURCES = tests/fuzz/fuzz_filter_string.c $(FUZZ_FILTER) \
	$(FUZZ_COMMON)
tests_fuzz_fuzz_filter_string_LDADD = src/lib/libpocdir-core.la
tests_fuzz_fuzz_filter_string_LDFLAGS = $(FUZZ_LINK_FLAGS)

tests_fuzz_fuzz_feed_index_SOURCES = tests/fuzz/fuzz_feed_index.c $(FUZZ_COMMON)
tests_fuzz_fuzz_feed_index_LDADD = src/lib/libpocdir-core.la
tests_fuzz_fuzz_feed_index_LDFLAGS = $(FUZZ_LINK_FLAGS)

tests_fuzz_fuzz_minisign_SOURCES = tests/fuzz/fuzz_minisign.c $(FUZZ_COMMON)
tests_fuzz_fuzz_minisign_LDADD = src/lib/libpocdir-core.la
tests_fuzz_fuzz_minisign_LDFLAGS = $(FUZZ_LINK_FLAGS)

tests_fuzz_fuzz_config_SOURCES = tests/fuzz/fuzz_config.c src/pocdird/config.c \
	src/pocdird/log.c $(FUZZ_COMMON)
tests_fuzz_fuzz_config_CPPFLAGS = $(AM_CPPFLAGS) -iquote $(top_srcdir)/src/pocdird
tests_fuzz_fuzz_config_CFLAGS = $(AM_CFLAGS) $(YAML_CFLAGS)
tests_fuzz_fuzz_config_LDADD = src/lib/libpocdir-core.la $(YAML_LIBS) $(LDAP_LIBS)
tests_fuzz_fuzz_config_LDFLAGS = $(FUZZ_LINK_FLAGS)

# Replay every corpus and regression input (a crash fails the test).
TESTS += tests/fuzz/t_fuzz_replay.sh
EXTRA_DIST += tests/fuzz/t_fuzz_replay.sh tests/fuzz/smoke.sh tests/fuzz/corpus \
	tests/fuzz/regress tests/fuzz/dict
TESTS_ENVIRONMENT_FUZZ = FUZZ_HARNESSES='$(FUZZ_HARNESSES)'; export FUZZ_HARNESSES;

# Fuzz each harness for FUZZ_SMOKE_TIME seconds on a scratch copy of its
# corpus; the result is TAP in tests/fuzz/smoke.log, counted by
# tests/summary.sh like the rest of the suite.
FUZZ_SMOKE_TIME = 10
# Generated sources first (as make all would), then the harnesses alone.
fuzz-smoke:
if FUZZING
	@$(MAKE) $(AM_MAKEFLAGS) $(BUILT_SOURCES)
	@$(MAKE) $(AM_MAKEFLAGS) $(FUZZ_HARNESSES)
	@rm -f tests/fuzz/smoke.log tests/fuzz/smoke.trs
	@$(MKDIR_P) tests/fuzz
	@$(AM_TESTS_ENVIRONMENT) $(TESTS_ENVIRONMENT_FUZZ) FUZZ_SMOKE_TIME=$(FUZZ_SMOKE_TIME); \
	export FUZZ_SMOKE_TIME; \
	$(LOG_DRIVER) --test-name tests/fuzz/smoke.sh --log-file tests/fuzz/smoke.log \
		--trs-file tests/fuzz/smoke.trs --color-tests no --enable-hard-errors yes \
		--expect-failure no -- $(SHELL) $(srcdir)/tests/fuzz/smoke.sh
else
	@echo "fuzz-smoke: configure with --enable-fuzzing CC=clang first" >&2; exit 1
endif
.PHONY: fuzz-smoke
CLEANFILES += tests/fuzz/smoke.log tests/fuzz/smoke.trs
AM_TESTS_ENVIRONMENT += $(TESTS_ENVIRONMENT_FUZZ)

# pocdird's connection and operation code, with the harness in place of
# server.c (its loop, snapshot and configuration).
FUZZ_SERVER = tests/fuzz/fuzz_server.h tests/fuzz/fuzz_server.c
tests_fuzz_fuzz_ldap_SOURCES = tests/fuzz/fuzz_ldap.c $(FUZZ_SERVER) $(POCDIRD_LDAP_FILES) $(FUZZ_COMMON)
tests_fuzz_fuzz_ldap_CPPFLAGS = $(AM_CPPFLAGS) -iquote $(top_srcdir)/src/pocdird
tests_fuzz_fuzz_ldap_CFLAGS = $(AM_CFLAGS) $(YAML_CFLAGS) $(SODIUM_CFLAGS) $(GNUTLS_CFLAGS) \
	-pthread
tests_fuzz_fuzz_ldap_LDADD = src/lib/libpocdir-core.la $(YAML_LIBS) $(SODIUM_LIBS) \
	$(LDAP_LIBS) $(GNUTLS_LIBS) $(PTHREAD_LIBS)
tests_fuzz_fuzz_ldap_LDFLAGS = $(FUZZ_LINK_FLAGS)

# A reply's header through the reader and the matching of replies.
tests_fuzz_fuzz_mail_SOURCES = tests/fuzz/fuzz_mail.c $(FUZZ_COMMON)
tests_fuzz_fuzz_mail_LDADD = src/lib/libpocdir-core.la $(UNISTRING_LIBS)
tests_fuzz_fuzz_mail_LDFLAGS = $(FUZZ_LINK_FLAGS)

# pocdird's web server (the JSON API and the page) behind a libmicrohttpd
# server without a listening socket, with the harness in place of server.c.
# What the web files call of the rest of pocdird: the server setup (http.c),
# its connection admission, TLS settings, configuration and log.
tests_fuzz_fuzz_api_SOURCES = tests/fuzz/fuzz_api.c $(FUZZ_SERVER) $(POCDIRD_WEB_FILES) src/pocdird/http.c \
	src/pocdird/admit.c src/pocdird/tls.c src/pocdird/config.c src/pocdird/log.c \
	src/pocdird/pocdird.h $(FUZZ_COMMON)
tests_fuzz_fuzz_api_CPPFLAGS = $(AM_CPPFLAGS) -iquote $(top_srcdir)/src/pocdird
tests_fuzz_fuzz_api_CFLAGS = $(AM_CFLAGS) $(YAML_CFLAGS) $(SODIUM_CFLAGS) $(GNUTLS_CFLAGS) \
	$(MHD_CFLAGS) $(JANSSON_CFLAGS) -pthread
tests_fuzz_fuzz_api_LDADD = src/lib/libpocdir-core.la $(YAML_LIBS) $(SODIUM_LIBS) \
	$(LDAP_LIBS) $(GNUTLS_LIBS) $(MHD_LIBS) $(JANSSON_LIBS) $(UNISTRING_LIBS) $(PTHREAD_LIBS)
tests_fuzz_fuzz_api_LDFLAGS = $(FUZZ_LINK_FLAGS)
