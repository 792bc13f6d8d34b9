/* sync.c - fetching peers' feeds: configuration, the pure sync decision and
 * backoff schedule, per-peer state, and the libcurl shell around them. */
#include "config.h"

#include <curl/curl.h>
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <yaml.h>

#include "abi.h"
#include "conf.h"
#include "history.h"
#include "load.h"
#include "sync.h"
#include "util.h"
#include "validate.h"
#include "yamldoc.h"

/* ---- Configuration --------------------------------------------------------- */

static int conf_peer(struct conf_walk *w, yaml_node_t *n, const struct sync_peer *defaults,
                     struct sync_peer *p)
{
	*p = *defaults;
	p->url = NULL;
	if (n->type == YAML_SCALAR_NODE)
		return conf_string(w, n, "peers", &p->url);
	if (n->type != YAML_MAPPING_NODE)
		return conf_error(w, n,
		                  "%s: expected a URL or a mapping with url, interval, "
		                  "timeout, max-size",
		                  "peers");
	for (yaml_node_pair_t *pr = n->data.mapping.pairs.start; pr < n->data.mapping.pairs.top;
	     pr++) {
		yaml_node_t *k = yaml_document_get_node(w->doc, pr->key);
		yaml_node_t *v = yaml_document_get_node(w->doc, pr->value);
		const char *key = conf_key(k);
		uint64_t u;

		if (strcmp(key, "url") == 0) {
			if (conf_string(w, v, key, &p->url) == -1)
				return -1;
		} else if (strcmp(key, "interval") == 0) {
			if (conf_number(w, v, key, 1, 86400 * 7, &u) == -1)
				return -1;
			p->interval = (unsigned)u;
		} else if (strcmp(key, "timeout") == 0) {
			if (conf_number(w, v, key, 1, 3600, &u) == -1)
				return -1;
			p->timeout = (unsigned)u;
		} else if (strcmp(key, "max-size") == 0) {
			if (conf_number(w, v, key, 1024, LOAD_MAX_FILE_BYTES, &u) == -1)
				return -1;
			p->max_size = u;
		} else {
			return conf_error(w, k,
			                  "peers: unknown key \"%s\" (url, interval, timeout, "
			                  "max-size)",
			                  key);
		}
	}
	if (p->url == NULL)
		return conf_error(w, n, "%s: each peer needs a url", "peers");
	if (strncmp(p->url, "http://", 7) != 0 && strncmp(p->url, "https://", 8) != 0)
		return conf_error(w, n, "peers: %s is not an http:// or https:// URL", p->url);
	if (strlen(p->url) > SYNC_MAX_URL - 16)
		return conf_error(w, n, "%s: URL too long", "peers");
	return 0;
}

static int conf_trusted(struct conf_walk *w, yaml_node_t *n, struct sync_trusted *t)
{
	char *key = NULL;
	yaml_node_t *scope = NULL;
	char why[160];
	int rc = -1;

	memset(t, 0, sizeof(*t));
	if (n->type != YAML_MAPPING_NODE)
		return conf_error(w, n, "%s: expected a mapping with origin, key and scope",
		                  "trusted");
	for (yaml_node_pair_t *pr = n->data.mapping.pairs.start; pr < n->data.mapping.pairs.top;
	     pr++) {
		yaml_node_t *k = yaml_document_get_node(w->doc, pr->key);
		yaml_node_t *v = yaml_document_get_node(w->doc, pr->value);
		const char *name = conf_key(k);

		if (strcmp(name, "origin") == 0) {
			if (v == NULL || v->type != YAML_SCALAR_NODE)
				return conf_error(w, v, "trusted: origin: %s",
				                  "expected a single value");
			if (!validate_id((const char *)v->data.scalar.value, why, sizeof(why)))
				return conf_error(w, v, "trusted: origin: %s", why);
			snprintf(t->origin, sizeof(t->origin), "%s",
			         (const char *)v->data.scalar.value);
		} else if (strcmp(name, "key") == 0) {
			if (conf_string(w, v, name, &key) == -1)
				goto out;
		} else if (strcmp(name, "scope") == 0) {
			scope = v;
		} else {
			conf_error(w, k, "trusted: unknown key \"%s\" (origin, key, scope)", name);
			goto out;
		}
	}
	if (t->origin[0] == '\0' || key == NULL || scope == NULL) {
		conf_error(w, n, "%s: each trusted origin needs origin, key and scope", "trusted");
		goto out;
	}
	if (sign_pubkey_load(key, &t->key, w->err) == -1) {
		pocdir_error inner = *w->err;

		conf_error(w, n, "trusted: key: %s", inner.message);
		goto out;
	}
	if (scope->type != YAML_SEQUENCE_NODE) {
		conf_error(w, scope, "%s: expected a list of country codes, e.g. [KR]", "scope");
		goto out;
	}
	t->nscope = (size_t)(scope->data.sequence.items.top - scope->data.sequence.items.start);
	if (t->nscope == 0 || t->nscope > 300 ||
	    (t->scope = calloc(t->nscope, sizeof(*t->scope))) == NULL) {
		conf_error(w, scope, "%s: expected 1 to 300 country codes", "scope");
		goto out;
	}
	for (size_t i = 0; i < t->nscope; i++) {
		yaml_node_t *c =
		    yaml_document_get_node(w->doc, scope->data.sequence.items.start[i]);

		if (c == NULL || c->type != YAML_SCALAR_NODE) {
			conf_error(w, c, "scope: %s", "expected a country code, e.g. KR");
			goto out;
		}
		if (!validate_country((const char *)c->data.scalar.value, why, sizeof(why))) {
			conf_error(w, c, "scope: %s", why);
			goto out;
		}
		memcpy(t->scope[i], c->data.scalar.value, 3);
	}
	rc = 0;
out:
	free(key);
	return rc;
}

