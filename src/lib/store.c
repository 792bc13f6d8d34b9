/* store.c - immutable directory snapshots: merging origin sets, the country
 * entries, the indexes (country, role, id, agency, mail, DN) and the version
 * digest. A snapshot never changes after store_build returns, so any number
 * of threads read it without locks; reference counts decide when it goes. */
#include "config.h"

#include <ldap.h>
#include <pthread.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "arena.h"
#include "dn.h"
#include "load.h"
#include "store.h"
#include "util.h"

struct slot {
	const char *key;
	uint32_t hash;
	uint32_t cap; /* 0 while the one id is kept inline */
	struct idlist list;
	uint32_t one; /* most keys (ids, mails) have a single entry: no malloc */
};

/* The slots in insertion order (store_index_at walks them), found through
 * an open-addressing table of slot numbers: the table keeps a quarter of
 * its places free, at 4 bytes a place rather than a slot's 40. */
struct index {
	struct slot *slots;
	size_t used, cap;
	uint32_t *table; /* slot number + 1, or 0 for a free place */
	size_t size;     /* places, a power of two */
};

/* FNV-1a: short keys, no adversary (keys come from validated files). */
static uint32_t hash_key(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s != '\0'; s++) {
		h ^= (unsigned char)*s;
		h *= 16777619u;
	}
	return h;
}

static struct index *index_new(void)
{
	struct index *ix = calloc(1, sizeof(*ix));

	if (ix == NULL)
		return NULL;
	ix->size = 64;
	if ((ix->table = calloc(ix->size, sizeof(uint32_t))) == NULL) {
		free(ix);
		return NULL;
	}
	return ix;
}

static void index_free(struct index **ixp)
{
	struct index *ix = *ixp;

	if (ix == NULL)
		return;
	for (size_t i = 0; i < ix->used; i++)
		if (ix->slots[i].cap > 0)
			free(ix->slots[i].list.ids);
	free(ix->slots);
	free(ix->table);
	free(ix);
	*ixp = NULL;
}

/* The place of key in the table: its slot's, or the free one it would take. */
static uint32_t *index_place(const struct index *ix, const char *key, uint32_t h)
{
	size_t mask = ix->size - 1;

	for (size_t i = h & mask;; i = (i + 1) & mask) {
		uint32_t n = ix->table[i];

		if (n == 0 ||
		    (ix->slots[n - 1].hash == h && strcmp(ix->slots[n - 1].key, key) == 0))
			return &ix->table[i];
	}
}

static int index_grow(struct index *ix)
{
	size_t size = ix->size * 2, mask = size - 1;
	uint32_t *table = calloc(size, sizeof(uint32_t));

	if (table == NULL)
		return -1;
	for (size_t j = 0; j < ix->used; j++) {
		size_t i = ix->slots[j].hash & mask;

		while (table[i] != 0)
			i = (i + 1) & mask;
		table[i] = (uint32_t)(j + 1);
	}
	free(ix->table);
	ix->table = table;
	ix->size = size;
	return 0;
}

/* Append entry number id under key. Entries are added in ascending order, so
 * every list stays sorted; a repeated (key, id) is added once. The index
 * keeps key itself, or with copy a copy in that arena made when the key is
 * new (keys composed in a buffer). */
static int index_add(struct index *ix, const char *key, uint32_t id, struct arena *copy)
{
	uint32_t h = hash_key(key), *place;
	struct slot *s;

	if ((ix->used + 1) * 4 > ix->size * 3 && index_grow(ix) == -1)
		return -1;
	place = index_place(ix, key, h);
	if (*place == 0) {
		if (ix->used == ix->cap) {
			size_t ncap = ix->cap ? ix->cap * 2 : 16;
			struct slot *n = realloc(ix->slots, ncap * sizeof(*n));

			if (n == NULL)
				return -1;
			ix->slots = n;
			ix->cap = ncap;
		}
		s = &ix->slots[ix->used];
		memset(s, 0, sizeof(*s));
		if ((s->key = copy != NULL ? arena_strdup(copy, key) : key) == NULL)
			return -1;
		s->hash = h;
		*place = (uint32_t)++ix->used;
	}
	s = &ix->slots[*place - 1];
	if (s->list.count == 0) {
		s->one = id;
		s->list.count = 1;
		return 0;
	}
	if ((s->cap == 0 ? s->one : s->list.ids[s->list.count - 1]) == id)
		return 0;
	if (s->cap == 0) {
		uint32_t *n = malloc(4 * sizeof(uint32_t));

		if (n == NULL)
			return -1;
		n[0] = s->one;
		s->list.ids = n;
		s->cap = 4;
	} else if (s->list.count == s->cap) {
		uint32_t ncap = s->cap * 2;
		uint32_t *n = realloc(s->list.ids, ncap * sizeof(uint32_t));

		if (n == NULL)
			return -1;
		s->list.ids = n;
		s->cap = ncap;
	}
	s->list.ids[s->list.count++] = id;
	return 0;
}

