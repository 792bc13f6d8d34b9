# src/pocdird/local.mk - pocdird, the read-only LDAPv3 daemon. It links the
# library's convenience archive statically, and includes the internal
# headers README.md names for it ("What pocdird sees of the library";
# tests/t_daemon_headers.sh checks it).
sbin_PROGRAMS += src/pocdird/pocdird
# The connection and operation code: all of the LDAP side but main.c and
# server.c, which tests/fuzz/fuzz_ldap.c replaces to drive it from bytes.
POCDIRD_LDAP_FILES = \
	src/pocdird/pocdird.h \
	src/pocdird/config.c \
	src/pocdird/log.c \
	src/pocdird/conn.c \
	src/pocdird/admit.c \
	src/pocdird/ldape.c \
	src/pocdird/ldap_search.c \
	src/pocdird/bind.c \
	src/pocdird/tls.c \
	src/pocdird/rootdse.c \
	src/pocdird/schema.c
src_pocdird_pocdird_SOURCES = src/pocdird/main.c src/pocdird/server.c $(POCDIRD_LDAP_FILES)
src_pocdird_pocdird_CFLAGS = $(AM_CFLAGS) $(YAML_CFLAGS) $(SODIUM_CFLAGS) $(GNUTLS_CFLAGS) -pthread
src_pocdird_pocdird_LDADD = src/lib/libpocdir-core.la $(YAML_LIBS) $(SODIUM_LIBS) \
	$(LDAP_LIBS) $(GNUTLS_LIBS) $(PTHREAD_LIBS)
# sync side (issue 4): feed over HTTP, scheduled peer syncs
src_pocdird_pocdird_SOURCES += src/pocdird/sched.h src/pocdird/sched.c src/pocdird/http.c
# the web page and JSON API, on libmicrohttpd too; tests/fuzz/fuzz_api.c
# drives the same files from bytes
POCDIRD_WEB_FILES = src/pocdird/web.h src/pocdird/web.c src/pocdird/api.c src/pocdird/page.c
src_pocdird_pocdird_SOURCES += $(POCDIRD_WEB_FILES)
src_pocdird_pocdird_CFLAGS += $(MHD_CFLAGS) $(CURL_CFLAGS)
src_pocdird_pocdird_LDADD += $(MHD_LIBS) $(CURL_LIBS) $(UNISTRING_LIBS)
# exchanges: ping rounds and replies read on a schedule
src_pocdird_pocdird_SOURCES += src/pocdird/exchange.c
