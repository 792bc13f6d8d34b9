/* import.c - other directories' listings as an origin file: FIRST and Trusted
 * Introducer team JSON (jansson), RFC 9116 security.txt, RFC 4180 CSV
 * (libcsv), written through libyaml's emitter and checked by the loader. */
#include "config.h"

#include <csv.h>
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>
#include <yaml.h>

#include "abi.h"
#include "attr.h"
#include "import.h"
#include "load.h"
#include "pocdir.h"
#include "sync.h"
#include "util.h"
#include "validate.h"

/* ---- the records being built ------------------------------------------- */

/* One key of an entry (a YAML entry key, "pgp.fingerprint", "pgp.expires"
 * or an "x-" key) and its values. */
struct field {
	char *key;
	char **values;
	size_t count;
};

struct record {
	struct field *fields;
	size_t count, cap;
	char where[96]; /* "team 3", "record 4", "line 7": for messages */
	unsigned long line;
};

struct import {
	const pocdir_import_options *opts;
	const char *name;    /* the source, as messages call it */
	const char *xprefix; /* "x-first-", "x-ti-", "x-" */
	struct record *records;
	size_t count, cap;
	pocdir_diag_fn fn;
	void *ctx;
	pocdir_error *err;
	unsigned errors;
	bool oom;
	char *origin_name; /* from the source, when it names one */
};

