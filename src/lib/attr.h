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
	ATTR_DISPLAYNAME,
	ATTR_TITLE,
	ATTR_O,
	ATTR_C,
	ATTR_MAIL,
	ATTR_TELEPHONE,
	ATTR_MOBILE,
	ATTR_FAX,
	ATTR_POSTAL,
	ATTR_STREET,
	ATTR_LOCALITY,
	ATTR_REGION,
	ATTR_POSTALCODE,
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
	/* Not read from YAML: the base entry's dc (RFC 4519 2.4), then the
	 * operational attributes computed for every entry (RFC 4512 3.4). */
	ATTR_DC,
	ATTR_STRUCTURAL,
	ATTR_ENTRYDN,
	ATTR_SUBSCHEMA,
	ATTR_HASSUBORDINATES,
	ATTR_COUNT, /* the types that entries hold values of */
	/* RFC 4519 2.18 name: a supertype (RFC 4512 2.5.1) that no entry holds
	 * values of. Filters and requested attribute lists take it for its
	 * subtypes; attr_lookup does not return it, attr_lookup_any does. */
	ATTR_NAME = ATTR_COUNT,
	ATTR_ALL /* every type the subschema describes */
};

/* Matching rules, named after RFC 4517's. Each implies the syntax of its
 * assertion values; a value not of that syntax makes the assertion
 * Undefined (RFC 4511 4.5.1.7). */
enum attr_match {
	MATCH_NONE,            /* no such rule: assertions evaluate to Undefined */
	MATCH_CASE_IGNORE,     /* caseIgnoreMatch: Directory String, RFC 4518 folded */
	MATCH_CASE_EXACT,      /* caseExactMatch */
	MATCH_TELEPHONE,       /* telephoneNumberMatch: folded, spaces and '-' removed */
	MATCH_INTEGER,         /* integerMatch */
	MATCH_LIST,            /* caseIgnoreListMatch: postal lines joined by '$' */
	MATCH_CASE_IGNORE_IA5, /* caseIgnoreIA5Match: IA5 String (ASCII) */
	MATCH_CASE_EXACT_IA5,  /* caseExactIA5Match */
	MATCH_OID,             /* objectIdentifierMatch: a known name or a numeric OID */
	MATCH_DN,              /* distinguishedNameMatch: dn_normalize (dn.h) */
	MATCH_BOOLEAN          /* booleanMatch: "TRUE" or "FALSE" (RFC 4517 3.3.3) */
};

/* What a prepared string is (RFC 4518 2.6.1): an attribute value or an
 * equality assertion loses its leading and trailing spaces; a substring
 * component keeps one space where it ends in space on a side that meets the
 * rest of the value. */
enum attr_prep { PREP_VALUE, PREP_INITIAL, PREP_ANY, PREP_FINAL };

/* attr_prepare's answers besides a length. */
#define ATTR_PREP_INVALID (-1) /* not of the rule's syntax, or prohibited: Undefined */
#define ATTR_PREP_NOSPACE (-2) /* out too small (or out of memory) */

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
	/* USAGE directoryOperation (RFC 4512 4.1.2): computed from the entry
	 * (entry_values), shown only when asked for by name or with "+". */
	bool operational;
	bool tree; /* held by the tree's own entries (the base's dc), not by contacts */
};

/* The OID arc of pocdir's own schema (X.667 UUID arc, no registration). */
#define POCDIR_OID_ARC "2.25.155867915123599429905655558127196177259"

/* Look an attribute up by name or alias, case-insensitively; len is the
 * name's length. Returns NULL for an attribute pocdir does not know. */
const struct attr_type *attr_lookup(const char *name, size_t len);

/* The table, by id, for the types entries hold values of: attr_by_id
 * without its checks, for readers that hold an id known to be valid. */
extern const struct attr_type attr_types[ATTR_COUNT];

/* The table entry for id (below ATTR_ALL: supertypes included); never
 * NULL for a valid id. */
const struct attr_type *attr_by_id(enum attr_id id);

/* As attr_lookup, and a supertype (name) too: for filters and requested
 * attribute lists, where a supertype stands for its subtypes. */
const struct attr_type *attr_lookup_any(const char *name, size_t len);

/* The direct supertype of t (name, for cn, sn, givenName, title, o and c:
 * RFC 4519), or NULL. */
const struct attr_type *attr_supertype(const struct attr_type *t);

/* Is t the type d or one of its subtypes (RFC 4512 2.5.1), so that an
 * assertion on d, or a request for d, covers t's values? */
bool attr_covers(const struct attr_type *d, const struct attr_type *t);

/* Prepare value (len bytes; may hold NUL) for comparison under rule, as
 * kind: RFC 4518 string preparation (map, case fold, NFKC, prohibit,
 * insignificant space) through libunistring for the string rules, RFC 4517
 * 3.3.16 for integers, names to OIDs for objectIdentifierMatch, dn_normalize
 * for distinguishedNameMatch, RFC 4517 3.3.3 for booleans. Writes a
 * NUL-terminated string to out (size bytes). Returns its length,
 * ATTR_PREP_INVALID or ATTR_PREP_NOSPACE. Pure ASCII takes a fast path
 * with the same result. */
long attr_prepare(enum attr_match rule, enum attr_prep kind, const char *value, size_t len,
                  char *out, size_t size);

/* As attr_prepare for kind, into a new string the caller frees. Returns
 * NULL with *invalid set when the value does not prepare (the assertion is
 * then Undefined), or NULL with *invalid clear when memory ran out. */
char *attr_prepare_dup(enum attr_match rule, enum attr_prep kind, const char *value, size_t len,
                       bool *invalid);

/* attr_prepare_dup for an attribute value or an equality assertion. */
char *attr_normalize(enum attr_match rule, const char *value, size_t len, bool *invalid);

/* The name of the object class with numeric OID oid ("2.5.6.6" ->
 * "person"), or NULL when pocdir does not serve that class. */
const char *attr_class_name(const char *oid);

/* As attr_normalize, into out (size bytes). Returns 0, or -1 with *invalid
 * set when the value does not prepare, or -1 with *invalid clear when out is
 * too small. */
int attr_normalize_into(enum attr_match rule, const char *value, size_t len, char *out, size_t size,
                        bool *invalid);

/* A matching rule an extensible match may name (RFC 4517 4.2). */
struct attr_rule {
	const char *name;
	const char *oid;
	const char *syntax;    /* the syntax of its assertion values */
	enum attr_match match; /* how it prepares values */
	bool ordering;         /* TRUE when the value is less than the assertion */
	bool substrings;       /* a SUBSTR rule: Undefined in an extensible match */
};

/* The rule named name (a descr, any case, or its numeric OID), or NULL. */
const struct attr_rule *attr_rule_lookup(const char *name);

/* The i-th rule, for the subschema; NULL past the end. */
const struct attr_rule *attr_rule_at(size_t i);

/* RFC 4512 4.1.4 matchingRuleUse: may r be applied to values of t? Rules
 * apply to the attributes of their own syntax and to those that name them. */
bool attr_rule_applies(const struct attr_rule *r, const struct attr_type *t);

/* Compare two normalised values for ordering under rule: <0, 0, >0. */
int attr_compare(enum attr_match rule, const char *a, const char *b);

#endif /* POCDIR_ATTR_H */
