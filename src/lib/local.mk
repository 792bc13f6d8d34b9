# src/lib/local.mk - libpocdir. The sources are built once into a
# convenience library that the daemon and the unit tests link statically
# (they use internal headers); libpocdir.la wraps it with the public ABI.
noinst_LTLIBRARIES += src/lib/libpocdir-core.la
src_lib_libpocdir_core_la_SOURCES = \
	src/lib/attr.c src/lib/attr.h \
	src/lib/filter.c src/lib/filter.h \
	src/lib/validate.c src/lib/validate.h src/lib/ascii.h \
	src/lib/tzclock.c src/lib/tzclock.h \
	src/lib/load.c src/lib/load.h \
	src/lib/entry.c src/lib/entry.h \
	src/lib/store.c src/lib/store.h \
	src/lib/search.c src/lib/search.h \
	src/lib/export.c src/lib/export.h \
	src/lib/query.c src/lib/validity.c \
	src/lib/api.c src/lib/api.h \
	src/lib/dn.c src/lib/dn.h \
	src/lib/source.c src/lib/source.h \
	src/lib/util.c src/lib/util.h \
	src/lib/arena.c src/lib/arena.h \
	src/lib/yamldoc.c src/lib/yamldoc.h \
	src/lib/conf.c src/lib/conf.h \
	src/lib/abi.c src/lib/abi.h
# (sign/history/feed/sync sources are added below by their component)
src_lib_libpocdir_core_la_CFLAGS = $(AM_CFLAGS) $(YAML_CFLAGS) $(CURL_CFLAGS) $(SODIUM_CFLAGS) -pthread
src_lib_libpocdir_core_la_LIBADD = $(YAML_LIBS) $(CURL_LIBS) $(SODIUM_LIBS) $(LDAP_LIBS) $(UNISTRING_LIBS) $(PTHREAD_LIBS)

lib_LTLIBRARIES += src/lib/libpocdir.la
src_lib_libpocdir_la_SOURCES =
src_lib_libpocdir_la_LIBADD = src/lib/libpocdir-core.la
src_lib_libpocdir_la_LDFLAGS = $(AM_LDFLAGS) -version-info $(LIBPOCDIR_LT_VERSION) \
	-export-symbols-regex '^pocdir_'
include_HEADERS = src/lib/pocdir.h
pkgconfigdir = $(libdir)/pkgconfig
pkgconfig_DATA = src/lib/pocdir.pc
EXTRA_DIST += src/lib/pocdir.pc.in
# signatures, history, feeds and sync (issue 4)
src_lib_libpocdir_core_la_SOURCES += src/lib/sign.c src/lib/sign.h \
	src/lib/history.c src/lib/history.h src/lib/feed.c src/lib/feed.h \
	src/lib/sync.c src/lib/sync.h
# import of other directories' listings (JSON through jansson, CSV through libcsv)
src_lib_libpocdir_core_la_SOURCES += src/lib/import.c src/lib/import.h
src_lib_libpocdir_core_la_CFLAGS += $(JANSSON_CFLAGS)
src_lib_libpocdir_core_la_LIBADD += $(JANSSON_LIBS) $(CSV_LIBS)
# exchanges over mail: ping tests and notifications
src_lib_libpocdir_core_la_SOURCES += src/lib/exchange.h src/lib/mailconf.c src/lib/mail.c \
	src/lib/mime.c src/lib/record.c src/lib/ping.c src/lib/inbox.c src/lib/ioc.c \
	src/lib/route.c src/lib/stix.c src/lib/notify.c

# The ISO 3166-1 table of validate.c, generated from Debian's iso-codes data
# (configure finds iso_3166-1.json through iso-codes.pc).
noinst_PROGRAMS += src/lib/gen-iso3166
src_lib_gen_iso3166_SOURCES = src/lib/gen-iso3166.c
src_lib_gen_iso3166_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS)
src_lib_gen_iso3166_LDADD = $(JANSSON_LIBS)
src/lib/iso3166.inc: src/lib/gen-iso3166$(EXEEXT) $(ISO_3166_JSON)
	$(AM_V_GEN)src/lib/gen-iso3166$(EXEEXT) '$(ISO_3166_JSON)' > $@.tmp && mv $@.tmp $@
BUILT_SOURCES += src/lib/iso3166.inc
CLEANFILES += src/lib/iso3166.inc
