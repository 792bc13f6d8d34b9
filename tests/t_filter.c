/* t_filter.c - unit tests for filter.c: decoding from strings and BER,
 * three-valued evaluation of every choice, rendering, hostile inputs. */
#include "config.h"

#include <lber.h>
#include <ldap.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "attr.h"
#include "dn.h"
#include "filter.h"
#include "store.h"
#include "tap.h"

/* ------------------------------------------------------------------ */
/* Entries built by hand, the way the loader builds them. */

struct tentry {
	entry_t e;
	struct entry_attr attrs[ATTR_COUNT];
};

static void add(struct tentry *t, enum attr_id id, const char *raw)
{
	const struct attr_type *type = attr_by_id(id);
	struct entry_attr *a = NULL;
	const char **v;
	size_t i;
	bool invalid;

	for (i = 0; i < t->e.nattrs; i++) {
		if (t->attrs[i].id == id) {
			a = &t->attrs[i];
			break;
		}
		if (t->attrs[i].id > id)
			break;
	}
	if (a == NULL) { /* keep attrs sorted by id, as store.h requires */
		memmove(&t->attrs[i + 1], &t->attrs[i], (t->e.nattrs - i) * sizeof(t->attrs[0]));
		a = &t->attrs[i];
		memset(a, 0, sizeof(*a));
		a->id = (uint8_t)id;
		t->e.nattrs++;
	}
	/* The values, then their prepared forms, as struct entry_attr has them. */
	v = calloc(2 * (a->count + 1), sizeof(*v));
	if (v == NULL)
		abort();
	for (size_t j = 0; j < a->count; j++) {
		v[j] = a->raw[j];
		v[a->count + 1 + j] = a->raw[a->count + j];
	}
	v[a->count] = strdup(raw);
	v[2 * a->count + 1] = type->equality == MATCH_NONE
	                          ? NULL
	                          : attr_normalize(type->equality, raw, strlen(raw), &invalid);
	free(a->raw);
	a->raw = v;
	a->count++;
}

static struct tentry *contact(const char *id, const char *country, const char *dn)
{
	struct tentry *t = calloc(1, sizeof(*t));
	static const char *const classes[] = {"top", "person", "organizationalPerson",
	                                      "inetOrgPerson", "pocContact"};

	if (t == NULL)
		abort();
	t->e.kind = ENTRY_CONTACT;
	t->e.id = (char *)id;
	t->e.country = (char *)country;
	t->e.dn = (char *)dn;
	t->e.dn_norm = dn_normalize(dn, strlen(dn));
	t->e.attrs = t->attrs;
	for (size_t i = 0; i < sizeof(classes) / sizeof(classes[0]); i++)
		add(t, ATTR_OBJECTCLASS, classes[i]);
	add(t, ATTR_UID, id);
	add(t, ATTR_C, country);
	return t;
}

static void tentry_free(struct tentry *t)
{
	for (size_t i = 0; i < t->e.nattrs; i++) {
		for (size_t j = 0; j < 2 * t->attrs[i].count; j++)
			free((char *)t->attrs[i].raw[j]);
		free(t->attrs[i].raw);
	}
	free(t->e.dn_norm);
	free(t);
}

/* ------------------------------------------------------------------ */

static const char *tri_name(int t)
{
	return t == TRI_TRUE        ? "TRUE"
	       : t == TRI_FALSE     ? "FALSE"
	       : t == TRI_UNDEFINED ? "UNDEFINED"
	                            : "parse error";
}

static void check_eval(const char *text, const entry_t *e, enum tri want, int line)
{
	pocdir_error err = {0};
	struct filter *f = filter_parse(text, NULL, &err);
	int got = f != NULL ? (int)filter_eval(f, e) : -1;

	if (!tap_ok(got == (int)want, "%s on %s is %s", text, e->dn, tri_name(want)))
		tap_diag("line %d: got %s %s", line, tri_name(got), f == NULL ? err.message : "");
	filter_free(&f);
}
#define EVAL(text, t, want) check_eval(text, &(t)->e, want, __LINE__)

/* Parse must fail with code, and the message must contain needle. */
static void check_parse_fails(const char *text, int code, const char *needle, const char *what)
{
	pocdir_error err = {0};
	struct filter *f = filter_parse(text, NULL, &err);

	if (!tap_ok(f == NULL && err.code == code &&
	                (needle == NULL || strstr(err.message, needle) != NULL),
	            "%s is refused with code %d", what, code))
		tap_diag("got %p code %d: %s", (void *)f, err.code, err.message);
	filter_free(&f);
}

/* Decode raw BER and evaluate it on e. */
static void check_ber_eval(const void *data, size_t len, const entry_t *e, enum tri want,
                           const char *what)
{
	struct berval bv = {len, (char *)data};
	BerElement *ber = ber_init(&bv);
	pocdir_error err = {0};
	struct filter *f = ber != NULL ? filter_from_ber(ber, NULL, &err) : NULL;
	int got = f != NULL ? (int)filter_eval(f, e) : -1;

	if (!tap_ok(got == (int)want, "%s is %s", what, tri_name(want)))
		tap_diag("got %s %s", tri_name(got), f == NULL ? err.message : "");
	filter_free(&f);
	if (ber != NULL)
		ber_free(ber, 1);
}

/* Decode raw BER; expect failure with code (or success when code is 0). */
static void check_ber(const void *data, size_t len, const struct filter_limits *lim, int code,
                      const char *what)
{
	struct berval bv = {len, (char *)data};
	BerElement *ber = ber_init(&bv);
	pocdir_error err = {0};
	struct filter *f = ber != NULL ? filter_from_ber(ber, lim, &err) : NULL;

	if (code == 0)
		tap_ok(f != NULL, "%s decodes", what);
	else if (!tap_ok(f == NULL && err.code == code, "%s is refused with code %d", what, code))
		tap_diag("got %p code %d: %s", (void *)f, err.code, err.message);
	filter_free(&f);
	if (ber != NULL)
		ber_free(ber, 1);
}

/* Prepend a BER header (tag, definite length) to the content that ends at
 * buf+end and starts at *start; updates *start. */
static void wrap(unsigned char *buf, size_t *start, size_t end, unsigned char tag)
{
	size_t len = end - *start;

	if (len < 0x80) {
		buf[--*start] = (unsigned char)len;
	} else {
		unsigned char n = 0;

		for (size_t l = len; l > 0; l >>= 8, n++)
			buf[--*start] = (unsigned char)(l & 0xff);
		buf[--*start] = (unsigned char)(0x80 | n);
	}
	buf[--*start] = tag;
}

/* ------------------------------------------------------------------ */