static void report(struct import *im, bool error, const struct record *r, unsigned long line,
                   unsigned long column, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

/* A warning or an error about record r (or the whole source when NULL). The
 * first error is kept in err. */
static void report(struct import *im, bool error, const struct record *r, unsigned long line,
                   unsigned long column, const char *fmt, ...)
{
	char text[880], message[1000];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	snprintf(message, sizeof(message), "%s%.96s%s%.880s",
	         error ? "" : "warning: ", r != NULL && r->where[0] ? r->where : "",
	         r != NULL && r->where[0] ? ": " : "", text);
	if (error) {
		if (im->errors == 0) {
			if (line > 0)
				error_set(im->err, POCDIR_ERR_INVALID, "%s:%lu:%lu: %s", im->name,
				          line, column, message);
			else
				error_set(im->err, POCDIR_ERR_INVALID, "%s: %s", im->name, message);
		}
		im->errors++;
		if (im->err != NULL)
			im->err->count = im->errors;
	}
	if (im->fn != NULL) {
		pocdir_diag d = {im->name, line, column, message};

		im->fn(&d, im->ctx);
	}
}

static struct record *record_new(struct import *im, unsigned long line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static struct record *record_new(struct import *im, unsigned long line, const char *fmt, ...)
{
	struct record *r;
	va_list ap;

	if (im->count >= IMPORT_MAX_RECORDS) {
		report(im, true, NULL, line, 0, "more than %u records", IMPORT_MAX_RECORDS);
		return NULL;
	}
	if (im->count == im->cap) {
		size_t cap = im->cap ? im->cap * 2 : 16;
		struct record *p = realloc(im->records, cap * sizeof(*p));

		if (p == NULL) {
			im->oom = true;
			return NULL;
		}
		im->records = p;
		im->cap = cap;
	}
	r = &im->records[im->count++];
	memset(r, 0, sizeof(*r));
	r->line = line;
	va_start(ap, fmt);
	vsnprintf(r->where, sizeof(r->where), fmt, ap);
	va_end(ap);
	return r;
}

static void record_clear(struct record *r)
{
	for (size_t i = 0; i < r->count; i++) {
		for (size_t j = 0; j < r->fields[i].count; j++)
			free(r->fields[i].values[j]);
		free(r->fields[i].values);
		free(r->fields[i].key);
	}
	free(r->fields);
	memset(r, 0, sizeof(*r));
}

static struct field *field_find(const struct record *r, const char *key)
{
	for (size_t i = 0; i < r->count; i++)
		if (strcmp(r->fields[i].key, key) == 0)
			return &r->fields[i];
	return NULL;
}

static const char *field_first(const struct record *r, const char *key)
{
	const struct field *f = field_find(r, key);

	return f != NULL && f->count > 0 ? f->values[0] : NULL;
}

/* Append value to key's field (created when missing); a value the field
 * already holds is not added twice (the loader refuses repeats). */
static int field_add(struct import *im, struct record *r, const char *key, const char *value)
{
	struct field *f = field_find(r, key);
	char **v;

	if (f == NULL) {
		if (r->count >= IMPORT_MAX_FIELDS) {
			report(im, true, r, r->line, 0, "more than %u fields", IMPORT_MAX_FIELDS);
			return -1;
		}
		if (r->count == r->cap) {
			size_t cap = r->cap ? r->cap * 2 : 16;
			struct field *p = realloc(r->fields, cap * sizeof(*p));

			if (p == NULL)
				goto oom;
			r->fields = p;
			r->cap = cap;
		}
		f = &r->fields[r->count];
		memset(f, 0, sizeof(*f));
		if ((f->key = str_dup(key)) == NULL)
			goto oom;
		r->count++;
	}
	for (size_t i = 0; i < f->count; i++)
		if (strcmp(f->values[i], value) == 0)
			return 0;
	if (f->count >= LOAD_MAX_VALUES) {
		report(im, true, r, r->line, 0, "%s: more than %u values", key, LOAD_MAX_VALUES);
		return -1;
	}
	if ((v = realloc(f->values, (f->count + 1) * sizeof(*v))) == NULL)
		goto oom;
	f->values = v;
	if ((f->values[f->count] = str_dup(value)) == NULL)
		goto oom;
	f->count++;
	return 0;
oom:
	im->oom = true;
	return -1;
}

static void field_remove(struct record *r, const char *key)
{
	struct field *f = field_find(r, key);

	if (f == NULL)
		return;
	for (size_t j = 0; j < f->count; j++)
		free(f->values[j]);
	free(f->values);
	free(f->key);
	memmove(f, f + 1, (size_t)(r->fields + r->count - (f + 1)) * sizeof(*f));
	r->count--;
}

/* An "x-" key for a source field: prefix, then the name in lower case with
 * anything but letters and digits as '-' ("Team Web" -> "x-ti-team-web"). */
static void extension_key(const char *prefix, const char *source_key, char *out, size_t size)
{
	size_t n = (size_t)snprintf(out, size, "%s", prefix);

	for (const char *p = source_key; *p != '\0' && n + 1 < size; p++) {
		unsigned char c = (unsigned char)*p;

		if (isalnum(c))
			out[n++] = (char)tolower(c);
		else if (n > 0 && out[n - 1] != '-')
			out[n++] = '-';
	}
	while (n > strlen(prefix) && out[n - 1] == '-')
		n--;
	out[n] = '\0';
}

/* Is s valid UTF-8 without control characters other than tab and newline? */
static bool text_ok(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p != '\0') {
		size_t len;

		if (*p < 0x80) {
			if ((*p < 0x20 && *p != '\t' && *p != '\n') || *p == 0x7f)
				return false;
			p++;
			continue;
		}
		len = *p >= 0xf0 ? 4 : *p >= 0xe0 ? 3 : *p >= 0xc2 ? 2 : 0;
		if (len == 0 || *p > 0xf4)
			return false;
		for (size_t i = 1; i < len; i++)
			if ((p[i] & 0xc0) != 0x80)
				return false;
		p += len;
	}
	return true;
}

/* Keep value under an "x-" key for source_key and say why. */
static int keep_extension(struct import *im, struct record *r, const char *source_key,
                          const char *value, const char *why)
{
	char xkey[128];

	extension_key(im->xprefix, source_key, xkey, sizeof(xkey));
	if (why != NULL)
		report(im, false, r, r->line, 0, "%s \"%.200s\": %s; kept as %s", source_key, value,
		       why, xkey);
	return field_add(im, r, xkey, value);
}

/* Day names in English (full, three letters, two letters) as the hours
 * grammar writes them. */
static const char *day_code(const char *word, size_t len)
{
	static const char *const names[][3] = {
	    {"monday", "mon", "Mo"},   {"tuesday", "tue", "Tu"}, {"wednesday", "wed", "We"},
	    {"thursday", "thu", "Th"}, {"friday", "fri", "Fr"},  {"saturday", "sat", "Sa"},
	    {"sunday", "sun", "Su"}};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if ((len == strlen(names[i][0]) && strncasecmp(word, names[i][0], len) == 0) ||
		    (len == 3 && strncasecmp(word, names[i][1], 3) == 0) ||
		    (len == 2 && strncasecmp(word, names[i][2], 2) == 0))
			return names[i][2];
	return NULL;
}

/* Business hours as directories write them ("Monday-Friday 9:00-17:00",
 * "Mon - Fri 09:00 - 17:00", "24x7") in the hours grammar
 * ("Mo-Fr 09:00-17:00", "24/7"), into out. The result is checked by the
 * caller; this only rewrites words and spacing. */
static void hours_rewrite(const char *in, char *out, size_t size)
{
	size_t n = 0;

	if (strcasecmp(in, "24x7") == 0 || strcasecmp(in, "24/7") == 0 ||
	    strcasecmp(in, "24 x 7") == 0 || strcasecmp(in, "24 hours") == 0) {
		snprintf(out, size, "24/7");
		return;
	}
	for (const char *p = in; *p != '\0' && n + 6 < size;) {
		if (isalpha((unsigned char)*p)) {
			size_t len = 0;
			const char *code;

			while (isalpha((unsigned char)p[len]))
				len++;
			code = day_code(p, len);
			if (code != NULL) {
				memcpy(out + n, code, 2);
				n += 2;
			} else if (len == 2 && strncasecmp(p, "to", 2) == 0) {
				/* "Monday to Friday" */
				while (n > 0 && out[n - 1] == ' ')
					n--;
				out[n++] = '-';
				while (p[len] == ' ')
					len++;
			} else {
				memcpy(out + n, p, len < size - n - 1 ? len : size - n - 1);
				n += len < size - n - 1 ? len : size - n - 1;
			}
			p += len;
		} else if (isdigit((unsigned char)*p) && !isdigit((unsigned char)p[1]) &&
		           p[1] == ':' && (n == 0 || !isdigit((unsigned char)out[n - 1]))) {
			out[n++] = '0'; /* 9:00 -> 09:00 */
			out[n++] = *p++;
		} else if (*p == ' ' || *p == '-') {
			/* "Mo - Fr" -> "Mo-Fr"; keep one space between days and times */
			const char *q = p;
			bool dash = false;

			while (*q == ' ' || *q == '-')
				dash |= *q++ == '-';
			if (dash)
				out[n++] = '-';
			else if (n > 0 && out[n - 1] != ' ' && out[n - 1] != ',')
				out[n++] = ' ';
			else if (n > 0 && out[n - 1] == ',')
				out[n++] = ' ';
			p = q;
		} else {
			out[n++] = *p++;
		}
	}
	out[n] = '\0';
}

/* A phone number with the visual separators E.164 checking does not take
 * ("+1 (412) 268.7090" -> "+1 412 268 7090"). */
static void phone_rewrite(const char *in, char *out, size_t size)
{
	size_t n = 0;

	for (const char *p = in; *p != '\0' && n + 1 < size; p++) {
		char c = *p == '(' || *p == ')' || *p == '.' || *p == '/' ? ' ' : *p;

		if (c == ' ' && (n == 0 || out[n - 1] == ' '))
			continue;
		out[n++] = c;
	}
	while (n > 0 && out[n - 1] == ' ')
		n--;
	out[n] = '\0';
}

/* A postalAddress value (lines joined by '$', RFC 4517 3.3.28) as lines. */
static void postal_rewrite(const char *in, char *out, size_t size)
{
	size_t n = 0;

	for (const char *p = in; *p != '\0' && n + 1 < size; p++) {
		if (*p == '$') {
			out[n++] = '\n';
			while (p[1] == ' ')
				p++;
		} else if (*p == '\\' && strncasecmp(p + 1, "24", 2) == 0) {
			out[n++] = '$';
			p += 2;
		} else if (*p == '\\' && strncasecmp(p + 1, "5c", 2) == 0) {
			out[n++] = '\\';
			p += 2;
		} else {
			out[n++] = *p;
		}
	}
	out[n] = '\0';
}

/* Put one source value into record r under entry key key (from the source
 * field source_key): checked with the loader's rule for key, lightly
 * rewritten where directories differ only in spelling, else kept as an
 * extension and reported. A second value for a single-valued key is kept
 * as an extension too. */
static int record_put(struct import *im, struct record *r, const char *key, const char *source_key,
                      const char *raw)
{
	char value[IMPORT_MAX_VALUE + 1], alt[IMPORT_MAX_VALUE + 1], orig[IMPORT_MAX_VALUE + 1];
	char why[512];
	size_t len;
	bool multi;
	const char *s = raw;

	/* Spaces around a value are noise, except in free text. */
	bool free_text = strcmp(key, "notes") == 0 || strncmp(key, "x-", 2) == 0;

	while (!free_text && (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n'))
		s++;
	len = strlen(s);
	while (
	    !free_text && len > 0 &&
	    (s[len - 1] == ' ' || s[len - 1] == '\t' || s[len - 1] == '\r' || s[len - 1] == '\n'))
		len--;
	if (len == 0 || strspn(s, " \t\r\n") == len)
		return 0; /* an empty field says nothing */
	if (len > IMPORT_MAX_VALUE) {
		report(im, true, r, r->line, 0, "%s: value of %zu bytes, at most %u are allowed",
		       source_key, len, IMPORT_MAX_VALUE);
		return -1;
	}
	memcpy(value, s, len);
	value[len] = '\0';
	memcpy(orig, s, len);
	orig[len] = '\0';
	if (!text_ok(value)) {
		report(im, true, r, r->line, 0,
		       "%s: not valid UTF-8 text (or holds control characters)", source_key);
		return -1;
	}
	if (strncmp(key, "x-", 2) == 0)
		return field_add(im, r, key, value);
	if (strcmp(key, "country") == 0 || strcmp(key, "countries") == 0)
		for (char *p = value; *p != '\0'; p++)
			*p = (char)toupper((unsigned char)*p);
	if (strcmp(key, "id") == 0)
		for (char *p = value; *p != '\0'; p++)
			*p = (char)tolower((unsigned char)*p);
	if (strcmp(key, "address") == 0 && strchr(value, '\n') == NULL && strchr(value, '$')) {
		postal_rewrite(value, alt, sizeof(alt));
		snprintf(value, sizeof(value), "%s", alt);
	}
	if (load_check_value(key, value, &multi, why, sizeof(why)) != 0) {
		bool fixed = false;

		if (strcmp(key, "hours") == 0) {
			hours_rewrite(value, alt, sizeof(alt));
			fixed = load_check_value(key, alt, &multi, NULL, 0) == 0;
		} else if (strcmp(key, "phone") == 0 || strcmp(key, "phone-24x7") == 0 ||
		           strcmp(key, "mobile") == 0 || strcmp(key, "fax") == 0) {
			phone_rewrite(value, alt, sizeof(alt));
			fixed = load_check_value(key, alt, &multi, NULL, 0) == 0;
		} else if (strcmp(key, "email") == 0 || strcmp(key, "email-24x7") == 0) {
			/* "mailto:cert@example.org" */
			if (strncasecmp(value, "mailto:", 7) == 0) {
				snprintf(alt, sizeof(alt), "%s", value + 7);
				fixed = load_check_value(key, alt, &multi, NULL, 0) == 0;
			}
		}
		if (!fixed)
			return keep_extension(im, r, source_key, orig, why);
		snprintf(value, sizeof(value), "%s", alt);
	}
	if (!multi && field_find(r, key) != NULL && strcmp(field_first(r, key), value) != 0)
		return keep_extension(im, r, source_key, value,
		                      "a second value for a key that takes one");
	return field_add(im, r, key, value);
}

/* As record_put, splitting a text that lists several values ("a@x, b@x")
 * for keys that take a list. */
static int record_put_list(struct import *im, struct record *r, const char *key,
                           const char *source_key, const char *text)
{
	bool multi = false;
	char why[8], *copy, *save = NULL;
	int rc = 0;

	(void)load_check_value(key, "", &multi, why, sizeof(why));
	if (!multi || strcmp(key, "website") == 0 || strncmp(key, "x-", 2) == 0)
		return record_put(im, r, key, source_key, text);
	if ((copy = str_dup(text)) == NULL) {
		im->oom = true;
		return -1;
	}
	for (char *tok = strtok_r(copy, ",;", &save); tok != NULL;
	     tok = strtok_r(NULL, ",;", &save))
		if (record_put(im, r, key, source_key, tok) == -1)
			rc = -1;
	free(copy);
	return rc;
}

/* ---- JSON team listings (FIRST, Trusted Introducer) --------------------- */

/* Source keys, lower-cased with '_' and ' ' as '-', and the entry key each
 * becomes. FIRST's API spells keys with hyphens ("team-full"), Trusted
 * Introducer's listing with underscores; both land here. Keys not listed
 * are kept as extensions. */
static const struct {
	const char *source;
	const char *key;
} team_keys[] = {
    {"id", "id"},
    {"team", "name"},
    {"short-name", "name"},
    {"short-team-name", "name"},
    {"team-name", "name"},
    {"team-full", "agency"},
    {"official-name", "agency"},
    {"official-team-name", "agency"},
    {"full-name", "agency"},
    {"country", "country"},
    {"country-code", "country"},
    {"country-of-team", "country"},
    {"other-countries", "countries"},
    {"countries", "countries"},
    {"constituency", "constituency"},
    {"constituency-description", "constituency"},
    {"email", "email"},
    {"e-mail", "email"},
    {"team-email", "email"},
    {"emergency-email", "email-24x7"},
    {"phone", "phone"},
    {"telephone", "phone"},
    {"team-phone", "phone"},
    {"emergency-phone", "phone-24x7"},
    {"emergency-telephone", "phone-24x7"},
    {"team-emergency-phone", "phone-24x7"},
    {"fax", "fax"},
    {"telefax", "fax"},
    {"team-fax", "fax"},
    {"timezone", "timezone"},
    {"time-zone", "timezone"},
    {"business-hours", "hours"},
    {"hours", "hours"},
    {"website", "website"},
    {"url", "website"},
    {"web", "website"},
    {"team-web", "website"},
    {"address", "address"},
    {"postal-address", "address"},
    {"languages", "languages"},
    {"pgp-fingerprint", "pgp.fingerprint"},
    {"pgp-key-fingerprint", "pgp.fingerprint"},
    {"last-changed", "changed"},
};

static void key_normalize(const char *in, char *out, size_t size)
{
	size_t n = 0;

	for (const char *p = in; *p != '\0' && n + 1 < size; p++)
		out[n++] = *p == '_' || *p == ' ' ? '-' : (char)tolower((unsigned char)*p);
	out[n] = '\0';
}

static const char *team_key(const char *normalized)
{
	for (size_t i = 0; i < sizeof(team_keys) / sizeof(team_keys[0]); i++)
		if (strcmp(team_keys[i].source, normalized) == 0)
			return team_keys[i].key;
	return NULL;
}

/* Compact JSON text of v (for an extension), or NULL. */
static char *json_text(const json_t *v)
{
	if (json_is_string(v))
		return str_dup(json_string_value(v));
	return json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
}

/* One JSON value of a mapped key: a string, a number, or an array of them. */
static int team_value(struct import *im, struct record *r, const char *key, const char *source_key,
                      const json_t *v)
{
	char num[64];
	size_t i;
	json_t *item;

	if (json_is_null(v))
		return 0;
	if (json_is_string(v))
		return record_put_list(im, r, key, source_key, json_string_value(v));
	if (json_is_integer(v)) {
		snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		return record_put(im, r, key, source_key, num);
	}
	if (json_is_array(v)) {
		int rc = 0;

		json_array_foreach(v, i, item)
		{
			if (json_is_string(item) || json_is_integer(item) || json_is_null(item)) {
				if (team_value(im, r, key, source_key, item) == -1)
					rc = -1;
			} else {
				char *t = json_text(item);

				if (t == NULL ||
				    keep_extension(im, r, source_key, t, "not a text value") == -1)
					rc = -1;
				free(t);
			}
		}
		return rc;
	}
	{
		char *t = json_text(v);
		int rc = t == NULL ? -1 : keep_extension(im, r, source_key, t, "not a text value");

		free(t);
		return rc;
	}
}

/* PGP keys: a fingerprint string, an object {fingerprint, expires, ...}, or
 * a list of either. pocdir carries one key; the first with a valid
 * fingerprint becomes pgp, every other one is kept as an extension. */
static int team_pgp(struct import *im, struct record *r, const char *source_key, const json_t *v)
{
	static const char *const fp_names[] = {"fingerprint", "key-fingerprint", "fpr", NULL};
	static const char *const ex_names[] = {"expires",     "expiry",     "expiration",
	                                       "expiry-date", "expires-on", NULL};
	const json_t *fp = NULL, *ex = NULL;
	char why[256], *t;
	bool multi;
	int rc = 0;

	if (json_is_null(v))
		return 0;
	if (json_is_array(v)) {
		size_t i;
		json_t *item;

		json_array_foreach(v, i, item) if (team_pgp(im, r, source_key, item) == -1) rc = -1;
		return rc;
	}
	if (json_is_string(v)) {
		fp = v;
	} else if (json_is_object(v)) {
		const char *k;
		json_t *x;

		json_object_foreach((json_t *)v, k, x)
		{
			char nk[64];

			key_normalize(k, nk, sizeof(nk));
			for (size_t i = 0; fp_names[i] != NULL; i++)
				if (strcmp(nk, fp_names[i]) == 0 && json_is_string(x))
					fp = x;
			for (size_t i = 0; ex_names[i] != NULL; i++)
				if (strcmp(nk, ex_names[i]) == 0 && json_is_string(x))
					ex = x;
		}
	}
	if (fp == NULL || field_find(r, "pgp.fingerprint") != NULL ||
	    load_check_value("pgp.fingerprint", json_string_value(fp), &multi, why, sizeof(why)) ==
	        -1) {
		const char *reason = fp == NULL ? "no fingerprint"
		                     : field_find(r, "pgp.fingerprint") != NULL
		                         ? "pocdir carries one PGP key per entry"
		                         : why;

		t = json_text(v);
		rc = t == NULL ? -1 : keep_extension(im, r, source_key, t, reason);
		free(t);
		return rc;
	}
	rc = record_put(im, r, "pgp.fingerprint", source_key, json_string_value(fp));
	if (ex != NULL) {
		const char *e = json_string_value(ex);
		char date[11];

		/* A timestamp's date part: the key expires that day. */
		snprintf(date, sizeof(date), "%s", e);
		if (record_put(im, r, "pgp.expires", source_key,
		               strlen(e) > 10 && e[10] == 'T' ? date : e) == -1)
			rc = -1;
	}
	if (json_is_object(v)) {
		/* Everything else the key object says (key id, algorithm...). */
		const char *k;
		json_t *x;

		json_object_foreach((json_t *)v, k, x)
		{
			char nk[64], sk[128];

			if (x == fp || x == ex || json_is_null(x))
				continue;
			key_normalize(k, nk, sizeof(nk));
			snprintf(sk, sizeof(sk), "%s-%s", source_key, nk);
			t = json_text(x);
			if (t == NULL || keep_extension(im, r, sk, t, NULL) == -1)
				rc = -1;
			free(t);
		}
	}
	return rc;
}

static int team_object(struct import *im, const json_t *team, size_t index)
{
	const char *k;
	json_t *v;
	struct record *r;
	const json_t *label = json_object_get(team, "id");

	if (!json_is_string(label))
		label = json_object_get(team, "team");
	if (!json_is_string(label))
		label = json_object_get(team, "short_name");
	r = record_new(im, 0, "team %zu%s%.60s%s", index + 1, json_is_string(label) ? " (" : "",
	               json_is_string(label) ? json_string_value(label) : "",
	               json_is_string(label) ? ")" : "");
	if (r == NULL)
		return -1;
	if (!json_is_object(team)) {
		report(im, true, r, 0, 0, "a team is a JSON object, found %s",
		       json_is_array(team) ? "an array" : "a scalar");
		return -1;
	}
	json_object_foreach((json_t *)team, k, v)
	{
		char nk[128];
		const char *key;

		key_normalize(k, nk, sizeof(nk));
		if (strncmp(nk, "pgp", 3) == 0 && team_key(nk) == NULL) {
			team_pgp(im, r, nk, v);
			continue;
		}
		key = team_key(nk);
		if (key != NULL) {
			team_value(im, r, key, nk, v);
		} else if (!json_is_null(v) && !(json_is_string(v) && json_string_length(v) == 0)) {
			char xkey[160], *t = json_text(v);

			if (t == NULL) {
				im->oom = true;
				return -1;
			}
			/* Not pocdir's to interpret: carried along as it is. */
			extension_key(im->xprefix, nk, xkey, sizeof(xkey));
			record_put(im, r, xkey, nk, t);
			free(t);
		}
	}
	return 0;
}

static int parse_teams(struct import *im, const char *data, size_t len)
{
	json_error_t jerr;
	json_t *root, *list;
	size_t i;
	json_t *team;

	/* RFC 8259 8.1 allows no BOM in JSON text; some exports carry one. */
	if (len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0)
		data += 3, len -= 3;
	root = json_loadb(data, len, JSON_REJECT_DUPLICATES, &jerr);
	if (root == NULL) {
		report(im, true, NULL, (unsigned long)jerr.line > 0 ? (unsigned long)jerr.line : 0,
		       jerr.column > 0 ? (unsigned long)jerr.column : 0, "not valid JSON: %s",
		       jerr.text);
		return -1;
	}
	list = root;
	if (json_is_object(root)) {
		/* FIRST's envelope: {"status": "OK", "data": [...]}; TI's
		 * listing: {"teams": [...]}. */
		json_t *status = json_object_get(root, "status");

		if (json_is_string(status) && strcasecmp(json_string_value(status), "OK") != 0) {
			report(im, true, NULL, 0, 0, "the listing says status \"%s\", not OK",
			       json_string_value(status));
			json_decref(root);
			return -1;
		}
		list = json_object_get(root, "data");
		if (list == NULL)
			list = json_object_get(root, "teams");
		if (list == NULL) {
			report(im, true, NULL, 0, 0,
			       "expected a list of teams, or an object with \"data\" or \"teams\" "
			       "holding one");
			json_decref(root);
			return -1;
		}
	}
	if (!json_is_array(list)) {
		report(im, true, NULL, 0, 0, "expected a list of teams, found a %s",
		       json_is_object(list) ? "JSON object" : "scalar");
		json_decref(root);
		return -1;
	}
	json_array_foreach(list, i, team) if (team_object(im, team, i) == -1 && im->oom) break;
	json_decref(root);
	return 0;
}

/* ---- RFC 9116 security.txt ------------------------------------------------ */

static int parse_security_txt(struct import *im, const char *data, size_t len)
{
	struct record *r = record_new(im, 0, "%s", "");
	const char *p = data, *end = data + len;
	unsigned long line = 0;
	bool signed_text = false, in_signature = false, expires = false;
	char xkey[128];

	if (r == NULL)
		return -1;
	if (len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0)
		p += 3;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl != NULL ? (size_t)(nl - p) : (size_t)(end - p);
		char text[IMPORT_MAX_VALUE + 1], fieldname[64];
		const char *colon, *value;

		line++;
		if (n > 0 && p[n - 1] == '\r')
			n--;
		if (n > IMPORT_MAX_VALUE) {
			report(im, true, NULL, line, 1, "line longer than %u bytes",
			       IMPORT_MAX_VALUE);
			return -1;
		}
		memcpy(text, p, n);
		text[n] = '\0';
		p = nl != NULL ? nl + 1 : end;
		/* RFC 9116 2.3: the file may be an OpenPGP cleartext signed
		 * message (RFC 4880 7); the signature is not checked here. */
		if (strcmp(text, "-----BEGIN PGP SIGNED MESSAGE-----") == 0) {
			signed_text = true;
			/* Armor headers ("Hash: SHA256") up to an empty line. */
			while (p < end && *p != '\n' && *p != '\r') {
				const char *q = memchr(p, '\n', (size_t)(end - p));

				p = q != NULL ? q + 1 : end;
				line++;
			}
			continue;
		}
		if (strcmp(text, "-----BEGIN PGP SIGNATURE-----") == 0)
			in_signature = true;
		if (in_signature) {
			if (strcmp(text, "-----END PGP SIGNATURE-----") == 0)
				in_signature = false;
			continue;
		}
		if (signed_text && strncmp(text, "- ", 2) == 0)
			memmove(text, text + 2, strlen(text) - 1); /* dash-escaped */
		if (text[0] == '\0' || text[0] == '#')
			continue;
		/* RFC 9116 2.4: field-name ":" [WSP] unstructured, one per line. */
		colon = strchr(text, ':');
		if (colon == NULL || colon == text || (size_t)(colon - text) >= sizeof(fieldname)) {
			report(im, true, NULL, line, 1,
			       "expected \"Field: value\" (RFC 9116 2.4), found \"%.80s\"", text);
			continue;
		}
		for (const char *q = text; q < colon; q++)
			if (!(isalnum((unsigned char)*q) || *q == '-')) {
				report(im, true, NULL, line, (unsigned long)(q - text) + 1,
				       "a field name is letters, digits and '-', found '%c'", *q);
				colon = NULL;
				break;
			}
		if (colon == NULL)
			continue;
		memcpy(fieldname, text, (size_t)(colon - text));
		fieldname[colon - text] = '\0';
		value = colon + 1;
		while (*value == ' ' || *value == '\t')
			value++;
		r->line = line;
		if (strcasecmp(fieldname, "Contact") == 0) {
			/* RFC 9116 2.5.3: a URI: mailto:, tel: or a web page. */
			if (strncasecmp(value, "mailto:", 7) == 0) {
				record_put(im, r, "email", fieldname, value + 7);
			} else if (strncasecmp(value, "tel:", 4) == 0) {
				char phone[128];
				size_t k = 0;

				/* RFC 3966: "tel:+1-201-555-0123", visual separators '-' '.' */
				for (const char *q = value + 4;
				     *q != '\0' && *q != ';' && k + 1 < sizeof(phone); q++)
					phone[k++] = *q == '.' ? ' ' : *q;
				phone[k] = '\0';
				record_put(im, r, "phone", fieldname, phone);
			} else if (strncasecmp(value, "https://", 8) == 0 ||
			           strncasecmp(value, "http://", 7) == 0) {
				record_put(im, r, "website", fieldname, value);
			} else {
				keep_extension(im, r, fieldname, value,
				               "not a mailto:, tel: or web address");
			}
		} else if (strcasecmp(fieldname, "Encryption") == 0) {
			/* RFC 9116 2.5.4 names openpgp4fpr: URIs for a key's
			 * fingerprint; a key's web address stays an extension. */
			if (strncasecmp(value, "openpgp4fpr:", 12) == 0 &&
			    field_find(r, "pgp.fingerprint") == NULL)
				record_put(im, r, "pgp.fingerprint", fieldname, value + 12);
			else
				keep_extension(im, r, fieldname, value, NULL);
		} else if (strcasecmp(fieldname, "Preferred-Languages") == 0) {
			record_put_list(im, r, "languages", fieldname, value);
		} else if (strcasecmp(fieldname, "Expires") == 0) {
			/* RFC 9116 2.5.5: after it the file is stale, which is
			 * what valid-until says of an entry. */
			char date[11];

			if (expires) {
				report(im, true, NULL, line, 1,
				       "Expires given twice (RFC 9116 2.5.5: at most once)");
				continue;
			}
			expires = true;
			snprintf(date, sizeof(date), "%s", value);
			record_put(im, r, "valid-until", fieldname,
			           strlen(value) >= 10 && (value[10] == 'T' || value[10] == 't')
			               ? date
			               : value);
			if (field_find(r, "valid-until") != NULL) {
				char today[11];
				time_t now = im->opts->now > 0 ? (time_t)im->opts->now : time(NULL);
				struct tm tm;

				gmtime_r(&now, &tm);
				strftime(today, sizeof(today), "%Y-%m-%d", &tm);
				if (strcmp(date, today) < 0)
					report(
					    im, false, r, line, 1,
					    "the file expired on %s (RFC 9116 2.5.5: treat it as "
					    "stale)",
					    date);
			}
			extension_key("x-", "expires", xkey, sizeof(xkey));
			field_add(im, r, xkey, value); /* the exact moment too */
		} else {
			/* Canonical, Policy, Acknowledgments, Hiring, CSAF and
			 * anything newer: carried along. */
			keep_extension(im, r, fieldname, value, NULL);
		}
	}
	if (!expires)
		report(im, false, NULL, 0, 0, "no Expires field (RFC 9116 2.5.5 requires one)");
	if (signed_text)
		report(im, false, NULL, 0, 0,
		       "the file is OpenPGP signed; the signature was not checked");
	return 0;
}

/* ---- CSV (RFC 4180) --------------------------------------------------- */

struct csv_state {
	struct import *im;
	char **header;
	char **keys; /* entry key for each column, NULL = not imported */
	size_t ncols;
	char **row;
	size_t nrow;
	size_t rows;
	bool too_long;
	bool failed;
};

/* The entry key a header names: a column map's choice, an entry key
 * ("email", "phone-24x7"), an LDAP name export writes ("mail",
 * "pocEmergencyPhone"), else an extension. */
static int csv_column_key(struct csv_state *cs, const char *header, char **out)
{
	const char *map = cs->im->opts->columns;
	char normalized[128], why[64];
	const struct attr_type *at;
	bool multi;

	*out = NULL;
	for (const char *p = map; p != NULL && *p != '\0';) {
		const char *comma = strchr(p, ','), *eq;
		size_t n = comma != NULL ? (size_t)(comma - p) : strlen(p);

		eq = memchr(p, '=', n);
		if (eq != NULL && (size_t)(eq - p) == strlen(header) &&
		    strncasecmp(p, header, (size_t)(eq - p)) == 0) {
			*out = str_ndup(eq + 1, n - (size_t)(eq - p) - 1);
			return *out != NULL ? 0 : -1;
		}
		p = comma != NULL ? comma + 1 : p + n;
	}
	key_normalize(header, normalized, sizeof(normalized));
	if (strncmp(normalized, "x-", 2) == 0 ||
	    load_check_value(normalized, "", &multi, why, sizeof(why)) != -2) {
		*out = str_dup(normalized);
		return *out != NULL ? 0 : -1;
	}
	at = attr_lookup(header, strlen(header));
	if (at != NULL && at->yaml_key != NULL) {
		*out = str_dup(at->yaml_key);
		return *out != NULL ? 0 : -1;
	}
	if (at != NULL || strcasecmp(header, "origin") == 0 || strcasecmp(header, "dn") == 0) {
		/* pocOrigin, pocSerial, sn, dn...: the set's or derived. */
		report(cs->im, false, NULL, 1, 0,
		       "column \"%s\" is derived or belongs to the set, not to an entry: not "
		       "imported",
		       header);
		return 0;
	}
	{
		char xkey[160];

		extension_key("x-", header, xkey, sizeof(xkey));
		*out = str_dup(xkey);
		return *out != NULL ? 0 : -1;
	}
}

static void csv_check_map(struct import *im)
{
	const char *map = im->opts->columns;

	for (const char *p = map; p != NULL && *p != '\0';) {
		const char *comma = strchr(p, ','), *eq;
		size_t n = comma != NULL ? (size_t)(comma - p) : strlen(p);
		char key[128], why[256];
		bool multi;

		eq = memchr(p, '=', n);
		if (eq == NULL || eq == p || (size_t)(eq - p) + 1 >= n) {
			report(im, true, NULL, 0, 0,
			       "column map: expected Header=key, found \"%.*s\"", (int)n, p);
		} else {
			snprintf(key, sizeof(key), "%.*s", (int)(n - (size_t)(eq - p) - 1), eq + 1);
			if (strncmp(key, "x-", 2) != 0 &&
			    load_check_value(key, "", &multi, why, sizeof(why)) == -2)
				report(im, true, NULL, 0, 0,
				       "column map: \"%s\" is not an entry key (see "
				       "pocdir-directory(5)) nor an x- key",
				       key);
		}
		p = comma != NULL ? comma + 1 : p + n;
	}
}

static void csv_end_row(struct csv_state *cs)
{
	struct import *im = cs->im;
	bool empty = true;

	cs->rows++;
	for (size_t i = 0; i < cs->nrow; i++)
		if (cs->row[i][0] != '\0')
			empty = false;
	if (cs->rows == 1) {
		cs->header = cs->row;
		cs->ncols = cs->nrow;
		cs->row = NULL;
		cs->nrow = 0;
		if ((cs->keys = calloc(cs->ncols + 1, sizeof(char *))) == NULL) {
			im->oom = cs->failed = true;
			return;
		}
		for (size_t i = 0; i < cs->ncols; i++) {
			for (size_t j = 0; j < i; j++)
				if (strcasecmp(cs->header[i], cs->header[j]) == 0)
					report(im, true, NULL, 1, 0, "column \"%s\" is given twice",
					       cs->header[i]);
			if (csv_column_key(cs, cs->header[i], &cs->keys[i]) == -1)
				im->oom = cs->failed = true;
		}
		return;
	}
	if (!empty) {
		struct record *r = record_new(im, 0, "record %zu", cs->rows - 1);

		if (r == NULL) {
			cs->failed = true;
		} else if (cs->nrow != cs->ncols) {
			/* RFC 4180 2.4: each line should contain the same number
			 * of fields throughout the file. */
			report(im, true, r, 0, 0, "%zu fields, the header has %zu", cs->nrow,
			       cs->ncols);
		} else {
			for (size_t i = 0; i < cs->nrow; i++)
				if (cs->keys[i] != NULL)
					record_put_list(im, r, cs->keys[i], cs->header[i],
					                cs->row[i]);
		}
	}
	for (size_t i = 0; i < cs->nrow; i++)
		free(cs->row[i]);
	free(cs->row);
	cs->row = NULL;
	cs->nrow = 0;
}

static void csv_on_field(void *s, size_t len, void *data)
{
	struct csv_state *cs = data;
	char **row;

	if (cs->failed)
		return;
	if (len > IMPORT_MAX_VALUE) {
		cs->too_long = true;
		len = 0;
	}
	if (cs->nrow >= IMPORT_MAX_FIELDS) {
		report(cs->im, true, NULL, 0, 0, "record %zu: more than %u fields", cs->rows,
		       IMPORT_MAX_FIELDS);
		cs->failed = true;
		return;
	}
	if ((row = realloc(cs->row, (cs->nrow + 1) * sizeof(*row))) == NULL ||
	    (row[cs->nrow] = str_ndup(s != NULL ? s : "", s != NULL ? len : 0)) == NULL) {
		if (row != NULL)
			cs->row = row;
		cs->im->oom = cs->failed = true;
		return;
	}
	cs->row = row;
	cs->nrow++;
}

static void csv_on_row(int c, void *data)
{
	struct csv_state *cs = data;

	(void)c;
	if (cs->failed)
		return;
	if (cs->too_long) {
		report(cs->im, true, NULL, 0, 0, "record %zu: a field longer than %u bytes",
		       cs->rows, IMPORT_MAX_VALUE);
		cs->too_long = false;
	}
	csv_end_row(cs);
}

static int parse_csv(struct import *im, const char *data, size_t len)
{
	struct csv_parser p;
	struct csv_state cs = {.im = im};
	int rc = 0;

	csv_check_map(im);
	if (im->errors > 0)
		return -1;
	if (len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0)
		data += 3, len -= 3;
	/* Strict: a quote inside an unquoted field, or text after a closing
	 * quote, is an error (RFC 4180 2.5-2.7), not guessed at. */
	if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI | CSV_EMPTY_IS_NULL) != 0)
		return error_set(im->err, POCDIR_ERR_SYSTEM, "out of memory");
	if (csv_parse(&p, data, len, csv_on_field, csv_on_row, &cs) != len ||
	    csv_fini(&p, csv_on_field, csv_on_row, &cs) != 0) {
		report(im, true, NULL, 0, 0, "record %zu: not RFC 4180 CSV: %s", cs.rows + 1,
		       csv_strerror(csv_error(&p)));
		rc = -1;
	}
	csv_free(&p);
	if (cs.rows == 0 && rc == 0)
		report(im, true, NULL, 0, 0, "no header row");
	for (size_t i = 0; i < cs.nrow; i++)
		free(cs.row[i]);
	free(cs.row);
	for (size_t i = 0; i < cs.ncols; i++) {
		free(cs.header[i]);
		free(cs.keys[i]);
	}
	free(cs.header);
	free(cs.keys);
	return rc;
}

