/* attr.c - the attribute table and the value normalisation behind LDAP
 * matching rules (RFC 4517, RFC 4518), kept compatible with OpenLDAP's so
 * that an LDIF export answers the same filters in slapd. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "attr.h"

#define DSTRING "1.3.6.1.4.1.1466.115.121.1.15"
#define IA5 "1.3.6.1.4.1.1466.115.121.1.26"
#define PHONE "1.3.6.1.4.1.1466.115.121.1.50"
#define INTEGER "1.3.6.1.4.1.1466.115.121.1.27"
#define POSTAL "1.3.6.1.4.1.1466.115.121.1.41"
#define COUNTRY "1.3.6.1.4.1.1466.115.121.1.11"
#define OIDSYN "1.3.6.1.4.1.1466.115.121.1.38"
#define FAX "1.3.6.1.4.1.1466.115.121.1.22"
#define POC(n) POCDIR_OID_ARC ".1." #n

/* Standard attributes carry the matching rules of OpenLDAP's core, cosine and
 * inetorgperson schemas; e.g. RFC 4519 gives facsimileTelephoneNumber no
 * equality rule, so (facsimileTelephoneNumber=...) is Undefined there too. */
static const struct attr_type table[ATTR_COUNT] = {
    {ATTR_OBJECTCLASS, "objectClass", NULL, "2.5.4.0", NULL, OIDSYN, MATCH_CASE_IGNORE, false,
     false, false, true, false, "object classes of the entry"},
    {ATTR_UID, "uid", "userid", "0.9.2342.19200300.100.1.1", "id", DSTRING, MATCH_CASE_IGNORE,
     false, true, false, true, false, "entry id, unique within its country"},
    {ATTR_CN, "cn", "commonName", "2.5.4.3", "name", DSTRING, MATCH_CASE_IGNORE, false, true, false,
     true, false, "function or person"},
    {ATTR_SN, "sn", "surname", "2.5.4.4", NULL, DSTRING, MATCH_CASE_IGNORE, false, true, false,
     true, false, "surname, or the function when no person is named"},
    {ATTR_GIVENNAME, "givenName", "gn", "2.5.4.42", "given-name", DSTRING, MATCH_CASE_IGNORE, false,
     true, false, true, false, "given name of a named person"},
    {ATTR_TITLE, "title", NULL, "2.5.4.12", "title", DSTRING, MATCH_CASE_IGNORE, false, true, false,
     true, false, "title or position"},
    {ATTR_O, "o", "organizationName", "2.5.4.10", "agency", DSTRING, MATCH_CASE_IGNORE, false, true,
     false, true, false, "agency"},
    {ATTR_C, "c", "countryName", "2.5.4.6", "country", COUNTRY, MATCH_CASE_IGNORE, false, true,
     true, true, false, "ISO 3166-1 alpha-2 country code"},
    {ATTR_MAIL, "mail", "rfc822Mailbox", "0.9.2342.19200300.100.1.3", "email", IA5,
     MATCH_CASE_IGNORE, false, true, false, true, false, "office e-mail"},
    {ATTR_TELEPHONE, "telephoneNumber", NULL, "2.5.4.20", "phone", PHONE, MATCH_TELEPHONE, false,
     true, false, true, false, "office telephone (E.164)"},
    {ATTR_MOBILE, "mobile", "mobileTelephoneNumber", "0.9.2342.19200300.100.1.41", "mobile", PHONE,
     MATCH_TELEPHONE, false, true, false, true, true, "mobile telephone (E.164)"},
    {ATTR_FAX, "facsimileTelephoneNumber", "fax", "2.5.4.23", "fax", FAX, MATCH_NONE, false, false,
     false, true, false, "fax number (E.164)"},
    {ATTR_POSTAL, "postalAddress", NULL, "2.5.4.16", "address", POSTAL, MATCH_LIST, false, true,
     false, true, false, "postal address, lines separated by $"},
    {ATTR_URI, "labeledURI", NULL, "1.3.6.1.4.1.250.1.57", "website", DSTRING, MATCH_CASE_EXACT,
     false, false, false, true, false, "web site"},
    {ATTR_PREFLANG, "preferredLanguage", NULL, "2.16.840.1.113730.3.1.39", NULL, DSTRING,
     MATCH_CASE_IGNORE, false, true, true, true, false, "first language (BCP 47)"},
    {ATTR_DESCRIPTION, "description", NULL, "2.5.4.13", "notes", DSTRING, MATCH_CASE_IGNORE, false,
     true, false, true, false, "free notes"},
    {ATTR_ROLE, "pocRole", "role", POC(1), "roles", DSTRING, MATCH_CASE_IGNORE, false, true, false,
     false, false, "role of the point of contact"},
    {ATTR_AGENCYTYPE, "pocAgencyType", NULL, POC(2), "agency-type", DSTRING, MATCH_CASE_IGNORE,
     false, true, true, false, false, "kind of agency"},
    {ATTR_COUNTRYSERVED, "pocCountry", NULL, POC(3), "countries", DSTRING, MATCH_CASE_IGNORE, false,
     true, false, false, false, "additional countries served"},
    {ATTR_EMERGENCYPHONE, "pocEmergencyPhone", NULL, POC(4), "phone-24x7", PHONE, MATCH_TELEPHONE,
     false, true, false, false, true, "24x7 emergency telephone (E.164)"},
    {ATTR_EMERGENCYMAIL, "pocEmergencyMail", NULL, POC(5), "email-24x7", IA5, MATCH_CASE_IGNORE,
     false, true, false, false, true, "24x7 emergency e-mail"},
    {ATTR_HOURS, "pocHours", NULL, POC(6), "hours", DSTRING, MATCH_CASE_IGNORE, false, true, true,
     false, false, "business hours, e.g. Mo-Fr 09:00-18:00"},
    {ATTR_TIMEZONE, "pocTimezone", NULL, POC(7), "timezone", DSTRING, MATCH_CASE_IGNORE, false,
     true, true, false, false, "IANA time zone"},
    {ATTR_LANGUAGE, "pocLanguage", NULL, POC(8), "languages", DSTRING, MATCH_CASE_IGNORE, false,
     true, false, false, false, "languages spoken (BCP 47)"},
    {ATTR_PGPFINGERPRINT, "pocPGPFingerprint", NULL, POC(9), "pgp.fingerprint", DSTRING,
     MATCH_CASE_IGNORE, false, true, true, false, false, "OpenPGP key fingerprint"},
    {ATTR_PGPEXPIRES, "pocPGPExpires", NULL, POC(10), "pgp.expires", DSTRING, MATCH_CASE_IGNORE,
     true, true, true, false, false, "OpenPGP key expiry date"},
    {ATTR_CONSTITUENCY, "pocConstituency", NULL, POC(11), "constituency", DSTRING,
     MATCH_CASE_IGNORE, false, true, false, false, false, "constituency served"},
    {ATTR_VALIDFROM, "pocValidFrom", NULL, POC(12), "valid-from", DSTRING, MATCH_CASE_IGNORE, true,
     true, true, false, false, "first day the contact is valid"},
    {ATTR_VALIDUNTIL, "pocValidUntil", NULL, POC(13), "valid-until", DSTRING, MATCH_CASE_IGNORE,
     true, true, true, false, false, "last day the contact is valid"},
    {ATTR_VERIFIED, "pocVerified", NULL, POC(14), "verified", DSTRING, MATCH_CASE_IGNORE, true,
     true, true, false, false, "date of the last successful ping test"},
    {ATTR_CHANGED, "pocChanged", NULL, POC(15), "changed", DSTRING, MATCH_CASE_IGNORE, true, true,
     true, false, false, "date of the last change"},
    {ATTR_ORIGIN, "pocOrigin", NULL, POC(16), NULL, DSTRING, MATCH_CASE_IGNORE, false, true, true,
     false, false, "origin that published the entry"},
    {ATTR_SERIAL, "pocSerial", NULL, POC(17), NULL, INTEGER, MATCH_INTEGER, true, false, true,
     false, false, "serial of the origin's set"},
};