static int conf_sync(struct conf_walk *w, yaml_node_t *m, struct pocdir_sync_config *c)
{
	struct sync_peer defaults = {NULL, SYNC_DEFAULT_INTERVAL, SYNC_DEFAULT_TIMEOUT,
	                             SYNC_DEFAULT_MAX_SIZE};
	yaml_node_t *peers = NULL, *trusted = NULL;
	uint64_t u;

	if (m->type != YAML_MAPPING_NODE)
		return conf_error(w, m, "%s: expected a mapping (state, peers, trusted, ...)",
		                  "sync");
	for (yaml_node_pair_t *pr = m->data.mapping.pairs.start; pr < m->data.mapping.pairs.top;
	     pr++) {
		yaml_node_t *k = yaml_document_get_node(w->doc, pr->key);
		yaml_node_t *v = yaml_document_get_node(w->doc, pr->value);
		const char *key = conf_key(k);
		int rc = 0;

		if (strcmp(key, "state") == 0)
			rc = conf_string(w, v, key, &c->state);
		else if (strcmp(key, "publisher") == 0)
			rc = conf_string(w, v, key, &c->publisher);
		else if (strcmp(key, "feed-folder") == 0)
			rc = conf_string(w, v, key, &c->feed_dir);
		else if (strcmp(key, "feed-listen") == 0)
			rc = conf_string(w, v, key, &c->feed_listen);
		else if (strcmp(key, "ca-file") == 0)
			rc = conf_string(w, v, key, &c->ca_file);
		else if (strcmp(key, "interval") == 0) {
			rc = conf_number(w, v, key, 1, 86400 * 7, &u);
			defaults.interval = (unsigned)u;
		} else if (strcmp(key, "timeout") == 0) {
			rc = conf_number(w, v, key, 1, 3600, &u);
			defaults.timeout = (unsigned)u;
		} else if (strcmp(key, "max-size") == 0) {
			rc = conf_number(w, v, key, 1024, LOAD_MAX_FILE_BYTES, &u);
			defaults.max_size = u;
		} else if (strcmp(key, "backoff-base") == 0) {
			rc = conf_number(w, v, key, 1, 86400, &u);
			c->backoff_base = (unsigned)u;
		} else if (strcmp(key, "backoff-max") == 0) {
			rc = conf_number(w, v, key, 1, 86400 * 7, &u);
			c->backoff_max = (unsigned)u;
		} else if (strcmp(key, "peers") == 0)
			peers = v;
		else if (strcmp(key, "trusted") == 0)
			trusted = v;
		else
			rc = conf_error(w, k, "sync: unknown setting \"%s\" (see pocdird.conf(5))",
			                key);
		if (rc == -1)
			return -1;
	}
	/* A peer named only on the command line gets these too. */
	c->peer_defaults = defaults;
	/* Peers after the defaults, whichever order the file used. */
	if (peers != NULL) {
		size_t n;

		if (peers->type != YAML_SEQUENCE_NODE)
			return conf_error(w, peers, "%s: expected a list", "peers");
		n = (size_t)(peers->data.sequence.items.top - peers->data.sequence.items.start);
		if (n > SYNC_MAX_PEERS)
			return conf_error(w, peers, "%s: too many peers", "peers");
		if (n > 0 && (c->peers = calloc(n, sizeof(*c->peers))) == NULL)
			return error_set(w->err, POCDIR_ERR_SYSTEM, "out of memory");
		for (size_t i = 0; i < n; i++) {
			yaml_node_t *p =
			    yaml_document_get_node(w->doc, peers->data.sequence.items.start[i]);

			if (p == NULL || conf_peer(w, p, &defaults, &c->peers[i]) == -1) {
				c->npeers = i + 1; /* so that clear frees the url */
				return -1;
			}
			c->npeers = i + 1;
		}
	}
	if (trusted != NULL) {
		size_t n;

		if (trusted->type != YAML_SEQUENCE_NODE)
			return conf_error(w, trusted, "%s: expected a list", "trusted");
		n = (size_t)(trusted->data.sequence.items.top - trusted->data.sequence.items.start);
		if (n > SYNC_MAX_TRUSTED)
			return conf_error(w, trusted, "%s: too many origins", "trusted");
		if (n > 0 && (c->trusted = calloc(n, sizeof(*c->trusted))) == NULL)
			return error_set(w->err, POCDIR_ERR_SYSTEM, "out of memory");
		for (size_t i = 0; i < n; i++) {
			yaml_node_t *t =
			    yaml_document_get_node(w->doc, trusted->data.sequence.items.start[i]);

			c->ntrusted = i + 1;
			if (t == NULL || conf_trusted(w, t, &c->trusted[i]) == -1)
				return -1;
			for (size_t j = 0; j < i; j++)
				if (strcmp(c->trusted[j].origin, c->trusted[i].origin) == 0)
					return conf_error(w, t,
					                  "trusted: origin %s is listed twice",
					                  c->trusted[i].origin);
		}
	}
	return 0;
}

void pocdir_sync_config_free(pocdir_sync_config **cfg)
{
	struct pocdir_sync_config *c;

	if (cfg == NULL || *cfg == NULL)
		return;
	c = *cfg;
	for (size_t i = 0; i < c->npeers; i++)
		free(c->peers[i].url);
	free(c->peers);
	for (size_t i = 0; i < c->ntrusted; i++)
		free(c->trusted[i].scope);
	free(c->trusted);
	free(c->file);
	free(c->directory);
	free(c->base_dn);
	free(c->state);
	free(c->publisher);
	free(c->feed_dir);
	free(c->feed_listen);
	free(c->ca_file);
	free(c);
	*cfg = NULL;
}

