/* web.h - pocdird's HTTP faces through libmicrohttpd: the server setup
 * shared by the feed and the web (http.c), the JSON API (api.c) and the
 * server-rendered web page (web.c). Handlers run on libmicrohttpd's threads:
 * they read snapshots through server_store and settings through
 * web_settings, never the event loop's state. */
#ifndef POCDIRD_WEB_H
#define POCDIRD_WEB_H

#include <gnutls/abstract.h>
#include <gnutls/gnutls.h>
#include <microhttpd.h>
#include <stdio.h>

#include "pocdird.h"

/* ---- http.c --------------------------------------------------------------- */

/* Start libmicrohttpd on url: "http://ADDR:PORT", "https://ADDR:PORT" (TLS
 * with the certificate of tls: in the configuration, reloaded with it) or a
 * bare "ADDR:PORT" (http). threads > 1 runs a pool. NULL with err when it
 * cannot listen. */
struct MHD_Daemon *http_listen(const char *url, unsigned threads, MHD_AccessHandlerCallback fn,
                               void *cls, pocdir_error *err);

/* With tls: client-ca, an HTTPS request without a client certificate that
 * verifies to it: answer 403. False for plain HTTP and without client-ca. */
bool http_client_refused(struct MHD_Connection *conn);

/* Is url an https:// one? */
bool http_url_tls(const char *url);

/* An HTTP-date (RFC 9110 5.6.7) of t into buf. */
void http_date(time_t t, char *buf, size_t size);

/* ---- tls.c, for libmicrohttpd ------------------------------------------------ */

/* GnuTLS's priority string for c's minimum version. */
const char *tls_priority_string(const struct config *c);

/* gnutls_certificate_retrieve_function2: the current certificate chain and
 * key (safe from any thread). -1 when TLS is not configured. */
int tls_http_certificate(gnutls_session_t session, const gnutls_datum_t *req_ca_dn, int nreqs,
                         const gnutls_pk_algorithm_t *algos, int nalgos, gnutls_pcert_st **pcert,
                         unsigned int *npcert, gnutls_privkey_t *key);

/* ---- web.c: the web server ------------------------------------------------------ */

/* What the handlers need of the configuration, copied under a lock so a
 * reload on the event loop never changes it under a request. */
struct web_settings {
	bool hidden[ATTR_COUNT];
	struct config_bind binds[CONFIG_MAX_BINDS]; /* strings owned here */
	size_t nbinds;
	unsigned max_results;
	unsigned long generation; /* bumped by each web_configure: part of ETags */
};

/* Start the servers of c->web_listen (none: nothing runs). 0 or -1. */
int web_start(const struct config *c, pocdir_error *err);
/* Take new settings after a reload (listen addresses need a restart). */
void web_configure(const struct config *c);
void web_stop(void);

/* The servers' libmicrohttpd access handler: the JSON API under /api/,
 * the page elsewhere, after the method, client certificate and basic
 * authentication checks. Public so that a server of libmicrohttpd without
 * a listening socket (tests/fuzz/fuzz_api.c) answers requests from bytes
 * as the daemon does. */
enum MHD_Result web_request(void *cls, struct MHD_Connection *conn, const char *url,
                            const char *method, const char *version, const char *upload_data,
                            size_t *upload_data_size, void **con_cls);

/* Copy the settings in force into out; web_settings_clear frees them. */
int web_settings_get(struct web_settings *out);
void web_settings_clear(struct web_settings *s);

/* One request's identity: anonymous, or bound as a configured DN through
 * HTTP basic authentication over TLS (RFC 7617). */
struct web_auth {
	bool bound;
	char dn[1100];
};

/* Check the request's Authorization header against the binds. Returns 0
 * (anonymous or bound: see a), or an HTTP status to answer with: 401 for
 * wrong credentials, 403 for credentials over plain HTTP; why says it. */
unsigned web_authenticate(struct MHD_Connection *conn, const struct web_settings *s,
                          struct web_auth *a, const char **why);

/* Hidden attributes for this request: none when bound. */
void web_hidden(const struct web_settings *s, const struct web_auth *a, bool hidden[ATTR_COUNT]);

/* A response from a buffer we own (freed by libmicrohttpd), with the
 * headers every answer carries (nosniff, no referrer, the CSP). */
struct MHD_Response *web_response(char *body, size_t len, const char *type);

/* Answer with status and a body; 0 (MHD_NO) when it cannot be queued. */
enum MHD_Result web_queue(struct MHD_Connection *conn, unsigned status, struct MHD_Response *r);

/* ---- api.c: the JSON API ---------------------------------------------------- */

/* A contacts query from the web's parameters (all optional). */
struct web_query {
	const char *country, *role, *agency, *q, *filter;
};

/* The longest a query parameter may be (filter: API_MAX_FILTER). */
#define API_MAX_PARAM 256
#define API_MAX_FILTER 4096

/* Check a parameter value: at most max bytes of UTF-8 without control
 * characters. NULL when it is fine, else why not. */
const char *api_check_value(const char *value, size_t max);

/* The query parameter name, checked as api_check_value does (a NUL inside
 * the value, which a C string would cut short, is refused too): NULL when
 * fine (*value NULL when absent), else why not and *status to answer. */
const char *api_param(struct MHD_Connection *conn, const char *name, size_t max, const char **value,
                      unsigned *status);

/* Run q on s as a client that may not see hidden: the matching contacts
 * (ascending indexes into s->entries, at most max; *total counts them all)
 * into *ids (free() it). 0, or -1 with err (POCDIR_ERR_USAGE: a bad query,
 * say so with 400). */
int api_search(const struct store *s, const struct web_query *q, const bool *hidden, size_t max,
               uint32_t **ids, size_t *count, size_t *total, pocdir_error *err);

/* Write entries in fmt through the library's export, leaving out the
 * attributes marked in hidden as if the entries did not have them. 0 or -1
 * with err. */
int api_write_visible(const entry_t *const *entries, size_t n, const bool *hidden,
                      pocdir_format fmt, FILE *out, pocdir_error *err);

/* Answer a request under /api/v1/. */
enum MHD_Result api_handle(struct MHD_Connection *conn, const char *url,
                           const struct web_settings *s, const struct web_auth *a);

/* A JSON error body {"error": ..., "status": N} and its status. */
enum MHD_Result api_error(struct MHD_Connection *conn, unsigned status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* ETag of an answer: the directory version, who asks, the settings. */
void web_etag(const struct store *s, const struct web_settings *set, const struct web_auth *a,
              const char *kind, char *buf, size_t size);

/* Does the request's If-None-Match list etag? */
bool web_not_modified(struct MHD_Connection *conn, const char *etag);

/* ---- page.c: the web page ------------------------------------------------------ */

enum MHD_Result page_handle(struct MHD_Connection *conn, const char *url,
                            const struct web_settings *s, const struct web_auth *a);

#endif /* POCDIRD_WEB_H */
