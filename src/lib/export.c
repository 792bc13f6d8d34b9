/* export.c - pocdir_write: a result as JSON, LDIF (RFC 2849), vCard 4.0
 * (RFC 6350) or 3.0 (RFC 2426) or CSV (RFC 4180), through the public entry
 * accessors only. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <sodium.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "abi.h"
#include "attr.h"
#include "export.h"
#include "pocdir.h"
#include "util.h"

/* A growable byte buffer for one output line or record. On allocation
 * failure it remembers the failure and drops further appends, so writers
 * check once per record. */
struct line {
	char *data;
	size_t len;
	size_t cap;
	bool failed;
};

static void line_add(struct line *l, const char *s, size_t n)
{
	if (l->failed)
		return;
	if (l->len + n + 1 > l->cap) {
		size_t cap = l->cap ? l->cap : 256;
		char *p;

		while (l->len + n + 1 > cap) {
			if (cap > SIZE_MAX / 2) {
				l->failed = true;
				return;
			}
			cap *= 2;
		}
		p = realloc(l->data, cap);
		if (p == NULL) {
			l->failed = true;
			return;
		}
		l->data = p;
		l->cap = cap;
	}
	memcpy(l->data + l->len, s, n);
	l->len += n;
	l->data[l->len] = '\0';
}

static void line_str(struct line *l, const char *s)
{
	line_add(l, s, strlen(s));
}

static void line_char(struct line *l, char c)
{
	line_add(l, &c, 1);
}

static void line_reset(struct line *l)
{
	l->len = 0;
	if (l->data != NULL)
		l->data[0] = '\0';
}

/* Length of the valid UTF-8 sequence at s (at most n bytes), or 0 when the
 * bytes there are not one (RFC 3629: no overlongs, no surrogates, <= U+10FFFF). */
static size_t utf8_sequence(const unsigned char *s, size_t n)
{
	uint32_t cp;
	size_t len, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

/* Is the attribute `name` (canonical, as pocdir_entry_attr gives it) one
 * of attrs? An alias in attrs ("role") stands for its canonical name
 * ("pocRole") through the attribute table. Entries may share one values
 * array between attributes (sn and cn of one name), so the array says
 * nothing about which attribute it is. */
static bool attr_selected(const char *name, const char *const *attrs)
{
	size_t i;

	if (attrs == NULL)
		return true;
	for (i = 0; attrs[i] != NULL; i++) {
		const struct attr_type *t = attr_lookup(attrs[i], strlen(attrs[i]));

		if (strcasecmp(attrs[i], name) == 0 ||
		    (t != NULL && strcasecmp(t->name, name) == 0))
			return true;
	}
	return false;
}

/* A postalAddress value (RFC 4517 3.3.28: lines joined by '$', "\\24" for
 * a literal '$', "\\5C" for a backslash) as the lines it stands for, joined
 * by real line breaks: what JSON and CSV readers show as an address. */
static void postal_plain(struct line *l, const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s == '$') {
			line_char(l, '\n');
			while (s[1] == ' ')
				s++;
		} else if (*s == '\\' && strncasecmp(s + 1, "24", 2) == 0) {
			line_char(l, '$');
			s += 2;
		} else if (*s == '\\' && strncasecmp(s + 1, "5c", 2) == 0) {
			line_char(l, '\\');
			s += 2;
		} else {
			line_char(l, *s);
		}
	}
}

/* The status bits of e at w->now, 0 when no clock was given. */
static unsigned entry_status(const pocdir_entry *e, const pocdir_write_options *w)
{
	return w->now > 0 ? pocdir_entry_status(e, w->now) : 0;
}

/* ---- JSON (RFC 8259) ---- */

/* A JSON string: quotes, backslashes and control characters escaped, valid
 * UTF-8 passed through, invalid bytes replaced by U+FFFD. */
static void json_string(struct line *l, const char *s)
{
	const unsigned char *p;
	size_t n;

	if (s == NULL)
		s = "";
	p = (const unsigned char *)s;
	n = strlen(s);

	line_char(l, '"');
	while (n > 0) {
		size_t k;
		char esc[8];

		switch (*p) {
		case '"':
			line_str(l, "\\\"");
			break;
		case '\\':
			line_str(l, "\\\\");
			break;
		case '\n':
			line_str(l, "\\n");
			break;
		case '\r':
			line_str(l, "\\r");
			break;
		case '\t':
			line_str(l, "\\t");
			break;
		case '\b':
			line_str(l, "\\b");
			break;
		case '\f':
			line_str(l, "\\f");
			break;
		default:
			if (*p < 0x20 || *p == 0x7f) {
				snprintf(esc, sizeof(esc), "\\u%04x", *p);
				line_str(l, esc);
				break;
			}
			k = utf8_sequence(p, n);
			if (k == 0) {
				line_str(l, "\\ufffd");
				break;
			}
			line_add(l, (const char *)p, k);
			p += k;
			n -= k;
			continue;
		}
		p++;
		n--;
	}
	line_char(l, '"');
}

/* "local-time" and "open-now" of e at now: where the contact is, what the
 * clock says there, and whether its office hours are on. */
static void json_clock(struct line *l, const pocdir_entry *e, long long now)
{
	static const char *const days[7] = {"Su", "Mo", "Tu", "We", "Th", "Fr", "Sa"};
	const char *const *tz, *const *hours;
	int wday, hour, minute, open = -1;
	char buf[32];

	line_str(l, ",\n    \"local-time\": ");
	if (pocdir_entry_get(e, "pocTimezone", &tz) > 0 &&
	    pocdir_local_time(tz[0], now, &wday, &hour, &minute) == 0) {
		snprintf(buf, sizeof(buf), "%s %02d:%02d", days[wday], hour, minute);
		json_string(l, buf);
		if (pocdir_entry_get(e, "pocHours", &hours) > 0)
			open = pocdir_hours_open(hours[0], wday, hour, minute);
	} else {
		line_str(l, "null");
	}
	line_str(l, ",\n    \"open-now\": ");
	line_str(l, open == 1 ? "true" : open == 0 ? "false" : "null");
}

