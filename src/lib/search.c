/* search.c - answering filters and queries from a snapshot. The planner
 * turns the indexed parts of a filter (equality on uid, c, pocRole, o, mail;
 * AND of them; OR of indexable parts) into a candidate list, so that only
 * candidates are evaluated; everything else falls back to a scan. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "search.h"
#include "util.h"

/* A candidate list: ids ascending; all = every contact. */
struct cand {
	bool all;
	uint32_t *ids;
	size_t count;
};

static const struct index *index_for(const struct store *s, enum attr_id id)
{
	switch (id) {
	case ATTR_UID:
		return s->by_id;
	case ATTR_C:
		return s->by_country;
	case ATTR_ROLE:
		return s->by_role;
	case ATTR_O:
		return s->by_agency;
	case ATTR_MAIL:
		return s->by_mail;
	default:
		return NULL;
	}
}

static int cand_copy(struct cand *c, const struct idlist *l)
{
	c->all = false;
	c->count = l != NULL ? l->count : 0;
	c->ids = malloc((c->count + 1) * sizeof(uint32_t));
	if (c->ids == NULL)
		return -1;
	if (c->count > 0)
		memcpy(c->ids, l->ids, c->count * sizeof(uint32_t));
	return 0;
}

static int cand_union(struct cand *a, const struct cand *b)
{
	uint32_t *out = malloc((a->count + b->count + 1) * sizeof(uint32_t));
	size_t i = 0, j = 0, n = 0;

	if (out == NULL)
		return -1;
	while (i < a->count || j < b->count) {
		if (j >= b->count || (i < a->count && a->ids[i] < b->ids[j]))
			out[n++] = a->ids[i++];
		else if (i >= a->count || b->ids[j] < a->ids[i])
			out[n++] = b->ids[j++];
		else {
			out[n++] = a->ids[i++];
			j++;
		}
	}
	free(a->ids);
	a->ids = out;
	a->count = n;
	return 0;
}

/* Candidates for f. A filter part that no index serves gives all = true,
 * which is always safe: evaluation decides in the end. */
static int plan(const struct store *s, const struct filter *f, struct cand *c)
{
	memset(c, 0, sizeof(*c));
	switch (f->choice) {
	case FILTER_EQUALITY: {
		const struct index *ix = f->attr != NULL ? index_for(s, f->attr->id) : NULL;

		if (ix == NULL || f->u.ava.norm == NULL)
			break;
		if (f->attr->id == ATTR_C) {
			/* The country index is keyed by the upper-case code. */
			char *key = str_upper(f->u.ava.norm);
			int rc;

			if (key == NULL)
				return -1;
			rc = cand_copy(c, store_index_get(ix, key));
			free(key);
			return rc;
		}
		return cand_copy(c, store_index_get(ix, f->u.ava.norm));
	}
	case FILTER_SUBSTRINGS: {
		/* An initial part narrows through the sorted values. sn is always
		 * cn in a pocdir entry (the loader derives it), so cn's serve. */
		const struct prefix *px = NULL;
		size_t len;

		if (f->attr == NULL || f->u.sub.initial == NULL)
			break;
		/* RFC 4518 2.6.1: an initial that ends in a space meets the
		 * value's own trailing space too ("park ji-hoon " matches
		 * "Park Ji-hoon"), and the sorted values are kept without it:
		 * narrow by what comes before the space. */
		len = strlen(f->u.sub.initial);
		while (len > 0 && f->u.sub.initial[len - 1] == ' ')
			len--;
		if (len == 0)
			break;
		if (f->attr->id == ATTR_CN || f->attr->id == ATTR_SN)
			px = s->by_cn_prefix;
		else if (f->attr->id == ATTR_MAIL)
			px = s->by_mail_prefix;
		if (px == NULL)
			break;
		c->all = false;
		return store_prefix_ids(px, f->u.sub.initial, len, &c->ids, &c->count);
	}
	case FILTER_AND: {
		bool have = false;

		for (size_t i = 0; i < f->u.set.count; i++) {
			struct cand sub;

			if (plan(s, f->u.set.children[i], &sub) == -1)
				goto fail_and;
			if (sub.all)
				continue;
			if (!have) {
				*c = sub;
				have = true;
			} else {
				c->count =
				    idlist_intersect(c->ids, c->count, sub.ids, sub.count, c->ids);
				free(sub.ids);
			}
			if (c->count == 0)
				break;
		}
		if (have)
			return 0;
		break;
	fail_and:
		free(c->ids);
		return -1;
	}
	case FILTER_OR: {
		/* The union of the children's candidates; one child that no
		 * index serves makes the whole OR a scan. */
		if (f->u.set.count == 0)
			return cand_copy(c, NULL); /* RFC 4526: (|) is always FALSE */
		for (size_t i = 0; i < f->u.set.count; i++) {
			struct cand sub;
			int rc;

			if (plan(s, f->u.set.children[i], &sub) == -1) {
				free(c->ids);
				return -1;
			}
			if (sub.all) {
				free(c->ids);
				memset(c, 0, sizeof(*c));
				c->all = true;
				return 0;
			}
			rc = cand_union(c, &sub);
			free(sub.ids);
			if (rc == -1) {
				free(c->ids);
				return -1;
			}
		}
		return 0;
	}
	default:
		break;
	}
	c->all = true;
	return 0;
}

