/* attr.c - the attribute table and the value normalisation behind LDAP
 * matching rules (RFC 4517, RFC 4518), kept compatible with OpenLDAP's so
 * that an LDIF export answers the same filters in slapd. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unicase.h>
#include <unictype.h>
#include <uninorm.h>
#include <unistr.h>

#include "attr.h"
#include "dn.h"

#define DSTRING "1.3.6.1.4.1.1466.115.121.1.15"
#define IA5 "1.3.6.1.4.1.1466.115.121.1.26"
#define PHONE "1.3.6.1.4.1.1466.115.121.1.50"
#define INTEGER "1.3.6.1.4.1.1466.115.121.1.27"
#define POSTAL "1.3.6.1.4.1.1466.115.121.1.41"
#define COUNTRY "1.3.6.1.4.1.1466.115.121.1.11"
#define OIDSYN "1.3.6.1.4.1.1466.115.121.1.38"
#define FAX "1.3.6.1.4.1.1466.115.121.1.22"
#define DN "1.3.6.1.4.1.1466.115.121.1.12"
#define BOOLEAN "1.3.6.1.4.1.1466.115.121.1.7"
#define POC(n) POCDIR_OID_ARC ".1." #n

/* Standard attributes carry the matching rules of OpenLDAP's core, cosine and
 * inetorgperson schemas; e.g. RFC 4519 gives facsimileTelephoneNumber no
 * equality rule, so (facsimileTelephoneNumber=...) is Undefined there too. */
