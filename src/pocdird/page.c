/* page.c - the read-only web page, rendered on the server (no script, no
 * asset from elsewhere): a search form (name, agency or e-mail; country;
 * role), the contacts found with their local time and whether their office
 * is open now (and who answers 24x7 when it is not), one contact's page
 * with its PGP fingerprint and a vCard of it, and the style sheet. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "attr.h"
#include "util.h"
#include "web.h"

/* Contacts listed on one page at most (max-results caps it further). */
#define PAGE_MAX_LIST 200

static const char style_css[] =
    "body{font:16px/1.45 system-ui,sans-serif;margin:0 auto;max-width:60em;padding:0 1em;"
    "color:#1b1b1b;background:#fff}\n"
    "header{border-bottom:2px solid #0b5394;margin-bottom:1em}\n"
    "h1{font-size:1.6em;margin:.4em 0}h1 a{color:inherit;text-decoration:none}\n"
    "h2{font-size:1.15em;margin:.2em 0}\n"
    "form{display:flex;flex-wrap:wrap;gap:.5em 1em;align-items:end;margin:1em 0}\n"
    "form div{display:flex;flex-direction:column}\n"
    "label{font-weight:600;font-size:.9em}\n"
    "input,select,button{font:inherit;padding:.3em .5em}\n"
    "button{background:#0b5394;color:#fff;border:0;border-radius:3px;cursor:pointer}\n"
    "a{color:#0b5394}\n"
    "a:focus,input:focus,select:focus,button:focus{outline:3px solid #f1c232;"
    "outline-offset:1px}\n"
    ".contact{border:1px solid #ccc;border-radius:4px;padding:.6em 1em;margin:.8em 0}\n"
    "dl{display:grid;grid-template-columns:max-content 1fr;gap:.15em 1em;margin:.4em 0}\n"
    "dt{font-weight:600;color:#444}dd{margin:0;overflow-wrap:anywhere}\n"
    ".open{color:#1e6b1e;font-weight:600}.closed{color:#a61c00;font-weight:600}\n"
    ".fpr{font-family:ui-monospace,monospace}\n"
    ".error{border-left:4px solid #a61c00;padding:.3em .8em;background:#fbeaea}\n"
    "footer{margin:2em 0 1em;color:#555;font-size:.9em}\n";

/* What a person reads for each attribute; NULL: not shown on the page
 * (LDAP plumbing, or said elsewhere on it). */
static const char *label(enum attr_id id)
{
	switch (id) {
	case ATTR_CN:
		return "Name or function";
	case ATTR_GIVENNAME:
		return "Given name";
	case ATTR_TITLE:
		return "Title";
	case ATTR_O:
		return "Agency";
	case ATTR_C:
		return "Country";
	case ATTR_MAIL:
		return "E-mail";
	case ATTR_TELEPHONE:
		return "Telephone";
	case ATTR_MOBILE:
		return "Mobile";
	case ATTR_FAX:
		return "Fax";
	case ATTR_POSTAL:
		return "Address";
	case ATTR_URI:
		return "Web site";
	case ATTR_DESCRIPTION:
		return "Notes";
	case ATTR_ROLE:
		return "Roles";
	case ATTR_AGENCYTYPE:
		return "Agency type";
	case ATTR_COUNTRYSERVED:
		return "Also serves";
	case ATTR_EMERGENCYPHONE:
		return "24x7 telephone";
	case ATTR_EMERGENCYMAIL:
		return "24x7 e-mail";
	case ATTR_HOURS:
		return "Office hours";
	case ATTR_LANGUAGE:
		return "Languages";
	case ATTR_PGPFINGERPRINT:
		return "PGP fingerprint";
	case ATTR_PGPEXPIRES:
		return "PGP key expires";
	case ATTR_CONSTITUENCY:
		return "Constituency";
	case ATTR_VALIDFROM:
		return "Valid from";
	case ATTR_VALIDUNTIL:
		return "Valid until";
	case ATTR_VERIFIED:
		return "Last verified";
	case ATTR_CHANGED:
		return "Last changed";
	case ATTR_ORIGIN:
		return "Published by";
	default:
		return NULL; /* objectClass, uid, sn, preferredLanguage, time zone, serial */
	}
}

