/* ldap_search.c - the Search operation (RFC 4511 4.5): resolve the base,
 * walk the scope in store order, evaluate the filter, send entries in
 * bounded batches so that one large answer never holds up other clients,
 * and keep paged searches (RFC 2696) between pages. Compare lives here too,
 * as it shares the base resolution and the access rules. */
#include "config.h"

#include <ldap.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "pocdird.h"
#include "search.h"
#include "util.h"

#define MAX_REQUESTED_ATTRS 256
#define MAX_DN 1024
#define EVALS_PER_TURN 4096

enum target { TARGET_ROOTDSE, TARGET_SUBSCHEMA, TARGET_BASE, TARGET_COUNTRY, TARGET_CONTACT };
enum phase { PHASE_SPECIAL, PHASE_BASE, PHASE_COUNTRIES, PHASE_CONTACTS, PHASE_DONE };

/* Operational attributes every entry has (RFC 4512 3.4, RFC 5020). */
struct selection {
	bool all_user, all_oper, none;
	bool want[ATTR_COUNT]; /* user and operational attributes asked for by name */
	char **names;          /* every requested name, for the special entries */
	size_t nnames;
};

/* A search between turns. Running (in conn->searches) it owns the request
 * it answers; a paged search waiting for its next page (in conn->pages) has
 * none until that page's request takes it up. */
struct search {
	struct search *next;
	struct request *req;
	ber_int_t msgid;
	uint64_t cookie;
	struct store *store;
	struct filter *filter;
	bool hidden[ATTR_COUNT];
	struct selection sel;
	bool types_only;
	enum target target;
	enum phase phase;
	size_t pos;                    /* within the phase */
	size_t country_lo, country_hi; /* store->countries range in scope */
	size_t contact_lo, contact_hi; /* store->entries range in scope */
	uint32_t *cand;                /* planner's candidates, or NULL for all */
	size_t ncand;
	bool cand_all;
	unsigned long sent, size_limit; /* size_limit 0: none */
	bool size_limit_is_server;
	double deadline;
	bool paged;
	unsigned long page_size, page_sent;
	double started;
	bool sync;         /* RFC 4533 refreshOnly: entries carry a Sync State control */
	char sync_csn[64]; /* the CSN of the directory version being sent */
	bool sync_current; /* the consumer holds that version already */
};

static void send_done(struct conn *c, struct search *s, int rc, const char *text);

static void selection_clear(struct selection *sel)
{
	for (size_t i = 0; i < sel->nnames; i++)
		free(sel->names[i]);
	free(sel->names);
	memset(sel, 0, sizeof(*sel));
}

/* Paged searches alive in the whole server: each may hold a candidate list
 * as long as its client likes, so their number is capped. */
static unsigned pages_total;

static void search_free(struct search *s)
{
	if (s == NULL)
		return;
	if (s->paged)
		pages_total--;
	request_free(&s->req); /* abandoned or its connection gone: no answer */
	store_unref(&s->store);
	filter_free(&s->filter);
	free(s->cand);
	selection_clear(&s->sel);
	free(s);
}

static void list_remove(struct search **head, struct search *s)
{
	for (struct search **p = head; *p != NULL; p = &(*p)->next)
		if (*p == s) {
			*p = s->next;
			s->next = NULL;
			return;
		}
}

void search_free_all(struct conn *c)
{
	while (c->searches != NULL) {
		struct search *s = c->searches;

		c->searches = s->next;
		search_free(s);
	}
	while (c->pages != NULL) {
		struct search *s = c->pages;

		c->pages = s->next;
		search_free(s);
	}
	c->nsearches = 0;
	c->npages = 0;
}

bool search_runnable(struct conn *c)
{
	return c->searches != NULL;
}

static void search_finish(struct conn *c, struct search *s)
{
	list_remove(&c->searches, s);
	c->nsearches--;
	search_free(s);
}

void search_expire(struct conn *c, double now)
{
	struct search *s = c->searches, *next;

	/* A search paused on a client that does not read still ends at its
	 * time limit (RFC 4511 4.5.1.5), and lets go of its snapshot. */
	for (; s != NULL; s = next) {
		next = s->next;
		if (now > s->deadline) {
			send_done(c, s, LDAP_TIMELIMIT_EXCEEDED, NULL);
			search_finish(c, s);
		}
	}
	/* A paged search whose next page was not asked for in time is
	 * forgotten; its cookie then gets "unknown cookie" (RFC 2696 allows
	 * the server to end a paged search). */
	for (s = c->pages; s != NULL; s = next) {
		next = s->next;
		if (now > s->deadline) {
			log_debug("conn %llu: paged search %d expired (paged-search-timeout)",
			          (unsigned long long)c->id, s->msgid);
			list_remove(&c->pages, s);
			c->npages--;
			search_free(s);
		}
	}
}

void search_abandon(struct conn *c, ber_int_t msgid)
{
	for (struct search *s = c->searches; s != NULL; s = s->next)
		if (s->msgid == msgid) {
			log_debug("conn %llu op %d: search abandoned after %lu entries",
			          (unsigned long long)c->id, msgid, s->sent);
			search_finish(c, s);
			return;
		}
}

/* ---- requested attributes ---- */

/* RFC 4511 4.5.1.8: no names = all user attributes; "*" all user, "+" all
 * operational (RFC 3673), "1.1" alone = none. */