const struct attr_type attr_types[ATTR_COUNT] = {
    {ATTR_OBJECTCLASS, "objectClass", NULL, "2.5.4.0", NULL, OIDSYN, MATCH_OID, false, false, false,
     true, false, "object classes of the entry", false, false},
    {ATTR_UID, "uid", "userid", "0.9.2342.19200300.100.1.1", "id", DSTRING, MATCH_CASE_IGNORE,
     false, true, false, true, false, "entry id, unique within its country", false, false},
    {ATTR_CN, "cn", "commonName", "2.5.4.3", "name", DSTRING, MATCH_CASE_IGNORE, false, true, false,
     true, false, "function or person", false, false},
    {ATTR_SN, "sn", "surname", "2.5.4.4", "surname", DSTRING, MATCH_CASE_IGNORE, false, true, false,
     true, false, "surname, else the name (the function when no person is named)", false, false},
    {ATTR_GIVENNAME, "givenName", "gn", "2.5.4.42", "given-name", DSTRING, MATCH_CASE_IGNORE, false,
     true, false, true, false, "given name of a named person", false, false},
    {ATTR_DISPLAYNAME, "displayName", NULL, "2.16.840.1.113730.3.1.241", NULL, DSTRING,
     MATCH_CASE_IGNORE, false, true, true, true, false, "the name as address books show it", false,
     false},
    {ATTR_TITLE, "title", NULL, "2.5.4.12", "title", DSTRING, MATCH_CASE_IGNORE, false, true, false,
     true, false, "title or position", false, false},
    {ATTR_O, "o", "organizationName", "2.5.4.10", "agency", DSTRING, MATCH_CASE_IGNORE, false, true,
     false, true, false, "agency", false, false},
    {ATTR_C, "c", "countryName", "2.5.4.6", "country", COUNTRY, MATCH_CASE_IGNORE, false, true,
     true, true, false, "ISO 3166-1 alpha-2 country code", false, false},
    {ATTR_MAIL, "mail", "rfc822Mailbox", "0.9.2342.19200300.100.1.3", "email", IA5,
     MATCH_CASE_IGNORE_IA5, false, true, false, true, false, "office e-mail", false, false},
    {ATTR_TELEPHONE, "telephoneNumber", NULL, "2.5.4.20", "phone", PHONE, MATCH_TELEPHONE, false,
     true, false, true, false, "office telephone (E.164)", false, false},
    {ATTR_MOBILE, "mobile", "mobileTelephoneNumber", "0.9.2342.19200300.100.1.41", "mobile", PHONE,
     MATCH_TELEPHONE, false, true, false, true, true, "mobile telephone (E.164)", false, false},
    {ATTR_FAX, "facsimileTelephoneNumber", "fax", "2.5.4.23", "fax", FAX, MATCH_NONE, false, false,
     false, true, false, "fax number (E.164)", false, false},
    {ATTR_POSTAL, "postalAddress", NULL, "2.5.4.16", "address", POSTAL, MATCH_LIST, false, true,
     false, true, false, "postal address, lines separated by $", false, false},
    {ATTR_STREET, "street", "streetAddress", "2.5.4.9", "street", DSTRING, MATCH_CASE_IGNORE, false,
     true, false, true, false, "street and number", false, false},
    {ATTR_LOCALITY, "l", "localityName", "2.5.4.7", "locality", DSTRING, MATCH_CASE_IGNORE, false,
     true, false, true, false, "city or locality", false, false},
    {ATTR_REGION, "st", "stateOrProvinceName", "2.5.4.8", "region", DSTRING, MATCH_CASE_IGNORE,
     false, true, false, true, false, "state, province or region", false, false},
    {ATTR_POSTALCODE, "postalCode", NULL, "2.5.4.17", "postal-code", DSTRING, MATCH_CASE_IGNORE,
     false, true, false, true, false, "postal code", false, false},
    {ATTR_URI, "labeledURI", NULL, "1.3.6.1.4.1.250.1.57", "website", DSTRING, MATCH_CASE_EXACT,
     false, false, false, true, false, "web site", false, false},
    {ATTR_PREFLANG, "preferredLanguage", NULL, "2.16.840.1.113730.3.1.39", NULL, DSTRING,
     MATCH_CASE_IGNORE, false, true, true, true, false, "first language (BCP 47)", false, false},
    {ATTR_DESCRIPTION, "description", NULL, "2.5.4.13", "notes", DSTRING, MATCH_CASE_IGNORE, false,
     true, false, true, false, "free notes", false, false},
    {ATTR_ROLE, "pocRole", "role", POC(1), "roles", DSTRING, MATCH_CASE_IGNORE, false, true, false,
     false, false, "role of the point of contact", false, false},
    {ATTR_AGENCYTYPE, "pocAgencyType", NULL, POC(2), "agency-type", DSTRING, MATCH_CASE_IGNORE,
     false, true, true, false, false, "kind of agency", false, false},
    {ATTR_COUNTRYSERVED, "pocCountry", NULL, POC(3), "countries", DSTRING, MATCH_CASE_IGNORE, false,
     true, false, false, false, "additional countries served", false, false},
    {ATTR_EMERGENCYPHONE, "pocEmergencyPhone", NULL, POC(4), "phone-24x7", PHONE, MATCH_TELEPHONE,
     false, true, false, false, true, "24x7 emergency telephone (E.164)", false, false},
    {ATTR_EMERGENCYMAIL, "pocEmergencyMail", NULL, POC(5), "email-24x7", IA5, MATCH_CASE_IGNORE_IA5,
     false, true, false, false, true, "24x7 emergency e-mail", false, false},
    {ATTR_HOURS, "pocHours", NULL, POC(6), "hours", DSTRING, MATCH_CASE_IGNORE, false, true, true,
     false, false, "business hours, e.g. Mo-Fr 09:00-18:00", false, false},
    {ATTR_TIMEZONE, "pocTimezone", NULL, POC(7), "timezone", DSTRING, MATCH_CASE_IGNORE, false,
     true, true, false, false, "IANA time zone", false, false},
    {ATTR_LANGUAGE, "pocLanguage", NULL, POC(8), "languages", DSTRING, MATCH_CASE_IGNORE, false,
     true, false, false, false, "languages spoken (BCP 47)", false, false},
    {ATTR_PGPFINGERPRINT, "pocPGPFingerprint", NULL, POC(9), "pgp.fingerprint", DSTRING,
     MATCH_CASE_IGNORE, false, true, true, false, false, "OpenPGP key fingerprint", false, false},
    {ATTR_PGPEXPIRES, "pocPGPExpires", NULL, POC(10), "pgp.expires", DSTRING, MATCH_CASE_IGNORE,
     true, true, true, false, false, "OpenPGP key expiry date", false, false},
    {ATTR_CONSTITUENCY, "pocConstituency", NULL, POC(11), "constituency", DSTRING,
     MATCH_CASE_IGNORE, false, true, false, false, false, "constituency served", false, false},
    {ATTR_VALIDFROM, "pocValidFrom", NULL, POC(12), "valid-from", DSTRING, MATCH_CASE_IGNORE, true,
     true, true, false, false, "first day the contact is valid", false, false},
    {ATTR_VALIDUNTIL, "pocValidUntil", NULL, POC(13), "valid-until", DSTRING, MATCH_CASE_IGNORE,
     true, true, true, false, false, "last day the contact is valid", false, false},
    {ATTR_VERIFIED, "pocVerified", NULL, POC(14), "verified", DSTRING, MATCH_CASE_IGNORE, true,
     true, true, false, false, "date of the last successful ping test", false, false},
    {ATTR_CHANGED, "pocChanged", NULL, POC(15), "changed", DSTRING, MATCH_CASE_IGNORE, true, true,
     true, false, false, "date of the last change", false, false},
    {ATTR_ORIGIN, "pocOrigin", NULL, POC(16), NULL, DSTRING, MATCH_CASE_IGNORE, false, true, true,
     false, false, "origin that published the entry", false, false},
    {ATTR_SERIAL, "pocSerial", NULL, POC(17), NULL, INTEGER, MATCH_INTEGER, true, false, true,
     false, false, "serial of the origin's set", false, false},
    {ATTR_DC, "dc", "domainComponent", "0.9.2342.19200300.100.1.25", NULL, IA5,
     MATCH_CASE_IGNORE_IA5, false, true, true, true, false, "domain component", false, true},
    /* RFC 4512 3.4.1, RFC 5020, and hasSubordinates as slapd has it. */
    {ATTR_STRUCTURAL, "structuralObjectClass", NULL, "2.5.21.9", NULL, OIDSYN, MATCH_OID, false,
     false, true, true, false, "structural object class of the entry", true, false},
    {ATTR_ENTRYDN, "entryDN", NULL, "1.3.6.1.1.20", NULL, DN, MATCH_DN, false, false, true, true,
     false, "DN of the entry", true, false},
    {ATTR_SUBSCHEMA, "subschemaSubentry", NULL, "2.5.18.10", NULL, DN, MATCH_DN, false, false, true,
     true, false, "the subschema subentry controlling the entry", true, false},
    {ATTR_HASSUBORDINATES, "hasSubordinates", NULL, "2.5.18.9", NULL, BOOLEAN, MATCH_BOOLEAN, false,
     false, true, true, false, "does the entry have entries below it", true, false},
};