/* Once an index is complete its slots no longer move: give back the room
 * kept for more, and point single-entry lists at their inline id. */
static void index_seal(struct index *ix)
{
	struct slot *fit = ix->used > 0 ? realloc(ix->slots, ix->used * sizeof(*fit)) : NULL;

	if (fit != NULL) {
		ix->slots = fit;
		ix->cap = ix->used;
	}
	for (size_t i = 0; i < ix->used; i++)
		if (ix->slots[i].cap == 0)
			ix->slots[i].list.ids = &ix->slots[i].one;
}

const struct idlist *store_index_get(const struct index *ix, const char *key)
{
	uint32_t n;

	if (ix == NULL || key == NULL)
		return NULL;
	n = *index_place(ix, key, hash_key(key));
	return n != 0 ? &ix->slots[n - 1].list : NULL;
}

bool store_index_at(const struct index *ix, size_t i, const char **key, const struct idlist **list)
{
	if (ix == NULL || i >= ix->used)
		return false;
	*key = ix->slots[i].key;
	*list = &ix->slots[i].list;
	return true;
}

/* First index in a[lo..n) whose value is not below v (a is ascending). */
static size_t lower_bound(const uint32_t *a, size_t lo, size_t n, uint32_t v)
{
	size_t hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (a[mid] < v)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

size_t idlist_intersect(const uint32_t *a, size_t na, const uint32_t *b, size_t nb, uint32_t *out)
{
	size_t i = 0, j = 0, n = 0;

	/* A short list against a long one (a uid against a whole country):
	 * search each short id in the long list instead of walking both. */
	if (na * 16 < nb || nb * 16 < na) {
		const uint32_t *s = na < nb ? a : b, *l = na < nb ? b : a;
		size_t ns = na < nb ? na : nb, nl = na < nb ? nb : na;

		for (i = 0; i < ns && j < nl; i++) {
			j = lower_bound(l, j, nl, s[i]);
			if (j < nl && l[j] == s[i])
				out[n++] = s[i];
		}
		return n;
	}
	while (i < na && j < nb) {
		if (a[i] < b[j])
			i++;
		else if (a[i] > b[j])
			j++;
		else {
			out[n++] = a[i];
			i++;
			j++;
		}
	}
	return n;
}

const entry_t *store_find_dn(const struct store *s, const char *dn)
{
	char *norm = dn != NULL ? dn_normalize(dn, strlen(dn)) : NULL;
	const struct idlist *l;
	const entry_t *found = NULL;

	if (norm == NULL)
		return NULL;
	/* A contact's DN is uid=ID,c=CC,BASE: find ID through the id index and
	 * compare whole DNs (ids repeat across countries). */
	if (strncmp(norm, "uid=", 4) == 0) {
		const char *comma = strchr(norm + 4, ',');
		char *id = comma != NULL ? str_ndup(norm + 4, (size_t)(comma - norm - 4)) : NULL;

		l = id != NULL ? store_index_get(s->by_id, id) : NULL;
		for (size_t i = 0; l != NULL && i < l->count && found == NULL; i++)
			if (strcmp(s->entries[l->ids[i]]->dn_norm, norm) == 0)
				found = s->entries[l->ids[i]];
		free(id);
	}
	for (size_t i = 0; found == NULL && i < s->ncountries; i++)
		if (strcmp(s->countries[i]->dn_norm, norm) == 0)
			found = s->countries[i];
	free(norm);
	return found;
}

static void prefix_free(struct prefix **px)
{
	if (px == NULL || *px == NULL)
		return;
	free((*px)->items);
	free(*px);
	*px = NULL;
}

static int prefix_order(const void *a, const void *b)
{
	const struct prefix_item *x = a, *y = b;
	int c = strcmp(x->key, y->key);

	return c != 0 ? c : (x->id > y->id) - (x->id < y->id);
}

/* Every normalised value of attribute id, sorted. */
static struct prefix *prefix_build(const struct store *s, enum attr_id id)
{
	struct prefix *px = calloc(1, sizeof(*px));
	size_t n = 0, k = 0;

	if (px == NULL)
		return NULL;
	for (size_t i = 0; i < s->nentries; i++) {
		const struct entry_attr *a = entry_attr(s->entries[i], id);

		n += a != NULL ? a->count : 0;
	}
	px->items = malloc((n + 1) * sizeof(*px->items));
	if (px->items == NULL) {
		free(px);
		return NULL;
	}
	for (size_t i = 0; i < s->nentries; i++) {
		const struct entry_attr *a = entry_attr(s->entries[i], id);

		for (size_t j = 0; a != NULL && j < a->count; j++)
			if (entry_norm(a, j) != NULL)
				px->items[k++] =
				    (struct prefix_item){entry_norm(a, j), (uint32_t)i};
	}
	px->count = k;
	qsort(px->items, k, sizeof(*px->items), prefix_order);
	return px;
}

static void *prefix_worker(void *arg)
{
	struct store *s = arg;

	s->by_cn_prefix = prefix_build(s, ATTR_CN);
	s->by_mail_prefix = prefix_build(s, ATTR_MAIL);
	return NULL;
}

static int id_order(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

int store_prefix_ids(const struct prefix *px, const char *initial, size_t len, uint32_t **ids,
                     size_t *count)
{
	size_t lo = 0, hi = px->count, n = 0, end;
	uint32_t *out;

	/* First key not below initial; the matches follow it in a run. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strncmp(px->items[mid].key, initial, len) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (end = lo; end < px->count && strncmp(px->items[end].key, initial, len) == 0; end++)
		;
	out = malloc((end - lo + 1) * sizeof(uint32_t));
	if (out == NULL)
		return -1;
	for (size_t i = lo; i < end; i++)
		out[n++] = px->items[i].id;
	qsort(out, n, sizeof(uint32_t), id_order);
	*count = 0;
	for (size_t i = 0; i < n; i++)
		if (*count == 0 || out[*count - 1] != out[i])
			out[(*count)++] = out[i];
	*ids = out;
	return 0;
}

struct store *store_ref(struct store *s)
{
	if (s != NULL)
		atomic_fetch_add(&s->refs, 1);
	return s;
}

static void store_destroy(struct store *s)
{
	for (size_t i = 0; i < s->norigins; i++)
		arena_free(&s->origins[i].arena);
	free(s->origins);
	free(s->entries);
	free(s->countries);
	index_free(&s->by_country);
	index_free(&s->by_role);
	index_free(&s->by_id);
	index_free(&s->by_agency);
	index_free(&s->by_mail);
	index_free(&s->by_country_role);
	prefix_free(&s->by_cn_prefix);
	prefix_free(&s->by_mail_prefix);
	arena_free(&s->arena);
	free(s->base_dn);
	free(s->base_norm);
	free(s);
}

void store_unref(struct store **sp)
{
	if (sp == NULL || *sp == NULL)
		return;
	if (atomic_fetch_sub(&(*sp)->refs, 1) == 1)
		store_destroy(*sp);
	*sp = NULL;
}

static int origin_order(const void *a, const void *b)
{
	return strcmp(((const struct origin *)a)->id, ((const struct origin *)b)->id);
}

static void report(pocdir_diag_fn fn, void *ctx, const char *file, unsigned long line,
                   const char *msg)
{
	if (fn != NULL) {
		pocdir_diag d = {file, line, line ? 1 : 0, msg};

		fn(&d, ctx);
	}
}

/* One country entry, c=CC,BASE, in the store's arena. */
static entry_t *country_entry(struct store *s, const char *cc)
{
	static const char *const classes[] = {"top", "country"}; /* their own prepared forms */
	entry_t *e = arena_alloc(s->arena, sizeof(*e));
	size_t n = strlen(cc) + strlen(s->base_dn) + 4;
	const char **c;
	char *norm;

	if (e == NULL)
		return NULL;
	e->kind = ENTRY_COUNTRY;
	e->country = arena_strdup(s->arena, cc);
	e->dn = arena_alloc(s->arena, n);
	e->attrs = arena_alloc(s->arena, 2 * sizeof(struct entry_attr));
	c = arena_alloc(s->arena, 2 * sizeof(char *));
	norm = arena_strdup(s->arena, cc);
	if (e->country == NULL || e->dn == NULL || e->attrs == NULL || c == NULL || norm == NULL)
		return NULL;
	snprintf(e->dn, n, "c=%s,%s", cc, s->base_dn);
	/* dn_normalize(e->dn), composed: a country code needs no escaping. */
	n = strlen(cc) + strlen(s->base_norm) + 4;
	if ((e->dn_norm = arena_alloc(s->arena, n)) == NULL)
		return NULL;
	snprintf(e->dn_norm, n, "c=%s,%s", cc, s->base_norm);
	dn_fold(e->dn_norm);
	for (char *p = norm; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	c[0] = e->country; /* then its prepared form: the layout of entry_attr */
	c[1] = norm;
	e->nattrs = 2;
	e->attrs[0] = (struct entry_attr){ATTR_OBJECTCLASS, true, 2, (const char **)classes};
	e->attrs[1] = (struct entry_attr){ATTR_C, false, 1, c};
	return e;
}

static int build_indexes(struct store *s)
{
	if ((s->by_country = index_new()) == NULL || (s->by_role = index_new()) == NULL ||
	    (s->by_id = index_new()) == NULL || (s->by_agency = index_new()) == NULL ||
	    (s->by_mail = index_new()) == NULL || (s->by_country_role = index_new()) == NULL)
		return -1;
	for (size_t i = 0; i < s->nentries; i++) {
		const entry_t *e = s->entries[i];
		const struct entry_attr *a;
		uint32_t id = (uint32_t)i;

		if (index_add(s->by_country, e->country, id, NULL) == -1)
			return -1;
		if ((a = entry_attr(e, ATTR_UID)) != NULL && entry_norm(a, 0) != NULL &&
		    index_add(s->by_id, entry_norm(a, 0), id, NULL) == -1)
			return -1;
		if ((a = entry_attr(e, ATTR_O)) != NULL && entry_norm(a, 0) != NULL &&
		    index_add(s->by_agency, entry_norm(a, 0), id, NULL) == -1)
			return -1;
		if ((a = entry_attr(e, ATTR_ROLE)) != NULL)
			for (size_t j = 0; j < a->count; j++) {
				const char *role = entry_norm(a, j);
				char key[3 * LOAD_MAX_SCALAR_BYTES + 8]; /* CC/role */

				if (role == NULL)
					continue;
				if (index_add(s->by_role, role, id, NULL) == -1)
					return -1;
				/* The pair's key is copied into the store's
				 * arena the first time it is seen. A prepared
				 * value is at most three times its scalar. */
				if ((size_t)snprintf(key, sizeof(key), "%s/%s", e->country, role) >=
				        sizeof(key) ||
				    index_add(s->by_country_role, key, id, s->arena) == -1)
					return -1;
			}
		if ((a = entry_attr(e, ATTR_MAIL)) != NULL)
			for (size_t j = 0; j < a->count; j++)
				if (entry_norm(a, j) != NULL &&
				    index_add(s->by_mail, entry_norm(a, j), id, NULL) == -1)
					return -1;
	}
	return 0;
}

static void compute_version(struct store *s)
{
	crypto_hash_sha256_state st;
	unsigned char digest[crypto_hash_sha256_BYTES];

	crypto_hash_sha256_init(&st);
	for (size_t i = 0; i < s->norigins; i++) {
		char line[256];
		int n = snprintf(line, sizeof(line), "%s %llu\n", s->origins[i].id,
		                 (unsigned long long)s->origins[i].serial);

		crypto_hash_sha256_update(&st, (const unsigned char *)line, (size_t)n);
	}
	crypto_hash_sha256_final(&st, digest);
	sodium_bin2hex(s->version, sizeof(s->version), digest, sizeof(digest));
}

struct store *store_build(struct origin_set *sets, size_t nsets, const char *base_dn,
                          pocdir_diag_fn fn, void *ctx, pocdir_error *err)
{
	struct store *s = calloc(1, sizeof(*s));
	size_t total = 0, k = 0;
	int bad = 0;

	if (s == NULL || sodium_init() < 0)
		goto oom;
	atomic_init(&s->refs, 1);
	if (base_dn == NULL)
		base_dn = "dc=pocdir";
	/* Entry DNs hang under the RFC 4514 form of the base, and their keys
	 * under its normalised form (one DN equality: dn.h). */
	s->base_dn = dn_pretty(base_dn, strlen(base_dn));
	s->base_norm = dn_normalize(base_dn, strlen(base_dn));
	if (s->base_dn == NULL || s->base_norm == NULL || s->base_norm[0] == '\0') {
		error_set(err, POCDIR_ERR_USAGE, "base \"%s\" is not a DN", base_dn);
		goto fail;
	}
	s->arena = arena_new();
	s->origins = calloc(nsets + 1, sizeof(struct origin));
	for (size_t i = 0; i < nsets; i++)
		total += sets[i].nentries;
	s->entries = malloc((total + 1) * sizeof(entry_t *));
	if (s->arena == NULL || s->origins == NULL || s->entries == NULL)
		goto oom;
	/* Take everything first, so that the sets are empty whatever happens. */
	for (size_t i = 0; i < nsets; i++) {
		s->origins[s->norigins++] = sets[i].origin;
		for (size_t j = 0; j < sets[i].nentries; j++)
			s->entries[k++] = sets[i].entries[j];
		free(sets[i].entries);
		memset(&sets[i], 0, sizeof(sets[i]));
	}
	s->nentries = k;
	qsort(s->origins, s->norigins, sizeof(struct origin), origin_order);
	for (size_t i = 1; i < s->norigins; i++) {
		if (strcmp(s->origins[i - 1].id, s->origins[i].id) == 0) {
			char msg[512];

			snprintf(msg, sizeof(msg), "origin \"%s\" is also published by %s",
			         s->origins[i].id, s->origins[i - 1].path);
			report(fn, ctx, s->origins[i].path, 0, msg);
			if (!bad++)
				error_set(err, POCDIR_ERR_INVALID, "%s: %s", s->origins[i].path,
				          msg);
		}
	}
	qsort(s->entries, s->nentries, sizeof(entry_t *), entry_compare);
	for (size_t i = 1; i < s->nentries; i++) {
		const entry_t *a = s->entries[i - 1], *b = s->entries[i];

		if (strcmp(a->country, b->country) == 0 && strcasecmp(a->id, b->id) == 0) {
			char msg[512];

			snprintf(msg, sizeof(msg),
			         "id \"%s\" in country %s is also used by origin \"%s\" (%s:%lu)",
			         b->id, b->country, a->origin, a->file, a->line);
			report(fn, ctx, b->file, b->line, msg);
			if (!bad++)
				error_set(err, POCDIR_ERR_INVALID, "%s:%lu:1: %s", b->file, b->line,
				          msg);
		}
	}
	if (bad) {
		if (err != NULL)
			err->count = (unsigned)bad;
		goto fail;
	}
	/* The entries carry the loader's DN; rebuild under this store's base
	 * when it differs (the loader used the same base in practice). */
	s->countries = malloc((s->nentries + 1) * sizeof(entry_t *));
	if (s->countries == NULL)
		goto oom;
	for (size_t i = 0; i < s->nentries; i++) {
		if (i == 0 || strcmp(s->entries[i - 1]->country, s->entries[i]->country) != 0) {
			entry_t *c = country_entry(s, s->entries[i]->country);

			if (c == NULL)
				goto oom;
			s->countries[s->ncountries++] = c;
		}
	}
	/* The sorted values are built beside the hash indexes, on a second
	 * thread: both only read the entries. */
	{
		pthread_t t;
		bool threaded = pthread_create(&t, NULL, prefix_worker, s) == 0;
		int rc;

		if (!threaded)
			prefix_worker(s);
		rc = build_indexes(s);
		if (threaded)
			pthread_join(t, NULL);
		if (rc == -1 || s->by_cn_prefix == NULL || s->by_mail_prefix == NULL)
			goto oom;
	}
	index_seal(s->by_country);
	index_seal(s->by_role);
	index_seal(s->by_id);
	index_seal(s->by_agency);
	index_seal(s->by_mail);
	index_seal(s->by_country_role);

	compute_version(s);
	return s;
oom:
	error_set(err, POCDIR_ERR_SYSTEM, "out of memory");
fail:
	/* Sets not taken yet (an early exit) are released here, so the caller
	 * owns nothing whichever way this returns; taken ones are empty. */
	for (size_t i = 0; i < nsets; i++)
		origin_set_clear(&sets[i]);
	if (s != NULL)
		store_destroy(s);
	return NULL;
}

/* Loading many files is spread over threads (files are independent until
 * store_build); diagnostics, when asked for, are reported in file order by a
 * single thread instead. */
struct load_job {
	char **files;
	int nfiles;
	const char *base_dn;
	struct origin_set *sets;
	pocdir_error *errs;
	unsigned *counts;
	atomic_int next;
};

static void *load_worker(void *arg)
{
	struct load_job *job = arg;
	struct load_scratch scratch = {0};
	int i;

	while ((i = atomic_fetch_add(&job->next, 1)) < job->nfiles)
		(void)load_origin_file_scratch(job->files[i], job->base_dn, &job->sets[i], NULL,
		                               NULL, &job->counts[i], &job->errs[i], &scratch);
	load_scratch_free(&scratch);
	return NULL;
}

struct store *store_load(const char *path, const char *base_dn, pocdir_diag_fn fn, void *ctx,
                         pocdir_error *err)
{
	struct load_job job = {0};
	struct store *s = NULL;
	unsigned problems = 0;
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	int n, nthreads;
	pthread_t threads[4];

	error_clear(err);
	n = load_list_files(path, &job.files, err);
	if (n < 0) {
		if (fn != NULL) {
			pocdir_diag d = {path, 0, 0, err != NULL ? err->message : "cannot read"};

			fn(&d, ctx);
		}
		return NULL;
	}
	job.nfiles = n;
	job.base_dn = base_dn;
	atomic_init(&job.next, 0);
	job.sets = calloc((size_t)n, sizeof(*job.sets));
	job.errs = calloc((size_t)n, sizeof(*job.errs));
	job.counts = calloc((size_t)n, sizeof(*job.counts));
	if (job.sets == NULL || job.errs == NULL || job.counts == NULL) {
		error_set(err, POCDIR_ERR_SYSTEM, "out of memory");
		goto done;
	}
	nthreads = cpus > 4 ? 4 : cpus < 1 ? 1 : (int)cpus;
	if (nthreads > n)
		nthreads = n;
	if (fn != NULL || nthreads <= 1) {
		struct load_scratch scratch = {0};

		for (int i = 0; i < n; i++)
			(void)load_origin_file_scratch(job.files[i], base_dn, &job.sets[i], fn, ctx,
			                               &job.counts[i], &job.errs[i], &scratch);
		load_scratch_free(&scratch);
	} else {
		int started = 0;

		for (; started < nthreads; started++)
			if (pthread_create(&threads[started], NULL, load_worker, &job) != 0)
				break;
		if (started == 0)
			load_worker(&job);
		for (int i = 0; i < started; i++)
			pthread_join(threads[i], NULL);
	}
	for (int i = 0; i < n; i++) {
		if (job.errs[i].code == POCDIR_OK && job.counts[i] == 0)
			continue;
		if (problems == 0 && err != NULL)
			*err = job.errs[i];
		problems += job.counts[i] ? job.counts[i] : 1;
	}
	if (problems > 0) {
		if (err != NULL) {
			if (err->code == POCDIR_OK)
				err->code = POCDIR_ERR_INVALID;
			err->count = problems;
		}
		goto done;
	}
	s = store_build(job.sets, (size_t)n, base_dn, fn, ctx, err);
done:
	for (int i = 0; job.sets != NULL && i < n; i++)
		origin_set_clear(&job.sets[i]);
	free(job.sets);
	free(job.errs);
	free(job.counts);
	strv_free(&job.files);
	return s;
}