static void test_eval(void)
{
	struct tentry *cert = contact("krcert", "KR", "uid=krcert,c=KR,dc=pocdir");
	struct tentry *mofa = contact("mofa-policy", "KR", "uid=mofa-policy,c=KR,dc=pocdir");
	struct tentry *acme = contact("x", "FR", "uid=x,c=FR,o=ACME\\2C Inc.,dc=example");
	struct tentry *country = calloc(1, sizeof(*country));

	add(cert, ATTR_CN, "KrCERT/CC  Incident Response");
	add(cert, ATTR_O, "KrCERT/CC");
	add(cert, ATTR_MAIL, "Cert@KrCERT.kr.example");
	add(cert, ATTR_TELEPHONE, "+82 2 0000 0118");
	add(cert, ATTR_FAX, "+82 2 0000 0119");
	add(cert, ATTR_POSTAL, "Line 1$Seoul");
	add(cert, ATTR_URI, "https://KrCERT.kr.example/");
	add(cert, ATTR_ROLE, "technical");
	add(cert, ATTR_ROLE, "incident-response");
	add(cert, ATTR_ROLE, "24x7");
	add(cert, ATTR_VERIFIED, "2026-11-01");
	add(cert, ATTR_SERIAL, "2026112201");

	add(mofa, ATTR_CN, "Director, International Cyber Policy Division");
	add(mofa, ATTR_O, "Ministry of Foreign Affairs");
	add(mofa, ATTR_MAIL, "cyber-policy@mofa.kr.example");
	add(mofa, ATTR_TELEPHONE, "+82 2 0000 0100");
	add(mofa, ATTR_ROLE, "policy");
	add(mofa, ATTR_ROLE, "diplomatic");
	add(mofa, ATTR_VERIFIED, "2026-10-01");
	add(mofa, ATTR_SERIAL, "7");

	add(acme, ATTR_CN, "ACME desk");

	if (country == NULL)
		abort();
	country->e.kind = ENTRY_COUNTRY;
	country->e.country = "KR";
	country->e.dn = "c=KR,dc=pocdir";
	country->e.dn_norm = dn_normalize("c=KR,dc=pocdir", 14);
	country->e.attrs = country->attrs;
	add(country, ATTR_OBJECTCLASS, "top");
	add(country, ATTR_OBJECTCLASS, "country");
	add(country, ATTR_C, "KR");

	/* equalityMatch */
	EVAL("(cn=krcert/cc incident response)", cert, TRI_TRUE);
	EVAL("(cn=KRCERT/CC   INCIDENT RESPONSE )", cert, TRI_TRUE);
	EVAL("(cn=nobody)", cert, TRI_FALSE);
	EVAL("(title=director)", cert, TRI_FALSE);          /* entry lacks the attribute */
	EVAL("(fax=+82 2 0000 0119)", cert, TRI_UNDEFINED); /* no EQUALITY rule */
	EVAL("(noSuchAttribute=x)", cert, TRI_UNDEFINED);
	EVAL("(pocSerial=abc)", cert, TRI_UNDEFINED);         /* does not normalise */
	EVAL("(pocSerial=+2026112201)", cert, TRI_UNDEFINED); /* RFC 4517 3.3.16: no "+" */
	EVAL("(pocSerial=02026112201)", cert, TRI_UNDEFINED); /* nor a leading zero */
	EVAL("(mail=cert@krcert.KR.EXAMPLE)", cert, TRI_TRUE);
	EVAL("(mail=cert@krcert.kr)", cert, TRI_FALSE);
	EVAL("(telephoneNumber=+82-2-0000-0118)", cert, TRI_TRUE);
	EVAL("(telephoneNumber=+82 2 0000 0118)", cert, TRI_TRUE);
	EVAL("(telephoneNumber=+82200000118)", cert, TRI_TRUE);
	EVAL("(telephoneNumber=+82-2-0000-0118)", mofa, TRI_FALSE);
	EVAL("(role=technical)", cert, TRI_TRUE);
	EVAL("(pocRole=Technical)", cert, TRI_TRUE);
	EVAL("(ROLE=policy)", cert, TRI_FALSE);
	EVAL("(2.5.4.6=KR)", cert, TRI_TRUE);      /* type by OID */
	EVAL("(c;lang-en=KR)", cert, TRI_FALSE);   /* RFC 3866: no value has a tag */
	EVAL("(c;x-foo=KR)", cert, TRI_UNDEFINED); /* RFC 4512 2.5.2: unknown option */
	EVAL("(cn;binary=*)", cert, TRI_UNDEFINED);
	EVAL("(cn;lang-en=*)", cert, TRI_FALSE);
	EVAL("(countryName=kr)", cert, TRI_TRUE); /* alias */
	EVAL("(objectClass=inetOrgPerson)", cert, TRI_TRUE);
	EVAL("(objectClass=pocContact)", country, TRI_FALSE);
	EVAL("(objectClass=country)", country, TRI_TRUE);
	EVAL("(labeledURI=https://krcert.kr.example/)", cert, TRI_FALSE); /* caseExactMatch */
	EVAL("(labeledURI=https://KrCERT.kr.example/)", cert, TRI_TRUE);
	EVAL("c=KR", cert, TRI_TRUE); /* no outer parentheses, as ldapsearch takes it */

	/* substrings */
	EVAL("(cn=krcert*)", cert, TRI_TRUE);
	EVAL("(cn=*INCIDENT*)", cert, TRI_TRUE);
	EVAL("(cn=*response)", cert, TRI_TRUE);
	EVAL("(cn=krcert*incident*response)", cert, TRI_TRUE);
	EVAL("(cn=*response*incident*)", cert, TRI_FALSE); /* order matters */
	EVAL("(cn=*cc incident*)", cert, TRI_TRUE);        /* inner spaces collapse */
	EVAL("(o=*CERT*)", cert, TRI_TRUE);
	EVAL("(o=*CERT*)", mofa, TRI_FALSE);
	EVAL("(o=krcert/c*/cc)", cert, TRI_FALSE); /* initial and final overlap */
	EVAL("(o=krcert*/cc)", cert, TRI_TRUE);
	EVAL("(o=k*r*c*e*r*t*/*c*c)", cert, TRI_TRUE);
	EVAL("(o=k*c*c*c*c)", cert, TRI_FALSE); /* only three c after k */
	EVAL("(telephoneNumber=*0118)", cert, TRI_TRUE);
	EVAL("(telephoneNumber=+82 2*)", cert, TRI_TRUE);
	EVAL("(telephoneNumber=*0000-01*)", cert, TRI_TRUE);
	EVAL("(objectClass=inet*)", cert, TRI_UNDEFINED); /* no SUBSTR rule */
	EVAL("(noSuchAttribute=a*)", cert, TRI_UNDEFINED);
	EVAL("(title=a*)", cert, TRI_FALSE);

	/* greaterOrEqual, lessOrEqual */
	EVAL("(pocVerified>=2026-10-15)", cert, TRI_TRUE);
	EVAL("(pocVerified>=2026-10-15)", mofa, TRI_FALSE);
	EVAL("(pocVerified<=2026-10-15)", cert, TRI_FALSE);
	EVAL("(pocVerified<=2026-10-15)", mofa, TRI_TRUE);
	EVAL("(pocVerified>=2026-11-01)", cert, TRI_TRUE);
	EVAL("(pocVerified<=2026-11-01)", cert, TRI_TRUE);
	EVAL("(pocSerial>=10)", mofa, TRI_FALSE); /* 7 < 10 as integers */
	EVAL("(pocSerial<=10)", mofa, TRI_TRUE);
	EVAL("(pocSerial>=-5)", mofa, TRI_TRUE);
	EVAL("(pocSerial>=100)", cert, TRI_TRUE);
	EVAL("(pocSerial>=abc)", cert, TRI_UNDEFINED);
	EVAL("(cn>=a)", cert, TRI_UNDEFINED); /* no ORDERING rule */
	EVAL("(noSuchAttribute<=1)", cert, TRI_UNDEFINED);
	EVAL("(pocValidUntil<=2030-01-01)", cert, TRI_FALSE);

	/* present */
	EVAL("(mail=*)", cert, TRI_TRUE);
	EVAL("(title=*)", cert, TRI_FALSE);
	EVAL("(noSuchAttribute=*)", cert, TRI_UNDEFINED); /* RFC 4511 4.5.1.7's example */
	EVAL("(objectClass=*)", cert, TRI_TRUE);
	EVAL("(objectClass=*)", country, TRI_TRUE);
	EVAL("(pocRole=*)", country, TRI_FALSE);
	EVAL("(fax=*)", cert, TRI_TRUE);

	/* approxMatch: equality, as slapd without a phonetic rule */
	EVAL("(cn~=KRCERT/CC incident response)", cert, TRI_TRUE);
	EVAL("(cn~=krcert)", cert, TRI_FALSE);
	EVAL("(fax~=x)", cert, TRI_UNDEFINED);
	EVAL("(noSuchAttribute~=x)", cert, TRI_UNDEFINED);

	/* extensibleMatch */
	EVAL("(cn:caseExactMatch:=KrCERT/CC Incident Response)", cert, TRI_TRUE);
	EVAL("(cn:caseExactMatch:=krcert/cc incident response)", cert, TRI_FALSE);
	EVAL("(cn:2.5.13.5:=KrCERT/CC Incident Response)", cert, TRI_TRUE);
	EVAL("(cn:=KRCERT/CC INCIDENT RESPONSE)", cert, TRI_TRUE); /* no rule: equality */
	EVAL("(cn:=nobody)", cert, TRI_FALSE);
	EVAL("(cn:2.5.13.2:=krcert/cc incident response)", cert, TRI_TRUE);
	EVAL("(mail:caseIgnoreIA5Match:=CERT@krcert.kr.example)", cert, TRI_TRUE);
	EVAL("(mail:caseExactIA5Match:=cert@krcert.kr.example)", cert, TRI_FALSE);
	EVAL("(telephoneNumber:telephoneNumberMatch:=+82-2-0000-0118)", cert, TRI_TRUE);
	EVAL("(telephoneNumber:2.5.13.20:=+82 2 0000 0100)", cert, TRI_FALSE);
	EVAL("(cn:telephoneNumberMatch:=x)", cert, TRI_UNDEFINED); /* incompatible */
	EVAL("(cn:integerMatch:=5)", cert, TRI_UNDEFINED);
	EVAL("(pocSerial:integerMatch:=007)", mofa, TRI_UNDEFINED);
	EVAL("(pocSerial:integerMatch:=7)", cert, TRI_FALSE);
	EVAL("(pocSerial:integerMatch:=abc)", mofa, TRI_UNDEFINED);
	EVAL("(pocSerial:=7)", mofa, TRI_TRUE);
	EVAL("(cn:caseIgnoreSubstringsMatch:=x)", cert, TRI_UNDEFINED);
	/* RFC 4517 4.2: an ordering rule is TRUE when the value is less. */
	EVAL("(cn:caseIgnoreOrderingMatch:=zzz)", cert, TRI_TRUE);
	EVAL("(cn:caseIgnoreOrderingMatch:=a)", cert, TRI_FALSE);
	EVAL("(pocSerial:integerOrderingMatch:=8)", mofa, TRI_TRUE);
	EVAL("(pocSerial:integerOrderingMatch:=7)", mofa, TRI_FALSE);
	EVAL("(pocSerial:integerOrderingMatch:=07)", mofa, TRI_UNDEFINED);
	EVAL("(cn:1.2.3.4:=x)", cert, TRI_UNDEFINED);
	EVAL("(fax:=+82 2 0000 0119)", cert, TRI_UNDEFINED); /* no equality rule */
	EVAL("(noSuchAttribute:=x)", cert, TRI_UNDEFINED);
	EVAL("(title:caseIgnoreMatch:=x)", cert, TRI_FALSE);
	EVAL("(:caseIgnoreMatch:=kr)", cert, TRI_TRUE); /* no type: every string attribute */
	EVAL("(:caseIgnoreMatch:=Line 1$Seoul)", cert, TRI_FALSE); /* list attribute excluded */
	EVAL("(:caseIgnoreMatch:=incident-response)", cert, TRI_TRUE);
	EVAL("(:caseIgnoreMatch:=nothing)", cert, TRI_FALSE);
	EVAL("(:integerMatch:=7)", mofa, TRI_TRUE);
	EVAL("(:integerMatch:=x7)", mofa, TRI_UNDEFINED);
	EVAL("(:telephoneNumberMatch:=+82200000100)", mofa, TRI_TRUE);
	EVAL("(:1.2.3.4:=x)", mofa, TRI_UNDEFINED);
	EVAL("(objectClass:objectIdentifierMatch:=INETORGPERSON)", cert, TRI_TRUE);
	EVAL("(cn:objectIdentifierMatch:=x)", cert, TRI_UNDEFINED);
	EVAL("(postalAddress:caseIgnoreListMatch:=line   1$seoul)", cert, TRI_TRUE);
	EVAL("(postalAddress:caseIgnoreMatch:=line 1$seoul)", cert, TRI_UNDEFINED);

	/* The operational attributes are in the attribute table: the same
	 * matching rules as in slapd, for every caller of filter_eval. */
	EVAL("(entryDN=UID=KrCert, c=kr, dc=pocdir)", cert, TRI_TRUE);
	EVAL("(entryDN=c=KR,dc=pocdir)", cert, TRI_FALSE);
	EVAL("(entryDN=c=KR,dc=pocdir)", country, TRI_TRUE);
	EVAL("(entryDN=not a dn)", cert, TRI_UNDEFINED);
	EVAL("(entryDN=*)", cert, TRI_TRUE);
	EVAL("(entryDN=*c=KR*)", cert, TRI_UNDEFINED); /* no SUBSTR rule */
	EVAL("(entryDN>=a)", cert, TRI_UNDEFINED);     /* no ORDERING rule */
	EVAL("(hasSubordinates=TRUE)", country, TRI_TRUE);
	EVAL("(hasSubordinates=FALSE)", cert, TRI_TRUE);
	EVAL("(hasSubordinates=TRUE)", cert, TRI_FALSE);
	EVAL("(hasSubordinates=true)", cert, TRI_UNDEFINED); /* RFC 4517 3.3.3 */
	EVAL("(structuralObjectClass=inetOrgPerson)", cert, TRI_TRUE);
	EVAL("(structuralObjectClass=2.16.840.1.113730.3.2.2)", cert, TRI_TRUE);
	EVAL("(structuralObjectClass=country)", country, TRI_TRUE);
	EVAL("(structuralObjectClass=country)", cert, TRI_FALSE);
	EVAL("(subschemaSubentry=CN=Subschema)", cert, TRI_TRUE);
	EVAL("(dc=pocdir)", cert, TRI_FALSE);
	EVAL("(!(hasSubordinates=maybe))", cert, TRI_UNDEFINED);

	/* extensibleMatch with dnAttributes */
	EVAL("(dc:dn:=pocdir)", cert, TRI_TRUE); /* only the DN has dc */
	EVAL("(dc:=pocdir)", cert, TRI_FALSE);   /* a known type the contact does not hold */
	EVAL("(dc:dn:=other)", cert, TRI_FALSE);
	EVAL("(:dn:caseIgnoreMatch:=POCDIR)", cert, TRI_FALSE); /* dc is IA5: no use */
	EVAL("(:dn:caseIgnoreMatch:=KR)", cert, TRI_TRUE);
	EVAL("(:caseIgnoreMatch:=pocdir)", cert, TRI_FALSE);
	EVAL("(:dn:caseExactMatch:=POCDIR)", cert, TRI_FALSE);
	EVAL("(uid:dn:=KRCERT)", cert, TRI_TRUE);
	EVAL("(c:dn:=KR)", country, TRI_TRUE);
	EVAL("(c:dn:=FR)", country, TRI_FALSE);
	EVAL("(o:dn:=acme, inc.)", acme, TRI_TRUE); /* escaped ',' in the DN value */
	EVAL("(o:dn:=acme)", acme, TRI_FALSE);
	EVAL("(organizationName:dn:caseExactMatch:=ACME, Inc.)", acme, TRI_TRUE);
	EVAL("(o:=acme, inc.)", acme, TRI_FALSE); /* not among the entry's values */
	EVAL("(:dn:integerMatch:=1)", cert, TRI_FALSE);

	/* RFC 4512 2.5.1, RFC 4519 2.18: name covers cn, sn, givenName,
	 * title, o and c; its rules are caseIgnore, with no ORDERING. */
	EVAL("(name=krcert/cc)", cert, TRI_TRUE); /* o */
	EVAL("(name=KR)", cert, TRI_TRUE);        /* c */
	EVAL("(name=KR)", country, TRI_TRUE);
	EVAL("(name=krcert)", cert, TRI_FALSE); /* uid is not a name */
	EVAL("(2.5.4.41=*incident*)", cert, TRI_TRUE);
	EVAL("(name=*)", cert, TRI_TRUE);
	EVAL("(name=*)", country, TRI_TRUE);
	EVAL("(!(name=nobody))", cert, TRI_TRUE);
	EVAL("(name>=a)", cert, TRI_UNDEFINED);
	EVAL("(name~=kr)", cert, TRI_TRUE);
	EVAL("(name;lang-en=KR)", cert, TRI_FALSE);
	EVAL("(entryDN;lang-en=*)", cert, TRI_UNDEFINED); /* operational: never tagged */
	EVAL("(hasSubordinates;lang-en=FALSE)", cert, TRI_UNDEFINED);
	EVAL("(name:=krcert/cc)", cert, TRI_TRUE);
	EVAL("(name:caseExactMatch:=KrCERT/CC)", cert, TRI_TRUE);
	EVAL("(name:caseExactMatch:=krcert/cc)", cert, TRI_FALSE);
	EVAL("(name:dn:=kr)", cert, TRI_TRUE); /* c=KR in the DN */
	EVAL("(name:dn:=krcert)", cert, TRI_FALSE);
	EVAL("(name:integerMatch:=1)", cert, TRI_UNDEFINED);

	/* matchingRuleUse along syntaxes within syntaxes (RFC 4517 3.3.4,
	 * 3.3.31): a Country String is an IA5 and a Directory String, a
	 * telephone number a Directory String. */
	EVAL("(c:caseIgnoreIA5Match:=kr)", country, TRI_TRUE);
	EVAL("(c:caseExactIA5Match:=kr)", country, TRI_FALSE);
	EVAL("(:caseIgnoreIA5Match:=kr)", country, TRI_TRUE);
	EVAL("(:dn:caseIgnoreIA5Match:=kr)", cert, TRI_TRUE);
	EVAL("(c:caseIgnoreOrderingMatch:=KS)", country, TRI_TRUE);
	EVAL("(telephoneNumber:caseIgnoreMatch:=+82 2 0000 0118)", cert, TRI_TRUE);
	EVAL("(telephoneNumber:caseIgnoreMatch:=+82-2-0000-0118)", cert, TRI_FALSE);
	EVAL("(telephoneNumber:caseIgnoreIA5Match:=+82 2 0000 0118)", cert, TRI_UNDEFINED);
	EVAL("(mail:caseIgnoreMatch:=cert@krcert.kr.example)", cert, TRI_UNDEFINED);

	/* not, and, or: RFC 4511 4.5.1.7 three-valued logic */
	EVAL("(!(cn=nobody))", cert, TRI_TRUE);
	EVAL("(!(cn=krcert*))", cert, TRI_FALSE);
	EVAL("(!(noSuchAttribute=x))", cert, TRI_UNDEFINED);
	EVAL("(!(!(noSuchAttribute=x)))", cert, TRI_UNDEFINED);
	EVAL("(!(noSuchAttribute=*))", cert, TRI_UNDEFINED);
	EVAL("(&(c=KR)(role=technical))", cert, TRI_TRUE);
	EVAL("(&(c=KR)(role=technical))", mofa, TRI_FALSE);
	EVAL("(&(c=KR)(noSuchAttribute=x))", cert, TRI_UNDEFINED);
	EVAL("(&(c=FR)(noSuchAttribute=x))", cert, TRI_FALSE);
	EVAL("(&(noSuchAttribute=x)(c=FR))", cert, TRI_FALSE);
	EVAL("(|(c=KR)(noSuchAttribute=x))", cert, TRI_TRUE);
	EVAL("(|(noSuchAttribute=x)(c=KR))", cert, TRI_TRUE);
	EVAL("(|(c=FR)(noSuchAttribute=x))", cert, TRI_UNDEFINED);
	EVAL("(|(c=FR)(c=DE))", cert, TRI_FALSE);
	EVAL("(&)", cert, TRI_TRUE); /* RFC 4526 absolute true */
	EVAL("(|)", cert, TRI_FALSE);
	EVAL("(!(&))", cert, TRI_FALSE);
	EVAL("(&(c=KR)(|(role=policy)(role=technical))(!(o=*ministry*)))", cert, TRI_TRUE);
	EVAL("(&(c=KR)(|(role=policy)(role=technical))(!(o=*ministry*)))", mofa, TRI_FALSE);
	EVAL("(|(cn=director*)(mail=director*))", mofa, TRI_TRUE);
	EVAL("(&(objectClass=pocContact)(|(c=KR)(c=JP))(!(pocVerified<=2026-10-15)))", cert,
	     TRI_TRUE);

	tentry_free(cert);
	tentry_free(mofa);
	tentry_free(acme);
	tentry_free(country);
}