/* RFC 4519 2.18: the supertype of the naming attributes. Its rules are
 * those its subtypes inherit (caseIgnoreMatch, caseIgnoreSubstringsMatch;
 * no ORDERING). */
static const struct attr_type name_type = {
    .id = ATTR_NAME,
    .name = "name",
    .oid = "2.5.4.41",
    .syntax = DSTRING,
    .equality = MATCH_CASE_IGNORE,
    .substrings = true,
    .standard = true,
    .description = "supertype of the naming attributes",
};

const struct attr_type *attr_by_id(enum attr_id id)
{
	if ((unsigned)id == ATTR_NAME)
		return &name_type;
	if ((unsigned)id >= ATTR_COUNT)
		return NULL;
	return &attr_types[id];
}

static bool type_named(const struct attr_type *t, const char *name, size_t len)
{
	return (strlen(t->name) == len && strncasecmp(t->name, name, len) == 0) ||
	       (t->alias != NULL && strlen(t->alias) == len &&
	        strncasecmp(t->alias, name, len) == 0) ||
	       (strlen(t->oid) == len && memcmp(t->oid, name, len) == 0);
}

const struct attr_type *attr_lookup(const char *name, size_t len)
{
	for (size_t i = 0; i < ATTR_COUNT; i++)
		if (type_named(&attr_types[i], name, len))
			return &attr_types[i];
	return NULL;
}

const struct attr_type *attr_lookup_any(const char *name, size_t len)
{
	const struct attr_type *t = attr_lookup(name, len);

	return t != NULL ? t : type_named(&name_type, name, len) ? &name_type : NULL;
}

const struct attr_type *attr_supertype(const struct attr_type *t)
{
	switch (t->id) {
	case ATTR_CN: /* RFC 4519 2.3, 2.32, 2.12, 2.38, 2.19, 2.2: SUP name */
	case ATTR_SN:
	case ATTR_GIVENNAME:
	case ATTR_TITLE:
	case ATTR_O:
	case ATTR_C:
	case ATTR_LOCALITY: /* 2.16, 2.33 */
	case ATTR_REGION:
		return &name_type;
	default:
		return NULL;
	}
}

bool attr_covers(const struct attr_type *d, const struct attr_type *t)
{
	for (; t != NULL; t = attr_supertype(t))
		if (t == d)
			return true;
	return false;
}

