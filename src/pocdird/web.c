/* web.c - pocdird's web server: the JSON API under /api/v1/ and the
 * read-only web page, on the addresses of web-listen (HTTP or HTTPS), with
 * HTTP basic authentication over TLS against the configured binds, and the
 * headers every answer carries. */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "web.h"

/* Threads per server: a password check holds one for tens of
 * milliseconds, and the other keeps answering meanwhile. */
#define WEB_THREADS 2
#define WEB_MAX_USER 1024
#define WEB_MAX_PASSWORD 1024
#define WEB_MAX_BODY (64u * 1024)

/* RFC 9110 and the browsers' own: nothing runs, nothing loads from
 * elsewhere, no frame shows us, forms post only here. */
#define WEB_CSP                                                                                    \
	"default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "               \
	"frame-ancestors 'none'; base-uri 'none'"

static struct MHD_Daemon *servers[CONFIG_MAX_WEB];
static size_t nservers;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct web_settings settings; /* under lock */

void web_settings_clear(struct web_settings *s)
{
	for (size_t i = 0; i < s->nbinds; i++) {
		free(s->binds[i].dn);
		free(s->binds[i].dn_norm);
		free(s->binds[i].hash);
	}
	s->nbinds = 0;
}

/* Copy from into to (to is empty); -1 on allocation failure. */
static int settings_copy(struct web_settings *to, const struct web_settings *from)
{
	memcpy(to->hidden, from->hidden, sizeof(to->hidden));
	to->max_results = from->max_results;
	to->generation = from->generation;
	to->nbinds = 0;
	for (size_t i = 0; i < from->nbinds; i++) {
		struct config_bind *b = &to->binds[i];

		b->dn = str_dup(from->binds[i].dn);
		b->dn_norm = str_dup(from->binds[i].dn_norm);
		b->hash = str_dup(from->binds[i].hash);
		to->nbinds++;
		if (b->dn == NULL || b->dn_norm == NULL || b->hash == NULL) {
			web_settings_clear(to);
			return -1;
		}
	}
	return 0;
}

int web_settings_get(struct web_settings *out)
{
	int rc;

	pthread_mutex_lock(&lock);
	rc = settings_copy(out, &settings);
	pthread_mutex_unlock(&lock);
	return rc;
}

void web_configure(const struct config *c)
{
	struct web_settings next = {0}, old;

	memcpy(next.hidden, c->hidden, sizeof(next.hidden));
	next.max_results = c->limits.max_results;
	for (size_t i = 0; i < c->nbinds; i++)
		next.binds[i] = c->binds[i];
	next.nbinds = c->nbinds;
	pthread_mutex_lock(&lock);
	next.generation = settings.generation + 1;
	old = settings;
	if (settings_copy(&settings, &next) == -1) {
		settings = old; /* out of memory: the settings in force stay */
		old.nbinds = 0;
	}
	pthread_mutex_unlock(&lock);
	web_settings_clear(&old);
}

void web_hidden(const struct web_settings *s, const struct web_auth *a, bool hidden[ATTR_COUNT])
{
	for (int i = 0; i < ATTR_COUNT; i++)
		hidden[i] = !a->bound && s->hidden[i];
}

unsigned web_authenticate(struct MHD_Connection *conn, const struct web_settings *s,
                          struct web_auth *a, const char **why)
{
	const union MHD_ConnectionInfo *info;
	char *user = NULL, *password = NULL, *norm = NULL;
	const struct config_bind *b = NULL;
	unsigned status = 401;
	size_t plen;

	a->bound = false;
	a->dn[0] = '\0';
	if (MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION) ==
	    NULL)
		return 0;
	info = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_GNUTLS_SESSION);
	if (info == NULL || info->tls_session == NULL) {
		/* RFC 7617 4: basic credentials are in clear without TLS. */
		*why = "credentials are accepted over HTTPS only";
		return 403;
	}
	user = MHD_basic_auth_get_username_password(conn, &password);
	*why = "wrong user (a bind DN) or password";
	if (user == NULL || password == NULL || strlen(user) > WEB_MAX_USER ||
	    (plen = strlen(password)) == 0 || plen > WEB_MAX_PASSWORD)
		goto out;
	norm = dn_normalize(user, strlen(user));
	for (size_t i = 0; norm != NULL && i < s->nbinds; i++)
		if (strcmp(s->binds[i].dn_norm, norm) == 0)
			b = &s->binds[i];
	if (b == NULL || crypto_pwhash_str_verify(b->hash, password, plen) != 0) {
		log_info("web: wrong credentials for \"%.200s\"", user);
		goto out;
	}
	a->bound = true;
	snprintf(a->dn, sizeof(a->dn), "%s", b->dn);
	status = 0;
out:
	if (password != NULL) {
		sodium_memzero(password, strlen(password));
		MHD_free(password);
	}
	if (user != NULL)
		MHD_free(user);
	free(norm);
	return status;
}

