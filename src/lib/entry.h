/* entry.h - the data model: entries, their attributes and values, and the
 * origins that publish them, apart from how they are loaded (load.c) and
 * indexed into snapshots (store.c). */
#ifndef POCDIR_ENTRY_H
#define POCDIR_ENTRY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "attr.h"
#include "pocdir.h"

struct arena; /* bump allocator, see arena.h */

/* One value: as written, and normalised for its attribute's equality rule
 * (NULL when the rule is MATCH_NONE or the value does not normalise). */
struct value {
	char *raw;
	char *norm;
};

/* All values of one attribute of an entry. */
struct entry_attr {
	const struct attr_type *type;
	size_t count;
	struct value *values;
	const char **raw; /* count pointers to values[i].raw, for the public API */
};

/* An "x-..." key kept from the YAML. */
struct extension {
	char *key;
	char *value;
};

enum entry_kind {
	ENTRY_CONTACT,  /* uid=ID,c=CC,BASE: objectClass inetOrgPerson + pocContact */
	ENTRY_COUNTRY,  /* c=CC,BASE: objectClass country */
	ENTRY_BASE,     /* BASE: organization (and dcObject), built by the daemon */
	ENTRY_ROOTDSE,  /* "": the root DSE (RFC 4512 5.1) */
	ENTRY_SUBSCHEMA /* cn=Subschema (RFC 4512 4.2) */
};

/* An entry. struct pocdir_entry is the public name of the same thing. */
struct pocdir_entry {
	enum entry_kind kind;
	bool subordinates; /* ENTRY_BASE: entries hang below it (hasSubordinates) */
	char *id;          /* contact id; NULL for a country entry */
	char *country;     /* upper-case ISO code */
	char *origin;      /* origin id; NULL for a country entry */
	char *dn;          /* full DN, e.g. "uid=krcert,c=KR,dc=pocdir" */
	char *dn_norm;     /* dn_normalize(dn) (dn.h), for base-object lookups */
	uint64_t serial;
	struct entry_attr *attrs; /* sorted by type->id */
	size_t nattrs;
	struct extension *ext;
	size_t next;
	const char *file; /* source file (owned by the origin) */
	unsigned long line;
};
typedef struct pocdir_entry entry_t;

/* One participant and the set it publishes. */
struct origin {
	char *id;
	char *name;
	char **scope; /* upper-case country codes */
	size_t nscope;
	uint64_t serial;
	char *updated;
	char *path;          /* file it was loaded from */
	size_t count;        /* entries it published */
	struct arena *arena; /* owns the strings and entries of this origin */
};

/* qsort comparator over entry_t pointers: by country, then id (the order of
 * store->entries and of each origin set). */
int entry_compare(const void *a, const void *b);

/* The values of attribute id in e, or NULL when e has none. */
const struct entry_attr *entry_attr(const entry_t *e, enum attr_id id);

/* Room for the values of an operational attribute, computed on demand. */
struct entry_slot {
	struct entry_attr attr;
	struct value value;
};

/* As entry_attr, and for the operational attributes of the table
 * (structuralObjectClass, entryDN, subschemaSubentry, hasSubordinates) the
 * values computed from the entry into *slot: the result is valid while e
 * and slot are, its raw array while e is. Filter evaluation, Compare and
 * pocdir_entry_get read attributes through it, so all see the same ones. */
const struct entry_attr *entry_values(const entry_t *e, enum attr_id id, struct entry_slot *slot);

#endif /* POCDIR_ENTRY_H */
