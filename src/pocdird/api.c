/* api.c - the JSON API (pocdird-api(7)): GET /api/v1/contacts with
 * country, role, agency, q and filter, and /api/v1/contacts/CC/id, answered
 * from the live snapshot in the library's JSON export shape, with the
 * visibility rules of LDAP, JSON errors and ETags from the directory
 * version. */
#include "config.h"

#include <ldap.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistr.h>

#include "attr.h"
#include "filter.h"
#include "search.h"
#include "source.h"
#include "util.h"
#include "web.h"

const char *api_check_value(const char *value, size_t max)
{
	size_t n = strlen(value);

	if (n > max)
		return "is too long";
	/* RFC 3629: well-formed UTF-8 only (libunistring: no overlong forms,
	 * no surrogates). */
	if (u8_check((const uint8_t *)value, n) != NULL)
		return "is not UTF-8";
	for (const unsigned char *p = (const unsigned char *)value; *p != '\0'; p++)
		if (*p < 0x20 || *p == 0x7f)
			return "has a control character";
	return NULL;
}

/* Append "(attr=<value escaped>)" or with stars around (RFC 4515 3). */
static int filter_item(FILE *f, const char *attr, const char *value, const char *before,
                       const char *after)
{
	struct berval in = {strlen(value), (char *)value}, out = {0, NULL};

	if (ldap_bv2escaped_filter_value(&in, &out) != 0)
		return -1;
	fprintf(f, "(%s=%s%s%s)", attr, before, out.bv_val, after);
	ber_memfree(out.bv_val);
	return 0;
}

int api_search(const struct store *s, const struct web_query *q, const bool *hidden, size_t max,
               uint32_t **ids, size_t *count, size_t *total, pocdir_error *err)
{
	struct filter_limits limits = FILTER_DEFAULT_LIMITS;
	struct filter *f = NULL;
	char *text = NULL;
	size_t len = 0;
	FILE *m;
	int rc = -1;

	*ids = NULL;
	*count = *total = 0;
	if (q->country != NULL && q->country[0] != '\0' &&
	    (strlen(q->country) != 2 || strspn(q->country, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	                                                   "abcdefghijklmnopqrstuvwxyz") != 2))
		return error_set(err, POCDIR_ERR_USAGE,
		                 "country: expected an ISO 3166-1 alpha-2 code such as KR");
	if ((m = open_memstream(&text, &len)) == NULL)
		return error_set(err, POCDIR_ERR_SYSTEM, "out of memory");
	fputs("(&(objectClass=*)", m);
	if (q->country != NULL && q->country[0] != '\0')
		filter_item(m, "c", q->country, "", "");
	if (q->role != NULL && q->role[0] != '\0')
		filter_item(m, "pocRole", q->role, "", "");
	if (q->agency != NULL && q->agency[0] != '\0')
		filter_item(m, "o", q->agency, "*", "*");
	if (q->q != NULL && q->q[0] != '\0') {
		/* The search box: name or agency anywhere, e-mail from the start. */
		fputs("(|", m);
		filter_item(m, "cn", q->q, "*", "*");
		filter_item(m, "o", q->q, "*", "*");
		filter_item(m, "mail", q->q, "", "*");
		fputs(")", m);
	}
	if (q->filter != NULL && q->filter[0] != '\0')
		fputs(q->filter, m);
	fputs(")", m);
	if (fclose(m) != 0) {
		free(text);
		return error_set(err, POCDIR_ERR_SYSTEM, "out of memory");
	}
	if (q->filter != NULL && q->filter[0] != '\0') {
		/* Parsed alone first, so its error speaks of what the client wrote. */
		struct filter *alone = filter_parse(q->filter, &limits, err);

		if (alone == NULL) {
			char msg[sizeof(err->message)];

			snprintf(msg, sizeof(msg), "%s", err->message);
			error_set(err, POCDIR_ERR_USAGE, "filter: %s", msg);
			goto out;
		}
		filter_free(&alone);
	}
	f = filter_parse(text, &limits, err);
	if (f == NULL)
		goto out;
	/* RFC 4511 4.5.1.7, as for an anonymous LDAP search: what the client
	 * may not read it may not test either. */
	filter_restrict(f, hidden);
	if (search_filter(s, f, ids, total, err) == -1)
		goto out;
	*count = *total < max ? *total : max;
	rc = 0;
out:
	filter_free(&f);
	free(text);
	return rc;
}

