/* store.h - the in-memory directory: one immutable, reference-counted
 * snapshot of every origin and entry, with its indexes. A reload builds a new
 * snapshot and swaps it in; readers keep the one they hold. */
#ifndef POCDIR_STORE_H
#define POCDIR_STORE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "attr.h"
#include "pocdir.h"

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
	ENTRY_CONTACT, /* uid=ID,c=CC,BASE: objectClass inetOrgPerson + pocContact */
	ENTRY_COUNTRY  /* c=CC,BASE: objectClass country */
};

/* An entry. struct pocdir_entry is the public name of the same thing. */
struct pocdir_entry {
	enum entry_kind kind;
	char *id;      /* contact id; NULL for a country entry */
	char *country; /* upper-case ISO code */
	char *origin;  /* origin id; NULL for a country entry */
	char *dn;      /* full DN, e.g. "uid=krcert,c=KR,dc=pocdir" */
	char *dn_norm; /* DN folded to lower case, for base-object lookups */
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
	char *path;   /* file it was loaded from */
	size_t first; /* its entries are store->entries[first .. first+count) */
	size_t count;
};

/* A sorted list of entry indexes (into store->entries). */
struct idlist {
	uint32_t *ids;
	size_t count;
};

struct index; /* string -> idlist hash table, see store.c */

struct store {
	atomic_uint refs;
	char *base_dn;
	char *base_norm;
	struct origin *origins; /* sorted by id */
	size_t norigins;
	entry_t **entries; /* contacts, sorted by country then id */
	size_t nentries;
	entry_t **countries; /* one country entry per country that has contacts, sorted */
	size_t ncountries;
	struct index *by_country; /* upper-case code */
	struct index *by_role;    /* folded role */
	struct index *by_id;      /* folded id */
	struct index *by_agency;  /* folded agency name */
	struct index *by_mail;    /* normalised mail */
	struct index *by_dn;      /* dn_norm -> contact (ids) */
	char version[65];         /* hex SHA-256 over "origin serial\n" lines */
};

/* Load a directory folder or file and build a snapshot with refs = 1.
 * Diagnostics go to fn (may be NULL); returns NULL and fills err if anything
 * is wrong, with err->count the number of problems. */
struct store *store_load(const char *path, const char *base_dn, pocdir_diag_fn fn, void *ctx,
			 pocdir_error *err);

/* Build a snapshot from origins already parsed in memory (used by sync and by
 * tests): takes ownership of the origins array and entries. */
struct store *store_build(struct origin *origins, size_t norigins, entry_t **entries,
			  size_t nentries, const char *base_dn, pocdir_error *err);

/* Take / drop a reference. The last store_unref frees the snapshot. */
struct store *store_ref(struct store *s);
void store_unref(struct store **s);

/* The values of attribute id in e, or NULL when e has none. */
const struct entry_attr *entry_attr(const entry_t *e, enum attr_id id);

/* Index look-ups: the idlist for key (already normalised), or NULL. The list
 * belongs to the store. */
const struct idlist *store_index_get(const struct index *ix, const char *key);

/* Iterate an index's keys (for substring matching over agency names):
 * returns false when i is past the end. */
bool store_index_at(const struct index *ix, size_t i, const char **key,
		    const struct idlist **list);

/* Intersect sorted lists a and b into out (capacity min(a,b)); returns count. */
size_t idlist_intersect(const uint32_t *a, size_t na, const uint32_t *b, size_t nb,
			uint32_t *out);

/* Find a contact or country entry by DN (any case, any spacing after commas).
 * Returns NULL when none. */
const entry_t *store_find_dn(const struct store *s, const char *dn);

/* Free one entry built by the loader. */
void entry_free(entry_t *e);

#endif /* POCDIR_STORE_H */