pocdir_sync_config *pocdir_sync_config_load(const char *path, pocdir_error *err)
{
	struct pocdir_sync_config *c;
	yaml_document_t doc;
	yaml_node_t *root;
	struct conf_walk w = {&doc, path, err};
	int rc = -1;

	error_clear(err);
	if (path == NULL) {
		error_set(err, POCDIR_ERR_USAGE, "no configuration file given");
		return NULL;
	}
	if ((c = calloc(1, sizeof(*c))) == NULL) {
		error_set(err, POCDIR_ERR_SYSTEM, "out of memory");
		return NULL;
	}
	c->backoff_base = SYNC_DEFAULT_BACKOFF_BASE;
	c->peer_defaults = (struct sync_peer){NULL, SYNC_DEFAULT_INTERVAL, SYNC_DEFAULT_TIMEOUT,
	                                      SYNC_DEFAULT_MAX_SIZE};
	c->backoff_max = SYNC_DEFAULT_BACKOFF_MAX;
	if ((c->file = str_dup(path)) == NULL || conf_load(path, &doc, &root, err) == -1) {
		if (c->file == NULL)
			error_set(err, POCDIR_ERR_SYSTEM, "out of memory");
		pocdir_sync_config_free(&c);
		return NULL;
	}
	/* The daemon's own settings are its business (config.c); we read the
	 * two we share and our "sync:" section. */
	for (yaml_node_pair_t *pr = root ? root->data.mapping.pairs.start : NULL;
	     root != NULL && pr < root->data.mapping.pairs.top; pr++) {
		yaml_node_t *k = yaml_document_get_node(&doc, pr->key);
		yaml_node_t *v = yaml_document_get_node(&doc, pr->value);
		const char *key = conf_key(k);

		if (strcmp(key, "directory") == 0) {
			if (conf_string(&w, v, key, &c->directory) == -1)
				goto out;
		} else if (strcmp(key, "base") == 0) {
			if (conf_string(&w, v, key, &c->base_dn) == -1)
				goto out;
		} else if (strcmp(key, "sync") == 0) {
			/* YAML keys are unique: a second section would leak the
			 * first one's peers and trusted origins. */
			if (c->present) {
				conf_error(&w, k, "%s: given twice", "sync");
				goto out;
			}
			c->present = true;
			if (conf_sync(&w, v, c) == -1)
				goto out;
		}
	}
	if (c->state == NULL && (c->state = str_dup(history_state_dir(NULL))) == NULL)
		goto oom;
	if (c->feed_dir == NULL) {
		size_t n = strlen(c->state) + 8;

		if ((c->feed_dir = malloc(n)) == NULL)
			goto oom;
		snprintf(c->feed_dir, n, "%s/feed", c->state);
	}
	rc = 0;
	goto out;
oom:
	error_set(err, POCDIR_ERR_SYSTEM, "out of memory");
out:
	yaml_document_delete(&doc);
	if (rc == -1)
		pocdir_sync_config_free(&c);
	return c;
}

const char *pocdir_sync_config_state(const pocdir_sync_config *cfg)
{
	return cfg != NULL ? cfg->state : history_state_dir(NULL);
}

const struct sync_trusted *sync_trusted_find(const struct pocdir_sync_config *cfg,
                                             const char *origin)
{
	for (size_t i = 0; i < cfg->ntrusted; i++)
		if (strcmp(cfg->trusted[i].origin, origin) == 0)
			return &cfg->trusted[i];
	return NULL;
}

bool sync_in_scope(const struct sync_trusted *t, const char *cc)
{
	for (size_t i = 0; i < t->nscope; i++)
		if (strcmp(t->scope[i], cc) == 0)
			return true;
	return false;
}

/* ---- The pure core --------------------------------------------------------- */

int sync_plan(const struct feed_index *ix, const struct sync_trusted *trusted, const uint64_t *held,
              size_t ntrusted, struct sync_action **out, pocdir_error *err)
{
	struct sync_action *a;

	*out = NULL;
	if (ix->count == 0)
		return 0;
	if ((a = calloc(ix->count, sizeof(*a))) == NULL)
		return error_set(err, POCDIR_ERR_SYSTEM, "out of memory");
	for (size_t i = 0; i < ix->count; i++) {
		const struct feed_item *it = &ix->items[i];
		size_t t;

		a[i].item = it;
		for (t = 0; t < ntrusted && strcmp(trusted[t].origin, it->origin) != 0; t++)
			;
		if (t == ntrusted) {
			a[i].decision = SYNC_UNTRUSTED;
			continue;
		}
		a[i].trusted = &trusted[t];
		a[i].held = held[t];
		/* Only a higher serial is worth a transfer: an equal one is what
		 * we hold, a lower one a lagging or replaying peer. */
		a[i].decision = it->serial > held[t]    ? SYNC_FETCH
		                : it->serial == held[t] ? SYNC_CURRENT
		                                        : SYNC_STALE;
	}
	*out = a;
	return (int)ix->count;
}

double sync_next_delay(unsigned interval, unsigned failures, unsigned base, unsigned cap,
                       uint32_t rnd)
{
	double d, jitter;

	if (failures == 0) {
		d = interval;
	} else {
		d = base;
		/* base * 2^(failures-1), doubling until the cap (no overflow). */
		for (unsigned i = 1; i < failures && d < cap; i++)
			d *= 2;
		if (d > cap)
			d = cap;
	}
	/* rnd / 2^32 is in [0, 1): map it to [-10%, +10%). Jitter keeps peers
	 * that failed together from retrying together. */
	jitter = ((double)rnd / 4294967296.0 * 2.0 - 1.0) * (SYNC_JITTER_PERCENT / 100.0);
	d += d * jitter;
	return d < 1.0 ? 1.0 : d;
}

int sync_schedule_init(struct sync_schedule *s, size_t npeers, double now, const uint32_t *rnd)
{
	s->npeers = 0;
	if ((s->next = calloc(npeers + 1, sizeof(double))) == NULL) /* +1: none is fine */
		return -1;
	for (size_t i = 0; i < npeers; i++)
		s->next[i] = now + (double)(rnd[i] % 2000) / 1000.0;
	s->npeers = npeers;
	return 0;
}

void sync_schedule_clear(struct sync_schedule *s)
{
	free(s->next);
	s->next = NULL;
	s->npeers = 0;
}

struct sync_turn sync_schedule_next(const struct sync_schedule *s, double now, double local_check)
{
	struct sync_turn t = {false, 0, now + local_check};

	for (size_t i = 1; i < s->npeers; i++)
		if (s->next[i] < s->next[t.peer])
			t.peer = i;
	if (s->npeers == 0)
		return t;
	if (s->next[t.peer] <= now)
		t.due = true;
	else if (s->next[t.peer] < t.wake)
		t.wake = s->next[t.peer];
	return t;
}