/* Build an extensible match as an LDAP client would send it. */
static struct filter *ext_filter(const char *rule, const char *type, const char *value)
{
	BerElement *ber = ber_alloc_t(LBER_USE_DER);
	struct berval *bv = NULL, copy;
	struct filter *f = NULL;
	pocdir_error err = {0};
	BerElement *in;

	if (ber == NULL ||
	    ber_printf(ber, "t{tstststb}", (ber_tag_t)FILTER_EXTENSIBLE, (ber_tag_t)0x81, rule,
	               (ber_tag_t)0x82, type, (ber_tag_t)0x83, value, (ber_tag_t)0x84, 0) == -1 ||
	    ber_flatten(ber, &bv) == -1)
		abort();
	copy = *bv;
	in = ber_init(&copy);
	if (in != NULL)
		f = filter_from_ber(in, NULL, &err);
	if (f == NULL)
		tap_diag("ext_filter: %s", err.message);
	ber_free(in, 1);
	ber_bvfree(bv);
	ber_free(ber, 1);
	return f;
}

/* The extensible match compares without allocating, by walking values with
 * its own normalising cursor: it must agree with attr_normalize on every
 * string. Random strings over a small alphabet hit the space, case, '-' and
 * integer corner cases many times over. */
static void test_rule_agreement(void)
{
	static const char alpha[] = "aAbB  \t-01+";
	static const struct {
		const char *rule;
		enum attr_match match;
		enum attr_id attr;
	} rules[] = {
	    {"caseExactMatch", MATCH_CASE_EXACT, ATTR_CN},
	    {"caseIgnoreMatch", MATCH_CASE_IGNORE, ATTR_CN},
	    {"telephoneNumberMatch", MATCH_TELEPHONE, ATTR_TELEPHONE},
	    {"integerMatch", MATCH_INTEGER, ATTR_SERIAL},
	    {"caseIgnoreListMatch", MATCH_LIST, ATTR_POSTAL},
	};
	unsigned seed = 20261122;
	int disagree = 0, trues = 0, runs = 0;

	for (size_t r = 0; r < sizeof(rules) / sizeof(rules[0]); r++) {
		for (int i = 0; i < 1500; i++) {
			char a[10], b[10];
			size_t la = (size_t)(rand_r(&seed) % 9), lb = (size_t)(rand_r(&seed) % 9);
			struct tentry *t = calloc(1, sizeof(*t));
			struct filter *f;
			char *na, *nb;
			bool ia = false, ib = false;
			enum tri want, got;

			for (size_t k = 0; k < la; k++)
				a[k] = alpha[rand_r(&seed) % (sizeof(alpha) - 1)];
			for (size_t k = 0; k < lb; k++)
				b[k] = alpha[rand_r(&seed) % (sizeof(alpha) - 1)];
			a[la] = b[lb] = '\0';
			if (i % 4 == 0) /* often equal after normalising */
				strcpy(b, a);
			if (t == NULL)
				abort();
			t->e.attrs = t->attrs;
			t->e.dn = "uid=t,c=KR,dc=pocdir";
			add(t, rules[r].attr, a);
			f = ext_filter(rules[r].rule, attr_by_id(rules[r].attr)->name, b);
			na = attr_normalize(rules[r].match, a, strlen(a), &ia);
			nb = attr_normalize(rules[r].match, b, strlen(b), &ib);
			want = nb == NULL            ? TRI_UNDEFINED
			       : na == NULL          ? TRI_FALSE
			       : strcmp(na, nb) == 0 ? TRI_TRUE
			                             : TRI_FALSE;
			got = f != NULL ? filter_eval(f, &t->e) : (enum tri) - 1;
			if (got != want) {
				if (disagree++ < 5)
					tap_diag("%s: '%s' vs '%s': got %s want %s", rules[r].rule,
					         a, b, tri_name(got), tri_name(want));
			}
			trues += want == TRI_TRUE;
			runs++;
			free(na);
			free(nb);
			filter_free(&f);
			tentry_free(t);
		}
	}
	tap_ok(disagree == 0 && trues > runs / 10,
	       "extensible match agrees with attr_normalize on %d random pairs (%d equal)", runs,
	       trues);
}