/* ---- finishing entries -------------------------------------------------- */

/* An id from a name: lower case, runs of other characters as '-'. */
static void id_from(const char *name, char *out, size_t size)
{
	size_t n = 0;

	for (const char *p = name; *p != '\0' && n + 1 < size && n < 60; p++) {
		unsigned char c = (unsigned char)*p;

		if (isalnum(c) && c < 0x80)
			out[n++] = (char)tolower(c);
		else if ((c == '.' || c == '_') && n > 0)
			out[n++] = (char)c;
		else if (n > 0 && out[n - 1] != '-')
			out[n++] = '-';
	}
	while (n > 0 && (out[n - 1] == '-' || out[n - 1] == '.' || out[n - 1] == '_'))
		n--;
	out[n] = '\0';
}

static bool has_24x7(const struct record *r)
{
	const char *h = field_first(r, "hours");

	return field_find(r, "phone-24x7") != NULL || field_find(r, "email-24x7") != NULL ||
	       (h != NULL && strcmp(h, "24/7") == 0);
}

/* Fill what an entry needs and the source did not say, from the options
 * and defaults; report what cannot be filled. */
static void record_finish(struct import *im, struct record *r, size_t index)
{
	const pocdir_import_options *o = im->opts;
	const char *name = field_first(r, "name"), *agency = field_first(r, "agency");
	const char *id = field_first(r, "id");
	char buf[128];

	if (field_find(r, "country") == NULL && o->country != NULL)
		record_put(im, r, "country", "--country", o->country);
	if (field_find(r, "country") == NULL) {
		report(im, true, r, r->line, 0,
		       "no ISO 3166 country code%s; give one with --country",
		       field_find(r, "x-country") != NULL ? " (the source's is kept as x-)" : "");
		return;
	}
	if (agency == NULL && o->agency != NULL)
		record_put(im, r, "agency", "--agency", o->agency);
	else if (agency == NULL && name != NULL)
		record_put(im, r, "agency", "name", name);
	if (field_find(r, "agency") == NULL) {
		report(im, true, r, r->line, 0, "no agency or team name; give one with --agency");
		return;
	}
	if (id == NULL && o->id != NULL)
		record_put(im, r, "id", "--id", o->id);
	if (field_find(r, "id") == NULL) {
		id_from(name != NULL ? name : field_first(r, "agency"), buf, sizeof(buf));
		if (buf[0] == '\0')
			snprintf(buf, sizeof(buf), "entry-%zu", index + 1);
		record_put(im, r, "id", "id", buf);
	}
	if (field_find(r, "id") == NULL) {
		report(im, true, r, r->line, 0, "no usable id");
		return;
	}
	/* Ids are unique within a country: a repeat gets -2, -3, ... */
	for (size_t i = 0; i < index; i++) {
		const struct record *q = &im->records[i];
		const char *qid = field_first(q, "id"), *qc = field_first(q, "country");

		if (qid != NULL && qc != NULL && strcmp(qc, field_first(r, "country")) == 0 &&
		    strcmp(qid, field_first(r, "id")) == 0) {
			char base[80], next[96];
			struct field *f = field_find(r, "id");

			snprintf(base, sizeof(base), "%s", qid);
			for (unsigned k = 2;; k++) {
				bool taken = false;

				snprintf(next, sizeof(next), "%.60s-%u", base, k);
				for (size_t j = 0; j < index && !taken; j++) {
					const char *jid = field_first(&im->records[j], "id");
					const char *jc = field_first(&im->records[j], "country");

					taken = jid != NULL && jc != NULL &&
					        strcmp(jid, next) == 0 && strcmp(jc, qc) == 0;
				}
				if (!taken)
					break;
			}
			report(im, false, r, r->line, 0, "id \"%s\" is taken in %s; using \"%s\"",
			       base, qc, next);
			free(f->values[0]);
			if ((f->values[0] = str_dup(next)) == NULL)
				im->oom = true;
			break;
		}
	}
	/* Hours other than 24/7 are read in the entry's time zone. */
	if (field_first(r, "hours") != NULL && strcmp(field_first(r, "hours"), "24/7") != 0 &&
	    field_find(r, "timezone") == NULL) {
		char hours[IMPORT_MAX_VALUE + 1];

		snprintf(hours, sizeof(hours), "%s", field_first(r, "hours"));
		field_remove(r, "hours");
		keep_extension(im, r, "hours", hours, "office hours need an IANA time zone");
	}
	if (field_find(r, "pgp.expires") != NULL && field_find(r, "pgp.fingerprint") == NULL) {
		char ex[64];

		snprintf(ex, sizeof(ex), "%s", field_first(r, "pgp.expires"));
		field_remove(r, "pgp.expires");
		keep_extension(im, r, "pgp-expires", ex, "a PGP expiry without a fingerprint");
	}
	if (field_find(r, "roles") == NULL) {
		const char *roles = o->roles != NULL ? o->roles : "technical,incident-response";

		record_put_list(im, r, "roles", "--roles", roles);
		if (o->roles == NULL && has_24x7(r))
			record_put(im, r, "roles", "--roles", "24x7");
	}
	if (field_find(r, "agency-type") == NULL)
		record_put(im, r, "agency-type", "--agency-type",
		           o->agency_type != NULL ? o->agency_type : "csirt");
	if (field_find(r, "email") == NULL && field_find(r, "email-24x7") == NULL &&
	    field_find(r, "phone") == NULL && field_find(r, "phone-24x7") == NULL &&
	    field_find(r, "mobile") == NULL)
		report(im, true, r, r->line, 0,
		       "no e-mail address or phone number that pocdir can use (an entry needs "
		       "one)");
}