static void json_entry(struct line *l, const pocdir_entry *e, const pocdir_write_options *w)
{
	const char *name, *value;
	const char *const *values;
	size_t i, j, count;
	struct line plain = {0};

	line_str(l, "  {\n    \"id\": ");
	json_string(l, pocdir_entry_id(e));
	line_str(l, ",\n    \"dn\": ");
	json_string(l, pocdir_entry_dn(e));
	line_str(l, ",\n    \"country\": ");
	json_string(l, pocdir_entry_country(e));
	line_str(l, ",\n    \"origin\": ");
	json_string(l, pocdir_entry_origin(e));
	if (w->now > 0) {
		unsigned st = entry_status(e, w);

		line_str(l, ",\n    \"status\": [");
		for (unsigned bit = 1, k = 0; bit <= POCDIR_STATUS_STALE; bit <<= 1)
			if ((st & bit) != 0) {
				line_str(l, k++ > 0 ? ", " : "");
				json_string(l, pocdir_status_word(bit));
			}
		line_char(l, ']');
		json_clock(l, e, w->now);
	}
	for (i = 0; (name = pocdir_entry_attr(e, i, &values, &count)) != NULL; i++) {
		/* objectClass is LDAP plumbing, the same for every contact. */
		if (strcasecmp(name, "objectClass") == 0 || !attr_selected(name, w->attrs))
			continue;
		line_str(l, ",\n    ");
		json_string(l, name);
		line_str(l, ": [");
		for (j = 0; j < count; j++) {
			if (j > 0)
				line_str(l, ", ");
			if (strcasecmp(name, "postalAddress") == 0) {
				line_reset(&plain);
				postal_plain(&plain, values[j]);
				if (plain.failed)
					l->failed = true;
				json_string(l, plain.data);
			} else {
				json_string(l, values[j]);
			}
		}
		line_char(l, ']');
	}
	free(plain.data);
	line_str(l, ",\n    \"extensions\": {");
	for (i = 0; (name = pocdir_entry_extension(e, i, &value)) != NULL; i++) {
		line_str(l, i > 0 ? ", " : "");
		json_string(l, name);
		line_str(l, ": ");
		json_string(l, value != NULL ? value : "");
	}
	line_str(l, "}\n  }");
}

static int write_json(const pocdir_result *res, const pocdir_write_options *w, FILE *out,
                      struct line *l)
{
	size_t i, n = pocdir_result_count(res);

	if (n == 0)
		return fputs("[]\n", out) == EOF ? -1 : 0;
	if (fputs("[\n", out) == EOF)
		return -1;
	for (i = 0; i < n; i++) {
		line_reset(l);
		json_entry(l, pocdir_result_entry(res, i), w);
		line_str(l, i + 1 < n ? ",\n" : "\n");
		if (l->failed || fwrite(l->data, 1, l->len, out) != l->len)
			return -1;
	}
	return fputs("]\n", out) == EOF ? -1 : 0;
}

/* ---- LDIF (RFC 2849) ---- */

/* RFC 2849: a value is written as is only when it is a SAFE-STRING (no NUL,
 * LF, CR or byte above 0x7F; not starting with space, ':' or '<'); we also
 * base64 a trailing space, which readers would strip (note 8 of section 4). */
static bool ldif_safe(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s);

	if (n == 0)
		return true;
	if (p[0] == ' ' || p[0] == ':' || p[0] == '<' || p[n - 1] == ' ')
		return false;
	for (; *p != '\0'; p++)
		if (*p == '\n' || *p == '\r' || *p >= 0x80)
			return false;
	return true;
}

/* "name: value" or "name:: base64" into l, unfolded. */
static void ldif_attr(struct line *l, const char *name, const char *value)
{
	size_t n = value != NULL ? strlen(value) : 0;

	line_str(l, name);
	if (n == 0) {
		line_char(l, ':');
	} else if (ldif_safe(value)) {
		line_str(l, ": ");
		line_str(l, value);
	} else {
		size_t b64len = sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_ORIGINAL);
		char *b64 = malloc(b64len);

		if (b64 == NULL) {
			l->failed = true;
			return;
		}
		sodium_bin2base64(b64, b64len, (const unsigned char *)value, n,
		                  sodium_base64_VARIANT_ORIGINAL);
		line_str(l, ":: ");
		line_str(l, b64);
		free(b64);
	}
}

/* Write one logical LDIF line, folded at 76 columns: continuation lines
 * start with one space (RFC 2849 section 3, note 2). Only ASCII reaches
 * here (anything else was base64-encoded), so folding never splits a
 * character. */
static int ldif_flush(struct line *l, FILE *out)
{
	const size_t width = 76;
	size_t pos = 0, chunk;

	if (l->failed)
		return -1;
	while (pos < l->len) {
		chunk = pos == 0 ? width : width - 1;
		if (chunk > l->len - pos)
			chunk = l->len - pos;
		if ((pos > 0 && fputc(' ', out) == EOF) ||
		    fwrite(l->data + pos, 1, chunk, out) != chunk || fputc('\n', out) == EOF)
			return -1;
		pos += chunk;
	}
	line_reset(l);
	return 0;
}

static int ldif_line(struct line *l, FILE *out, const char *name, const char *value)
{
	ldif_attr(l, name, value);
	return ldif_flush(l, out);
}