/* RFC 4518 string preparation: Unicode case folding and NFKC, the map
 * step, insignificant space in values and substrings; RFC 4517 syntaxes of
 * assertion values (invalid: Undefined, never an error); NUL bytes. */
static void test_prepare(void)
{
	struct tentry *t = contact("anssi", "FR", "uid=anssi,c=FR,dc=pocdir");
	struct tentry *j = contact("jp", "JP", "uid=jp,c=JP,dc=pocdir");
	struct tentry *g = contact("gr", "GR", "uid=gr,c=GR,dc=pocdir");

	add(t, ATTR_CN, "Élise Tremblay");
	add(t, ATTR_MAIL, "cert@anssi.fr.example");
	add(t, ATTR_TELEPHONE, "+33 1 00 00 01 01");
	add(t, ATTR_DESCRIPTION, "Jürgen Straße, İstanbul");
	add(t, ATTR_SERIAL, "2026112201");
	add(j, ATTR_O, "ＪＰＣＥＲＴコーディネーションセンター");
	add(j, ATTR_TITLE, "ｶﾝﾘｼｬ");
	add(g, ATTR_CN, "Οδυσσέας Σίσυφος");

	EVAL("(cn=élise tremblay)", t, TRI_TRUE); /* non-ASCII case folding */
	EVAL("(cn=ÉLISE TREMBLAY)", t, TRI_TRUE);
	EVAL("(cn=E\\cc\\81lise Tremblay)", t, TRI_TRUE);              /* decomposed: NFKC */
	EVAL("(cn=ｅ\\cc\\81ｌｉｓｅ ｔｒｅｍｂｌａｙ)", t, TRI_TRUE); /* full width */
	EVAL("(cn=élise\\c2\\a0tremblay)", t, TRI_TRUE); /* NO-BREAK SPACE is a space */
	EVAL("(cn=élise\\09tremblay)", t, TRI_TRUE);     /* so is TAB (RFC 4518 2.2) */
	EVAL("(cn=\\09élise tremblay)", t, TRI_TRUE);
	EVAL("(cn=élise tre\\c2\\admblay)", t, TRI_TRUE);     /* SOFT HYPHEN maps to nothing */
	EVAL("(cn=élise\\e2\\80\\8btremblay)", t, TRI_FALSE); /* ZWSP too: no space left */
	EVAL("(cn=elise tremblay)", t, TRI_FALSE);            /* accents are significant */
	EVAL("(cn=élis*)", t, TRI_TRUE);
	EVAL("(cn=*Élis *)", t, TRI_FALSE); /* RFC 4518 2.6.1: the space is kept */
	EVAL("(cn=*lise *)", t, TRI_TRUE);
	EVAL("(cn=*ise tre*)", t, TRI_TRUE);
	EVAL("(cn=* tremblay)", t, TRI_TRUE);
	EVAL("(cn=*  *)", t, TRI_TRUE);             /* all space: one SPACE, in every value */
	EVAL("(cn=élise tremblay *)", t, TRI_TRUE); /* the value ends in its space */
	EVAL("(cn=élise trembla *)", t, TRI_FALSE);
	EVAL("(description=*strasse*)", t, TRI_TRUE); /* ß folds to ss */
	EVAL("(description=*JÜRGEN*)", t, TRI_TRUE);
	EVAL("(description=*i\\cc\\87stanbul*)", t, TRI_TRUE); /* İ is i + U+0307 */
	EVAL("(description=*istanbul*)", t, TRI_FALSE);        /* RFC 3454 B.2, not Turkish */
	EVAL("(o=jpcert*)", j, TRI_TRUE);
	EVAL("(title=カンリシャ)", j, TRI_TRUE);    /* half width katakana */
	EVAL("(cn=ΟΔΥΣΣΈΑΣ ΣΊΣΥΦΟΣ)", g, TRI_TRUE); /* final sigma folds */
	EVAL("(cn=οδυσσέασ σίσυφοσ)", g, TRI_TRUE);
	EVAL("(cn>=ο)", g, TRI_UNDEFINED); /* cn has no ORDERING rule */

	/* NUL: U+0000 is UTF-8 (RFC 4512 1.4) and maps to nothing (RFC 4518
	 * 2.2); where the syntax has no NUL, the assertion is Undefined. */
	EVAL("(cn=\\00)", t, TRI_FALSE);
	EVAL("(cn=élise\\00 tremblay)", t, TRI_TRUE);
	EVAL("(cn=*\\00*)", t, TRI_TRUE);
	EVAL("(!(cn=a\\00b))", t, TRI_TRUE);
	EVAL("(telephoneNumber=+33\\00100000101)", t, TRI_UNDEFINED);
	EVAL("(pocSerial=2026112201\\00)", t, TRI_UNDEFINED);
	EVAL("(objectClass=person\\00)", t, TRI_UNDEFINED);
	EVAL("(cn:caseExactMatch:=\\00Élise Tremblay)", t, TRI_TRUE);

	/* Syntaxes (RFC 4517 3.3): invalid values are Undefined. */
	EVAL("(cn=)", t, TRI_UNDEFINED);     /* Directory String: 1*UTF8 */
	EVAL("(cn=\\ff)", t, TRI_UNDEFINED); /* not UTF-8 */
	EVAL("(cn=*\\c3*)", t, TRI_UNDEFINED);
	EVAL("(cn=\\ef\\bf\\bd)", t, TRI_UNDEFINED); /* RFC 4518 2.4: prohibited */
	EVAL("(cn=\\ee\\80\\80)", t, TRI_UNDEFINED); /* private use */
	EVAL("(mail=)", t, TRI_FALSE);               /* IA5 String may be empty */
	EVAL("(mail=é@x)", t, TRI_UNDEFINED);        /* but is ASCII */
	EVAL("(mail=*é*)", t, TRI_UNDEFINED);
	EVAL("(mail=CERT@ANSSI.FR.EXAMPLE)", t, TRI_TRUE);
	EVAL("(telephoneNumber=abc@x)", t, TRI_UNDEFINED); /* Printable String */
	EVAL("(telephoneNumber=)", t, TRI_UNDEFINED);
	EVAL("(telephoneNumber=*@*)", t, TRI_UNDEFINED);
	EVAL("(telephoneNumber=+33-1-00-00-01-01)", t, TRI_TRUE);
	EVAL("(pocSerial=2026112201 )", t, TRI_UNDEFINED); /* no space in an Integer */
	EVAL("(objectClass=foo)", t, TRI_UNDEFINED);       /* not a name pocdir knows */
	EVAL("(objectClass=person )", t, TRI_UNDEFINED);   /* nor in an OID */
	EVAL("(objectClass=2.5.6.6)", t, TRI_TRUE);        /* person by OID */
	EVAL("(objectClass=1.2.3)", t, TRI_UNDEFINED);     /* an OID of nothing known */
	EVAL("(objectClass=1..2)", t, TRI_UNDEFINED);
	EVAL("(objectClass=cn)", t, TRI_FALSE); /* an attribute type's OID */
	EVAL("(c=KRX)", t, TRI_FALSE);          /* caseIgnoreMatch: Directory String */
	EVAL("(c=)", t, TRI_UNDEFINED);
	EVAL("(!(objectClass=foo))", t, TRI_UNDEFINED);

	tentry_free(t);
	tentry_free(j);
	tentry_free(g);
}