/* ------------------------------------------------------------------ */
/* String preparation (RFC 4518) */

/* How a rule prepares strings. */
struct prep_rule {
	bool fold;     /* 2.2: case folding (caseIgnore*) */
	bool ia5;      /* the assertion syntax is IA5 String: ASCII only */
	bool phone;    /* 2.6.3: spaces and hyphens are insignificant */
	bool list;     /* RFC 4517 4.2.9: '$'-separated lines, each on its own */
	bool nonempty; /* Directory String and Printable String are 1*char */
};

static bool prep_rule_for(enum attr_match rule, struct prep_rule *r)
{
	memset(r, 0, sizeof(*r));
	switch (rule) {
	case MATCH_CASE_IGNORE:
	case MATCH_NONE:
		r->fold = r->nonempty = true;
		return true;
	case MATCH_CASE_EXACT:
		r->nonempty = true;
		return true;
	case MATCH_CASE_IGNORE_IA5:
		r->fold = r->ia5 = true;
		return true;
	case MATCH_CASE_EXACT_IA5:
		r->ia5 = true;
		return true;
	case MATCH_TELEPHONE:
		r->fold = r->phone = r->nonempty = true;
		return true;
	case MATCH_LIST:
		r->fold = r->list = r->nonempty = true;
		return true;
	default:
		return false;
	}
}

/* RFC 4517 3.3.31 PrintableCharacter, the Telephone Number syntax. */
static bool printable(ucs4_t c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       (c != 0 && strchr("'()+,-./:?= ", (int)c) != NULL);
}

/* RFC 4518 2.2 Map: characters mapped to nothing. Besides these the
 * controls (Cc) and format characters (Cf) are, except the white space
 * ones, which map to SPACE with the separators (Z*). */
static bool map_to_nothing(ucs4_t c)
{
	if (c == 0x00AD || c == 0x1806 || c == 0x034F || (c >= 0x180B && c <= 0x180D) ||
	    (c >= 0xFE00 && c <= 0xFE0F) || c == 0xFFFC || c == 0x200B)
		return true;
	if (c == 0x09 || c == 0x0A || c == 0x0B || c == 0x0C || c == 0x0D || c == 0x85)
		return false;
	return uc_is_general_category(c, UC_CATEGORY_Cc) ||
	       uc_is_general_category(c, UC_CATEGORY_Cf);
}

static bool map_to_space(ucs4_t c)
{
	return c == 0x09 || c == 0x0A || c == 0x0B || c == 0x0C || c == 0x0D || c == 0x85 ||
	       uc_is_general_category(c, UC_CATEGORY_Z);
}

/* RFC 4518 2.4 Prohibit: unassigned code points (by the library's Unicode
 * version), private use, non-characters, surrogates, REPLACEMENT CHARACTER,
 * and the display-changing and tagging characters of RFC 3454 C.8 and C.9. */
static bool prohibited(ucs4_t c)
{
	return uc_is_general_category(c, UC_CATEGORY_Cn) ||
	       uc_is_general_category(c, UC_CATEGORY_Co) ||
	       uc_is_general_category(c, UC_CATEGORY_Cs) || c == 0xFFFD || c == 0x0340 ||
	       c == 0x0341 || c == 0x200E || c == 0x200F || (c >= 0x202A && c <= 0x202E) ||
	       (c >= 0x206A && c <= 0x206F) || c == 0xE0001 || (c >= 0xE0020 && c <= 0xE007F);
}

/* Output with a bound. */
struct sink {
	char *out;
	size_t size, len;
	bool full;
};

static void sink_byte(struct sink *k, char c)
{
	if (k->len + 1 >= k->size) {
		k->full = true;
		return;
	}
	k->out[k->len++] = c;
}

static void sink_char(struct sink *k, ucs4_t c)
{
	uint8_t buf[6];
	int n;

	if (c < 0x80) {
		sink_byte(k, (char)c);
		return;
	}
	n = u8_uctomb(buf, c, sizeof(buf));

	for (int i = 0; i < n; i++)
		sink_byte(k, (char)buf[i]);
}

/* RFC 4518 2.6: insignificant space handling over the mapped, folded and
 * normalised code points (spaces are U+0020 by now). Inner runs become one
 * space. An attribute value or equality assertion is trimmed at both ends;
 * substring components keep one space at an end that meets the rest of the
 * value (the end of an initial, the start of a final, both ends of an any).
 * A component that is all space prepares to nothing, which matches
 * anywhere: RFC 4518 makes it one SPACE, which every prepared value holds
 * at its start and end. Telephone numbers lose all spaces and hyphens. */