const struct attr_type *attr_by_id(enum attr_id id)
{
	if ((unsigned)id >= ATTR_COUNT)
		return NULL;
	return &table[id];
}

const struct attr_type *attr_lookup(const char *name, size_t len)
{
	for (size_t i = 0; i < ATTR_COUNT; i++) {
		const struct attr_type *t = &table[i];

		if ((strlen(t->name) == len && strncasecmp(t->name, name, len) == 0) ||
		    (t->alias != NULL && strlen(t->alias) == len &&
		     strncasecmp(t->alias, name, len) == 0) ||
		    (strlen(t->oid) == len && memcmp(t->oid, name, len) == 0))
			return t;
	}
	return NULL;
}

static int is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/* RFC 4518 2.6.1: leading and trailing spaces are insignificant and inner
 * runs compare as one space. Case is folded for ASCII letters; other bytes
 * (UTF-8) are kept as they are. For lists (RFC 4517 4.2.9,
 * caseIgnoreListMatch) each "$"-separated line is trimmed on its own. */
static void normalize_string(const char *v, size_t len, int fold, int drop_phone_spaces, int list,
                             char *out)
{
	size_t o = 0;
	int pending_space = 0, line_start = 1;

	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)v[i];

		if (drop_phone_spaces && (is_space(c) || c == '-'))
			continue;
		if (is_space(c)) {
			pending_space = !line_start;
			continue;
		}
		if (list && c == '$') {
			pending_space = 0;
			out[o++] = '$';
			line_start = 1;
			continue;
		}
		if (pending_space) {
			out[o++] = ' ';
			pending_space = 0;
		}
		line_start = 0;
		if (fold && c >= 'A' && c <= 'Z')
			c = (unsigned char)(c - 'A' + 'a');
		out[o++] = (char)c;
	}
	out[o] = '\0';
}

