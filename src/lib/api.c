/* api.c - the public functions of pocdir.h: the handle, its snapshot swap,
 * results and entry accessors. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "abi.h"
#include "api.h"
#include "filter.h"
#include "history.h"
#include "search.h"
#include "tzclock.h"
#include "util.h"
#include "validate.h"

const char *pocdir_library_version(void)
{
	return POCDIR_VERSION_STRING;
}

struct store *api_snapshot(pocdir *dir)
{
	return source_snapshot(dir->source, NULL);
}

/* A handle over the source of spec. */
static pocdir *open_spec(const struct source_spec *spec, pocdir_error *err)
{
	pocdir *dir = calloc(1, sizeof(*dir));

	error_clear(err);
	if (dir == NULL) {
		error_set(err, POCDIR_ERR_SYSTEM, "out of memory");
		return NULL;
	}
	if ((dir->source = source_open(spec, NULL, NULL, err)) == NULL)
		pocdir_free(&dir);
	return dir;
}

pocdir *pocdir_open_options(const pocdir_options *opts, pocdir_error *err)
{
	struct source_spec spec = {0};
	pocdir_options o;

	if (opts != NULL) {
		abi_in(&o, sizeof(o), opts, ABI_OPTIONS_V1);
		opts = &o;
	}
	if (opts == NULL || opts->path == NULL) {
		error_set(err, POCDIR_ERR_USAGE, "no directory path given");
		return NULL;
	}
	spec.directory = opts->path;
	spec.base_dn = opts->base_dn;
	return open_spec(&spec, err);
}

pocdir *pocdir_open(const char *path, pocdir_error *err)
{
	pocdir_options o = {.path = path};

	return pocdir_open_options(&o, err);
}

pocdir *pocdir_open_at(const char *directory, const char *state, const char *at,
                       const char *base_dn, pocdir_error *err)
{
	struct source_spec spec = {
	    .directory = directory,
	    .state = history_state_dir(state),
	    .at = at,
	    .base_dn = base_dn,
	};

	return open_spec(&spec, err);
}

void pocdir_free(pocdir **dir)
{
	if (dir == NULL || *dir == NULL)
		return;
	if (!(*dir)->borrowed)
		source_free(&(*dir)->source);
	free(*dir);
	*dir = NULL;
}

pocdir *source_handle(struct source *src)
{
	pocdir *dir = calloc(1, sizeof(*dir));

	if (dir != NULL) {
		dir->source = src;
		dir->borrowed = true;
	}
	return dir;
}

int source_write(const entry_t *const *entries, size_t n, pocdir_format fmt,
                 const pocdir_write_options *opts, FILE *out, pocdir_error *err)
{
	/* A result that holds no snapshot: the caller keeps the entries alive. */
	pocdir_result res = {.items = (const entry_t **)entries, .count = n};

	return pocdir_write_with(&res, fmt, opts, out, err);
}

int pocdir_reload(pocdir *dir, const char *path, pocdir_error *err)
{
	error_clear(err);
	if (dir == NULL)
		return error_set(err, POCDIR_ERR_USAGE, "no directory handle");
	/* On failure the loaded version stays in service. */
	return source_reload(dir->source, path, NULL, NULL, err) < 0 ? -1 : 0;
}

int pocdir_validate(const char *path, pocdir_diag_fn fn, void *ctx, pocdir_error *err)
{
	struct store *s;

	error_clear(err);
	if (path == NULL)
		return error_set(err, POCDIR_ERR_USAGE, "no path given");
	s = store_load(path, NULL, fn, ctx, err);
	if (s != NULL) {
		store_unref(&s);
		return 0;
	}
	if (err != NULL && err->code == POCDIR_ERR_SYSTEM)
		return -1;
	return err != NULL && err->count > 0 ? (int)err->count : 1;
}

int api_result(struct store *s, const uint32_t *ids, size_t count, pocdir_result **out,
               pocdir_error *err)
{
	pocdir_result *r = calloc(1, sizeof(*r));

	*out = NULL;
	if (r == NULL)
		return error_set(err, POCDIR_ERR_SYSTEM, "out of memory");
	r->items = malloc((count + 1) * sizeof(entry_t *));
	if (r->items == NULL) {
		free(r);
		return error_set(err, POCDIR_ERR_SYSTEM, "out of memory");
	}
	for (size_t i = 0; i < count; i++)
		r->items[i] = s->entries[ids[i]];
	r->count = count;
	r->snapshot = store_ref(s);
	*out = r;
	return 0;
}

int pocdir_lookup(pocdir *dir, const pocdir_query *q, pocdir_result **out, pocdir_error *err)
{
	pocdir_query query = {0};
	struct store *s;
	uint32_t *ids;
	size_t n;
	int rc;

	error_clear(err);
	*out = NULL;
	if (dir == NULL)
		return error_set(err, POCDIR_ERR_USAGE, "no directory handle");
	if (q != NULL)
		abi_in(&query, sizeof(query), q, ABI_QUERY_V1);
	s = api_snapshot(dir);
	rc = search_query(s, &query, &ids, &n, err);
	if (rc == 0)
		rc = api_result(s, ids, n, out, err);
	free(ids);
	store_unref(&s);
	return rc;
}

int pocdir_all(pocdir *dir, pocdir_result **out, pocdir_error *err)
{
	return pocdir_lookup(dir, NULL, out, err);
}

int pocdir_search(pocdir *dir, const char *text, pocdir_result **out, pocdir_error *err)
{
	struct filter_limits limits = FILTER_DEFAULT_LIMITS;
	struct filter *f;
	struct store *s;
	uint32_t *ids;
	size_t n;
	int rc;

	error_clear(err);
	*out = NULL;
	if (dir == NULL || text == NULL)
		return error_set(err, POCDIR_ERR_USAGE, "no directory handle or filter");
	f = filter_parse(text, &limits, err);
	if (f == NULL)
		return -1;
	s = api_snapshot(dir);
	rc = search_filter(s, f, &ids, &n, err);
	if (rc == 0)
		rc = api_result(s, ids, n, out, err);
	free(ids);
	filter_free(&f);
	store_unref(&s);
	return rc;
}