static void space_handling(const ucs4_t *u, size_t n, const struct prep_rule *r,
                           enum attr_prep kind, struct sink *k)
{
	bool keep_lead = kind == PREP_ANY || kind == PREP_FINAL;
	bool keep_trail = kind == PREP_ANY || kind == PREP_INITIAL;
	size_t line = 0;

	for (size_t i = 0; i <= n; i++) {
		size_t a, b;
		bool lead, trail;

		if (i < n && !(r->list && u[i] == '$'))
			continue;
		/* One line [line, i): the whole string unless it is a list. */
		a = line;
		b = i;
		while (a < b && u[a] == ' ')
			a++;
		while (b > a && u[b - 1] == ' ')
			b--;
		lead = a > line && a < b && keep_lead && line == 0;
		trail = b < i && a < b && keep_trail && i == n;
		if (lead && !r->phone)
			sink_byte(k, ' ');
		for (size_t j = a; j < b; j++) {
			if (r->phone && (u[j] == ' ' || u[j] == '-'))
				continue;
			if (u[j] == ' ' && u[j - 1] == ' ')
				continue;
			sink_char(k, u[j]);
		}
		if (trail && !r->phone)
			sink_byte(k, ' ');
		if (i < n)
			sink_byte(k, '$');
		line = i + 1;
	}
}

/* The prepared form of a pure ASCII string, which RFC 4518 leaves as is
 * but for the map step (controls dropped, white space to SPACE, case
 * folded): the code point path would give the same, at a cost. */
static long prepare_ascii(const char *v, size_t len, const struct prep_rule *r, enum attr_prep kind,
                          struct sink *k, ucs4_t *tmp)
{
	size_t n = 0;

	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)v[i];

		if (r->phone && !printable(c))
			return ATTR_PREP_INVALID;
		if (c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r')
			c = ' ';
		else if (c < 0x20 || c == 0x7f)
			continue;
		else if (r->fold && c >= 'A' && c <= 'Z')
			c = (unsigned char)(c - 'A' + 'a');
		tmp[n++] = c;
	}
	space_handling(tmp, n, r, kind, k);
	return 0;
}

/* The common case, prepared in one pass: printable ASCII with single inner
 * spaces and none at the ends (no '$' in a list), which RFC 4518 only case
 * folds, and for telephone numbers rids of spaces and hyphens. The result
 * is what prepare_ascii gives; false when v is not of that kind. */
static bool prepare_simple(const char *v, size_t len, const struct prep_rule *r, struct sink *k)
{
	if (len == 0 || v[0] == ' ' || v[len - 1] == ' ')
		return false;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)v[i];

		if (c < 0x20 || c >= 0x7f || (c == ' ' && v[i + 1] == ' ') ||
		    (r->list && c == '$') || (r->phone && !printable(c)))
			return false;
	}
	for (size_t i = 0; i < len; i++) {
		char c = v[i];

		if (r->phone && (c == ' ' || c == '-'))
			continue;
		if (r->fold && c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		sink_byte(k, c);
	}
	return true;
}

/* Code points in a stack buffer of this many, else on the heap. */
#define PREP_STACK 512