/* RFC 4511 4.5.1: substrings are AssertionValues; RFC 4517 3.3.30 makes
 * each 1*substring-character, so an empty one is an invalid assertion:
 * Undefined under every SUBSTR rule (slapd agrees but for an empty initial
 * with more after it, where it drops the connection). A component of only
 * spaces or hyphens is valid and prepares to what every value holds. */
static void test_empty_components(void)
{
	struct tentry *t = contact("krcert", "KR", "uid=krcert,c=KR,dc=pocdir");
	/* (mail=*<empty>*), (cn=<empty>*cert*), (!(mail=*<empty>*)),
	 * (telephoneNumber=*0118<empty>), (cn=* *), (telephoneNumber=*-*) */
	static const unsigned char mail_any[] = {0xa4, 0x0a, 0x04, 0x04, 'm',  'a',
	                                         'i',  'l',  0x30, 0x02, 0x81, 0x00};
	static const unsigned char cn_initial[] = {0xa4, 0x0e, 0x04, 0x02, 'c', 'n', 0x30, 0x08,
	                                           0x80, 0x00, 0x81, 0x04, 'c', 'e', 'r',  't'};
	static const unsigned char not_mail[] = {0xa2, 0x0c, 0xa4, 0x0a, 0x04, 0x04, 'm',
	                                         'a',  'i',  'l',  0x30, 0x02, 0x81, 0x00};
	static const unsigned char tel_final[] = {
	    0xa4, 0x1b, 0x04, 0x0f, 't',  'e',  'l',  'e',  'p', 'h', 'o', 'n', 'e',  'N', 'u',
	    'm',  'b',  'e',  'r',  0x30, 0x08, 0x81, 0x04, '0', '1', '1', '8', 0x82, 0x00};
	static const unsigned char cn_space[] = {0xa4, 0x09, 0x04, 0x02, 'c', 'n',
	                                         0x30, 0x03, 0x81, 0x01, ' '};
	static const unsigned char tel_hyphen[] = {0xa4, 0x16, 0x04, 0x0f, 't',  'e',  'l',  'e',
	                                           'p',  'h',  'o',  'n',  'e',  'N',  'u',  'm',
	                                           'b',  'e',  'r',  0x30, 0x03, 0x81, 0x01, '-'};

	add(t, ATTR_CN, "KrCERT/CC");
	add(t, ATTR_MAIL, "cert@krcert.kr.example");
	add(t, ATTR_TELEPHONE, "+82 2 0000 0118");
	check_ber_eval(mail_any, sizeof(mail_any), &t->e, TRI_UNDEFINED, "(mail=*<empty>*)");
	check_ber_eval(cn_initial, sizeof(cn_initial), &t->e, TRI_UNDEFINED, "(cn=<empty>*cert*)");
	check_ber_eval(not_mail, sizeof(not_mail), &t->e, TRI_UNDEFINED, "(!(mail=*<empty>*))");
	check_ber_eval(tel_final, sizeof(tel_final), &t->e, TRI_UNDEFINED,
	               "(telephoneNumber=*0118*<empty>)");
	check_ber_eval(cn_space, sizeof(cn_space), &t->e, TRI_TRUE, "(cn=* *)");
	check_ber_eval(tel_hyphen, sizeof(tel_hyphen), &t->e, TRI_TRUE, "(telephoneNumber=*-*)");
	tentry_free(t);
}

/* Parse, render, and parse the rendering again: both renderings agree with
 * the expected RFC 4515 text. Substring components are shown normalised. */