/* The part of dn after its first `skip` RDNs (backslash escapes honoured),
 * or NULL when dn has fewer. */
static const char *dn_parent(const char *dn, int skip)
{
	const char *p;

	for (p = dn; *p != '\0' && skip > 0; p++) {
		if (*p == '\\' && p[1] != '\0')
			p++;
		else if (*p == ',') {
			skip--;
			while (p[1] == ' ')
				p++;
		}
	}
	return skip == 0 ? p : NULL;
}

/* Split the first RDN of dn ("dc=pocdir,...") into its type and its value,
 * undoing RFC 4514 escapes ("\\," and "\\XX" hex pairs). Returns 0, or -1
 * when the RDN is malformed or on allocation failure. *value is malloc'ed. */
static int rdn_split(const char *dn, char *type, size_t typesize, char **value)
{
	const char *eq = strchr(dn, '='), *p;
	size_t tlen, j = 0;
	char *v;

	if (eq == NULL || (tlen = (size_t)(eq - dn)) == 0 || tlen >= typesize)
		return -1;
	memcpy(type, dn, tlen);
	type[tlen] = '\0';
	v = malloc(strlen(eq));
	if (v == NULL)
		return -1;
	for (p = eq + 1; *p != '\0' && *p != ','; p++) {
		unsigned hex;

		if (*p == '\\' && isxdigit((unsigned char)p[1]) && isxdigit((unsigned char)p[2]) &&
		    sscanf(p + 1, "%2x", &hex) == 1) {
			v[j++] = (char)hex;
			p += 2;
		} else if (*p == '\\' && p[1] != '\0') {
			v[j++] = *++p;
		} else {
			v[j++] = *p;
		}
	}
	v[j] = '\0';
	*value = v;
	return 0;
}

/* The base DN's own entry, so the export loads into an empty server: its
 * object classes follow the type of its first RDN. Bases with a parent
 * (ou=pocdir,dc=example,dc=org) expect the parent to exist already. */
static int ldif_base(struct line *l, FILE *out, const char *base)
{
	char type[32], *value = NULL;
	const char *oc;
	int rc = -1;

	if (rdn_split(base, type, sizeof(type), &value) == -1)
		return -1;
	if (strcasecmp(type, "dc") == 0)
		oc = "dcObject"; /* auxiliary: RFC 2247 pairs it with organization */
	else if (strcasecmp(type, "o") == 0)
		oc = "organization";
	else if (strcasecmp(type, "ou") == 0)
		oc = "organizationalUnit";
	else if (strcasecmp(type, "c") == 0)
		oc = "country";
	else {
		/* Unknown naming attribute: the operator creates the base. */
		free(value);
		return 0;
	}
	if (ldif_line(l, out, "dn", base) == -1 || ldif_line(l, out, "objectClass", "top") == -1 ||
	    ldif_line(l, out, "objectClass", oc) == -1)
		goto done;
	if (strcmp(oc, "dcObject") == 0 &&
	    (ldif_line(l, out, "objectClass", "organization") == -1 ||
	     ldif_line(l, out, "dc", value) == -1))
		goto done;
	if (ldif_line(l, out, strcmp(oc, "dcObject") == 0 ? "o" : type, value) == -1)
		goto done;
	rc = fputc('\n', out) == EOF ? -1 : 0;
done:
	free(value);
	return rc;
}