static long prepare_string(const struct prep_rule *r, enum attr_prep kind, const char *v,
                           size_t len, struct sink *k)
{
	ucs4_t stack[PREP_STACK], fstack[PREP_STACK];
	ucs4_t *u = stack, *folded = NULL;
	/* An empty value from liblber may be NULL: no arithmetic on it. */
	const uint8_t *p = (const uint8_t *)v, *end = len > 0 ? p + len : p;
	size_t n = 0, nf = PREP_STACK;
	bool ascii = true;
	long rc = 0;

	if (r->nonempty && len == 0)
		return ATTR_PREP_INVALID; /* RFC 4517 3.3.6, 3.3.31: 1*char */
	if (prepare_simple(v, len, r, k))
		return 0;
	for (size_t i = 0; i < len && ascii; i++)
		ascii = (unsigned char)v[i] < 0x80;
	if (!ascii && (r->ia5 || r->phone))
		return ATTR_PREP_INVALID; /* RFC 4517 3.3.19, 3.3.31 */
	if (!ascii && u8_check(p, len) != NULL)
		return ATTR_PREP_INVALID; /* RFC 4512 1.4: UTF-8 */
	/* A UTF-8 string has no more code points than bytes. */
	if (len > PREP_STACK && (u = malloc(len * sizeof(*u))) == NULL)
		return ATTR_PREP_NOSPACE;
	if (ascii) {
		rc = prepare_ascii(v, len, r, kind, k, u);
		goto done;
	}
	/* 2.1 Transcode (UTF-8 already) and 2.2 Map. */
	while (p < end) {
		ucs4_t c;

		p += u8_mbtouc_unsafe(&c, p, (size_t)(end - p));
		if (map_to_nothing(c))
			continue;
		u[n++] = map_to_space(c) ? ' ' : c;
	}
	/* 2.2 case folding (RFC 3454 B.2 is full case folding for NFKC) and
	 * 2.3 Normalize to NFKC, in one call. */
	folded = r->fold ? u32_casefold(u, n, NULL, UNINORM_NFKC, fstack, &nf)
	                 : u32_normalize(UNINORM_NFKC, u, n, fstack, &nf);
	if (folded == NULL) {
		rc = ATTR_PREP_NOSPACE;
		goto done;
	}
	/* 2.4 Prohibit; 2.5 Check bidi: nothing (RFC 4518 leaves it out). */
	for (size_t i = 0; i < nf; i++) {
		if (prohibited(folded[i])) {
			rc = ATTR_PREP_INVALID;
			goto done;
		}
		if (map_to_space(folded[i])) /* NFKC may yield new spaces */
			folded[i] = ' ';
	}
	space_handling(folded, nf, r, kind, k);
done:
	if (folded != NULL && folded != fstack)
		free(folded);
	if (u != stack)
		free(u);
	return rc;
}

/* RFC 4517 3.3.16: Integer = ( HYPHEN LDIGIT *DIGIT ) / number, so no "+",
 * no leading zero, no "-0" and no space; anything else is not an integer
 * and an assertion with it is Undefined, as in slapd. */
static long prepare_integer(const char *v, size_t len, struct sink *k)
{
	size_t i = 0;

	if (i < len && v[i] == '-')
		i++;
	if (i == len || (v[i] == '0' && (len - i > 1 || i > 0)))
		return ATTR_PREP_INVALID;
	for (size_t j = i; j < len; j++)
		if (v[j] < '0' || v[j] > '9')
			return ATTR_PREP_INVALID;
	for (size_t j = 0; j < len; j++)
		sink_byte(k, v[j]);
	return 0;
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
    {"2.5.17.0", "subentry"},
    {"2.5.17.0", "subentry"},
    {"2.5.20.1", "subschema"},
    {"1.3.6.1.4.1.1466.101.120.111", "extensibleObject"},
    {POCDIR_OID_ARC ".2.1", "pocContact"},
};

const char *attr_class_name(const char *oid)
{
	for (size_t i = 0; i < sizeof(classes) / sizeof(classes[0]); i++)
		if (strcmp(classes[i].oid, oid) == 0)
			return classes[i].name;
	return NULL;
}

/* RFC 4512 1.4: numericoid = number 1*( DOT number ), no leading zeros. */
static bool numeric_oid(const char *v, size_t len)
{
	size_t dots = 0;

	for (size_t i = 0; i < len; i++) {
		if (v[i] == '.') {
			if (i == 0 || i + 1 == len || v[i + 1] == '.')
				return false;
			dots++;
		} else if (v[i] < '0' || v[i] > '9') {
			return false;
		} else if (v[i] == '0' && (i == 0 || v[i - 1] == '.') && i + 1 < len &&
		           v[i + 1] != '.') {
			return false;
		}
	}
	return len > 0 && dots > 0;
}

/* RFC 4517 4.2.26 objectIdentifierMatch: a descr stands for its OID. The
 * prepared form is the lower-case name of a class pocdir knows, else the
 * numeric OID of an attribute type; a name or OID pocdir does not know is
 * not one it can compare: Undefined. */