/* ---- writing the origin file ---------------------------------------------- */

struct out {
	char *data;
	size_t len, cap;
	bool failed;
};

static void out_add(struct out *b, const void *s, size_t n)
{
	if (b->failed)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		char *p;

		while (b->len + n + 1 > cap)
			cap *= 2;
		if ((p = realloc(b->data, cap)) == NULL) {
			b->failed = true;
			return;
		}
		b->data = p;
		b->cap = cap;
	}
	memcpy(b->data + b->len, s, n);
	b->len += n;
	b->data[b->len] = '\0';
}

static int out_handler(void *data, unsigned char *buffer, size_t size)
{
	struct out *b = data;

	out_add(b, buffer, size);
	return b->failed ? 0 : 1;
}

struct emit {
	yaml_emitter_t e;
	bool failed;
};

static void emit_event(struct emit *m, yaml_event_t *ev, int init_ok)
{
	if (m->failed)
		return;
	if (!init_ok || !yaml_emitter_emit(&m->e, ev))
		m->failed = true;
}

static void emit_scalar(struct emit *m, const char *s)
{
	yaml_event_t ev;
	/* Multi-line text as a literal block (the address form the format
	 * documents); the emitter falls back to quoting when it must. */
	yaml_scalar_style_t style =
	    strchr(s, '\n') != NULL ? YAML_LITERAL_SCALAR_STYLE : YAML_ANY_SCALAR_STYLE;

	emit_event(m, &ev,
	           yaml_scalar_event_initialize(&ev, NULL, NULL, (yaml_char_t *)s, (int)strlen(s),
	                                        1, 1, style));
}