/* Text into HTML (content or a quoted attribute value). */
static void html(FILE *f, const char *s)
{
	for (; s != NULL && *s != '\0'; s++) {
		switch (*s) {
		case '&':
			fputs("&amp;", f);
			break;
		case '<':
			fputs("&lt;", f);
			break;
		case '>':
			fputs("&gt;", f);
			break;
		case '"':
			fputs("&quot;", f);
			break;
		case '\'':
			fputs("&#39;", f);
			break;
		default:
			fputc(*s, f);
		}
	}
}

/* A value for a URL's query or path (RFC 3986 2.1: unreserved as is). */
static void url_part(FILE *f, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++)
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr("-._~@+", *p) != NULL)
			fputc(*p, f);
		else
			fprintf(f, "%%%02X", *p);
}

static void page_head(FILE *f, const char *title)
{
	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>",
	      f);
	html(f, title);
	fputs(" \xe2\x80\x94 pocdir</title>\n<link rel=\"stylesheet\" href=\"/style.css\">\n"
	      "</head>\n<body>\n<header><h1><a href=\"/\">pocdir</a></h1>"
	      "<p>Points of contact for ICT-security incidents</p></header>\n<main>\n",
	      f);
}

static void page_foot(FILE *f, const struct store *s, const struct web_auth *a)
{
	fprintf(f, "</main>\n<footer><p>%zu contacts in %zu countries; directory version %.12s",
	        s->nentries, s->ncountries, s->version);
	if (a->bound) {
		fputs("; signed in as ", f);
		html(f, a->dn);
	}
	fputs(". Also as <a href=\"/api/v1/contacts\">JSON</a> and over LDAP.</p></footer>\n"
	      "</body>\n</html>\n",
	      f);
}

/* The first value of attr, when the client may see it. */
static const char *first(const entry_t *e, enum attr_id id, const bool *hidden)
{
	const struct entry_attr *a = hidden[id] ? NULL : entry_attr(e, id);

	return a != NULL && a->count > 0 ? a->raw[0] : NULL;
}

static void contact_link(FILE *f, const entry_t *e)
{
	fputs("<a href=\"/contact/", f);
	url_part(f, e->country);
	fputc('/', f);
	url_part(f, e->id);
	fputs("\">", f);
}

/* "Tue 14:05 in Asia/Seoul: open" and, when closed, who answers 24x7. */
static void local_status(FILE *f, const struct store *s, const entry_t *e, const bool *hidden)
{
	static const char *const days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
	const char *tz = first(e, ATTR_TIMEZONE, hidden), *hours = first(e, ATTR_HOURS, hidden);
	const struct entry_attr *roles = hidden[ATTR_ROLE] ? NULL : entry_attr(e, ATTR_ROLE);
	int wday, hour, minute, open = -1;
	bool always = false;
	char key[80];
	const struct idlist *l;
	size_t shown = 0;

	for (size_t i = 0; roles != NULL && i < roles->count; i++)
		if (strcmp(roles->raw[i], "24x7") == 0)
			always = true;
	if (tz == NULL || pocdir_local_time(tz, (long long)time(NULL), &wday, &hour, &minute) == -1)
		return;
	fprintf(f, "<dt>Local time</dt><dd>%s %02d:%02d (", days[wday], hour, minute);
	html(f, tz);
	fputs(")</dd>\n<dt>Now</dt><dd>", f);
	if (always)
		open = 1;
	else if (hours != NULL)
		open = pocdir_hours_open(hours, wday, hour, minute);
	if (open == 1)
		fputs("<span class=\"open\">open</span>", f);
	else if (open == 0)
		fputs("<span class=\"closed\">closed</span>", f);
	else
		fputs("office hours unknown", f);
	if (hours != NULL) {
		fputs(" (", f);
		html(f, always ? "24/7" : hours);
		fputc(')', f);
	}
	fputs("</dd>\n", f);
	if (open == 1)
		return;
	/* RFC-free but what a CERT operator does at 3 a.m.: call the 24x7
	 * contacts of the same country instead. */
	snprintf(key, sizeof(key), "%s/24x7", e->country);
	l = store_index_get(s->by_country_role, key);
	for (size_t i = 0; l != NULL && i < l->count && shown < 3; i++) {
		const entry_t *alt = s->entries[l->ids[i]];
		const char *phone = first(alt, ATTR_EMERGENCYPHONE, hidden);
		const char *name = first(alt, ATTR_O, hidden);

		if (alt == e)
			continue;
		if (phone == NULL)
			phone = first(alt, ATTR_TELEPHONE, hidden);
		fputs(shown == 0 ? "<dt>24x7 instead</dt><dd>" : "<br>", f);
		contact_link(f, alt);
		html(f, name != NULL ? name : alt->id);
		fputs("</a>", f);
		if (phone != NULL) {
			fputs(": <a href=\"tel:", f);
			url_part(f, phone);
			fputs("\">", f);
			html(f, phone);
			fputs("</a>", f);
		}
		shown++;
	}
	if (shown > 0)
		fputs("</dd>\n", f);
	else if (open == 0)
		fputs("<dt>24x7 instead</dt><dd>no 24x7 contact listed for this country</dd>\n", f);
}

