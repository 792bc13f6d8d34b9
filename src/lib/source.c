/* source.c - the one builder and swapper of snapshots, see source.h. */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "history.h"
#include "source.h"
#include "util.h"

/* A spec with its strings owned and its "as of" parsed. */
struct conf {
	char *directory, *state, *at, *base_dn, *feed_dir, *publisher;
	struct history_at when;
};

struct source {
	pthread_mutex_t build; /* one build at a time; guards conf */
	pthread_mutex_t lock;  /* guards current, generation, started */
	struct conf *conf;
	struct store *current;
	uint64_t generation; /* of current */
	uint64_t started;    /* generations handed to builds so far */
};

static void conf_free(struct conf **cp)
{
	struct conf *c = *cp;

	if (c == NULL)
		return;
	free(c->directory);
	free(c->state);
	free(c->at);
	free(c->base_dn);
	free(c->feed_dir);
	free(c->publisher);
	free(c);
	*cp = NULL;
}

/* Copy one member: false only when s was not NULL and the copy failed. */
static bool copy(char **to, const char *s)
{
	*to = s != NULL ? str_dup(s) : NULL;
	return s == NULL || *to != NULL;
}

static struct conf *conf_new(const struct source_spec *spec, pocdir_error *err)
{
	struct conf *c = calloc(1, sizeof(*c));

	if (c == NULL || !copy(&c->directory, spec->directory) || !copy(&c->state, spec->state) ||
	    !copy(&c->at, spec->at) ||
	    !copy(&c->base_dn, spec->base_dn != NULL ? spec->base_dn : "dc=pocdir") ||
	    !copy(&c->feed_dir, spec->feed_dir) || !copy(&c->publisher, spec->publisher)) {
		conf_free(&c);
		error_set(err, POCDIR_ERR_SYSTEM, "out of memory");
		return NULL;
	}
	if (c->directory == NULL && c->state == NULL) {
		conf_free(&c);
		error_set(err, POCDIR_ERR_USAGE, "no directory path given");
		return NULL;
	}
	if (history_at_parse(c->at, &c->when, err) == -1)
		conf_free(&c);
	return c;
}

struct import_ctx {
	pocdir_diag_fn fn;
	void *ctx;
};

/* A local file that cannot be recorded (edited after signing): said, and
 * the other origins go on. */
static void import_problem(const pocdir_diag *d, void *ctx)
{
	struct import_ctx *ic = ctx;
	char msg[1400];
	pocdir_diag said = *d;

	snprintf(msg, sizeof(msg),
	         "%s; run pocdir sign on it (its last signed version stays published)", d->message);
	said.message = msg;
	ic->fn(&said, ic->ctx);
}

/* Record the signed local files (after a reread) and republish the feed.
 * Problems go to fn and are not fatal: the directory still serves what it
 * has, and the feed keeps its last good index. */
static void refresh_feed(const struct conf *c, bool reread, pocdir_diag_fn fn, void *ctx)
{
	struct import_ctx ic = {fn, ctx};
	pocdir_error err = {0};
	pocdir_diag d = {NULL, 0, 0, err.message};

	if (mkdir(c->state, 0755) == -1 && errno != EEXIST) {
		error_set(&err, POCDIR_ERR_SYSTEM, "state directory: %s", strerror(errno));
		d.file = c->state;
	} else if (reread && c->directory != NULL &&
	           history_import(c->state, c->directory, fn != NULL ? import_problem : NULL, &ic,
	                          &err) == -1) {
		d.file = c->directory;
	} else if (pocdir_publish(NULL, c->state, c->feed_dir, c->publisher, &err) < 0) {
		d.file = c->feed_dir;
	}
	if (d.file != NULL && fn != NULL)
		fn(&d, ctx);
}

static struct store *build(const struct conf *c, bool reread, pocdir_diag_fn fn, void *ctx,
                           pocdir_error *err)
{
	struct store *s;

	if (c->state == NULL)
		return store_load(c->directory, c->base_dn, fn, ctx, err);
	if (reread && c->feed_dir != NULL && c->directory != NULL) {
		/* The local files must load on their own first: that is what
		 * names their problems (file:line:col) for the operator. */
		if ((s = store_load(c->directory, c->base_dn, fn, ctx, err)) == NULL)
			return NULL;
		store_unref(&s);
	}
	if (c->feed_dir != NULL)
		refresh_feed(c, reread, fn, ctx);
	s = history_store_load(c->directory, c->state, &c->when, c->base_dn, err);
	if (s != NULL && s->norigins == 0 && c->when.kind != AT_NEWEST) {
		error_set(err, POCDIR_ERR_NOTFOUND, "no version of any origin is as old as --at %s",
		          c->at);
		store_unref(&s);
	}
	return s;
}