static void emit_mapping(struct emit *m, bool start, bool flow)
{
	yaml_event_t ev;

	if (start)
		emit_event(m, &ev,
		           yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1,
		                                               flow ? YAML_FLOW_MAPPING_STYLE
		                                                    : YAML_BLOCK_MAPPING_STYLE));
	else
		emit_event(m, &ev, yaml_mapping_end_event_initialize(&ev));
}

static void emit_sequence(struct emit *m, bool start, bool flow)
{
	yaml_event_t ev;

	if (start)
		emit_event(m, &ev,
		           yaml_sequence_start_event_initialize(&ev, NULL, NULL, 1,
		                                                flow ? YAML_FLOW_SEQUENCE_STYLE
		                                                     : YAML_BLOCK_SEQUENCE_STYLE));
	else
		emit_event(m, &ev, yaml_sequence_end_event_initialize(&ev));
}

static void emit_field(struct emit *m, const struct field *f)
{
	bool multi = false;
	char why[8];

	emit_scalar(m, f->key);
	if (strncmp(f->key, "x-", 2) == 0)
		multi = f->count > 1;
	else
		(void)load_check_value(f->key, "", &multi, why, sizeof(why));
	if (!multi) {
		emit_scalar(m, f->values[0]);
		return;
	}
	emit_sequence(m, true, true);
	for (size_t i = 0; i < f->count; i++)
		emit_scalar(m, f->values[i]);
	emit_sequence(m, false, true);
}