static void values_dd(FILE *f, const struct entry_attr *a)
{
	bool mail = a->id == ATTR_MAIL || a->id == ATTR_EMERGENCYMAIL;
	bool tel = a->id == ATTR_TELEPHONE || a->id == ATTR_EMERGENCYPHONE || a->id == ATTR_MOBILE;
	bool url = a->id == ATTR_URI;

	fputs("<dd>", f);
	for (size_t i = 0; i < a->count; i++) {
		const char *v = a->raw[i];

		if (i > 0)
			fputs("<br>", f);
		if (mail || tel) {
			fputs(mail ? "<a href=\"mailto:" : "<a href=\"tel:", f);
			url_part(f, v);
			fputs("\">", f);
			html(f, v);
			fputs("</a>", f);
		} else if (url &&
		           (strncmp(v, "https://", 8) == 0 || strncmp(v, "http://", 7) == 0)) {
			/* RFC 2079: "URI label"; the URI is checked by the loader. */
			size_t n = strcspn(v, " ");
			char *uri = str_ndup(v, n);

			fputs("<a href=\"", f);
			html(f, uri);
			fputs("\">", f);
			html(f, v[n] == ' ' ? v + n + 1 : uri);
			fputs("</a>", f);
			free(uri);
		} else if (a->id == ATTR_PGPFINGERPRINT) {
			fputs("<span class=\"fpr\">", f);
			html(f, v);
			fputs("</span>", f);
		} else if (a->id == ATTR_POSTAL) {
			/* RFC 4517 3.3.28: lines separated by '$'. */
			for (const char *p = v; *p != '\0'; p++) {
				char one[2] = {*p, '\0'};

				if (*p == '$')
					fputs("<br>", f);
				else
					html(f, one);
			}
		} else {
			html(f, v);
		}
	}
	fputs("</dd>\n", f);
}