/* RFC 4517 3.3.16: Integer = ( HYPHEN LDIGIT *DIGIT ) / number, so no "+",
 * no leading zero and no "-0"; anything else is not an integer and an
 * assertion with it is Undefined, as in slapd. */
static int normalize_integer(const char *v, size_t len, bool *invalid, char *out)
{
	size_t start = 0, i;

	while (start < len && is_space((unsigned char)v[start]))
		start++;
	while (len > start && is_space((unsigned char)v[len - 1]))
		len--;
	i = start;
	if (i < len && v[i] == '-')
		i++;
	if (i == len || (v[i] == '0' && (len - i > 1 || i > start)))
		goto bad;
	for (size_t j = i; j < len; j++)
		if (v[j] < '0' || v[j] > '9')
			goto bad;
	memcpy(out, v + start, len - start);
	out[len - start] = '\0';
	return 0;
bad:
	if (invalid != NULL)
		*invalid = true;
	return -1;
}

/* Object classes by OID, so that (objectClass=2.5.6.6) matches person
 * (objectIdentifierMatch compares OIDs; names stand for their OID). */
static const struct {
	const char *oid, *name;
} classes[] = {
    {"2.5.6.0", "top"},
    {"2.5.6.2", "country"},
    {"2.5.6.4", "organization"},
    {"2.5.6.6", "person"},
    {"2.5.6.7", "organizationalPerson"},
    {"2.16.840.1.113730.3.2.2", "inetOrgPerson"},
    {"1.3.6.1.4.1.1466.344", "dcObject"},
    {POCDIR_OID_ARC ".2.1", "pocContact"},
};

const char *attr_class_name(const char *oid)
{
	for (size_t i = 0; i < sizeof(classes) / sizeof(classes[0]); i++)
		if (strcmp(classes[i].oid, oid) == 0)
			return classes[i].name;
	return NULL;
}

int attr_normalize_into(enum attr_match rule, const char *value, size_t len, char *out,
                        bool *invalid)
{
	if (invalid != NULL)
		*invalid = false;
	switch (rule) {
	case MATCH_INTEGER:
		return normalize_integer(value, len, invalid, out);
	case MATCH_LIST:
		normalize_string(value, len, 1, 0, 1, out);
		return 0;
	case MATCH_CASE_EXACT:
		normalize_string(value, len, 0, 0, 0, out);
		return 0;
	case MATCH_TELEPHONE:
		normalize_string(value, len, 1, 1, 0, out);
		return 0;
	case MATCH_NONE:
	case MATCH_CASE_IGNORE:
	default:
		normalize_string(value, len, 1, 0, 0, out);
		return 0;
	}
}

char *attr_normalize(enum attr_match rule, const char *value, size_t len, bool *invalid)
{
	char *out = malloc(len + 1);

	if (invalid != NULL)
		*invalid = false;
	if (out == NULL)
		return NULL;
	if (attr_normalize_into(rule, value, len, out, invalid) == -1) {
		free(out);
		return NULL;
	}
	return out;
}

int attr_compare(enum attr_match rule, const char *a, const char *b)
{
	if (rule == MATCH_INTEGER) {
		int na = a[0] == '-', nb = b[0] == '-';
		size_t la = strlen(a), lb = strlen(b);
		int mag;

		if (na != nb)
			return na ? -1 : 1;
		mag = la != lb ? (la < lb ? -1 : 1) : strcmp(a, b);
		return na ? -mag : mag;
	}
	return strcmp(a, b);
}