static void emit_record(struct emit *m, const struct record *r)
{
	emit_mapping(m, true, false);
	/* The loader's keys, in the order pocdir-directory(5) documents them. */
	const char *const *entry_order = load_entry_keys();

	for (size_t k = 0; entry_order[k] != NULL; k++) {
		const struct field *f;

		if (strcmp(entry_order[k], "pgp") == 0) {
			const struct field *fp = field_find(r, "pgp.fingerprint");
			const struct field *ex = field_find(r, "pgp.expires");

			if (fp == NULL)
				continue;
			emit_scalar(m, "pgp");
			emit_mapping(m, true, true);
			emit_scalar(m, "fingerprint");
			emit_scalar(m, fp->values[0]);
			if (ex != NULL) {
				emit_scalar(m, "expires");
				emit_scalar(m, ex->values[0]);
			}
			emit_mapping(m, false, true);
			continue;
		}
		if ((f = field_find(r, entry_order[k])) != NULL)
			emit_field(m, f);
	}
	for (size_t i = 0; i < r->count; i++)
		if (strncmp(r->fields[i].key, "x-", 2) == 0)
			emit_field(m, &r->fields[i]);
	emit_mapping(m, false, false);
}

static int compare_codes(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The scope: the option's codes, else every country the entries name. */
static char **scope_list(struct import *im, size_t *n)
{
	char **list = NULL;
	size_t cap = 0;

	*n = 0;
	if (im->opts->scope != NULL) {
		char *copy = str_dup(im->opts->scope), *save = NULL, why[256];

		if (copy == NULL)
			return NULL;
		for (char *t = strtok_r(copy, ", ", &save); t != NULL;
		     t = strtok_r(NULL, ", ", &save)) {
			for (char *p = t; *p; p++)
				*p = (char)toupper((unsigned char)*p);
			if (!validate_country(t, why, sizeof(why))) {
				report(im, true, NULL, 0, 0, "--scope: %s", why);
				continue;
			}
			if (*n == cap) {
				cap = cap ? cap * 2 : 8;
				char **p = realloc(list, (cap + 1) * sizeof(*p));

				if (p == NULL)
					break;
				list = p;
			}
			list[(*n)++] = str_dup(t);
		}
		free(copy);
	} else {
		for (size_t i = 0; i < im->count; i++)
			for (int k = 0; k < 2; k++) {
				const struct field *f =
				    field_find(&im->records[i], k == 0 ? "country" : "countries");

				for (size_t j = 0; f != NULL && j < f->count; j++) {
					bool seen = false;

					for (size_t s = 0; s < *n && !seen; s++)
						seen = strcmp(list[s], f->values[j]) == 0;
					if (seen)
						continue;
					if (*n == cap) {
						cap = cap ? cap * 2 : 8;
						char **p = realloc(list, (cap + 1) * sizeof(*p));

						if (p == NULL)
							goto done;
						list = p;
					}
					list[(*n)++] = str_dup(f->values[j]);
				}
			}
	}
done:
	if (list != NULL) {
		list[*n] = NULL;
		qsort(list, *n, sizeof(*list), compare_codes);
	}
	return list;
}

static int emit_origin(struct import *im, uint64_t serial, const char *updated, struct out *b)
{
	static const char *const labels[] = {[POCDIR_IMPORT_FIRST] = "FIRST teams",
	                                     [POCDIR_IMPORT_TI] = "Trusted Introducer teams",
	                                     [POCDIR_IMPORT_SECURITY_TXT] = "security.txt",
	                                     [POCDIR_IMPORT_CSV] = "CSV"};
	struct emit m = {0};
	yaml_event_t ev;
	char text[64], header[700];
	char **scope;
	size_t nscope;
	const char *name = im->opts->name;

	scope = scope_list(im, &nscope);
	if (nscope == 0) {
		report(im, true, NULL, 0, 0, "no countries: the scope would be empty");
		strv_free(&scope);
		return -1;
	}
	/* The emitter writes no comments; the header line goes first. */
	snprintf(header, sizeof(header), "# %s: imported from %s (%.500s) by pocdir import\n",
	         im->opts->origin, labels[im->opts->format], im->name);
	for (char *p = header + 2; *p != '\n'; p++)
		if ((unsigned char)*p < 0x20)
			*p = ' ';
	out_add(b, header, strlen(header));
	if (!yaml_emitter_initialize(&m.e)) {
		strv_free(&scope);
		return error_set(im->err, POCDIR_ERR_SYSTEM, "out of memory");
	}
	yaml_emitter_set_output(&m.e, out_handler, b);
	yaml_emitter_set_unicode(&m.e, 1);
	yaml_emitter_set_width(&m.e, -1);
	yaml_emitter_set_indent(&m.e, 2);
	emit_event(&m, &ev, yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING));
	emit_event(&m, &ev, yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 1));
	emit_mapping(&m, true, false);
	emit_scalar(&m, "origin");
	emit_scalar(&m, im->opts->origin);
	emit_scalar(&m, "name");
	if (name == NULL) {
		snprintf(text, sizeof(text), "%s (imported)", labels[im->opts->format]);
		name = text;
	}
	emit_scalar(&m, name);
	emit_scalar(&m, "scope");
	emit_sequence(&m, true, true);
	for (size_t i = 0; i < nscope; i++)
		emit_scalar(&m, scope[i]);
	emit_sequence(&m, false, true);
	emit_scalar(&m, "serial");
	snprintf(text, sizeof(text), "%" PRIu64, serial);
	emit_scalar(&m, text);
	emit_scalar(&m, "updated");
	emit_scalar(&m, updated);
	emit_scalar(&m, "entries");
	emit_sequence(&m, true, false);
	for (size_t i = 0; i < im->count; i++)
		emit_record(&m, &im->records[i]);
	emit_sequence(&m, false, false);
	emit_mapping(&m, false, false);
	emit_event(&m, &ev, yaml_document_end_event_initialize(&ev, 1));
	emit_event(&m, &ev, yaml_stream_end_event_initialize(&ev));
	yaml_emitter_delete(&m.e);
	strv_free(&scope);
	if (m.failed || b->failed)
		return error_set(im->err, POCDIR_ERR_SYSTEM, "writing YAML: %s",
		                 b->failed ? "out of memory" : "the emitter failed");
	return 0;
}