/* One contact in the list: name, agency, channels and the clock. */
static void contact_card(FILE *f, const struct store *s, const entry_t *e, const bool *hidden,
                         bool full)
{
	static const enum attr_id summary[] = {ATTR_C, ATTR_ROLE, ATTR_MAIL, ATTR_TELEPHONE,
	                                       ATTR_EMERGENCYPHONE};
	const char *cn = first(e, ATTR_CN, hidden), *o = first(e, ATTR_O, hidden);

	fputs("<article class=\"contact\">\n<h2>", f);
	if (!full)
		contact_link(f, e);
	html(f, o != NULL ? o : e->id);
	if (cn != NULL && (o == NULL || strcmp(cn, o) != 0)) {
		fputs(" \xe2\x80\x94 ", f);
		html(f, cn);
	}
	if (!full)
		fputs("</a>", f);
	fputs("</h2>\n<dl>\n", f);
	if (full) {
		for (size_t i = 0; i < e->nattrs; i++) {
			const struct entry_attr *a = &e->attrs[i];

			if (label(a->id) == NULL || hidden[a->id] || a->count == 0)
				continue;
			fputs("<dt>", f);
			html(f, label(a->id));
			fputs("</dt>", f);
			values_dd(f, a);
		}
	} else {
		for (size_t i = 0; i < sizeof(summary) / sizeof(summary[0]); i++) {
			const struct entry_attr *a =
			    hidden[summary[i]] ? NULL : entry_attr(e, summary[i]);

			if (a == NULL || a->count == 0)
				continue;
			fputs("<dt>", f);
			html(f, label(a->id));
			fputs("</dt>", f);
			values_dd(f, a);
		}
		if (!hidden[ATTR_PGPFINGERPRINT] && entry_attr(e, ATTR_PGPFINGERPRINT) != NULL) {
			fputs("<dt>PGP fingerprint</dt>", f);
			values_dd(f, entry_attr(e, ATTR_PGPFINGERPRINT));
		}
	}
	local_status(f, s, e, hidden);
	fputs("</dl>\n<p>", f);
	if (!full) {
		contact_link(f, e);
		fputs("Details</a> \xc2\xb7 ", f);
	}
	fputs("<a href=\"/contact/", f);
	url_part(f, e->country);
	fputc('/', f);
	url_part(f, e->id);
	fputs(".vcf\" download>vCard</a> \xc2\xb7 <a href=\"/api/v1/contacts/", f);
	url_part(f, e->country);
	fputc('/', f);
	url_part(f, e->id);
	fputs("\">JSON</a></p>\n</article>\n", f);
}

static void search_form(FILE *f, const struct store *s, const struct web_query *q)
{
	const char *const *roles = pocdir_role_words();

	fputs("<form method=\"get\" action=\"/\" role=\"search\" aria-label=\"Find contacts\">\n"
	      "<div><label for=\"q\">Name, agency or e-mail</label>\n"
	      "<input id=\"q\" name=\"q\" type=\"search\" maxlength=\"256\" value=\"",
	      f);
	html(f, q->q);
	fputs("\" autofocus></div>\n<div><label for=\"country\">Country</label>\n"
	      "<select id=\"country\" name=\"country\"><option value=\"\">Any country</option>\n",
	      f);
	for (size_t i = 0; i < s->ncountries; i++) {
		const char *cc = s->countries[i]->country, *name = pocdir_country_name(cc);

		fprintf(f, "<option value=\"%s\"%s>", cc,
		        q->country != NULL && strcasecmp(q->country, cc) == 0 ? " selected" : "");
		html(f, name != NULL ? name : cc);
		fprintf(f, " (%s)</option>\n", cc);
	}
	fputs("</select></div>\n<div><label for=\"role\">Role</label>\n"
	      "<select id=\"role\" name=\"role\"><option value=\"\">Any role</option>\n",
	      f);
	for (size_t i = 0; roles[i] != NULL; i++) {
		if (store_index_get(s->by_role, roles[i]) == NULL)
			continue; /* only roles someone has */
		fprintf(f, "<option%s>%s</option>\n",
		        q->role != NULL && strcmp(q->role, roles[i]) == 0 ? " selected" : "",
		        roles[i]);
	}
	fputs("</select></div>\n<div><button type=\"submit\">Search</button></div>\n</form>\n", f);
}

/* Finish the body and queue it as HTML with status. */
static enum MHD_Result send_page(struct MHD_Connection *conn, FILE *f, char **body, size_t *len,
                                 unsigned status, const char *etag, bool bound)
{
	struct MHD_Response *r;

	if (fclose(f) != 0) {
		free(*body);
		return api_error(conn, MHD_HTTP_SERVICE_UNAVAILABLE, "out of memory");
	}
	r = web_response(*body, *len, "text/html; charset=utf-8");
	if (r == NULL)
		return MHD_NO;
	if (etag != NULL)
		MHD_add_response_header(r, MHD_HTTP_HEADER_ETAG, etag);
	/* The clock on the page moves: revalidate always, never store a bound one. */
	MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL,
	                        bound ? "private, no-store" : "no-cache");
	return web_queue(conn, status, r);
}

