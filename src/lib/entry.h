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

/* All values of one attribute of an entry, in 16 bytes: a 100k-entry
 * directory holds two million of these. raw holds the count values as
 * written (the array pocdir_entry_get hands out), then their prepared forms
 * for the attribute's equality rule (NULL for a value that does not
 * prepare, and under MATCH_NONE), unless every value is its own prepared
 * form (same_norm) -- most are -- and then the one array serves as both.
 * Read the type and the prepared forms through the accessors below. */
struct entry_attr {
	uint8_t id;     /* enum attr_id */
	bool same_norm; /* raw[i] is also value i's prepared form */
	uint32_t count;
	const char **raw;
};

/* The type of a. */
static inline const struct attr_type *entry_attr_type(const struct entry_attr *a)
{
	return &attr_types[a->id];
}

/* Value i of a prepared for its equality rule, or NULL. */
static inline const char *entry_norm(const struct entry_attr *a, size_t i)
{
	return a->raw[a->same_norm ? i : a->count + i];
}

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
	/* dn and dn_norm stay side by side: they are entryDN's value and its
	 * prepared form, which entry_values hands out as one array. */
	char *dn;      /* full DN, e.g. "uid=krcert,c=KR,dc=pocdir" */
	char *dn_norm; /* dn_normalize(dn) (dn.h), for base-object lookups */
	uint64_t serial;
	struct entry_attr *attrs; /* sorted by id */
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

/* Room for the header of an operational attribute, computed on demand;
 * its values live in the entry or in the program. */
struct entry_slot {
	struct entry_attr attr;
};

/* As entry_attr, and for the operational attributes of the table
 * (structuralObjectClass, entryDN, subschemaSubentry, hasSubordinates) the
 * values computed from the entry into *slot: the result is valid while e
 * and slot are, its raw array while e is. Filter evaluation, Compare and
 * pocdir_entry_get read attributes through it, so all see the same ones. */
const struct entry_attr *entry_values(const entry_t *e, enum attr_id id, struct entry_slot *slot);

#endif /* POCDIR_ENTRY_H */