int api_write_visible(const entry_t *const *entries, size_t n, const bool *hidden,
                      pocdir_format fmt, FILE *out, pocdir_error *err)
{
	entry_t *views = calloc(n ? n : 1, sizeof(*views));
	const entry_t **items = calloc(n ? n : 1, sizeof(*items));
	struct entry_attr **attrs = calloc(n ? n : 1, sizeof(*attrs));
	int rc = -1;

	if (views == NULL || items == NULL || attrs == NULL) {
		error_set(err, POCDIR_ERR_SYSTEM, "out of memory");
		goto out;
	}
	/* A view of each entry without what the client may not read: every
	 * format of the library's export then leaves it out the same way. */
	for (size_t i = 0; i < n; i++) {
		const entry_t *e = entries[i];
		size_t k = 0;

		views[i] = *e;
		if ((attrs[i] = calloc(e->nattrs ? e->nattrs : 1, sizeof(**attrs))) == NULL) {
			error_set(err, POCDIR_ERR_SYSTEM, "out of memory");
			goto out;
		}
		for (size_t j = 0; j < e->nattrs; j++)
			if (!hidden[e->attrs[j].id])
				attrs[i][k++] = e->attrs[j]; /* still sorted by type id */
		views[i].attrs = attrs[i];
		views[i].nattrs = k;
		items[i] = &views[i];
	}
	rc = source_write(items, n, fmt, NULL, out, err);
out:
	for (size_t i = 0; attrs != NULL && i < n; i++)
		free(attrs[i]);
	free(attrs);
	free(items);
	free(views);
	return rc;
}

enum MHD_Result api_error(struct MHD_Connection *conn, unsigned status, const char *fmt, ...)
{
	char msg[1200], *body = NULL;
	size_t len = 0;
	FILE *f;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	f = open_memstream(&body, &len);
	if (f == NULL)
		return MHD_NO;
	/* The message may quote what the client sent: escape it as JSON. */
	fputs("{\"error\": \"", f);
	for (const unsigned char *p = (const unsigned char *)msg; *p != '\0'; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(f, "\\%c", *p);
		else if (*p < 0x20 || *p == 0x7f || *p >= 0x80)
			fprintf(f, "\\u%04x", *p < 0x80 ? *p : 0xfffd);
		else
			fputc(*p, f);
	}
	fprintf(f, "\", \"status\": %u}\n", status);
	if (fclose(f) != 0) {
		free(body);
		return MHD_NO;
	}
	return web_queue(conn, status, web_response(body, len, "application/json"));
}

const char *api_param(struct MHD_Connection *conn, const char *name, size_t max, const char **value,
                      unsigned *status)
{
	const char *v = NULL, *why;
	size_t len = 0;

	*value = NULL;
	if (MHD_lookup_connection_value_n(conn, MHD_GET_ARGUMENT_KIND, name, strlen(name), &v,
	                                  &len) != MHD_YES ||
	    v == NULL)
		return NULL;
	if (len > max) {
		*status = MHD_HTTP_URI_TOO_LONG;
		return "is too long";
	}
	why = strlen(v) != len ? "has a NUL character" : api_check_value(v, max);
	if (why != NULL) {
		*status = MHD_HTTP_BAD_REQUEST;
		return why;
	}
	*value = v;
	return NULL;
}

/* A query parameter for the API; -1 with the answer queued in *rc. */
static int param(struct MHD_Connection *conn, const char *name, size_t max, const char **out,
                 enum MHD_Result *rc)
{
	unsigned status = 0;
	const char *why = api_param(conn, name, max, out, &status);

	if (why == NULL)
		return 0;
	*rc = api_error(conn, status, "%s %s", name, why);
	return -1;
}

struct unknown_arg {
	const char *name;
};

static enum MHD_Result find_unknown(void *cls, enum MHD_ValueKind kind, const char *key,
                                    const char *value)
{
	static const char *const known[] = {"country", "role", "agency", "q", "filter"};
	struct unknown_arg *u = cls;

	(void)kind;
	(void)value;
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (strcmp(key, known[i]) == 0)
			return MHD_YES;
	u->name = key;
	return MHD_NO;
}

/* Write the contacts ids of s as the library's JSON export. */
static enum MHD_Result send_json(struct MHD_Connection *conn, const struct store *s,
                                 const uint32_t *ids, size_t count, const bool *hidden,
                                 const char *etag, bool bound, size_t total)
{
	const entry_t **entries = calloc(count ? count : 1, sizeof(*entries));
	char *body = NULL, n[32];
	size_t len = 0;
	pocdir_error err = {0};
	struct MHD_Response *r;
	FILE *f;

	if (entries == NULL || (f = open_memstream(&body, &len)) == NULL) {
		free(entries);
		return api_error(conn, MHD_HTTP_SERVICE_UNAVAILABLE, "out of memory");
	}
	for (size_t i = 0; i < count; i++)
		entries[i] = s->entries[ids[i]];
	if (api_write_visible(entries, count, hidden, POCDIR_FORMAT_JSON, f, &err) == -1) {
		fclose(f);
		free(body);
		free(entries);
		return api_error(conn, MHD_HTTP_INTERNAL_SERVER_ERROR, "%s", err.message);
	}
	free(entries);
	if (fclose(f) != 0) {
		free(body);
		return api_error(conn, MHD_HTTP_SERVICE_UNAVAILABLE, "out of memory");
	}
	r = web_response(body, len, "application/json");
	if (r == NULL)
		return MHD_NO;
	MHD_add_response_header(r, MHD_HTTP_HEADER_ETAG, etag);
	/* Revalidated each time (a 304 is cheap); a bound answer is private. */
	MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL,
	                        bound ? "private, no-cache" : "public, no-cache");
	snprintf(n, sizeof(n), "%zu", total);
	MHD_add_response_header(r, "Pocdir-Total", n);
	if (total > count)
		MHD_add_response_header(r, "Pocdir-Truncated", "max-results");
	return web_queue(conn, MHD_HTTP_OK, r);
}

