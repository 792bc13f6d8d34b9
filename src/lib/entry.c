/* entry.c - reading an entry's attributes: the stored ones, and the
 * operational ones computed from the entry, see entry.h. */
#include "config.h"

#include <string.h>

#include "entry.h"

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
		enum attr_id m = e->attrs[mid].type->id;

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
	 * its normal form (as attr_normalize gives it). The raw values live
	 * as long as the entry (its DN) or the program (the rest), so that
	 * pocdir_entry_get can hand them out. */
	static const char *const structural[][2] = {
	    [ENTRY_CONTACT] = {"inetOrgPerson", "inetorgperson"},
	    [ENTRY_COUNTRY] = {"country", "country"},
	    [ENTRY_BASE] = {"organization", "organization"},
	    [ENTRY_ROOTDSE] = {NULL, NULL},
	    [ENTRY_SUBSCHEMA] = {"subentry", "subentry"},
	};
	static const char *const subschema[] = {"cn=Subschema"};
	static const char *const yes[] = {"TRUE"}, *const no[] = {"FALSE"};
	const struct attr_type *t = attr_by_id(id);
	const char *const *raw;
	const char *norm;

	if (t == NULL || !t->operational)
		return entry_attr(e, id);
	/* The root DSE lists its own (the daemon's rootdse.c), but for its
	 * entryDN: the empty DN, as RFC 5020 gives every entry its DN. */
	if (e->kind == ENTRY_ROOTDSE && id != ATTR_ENTRYDN)
		return NULL;
	switch (id) {
	case ATTR_STRUCTURAL:
		raw = &structural[e->kind][0];
		norm = structural[e->kind][1];
		break;
	case ATTR_ENTRYDN:
		raw = (const char *const *)&e->dn;
		norm = e->dn_norm;
		break;
	case ATTR_SUBSCHEMA:
		raw = subschema;
		norm = "cn=subschema";
		break;
	case ATTR_HASSUBORDINATES:
		raw = e->kind == ENTRY_COUNTRY || (e->kind == ENTRY_BASE && e->subordinates) ? yes
		                                                                             : no;
		norm = raw[0];
		break;
	default:
		return NULL;
	}
	if (raw[0] == NULL || norm == NULL)
		return NULL;
	slot->value.raw = (char *)raw[0];
	slot->value.norm = (char *)norm;
	slot->attr.type = t;
	slot->attr.count = 1;
	slot->attr.values = &slot->value;
	slot->attr.raw = (const char **)raw;
	return &slot->attr;
}