static long prepare_oid(const char *v, size_t len, struct sink *k)
{
	char oid[128];
	const char *name = NULL;
	const struct attr_type *t;

	for (size_t i = 0; i < len; i++)
		if (!((v[i] >= 'a' && v[i] <= 'z') || (v[i] >= 'A' && v[i] <= 'Z') ||
		      (v[i] >= '0' && v[i] <= '9') || v[i] == '-' || v[i] == '.'))
			return ATTR_PREP_INVALID;
	/* RFC 4512 1.4: oid = descr / numericoid, no spaces. */
	if (len == 0 || len >= sizeof(oid) || memchr(v, '\0', len) != NULL)
		return ATTR_PREP_INVALID;
	memcpy(oid, v, len);
	oid[len] = '\0';
	if (numeric_oid(oid, len)) {
		/* An OID of no class or attribute pocdir knows: like an unknown
		 * name, not comparable (slapd agrees). */
		name = attr_class_name(oid);
		if (name == NULL && attr_lookup(oid, len) == NULL)
			return ATTR_PREP_INVALID;
	} else {
		for (size_t i = 0; i < sizeof(classes) / sizeof(classes[0]) && name == NULL; i++)
			if (strcasecmp(classes[i].name, oid) == 0)
				name = classes[i].name;
		if (name == NULL) {
			if ((t = attr_lookup(oid, len)) == NULL)
				return ATTR_PREP_INVALID;
			snprintf(oid, sizeof(oid), "%s", t->oid);
		}
	}
	for (const char *c = name != NULL ? name : oid; *c != '\0'; c++)
		sink_byte(k, (char)(*c >= 'A' && *c <= 'Z' ? *c - 'A' + 'a' : *c));
	return 0;
}

/* RFC 4517 4.2.15 distinguishedNameMatch: the one DN normal form. */
static long prepare_dn(const char *v, size_t len, struct sink *k)
{
	char *n = dn_normalize(v, len);

	if (n == NULL)
		return ATTR_PREP_INVALID;
	for (const char *c = n; *c != '\0'; c++)
		sink_byte(k, *c);
	free(n);
	return 0;
}

/* RFC 4517 3.3.3: Boolean = "TRUE" / "FALSE", nothing else. */
static long prepare_boolean(const char *v, size_t len, struct sink *k)
{
	if ((len == 4 && memcmp(v, "TRUE", 4) == 0) || (len == 5 && memcmp(v, "FALSE", 5) == 0)) {
		for (size_t i = 0; i < len; i++)
			sink_byte(k, v[i]);
		return 0;
	}
	return ATTR_PREP_INVALID;
}

long attr_prepare(enum attr_match rule, enum attr_prep kind, const char *value, size_t len,
                  char *out, size_t size)
{
	struct sink k = {out, size, 0, false};
	struct prep_rule r;
	long rc;

	if (size == 0)
		return ATTR_PREP_NOSPACE;
	if (rule == MATCH_INTEGER)
		rc = prepare_integer(value, len, &k);
	else if (rule == MATCH_OID)
		rc = prepare_oid(value, len, &k);
	else if (rule == MATCH_DN)
		rc = prepare_dn(value, len, &k);
	else if (rule == MATCH_BOOLEAN)
		rc = prepare_boolean(value, len, &k);
	else if (prep_rule_for(rule, &r))
		rc = prepare_string(&r, kind, value, len, &k);
	else
		rc = ATTR_PREP_INVALID;
	out[k.len] = '\0';
	if (rc < 0)
		return rc;
	return k.full ? ATTR_PREP_NOSPACE : (long)k.len;
}

char *attr_prepare_dup(enum attr_match rule, enum attr_prep kind, const char *value, size_t len,
                       bool *invalid)
{
	/* Folding and NFKC lengthen a string at most 18-fold (U+FDFA); try a
	 * small buffer first, as most strings do not grow. */
	size_t size = len + 16;
	bool dummy;

	if (invalid == NULL)
		invalid = &dummy;
	*invalid = false;
	for (int attempt = 0; attempt < 2; attempt++) {
		char *out = malloc(size);
		long rc;

		if (out == NULL)
			return NULL;
		rc = attr_prepare(rule, kind, value, len, out, size);
		if (rc >= 0)
			return out;
		free(out);
		if (rc == ATTR_PREP_INVALID) {
			*invalid = true;
			return NULL;
		}
		size = len * 4 * 18 + 16;
	}
	return NULL;
}

char *attr_normalize(enum attr_match rule, const char *value, size_t len, bool *invalid)
{
	return attr_prepare_dup(rule, PREP_VALUE, value, len, invalid);
}

int attr_normalize_into(enum attr_match rule, const char *value, size_t len, char *out, size_t size,
                        bool *invalid)
{
	long rc = attr_prepare(rule, PREP_VALUE, value, len, out, size);

	if (invalid != NULL)
		*invalid = rc == ATTR_PREP_INVALID;
	return rc < 0 ? -1 : 0;
}