static void test_round_trip(void)
{
	static const char *const cases[][2] = {
	    {"(c=KR)", NULL},
	    {"c=KR", "(c=KR)"},
	    {"(&(c=KR)(role=technical))", NULL},
	    {"(|(cn=kim*)(mail=kim*))", NULL},
	    {"(|(cn=Kim*)(mail=KIM*))", "(|(cn=kim*)(mail=kim*))"},
	    {"(o=*CERT*)", "(o=*cert*)"},
	    {"(o=*CERT*cc*)", "(o=*cert*cc*)"},
	    {"(cn=a*b*c*d)", NULL},
	    {"(telephoneNumber=+82 2*)", "(telephoneNumber=+822*)"},
	    {"(!(c=KR))", NULL},
	    {"(&)", NULL},
	    {"(|)", NULL},
	    {"(!(&))", NULL},
	    {"(mail=*)", NULL},
	    {"(noSuchAttribute=*)", NULL},
	    {"(pocVerified>=2026-01-01)", NULL},
	    {"(pocVerified<=2026-01-01)", NULL},
	    {"(cn~=kim)", NULL},
	    {"(cn:caseExactMatch:=Kim)", NULL},
	    {"(cn:dn:2.5.13.2:=Kim)", NULL},
	    {"(:dn:caseIgnoreMatch:=pocdir)", NULL},
	    {"(:1.2.3:=x)", NULL},
	    {"(cn:=Kim)", NULL},
	    {"(cn=a\\2ab\\28c\\29d\\5ce)", NULL},
	    {"(cn=a\\2Ab)", "(cn=a\\2ab)"},
	    {"(cn=\\41BC)", "(cn=ABC)"},
	    {"(cn=line\\0abreak)", NULL},
	    {"(description=caf\xc3\xa9)", NULL},
	    {"(c;lang-en=KR)", NULL},
	    {"(2.5.4.3=Kim)", NULL},
	    {"(&(|(c=KR)(c=JP))(!(|(role=policy)(pocRole=senior)))(o=*cert*))", NULL},
	    {"(pocSerial=0042)", NULL},
	    {"(cn=)", NULL},
	    {"(cn=*\\2a*)", NULL},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *in = cases[i][0], *want = cases[i][1] ? cases[i][1] : cases[i][0];
		pocdir_error err = {0};
		struct filter *f = filter_parse(in, NULL, &err), *g = NULL;
		char out[512], again[512] = "";

		if (f == NULL) {
			tap_ok(0, "round trip %s: %s", in, err.message);
			continue;
		}
		filter_to_string(f, out, sizeof(out));
		g = filter_parse(out, NULL, &err);
		if (g != NULL)
			filter_to_string(g, again, sizeof(again));
		if (!tap_ok(strcmp(out, want) == 0 && strcmp(again, want) == 0, "round trip %s",
		            in))
			tap_diag("rendered '%s', again '%s', want '%s'", out, again, want);
		filter_free(&f);
		filter_free(&g);
	}

	/* Rendering into a short buffer truncates and terminates. */
	{
		pocdir_error err = {0};
		struct filter *f = filter_parse("(&(c=KR)(role=technical))", NULL, &err);
		char small[9];

		memset(small, 'X', sizeof(small));
		filter_to_string(f, small, sizeof(small));
		tap_is(small, "(&(c=KR)", "rendering truncates to the buffer");
		filter_free(&f);
	}
}

static char *nested(const char *open, const char *inner, int depth)
{
	size_t lo = strlen(open), li = strlen(inner);
	char *s = malloc((size_t)depth * (lo + 1) + li + 1), *p = s;

	if (s == NULL)
		abort();
	for (int i = 0; i < depth; i++, p += lo)
		memcpy(p, open, lo);
	memcpy(p, inner, li);
	p += li;
	memset(p, ')', (size_t)depth);
	p[depth] = '\0';
	return s;
}

static void test_bad_strings(void)
{
	pocdir_error err = {0};
	struct filter *f;
	char *s;

	check_parse_fails("(c=KR", POCDIR_ERR_FILTER,
	                  "bad filter \"(c=KR\": unbalanced parenthesis", "unclosed parenthesis");
	check_parse_fails("c=KR)", POCDIR_ERR_FILTER, "unbalanced parenthesis", "stray ')'");
	check_parse_fails("", POCDIR_ERR_FILTER, "empty", "empty filter");
	check_parse_fails(NULL, POCDIR_ERR_FILTER, NULL, "NULL filter");
	check_parse_fails("(cn=**)", POCDIR_ERR_FILTER, "bad filter \"(cn=**)\"", "double star");
	check_parse_fails("(c=KR)(o=x)", POCDIR_ERR_FILTER, NULL, "two filters side by side");
	check_parse_fails("(!(c=KR)(c=FR))", POCDIR_ERR_FILTER, NULL, "not with two filters");
	check_parse_fails("((c=KR))", POCDIR_ERR_FILTER, NULL, "doubled parentheses");
	check_parse_fails("(=x)", POCDIR_ERR_FILTER, "attribute description missing",
	                  "empty attribute");
	check_parse_fails("=x", POCDIR_ERR_FILTER, NULL, "empty attribute, no parentheses");
	check_parse_fails("(&( =x))", POCDIR_ERR_FILTER, NULL, "empty attribute after a space");
	check_parse_fails("(:=x)", POCDIR_ERR_FILTER, NULL, "extensible without type or rule");
	check_parse_fails("(~=x)", POCDIR_ERR_FILTER, NULL, "approx without a type");

	/* Depth: 64 nested NOTs pass with the default limits, 65 do not, and
	 * 10,000 are refused before libldap's recursive parser sees them. */
	s = nested("(!", "(c=KR)", 64);
	f = filter_parse(s, NULL, &err);
	tap_ok(f != NULL, "64 nested NOTs parse");
	filter_free(&f);
	free(s);
	s = nested("(!", "(c=KR)", 65);
	check_parse_fails(s, POCDIR_ERR_LIMIT, "nests too deep", "65 nested NOTs");
	free(s);
	s = nested("(!", "(c=KR)", 10000);
	check_parse_fails(s, POCDIR_ERR_LIMIT, "nests too deep", "10,000 nested NOTs");
	free(s);
	s = nested("(&", "(c=KR)", 10000);
	check_parse_fails(s, POCDIR_ERR_LIMIT, NULL, "10,000 nested ANDs");
	free(s);

	/* Node count: 5,000 items in one OR. */
	{
		size_t n = 5000, cap = n * 8 + 8, len = 0;
		char *big = malloc(cap);

		if (big == NULL)
			abort();
		len += (size_t)snprintf(big, cap, "(|");
		for (size_t i = 0; i < n; i++)
			len += (size_t)snprintf(big + len, cap - len, "(c=%zu)", i % 100);
		snprintf(big + len, cap - len, ")");
		check_parse_fails(big, POCDIR_ERR_LIMIT, "too many items", "5,000 items");
		free(big);
	}

	/* A value longer than max_value. */
	{
		char *big = malloc(6000);

		if (big == NULL)
			abort();
		strcpy(big, "(cn=");
		memset(big + 4, 'a', 5000);
		strcpy(big + 5004, ")");
		check_parse_fails(big, POCDIR_ERR_LIMIT, "exceeds the limit", "5,000-byte value");
		free(big);
	}
}

