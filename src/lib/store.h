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
#include "entry.h"
#include "pocdir.h"

/* A sorted list of entry indexes (into store->entries). */
struct idlist {
	uint32_t *ids;
	size_t count;
};

struct index; /* string -> idlist hash table, see store.c */

/* Sorted (normalised value, entry) pairs of one attribute, for substring
 * filters with an initial part. */
struct prefix_item {
	const char *key;
	uint32_t id;
};
struct prefix {
	struct prefix_item *items;
	size_t count;
};
struct arena; /* bump allocator, see arena.h */

struct store {
	atomic_uint refs;
	char *base_dn;          /* RFC 4514 form (dn_pretty) */
	char *base_norm;        /* dn_normalize'd */
	struct origin *origins; /* sorted by id */
	size_t norigins;
	entry_t **entries; /* contacts, sorted by country then id */
	size_t nentries;
	entry_t **countries; /* one country entry per country that has contacts, sorted */
	size_t ncountries;
	struct index *by_country;      /* upper-case code */
	struct index *by_role;         /* folded role */
	struct index *by_id;           /* folded id */
	struct index *by_agency;       /* folded agency name */
	struct index *by_mail;         /* normalised mail */
	struct index *by_country_role; /* "CC/role" -> ids: the everyday question */
	struct prefix *by_cn_prefix;   /* sorted cn values: (cn=kim*) without a scan */
	struct prefix *by_mail_prefix; /* sorted mail values */
	char version[65];              /* hex SHA-256 over "origin serial\n" lines */
	struct arena *arena;           /* country entries and index storage */
};

/* Load a directory folder or file and build a snapshot with refs = 1.
 * Diagnostics go to fn (may be NULL); returns NULL and fills err if anything
 * is wrong, with err->count the number of problems. */
struct store *store_load(const char *path, const char *base_dn, pocdir_diag_fn fn, void *ctx,
                         pocdir_error *err);

struct origin_set; /* load.h */

/* Build a snapshot from origin sets already parsed (by store_load, sync and
 * tests). Takes what the sets hold (they are left empty) whether or not it
 * succeeds; sets is not freed. Fails (NULL, err set) when two origins share
 * an id or two entries share a DN; problems also go to fn. */
struct store *store_build(struct origin_set *sets, size_t nsets, const char *base_dn,
                          pocdir_diag_fn fn, void *ctx, pocdir_error *err);

/* pocdir_warnings over s (validity.c): the count of warnings passed to fn. */
unsigned store_warnings(const struct store *s, long long now, pocdir_diag_fn fn, void *ctx);

/* Take / drop a reference. The last store_unref frees the snapshot. */
struct store *store_ref(struct store *s);
void store_unref(struct store **s);

/* Index look-ups: the idlist for key (already normalised), or NULL. The list
 * belongs to the store. */
const struct idlist *store_index_get(const struct index *ix, const char *key);

/* Iterate an index's keys (for substring matching over agency names):
 * returns false when i is past the end. */
bool store_index_at(const struct index *ix, size_t i, const char **key, const struct idlist **list);

/* Entries (ascending, no repeats) whose value in px starts with the first
 * len bytes of the normalised text initial; *ids is allocated (free() it).
 * Returns 0 or -1 on allocation failure. */
int store_prefix_ids(const struct prefix *px, const char *initial, size_t len, uint32_t **ids,
                     size_t *count);

/* Intersect sorted lists a and b into out (capacity min(a,b)); returns count. */
size_t idlist_intersect(const uint32_t *a, size_t na, const uint32_t *b, size_t nb, uint32_t *out);

/* Find a contact or country entry by DN (any case, any spacing after commas).
 * Returns NULL when none. */
const entry_t *store_find_dn(const struct store *s, const char *dn);

#endif /* POCDIR_STORE_H */