double sync_schedule_done(struct sync_schedule *s, size_t p, double now,
                          const struct sync_peer *peer, unsigned failures, unsigned base,
                          unsigned cap, uint32_t rnd)
{
	double delay = sync_next_delay(peer->interval, failures, base, cap, rnd);

	if (p < s->npeers)
		s->next[p] = now + delay;
	return delay;
}

/* ---- Peer state ------------------------------------------------------------ */

static void state_path(const char *state, const char *url, char *buf, size_t size)
{
	char hex[65];

	history_sha256_hex(url, strlen(url), hex);
	snprintf(buf, size, "%s/peers/%.16s.state", state, hex);
}

static void peer_field(const char *key, const char *value, void *ctx)
{
	struct sync_peer_state *st = ctx;

	if (strcmp(key, "url") == 0)
		snprintf(st->url, sizeof(st->url), "%s", value);
	else if (strcmp(key, "etag") == 0)
		snprintf(st->etag, sizeof(st->etag), "%s", value);
	else if (strcmp(key, "last-modified") == 0)
		snprintf(st->last_modified, sizeof(st->last_modified), "%s", value);
	else if (strcmp(key, "last-attempt") == 0)
		st->last_attempt = strtoll(value, NULL, 10);
	else if (strcmp(key, "last-success") == 0)
		st->last_success = strtoll(value, NULL, 10);
	else if (strcmp(key, "failures") == 0)
		st->failures = (unsigned)strtoul(value, NULL, 10);
	else if (strcmp(key, "last-error") == 0)
		snprintf(st->last_error, sizeof(st->last_error), "%s", value);
}

int sync_state_load(const char *state, const char *url, struct sync_peer_state *st,
                    pocdir_error *err)
{
	char path[4096];
	pocdir_error e = {0};

	memset(st, 0, sizeof(*st));
	state_path(state, url, path, sizeof(path));
	if (history_flat_read(path, 8192, peer_field, st, &e) == -1 &&
	    e.code != POCDIR_ERR_NOTFOUND) {
		/* A damaged state file costs one unconditional fetch, no more. */
		memset(st, 0, sizeof(*st));
	}
	snprintf(st->url, sizeof(st->url), "%s", url);
	(void)err;
	return 0;
}

int sync_state_save(const char *state, const struct sync_peer_state *st, pocdir_error *err)
{
	char path[4096], qurl[2 * SYNC_MAX_URL + 8], qetag[600], qlm[160], qerr[1100], text[4096];

	snprintf(path, sizeof(path), "%s/peers", state);
	if (mkdir(state, 0755) == -1 && errno != EEXIST)
		return error_set(err, POCDIR_ERR_SYSTEM, "%s: %s", state, strerror(errno));
	if (mkdir(path, 0755) == -1 && errno != EEXIST)
		return error_set(err, POCDIR_ERR_SYSTEM, "%s: %s", path, strerror(errno));
	state_path(state, st->url, path, sizeof(path));
	history_yaml_quote(st->url, qurl, sizeof(qurl));
	history_yaml_quote(st->etag, qetag, sizeof(qetag));
	history_yaml_quote(st->last_modified, qlm, sizeof(qlm));
	history_yaml_quote(st->last_error, qerr, sizeof(qerr));
	snprintf(text, sizeof(text),
	         "# pocdir: state of syncs from one peer\nurl: %s\netag: %s\nlast-modified: %s\n"
	         "last-attempt: %lld\nlast-success: %lld\nfailures: %u\nlast-error: %s\n",
	         qurl, qetag, qlm, st->last_attempt, st->last_success, st->failures, qerr);
	return file_write_atomic(path, text, strlen(text), err);
}

static int peer_order(const void *a, const void *b)
{
	return strcmp(((const pocdir_peer_status *)a)->url, ((const pocdir_peer_status *)b)->url);
}

int pocdir_peer_status_list(const char *state, pocdir_peer_status **out, pocdir_error *err)
{
	char path[4096];
	DIR *d;
	struct dirent *de;
	pocdir_peer_status *list = NULL;
	size_t n = 0, cap = 0;

	error_clear(err);
	*out = NULL;
	state = history_state_dir(state);
	snprintf(path, sizeof(path), "%s/peers", state);
	if ((d = opendir(path)) == NULL)
		return errno == ENOENT
		           ? 0
		           : error_set(err, POCDIR_ERR_SYSTEM, "%s: %s", path, strerror(errno));
	while ((de = readdir(d)) != NULL) {
		struct sync_peer_state st;
		size_t nl = strlen(de->d_name);
		pocdir_error e = {0};
		char file[4400];

		if (nl < 7 || strcmp(de->d_name + nl - 6, ".state") != 0)
			continue;
		memset(&st, 0, sizeof(st));
		snprintf(file, sizeof(file), "%s/%s", path, de->d_name);
		if (history_flat_read(file, 8192, peer_field, &st, &e) == -1)
			continue;
		if (n == cap) {
			size_t nc = cap ? cap * 2 : 8;
			pocdir_peer_status *nlist = realloc(list, nc * sizeof(*list));

			if (nlist == NULL) {
				closedir(d);
				free(list);
				return error_set(err, POCDIR_ERR_SYSTEM, "out of memory");
			}
			list = nlist;
			cap = nc;
		}
		memset(&list[n], 0, sizeof(list[n]));
		snprintf(list[n].url, sizeof(list[n].url), "%s", st.url);
		list[n].last_attempt = st.last_attempt;
		list[n].last_success = st.last_success;
		list[n].failures = st.failures;
		snprintf(list[n].last_error, sizeof(list[n].last_error), "%s", st.last_error);
		n++;
	}
	closedir(d);
	if (n > 1)
		qsort(list, n, sizeof(*list), peer_order);
	*out = list;
	return (int)n;
}

void pocdir_peer_status_free(pocdir_peer_status **out)
{
	if (out == NULL)
		return;
	free(*out);
	*out = NULL;
}