static enum MHD_Result error_page(struct MHD_Connection *conn, const struct store *s,
                                  const struct web_query *q, const struct web_auth *a,
                                  unsigned status, const char *what, const char *why)
{
	char *body = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&body, &len);
	struct web_query none = {0};

	if (f == NULL)
		return MHD_NO;
	page_head(f, "Bad request");
	search_form(f, s, q != NULL ? q : &none);
	fputs("<p class=\"error\" role=\"alert\">", f);
	html(f, what);
	fputc(' ', f);
	html(f, why);
	fputs(".</p>\n", f);
	page_foot(f, s, a);
	return send_page(conn, f, &body, &len, status, NULL, a->bound);
}

/* A query parameter for the page: NULL when fine, else why not. */
static const char *page_param(struct MHD_Connection *conn, const char *name, const char **out,
                              unsigned *status)
{
	return api_param(conn, name, API_MAX_PARAM, out, status);
}

static enum MHD_Result search_page(struct MHD_Connection *conn, struct store *s,
                                   const struct web_settings *set, const struct web_auth *a)
{
	struct web_query q = {0};
	bool hidden[ATTR_COUNT];
	const char *why;
	unsigned status = 0;
	uint32_t *ids = NULL;
	size_t count = 0, total = 0, max = set->max_results;
	pocdir_error err = {0};
	char *body = NULL, etag[160];
	size_t len = 0;
	FILE *f;
	enum MHD_Result rc;

	if ((why = page_param(conn, "q", &q.q, &status)) != NULL)
		return error_page(conn, s, &q, a, status, "The search text", why);
	if ((why = page_param(conn, "country", &q.country, &status)) != NULL)
		return error_page(conn, s, &q, a, status, "The country", why);
	if ((why = page_param(conn, "role", &q.role, &status)) != NULL)
		return error_page(conn, s, &q, a, status, "The role", why);
	web_hidden(set, a, hidden);
	web_etag(s, set, a, "page", etag, sizeof(etag));
	if (max > PAGE_MAX_LIST)
		max = PAGE_MAX_LIST;
	if ((q.q != NULL && *q.q) || (q.country != NULL && *q.country) ||
	    (q.role != NULL && *q.role)) {
		if (api_search(s, &q, hidden, max, &ids, &count, &total, &err) == -1)
			return error_page(conn, s, &q, a,
			                  err.code == POCDIR_ERR_SYSTEM
			                      ? MHD_HTTP_SERVICE_UNAVAILABLE
			                      : MHD_HTTP_BAD_REQUEST,
			                  "The query", err.message);
	} else {
		q.q = "";
	}
	if ((f = open_memstream(&body, &len)) == NULL) {
		free(ids);
		return MHD_NO;
	}
	page_head(f, "Find a point of contact");
	search_form(f, s, &q);
	if (ids != NULL || total > 0 || (q.q != NULL && *q.q) || q.country || q.role) {
		fprintf(f, "<p id=\"count\" role=\"status\">%zu contact%s found", total,
		        total == 1 ? "" : "s");
		if (total > count)
			fprintf(f, "; the first %zu are shown: narrow the search", count);
		fputs(".</p>\n", f);
		for (size_t i = 0; i < count; i++)
			contact_card(f, s, s->entries[ids[i]], hidden, false);
	} else {
		fputs("<p>Search by name, agency or the start of an e-mail address, or pick a "
		      "country or a role.</p>\n",
		      f);
	}
	page_foot(f, s, a);
	free(ids);
	rc = send_page(conn, f, &body, &len, MHD_HTTP_OK, NULL, a->bound);
	return rc;
}

/* The contact of "/contact/CC/id" (or ".vcf"), or NULL. */
static const entry_t *find_contact(const struct store *s, const char *path, bool *vcard)
{
	char cc[3], id[80];
	const char *slash = strchr(path, '/');
	const struct idlist *l;
	size_t n;

	*vcard = false;
	if (slash == NULL || slash - path != 2 || (n = strlen(slash + 1)) == 0 || n >= sizeof(id))
		return NULL;
	memcpy(cc, path, 2);
	cc[2] = '\0';
	memcpy(id, slash + 1, n + 1);
	if (n > 4 && strcmp(id + n - 4, ".vcf") == 0) {
		*vcard = true;
		id[n - 4] = '\0';
	}
	/* The index holds valid ids only: any other text finds nothing. */
	l = store_index_get(s->by_id, id);
	for (size_t i = 0; l != NULL && i < l->count; i++)
		if (strcasecmp(s->entries[l->ids[i]]->country, cc) == 0)
			return s->entries[l->ids[i]];
	return NULL;
}