/* Build with next (owned; NULL: the conf in force) and swap the result in
 * over an older generation. The caller holds src->build. */
static long long rebuild_locked(struct source *src, struct conf *next, bool reread,
                                pocdir_diag_fn fn, void *ctx, pocdir_error *err)
{
	struct store *s, *old = NULL;
	uint64_t gen, served;

	pthread_mutex_lock(&src->lock);
	gen = ++src->started;
	pthread_mutex_unlock(&src->lock);
	s = build(next != NULL ? next : src->conf, reread, fn, ctx, err);
	if (s == NULL) {
		conf_free(&next);
		return -1; /* the snapshot and the spec in service stay */
	}
	pthread_mutex_lock(&src->lock);
	if (gen > src->generation) {
		old = src->current;
		src->current = s;
		src->generation = gen;
	} else {
		old = s;
	}
	served = src->generation;
	pthread_mutex_unlock(&src->lock);
	if (next != NULL) {
		struct conf *was = src->conf;

		src->conf = next;
		conf_free(&was);
	}
	/* Readers hold their own reference: the old snapshot lives until the
	 * last of them lets go. */
	store_unref(&old);
	return (long long)served;
}

static long long rebuild(struct source *src, struct conf *next, bool reread, pocdir_diag_fn fn,
                         void *ctx, pocdir_error *err)
{
	long long rc;

	pthread_mutex_lock(&src->build);
	rc = rebuild_locked(src, next, reread, fn, ctx, err);
	pthread_mutex_unlock(&src->build);
	return rc;
}

struct source *source_open(const struct source_spec *spec, pocdir_diag_fn fn, void *ctx,
                           pocdir_error *err)
{
	struct source *src;
	struct conf *c;

	error_clear(err);
	if (spec == NULL || (c = conf_new(spec, err)) == NULL) {
		if (spec == NULL)
			error_set(err, POCDIR_ERR_USAGE, "no directory path given");
		return NULL;
	}
	if ((src = calloc(1, sizeof(*src))) == NULL) {
		conf_free(&c);
		error_set(err, POCDIR_ERR_SYSTEM, "out of memory");
		return NULL;
	}
	pthread_mutex_init(&src->build, NULL);
	pthread_mutex_init(&src->lock, NULL);
	if (rebuild(src, c, true, fn, ctx, err) == -1)
		source_free(&src);
	return src;
}

void source_free(struct source **src)
{
	if (src == NULL || *src == NULL)
		return;
	store_unref(&(*src)->current);
	conf_free(&(*src)->conf);
	pthread_mutex_destroy(&(*src)->build);
	pthread_mutex_destroy(&(*src)->lock);
	free(*src);
	*src = NULL;
}

struct store *source_snapshot(struct source *src, uint64_t *generation)
{
	struct store *s;

	pthread_mutex_lock(&src->lock);
	s = store_ref(src->current);
	if (generation != NULL)
		*generation = src->generation;
	pthread_mutex_unlock(&src->lock);
	return s;
}

long long source_rebuild(struct source *src, const struct source_spec *spec, pocdir_diag_fn fn,
                         void *ctx, pocdir_error *err)
{
	struct conf *next = NULL;

	error_clear(err);
	if (spec != NULL && (next = conf_new(spec, err)) == NULL)
		return -1;
	return rebuild(src, next, spec != NULL, fn, ctx, err);
}

long long source_reload(struct source *src, const char *directory, pocdir_diag_fn fn, void *ctx,
                        pocdir_error *err)
{
	struct source_spec spec;
	struct conf *next;
	long long rc = -1;

	error_clear(err);
	/* The spec in force, read under the build lock so that a concurrent
	 * reload can neither free it meanwhile nor be undone; only the folder
	 * changes. */
	pthread_mutex_lock(&src->build);
	spec = (struct source_spec){
	    .directory = directory != NULL ? directory : src->conf->directory,
	    .state = src->conf->state,
	    .at = src->conf->at,
	    .base_dn = src->conf->base_dn,
	    .feed_dir = src->conf->feed_dir,
	    .publisher = src->conf->publisher,
	};
	if ((next = conf_new(&spec, err)) != NULL)
		rc = rebuild_locked(src, next, true, fn, ctx, err);
	pthread_mutex_unlock(&src->build);
	return rc;
}