/* ---- The libcurl shell ----------------------------------------------------- */

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_rc;

static void curl_init_once(void)
{
	curl_init_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

/* One download in progress: bounded buffer, SHA-256 as it streams. */
struct fetch {
	char *buf;
	size_t len, cap, max;
	bool oversize;
	crypto_hash_sha256_state sha;
	char etag[256];
	char last_modified[64];
	char date[64];
};

static size_t on_body(char *p, size_t size, size_t nmemb, void *ud)
{
	struct fetch *f = ud;
	size_t n = size * nmemb;

	/* Past the maximum: returning short makes curl abort (CURLE_WRITE_ERROR). */
	if (n > f->max - f->len) {
		f->oversize = true;
		return 0;
	}
	if (f->len + n + 1 > f->cap) {
		size_t nc = f->cap ? f->cap : 16384;
		char *nb;

		while (nc < f->len + n + 1)
			nc *= 2;
		if (nc > f->max + 1)
			nc = f->max + 1;
		if ((nb = realloc(f->buf, nc)) == NULL)
			return 0;
		f->buf = nb;
		f->cap = nc;
	}
	memcpy(f->buf + f->len, p, n);
	f->len += n;
	f->buf[f->len] = '\0';
	crypto_hash_sha256_update(&f->sha, (const unsigned char *)p, n);
	return n;
}

/* Copy one header's value (bounded, CR/LF trimmed) when its name matches. */
static void header_value(const char *line, size_t len, const char *name, char *out, size_t size)
{
	size_t nl = strlen(name), i;

	if (len <= nl || strncasecmp(line, name, nl) != 0 || line[nl] != ':')
		return;
	for (i = nl + 1; i < len && (line[i] == ' ' || line[i] == '\t'); i++)
		;
	while (len > i && (line[len - 1] == '\r' || line[len - 1] == '\n' || line[len - 1] == ' '))
		len--;
	if (len - i >= size)
		return; /* an absurd validator is not worth keeping */
	memcpy(out, line + i, len - i);
	out[len - i] = '\0';
}

static size_t on_header(char *p, size_t size, size_t nmemb, void *ud)
{
	struct fetch *f = ud;
	size_t n = size * nmemb;

	if (n >= 5 && strncmp(p, "HTTP/", 5) == 0) {
		/* a new response begins */
		f->etag[0] = f->last_modified[0] = f->date[0] = '\0';
		return n;
	}
	header_value(p, n, "ETag", f->etag, sizeof(f->etag));
	header_value(p, n, "Last-Modified", f->last_modified, sizeof(f->last_modified));
	header_value(p, n, "Date", f->date, sizeof(f->date));
	return n;
}

/* RFC 9110 8.8.2.2: a Last-Modified less than a second before the
 * response's Date is weak. A static server (nginx, Python's http.server)
 * derives its validators from the file's modification time in whole
 * seconds, so a second publish within that second would hide behind a 304
 * until the next one. Such a response is not remembered by its
 * validators: the next run fetches it whole. */
static void validators_settle(struct fetch *f)
{
	time_t modified, date;

	if (f->last_modified[0] == '\0')
		return; /* an ETag alone is the server's own (e.g. a content hash) */
	modified = curl_getdate(f->last_modified, NULL);
	date = f->date[0] != '\0' ? curl_getdate(f->date, NULL) : -1;
	if (modified == -1 || date == -1 || date - modified < 1)
		f->etag[0] = f->last_modified[0] = '\0';
}

static void fetch_free(struct fetch *f)
{
	free(f->buf);
	memset(f, 0, sizeof(*f));
}

/* GET url into f (at most max bytes) within timeout seconds. etag / lm make
 * the request conditional (RFC 9110 13.1.2, 13.1.3). Returns 0 with *status
 * the HTTP status, or -1 with why saying what failed. */
static int fetch_url(CURL *h, const char *ca_file, const char *url, size_t max, unsigned timeout,
                     const char *etag, const char *lm, struct fetch *f, long *status, char *why,
                     size_t whysize)
{
	struct curl_slist *headers = NULL;
	char line[400], detail[CURL_ERROR_SIZE] = "";
	CURLcode rc;

	memset(f, 0, sizeof(*f));
	f->max = max;
	crypto_hash_sha256_init(&f->sha);
	*status = 0;
	curl_easy_reset(h);
	if (etag != NULL && etag[0] != '\0') {
		snprintf(line, sizeof(line), "If-None-Match: %s", etag);
		headers = curl_slist_append(headers, line);
	}
	if (lm != NULL && lm[0] != '\0') {
		snprintf(line, sizeof(line), "If-Modified-Since: %s", lm);
		headers = curl_slist_append(headers, line);
	}
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, detail);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L); /* threads: no SIGALRM for DNS */
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
	if (ca_file != NULL) /* a private CA instead of the system's */
		curl_easy_setopt(h, CURLOPT_CAINFO, ca_file);
	curl_easy_setopt(h, CURLOPT_USERAGENT, "pocdir/" POCDIR_VERSION_STRING);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, f);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, f);
	curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)max);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)timeout * 1000L);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, (long)(timeout < 10 ? timeout : 10) * 1000L);
	/* A peer trickling a byte a second is as good as down. */
	curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 16L);
	curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, (long)timeout);
	rc = curl_easy_perform(h);
	curl_slist_free_all(headers);
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, status);
	if (rc == CURLE_OK) {
		validators_settle(f);
		return 0;
	}
	if (f->oversize || rc == CURLE_FILESIZE_EXCEEDED)
		snprintf(why, whysize, "body larger than the maximum of %zu bytes", max);
	else if (rc == CURLE_OPERATION_TIMEDOUT)
		snprintf(why, whysize, "timed out after %u s (%s)", timeout,
		         curl_easy_strerror(rc));
	else if (rc == CURLE_PARTIAL_FILE)
		snprintf(why, whysize, "truncated body (%zu bytes received): %s", f->len,
		         curl_easy_strerror(rc));
	else if (rc == CURLE_COULDNT_CONNECT || rc == CURLE_COULDNT_RESOLVE_HOST)
		snprintf(why, whysize, "peer unreachable: %s", curl_easy_strerror(rc));
	else if (detail[0] != '\0') /* e.g. which certificate check failed */
		snprintf(why, whysize, "%s: %s", curl_easy_strerror(rc), detail);
	else
		snprintf(why, whysize, "%s", curl_easy_strerror(rc));
	fetch_free(f);
	return -1;
}