static enum MHD_Result vcard_answer(struct MHD_Connection *conn, const entry_t *e,
                                    const bool *hidden, const char *etag, bool bound)
{
	char *body = NULL, disposition[120];
	size_t len = 0;
	pocdir_error err = {0};
	struct MHD_Response *r;
	FILE *f = open_memstream(&body, &len);

	if (f == NULL)
		return MHD_NO;
	if (api_write_visible(&e, 1, hidden, POCDIR_FORMAT_VCARD, f, &err) == -1 ||
	    fclose(f) != 0) {
		free(body);
		return api_error(conn, MHD_HTTP_INTERNAL_SERVER_ERROR, "%s", err.message);
	}
	r = web_response(body, len, "text/vcard; charset=utf-8");
	if (r == NULL)
		return MHD_NO;
	snprintf(disposition, sizeof(disposition), "attachment; filename=\"%s-%s.vcf\"", e->country,
	         e->id);
	MHD_add_response_header(r, "Content-Disposition", disposition);
	MHD_add_response_header(r, MHD_HTTP_HEADER_ETAG, etag);
	MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL,
	                        bound ? "private, no-cache" : "no-cache");
	return web_queue(conn, MHD_HTTP_OK, r);
}

static enum MHD_Result contact_page(struct MHD_Connection *conn, struct store *s, const char *path,
                                    const struct web_settings *set, const struct web_auth *a)
{
	bool hidden[ATTR_COUNT], vcard;
	const entry_t *e = find_contact(s, path, &vcard);
	char *body = NULL, etag[160];
	size_t len = 0;
	const char *o;
	FILE *f;

	if (e == NULL)
		return error_page(conn, s, NULL, a, MHD_HTTP_NOT_FOUND,
		                  "No such contact:", "use the search above");
	web_hidden(set, a, hidden);
	web_etag(s, set, a, "vcard", etag, sizeof(etag));
	if (vcard) {
		if (web_not_modified(conn, etag)) {
			struct MHD_Response *r = web_response(NULL, 0, NULL);

			if (r != NULL)
				MHD_add_response_header(r, MHD_HTTP_HEADER_ETAG, etag);
			return web_queue(conn, MHD_HTTP_NOT_MODIFIED, r);
		}
		return vcard_answer(conn, e, hidden, etag, a->bound);
	}
	if ((f = open_memstream(&body, &len)) == NULL)
		return MHD_NO;
	o = first(e, ATTR_O, hidden);
	page_head(f, o != NULL ? o : e->id);
	fputs("<p><a href=\"/?country=", f);
	url_part(f, e->country);
	fputs("\">All contacts in ", f);
	html(f, pocdir_country_name(e->country) ? pocdir_country_name(e->country) : e->country);
	fputs("</a></p>\n", f);
	contact_card(f, s, e, hidden, true);
	page_foot(f, s, a);
	return send_page(conn, f, &body, &len, MHD_HTTP_OK, NULL, a->bound);
}

enum MHD_Result page_handle(struct MHD_Connection *conn, const char *url,
                            const struct web_settings *set, const struct web_auth *a)
{
	struct store *s;
	enum MHD_Result rc;

	if (strcmp(url, "/style.css") == 0) {
		struct MHD_Response *r = MHD_create_response_from_buffer(
		    sizeof(style_css) - 1, (void *)style_css, MHD_RESPMEM_PERSISTENT);

		if (r == NULL)
			return MHD_NO;
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "text/css; charset=utf-8");
		MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "public, max-age=3600");
		MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
		return web_queue(conn, MHD_HTTP_OK, r);
	}
	s = server_store();
	if (strcmp(url, "/") == 0)
		rc = search_page(conn, s, set, a);
	else if (strncmp(url, "/contact/", 9) == 0)
		rc = contact_page(conn, s, url + 9, set, a);
	else
		rc = error_page(conn, s, NULL, a, MHD_HTTP_NOT_FOUND,
		                "No such page:", "start from the search");
	store_unref(&s);
	return rc;
}