/* ---- the public entry points -------------------------------------------- */

int pocdir_import_format_parse(const char *name)
{
	if (name == NULL)
		return -1;
	if (strcasecmp(name, "first") == 0)
		return POCDIR_IMPORT_FIRST;
	if (strcasecmp(name, "ti") == 0 || strcasecmp(name, "trusted-introducer") == 0)
		return POCDIR_IMPORT_TI;
	if (strcasecmp(name, "security.txt") == 0 || strcasecmp(name, "securitytxt") == 0)
		return POCDIR_IMPORT_SECURITY_TXT;
	if (strcasecmp(name, "csv") == 0)
		return POCDIR_IMPORT_CSV;
	return -1;
}

static void import_clear(struct import *im)
{
	for (size_t i = 0; i < im->count; i++)
		record_clear(&im->records[i]);
	free(im->records);
	im->records = NULL;
	im->count = im->cap = 0;
}

/* Collects the loader's problems with the generated file: each one is a
 * defect of the conversion, reported as such. */
static void validate_diag(const pocdir_diag *d, void *ctx)
{
	struct import *im = ctx;

	report(im, true, NULL, 0, 0, "the converted file does not validate: line %lu:%lu: %s",
	       d->line, d->column, d->message);
}

/* Values given on the command line are checked as they are: a wrong one is
 * the caller's mistake, not the source's, so it is an error, not an x- key. */
static int import_check_options(const pocdir_import_options *o, pocdir_error *err)
{
	static const struct {
		size_t offset;
		const char *option;
		const char *key;
	} checks[] = {
	    {offsetof(pocdir_import_options, country), "--country", "country"},
	    {offsetof(pocdir_import_options, id), "--id", "id"},
	    {offsetof(pocdir_import_options, agency_type), "--agency-type", "agency-type"},
	    {offsetof(pocdir_import_options, roles), "--roles", "roles"},
	};
	char why[512];
	bool multi;

	for (size_t i = 0; i < sizeof(checks) / sizeof(checks[0]); i++) {
		const char *v = *(const char *const *)((const char *)o + checks[i].offset);
		char *copy, *save = NULL;
		int rc = 0;

		if (v == NULL)
			continue;
		if ((copy = str_dup(v)) == NULL)
			return error_set(err, POCDIR_ERR_SYSTEM, "out of memory");
		for (char *t = strtok_r(copy, ", ", &save); t != NULL && rc == 0;
		     t = strtok_r(NULL, ", ", &save)) {
			if (strcmp(checks[i].key, "country") == 0)
				for (char *p = t; *p != '\0'; p++)
					*p = (char)toupper((unsigned char)*p);
			if (load_check_value(checks[i].key, t, &multi, why, sizeof(why)) != 0)
				rc = error_set(err, POCDIR_ERR_USAGE, "import: %s: %s",
				               checks[i].option, why);
		}
		free(copy);
		if (rc == -1)
			return -1;
	}
	if (o->columns != NULL && o->format != POCDIR_IMPORT_CSV)
		return error_set(err, POCDIR_ERR_USAGE,
		                 "import: --columns maps CSV headers; the other formats have "
		                 "their own keys");
	if (o->columns != NULL && strlen(o->columns) > IMPORT_MAX_COLUMNS_MAP)
		return error_set(err, POCDIR_ERR_USAGE, "import: --columns: at most %u bytes",
		                 IMPORT_MAX_COLUMNS_MAP);
	if (o->agency != NULL && (o->agency[0] == '\0' || strlen(o->agency) > IMPORT_MAX_VALUE))
		return error_set(err, POCDIR_ERR_USAGE, "import: --agency: 1 to %u bytes",
		                 IMPORT_MAX_VALUE);
	return 0;
}