static int selection_read(BerElement *ber, struct selection *sel)
{
	ber_tag_t tag;
	ber_len_t len;
	char *last;
	size_t n = 0;

	if (ber_peek_tag(ber, &len) != LBER_SEQUENCE)
		return -1;
	sel->names = calloc(MAX_REQUESTED_ATTRS, sizeof(char *));
	if (sel->names == NULL)
		return -1;
	for (tag = ber_first_element(ber, &len, &last); tag != LBER_DEFAULT;
	     tag = ber_next_element(ber, &len, last)) {
		struct berval bv;
		const struct attr_type *t;

		if (tag != LBER_OCTETSTRING || ber_scanf(ber, "m", &bv) == LBER_ERROR)
			return -1;
		if (n == MAX_REQUESTED_ATTRS || bv.bv_len > 256)
			continue; /* beyond the limit: ignored, like unknown names */
		sel->names[sel->nnames] = str_ndup(bv.bv_val, bv.bv_len);
		if (sel->names[sel->nnames] == NULL)
			return -1;
		sel->nnames++;
		n++;
		if (strcmp(bv.bv_val, "*") == 0)
			sel->all_user = true;
		else if (strcmp(bv.bv_val, "+") == 0)
			sel->all_oper = true;
		else if (strcmp(bv.bv_val, "1.1") == 0)
			;
		else if ((t = attr_lookup_any(bv.bv_val, bv.bv_len)) != NULL)
			/* RFC 4511 4.5.1.8: a type's subtypes are asked for too. */
			for (int id = 0; id < ATTR_COUNT; id++)
				sel->want[id] |= attr_covers(t, attr_by_id((enum attr_id)id));
	}
	if (tag != LBER_DEFAULT)
		return -1;
	if (n == 0)
		sel->all_user = true;
	else if (n == 1 && strcmp(sel->names[0], "1.1") == 0)
		sel->none = true;
	return 0;
}

/* Was name asked for, by that name or another of its type's (an alias or
 * the OID), or by a supertype's (RFC 4511 4.5.1.8)? */
static bool selection_has_name(const struct selection *sel, const char *name)
{
	const struct attr_type *t = attr_lookup(name, strlen(name));

	for (size_t i = 0; i < sel->nnames; i++)
		if (strcasecmp(sel->names[i], name) == 0 ||
		    (t != NULL &&
		     attr_covers(attr_lookup_any(sel->names[i], strlen(sel->names[i])), t)))
			return true;
	return false;
}

/* ---- access ---- */

/* The attributes c may not read. Its filters are restricted to the rest
 * (filter_restrict), so that no evaluation path, typeless extensible and
 * dnAttributes included, lets anonymous clients probe hidden values. */
static void access_hidden(const struct conn *c, bool *hidden)
{
	const struct config *cfg = server_config();

	for (int i = 0; i < ATTR_COUNT; i++)
		hidden[i] = c->bound_dn == NULL && cfg->hidden[i];
}

/* ---- entries out ---- */

static bool send_values(BerElement *ber, const char *name, const char *const *values, size_t count,
                        bool types_only)
{
	if (ber_printf(ber, "{s[", name) == -1)
		return false;
	if (!types_only)
		for (size_t i = 0; i < count; i++)
			if (ber_printf(ber, "s", values[i]) == -1)
				return false;
	return ber_printf(ber, "]}") != -1;
}

/* The operational attributes of the table (RFC 4512 3.4), with "+" (RFC
 * 3673) or by name, from the values filters and Compare see. */
static bool send_operational(BerElement *ber, const struct search *s, const entry_t *e)
{
	if (s->sel.none)
		return true;
	for (int id = 0; id < ATTR_COUNT; id++) {
		const struct attr_type *t = attr_by_id((enum attr_id)id);
		const struct entry_attr *a;
		struct entry_slot slot;

		if (!t->operational || s->hidden[id] || !(s->sel.all_oper || s->sel.want[id]))
			continue;
		if ((a = entry_values(e, t->id, &slot)) != NULL &&
		    !send_values(ber, t->name, a->raw, a->count, s->types_only))
			return false;
	}
	return true;
}

/* ---- content synchronization (RFC 4533), refreshOnly ---- */

/* The CSN standing for the directory version: slapd's consumers compare
 * cookies as CSNs (YYYYmmddHHMMSS.uuuuuuZ#count#sid#mod) and only apply a
 * refresh whose CSN is newer than the one they hold, so each version seen
 * gets the time it was first served, strictly increasing. */
static pthread_mutex_t sync_lock = PTHREAD_MUTEX_INITIALIZER;
static char sync_version[65], sync_last_csn[64];
static long long sync_last_us; /* microseconds since the epoch of sync_last_csn */

