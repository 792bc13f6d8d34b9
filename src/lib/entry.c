/* entry.c - reading an entry's attributes: the stored ones, and the
 * operational ones computed from the entry, see entry.h. */
#include "config.h"

#include <stddef.h>
#include <string.h>

#include "entry.h"

_Static_assert(offsetof(struct pocdir_entry, dn_norm) ==
                   offsetof(struct pocdir_entry, dn) + sizeof(char *),
               "entryDN's value and prepared form are read as one array");

int entry_compare(const void *a, const void *b)
{
	const entry_t *x = *(entry_t *const *)a, *y = *(entry_t *const *)b;
	int c = strcmp(x->country, y->country);

	return c != 0 ? c : strcmp(x->id, y->id);
}

const struct entry_attr *entry_attr(const entry_t *e, enum attr_id id)
{
	/* Attributes are few and sorted by id: a short binary search. */
	size_t lo = 0, hi = e->nattrs;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		enum attr_id m = e->attrs[mid].id;

		if (m == id)
			return &e->attrs[mid];
		if (m < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

const struct entry_attr *entry_values(const entry_t *e, enum attr_id id, struct entry_slot *slot)
{
	/* RFC 4512 3.4: what the server keeps about an entry, as served, and
	 * its normal form (as attr_normalize gives it), one array each as an
	 * attribute holds them. The values live as long as the entry (its
	 * DN) or the program (the rest), so that pocdir_entry_get can hand
	 * them out. */
	static const char *structural[][2] = {
	    [ENTRY_CONTACT] = {"inetOrgPerson", "inetorgperson"},
	    [ENTRY_COUNTRY] = {"country", "country"},
	    [ENTRY_BASE] = {"organization", "organization"},
	    [ENTRY_ROOTDSE] = {NULL, NULL},
	    [ENTRY_SUBSCHEMA] = {"subentry", "subentry"},
	};
	static const char *subschema[] = {"cn=Subschema", "cn=subschema"};
	static const char *yes[] = {"TRUE"}, *no[] = {"FALSE"};
	const struct attr_type *t = attr_by_id(id);
	const char **v;
	bool same = false;

	if (t == NULL || !t->operational)
		return entry_attr(e, id);
	/* The root DSE lists its own (the daemon's rootdse.c), but for its
	 * entryDN: the empty DN, as RFC 5020 gives every entry its DN. */
	if (e->kind == ENTRY_ROOTDSE && id != ATTR_ENTRYDN)
		return NULL;
	switch (id) {
	case ATTR_STRUCTURAL:
		v = structural[e->kind];
		break;
	case ATTR_ENTRYDN:
		v = (const char **)&e->dn;
		break;
	case ATTR_SUBSCHEMA:
		v = subschema;
		break;
	case ATTR_HASSUBORDINATES:
		v = e->kind == ENTRY_COUNTRY || (e->kind == ENTRY_BASE && e->subordinates) ? yes
		                                                                           : no;
		same = true;
		break;
	default:
		return NULL;
	}
	if (v[0] == NULL || (!same && v[1] == NULL))
		return NULL;
	slot->attr.id = (uint8_t)id;
	slot->attr.same_norm = same;
	slot->attr.count = 1;
	slot->attr.raw = v;
	return &slot->attr;
}