int search_plan(const struct store *s, const struct filter *f, uint32_t **ids, size_t *count,
                bool *all, pocdir_error *err)
{
	struct cand c;

	if (plan(s, f, &c) == -1)
		return error_set(err, POCDIR_ERR_SYSTEM, "out of memory");
	*all = c.all;
	*ids = c.ids;
	*count = c.count;
	return 0;
}

int search_filter(const struct store *s, const struct filter *f, uint32_t **ids, size_t *count,
                  pocdir_error *err)
{
	struct cand c;
	size_t n = 0, total;
	uint32_t *out;

	*ids = NULL;
	*count = 0;
	if (plan(s, f, &c) == -1)
		return error_set(err, POCDIR_ERR_SYSTEM, "out of memory");
	total = c.all ? s->nentries : c.count;
	out = malloc((total + 1) * sizeof(uint32_t));
	if (out == NULL) {
		free(c.ids);
		return error_set(err, POCDIR_ERR_SYSTEM, "out of memory");
	}
	for (size_t i = 0; i < total; i++) {
		uint32_t id = c.all ? (uint32_t)i : c.ids[i];

		if (filter_eval(f, s->entries[id]) == TRI_TRUE)
			out[n++] = id;
	}
	free(c.ids);
	*ids = out;
	*count = n;
	return 0;
}

/* Narrow c (or start it) with list l. */
static int narrow(struct cand *c, bool *have, const struct idlist *l)
{
	if (!*have) {
		*have = true;
		return cand_copy(c, l);
	}
	c->count = l == NULL ? 0 : idlist_intersect(c->ids, c->count, l->ids, l->count, c->ids);
	return 0;
}

int search_query(const struct store *s, const pocdir_query *q, uint32_t **ids, size_t *count,
                 pocdir_error *err)
{
	struct cand c = {0};
	bool have = false;
	char *key = NULL;

	*ids = NULL;
	*count = 0;
	if (q->country != NULL && q->role != NULL && q->agency == NULL && q->id == NULL) {
		/* The everyday question has an index of its own. */
		char *role = attr_normalize(MATCH_CASE_IGNORE, q->role, strlen(q->role), NULL);
		size_t n = strlen(q->country) + (role != NULL ? strlen(role) : 0) + 2;

		if (role == NULL || (key = malloc(n)) == NULL) {
			free(role);
			goto oom;
		}
		snprintf(key, n, "%s/%s", q->country, role);
		free(role);
		for (char *p = key; *p != '/'; p++)
			if (*p >= 'a' && *p <= 'z')
				*p = (char)(*p - 'a' + 'A');
		if (cand_copy(&c, store_index_get(s->by_country_role, key)) == -1)
			goto oom;
		free(key);
		*ids = c.ids;
		*count = c.count;
		return 0;
	}
	if (q->country != NULL) {
		if ((key = str_upper(q->country)) == NULL ||
		    narrow(&c, &have, store_index_get(s->by_country, key)) == -1)
			goto oom;
		free(key);
		key = NULL;
	}
	if (q->role != NULL) {
		if ((key = attr_normalize(MATCH_CASE_IGNORE, q->role, strlen(q->role), NULL)) ==
		        NULL ||
		    narrow(&c, &have, store_index_get(s->by_role, key)) == -1)
			goto oom;
		free(key);
		key = NULL;
	}
	if (q->id != NULL) {
		if ((key = attr_normalize(MATCH_CASE_IGNORE, q->id, strlen(q->id), NULL)) == NULL ||
		    narrow(&c, &have, store_index_get(s->by_id, key)) == -1)
			goto oom;
		free(key);
		key = NULL;
	}
	if (q->agency != NULL) {
		/* A substring of the agency: scan the distinct agency names (a few
		 * hundred even in a large directory), not the entries. */
		struct cand any = {0};
		const char *name;
		const struct idlist *l;

		if ((key = attr_normalize(MATCH_CASE_IGNORE, q->agency, strlen(q->agency), NULL)) ==
		    NULL)
			goto oom;
		for (size_t i = 0; store_index_at(s->by_agency, i, &name, &l); i++) {
			struct cand one;

			if (strstr(name, key) == NULL)
				continue;
			if (cand_copy(&one, l) == -1 || cand_union(&any, &one) == -1) {
				free(one.ids);
				free(any.ids);
				goto oom;
			}
			free(one.ids);
		}
		free(key);
		key = NULL;
		if (!have) {
			c = any;
			have = true;
		} else {
			c.count = idlist_intersect(c.ids, c.count, any.ids, any.count, c.ids);
			free(any.ids);
		}
	}
	if (!have) {
		/* No criteria: every contact. */
		c.ids = malloc((s->nentries + 1) * sizeof(uint32_t));
		if (c.ids == NULL)
			goto oom;
		for (size_t i = 0; i < s->nentries; i++)
			c.ids[i] = (uint32_t)i;
		c.count = s->nentries;
	}
	*ids = c.ids;
	*count = c.count;
	return 0;
oom:
	free(key);
	free(c.ids);
	return error_set(err, POCDIR_ERR_SYSTEM, "out of memory");
}