static void test_bad_ber(void)
{
	static const unsigned char eq[] = {0xa3, 0x07, 0x04, 0x01, 'c', 0x04, 0x02, 'K', 'R'};
	static const unsigned char huge_outer[] = {0xa3, 0x84, 0x7f, 0xff, 0xff,
	                                           0xff, 0x04, 0x01, 'c'};
	static const unsigned char huge_inner[] = {0xa3, 0x0a, 0x04, 0x01, 'c',  0x04,
	                                           0x84, 0x7f, 0xff, 0xff, 0xff, 'K'};
	static const unsigned char seq[] = {0x30, 0x07, 0x04, 0x01, 'c', 0x04, 0x02, 'K', 'R'};
	static const unsigned char prim_eq[] = {0x83, 0x07, 0x04, 0x01, 'c', 0x04, 0x02, 'K', 'R'};
	static const unsigned char unknown[] = {0xaa, 0x00};
	static const unsigned char overrun[] = {0xa0, 0x03, 0xa3, 0x07, 0x04, 0x01,
	                                        'c',  0x04, 0x02, 'K',  'R'};
	static const unsigned char extra[] = {0xa3, 0x0a, 0x04, 0x01, 'c',  0x04,
	                                      0x02, 'K',  'R',  0x04, 0x01, 'x'};
	static const unsigned char not2[] = {0xa2, 0x06, 0x87, 0x01, 'c', 0x87, 0x01, 'o'};
	static const unsigned char not0[] = {0xa2, 0x00};
	static const unsigned char sub_empty[] = {0xa4, 0x05, 0x04, 0x01, 'c', 0x30, 0x00};
	static const unsigned char sub_initial_late[] = {0xa4, 0x0b, 0x04, 0x01, 'c',  0x30, 0x06,
	                                                 0x81, 0x01, 'a',  0x80, 0x01, 'b'};
	static const unsigned char sub_final_early[] = {0xa4, 0x0b, 0x04, 0x01, 'c',  0x30, 0x06,
	                                                0x82, 0x01, 'a',  0x81, 0x01, 'b'};
	static const unsigned char sub_badtag[] = {0xa4, 0x08, 0x04, 0x01, 'c',
	                                           0x30, 0x03, 0x83, 0x01, 'a'};
	static const unsigned char sub_ok[] = {0xa4, 0x0e, 0x04, 0x01, 'c', 0x30, 0x09, 0x80,
	                                       0x01, 'a',  0x81, 0x01, 'b', 0x82, 0x01, 'c'};
	static const unsigned char ext_none[] = {0xa9, 0x03, 0x83, 0x01, 'x'};
	static const unsigned char ext_badbool[] = {0xa9, 0x0a, 0x82, 0x01, 'c',  0x83,
	                                            0x01, 'x',  0x84, 0x02, 0x00, 0xff};
	static const unsigned char ext_ok[] = {0xa9, 0x09, 0x82, 0x01, 'c', 0x83,
	                                       0x01, 'x',  0x84, 0x01, 0xff};
	static const unsigned char present_empty[] = {0x87, 0x00};
	static const unsigned char eq_octet_type[] = {0xa3, 0x07, 0x30, 0x01, 'c',
	                                              0x04, 0x02, 'K',  'R'};
	struct filter_limits lim = FILTER_DEFAULT_LIMITS;
	struct filter_limits wide = {
	    .max_depth = UINT_MAX, .max_nodes = UINT_MAX, .max_value = 1 << 20};

	check_ber(eq, sizeof(eq), NULL, 0, "plain equality");
	check_ber(huge_outer, sizeof(huge_outer), NULL, POCDIR_ERR_FILTER, "2 GiB outer length");
	check_ber(huge_inner, sizeof(huge_inner), NULL, POCDIR_ERR_FILTER, "2 GiB value length");
	check_ber(seq, sizeof(seq), NULL, POCDIR_ERR_FILTER, "SEQUENCE tag");
	check_ber(prim_eq, sizeof(prim_eq), NULL, POCDIR_ERR_FILTER, "primitive equality tag");
	check_ber(unknown, sizeof(unknown), NULL, POCDIR_ERR_FILTER, "unknown choice [10]");
	check_ber(overrun, sizeof(overrun), NULL, POCDIR_ERR_FILTER, "member overrunning its set");
	check_ber(extra, sizeof(extra), NULL, POCDIR_ERR_FILTER, "assertion with extra element");
	check_ber(not2, sizeof(not2), NULL, POCDIR_ERR_FILTER, "not with two filters");
	check_ber(not0, sizeof(not0), NULL, POCDIR_ERR_FILTER, "empty not");
	check_ber(sub_empty, sizeof(sub_empty), NULL, POCDIR_ERR_FILTER, "substrings, none");
	check_ber(sub_initial_late, sizeof(sub_initial_late), NULL, POCDIR_ERR_FILTER,
	          "substrings, initial after any");
	check_ber(sub_final_early, sizeof(sub_final_early), NULL, POCDIR_ERR_FILTER,
	          "substrings, final before any");
	check_ber(sub_badtag, sizeof(sub_badtag), NULL, POCDIR_ERR_FILTER,
	          "substrings, component [3]");
	check_ber(sub_ok, sizeof(sub_ok), NULL, 0, "substrings initial, any, final");
	check_ber(ext_none, sizeof(ext_none), NULL, POCDIR_ERR_FILTER,
	          "extensible without rule or type");
	check_ber(ext_badbool, sizeof(ext_badbool), NULL, POCDIR_ERR_FILTER,
	          "extensible with a two-byte BOOLEAN");
	check_ber(ext_ok, sizeof(ext_ok), NULL, 0, "extensible type, value, dnAttributes");
	check_ber(present_empty, sizeof(present_empty), NULL, POCDIR_ERR_FILTER,
	          "present with an empty type");
	check_ber(eq_octet_type, sizeof(eq_octet_type), NULL, POCDIR_ERR_FILTER,
	          "attribute description with a SEQUENCE tag");
	check_ber(eq, 0, NULL, POCDIR_ERR_FILTER, "no data at all");

	/* A hostile attribute description is rendered escaped for the logs. */
	{
		static const unsigned char odd[] = {0xa3, 0x0a, 0x04, 0x04, 'a', ')',
		                                    '(',  '\n', 0x04, 0x02, 'K', 'R'};
		struct berval bv = {sizeof(odd), (char *)odd};
		BerElement *ber = ber_init(&bv);
		pocdir_error err = {0};
		struct filter *f = filter_from_ber(ber, NULL, &err);
		char out[64] = "";
		entry_t empty = {.dn = "c=KR,dc=pocdir"};

		if (f != NULL)
			filter_to_string(f, out, sizeof(out));
		tap_is(out, "(a\\29\\28\\0a=KR)", "odd attribute description rendered escaped");
		tap_ok(f != NULL && filter_eval(f, &empty) == TRI_UNDEFINED,
		       "odd attribute description is unknown: Undefined");
		filter_free(&f);
		ber_free(ber, 1);
	}

	lim.max_nodes = 3;
	{
		static const unsigned char three[] = {0xa0, 0x09, 0x87, 0x01, 'c', 0x87,
		                                      0x01, 'o',  0x87, 0x01, 'l'};

		check_ber(three, sizeof(three), &lim, POCDIR_ERR_LIMIT, "4 nodes with max_nodes 3");
		check_ber(three + 2, 3, &lim, 0, "1 node with max_nodes 3");
	}

	/* 10,000 nested NOTs and ANDs in raw BER, with the default limits and
	 * with limits that ask for no limit at all (the cap still holds). */
	{
		size_t cap = 10000 * 6 + sizeof(eq), start, end = cap;
		unsigned char *buf = malloc(cap), tags[] = {FILTER_NOT, FILTER_AND, FILTER_OR};

		if (buf == NULL)
			abort();
		for (size_t k = 0; k < sizeof(tags); k++) {
			start = end - sizeof(eq);
			memcpy(buf + start, eq, sizeof(eq));
			for (int i = 0; i < 10000; i++)
				wrap(buf, &start, end, tags[k]);
			check_ber(buf + start, end - start, NULL, POCDIR_ERR_LIMIT,
			          "10,000 nested in BER");
			check_ber(buf + start, end - start, &wide, POCDIR_ERR_LIMIT,
			          "10,000 nested in BER, limits wide open");
		}
		/* and exactly max_depth still decodes */
		start = end - sizeof(eq);
		memcpy(buf + start, eq, sizeof(eq));
		for (int i = 0; i < 64; i++)
			wrap(buf, &start, end, FILTER_NOT);
		check_ber(buf + start, end - start, NULL, 0, "64 nested NOTs in BER");
		wrap(buf, &start, end, FILTER_NOT);
		check_ber(buf + start, end - start, NULL, POCDIR_ERR_LIMIT,
		          "65 nested NOTs in BER");
		free(buf);
	}

	/* Every truncation of a real filter fails cleanly, and every one-byte
	 * corruption either decodes or fails with a code, never crashes. */
	{
		LDAP *ld = NULL;
		struct berval bv = {0, NULL};
		char text[] = "(&(|(cn=kim*lee*x)(mail=*@kr.example))(!(c=KR))"
		              "(pocSerial>=5)(cn:dn:caseExactMatch:=Kim)(mobile=*)(cn~=k)(|))";
		int bad_trunc = 0, bad_flip = 0, decoded = 0;

		if (ldap_initialize(&ld, NULL) != LDAP_SUCCESS ||
		    ldap_create_assertion_control_value(ld, text, &bv) != LDAP_SUCCESS)
			abort();
		for (size_t n = 0; n < bv.bv_len; n++) {
			struct berval part = {n, bv.bv_val};
			BerElement *ber = ber_init(&part);
			pocdir_error err = {0};
			struct filter *f = filter_from_ber(ber, NULL, &err);

			if (f != NULL || err.code != POCDIR_ERR_FILTER)
				bad_trunc++;
			filter_free(&f);
			ber_free(ber, 1);
		}
		tap_ok(bad_trunc == 0, "all %lu truncations are refused as bad encoding",
		       (unsigned long)bv.bv_len);
		for (size_t n = 0; n < bv.bv_len; n++) {
			static const unsigned char with[] = {0x00, 0x01, 0x7f, 0x80, 0x84, 0xff};

			for (size_t w = 0; w < sizeof(with); w++) {
				char *copy = malloc(bv.bv_len);
				struct berval part = {bv.bv_len, copy};
				BerElement *ber;
				pocdir_error err = {0};
				struct filter *f;

				if (copy == NULL)
					abort();
				memcpy(copy, bv.bv_val, bv.bv_len);
				copy[n] = (char)with[w];
				ber = ber_init(&part);
				f = filter_from_ber(ber, NULL, &err);
				if (f == NULL && err.code != POCDIR_ERR_FILTER &&
				    err.code != POCDIR_ERR_LIMIT)
					bad_flip++;
				if (f != NULL) {
					char out[1024];

					decoded++;
					filter_to_string(f, out, sizeof(out));
				}
				filter_free(&f);
				ber_free(ber, 1);
				free(copy);
			}
		}
		tap_ok(bad_flip == 0, "one-byte corruptions decode (%d) or fail with a code",
		       decoded);
		ber_memfree(bv.bv_val);
		ldap_unbind_ext(ld, NULL, NULL);
	}
}