static int compare_strings(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The base entry and one c=CC entry per country in res, before contacts. */
static int ldif_tree(const pocdir_result *res, FILE *out, struct line *l)
{
	size_t i, n = pocdir_result_count(res), ncountries = 0;
	const char **countries;
	const char *base;
	char *dn;
	int rc = -1;

	if (n == 0)
		return 0;
	/* Contacts are uid=ID,c=CC,BASE: the base is what follows two RDNs. */
	base = dn_parent(pocdir_entry_dn(pocdir_result_entry(res, 0)), 2);
	if (base == NULL || *base == '\0')
		return 0;
	countries = calloc(n, sizeof(*countries));
	if (countries == NULL)
		return -1;
	for (i = 0; i < n; i++) {
		countries[i] = pocdir_entry_country(pocdir_result_entry(res, i));
		if (countries[i] == NULL)
			countries[i] = "";
	}
	qsort(countries, n, sizeof(*countries), compare_strings);
	if (ldif_base(l, out, base) == -1)
		goto done;
	for (i = 0; i < n; i++) {
		if (*countries[i] == '\0' ||
		    (ncountries > 0 && strcmp(countries[ncountries - 1], countries[i]) == 0))
			continue;
		countries[ncountries++] = countries[i];
	}
	for (i = 0; i < ncountries; i++) {
		size_t size = strlen(countries[i]) + strlen(base) + 4;

		dn = malloc(size);
		if (dn == NULL)
			goto done;
		snprintf(dn, size, "c=%s,%s", countries[i], base);
		if (ldif_line(l, out, "dn", dn) == -1 ||
		    ldif_line(l, out, "objectClass", "top") == -1 ||
		    ldif_line(l, out, "objectClass", "country") == -1 ||
		    ldif_line(l, out, "c", countries[i]) == -1 || fputc('\n', out) == EOF) {
			free(dn);
			goto done;
		}
		free(dn);
	}
	rc = 0;
done:
	free(countries);
	return rc;
}

/* One entry as a content record, or as an add change record when
 * changetype is "add" (RFC 2849: the changetype line follows the dn). */
static int ldif_entry_record(const pocdir_entry *e, const pocdir_write_options *w,
                             const char *changetype, FILE *out, struct line *l)
{
	const char *const *attrs = w->attrs;
	static const char *const contact_classes[] = {
	    "top", "person", "organizationalPerson", "inetOrgPerson", "pocContact", NULL};
	const char *name;
	const char *const *values;
	size_t i, j, count;

	/* RFC 2849: a line starting with '#' is a comment, which slapadd and
	 * ldapadd skip; the mark stays out of the data. */
	if (entry_status(e, w) != 0) {
		char text[512];

		pocdir_status_text(e, w->now, text, sizeof(text));
		if (fprintf(out, "# pocdir: %s\n", text) < 0)
			return -1;
	}
	if (ldif_line(l, out, "dn", pocdir_entry_dn(e)) == -1)
		return -1;
	if (changetype != NULL && ldif_line(l, out, "changetype", changetype) == -1)
		return -1;
	/* An entry needs its object classes to load; supply the contact's when
	 * the entry does not carry them and no attribute list left them out. */
	if (attrs == NULL && pocdir_entry_get(e, "objectClass", NULL) == 0)
		for (i = 0; contact_classes[i] != NULL; i++)
			if (ldif_line(l, out, "objectClass", contact_classes[i]) == -1)
				return -1;
	for (i = 0; (name = pocdir_entry_attr(e, i, &values, &count)) != NULL; i++) {
		if (!attr_selected(name, attrs))
			continue;
		for (j = 0; j < count; j++)
			if (ldif_line(l, out, name, values[j]) == -1)
				return -1;
	}
	return fputc('\n', out) == EOF ? -1 : 0;
}

static int ldif_entry(const pocdir_entry *e, const pocdir_write_options *w, FILE *out,
                      struct line *l)
{
	return ldif_entry_record(e, w, NULL, out, l);
}

static int write_ldif(const pocdir_result *res, const pocdir_write_options *w, FILE *out,
                      struct line *l)
{
	size_t i, n = pocdir_result_count(res);

	/* No "version: 1" line: RFC 2849 tools take LDIF without it, and
	 * slapadd (OpenLDAP 2.5) refuses it, which would break moving a
	 * directory into slapd. */
	if (w->with_tree && ldif_tree(res, out, l) == -1)
		return -1;
	for (i = 0; i < n; i++)
		if (ldif_entry(pocdir_result_entry(res, i), w, out, l) == -1)
			return -1;
	return 0;
}

/* ---- LDIF change records (RFC 2849) ---- */

struct export_changes {
	FILE *out;
	struct line l;
	const pocdir_entry *open; /* entry whose modify record is being written */
	bool failed;
};

struct export_changes *export_changes_new(FILE *out)
{
	struct export_changes *ch = calloc(1, sizeof(*ch));

	if (ch != NULL)
		ch->out = out;
	return ch;
}

/* End the modify record being written, if any. */
static void changes_close(struct export_changes *ch)
{
	if (ch->open != NULL && fputc('\n', ch->out) == EOF)
		ch->failed = true;
	ch->open = NULL;
}

void export_changes_record(const pocdir_change *c, void *ctx)
{
	struct export_changes *ch = ctx;
	struct line *l = &ch->l;
	/* Every attribute, no status marks: the copy holds what pocdird holds. */
	const pocdir_write_options all = {0};

	if (ch->failed)
		return;
	switch (c->kind) {
	case POCDIR_CHANGE_ADDED:
		changes_close(ch);
		if (ldif_entry_record(c->new_entry, &all, "add", ch->out, l) == -1)
			ch->failed = true;
		break;
	case POCDIR_CHANGE_REMOVED:
		changes_close(ch);
		if (ldif_line(l, ch->out, "dn", pocdir_entry_dn(c->old_entry)) == -1 ||
		    ldif_line(l, ch->out, "changetype", "delete") == -1 ||
		    fputc('\n', ch->out) == EOF)
			ch->failed = true;
		break;
	case POCDIR_CHANGE_FIELD: {
		const char *const *values;
		size_t i, n;

		if (strncmp(c->attr, "x-", 2) == 0)
			break; /* an extension key, not an LDAP attribute */
		if (ch->open != c->new_entry) {
			changes_close(ch);
			if (ldif_line(l, ch->out, "dn", pocdir_entry_dn(c->new_entry)) == -1 ||
			    ldif_line(l, ch->out, "changetype", "modify") == -1) {
				ch->failed = true;
				break;
			}
			ch->open = c->new_entry;
		}
		/* RFC 4511 4.6: replace with no values removes the attribute
		 * and is no error when it is absent. */
		n = pocdir_entry_get(c->new_entry, c->attr, &values);
		if (ldif_line(l, ch->out, "replace", c->attr) == -1)
			ch->failed = true;
		for (i = 0; i < n && !ch->failed; i++)
			if (ldif_line(l, ch->out, c->attr, values[i]) == -1)
				ch->failed = true;
		if (!ch->failed && fputs("-\n", ch->out) == EOF)
			ch->failed = true;
		break;
	}
	}
}

int export_changes_country(struct export_changes *ch, const char *cc, const char *base_dn, bool add)
{
	size_t size = strlen(cc) + strlen(base_dn) + 4;
	char *dn;
	int rc = -1;

	if (ch->failed)
		return -1;
	changes_close(ch);
	if ((dn = malloc(size)) == NULL) {
		ch->failed = true;
		return -1;
	}
	snprintf(dn, size, "c=%s,%s", cc, base_dn);
	if (ldif_line(&ch->l, ch->out, "dn", dn) == -1 ||
	    ldif_line(&ch->l, ch->out, "changetype", add ? "add" : "delete") == -1)
		goto done;
	/* The same country entry as the full export's tree. */
	if (add && (ldif_line(&ch->l, ch->out, "objectClass", "top") == -1 ||
	            ldif_line(&ch->l, ch->out, "objectClass", "country") == -1 ||
	            ldif_line(&ch->l, ch->out, "c", cc) == -1))
		goto done;
	rc = fputc('\n', ch->out) == EOF ? -1 : 0;
done:
	free(dn);
	if (rc == -1)
		ch->failed = true;
	return rc;
}

int export_changes_finish(struct export_changes **chp, pocdir_error *err)
{
	struct export_changes *ch = chp != NULL ? *chp : NULL;
	int rc;

	if (ch == NULL)
		return 0;
	changes_close(ch);
	errno = 0;
	if (!ch->failed && fflush(ch->out) == EOF)
		ch->failed = true;
	rc = ch->failed ? -1 : 0;
	if (rc == -1 && err != NULL)
		error_set(err, POCDIR_ERR_SYSTEM, "export: writing change records failed: %s",
		          ch->l.failed ? "out of memory" : strerror(errno != 0 ? errno : EIO));
	free(ch->l.data);
	free(ch);
	*chp = NULL;
	return rc;
}

/* ---- vCard 4.0 (RFC 6350) ---- */

/* RFC 6350 3.3: a value holds no control character but HTAB (VALUE-CHAR
 * is WSP / NON-ASCII / %x21-7E); any other becomes U+FFFD. */
static void vcard_char(struct line *l, char c)
{
	if (((unsigned char)c < 0x20 && c != '\t') || c == 0x7f)
		line_str(l, "\xef\xbf\xbd");
	else
		line_char(l, c);
}

/* RFC 6350 3.4: in text values backslash, comma, semicolon and newline are
 * escaped (a semicolon must be in compound values, and may be elsewhere). */
static void vcard_text(struct line *l, const char *s)
{
	for (; s != NULL && *s != '\0'; s++) {
		switch (*s) {
		case '\\':
			line_str(l, "\\\\");
			break;
		case ',':
			line_str(l, "\\,");
			break;
		case ';':
			line_str(l, "\\;");
			break;
		case '\n':
			line_str(l, "\\n");
			break;
		default:
			vcard_char(l, *s);
		}
	}
}

/* A postalAddress value as vCard text: its lines (postal_plain), escaped
 * as any text value is, so the line breaks become "\n". */
static void vcard_postal(struct line *l, const char *s)
{
	struct line plain = {0};

	postal_plain(&plain, s);
	if (plain.failed)
		l->failed = true;
	else
		vcard_text(l, plain.data);
	free(plain.data);
}

/* Write a content line with CRLF, folded so no physical line exceeds 75
 * octets and no UTF-8 character is split (RFC 6350 3.2). */
static int vcard_flush(struct line *l, FILE *out)
{
	const size_t width = 75;
	size_t pos = 0, chunk;

	if (l->failed)
		return -1;
	while (pos < l->len) {
		chunk = pos == 0 ? width : width - 1;
		if (chunk >= l->len - pos)
			chunk = l->len - pos;
		else
			while (chunk > 1 && ((unsigned char)l->data[pos + chunk] & 0xc0) == 0x80)
				chunk--;
		if ((pos > 0 && fputc(' ', out) == EOF) ||
		    fwrite(l->data + pos, 1, chunk, out) != chunk || fputs("\r\n", out) == EOF)
			return -1;
		pos += chunk;
	}
	line_reset(l);
	return 0;
}

/* "PROP:text" for every value of attr. */
static int vcard_values(struct line *l, FILE *out, const pocdir_entry *e, const char *attr,
                        const char *prop)
{
	const char *const *v;
	size_t i, n = pocdir_entry_get(e, attr, &v);

	for (i = 0; i < n; i++) {
		line_str(l, prop);
		line_char(l, ':');
		vcard_text(l, v[i]);
		if (vcard_flush(l, out) == -1)
			return -1;
	}
	return 0;
}

/* RFC 3966 global number: "tel:+" and the digits, visual separators dropped. */
static int vcard_tel(struct line *l, FILE *out, const pocdir_entry *e, const char *attr,
                     const char *type)
{
	const char *const *v;
	size_t i, n = pocdir_entry_get(e, attr, &v);
	const char *p;

	for (i = 0; i < n; i++) {
		line_str(l, "TEL;VALUE=uri;TYPE=");
		line_str(l, type);
		line_str(l, ":tel:");
		for (p = v[i]; *p != '\0'; p++)
			if (*p == '+' || (*p >= '0' && *p <= '9'))
				line_char(l, *p);
		if (vcard_flush(l, out) == -1)
			return -1;
	}
	return 0;
}

/* UID: a name-based UUID over the entry's DN, version 8 built from SHA-256
 * as RFC 9562 appendix B.2 shows, so the same contact keeps the same UID in
 * every export and address books update it rather than duplicate it. */
static void vcard_uid(struct line *l, const char *dn)
{
	unsigned char h[16];
	char buf[64];
	size_t i, k = 0;

	util_name_uuid(dn, h);
	for (i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			buf[k++] = '-';
		k += (size_t)snprintf(buf + k, sizeof(buf) - k, "%02x", h[i]);
	}
	line_str(l, "UID:urn:uuid:");
	line_str(l, buf);
}

/* N (family;given;additional;prefixes;suffixes) into l when the entry says
 * enough to split its name: returns false to leave N out (it is optional in
 * vCard 4.0), which is better than calling a whole function name a family
 * name. sn is derived from cn unless the YAML gave one, so with a given
 * name the family name is cn without it ("김민준" less "민준"). */
static bool vcard_name(struct line *l, const pocdir_entry *e)
{
	const char *const *sn, *const *cn, *const *given;
	const char *family = NULL;
	size_t flen = 0, glen, clen;

	if (pocdir_entry_get(e, "sn", &sn) == 0 || pocdir_entry_get(e, "cn", &cn) == 0)
		return false;
	if (strcmp(sn[0], cn[0]) != 0) {
		family = sn[0];
		flen = strlen(family);
	} else if (pocdir_entry_get(e, "givenName", &given) > 0) {
		glen = strlen(given[0]);
		clen = strlen(cn[0]);
		if (glen == 0 || glen >= clen)
			return false;
		if (strncmp(cn[0], given[0], glen) == 0)
			family = cn[0] + glen, flen = clen - glen; /* "Élodie Martin" */
		else if (strcmp(cn[0] + clen - glen, given[0]) == 0)
			family = cn[0], flen = clen - glen; /* "Kim Min-jun", "김민준" */
		else
			return false;
		while (flen > 0 && *family == ' ')
			family++, flen--;
		while (flen > 0 && family[flen - 1] == ' ')
			flen--;
	}
	if (family == NULL || flen == 0)
		return false;
	line_str(l, "N:");
	{
		char *copy = str_ndup(family, flen);

		if (copy == NULL) {
			l->failed = true;
			return true;
		}
		vcard_text(l, copy);
		free(copy);
	}
	line_char(l, ';');
	if (pocdir_entry_get(e, "givenName", &given) > 0)
		vcard_text(l, given[0]);
	line_str(l, ";;;");
	return true;
}

/* Is e a named person (a given name, or a surname apart from the name)?
 * Else it is a team, desk or function: an organisation to an address book. */
static bool vcard_is_person(const pocdir_entry *e)
{
	const char *const *sn, *const *cn;

	if (pocdir_entry_get(e, "givenName", NULL) > 0)
		return true;
	return pocdir_entry_get(e, "sn", &sn) > 0 && pocdir_entry_get(e, "cn", &cn) > 0 &&
	       strcmp(sn[0], cn[0]) != 0;
}

/* TEL in vCard 3.0 (RFC 2426 3.3.1): a text value with TYPE parameters. */
static int vcard3_tel(struct line *l, FILE *out, const pocdir_entry *e, const char *attr,
                      const char *type)
{
	const char *const *v;
	size_t i, n = pocdir_entry_get(e, attr, &v);

	for (i = 0; i < n; i++) {
		line_str(l, "TEL;TYPE=");
		line_str(l, type);
		line_char(l, ':');
		vcard_text(l, v[i]);
		if (vcard_flush(l, out) == -1)
			return -1;
	}
	return 0;
}

static int vcard_entry(const pocdir_entry *e, const pocdir_write_options *w, FILE *out,
                       struct line *l)
{
	const bool v3 = w->vcard_version == 3, person = vcard_is_person(e);
	const char *const *v;
	size_t i, n;
	char pref[32];

	line_str(l, "BEGIN:VCARD");
	if (vcard_flush(l, out) == -1)
		return -1;
	line_str(l, v3 ? "VERSION:3.0" : "VERSION:4.0");
	if (vcard_flush(l, out) == -1)
		return -1;
	/* RFC 6350 6.1.4 KIND; vCard 3.0 has none, and Apple's X-ABShowAs is
	 * what 3.0 address books read to show a card as a company. */
	line_str(l, v3       ? (person ? "" : "X-ABShowAs:COMPANY")
	            : person ? "KIND:individual"
	                     : "KIND:org");
	if (l->len > 0 && vcard_flush(l, out) == -1)
		return -1;
	vcard_uid(l, pocdir_entry_dn(e));
	if (vcard_flush(l, out) == -1)
		return -1;
	/* FN is the one required property: the name, else the agency, else the id. */
	line_str(l, "FN:");
	if (pocdir_entry_get(e, "cn", &v) > 0 || pocdir_entry_get(e, "o", &v) > 0)
		vcard_text(l, v[0]);
	else
		vcard_text(l, pocdir_entry_id(e));
	if (vcard_flush(l, out) == -1)
		return -1;
	/* N is required by vCard 3.0 and what address books sort by: the
	 * family and given names of a person, empty components for a team
	 * (its name is no family name). */
	if (!vcard_name(l, e))
		line_str(l, "N:;;;;");
	if (vcard_flush(l, out) == -1)
		return -1;
	if (vcard_values(l, out, e, "o", "ORG") == -1 ||
	    vcard_values(l, out, e, "title", "TITLE") == -1)
		return -1;
	n = pocdir_entry_get(e, "pocRole", &v);
	if (n > 0) {
		line_str(l, "CATEGORIES:");
		for (i = 0; i < n; i++) {
			if (i > 0)
				line_char(l, ',');
			vcard_text(l, v[i]);
		}
		if (vcard_flush(l, out) == -1)
			return -1;
	}
	if (v3) {
		if (vcard_values(l, out, e, "mail", "EMAIL;TYPE=INTERNET,WORK") == -1 ||
		    vcard_values(l, out, e, "pocEmergencyMail",
		                 "EMAIL;TYPE=INTERNET,WORK,X-24X7") == -1 ||
		    vcard3_tel(l, out, e, "telephoneNumber", "WORK,VOICE") == -1 ||
		    vcard3_tel(l, out, e, "pocEmergencyPhone", "WORK,VOICE,X-24X7") == -1 ||
		    vcard3_tel(l, out, e, "mobile", "CELL") == -1 ||
		    vcard3_tel(l, out, e, "facsimileTelephoneNumber", "WORK,FAX") == -1)
			return -1;
	} else if (vcard_values(l, out, e, "mail", "EMAIL;TYPE=work") == -1 ||
	           vcard_values(l, out, e, "pocEmergencyMail", "EMAIL;TYPE=\"work,x-24x7\"") ==
	               -1 ||
	           vcard_tel(l, out, e, "telephoneNumber", "voice") == -1 ||
	           vcard_tel(l, out, e, "pocEmergencyPhone", "\"voice,x-24x7\"") == -1 ||
	           vcard_tel(l, out, e, "mobile", "cell") == -1 ||
	           vcard_tel(l, out, e, "facsimileTelephoneNumber", "fax") == -1) {
		return -1;
	}
	if (pocdir_entry_get(e, "street", NULL) > 0 || pocdir_entry_get(e, "l", NULL) > 0 ||
	    pocdir_entry_get(e, "postalCode", NULL) > 0) {
		/* ADR: po-box;extended;street;locality;region;code;country, from
		 * the fields the YAML split; the country by its name. */
		static const char *const parts[] = {"street", "l", "st", "postalCode"};
		const char *country = pocdir_country_name(pocdir_entry_country(e));

		line_str(l, v3 ? "ADR;TYPE=WORK:;;" : "ADR;TYPE=work:;;");
		for (i = 0; i < 4; i++) {
			if (i > 0)
				line_char(l, ';');
			if (pocdir_entry_get(e, parts[i], &v) > 0)
				vcard_text(l, v[0]);
		}
		line_char(l, ';');
		vcard_text(l, country != NULL ? country : pocdir_entry_country(e));
		if (vcard_flush(l, out) == -1)
			return -1;
	} else {
		n = pocdir_entry_get(e, "postalAddress", &v);
		for (i = 0; i < n; i++) {
			/* The address is free text: it all goes in the street
			 * component, its lines kept. */
			line_str(l, v3 ? "ADR;TYPE=WORK:;;" : "ADR;TYPE=work:;;");
			vcard_postal(l, v[i]);
			line_str(l, ";;;;");
			if (vcard_flush(l, out) == -1)
				return -1;
		}
	}
	n = pocdir_entry_get(e, "labeledURI", &v);
	for (i = 0; i < n; i++) {
		/* RFC 2079: labeledURI is "URI [label]"; URL takes the URI. */
		size_t len = strcspn(v[i], " ");

		line_str(l, "URL:");
		line_add(l, v[i], len);
		if (vcard_flush(l, out) == -1)
			return -1;
	}
	n = pocdir_entry_get(e, "pocLanguage", &v);
	if (v3 && n > 0) {
		/* vCard 3.0 has no LANG. */
		line_str(l, "NOTE:Languages: ");
		for (i = 0; i < n; i++) {
			if (i > 0)
				line_str(l, "\\, ");
			vcard_text(l, v[i]);
		}
		if (vcard_flush(l, out) == -1)
			return -1;
	}
	for (i = 0; !v3 && i < n; i++) {
		snprintf(pref, sizeof(pref), "LANG;PREF=%zu:", i + 1 < 100 ? i + 1 : 100);
		line_str(l, pref);
		vcard_text(l, v[i]);
		if (vcard_flush(l, out) == -1)
			return -1;
	}
	/* vCard 3.0's TZ is a UTC offset, which a zone with daylight saving
	 * does not have: the zone's name goes in a note there. */
	if (!v3 && vcard_values(l, out, e, "pocTimezone", "TZ") == -1)
		return -1;
	if (v3 && pocdir_entry_get(e, "pocTimezone", &v) > 0) {
		line_str(l, "NOTE:Time zone: ");
		vcard_text(l, v[0]);
		if (vcard_flush(l, out) == -1)
			return -1;
	}
	if (pocdir_entry_get(e, "pocHours", &v) > 0) {
		line_str(l, "NOTE:Office hours: ");
		vcard_text(l, v[0]);
		if (vcard_flush(l, out) == -1)
			return -1;
	}
	if (pocdir_entry_get(e, "pocPGPFingerprint", &v) > 0) {
		line_str(l, "NOTE:PGP fingerprint: ");
		vcard_text(l, v[0]);
		if (vcard_flush(l, out) == -1)
			return -1;
	}
	if (vcard_values(l, out, e, "description", "NOTE") == -1)
		return -1;
	if (entry_status(e, w) != 0) {
		char text[512];

		pocdir_status_text(e, w->now, text, sizeof(text));
		line_str(l, "NOTE:pocdir: ");
		vcard_text(l, text);
		if (vcard_flush(l, out) == -1)
			return -1;
	}
	line_str(l, "END:VCARD");
	return vcard_flush(l, out);
}

static int write_vcard(const pocdir_result *res, const pocdir_write_options *w, FILE *out,
                       struct line *l)
{
	size_t i, n = pocdir_result_count(res);

	for (i = 0; i < n; i++)
		if (vcard_entry(pocdir_result_entry(res, i), w, out, l) == -1)
			return -1;
	return 0;
}

/* ---- CSV (RFC 4180) ---- */

/* The columns after id, country and origin: a fixed list, so the header is
 * the same whatever the data; derived (displayName, preferredLanguage) and
 * LDAP-only (objectClass, uid, c) attributes are left out. sn is in: an
 * address book sorts by it. */
static const char *const csv_columns[] = {"o",
                                          "pocAgencyType",
                                          "cn",
                                          "givenName",
                                          "sn",
                                          "title",
                                          "pocRole",
                                          "mail",
                                          "pocEmergencyMail",
                                          "telephoneNumber",
                                          "pocEmergencyPhone",
                                          "mobile",
                                          "facsimileTelephoneNumber",
                                          "postalAddress",
                                          "street",
                                          "l",
                                          "st",
                                          "postalCode",
                                          "labeledURI",
                                          "pocLanguage",
                                          "pocTimezone",
                                          "pocHours",
                                          "pocCountry",
                                          "pocPGPFingerprint",
                                          "pocPGPExpires",
                                          "pocConstituency",
                                          "pocValidFrom",
                                          "pocValidUntil",
                                          "pocVerified",
                                          "pocChanged",
                                          "description",
                                          "pocSerial",
                                          NULL};

/* RFC 4180 2.6-2.7: a field with a comma, quote, CR or LF is quoted, and a
 * quote inside it doubled. */
static void csv_field(struct line *l, const char *s, bool first)
{
	if (s == NULL)
		s = "";
	if (!first)
		line_char(l, ',');
	if (strpbrk(s, ",\"\r\n") == NULL) {
		line_str(l, s);
		return;
	}
	line_char(l, '"');
	for (; *s != '\0'; s++) {
		if (*s == '"')
			line_char(l, '"');
		line_char(l, *s);
	}
	line_char(l, '"');
}

static int csv_record(struct line *l, FILE *out)
{
	line_str(l, "\r\n");
	if (l->failed || fwrite(l->data, 1, l->len, out) != l->len)
		return -1;
	line_reset(l);
	return 0;
}

static int write_csv(const pocdir_result *res, const pocdir_write_options *w, FILE *out,
                     struct line *l)
{
	const char *const *columns = w->attrs != NULL ? w->attrs : csv_columns;
	struct line cell = {0};
	size_t i, j, k, n = pocdir_result_count(res);
	int rc = -1;

	csv_field(l, "id", true);
	csv_field(l, "country", false);
	csv_field(l, "origin", false);
	if (w->now > 0)
		csv_field(l, "status", false);
	for (j = 0; columns[j] != NULL; j++)
		csv_field(l, columns[j], false);
	if (csv_record(l, out) == -1)
		goto done;
	for (i = 0; i < n; i++) {
		const pocdir_entry *e = pocdir_result_entry(res, i);

		csv_field(l, pocdir_entry_id(e), true);
		csv_field(l, pocdir_entry_country(e), false);
		csv_field(l, pocdir_entry_origin(e), false);
		if (w->now > 0) {
			unsigned st = entry_status(e, w);

			line_reset(&cell);
			for (unsigned bit = 1; bit <= POCDIR_STATUS_STALE; bit <<= 1)
				if ((st & bit) != 0) {
					line_str(&cell, cell.len > 0 ? "; " : "");
					line_str(&cell, pocdir_status_word(bit));
				}
			csv_field(l, cell.data != NULL ? cell.data : "", false);
		}
		for (j = 0; columns[j] != NULL; j++) {
			const char *const *v;
			size_t nv = pocdir_entry_get(e, columns[j], &v);
			/* An address keeps its lines: a quoted CSV field holds them. */
			bool postal = strcasecmp(columns[j], "postalAddress") == 0;

			line_reset(&cell);
			for (k = 0; k < nv; k++) {
				if (k > 0)
					line_str(&cell, postal ? "\n\n" : "; ");
				if (postal)
					postal_plain(&cell, v[k]);
				else
					line_str(&cell, v[k]);
			}
			if (cell.failed)
				goto done;
			csv_field(l, cell.data != NULL ? cell.data : "", false);
		}
		if (csv_record(l, out) == -1)
			goto done;
	}
	rc = 0;
done:
	free(cell.data);
	return rc;
}

int pocdir_write_with(const pocdir_result *res, pocdir_format fmt, const pocdir_write_options *opts,
                      FILE *out, pocdir_error *err)
{
	pocdir_write_options w = {0};
	struct line l = {0};
	int rc;

	if (res == NULL || out == NULL)
		return error_set(err, POCDIR_ERR_USAGE, "pocdir_write: no result or no stream");
	if (opts != NULL)
		abi_in(&w, sizeof(w), opts, ABI_WRITE_OPTIONS_V1);
	if (w.attrs != NULL && w.attrs[0] == NULL)
		w.attrs = NULL;
	if (w.vcard_version != 0 && w.vcard_version != 3 && w.vcard_version != 4)
		return error_set(err, POCDIR_ERR_USAGE,
		                 "pocdir_write: no vCard version %d (3 or 4)", w.vcard_version);
	errno = 0;
	switch (fmt) {
	case POCDIR_FORMAT_JSON:
		rc = write_json(res, &w, out, &l);
		break;
	case POCDIR_FORMAT_LDIF:
		rc = write_ldif(res, &w, out, &l);
		break;
	case POCDIR_FORMAT_VCARD:
		rc = write_vcard(res, &w, out, &l);
		break;
	case POCDIR_FORMAT_CSV:
		rc = write_csv(res, &w, out, &l);
		break;
	default:
		free(l.data);
		return error_set(err, POCDIR_ERR_USAGE, "pocdir_write: unknown format %d",
		                 (int)fmt);
	}
	if (rc == 0 && fflush(out) == EOF)
		rc = -1;
	if (rc == -1) {
		if (l.failed)
			error_set(err, POCDIR_ERR_SYSTEM, "export: out of memory");
		else
			error_set(err, POCDIR_ERR_SYSTEM, "export: write failed: %s",
			          strerror(errno != 0 ? errno : EIO));
	}
	free(l.data);
	return rc;
}

int pocdir_write_attrs(const pocdir_result *res, pocdir_format fmt, const char *const *attrs,
                       int with_tree, FILE *out, pocdir_error *err)
{
	pocdir_write_options w = {.attrs = attrs, .with_tree = with_tree};

	return pocdir_write_with(res, fmt, &w, out, err);
}

int pocdir_write(const pocdir_result *res, pocdir_format fmt, int with_tree, FILE *out,
                 pocdir_error *err)
{
	return pocdir_write_attrs(res, fmt, NULL, with_tree, out, err);
}

int export_json_quote(const char *s, FILE *out)
{
	struct line l = {0};
	int rc = -1;

	json_string(&l, s);
	if (!l.failed && fwrite(l.data, 1, l.len, out) == l.len)
		rc = 0;
	free(l.data);
	return rc;
}
