/* attr.h - the attribute table: every LDAP attribute pocdir serves, its YAML
 * key, its matching rules, and the value normalisation those rules need. */
#ifndef POCDIR_ATTR_H
#define POCDIR_ATTR_H

#include <stdbool.h>
#include <stddef.h>

/* Attribute ids, in the order attributes are shown (standard ones first). */
enum attr_id {
	ATTR_OBJECTCLASS,
	ATTR_UID,
	ATTR_CN,
	ATTR_SN,
	ATTR_GIVENNAME,
	ATTR_TITLE,
	ATTR_O,
	ATTR_C,
	ATTR_MAIL,
	ATTR_TELEPHONE,
	ATTR_MOBILE,
	ATTR_FAX,
	ATTR_POSTAL,
	ATTR_URI,
	ATTR_PREFLANG,
	ATTR_DESCRIPTION,
	ATTR_ROLE,
	ATTR_AGENCYTYPE,
	ATTR_COUNTRYSERVED,
	ATTR_EMERGENCYPHONE,
	ATTR_EMERGENCYMAIL,
	ATTR_HOURS,
	ATTR_TIMEZONE,
	ATTR_LANGUAGE,
	ATTR_PGPFINGERPRINT,
	ATTR_PGPEXPIRES,
	ATTR_CONSTITUENCY,
	ATTR_VALIDFROM,
	ATTR_VALIDUNTIL,
	ATTR_VERIFIED,
	ATTR_CHANGED,
	ATTR_ORIGIN,
	ATTR_SERIAL,
	ATTR_COUNT
};

/* Matching rules, named after RFC 4517's. */
enum attr_match {
	MATCH_NONE,        /* no such rule: assertions evaluate to Undefined */
	MATCH_CASE_IGNORE, /* caseIgnoreMatch and friends (also IA5, OIDs by name) */
	MATCH_CASE_EXACT,  /* caseExactMatch */
	MATCH_TELEPHONE,   /* telephoneNumberMatch: case-folded, spaces and '-' removed */
	MATCH_INTEGER,     /* integerMatch */
	MATCH_LIST         /* caseIgnoreListMatch: postal lines joined by '$' */
};

struct attr_type {
	enum attr_id id;
	const char *name;     /* canonical LDAP name */
	const char *alias;    /* accepted alternative name in filters, or NULL */
	const char *oid;      /* numeric OID */
	const char *yaml_key; /* YAML key it comes from, NULL when derived */
	const char *syntax;   /* LDAP syntax OID */
	enum attr_match equality;
	bool ordering;   /* has an ORDERING rule */
	bool substrings; /* has a SUBSTR rule */
	bool single_value;
	bool standard;          /* defined by a standard schema, not by pocContact */
	bool hidden_by_default; /* anonymous clients may not read it by default */
	const char *description;
};

/* The OID arc of pocdir's own schema (X.667 UUID arc, no registration). */
#define POCDIR_OID_ARC "2.25.155867915123599429905655558127196177259"

/* Look an attribute up by name or alias, case-insensitively; len is the
 * name's length. Returns NULL for an attribute pocdir does not know. */
const struct attr_type *attr_lookup(const char *name, size_t len);

/* The table entry for id; never NULL for a valid id. */
const struct attr_type *attr_by_id(enum attr_id id);

/* Normalise value (len bytes) for comparison under rule, per RFC 4518's
 * insignificant-space and case-folding steps (ASCII folding; other bytes are
 * kept). Returns a new string the caller frees, or NULL on allocation failure.
 * For MATCH_INTEGER a value that is not an integer yields NULL and *invalid is
 * set (the assertion is then Undefined). */
char *attr_normalize(enum attr_match rule, const char *value, size_t len, bool *invalid);

/* The name of the object class with numeric OID oid ("2.5.6.6" ->
 * "person"), or NULL when pocdir does not serve that class. */
const char *attr_class_name(const char *oid);

/* As attr_normalize, into out, which holds at least len + 1 bytes (a
 * normalised value is never longer). Returns 0, or -1 when the value does
 * not normalise (integers), with *invalid set. No allocation. */
int attr_normalize_into(enum attr_match rule, const char *value, size_t len, char *out,
                        bool *invalid);

/* Compare two normalised values for ordering under rule: <0, 0, >0. */
int attr_compare(enum attr_match rule, const char *a, const char *b);

#endif /* POCDIR_ATTR_H */