/* Evaluate text restricted by hidden; want the result. */
static void check_restricted(const char *text, const bool *hidden, const entry_t *e, enum tri want,
                             int line)
{
	pocdir_error err = {0};
	struct filter *f = filter_parse(text, NULL, &err);
	int got = -1;

	if (f != NULL) {
		filter_restrict(f, hidden);
		got = (int)filter_eval(f, e);
	}
	if (!tap_ok(got == (int)want, "restricted: %s on %s is %s", text, e->dn, tri_name(want)))
		tap_diag("line %d: got %s %s", line, tri_name(got), f == NULL ? err.message : "");
	filter_free(&f);
}
#define RESTRICTED(text, t, want) check_restricted(text, hidden, &(t)->e, want, __LINE__)

/* A client that may not read some attributes must learn nothing of their
 * values from any kind of filter item: each of these is TRUE unrestricted,
 * and must be what it would be if the entry had no such attribute. */
static void test_restrict(void)
{
	struct tentry *cert = contact("krcert", "KR", "uid=krcert,c=KR,dc=pocdir");
	bool hidden[ATTR_COUNT] = {false};

	add(cert, ATTR_CN, "KrCERT/CC");
	add(cert, ATTR_TELEPHONE, "+82 2 0000 0100");
	add(cert, ATTR_MOBILE, "+82 10 0000 0001");
	add(cert, ATTR_EMERGENCYPHONE, "+82 2 0000 0118");
	add(cert, ATTR_EMERGENCYMAIL, "soc@krcert.kr.example");
	add(cert, ATTR_POSTAL, "Secret Street 1$Seoul");
	add(cert, ATTR_DESCRIPTION, "Night Shift");
	add(cert, ATTR_SERIAL, "2026112201");
	hidden[ATTR_MOBILE] = hidden[ATTR_EMERGENCYPHONE] = hidden[ATTR_EMERGENCYMAIL] = true;
	hidden[ATTR_POSTAL] = hidden[ATTR_DESCRIPTION] = hidden[ATTR_SERIAL] = true;

	/* Unrestricted, each of these is TRUE. */
	EVAL("(:telephoneNumberMatch:=+82 2 0000 0118)", cert, TRI_TRUE);
	EVAL("(:caseIgnoreIA5Match:=soc@krcert.kr.example)", cert, TRI_TRUE);
	EVAL("(:caseIgnoreListMatch:=secret street 1$seoul)", cert, TRI_TRUE);
	EVAL("(:caseExactMatch:=Night Shift)", cert, TRI_TRUE);
	EVAL("(:integerMatch:=2026112201)", cert, TRI_TRUE);

	/* Typeless extensible: hidden values are skipped, visible ones not. */
	RESTRICTED("(:telephoneNumberMatch:=+82 2 0000 0118)", cert, TRI_FALSE);
	RESTRICTED("(:telephoneNumberMatch:=+82100000001)", cert, TRI_FALSE);
	RESTRICTED("(:telephoneNumberMatch:=+82 2 0000 0100)", cert, TRI_TRUE);
	RESTRICTED("(:caseIgnoreIA5Match:=soc@krcert.kr.example)", cert, TRI_FALSE);
	RESTRICTED("(:caseIgnoreMatch:=night shift)", cert, TRI_FALSE);
	RESTRICTED("(:caseExactMatch:=Night Shift)", cert, TRI_FALSE);
	RESTRICTED("(:caseIgnoreListMatch:=secret street 1$seoul)", cert, TRI_FALSE);
	RESTRICTED("(:integerMatch:=2026112201)", cert, TRI_FALSE);
	RESTRICTED("(:caseIgnoreMatch:=krcert/cc)", cert, TRI_TRUE);
	/* Ordering rules would let a client bisect a hidden value. */
	RESTRICTED("(:caseIgnoreOrderingMatch:=soc@krcert.kr.exampleZ)", cert, TRI_TRUE);
	RESTRICTED("(:integerOrderingMatch:=2026112202)", cert, TRI_FALSE);
	RESTRICTED("(:caseIgnoreOrderingMatch:=night shiftz)", cert, TRI_TRUE); /* cn < it */
	/* Telephone numbers are Directory Strings too: the hidden mobile is
	 * less than this, the visible office number is not. */
	RESTRICTED("(:caseIgnoreOrderingMatch:=+82 11)", cert, TRI_FALSE);
	{
		/* A supertype reaches only the subtypes the client may see. */
		bool no_cn[ATTR_COUNT] = {false};

		no_cn[ATTR_CN] = true;
		check_restricted("(name=kr)", no_cn, &cert->e, TRI_TRUE, __LINE__); /* c */
		check_restricted("(name=krcert/cc)", no_cn, &cert->e, TRI_FALSE, __LINE__);
		check_restricted("(name=*cert*)", no_cn, &cert->e, TRI_FALSE, __LINE__);
		check_restricted("(name:=krcert/cc)", no_cn, &cert->e, TRI_FALSE, __LINE__);
		check_restricted("(name=krcert/cc)", hidden, &cert->e, TRI_TRUE, __LINE__);
		check_restricted("(cn=*)", no_cn, &cert->e, TRI_UNDEFINED, __LINE__);
	}
	/* An OR of guesses learns nothing. */
	RESTRICTED("(|(:telephoneNumberMatch:=+82 2 0000 0117)(:telephoneNumberMatch:=+82 2 "
	           "0000 0118)(:telephoneNumberMatch:=+82 2 0000 0119))",
	           cert, TRI_FALSE);
	/* Typed items on a hidden attribute: as an unknown type. */
	RESTRICTED("(pocEmergencyPhone=+82 2 0000 0118)", cert, TRI_UNDEFINED);
	RESTRICTED("(pocEmergencyPhone=*)", cert, TRI_UNDEFINED); /* RFC 4511 4.5.1.7 */
	RESTRICTED("(mobile=+82*)", cert, TRI_UNDEFINED);
	RESTRICTED("(pocSerial>=1)", cert, TRI_UNDEFINED);
	RESTRICTED("(pocSerial<=9999999999)", cert, TRI_UNDEFINED);
	RESTRICTED("(pocEmergencyMail~=soc@krcert.kr.example)", cert, TRI_UNDEFINED);
	RESTRICTED("(!(pocEmergencyPhone=+82 2 0000 0118))", cert, TRI_UNDEFINED);
	RESTRICTED("(pocEmergencyPhone:telephoneNumberMatch:=+82 2 0000 0118)", cert,
	           TRI_UNDEFINED);
	RESTRICTED("(mobileTelephoneNumber=+82 10 0000 0001)", cert, TRI_UNDEFINED);
	RESTRICTED("(0.9.2342.19200300.100.1.41=+82 10 0000 0001)", cert, TRI_UNDEFINED);
	RESTRICTED("(&(c=KR)(pocEmergencyPhone=+82 2 0000 0118))", cert, TRI_UNDEFINED);
	RESTRICTED("(|(uid=krcert)(pocEmergencyPhone=+82 2 0000 0118))", cert, TRI_TRUE);
	/* Visible items are untouched. */
	RESTRICTED("(telephoneNumber=+82 2 0000 0100)", cert, TRI_TRUE);
	RESTRICTED("(uid:dn:=krcert)", cert, TRI_TRUE);
	RESTRICTED("(:dn:caseIgnoreMatch:=krcert)", cert, TRI_TRUE);

	/* dnAttributes: a hidden type's AVAs in the DN are skipped too. */
	hidden[ATTR_UID] = true;
	RESTRICTED("(:dn:caseIgnoreMatch:=krcert)", cert, TRI_FALSE);
	RESTRICTED("(uid:dn:=krcert)", cert, TRI_UNDEFINED);
	RESTRICTED("(:dn:caseIgnoreMatch:=KR)", cert, TRI_TRUE);
	tentry_free(cert);
}

int main(void)
{
	test_eval();
	test_restrict();
	test_prepare();
	test_empty_components();
	test_rule_agreement();
	test_round_trip();
	test_bad_strings();
	test_bad_ber();
	return tap_done();
}