int pocdir_show(pocdir *dir, const char *key, pocdir_result **out, pocdir_error *err)
{
	struct store *s;
	const char *slash;
	uint32_t found[2];
	size_t n = 0;
	int rc;

	error_clear(err);
	*out = NULL;
	if (dir == NULL || key == NULL || *key == '\0')
		return error_set(err, POCDIR_ERR_USAGE, "nothing to show: give an id, CC/id or DN");
	s = api_snapshot(dir);
	if (strchr(key, '=') != NULL) {
		const entry_t *e = store_find_dn(s, key);

		/* Contacts are sorted by country then id: find e's position. */
		if (e != NULL && e->kind == ENTRY_CONTACT) {
			const struct idlist *l = store_index_get(s->by_id, e->id);

			for (size_t i = 0; l != NULL && i < l->count; i++)
				if (s->entries[l->ids[i]] == e)
					found[n++] = l->ids[i];
		}
	} else {
		char *id = NULL, *cc = NULL;
		const struct idlist *l;

		slash = strchr(key, '/');
		id = str_lower(slash != NULL ? slash + 1 : key);
		if (slash != NULL)
			cc = str_ndup(key, (size_t)(slash - key));
		if (id == NULL || (slash != NULL && cc == NULL)) {
			free(id);
			free(cc);
			store_unref(&s);
			return error_set(err, POCDIR_ERR_SYSTEM, "out of memory");
		}
		l = store_index_get(s->by_id, id);
		for (size_t i = 0; l != NULL && i < l->count && n < 2; i++)
			if (cc == NULL || strcasecmp(s->entries[l->ids[i]]->country, cc) == 0)
				found[n++] = l->ids[i];
		free(id);
		free(cc);
	}
	if (n == 0) {
		store_unref(&s);
		return error_set(err, POCDIR_ERR_NOTFOUND, "no entry \"%s\"", key);
	}
	if (n > 1) {
		rc = error_set(err, POCDIR_ERR_USAGE,
		               "id \"%s\" is used in more than one country (%s, %s): write CC/%s",
		               key, s->entries[found[0]]->country, s->entries[found[1]]->country,
		               key);
		store_unref(&s);
		return rc;
	}
	rc = api_result(s, found, 1, out, err);
	store_unref(&s);
	return rc;
}

size_t pocdir_result_count(const pocdir_result *res)
{
	return res == NULL ? 0 : res->count;
}

const pocdir_entry *pocdir_result_entry(const pocdir_result *res, size_t i)
{
	if (res == NULL || i >= res->count)
		return NULL;
	return res->items[i];
}

void pocdir_result_free(pocdir_result **res)
{
	if (res == NULL || *res == NULL)
		return;
	store_unref(&(*res)->snapshot);
	free((*res)->items);
	free(*res);
	*res = NULL;
}

const char *pocdir_entry_id(const pocdir_entry *e)
{
	return e == NULL ? NULL : e->id;
}

const char *pocdir_entry_country(const pocdir_entry *e)
{
	return e == NULL ? NULL : e->country;
}

const char *pocdir_entry_origin(const pocdir_entry *e)
{
	return e == NULL ? NULL : e->origin;
}

const char *pocdir_entry_dn(const pocdir_entry *e)
{
	return e == NULL ? NULL : e->dn;
}

size_t pocdir_entry_get(const pocdir_entry *e, const char *attr, const char *const **values)
{
	const struct attr_type *t;
	const struct entry_attr *a;
	struct entry_slot slot;

	if (values != NULL)
		*values = NULL;
	if (e == NULL || attr == NULL || (t = attr_lookup(attr, strlen(attr))) == NULL ||
	    (a = entry_values(e, t->id, &slot)) == NULL)
		return 0;
	if (values != NULL)
		*values = a->raw;
	return a->count;
}

const char *pocdir_entry_attr(const pocdir_entry *e, size_t i, const char *const **values,
                              size_t *count)
{
	if (e == NULL || i >= e->nattrs)
		return NULL;
	if (values != NULL)
		*values = e->attrs[i].raw;
	if (count != NULL)
		*count = e->attrs[i].count;
	return entry_attr_type(&e->attrs[i])->name;
}

const char *pocdir_entry_extension(const pocdir_entry *e, size_t i, const char **value)
{
	if (e == NULL || i >= e->next)
		return NULL;
	if (value != NULL)
		*value = e->ext[i].value;
	return e->ext[i].key;
}

int pocdir_version(pocdir *dir, char *digest, size_t size)
{
	struct store *s;

	if (dir == NULL || digest == NULL || size < 65)
		return -1;
	s = api_snapshot(dir);
	memcpy(digest, s->version, 65);
	store_unref(&s);
	return 0;
}

int pocdir_local_time(const char *zone, long long now, int *wday, int *hour, int *minute)
{
	int day, m;

	if (zone == NULL || tz_local_time(zone, now, &day, &m) == -1)
		return -1;
	*wday = (day + 1) % 7; /* validate.c counts from Monday */
	*hour = m / 60;
	*minute = m % 60;
	return 0;
}

int pocdir_hours_open(const char *hours, int wday, int hour, int minute)
{
	if (hours == NULL || wday < 0 || wday > 6 || hour < 0 || hour > 23 || minute < 0 ||
	    minute > 59)
		return -1;
	return validate_hours_at(hours, (wday + 6) % 7, hour * 60 + minute);
}