static void copy_text(char *dst, size_t size, const char *src);

int sync_fetch(const char *url, const char *ca_file, size_t max, unsigned timeout, char **data,
               size_t *len, pocdir_error *err)
{
	return sync_fetch_conditional(url, ca_file, max, timeout, NULL, data, len, err);
}

int sync_fetch_conditional(const char *url, const char *ca_file, size_t max, unsigned timeout,
                           struct sync_validators *v, char **data, size_t *len, pocdir_error *err)
{
	struct fetch f;
	char why[512];
	long status;
	CURL *h;

	*data = NULL;
	*len = 0;
	pthread_once(&curl_once, curl_init_once);
	if (curl_init_rc != CURLE_OK)
		return error_set(err, POCDIR_ERR_SYSTEM, "libcurl: %s",
		                 curl_easy_strerror(curl_init_rc));
	if ((h = curl_easy_init()) == NULL)
		return error_set(err, POCDIR_ERR_SYSTEM, "libcurl: cannot make a handle");
	if (fetch_url(h, ca_file, url, max, timeout, v != NULL ? v->etag : NULL,
	              v != NULL ? v->last_modified : NULL, &f, &status, why, sizeof(why)) == -1) {
		curl_easy_cleanup(h);
		return error_set(err, POCDIR_ERR_SYSTEM, "%s: %s", url, why);
	}
	curl_easy_cleanup(h);
	if (v != NULL && status == 304) {
		fetch_free(&f);
		v->not_modified = true;
		return 0;
	}
	if (status != 200) {
		fetch_free(&f);
		return error_set(err, POCDIR_ERR_SYSTEM, "%s: HTTP status %ld, expected 200", url,
		                 status);
	}
	if (v != NULL) {
		v->not_modified = false;
		copy_text(v->etag, sizeof(v->etag), f.etag);
		copy_text(v->last_modified, sizeof(v->last_modified), f.last_modified);
	}
	if (f.buf == NULL && (f.buf = calloc(1, 1)) == NULL)
		return error_set(err, POCDIR_ERR_SYSTEM, "out of memory");
	*data = f.buf;
	*len = f.len;
	return 0;
}

/* base + rel, with exactly one '/' between them. */
static void url_join(const char *base, const char *rel, char *out, size_t size)
{
	size_t n = strlen(base);

	if (n > 11 && strcmp(base + n - 11, "/index.yaml") == 0)
		n -= 10; /* a peer given as its index URL */
	snprintf(out, size, "%.*s%s%s", (int)n, base, n > 0 && base[n - 1] == '/' ? "" : "/", rel);
}