static void sync_csn(const struct store *st, char out[64])
{
	pthread_mutex_lock(&sync_lock);
	if (strcmp(st->version, sync_version) != 0) {
		struct timespec ts;
		struct tm tm;
		time_t sec;
		char day[32];
		long long us;

		clock_gettime(CLOCK_REALTIME, &ts);
		us = (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
		if (us <= sync_last_us)
			us = sync_last_us + 1; /* the clock went back: keep the order */
		sync_last_us = us;
		sec = (time_t)(us / 1000000);
		gmtime_r(&sec, &tm);
		strftime(day, sizeof(day), "%Y%m%d%H%M%S", &tm);
		snprintf(sync_last_csn, sizeof(sync_last_csn), "%.14s.%06lldZ#000000#000#000000",
		         day, us % 1000000);
		snprintf(sync_version, sizeof(sync_version), "%s", st->version);
	}
	memcpy(out, sync_last_csn, 64);
	pthread_mutex_unlock(&sync_lock);
}

/* Controls [0] of a SearchResultEntry under sync: RFC 4533 2.3 syncStateValue
 * ::= SEQUENCE { state ENUMERATED, entryUUID syncUUID, cookie OPTIONAL }.
 * Every entry is sent as "add" (refreshOnly in the present phase); its UUID
 * is named after its DN, so it is the same in every refresh. */
static bool send_sync_state(BerElement *ber, const struct search *s, const char *dn)
{
	BerElement *v;
	struct berval bv;
	unsigned char uuid[16];
	bool ok;

	if (!s->sync)
		return true;
	if ((v = ber_alloc_t(LBER_USE_DER)) == NULL)
		return false;
	util_name_uuid(dn, uuid);
	ok = ber_printf(v, "{eo}", (ber_int_t)LDAP_SYNC_ADD, (char *)uuid, (ber_len_t)16) != -1 &&
	     ber_flatten2(v, &bv, 0) != -1 &&
	     ber_printf(ber, "t{{sO}}", LDAP_TAG_CONTROLS, LDAP_CONTROL_SYNC_STATE, &bv) != -1;
	ber_free(v, 1);
	return ok;
}

static bool send_entry(struct conn *c, struct search *s, const entry_t *e)
{
	BerElement *ber = ber_alloc_t(LBER_USE_DER);

	if (ber == NULL)
		return false;
	if (ber_printf(ber, "{it{s{", s->msgid, LDAP_RES_SEARCH_ENTRY, e->dn) == -1)
		goto fail;
	if (!s->sel.none) {
		for (size_t i = 0; i < e->nattrs; i++) {
			const struct entry_attr *a = &e->attrs[i];
			enum attr_id id = a->id;

			if (s->hidden[id] || !(s->sel.all_user || s->sel.want[id]))
				continue;
			if (!send_values(ber, entry_attr_type(a)->name, a->raw, a->count,
			                 s->types_only))
				goto fail;
		}
	}
	if (!send_operational(ber, s, e))
		goto fail;
	if (ber_printf(ber, "}}") == -1 || !send_sync_state(ber, s, e->dn) ||
	    ber_printf(ber, "}") == -1)
		goto fail;
	return conn_queue_ber(c, ber);
fail:
	ber_free(ber, 1);
	return false;
}

/* The base entry, the root DSE and the subschema subentry come from tables. */
static bool send_special(struct conn *c, struct search *s, const entry_t *e,
                         const struct special_attr *attrs, bool rootdse)
{
	BerElement *ber = ber_alloc_t(LBER_USE_DER);

	if (ber == NULL)
		return false;
	if (ber_printf(ber, "{it{s{", s->msgid, LDAP_RES_SEARCH_ENTRY, e->dn) == -1)
		goto fail;
	for (const struct special_attr *a = attrs; !s->sel.none && a->name != NULL; a++) {
		/* Root DSE attributes come with "*" or "+" alike: clients ask
		 * either way for them (RFC 4512 5.1 lists them as operational). */
		bool want = a->operational ? s->sel.all_oper
		                           : s->sel.all_user || (rootdse && s->sel.all_oper);

		if (!want && !selection_has_name(&s->sel, a->name))
			continue;
		if (!send_values(ber, a->name, a->values, a->count, s->types_only))
			goto fail;
	}
	if (!send_operational(ber, s, e))
		goto fail;
	if (ber_printf(ber, "}}") == -1 || !send_sync_state(ber, s, e->dn) ||
	    ber_printf(ber, "}") == -1)
		goto fail;
	return conn_queue_ber(c, ber);
fail:
	ber_free(ber, 1);
	return false;
}

/* Make req the SearchResultDone of s with rc: the paged results response
 * control when paged, the Sync Done control after a refresh. Returns the
 * result code to answer with: rc, or LDAP_OTHER when out of memory. */
static int search_result(struct conn *c, struct search *s, struct request *req, int rc)
{
	BerElement *value = NULL;

	if (s->paged) {
		/* RFC 2696: size is an estimate (0 = unknown); an empty cookie
		 * ends the paged search. */
		unsigned char cookie[8];
		ber_len_t clen = 0;

		if (rc == LDAP_SUCCESS && s->cookie != 0) {
			for (int i = 0; i < 8; i++)
				cookie[i] = (unsigned char)(s->cookie >> (56 - 8 * i));
			clen = sizeof(cookie);
		}
		if ((value = ber_alloc_t(LBER_USE_DER)) == NULL ||
		    ber_printf(value, "{io}", (ber_int_t)0, (char *)cookie, clen) == -1)
			goto fail;
		req->control_oid = LDAP_CONTROL_PAGEDRESULTS;
	} else if (s->sync && rc == LDAP_SUCCESS) {
		/* RFC 4533 2.4: syncDoneValue ::= SEQUENCE { cookie OPTIONAL,
		 * refreshDeletes BOOLEAN DEFAULT FALSE }. With no entries sent
		 * (the consumer is current) refreshDeletes says "nothing was
		 * deleted" (3.3.1); after a full refresh FALSE makes the consumer
		 * drop what was not sent (the present phase, 3.3.2). */
		char cookie[80];

		snprintf(cookie, sizeof(cookie), "csn=%s", s->sync_csn);
		if ((value = ber_alloc_t(LBER_USE_DER)) == NULL ||
		    ber_printf(value, "{s", cookie) == -1 ||
		    (s->sync_current && ber_printf(value, "b", (ber_int_t)1) == -1) ||
		    ber_printf(value, "}") == -1)
			goto fail;
		req->control_oid = LDAP_CONTROL_SYNC_DONE;
	}
	if (value != NULL) {
		if (ber_flatten2(value, &req->control_value, 1) == -1)
			goto fail;
		ber_free(value, 1);
	}
	if (log_enabled(LOG_LEVEL_DEBUG))
		log_debug("conn %llu op %d: search done, result %d, %lu entries, %.1f ms",
		          (unsigned long long)c->id, req->msgid, rc, s->sent,
		          (now_monotonic() - s->started) * 1000);
	return rc;
fail:
	if (value != NULL)
		ber_free(value, 1);
	req->control_oid = NULL;
	req->text = "out of memory";
	return LDAP_OTHER;
}

/* End s's request with rc (and text, static): s no longer owns it. */
static void send_done(struct conn *c, struct search *s, int rc, const char *text)
{
	s->req->text = text;
	rc = search_result(c, s, s->req, rc);
	ldape_respond(&s->req, rc);
}

/* ---- where to look ---- */

/* Strip the leftmost RDN of a normalised DN; NULL when none is left. */
static const char *dn_parent(const char *dn)
{
	for (const char *p = dn; *p != '\0'; p++) {
		if (*p == '\\' && p[1] != '\0')
			p++;
		else if (*p == ',')
			return p + 1;
	}
	return NULL;
}

/* The contacts of country cc are one run of store->entries (sorted by
 * country, then id). */
static void country_range(const struct store *st, const char *cc, size_t *lo, size_t *hi)
{
	size_t a = 0, b = st->nentries;

	while (a < b) {
		size_t m = a + (b - a) / 2;

		if (strcmp(st->entries[m]->country, cc) < 0)
			a = m + 1;
		else
			b = m;
	}
	*lo = a;
	b = st->nentries;
	while (a < b) {
		size_t m = a + (b - a) / 2;

		if (strcmp(st->entries[m]->country, cc) <= 0)
			a = m + 1;
		else
			b = m;
	}
	*hi = a;
}

struct resolved {
	enum target target;
	const entry_t *entry;
	size_t index; /* in countries or entries */
};

/* Find dn. Returns 0; -1 with matched set to the longest existing superior
 * (RFC 4511 4.1.9, a string owned by the store or static); -2 when dn is not
 * a DN (invalidDNSyntax). */
static int resolve(const struct store *st, const char *dn, struct resolved *r, const char **matched)
{
	char *norm;
	const char *p;

	*matched = "";
	if (dn[0] == '\0') {
		r->target = TARGET_ROOTDSE;
		return 0;
	}
	/* Most searches name the base as configured: equal but for ASCII case
	 * means equal once normalised, without the cost of normalising. */
	if (strcasecmp(dn, st->base_dn) == 0) {
		r->target = TARGET_BASE;
		return 0;
	}
	norm = dn_normalize(dn, strlen(dn));
	if (norm == NULL)
		return -2; /* not a DN at all */
	if (strcmp(norm, "cn=subschema") == 0) {
		r->target = TARGET_SUBSCHEMA;
		free(norm);
		return 0;
	}
	if (strcmp(norm, st->base_norm) == 0) {
		r->target = TARGET_BASE;
		free(norm);
		return 0;
	}
	r->entry = store_find_dn(st, dn);
	if (r->entry != NULL) {
		if (r->entry->kind == ENTRY_COUNTRY) {
			r->target = TARGET_COUNTRY;
			for (size_t i = 0; i < st->ncountries; i++)
				if (st->countries[i] == r->entry)
					r->index = i;
		} else {
			size_t lo, hi;

			r->target = TARGET_CONTACT;
			country_range(st, r->entry->country, &lo, &hi);
			for (size_t i = lo; i < hi; i++)
				if (st->entries[i] == r->entry)
					r->index = i;
		}
		free(norm);
		return 0;
	}
	for (p = dn_parent(norm); p != NULL; p = dn_parent(p)) {
		const entry_t *e;

		if (strcmp(p, st->base_norm) == 0) {
			*matched = st->base_dn;
			break;
		}
		e = store_find_dn(st, p);
		if (e != NULL) {
			*matched = e->dn;
			break;
		}
	}
	free(norm);
	return -1;
}

/* Set up the phases for scope (RFC 4511 4.5.1.2). */
static void plan_scope(struct search *s, const struct resolved *r, int scope)
{
	const struct store *st = s->store;

	s->phase = PHASE_DONE;
	s->country_lo = s->country_hi = 0;
	s->contact_lo = s->contact_hi = 0;
	switch (r->target) {
	case TARGET_ROOTDSE:
	case TARGET_SUBSCHEMA:
		if (scope == LDAP_SCOPE_BASE)
			s->phase = PHASE_SPECIAL;
		break;
	case TARGET_BASE:
		if (scope == LDAP_SCOPE_BASE || scope == LDAP_SCOPE_SUBTREE)
			s->phase = PHASE_BASE;
		else
			s->phase = PHASE_COUNTRIES;
		if (scope != LDAP_SCOPE_BASE) {
			s->country_hi = st->ncountries;
			if (scope == LDAP_SCOPE_SUBTREE || scope == LDAP_SCOPE_CHILDREN)
				s->contact_hi = st->nentries;
		}
		break;
	case TARGET_COUNTRY:
		/* children: what onelevel gives, the tree being two deep. */
		if (scope != LDAP_SCOPE_ONELEVEL && scope != LDAP_SCOPE_CHILDREN) {
			s->phase = PHASE_COUNTRIES;
			s->country_lo = r->index;
			s->country_hi = r->index + 1;
		} else {
			s->phase = PHASE_CONTACTS;
		}
		if (scope != LDAP_SCOPE_BASE)
			country_range(st, st->countries[r->index]->country, &s->contact_lo,
			              &s->contact_hi);
		break;
	case TARGET_CONTACT:
		if (scope == LDAP_SCOPE_BASE || scope == LDAP_SCOPE_SUBTREE) {
			s->phase = PHASE_CONTACTS;
			s->contact_lo = r->index;
			s->contact_hi = r->index + 1;
		}
		break;
	}
	s->pos = s->phase == PHASE_COUNTRIES ? s->country_lo : 0;
}

/* Can f be TRUE for an entry that has no attributes but those in `has`?
 * Country entries hold objectClass and c only, so a filter like
 * (&(c=KR)(uid=krcert)) need not be evaluated against each of them. A
 * conservative answer: true unless an item is certainly not TRUE. */
static bool filter_may_match(const struct filter *f, const bool *has)
{
	switch (f->choice) {
	case FILTER_AND:
		for (size_t i = 0; i < f->u.set.count; i++)
			if (!filter_may_match(f->u.set.children[i], has))
				return false;
		return true;
	case FILTER_OR:
		for (size_t i = 0; i < f->u.set.count; i++)
			if (filter_may_match(f->u.set.children[i], has))
				return true;
		return false;
	case FILTER_NOT:
	case FILTER_EXTENSIBLE: /* dnAttributes may match the DN itself */
		return true;
	default:
		/* An unknown attribute is Undefined, an absent one FALSE; the
		 * operational ones every entry has may match. */
		if (f->attr == NULL)
			return false;
		if (f->attr->id >= ATTR_COUNT)
			return true; /* a supertype: which subtypes, the entry says */
		return f->attr->operational || has[f->attr->id];
	}
}

/* ---- running ---- */

/* Account for one matching entry: may end the search (s is freed) or the
 * page (s moves to the paged list, to resume at pos in phase). */
static bool may_send(struct conn *c, struct search *s, size_t pos, enum phase phase)
{
	if (s->size_limit != 0 && s->sent >= s->size_limit) {
		/* RFC 4511 4.5.1.4: the entries so far, then sizeLimitExceeded. */
		send_done(c, s, LDAP_SIZELIMIT_EXCEEDED,
		          s->size_limit_is_server ? "more entries than max-results; use paged "
		                                    "results"
		                                  : NULL);
		search_finish(c, s);
		return false;
	}
	if (s->paged && s->page_sent >= s->page_size) {
		/* Another entry matches: end this page; the next one starts
		 * at this entry. */
		s->pos = pos;
		s->phase = phase;
		list_remove(&c->searches, s);
		c->nsearches--;
		s->next = c->pages;
		c->pages = s;
		c->npages++;
		/* While it waits, it holds its candidates and a snapshot: not
		 * for longer than paged-search-timeout. */
		s->deadline = now_monotonic() + server_config()->limits.page_timeout;
		send_done(c, s, LDAP_SUCCESS, NULL);
		return false;
	}
	return true;
}

static const entry_t *next_candidate(struct search *s, bool *done)
{
	const struct store *st = s->store;

	*done = false;
	if (s->phase == PHASE_COUNTRIES) {
		if (s->pos < s->country_hi)
			return st->countries[s->pos++];
		s->phase = s->contact_hi > s->contact_lo ? PHASE_CONTACTS : PHASE_DONE;
		s->pos = 0;
	}
	if (s->phase == PHASE_CONTACTS) {
		if (s->cand_all) {
			if (s->pos < s->contact_lo)
				s->pos = s->contact_lo;
			if (s->pos < s->contact_hi)
				return st->entries[s->pos++];
		} else {
			while (s->pos < s->ncand && s->cand[s->pos] < s->contact_lo)
				s->pos++;
			if (s->pos < s->ncand && s->cand[s->pos] < s->contact_hi)
				return st->entries[s->cand[s->pos++]];
		}
		s->phase = PHASE_DONE;
	}
	*done = true;
	return NULL;
}

/* One turn: at most *budget entries sent (and taken from it) and
 * EVALS_PER_TURN evaluated. Returns true when the search is over (answered
 * and freed, or waiting for its next page). */
static bool search_step(struct conn *c, struct search *s, unsigned *budget)
{
	if (now_monotonic() > s->deadline) {
		send_done(c, s, LDAP_TIMELIMIT_EXCEEDED, NULL);
		search_finish(c, s);
		return true;
	}
	if (s->phase == PHASE_SPECIAL || s->phase == PHASE_BASE) {
		const struct special_attr *attrs;
		const entry_t *e;

		if (s->target == TARGET_ROOTDSE) {
			attrs = rootdse_attrs(s->store->base_dn);
			e = special_rootdse();
		} else if (s->target == TARGET_SUBSCHEMA) {
			attrs = schema_attrs();
			e = special_subschema();
		} else {
			attrs = base_attrs(s->store->base_dn);
			e = special_base(s->store->base_dn, s->store->ncountries > 0);
		}
		if (attrs == NULL || e == NULL) {
			send_done(c, s, LDAP_OTHER, "out of memory");
			search_finish(c, s);
			return true;
		}
		if (filter_eval(s->filter, e) == TRI_TRUE) {
			if (!may_send(c, s, s->pos, s->phase))
				return true;
			if (!send_special(c, s, e, attrs, s->target == TARGET_ROOTDSE))
				return true;
			s->sent++;
			s->page_sent++;
		}
		s->phase = s->phase == PHASE_BASE && s->country_hi > 0   ? PHASE_COUNTRIES
		           : s->phase == PHASE_BASE && s->contact_hi > 0 ? PHASE_CONTACTS
		                                                         : PHASE_DONE;
		s->pos = s->country_lo;
	}
	for (unsigned evals = 0; evals < EVALS_PER_TURN; evals++) {
		bool done;
		const entry_t *e;
		size_t pos;
		enum phase phase;

		if (*budget == 0 || conn_output_full(c))
			return false; /* yield: other clients get their turn */
		pos = s->pos;
		phase = s->phase;
		e = next_candidate(s, &done);
		if (done)
			break;
		if (filter_eval(s->filter, e) != TRI_TRUE)
			continue;
		if (!may_send(c, s, pos, phase))
			return true;
		if (!send_entry(c, s, e))
			return true;
		s->sent++;
		s->page_sent++;
		(*budget)--;
	}
	if (s->phase != PHASE_DONE)
		return false;
	if (s->paged)
		s->cookie = 0; /* the last page: an empty cookie */
	send_done(c, s, LDAP_SUCCESS, NULL);
	search_finish(c, s);
	return true;
}

void search_run(struct conn *c)
{
	unsigned budget = server_config()->limits.batch;
	unsigned n = c->nsearches;

	/* One turn: at most `batch` entries for this connection, shared round
	 * robin by its searches; small ones finish within it. */
	while (n-- > 0 && budget > 0 && c->searches != NULL && c->watch.fd >= 0 &&
	       !conn_output_full(c)) {
		struct search *s = c->searches;

		if (!search_step(c, s, &budget) && c->searches == s && s->next != NULL) {
			struct search **tail;

			c->searches = s->next;
			for (tail = &c->searches; *tail != NULL; tail = &(*tail)->next)
				;
			*tail = s;
			s->next = NULL;
		}
	}
}

/* ---- the request ---- */

static struct search *page_take(struct conn *c, const struct berval *cookie)
{
	uint64_t id = 0;

	if (cookie->bv_len != 8)
		return NULL;
	for (int i = 0; i < 8; i++)
		id = id << 8 | (unsigned char)cookie->bv_val[i];
	for (struct search *s = c->pages; s != NULL; s = s->next)
		if (s->cookie == id) {
			list_remove(&c->pages, s);
			c->npages--;
			return s;
		}
	return NULL;
}

static void page_limit(struct conn *c)
{
	unsigned max = server_config()->limits.max_pages;

	while (c->npages >= max && c->pages != NULL) {
		/* Forget the oldest paged search (the list tail). */
		struct search **p = &c->pages;

		while ((*p)->next != NULL)
			p = &(*p)->next;
		search_free(*p);
		*p = NULL;
		c->npages--;
	}
}

/* Run s, which takes req (it answers it when it ends). */
static void queue_search(struct conn *c, struct search *s, struct request *req)
{
	s->req = req;
	s->next = NULL;
	struct search **tail = &c->searches;

	while (*tail != NULL)
		tail = &(*tail)->next;
	*tail = s;
	c->nsearches++;
	/* Most searches are small: answer at once rather than in a later turn;
	 * what is left runs in the loop's next turns. */
	search_run(c);
	if (c->searches != NULL)
		conn_set_runnable(c, true);
}

/* The answer when dn did not resolve (resolve's rc, -1 or -2), matched
 * the longest existing superior: req carries a copy of it. */
static int resolve_failed(struct request *req, int rc, const char *matched)
{
	if (matched[0] != '\0')
		req->matched = str_dup(matched); /* no memory: "" is still true */
	req->text = rc == -2 ? "invalid DN" : "no such entry";
	return rc == -2 ? LDAP_INVALID_DN_SYNTAX : LDAP_NO_SUCH_OBJECT;
}

int search_start(struct request *req)
{
	struct conn *c = req->conn;
	const struct config *cfg = server_config();
	struct berval base;
	ber_int_t scope, deref, sizelimit, timelimit, typesonly;
	struct search *s = NULL;
	pocdir_error err;
	struct resolved r = {0};
	const char *matched;
	char basebuf[MAX_DN + 1];
	int rc;

	if (ber_scanf(req->ber, "{miiiib", &base, &scope, &deref, &sizelimit, &timelimit,
	              &typesonly) == LBER_ERROR) {
		req->text = "malformed search request";
		return LDAPE_DISCONNECT;
	}
	if (base.bv_len > MAX_DN) {
		req->text = "base DN too long";
		return LDAP_INVALID_DN_SYNTAX; /* the rest of the PDU is not needed */
	}
	memcpy(basebuf, base.bv_val, base.bv_len);
	basebuf[base.bv_len] = '\0';
	/* RFC 4511 4.5.1.2 has three scopes; subordinate (children, 3) is
	 * the extension slapd and ldapsearch -s children use. Anything else
	 * is a well-formed request with a bad value: protocolError, answered. */
	if (scope < LDAP_SCOPE_BASE || scope > LDAP_SCOPE_CHILDREN || deref < 0 || deref > 3 ||
	    sizelimit < 0 || timelimit < 0) {
		req->text = "bad search parameters: scope, deref or a limit out of range";
		return LDAP_PROTOCOL_ERROR;
	}
	s = calloc(1, sizeof(*s));
	if (s == NULL) {
		req->text = "out of memory";
		return LDAP_OTHER;
	}
	s->msgid = req->msgid;
	s->started = now_monotonic();
	s->filter = filter_from_ber(req->ber, &cfg->limits.filter, &err);
	if (s->filter == NULL) {
		if (err.code == POCDIR_ERR_LIMIT) {
			/* The request is well formed; it asks too much. */
			log_info("conn %llu op %d: filter refused: %s", (unsigned long long)c->id,
			         req->msgid, err.message);
			rc = LDAP_ADMINLIMIT_EXCEEDED;
		} else {
			rc = err.code == POCDIR_ERR_FILTER ? LDAPE_DISCONNECT : LDAP_OTHER;
		}
		search_free(s);
		return ldape_text_copy(req, rc, err.message);
	}
	if (selection_read(req->ber, &s->sel) == -1 || ber_scanf(req->ber, "}") == LBER_ERROR) {
		search_free(s);
		req->text = "malformed attribute list";
		return LDAPE_DISCONNECT;
	}
	if ((rc = ldape_controls(req)) != LDAP_SUCCESS) {
		search_free(s);
		return rc;
	}
	if (log_enabled(LOG_LEVEL_DEBUG)) {
		char text[512];

		log_debug("conn %llu op %d: search base=\"%s\" scope=%d filter=%s%s%s",
		          (unsigned long long)c->id, req->msgid, basebuf, scope,
		          filter_to_string(s->filter, text, sizeof(text)),
		          req->paged ? " paged" : "", c->bound_dn ? " (bound)" : "");
	}

	if (req->sync) {
		const char *why = req->paged ? "content synchronization takes no paged results"
		                  : req->sync_mode != LDAP_SYNC_REFRESH_ONLY
		                      ? "only refreshOnly content synchronization is served"
		                      : NULL;

		if (why != NULL) {
			/* RFC 4533 3.3: a mode the server does not offer. */
			search_free(s);
			req->text = why;
			return LDAP_UNWILLING_TO_PERFORM;
		}
		s->sync = true;
	}
	if (req->paged && req->cookie.bv_len > 0) {
		struct search *prev = page_take(c, &req->cookie);

		if (prev == NULL) {
			search_free(s);
			req->text = "unknown paged results cookie";
			return LDAP_UNWILLING_TO_PERFORM;
		}
		search_free(s);
		s = prev;
		s->msgid = req->msgid;
		s->started = now_monotonic();
		if (req->page_size == 0) {
			/* RFC 2696 3: size 0 with a cookie abandons the search. */
			s->cookie = 0;
			rc = search_result(c, s, req, LDAP_SUCCESS);
			search_free(s);
			return rc;
		}
		s->page_size = (unsigned long)req->page_size;
		if (s->page_size > cfg->limits.max_results)
			s->page_size = cfg->limits.max_results;
		s->page_sent = 0;
		s->deadline = s->started + cfg->limits.time_limit;
		{
			/* A reload may have hidden more since the first page. */
			bool now_hidden[ATTR_COUNT];

			access_hidden(c, now_hidden);
			for (int i = 0; i < ATTR_COUNT; i++)
				s->hidden[i] = s->hidden[i] || now_hidden[i];
			filter_restrict(s->filter, s->hidden);
		}
		queue_search(c, s, req);
		return LDAPE_LATER;
	}

	s->store = server_store();
	if (s->sync) {
		sync_csn(s->store, s->sync_csn);
		if (strcmp(req->sync_csn, s->sync_csn) == 0) {
			/* The consumer holds this version: nothing to send. */
			s->sync_current = true;
			rc = search_result(c, s, req, LDAP_SUCCESS);
			search_free(s);
			return rc;
		}
	}
	access_hidden(c, s->hidden);
	filter_restrict(s->filter, s->hidden);
	s->types_only = typesonly != 0;
	rc = resolve(s->store, basebuf, &r, &matched);
	if (rc < 0) {
		rc = resolve_failed(req, rc, matched); /* before matched goes with s */
		search_free(s);
		return rc;
	}
	if (r.target == TARGET_ROOTDSE && scope != LDAP_SCOPE_BASE) {
		/* Clients that search from "" (some address books do) get the
		 * one naming context, as with slapd's default search base; the
		 * base entry is one of the root's children. */
		r.target = TARGET_BASE;
		if (scope == LDAP_SCOPE_CHILDREN)
			scope = LDAP_SCOPE_SUBTREE;
	}
	s->target = r.target;
	plan_scope(s, &r, scope);
	{
		bool country_attrs[ATTR_COUNT] = {false};

		country_attrs[ATTR_OBJECTCLASS] = country_attrs[ATTR_C] = true;
		if (s->phase != PHASE_DONE && !filter_may_match(s->filter, country_attrs)) {
			/* Skip the country entries: none can match. */
			if (s->phase == PHASE_COUNTRIES)
				s->phase =
				    s->contact_hi > s->contact_lo ? PHASE_CONTACTS : PHASE_DONE;
			s->country_hi = s->country_lo;
			s->pos = 0;
		}
	}
	if (s->phase != PHASE_DONE && s->contact_hi > s->contact_lo) {
		bool all;

		if (search_plan(s->store, s->filter, &s->cand, &s->ncand, &all, &err) == -1) {
			search_free(s);
			return ldape_text_copy(req, LDAP_OTHER, err.message);
		}
		s->cand_all = all;
	}
	/* Limits: the client's, capped by ours (RFC 4511 4.5.1.4, 4.5.1.5). */
	s->size_limit = (unsigned long)sizelimit;
	if (req->paged && req->page_size > 0) {
		s->page_size = (unsigned long)req->page_size;
		if (s->page_size > cfg->limits.max_results)
			s->page_size = cfg->limits.max_results;
		page_limit(c);
		if (pages_total >= cfg->limits.max_pages_total) {
			search_free(s);
			req->text = "too many paged searches open; retry later";
			return LDAP_BUSY;
		}
		pages_total++;
		s->paged = true;
		s->cookie = ++c->next_cookie;
	} else if (s->sync) {
		/* A refresh is the whole content or useless (it cannot be paged,
		 * RFC 4533 3.3), and the same entries are one paged search away:
		 * only the client's size limit and the time limit apply. */
	} else if (s->size_limit == 0 || s->size_limit > cfg->limits.max_results) {
		s->size_limit = cfg->limits.max_results;
		s->size_limit_is_server = true;
	}
	s->deadline = s->started + (timelimit > 0 && (unsigned)timelimit < cfg->limits.time_limit
	                                ? (unsigned)timelimit
	                                : cfg->limits.time_limit);
	queue_search(c, s, req);
	return LDAPE_LATER;
}

/* ---- Compare (RFC 4511 4.10) ---- */

/* After a, the next attribute of e that supertype t covers and the client
 * may see, or NULL; NULL at once when t is no supertype. */
static const struct entry_attr *next_covered(const entry_t *e, const struct attr_type *t,
                                             const struct entry_attr *a, const bool *hidden)
{
	if (t->id < ATTR_COUNT)
		return NULL; /* a is then no attribute of e->attrs */
	for (a++; a < e->attrs + e->nattrs; a++)
		if (attr_covers(t, entry_attr_type(a)) && !hidden[a->id])
			return a;
	return NULL;
}

int compare_handle(struct request *req)
{
	struct conn *c = req->conn;
	struct berval dn, type, value;
	char dnbuf[MAX_DN + 1];
	struct resolved r = {0};
	const char *matched;
	const struct attr_type *t;
	const entry_t *e;
	const struct entry_attr *a;
	struct entry_slot slot;
	struct store *st;
	bool hidden[ATTR_COUNT], invalid = false;
	char *norm;
	int rc;

	if (ber_scanf(req->ber, "{m{mm}}", &dn, &type, &value) == LBER_ERROR) {
		req->text = "malformed compare request";
		return LDAPE_DISCONNECT;
	}
	if ((rc = ldape_controls(req)) != LDAP_SUCCESS)
		return rc;
	if (dn.bv_len > MAX_DN || value.bv_len > server_config()->limits.filter.max_value) {
		req->text = "DN or value too long";
		return LDAP_ADMINLIMIT_EXCEEDED;
	}
	memcpy(dnbuf, dn.bv_val, dn.bv_len);
	dnbuf[dn.bv_len] = '\0';
	log_debug("conn %llu op %d: compare \"%s\" %s", (unsigned long long)c->id, req->msgid,
	          dnbuf, type.bv_val);
	st = server_store();
	rc = resolve(st, dnbuf, &r, &matched);
	if (rc < 0) {
		rc = resolve_failed(req, rc, matched); /* before matched goes with st */
		goto out;
	}
	t = attr_lookup_any(type.bv_val, type.bv_len);
	access_hidden(c, hidden);
	if (t == NULL) {
		req->text = "attribute type not known here";
		rc = LDAP_UNDEFINED_TYPE;
		goto out;
	}
	e = r.target == TARGET_COUNTRY || r.target == TARGET_CONTACT ? r.entry
	    : r.target == TARGET_BASE    ? special_base(st->base_dn, st->ncountries > 0)
	    : r.target == TARGET_ROOTDSE ? special_rootdse()
	                                 : special_subschema();
	/* The attributes a search's filter sees, operational ones included;
	 * for a supertype (name), the first of its subtypes the entry has, the
	 * others below (RFC 4512 2.5.1; slapd compares them too). */
	a = NULL;
	if (e != NULL && t->id < ATTR_COUNT && !hidden[t->id])
		a = entry_values(e, t->id, &slot);
	for (size_t i = 0; e != NULL && t->id >= ATTR_COUNT && a == NULL && i < e->nattrs; i++)
		if (attr_covers(t, entry_attr_type(&e->attrs[i])) && !hidden[e->attrs[i].id])
			a = &e->attrs[i];
	/* A hidden attribute looks absent, exactly as in search results. */
	if (a == NULL) {
		rc = LDAP_NO_SUCH_ATTRIBUTE;
		goto out;
	}
	if (t->equality == MATCH_NONE) {
		req->text = "attribute has no equality rule";
		rc = LDAP_INAPPROPRIATE_MATCHING;
		goto out;
	}
	norm = attr_normalize(t->equality, value.bv_val, value.bv_len, &invalid);
	if (norm == NULL) {
		req->text = invalid ? "value does not fit the attribute's syntax" : NULL;
		rc = invalid ? LDAP_INVALID_SYNTAX : LDAP_OTHER;
		goto out;
	}
	/* A supertype's subtypes share its equality rule (attr.c), so their
	 * stored prepared values compare with the assertion prepared by it. */
	rc = LDAP_COMPARE_FALSE;
	for (; a != NULL; a = next_covered(e, t, a, hidden))
		for (size_t i = 0; i < a->count; i++)
			if (entry_norm(a, i) != NULL && strcmp(entry_norm(a, i), norm) == 0)
				rc = LDAP_COMPARE_TRUE;
	free(norm);
out:
	store_unref(&st);
	return rc;
}