/* Convert with a given serial and "updated"; *yaml receives the text. */
static int import_convert(const pocdir_import_options *opts, const char *name, const char *data,
                          size_t len, uint64_t serial, const char *updated, char **yaml,
                          size_t *yaml_len, pocdir_diag_fn fn, void *ctx, pocdir_error *err)
{
	struct import im = {.opts = opts, .name = name, .fn = fn, .ctx = ctx, .err = err};
	struct out b = {0};
	struct origin_set set;
	unsigned nerrors = 0;
	char why[256];
	int rc = -1;

	*yaml = NULL;
	*yaml_len = 0;
	error_clear(err);
	if (opts == NULL || opts->origin == NULL || !validate_id(opts->origin, why, sizeof(why)))
		return error_set(err, POCDIR_ERR_USAGE, "import: a valid origin id is needed%s%s",
		                 opts != NULL && opts->origin != NULL ? ": " : "",
		                 opts != NULL && opts->origin != NULL ? why : "");
	if (import_check_options(opts, err) == -1)
		return -1;
	if (memchr(data, '\0', len) != NULL)
		return error_set(err, POCDIR_ERR_INVALID, "%s: holds a NUL byte: not a text file",
		                 name);
	switch (opts->format) {
	case POCDIR_IMPORT_FIRST:
		im.xprefix = "x-first-";
		parse_teams(&im, data, len);
		break;
	case POCDIR_IMPORT_TI:
		im.xprefix = "x-ti-";
		parse_teams(&im, data, len);
		break;
	case POCDIR_IMPORT_SECURITY_TXT:
		im.xprefix = "x-";
		parse_security_txt(&im, data, len);
		break;
	case POCDIR_IMPORT_CSV:
		im.xprefix = "x-";
		parse_csv(&im, data, len);
		break;
	default:
		return error_set(err, POCDIR_ERR_USAGE, "import: unknown format %d",
		                 (int)opts->format);
	}
	if (im.oom) {
		error_set(err, POCDIR_ERR_SYSTEM, "out of memory");
		goto out;
	}
	if (im.errors == 0 && im.count == 0)
		report(&im, true, NULL, 0, 0, "no entries to import");
	for (size_t i = 0; i < im.count && im.errors == 0; i++)
		record_finish(&im, &im.records[i], i);
	if (im.errors > 0 || im.oom)
		goto out;
	if (emit_origin(&im, serial, updated, &b) == -1)
		goto out;
	/* The library's own check of the whole file, as pocdir validate runs
	 * it: what it refuses is never written. */
	if (load_origin_buffer(b.data, b.len, name, NULL, &set, validate_diag, &im, &nerrors,
	                       NULL) == -1) {
		if (im.errors == 0)
			report(&im, true, NULL, 0, 0, "the converted file does not validate");
		goto out;
	}
	origin_set_clear(&set);
	*yaml = b.data;
	*yaml_len = b.len;
	b.data = NULL;
	rc = (int)im.count;
out:
	if (rc == -1 && im.oom)
		error_set(err, POCDIR_ERR_SYSTEM, "out of memory");
	free(b.data);
	import_clear(&im);
	return rc;
}

static void day_serial(long long now, uint64_t *serial, char *updated, size_t size)
{
	time_t t = (time_t)now;
	struct tm tm;

	gmtime_r(&t, &tm);
	/* YYYYMMDD00: pocdir sign raises a changed file's serial to at least
	 * YYYYMMDD01, so the first signed version is the day's first. */
	*serial = ((uint64_t)(tm.tm_year + 1900) * 10000 + (uint64_t)(tm.tm_mon + 1) * 100 +
	           (uint64_t)tm.tm_mday) *
	          100;
	strftime(updated, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

int pocdir_import_buffer(const pocdir_import_options *opts, const char *name, const char *data,
                         size_t len, char **yaml, size_t *yaml_len, pocdir_diag_fn fn, void *ctx,
                         pocdir_error *err)
{
	char updated[32];
	uint64_t serial;
	pocdir_import_options o;
	long long now;

	if (opts != NULL) {
		abi_in(&o, sizeof(o), opts, ABI_IMPORT_OPTIONS_V1);
		opts = &o;
	}
	now = opts != NULL && opts->now > 0 ? opts->now : (long long)time(NULL);
	day_serial(now, &serial, updated, sizeof(updated));
	if (opts != NULL && opts->serial > 0)
		serial = opts->serial;
	return import_convert(opts, name != NULL ? name : "input", data != NULL ? data : "",
	                      data != NULL ? len : 0, serial, updated, yaml, yaml_len, fn, ctx,
	                      err);
}

int pocdir_import(const pocdir_import_options *opts, const char *source, const char *out_path,
                  char **yaml, size_t *yaml_len, pocdir_diag_fn fn, void *ctx, pocdir_error *err)
{
	pocdir_import_options o;
	size_t max;
	char *data = NULL, *text = NULL, *old = NULL, updated[32];
	size_t len = 0, text_len = 0, old_len = 0;
	long long now;
	uint64_t serial;
	int n = -1;

	if (opts != NULL) {
		abi_in(&o, sizeof(o), opts, ABI_IMPORT_OPTIONS_V1);
		opts = &o;
	}
	max = opts != NULL && opts->max_size > 0 ? opts->max_size : IMPORT_MAX_BYTES;
	now = opts != NULL && opts->now > 0 ? opts->now : (long long)time(NULL);
	error_clear(err);
	if (yaml != NULL)
		*yaml = NULL;
	if (yaml_len != NULL)
		*yaml_len = 0;
	if (opts == NULL || source == NULL)
		return error_set(err, POCDIR_ERR_USAGE, "import: no options or no source");
	if (strncasecmp(source, "http://", 7) == 0 || strncasecmp(source, "https://", 8) == 0) {
		if (strlen(source) > SYNC_MAX_URL)
			return error_set(err, POCDIR_ERR_USAGE, "import: URL longer than %d bytes",
			                 SYNC_MAX_URL);
		if (sync_fetch(source, opts->ca_file, max,
		               opts->timeout > 0 ? opts->timeout : SYNC_DEFAULT_TIMEOUT, &data,
		               &len, err) == -1)
			return -1;
	} else if (file_read(source, max, &data, &len, err) == -1) {
		return -1;
	}
	day_serial(now, &serial, updated, sizeof(updated));
	if (out_path != NULL && access(out_path, F_OK) == 0) {
		struct origin_set set;

		/* The file being replaced must be this origin's: its serial
		 * carries on, so pocdir sign raises it rather than restarting. */
		if (load_origin_file(out_path, NULL, &set, NULL, NULL, NULL, err) == -1) {
			char first[sizeof(err->message)];

			snprintf(first, sizeof(first), "%s", err->message);
			error_set(err, POCDIR_ERR_INVALID,
			          "%s exists and is not a valid origin file (%s); not replaced",
			          out_path, first);
			goto out;
		}
		if (strcmp(set.origin.id, opts->origin) != 0) {
			error_set(err, POCDIR_ERR_USAGE,
			          "%s holds origin \"%s\", not \"%s\"; not replaced", out_path,
			          set.origin.id, opts->origin);
			origin_set_clear(&set);
			goto out;
		}
		serial = set.origin.serial;
		if (file_read(out_path, LOAD_MAX_FILE_BYTES, &old, &old_len, err) == -1) {
			origin_set_clear(&set);
			goto out;
		}
		/* Same input, same file: convert with the held "updated" first,
		 * so an unchanged listing leaves the file (and its signature)
		 * as it is. */
		if (opts->serial == 0 && set.origin.updated != NULL) {
			char held_updated[32];

			snprintf(held_updated, sizeof(held_updated), "%s", set.origin.updated);
			n = import_convert(opts, source, data, len, serial, held_updated, &text,
			                   &text_len, NULL, NULL, err);
			if (n >= 0 && text_len == old_len && memcmp(text, old, old_len) == 0) {
				origin_set_clear(&set);
				/* Report the warnings all the same. */
				free(text);
				text = NULL;
				n = import_convert(opts, source, data, len, serial, held_updated,
				                   &text, &text_len, fn, ctx, err);
				goto give;
			}
			free(text);
			text = NULL;
		}
		origin_set_clear(&set);
	}
	if (opts->serial > 0)
		serial = opts->serial;
	n = import_convert(opts, source, data, len, serial, updated, &text, &text_len, fn, ctx,
	                   err);
	if (n < 0)
		goto out;
	if (out_path != NULL && file_write_atomic(out_path, text, text_len, err) == -1) {
		n = -1;
		goto out;
	}
give:
	if (n >= 0 && yaml != NULL) {
		*yaml = text;
		if (yaml_len != NULL)
			*yaml_len = text_len;
		text = NULL;
	}
out:
	free(text);
	free(old);
	free(data);
	return n;
}