struct MHD_Response *web_response(char *body, size_t len, const char *type)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(
	    len, body, body ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);

	if (r == NULL) {
		free(body);
		return NULL;
	}
	if (type != NULL)
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	MHD_add_response_header(r, "Content-Security-Policy", WEB_CSP);
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
	MHD_add_response_header(r, "X-Frame-Options", "DENY");
	/* Answers differ for clients that authenticate. */
	MHD_add_response_header(r, MHD_HTTP_HEADER_VARY, "Authorization");
	return r;
}

enum MHD_Result web_queue(struct MHD_Connection *conn, unsigned status, struct MHD_Response *r)
{
	enum MHD_Result rc;

	if (r == NULL)
		return MHD_NO;
	rc = MHD_queue_response(conn, status, r);
	MHD_destroy_response(r);
	return rc;
}

void web_etag(const struct store *s, const struct web_settings *set, const struct web_auth *a,
              const char *kind, char *buf, size_t size)
{
	/* One directory version, one visibility, one set of settings: one
	 * answer per URL. Weak: the same data may be written differently by
	 * another build of pocdird (RFC 9110 8.8.1). */
	snprintf(buf, size, "W/\"%.32s-%lu-%s-%s\"", s->version, set->generation,
	         a->bound ? "b" : "a", kind);
}

bool web_not_modified(struct MHD_Connection *conn, const char *etag)
{
	const char *inm =
	    MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_IF_NONE_MATCH);
	const char *tag = etag;

	if (inm == NULL)
		return false;
	/* RFC 9110 13.1.2: If-None-Match compares weakly. */
	if (strncmp(tag, "W/", 2) == 0)
		tag += 2;
	return strcmp(inm, "*") == 0 || strstr(inm, tag) != NULL;
}

enum MHD_Result web_request(void *cls, struct MHD_Connection *conn, const char *url,
                            const char *method, const char *version, const char *upload_data,
                            size_t *upload_data_size, void **con_cls)
{
	struct web_settings s = {0};
	struct web_auth a;
	const char *why = NULL;
	unsigned status;
	enum MHD_Result rc;

	(void)cls;
	(void)version;
	(void)upload_data;
	if (*con_cls == NULL) {
		/* First call is for the headers alone; answer on the second. */
		*con_cls = (void *)1;
		return MHD_YES;
	}
	if (*upload_data_size != 0) {
		/* No request here has a body. It is read and dropped before
		 * the answer: one queued while a body is unread, libmicrohttpd
		 * (0.9.75) closes the connection without sending. A body
		 * larger than WEB_MAX_BODY ends the connection. */
		uintptr_t seen = (uintptr_t)*con_cls - 1 + *upload_data_size;

		if (seen > WEB_MAX_BODY)
			return MHD_NO;
		*con_cls = (void *)(seen + 1);
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 && strcmp(method, MHD_HTTP_METHOD_HEAD) != 0) {
		struct MHD_Response *r;

		if (strncmp(url, "/api/", 5) == 0)
			return api_error(conn, MHD_HTTP_METHOD_NOT_ALLOWED,
			                 "this API is read-only: GET or HEAD");
		r = web_response(NULL, 0, "text/plain");
		if (r != NULL)
			MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
		return web_queue(conn, MHD_HTTP_METHOD_NOT_ALLOWED, r);
	}
	if (*con_cls != (void *)1)
		return api_error(conn, MHD_HTTP_BAD_REQUEST, "no body expected");
	if (http_client_refused(conn))
		return api_error(conn, MHD_HTTP_FORBIDDEN,
		                 "a client certificate signed by client-ca is required");
	if (web_settings_get(&s) == -1)
		return api_error(conn, MHD_HTTP_SERVICE_UNAVAILABLE, "out of memory");
	status = web_authenticate(conn, &s, &a, &why);
	if (status == 401) {
		struct MHD_Response *r;
		char *body = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&body, &len);

		if (f != NULL) {
			fprintf(f, "{\"error\": \"%s\", \"status\": 401}\n", why);
			fclose(f);
		}
		r = web_response(body, body ? len : 0, "application/json");
		rc = r ? MHD_queue_basic_auth_fail_response(conn, "pocdir", r) : MHD_NO;
		if (r != NULL)
			MHD_destroy_response(r);
	} else if (status != 0) {
		rc = api_error(conn, status, "%s", why);
	} else if (strncmp(url, "/api/", 5) == 0) {
		rc = api_handle(conn, url, &s, &a);
	} else {
		rc = page_handle(conn, url, &s, &a);
	}
	web_settings_clear(&s);
	return rc;
}

int web_start(const struct config *c, pocdir_error *err)
{
	web_configure(c);
	for (size_t i = 0; i < c->nweb_listen; i++) {
		servers[nservers] =
		    http_listen(c->web_listen[i], WEB_THREADS, web_request, NULL, err);
		if (servers[nservers] == NULL) {
			web_stop();
			return -1;
		}
		nservers++;
		log_info("serving the web page and JSON API on %s", c->web_listen[i]);
	}
	return 0;
}

void web_stop(void)
{
	for (size_t i = 0; i < nservers; i++)
		MHD_stop_daemon(servers[i]);
	nservers = 0;
	pthread_mutex_lock(&lock);
	web_settings_clear(&settings);
	pthread_mutex_unlock(&lock);
}