/* Bounded copy that says so: messages are cut, never overrun. */
static void copy_text(char *dst, size_t size, const char *src)
{
	size_t n = strlen(src);

	if (n >= size)
		n = size - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

static void emit(pocdir_sync_event_fn fn, void *ctx, pocdir_sync_event_kind kind, const char *peer,
                 const char *origin, uint64_t serial, const char *message)
{
	pocdir_sync_event ev = {kind, peer, origin, serial, message};

	if (fn != NULL)
		fn(&ev, ctx);
}

/* Fetch, check and commit one origin. Returns 1 committed, 0 already held,
 * -1 rejected (why says why). */
static int sync_origin(const struct pocdir_sync_config *cfg, const struct sync_peer *peer, CURL *h,
                       const struct sync_action *a, char *why, size_t whysize)
{
	const struct feed_item *it = a->item;
	const struct sync_trusted *t = a->trusted;
	struct fetch set = {0}, sig = {0};
	struct origin_set os;
	unsigned char digest[crypto_hash_sha256_BYTES];
	char url[SYNC_MAX_URL + FEED_MAX_PATH + 16], hex[65], name[SYNC_MAX_URL + 100];
	size_t max =
	    peer->max_size < LOAD_MAX_FILE_BYTES ? (size_t)peer->max_size : LOAD_MAX_FILE_BYTES;
	pocdir_error err = {0};
	long status;
	int rc = -1, r;

	memset(&os, 0, sizeof(os));
	if (it->size > max) {
		snprintf(why, whysize, "set of %" PRIu64 " bytes is larger than the maximum of %zu",
		         it->size, max);
		return -1;
	}
	url_join(peer->url, it->path, url, sizeof(url));
	if (fetch_url(h, cfg->ca_file, url, max, peer->timeout, NULL, NULL, &set, &status, why,
	              whysize) == -1)
		return -1;
	if (status != 200) {
		snprintf(why, whysize, "GET %s: HTTP %ld", it->path, status);
		goto out;
	}
	crypto_hash_sha256_final(&set.sha, digest);
	sodium_bin2hex(hex, sizeof(hex), digest, sizeof(digest));
	if (strcmp(hex, it->sha256) != 0) {
		snprintf(why, whysize,
		         "sha256 mismatch: the index says %.12s..., the body (%zu bytes) hashes to "
		         "%.12s... (corrupted or truncated)",
		         it->sha256, set.len, hex);
		goto out;
	}
	if (it->size != 0 && it->size != set.len) {
		snprintf(why, whysize, "size mismatch: the index says %" PRIu64 ", got %zu",
		         it->size, set.len);
		goto out;
	}
	strncat(url, ".minisig", sizeof(url) - strlen(url) - 1);
	if (fetch_url(h, cfg->ca_file, url, SIGN_MAX_FILE_BYTES, peer->timeout, NULL, NULL, &sig,
	              &status, why, whysize) == -1) {
		char inner[400];

		copy_text(inner, sizeof(inner), why);
		snprintf(why, whysize, "signature: %.390s", inner);
		goto out;
	}
	if (status != 200) {
		snprintf(why, whysize, "GET %s.minisig: HTTP %ld (no signature)", it->path, status);
		goto out;
	}
	/* The origin's key, not the peer's: a relaying hub cannot forge. */
	if (sign_verify_buffer(&t->key, set.buf, set.len, sig.buf, sig.len, NULL, &err) == -1) {
		snprintf(why, whysize, "bad signature: %.500s", err.message);
		goto out;
	}
	copy_text(name, sizeof(name), url);
	if (strlen(name) > 8)
		name[strlen(name) - 8] = '\0'; /* messages name the set, not its .minisig */
	if (load_origin_buffer(set.buf, set.len, name, cfg->base_dn, &os, NULL, NULL, NULL, &err) ==
	    -1) {
		snprintf(why, whysize, "invalid set: %.500s", err.message);
		goto out;
	}
	if (strcmp(os.origin.id, it->origin) != 0) {
		snprintf(why, whysize, "the set is origin %s, the index says %s", os.origin.id,
		         it->origin);
		goto out;
	}
	if (os.origin.serial != it->serial) {
		snprintf(why, whysize, "the set has serial %" PRIu64 ", the index says %" PRIu64,
		         os.origin.serial, it->serial);
		goto out;
	}
	/* An origin speaks only for the countries this node trusts it for. */
	for (size_t i = 0; i < os.origin.nscope; i++)
		if (!sync_in_scope(t, os.origin.scope[i])) {
			snprintf(why, whysize, "scope %s is outside the trusted scope of origin %s",
			         os.origin.scope[i], t->origin);
			goto out;
		}
	for (size_t i = 0; i < os.nentries; i++)
		if (!sync_in_scope(t, os.entries[i]->country)) {
			snprintf(why, whysize,
			         "entry %s/%s is outside the trusted scope of origin %s",
			         os.entries[i]->country, os.entries[i]->id, t->origin);
			goto out;
		}
	r = history_commit(cfg->state, it->origin, it->serial, os.origin.updated, set.buf, set.len,
	                   sig.buf, sig.len, peer->url, &err);
	if (r == -1) {
		copy_text(why, whysize, err.message);
		goto out;
	}
	rc = r == HISTORY_COMMITTED ? 1 : 0;
out:
	origin_set_clear(&os);
	fetch_free(&set);
	fetch_free(&sig);
	return rc;
}

int sync_peer(const struct pocdir_sync_config *cfg, const struct sync_peer *peer,
              pocdir_sync_event_fn fn, void *ctx, pocdir_sync_report *rep, pocdir_error *err)
{
	struct sync_peer_state st;
	struct feed_index ix;
	struct sync_action *actions = NULL;
	struct fetch index = {0};
	uint64_t *held = NULL;
	char url[SYNC_MAX_URL + 32], why[700], first_why[900] = "";
	pocdir_error e = {0};
	CURL *h = NULL;
	long status;
	int n = 0, failures = 0;

	memset(&ix, 0, sizeof(ix));
	rep->peers++;
	emit(fn, ctx, POCDIR_SYNC_PEER, peer->url, NULL, 0, NULL);
	pthread_once(&curl_once, curl_init_once);
	if (curl_init_rc != CURLE_OK || (h = curl_easy_init()) == NULL) {
		snprintf(why, sizeof(why), "libcurl cannot be initialised");
		goto peer_failed;
	}
	sync_state_load(cfg->state, peer->url, &st, NULL);
	st.last_attempt = (long long)time(NULL);
	url_join(peer->url, "index.yaml", url, sizeof(url));
	if (fetch_url(h, cfg->ca_file, url, FEED_MAX_INDEX_BYTES, peer->timeout, st.etag,
	              st.last_modified, &index, &status, why, sizeof(why)) == -1)
		goto peer_failed;
	if (status == 304) {
		/* RFC 9110 15.4.5: nothing changed since our last good run. */
		emit(fn, ctx, POCDIR_SYNC_NOT_MODIFIED, peer->url, NULL, 0, NULL);
		goto done;
	}
	if (status != 200) {
		snprintf(why, sizeof(why), "GET index.yaml: HTTP %ld", status);
		goto peer_failed;
	}
	if (feed_index_parse(index.buf, index.len, url, &ix, &e) == -1) {
		snprintf(why, sizeof(why), "bad index: %.600s", e.message);
		goto peer_failed;
	}
	if (cfg->ntrusted > 0 && (held = calloc(cfg->ntrusted, sizeof(*held))) == NULL) {
		snprintf(why, sizeof(why), "out of memory");
		goto peer_failed;
	}
	for (size_t i = 0; i < cfg->ntrusted; i++)
		if (history_held(cfg->state, cfg->trusted[i].origin, &held[i], &e) == -1) {
			copy_text(why, sizeof(why), e.message);
			goto peer_failed;
		}
	if ((n = sync_plan(&ix, cfg->trusted, held, cfg->ntrusted, &actions, &e)) < 0) {
		copy_text(why, sizeof(why), e.message);
		goto peer_failed;
	}
	for (int i = 0; i < n; i++) {
		const struct sync_action *a = &actions[i];
		char msg[200];
		int r;

		switch (a->decision) {
		case SYNC_UNTRUSTED: {
			uint64_t own = 0;

			rep->ignored++;
			/* Our own origin relayed back to us is no news: sets of
			 * untrusted origins are never accepted, so one held here
			 * was recorded from the local directory. */
			if (history_held(cfg->state, a->item->origin, &own, NULL) == 0 && own > 0)
				continue;
			emit(fn, ctx, POCDIR_SYNC_IGNORED, peer->url, a->item->origin,
			     a->item->serial,
			     "unknown origin: no trusted key for it here, ignored");
			continue;
		}
		case SYNC_STALE:
			rep->checked++;
			rep->ignored++;
			snprintf(msg, sizeof(msg),
			         "peer offers serial %" PRIu64 ", older than the %" PRIu64
			         " held: kept ours",
			         a->item->serial, a->held);
			emit(fn, ctx, POCDIR_SYNC_IGNORED, peer->url, a->item->origin,
			     a->item->serial, msg);
			continue;
		case SYNC_CURRENT:
			rep->checked++;
			continue;
		case SYNC_FETCH:
			break;
		}
		rep->checked++;
		emit(fn, ctx, POCDIR_SYNC_FETCH, peer->url, a->item->origin, a->item->serial, NULL);
		r = sync_origin(cfg, peer, h, a, why, sizeof(why));
		if (r == 1) {
			rep->updated++;
			emit(fn, ctx, POCDIR_SYNC_UPDATED, peer->url, a->item->origin,
			     a->item->serial, NULL);
		} else if (r == -1) {
			rep->rejected++;
			failures++;
			emit(fn, ctx, POCDIR_SYNC_REJECTED, peer->url, a->item->origin,
			     a->item->serial, why);
			if (first_why[0] == '\0')
				snprintf(first_why, sizeof(first_why), "peer %s origin %s: %s",
				         peer->url, a->item->origin, why);
		}
	}
	/* Remember the index's validators only when all of it was taken in:
	 * otherwise a 304 next time would hide the origins we refused. */
	if (failures == 0) {
		snprintf(st.etag, sizeof(st.etag), "%s", index.etag);
		snprintf(st.last_modified, sizeof(st.last_modified), "%s", index.last_modified);
	}
	goto done;
peer_failed:
	rep->peers_failed++;
	failures++;
	emit(fn, ctx, POCDIR_SYNC_PEER_FAILED, peer->url, NULL, 0, why);
	snprintf(first_why, sizeof(first_why), "peer %s: %s", peer->url, why);
done:
	if (h != NULL) {
		if (failures == 0) {
			st.failures = 0;
			st.last_success = st.last_attempt;
			st.last_error[0] = '\0';
		} else {
			st.failures++;
			copy_text(st.last_error, sizeof(st.last_error), first_why);
		}
		(void)sync_state_save(cfg->state, &st, &e);
		curl_easy_cleanup(h);
	}
	free(actions);
	free(held);
	feed_index_clear(&ix);
	fetch_free(&index);
	if (failures > 0)
		return error_set(err, POCDIR_ERR_INVALID, "%s", first_why);
	return 0;
}

static int sync_run(const pocdir_sync_config *cfg, const char *peer_url, pocdir_sync_event_fn fn,
                    void *ctx, pocdir_sync_report *report, pocdir_error *err)
{
	pocdir_error first = {0};
	struct sync_peer adhoc;
	int rc = 0;

	error_clear(err);
	if (cfg == NULL)
		return error_set(err, POCDIR_ERR_USAGE, "no sync configuration");
	if (mkdir(cfg->state, 0755) == -1 && errno != EEXIST)
		return error_set(err, POCDIR_ERR_SYSTEM, "%s: %s", cfg->state, strerror(errno));
	if (peer_url != NULL) {
		const struct sync_peer *p = NULL;

		for (size_t i = 0; i < cfg->npeers && p == NULL; i++)
			if (strcmp(cfg->peers[i].url, peer_url) == 0)
				p = &cfg->peers[i];
		if (p == NULL) {
			/* A peer not in the file: the file's sync: timeout and
			 * max-size still apply. */
			if (strncmp(peer_url, "http://", 7) != 0 &&
			    strncmp(peer_url, "https://", 8) != 0)
				return error_set(err, POCDIR_ERR_USAGE,
				                 "%s: expected an http:// or https:// URL",
				                 peer_url);
			if (strlen(peer_url) > SYNC_MAX_URL - 16)
				return error_set(err, POCDIR_ERR_USAGE, "peer URL too long");
			adhoc = cfg->peer_defaults;
			adhoc.url = (char *)peer_url;
			p = &adhoc;
		}
		return sync_peer(cfg, p, fn, ctx, report, err);
	}
	if (cfg->npeers == 0)
		return error_set(err, POCDIR_ERR_USAGE, "%s: no peers configured (sync: peers:)",
		                 cfg->file);
	for (size_t i = 0; i < cfg->npeers; i++) {
		pocdir_error e = {0};

		if (sync_peer(cfg, &cfg->peers[i], fn, ctx, report, &e) == -1 && rc == 0) {
			first = e;
			rc = -1;
		}
	}
	if (rc == -1 && err != NULL)
		*err = first;
	return rc;
}

int pocdir_sync_run(const pocdir_sync_config *cfg, const char *peer_url, pocdir_sync_event_fn fn,
                    void *ctx, pocdir_sync_report *report, pocdir_error *err)
{
	pocdir_sync_report full = {0};
	int rc = sync_run(cfg, peer_url, fn, ctx, &full, err);

	if (report != NULL)
		abi_out(report, &full, sizeof(full), ABI_SYNC_REPORT_V1);
	return rc;
}

void sync_held_digest(const char *state, char hex[65])
{
	struct history_version *v = NULL;
	crypto_hash_sha256_state h;
	unsigned char d[crypto_hash_sha256_BYTES];
	int n = history_list_newest(state, &v, NULL);

	crypto_hash_sha256_init(&h);
	for (int i = 0; i < n; i++) {
		char line[128];

		snprintf(line, sizeof(line), "%s %" PRIu64 "\n", v[i].origin, v[i].serial);
		crypto_hash_sha256_update(&h, (const unsigned char *)line, strlen(line));
	}
	crypto_hash_sha256_final(&h, d);
	sodium_bin2hex(hex, 65, d, sizeof(d));
	free(v);
}

long long sync_signed_at(const char *directory)
{
	char **files = NULL;
	long long newest = 0;
	int n;

	if (directory == NULL || (n = load_list_files(directory, &files, NULL)) < 0)
		return 0;
	for (int i = 0; i < n; i++) {
		char sig[4096];
		struct stat st;
		long long t;

		snprintf(sig, sizeof(sig), "%s.minisig", files[i]);
		if (stat(sig, &st) == 0 &&
		    (t = (long long)st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec) > newest)
			newest = t;
	}
	strv_free(&files);
	return newest;
}