/* ------------------------------------------------------------------ */
/* Matching rules (RFC 4517 4.2) */

static const struct attr_rule rules[] = {
    {"objectIdentifierMatch", "2.5.13.0", OIDSYN, MATCH_OID, false, false},
    {"distinguishedNameMatch", "2.5.13.1", DN, MATCH_DN, false, false},
    {"booleanMatch", "2.5.13.13", BOOLEAN, MATCH_BOOLEAN, false, false},
    {"caseIgnoreMatch", "2.5.13.2", DSTRING, MATCH_CASE_IGNORE, false, false},
    {"caseIgnoreOrderingMatch", "2.5.13.3", DSTRING, MATCH_CASE_IGNORE, true, false},
    {"caseIgnoreSubstringsMatch", "2.5.13.4", "1.3.6.1.4.1.1466.115.121.1.58", MATCH_CASE_IGNORE,
     false, true},
    {"caseExactMatch", "2.5.13.5", DSTRING, MATCH_CASE_EXACT, false, false},
    {"caseExactOrderingMatch", "2.5.13.6", DSTRING, MATCH_CASE_EXACT, true, false},
    {"caseExactSubstringsMatch", "2.5.13.7", "1.3.6.1.4.1.1466.115.121.1.58", MATCH_CASE_EXACT,
     false, true},
    {"caseIgnoreListMatch", "2.5.13.11", POSTAL, MATCH_LIST, false, false},
    {"caseIgnoreListSubstringsMatch", "2.5.13.12", "1.3.6.1.4.1.1466.115.121.1.58", MATCH_LIST,
     false, true},
    {"integerMatch", "2.5.13.14", INTEGER, MATCH_INTEGER, false, false},
    {"integerOrderingMatch", "2.5.13.15", INTEGER, MATCH_INTEGER, true, false},
    {"telephoneNumberMatch", "2.5.13.20", PHONE, MATCH_TELEPHONE, false, false},
    {"telephoneNumberSubstringsMatch", "2.5.13.21", "1.3.6.1.4.1.1466.115.121.1.58",
     MATCH_TELEPHONE, false, true},
    {"caseExactIA5Match", "1.3.6.1.4.1.1466.109.114.1", IA5, MATCH_CASE_EXACT_IA5, false, false},
    {"caseIgnoreIA5Match", "1.3.6.1.4.1.1466.109.114.2", IA5, MATCH_CASE_IGNORE_IA5, false, false},
    {"caseIgnoreIA5SubstringsMatch", "1.3.6.1.4.1.1466.109.114.3", "1.3.6.1.4.1.1466.115.121.1.58",
     MATCH_CASE_IGNORE_IA5, false, true},
};

const struct attr_rule *attr_rule_lookup(const char *name)
{
	for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++)
		if (strcasecmp(rules[i].name, name) == 0 || strcmp(rules[i].oid, name) == 0)
			return &rules[i];
	return NULL;
}

const struct attr_rule *attr_rule_at(size_t i)
{
	return i < sizeof(rules) / sizeof(rules[0]) ? &rules[i] : NULL;
}

/* Is every value of syntax sub a value of syntax sup? Country String and
 * Telephone Number are Printable Strings (RFC 4517 3.3.4, 3.3.31), which
 * are Directory Strings (3.3.6), and a Country String is an IA5 String
 * (3.3.19). RFC 4512 4.1.4 leaves matchingRuleUse to the server: these
 * are the ones slapd lists (it leaves telephone numbers out of the IA5
 * rules, and so does pocdird, so that both answer alike). */
static bool syntax_within(const char *sub, const char *sup)
{
	if (strcmp(sub, sup) == 0)
		return true;
	if (strcmp(sup, DSTRING) == 0)
		return strcmp(sub, COUNTRY) == 0 || strcmp(sub, PHONE) == 0;
	if (strcmp(sup, IA5) == 0)
		return strcmp(sub, COUNTRY) == 0;
	return false;
}

bool attr_rule_applies(const struct attr_rule *r, const struct attr_type *t)
{
	if (r->substrings)
		return t->substrings && t->equality == r->match;
	if (r->match == t->equality && (!r->ordering || t->ordering))
		return true; /* the attribute's own EQUALITY or ORDERING rule */
	return syntax_within(t->syntax, r->syntax);
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