static enum MHD_Result not_modified(struct MHD_Connection *conn, const char *etag, bool bound)
{
	struct MHD_Response *r = web_response(NULL, 0, NULL);

	if (r == NULL)
		return MHD_NO;
	MHD_add_response_header(r, MHD_HTTP_HEADER_ETAG, etag);
	MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL,
	                        bound ? "private, no-cache" : "public, no-cache");
	return web_queue(conn, MHD_HTTP_NOT_MODIFIED, r);
}

/* /api/v1/contacts/CC/id: one contact, an array of one as the export. */
static enum MHD_Result one_contact(struct MHD_Connection *conn, struct store *s, const char *path,
                                   const bool *hidden, const char *etag, bool bound)
{
	const char *slash = strchr(path, '/');
	const struct idlist *l;
	char cc[3], id[65];
	uint32_t found = 0;
	bool have = false;

	if (slash == NULL || slash - path != 2 || strlen(slash + 1) >= sizeof(id) ||
	    strchr(slash + 1, '/') != NULL || api_check_value(slash + 1, sizeof(id)) != NULL)
		return api_error(
		    conn, MHD_HTTP_NOT_FOUND,
		    "expected /api/v1/contacts/CC/id, e.g. /api/v1/contacts/KR/krcert");
	memcpy(cc, path, 2);
	cc[2] = '\0';
	snprintf(id, sizeof(id), "%s", slash + 1);
	for (char *p = id; *p != '\0'; p++)
		*p = (char)(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
	l = store_index_get(s->by_id, id);
	for (size_t i = 0; l != NULL && i < l->count && !have; i++)
		if (strcasecmp(s->entries[l->ids[i]]->country, cc) == 0) {
			found = l->ids[i];
			have = true;
		}
	if (!have)
		return api_error(conn, MHD_HTTP_NOT_FOUND, "no contact %s/%s", cc, id);
	if (web_not_modified(conn, etag))
		return not_modified(conn, etag, bound);
	return send_json(conn, s, &found, 1, hidden, etag, bound, 1);
}

enum MHD_Result api_handle(struct MHD_Connection *conn, const char *url,
                           const struct web_settings *set, const struct web_auth *a)
{
	struct web_query q = {0};
	struct unknown_arg unknown = {NULL};
	bool hidden[ATTR_COUNT];
	char etag[160];
	struct store *s;
	uint32_t *ids = NULL;
	size_t count, total;
	pocdir_error err = {0};
	enum MHD_Result rc = MHD_NO;

	web_hidden(set, a, hidden);
	if (strncmp(url, "/api/v1/contacts/", 17) == 0) {
		s = server_store();
		web_etag(s, set, a, "one", etag, sizeof(etag));
		rc = one_contact(conn, s, url + 17, hidden, etag, a->bound);
		store_unref(&s);
		return rc;
	}
	if (strcmp(url, "/api/v1/contacts") != 0)
		return api_error(conn, MHD_HTTP_NOT_FOUND,
		                 "no such resource: try /api/v1/contacts or "
		                 "/api/v1/contacts/CC/id");
	MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, find_unknown, &unknown);
	if (unknown.name != NULL)
		return api_error(
		    conn, MHD_HTTP_BAD_REQUEST,
		    "unknown parameter \"%.64s\": expected country, role, agency, q or "
		    "filter",
		    unknown.name);
	if (param(conn, "country", API_MAX_PARAM, &q.country, &rc) == -1 ||
	    param(conn, "role", API_MAX_PARAM, &q.role, &rc) == -1 ||
	    param(conn, "agency", API_MAX_PARAM, &q.agency, &rc) == -1 ||
	    param(conn, "q", API_MAX_PARAM, &q.q, &rc) == -1 ||
	    param(conn, "filter", API_MAX_FILTER, &q.filter, &rc) == -1)
		return rc;
	s = server_store();
	/* The query is in the URL, so one tag per URL covers it. */
	web_etag(s, set, a, "list", etag, sizeof(etag));
	if (web_not_modified(conn, etag)) {
		store_unref(&s);
		return not_modified(conn, etag, a->bound);
	}
	if (api_search(s, &q, hidden, set->max_results, &ids, &count, &total, &err) == -1) {
		rc = api_error(conn,
		               err.code == POCDIR_ERR_SYSTEM ? MHD_HTTP_SERVICE_UNAVAILABLE
		                                             : MHD_HTTP_BAD_REQUEST,
		               "%s", err.message);
	} else {
		rc = send_json(conn, s, ids, count, hidden, etag, a->bound, total);
	}
	free(ids);
	store_unref(&s);
	return rc;
}
