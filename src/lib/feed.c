/* feed.c - feeds: parsing a peer's index.yaml (hostile input, bounded),
 * rendering ours, and publishing a folder atomically (pocdir publish). */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <yaml.h>

#include "feed.h"
#include "history.h"
#include "load.h"
#include "util.h"
#include "validate.h"
#include "yamldoc.h"

_Static_assert(FEED_MAX_FILE_BYTES == LOAD_MAX_FILE_BYTES,
               "a feed serves every set the loader takes");

bool feed_file_path(const char *path)
{
	const char *p, *slash;
	char id[65];
	size_t n;

	if (strcmp(path, "index.yaml") == 0)
		return true;
	if (strncmp(path, "origins/", 8) != 0)
		return false;
	p = path + 8;
	if ((slash = strchr(p, '/')) == NULL || (n = (size_t)(slash - p)) == 0 || n >= sizeof(id))
		return false;
	memcpy(id, p, n);
	id[n] = '\0';
	if (!validate_id(id, NULL, 0))
		return false;
	p = slash + 1;
	n = strspn(p, "0123456789");
	if (n == 0 || n > 20)
		return false;
	return strcmp(p + n, ".yaml") == 0 || strcmp(p + n, ".yaml.minisig") == 0;
}

void feed_index_clear(struct feed_index *ix)
{
	if (ix == NULL)
		return;
	free(ix->items);
	memset(ix, 0, sizeof(*ix));
}

/* Keys of one origin in an index (origin, serial, sha256, size, path and
 * room for a later version's): the node budget of a full index. */
#define FEED_ITEM_KEYS_TYPICAL 6

static int item_order(const void *a, const void *b)
{
	return strcmp(((const struct feed_item *)a)->origin, ((const struct feed_item *)b)->origin);
}

static int node_error(pocdir_error *err, const char *name, const yaml_node_t *n, const char *what)
{
	return error_set(err, POCDIR_ERR_INVALID, "%s:%lu:%lu: %s", name,
	                 n != NULL ? (unsigned long)n->start_mark.line + 1 : 0UL,
	                 n != NULL ? (unsigned long)n->start_mark.column + 1 : 0UL, what);
}

/* A scalar value no longer than max-1 bytes, copied into buf. */
static int scalar_copy(const yaml_node_t *n, char *buf, size_t max)
{
	if (n == NULL || n->type != YAML_SCALAR_NODE || n->data.scalar.length >= max)
		return -1;
	memcpy(buf, n->data.scalar.value, n->data.scalar.length);
	buf[n->data.scalar.length] = '\0';
	return 0;
}

static bool parse_u64(const char *s, uint64_t *out)
{
	uint64_t v = 0;

	if (s[0] == '\0' || strlen(s) > 20)
		return false;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9' || v > (UINT64_MAX - (uint64_t)(*s - '0')) / 10)
			return false;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	*out = v;
	return true;
}

static int parse_item(yaml_document_t *doc, yaml_node_t *m, const char *name, struct feed_item *it,
                      pocdir_error *err)
{
	char text[FEED_MAX_PATH], want[FEED_MAX_PATH];
	bool have_serial = false, have_size = false;

	memset(it, 0, sizeof(*it));
	if (m->type != YAML_MAPPING_NODE)
		return node_error(err, name, m, "origins: expected a mapping per origin");
	for (yaml_node_pair_t *p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top;
	     p++) {
		yaml_node_t *k = yaml_document_get_node(doc, p->key);
		yaml_node_t *v = yaml_document_get_node(doc, p->value);
		char key[16];

		if (scalar_copy(k, key, sizeof(key)) == -1)
			return node_error(err, name, k, "origins: unexpected key");
		if (strcmp(key, "origin") == 0) {
			if (scalar_copy(v, it->origin, sizeof(it->origin)) == -1 ||
			    !validate_id(it->origin, NULL, 0))
				return node_error(err, name, v, "origin: expected an origin id");
		} else if (strcmp(key, "serial") == 0 || strcmp(key, "size") == 0) {
			uint64_t *dst = key[1] == 'e' ? &it->serial : &it->size;

			if (scalar_copy(v, text, sizeof(text)) == -1 || !parse_u64(text, dst))
				return node_error(err, name, v, "expected a non-negative number");
			*(key[1] == 'e' ? &have_serial : &have_size) = true;
		} else if (strcmp(key, "sha256") == 0) {
			if (scalar_copy(v, it->sha256, sizeof(it->sha256)) == -1 ||
			    strlen(it->sha256) != 64 ||
			    strspn(it->sha256, "0123456789abcdef") != 64)
				return node_error(err, name, v,
				                  "sha256: expected 64 lower-case hex digits");
		} else if (strcmp(key, "path") == 0) {
			if (scalar_copy(v, it->path, sizeof(it->path)) == -1)
				return node_error(err, name, v, "path: too long");
		} else {
			/* Unknown keys are kept for later versions of the format. */
		}
	}
	if (it->origin[0] == '\0' || !have_serial || it->sha256[0] == '\0' || it->path[0] == '\0')
		return node_error(err, name, m,
		                  "each origin needs origin, serial, sha256 and path");
	if (!have_size)
		it->size = 0; /* unknown: the peer's maximum size still applies */
	snprintf(want, sizeof(want), "origins/%s/%" PRIu64 ".yaml", it->origin, it->serial);
	if (strcmp(want, it->path) != 0)
		return node_error(err, name, m, "path must be origins/<origin>/<serial>.yaml");
	return 0;
}

int feed_index_parse(const char *buf, size_t len, const char *name, struct feed_index *out,
                     pocdir_error *err)
{
	static const struct yamldoc_limits limits = {
	    .max_depth = 4,
	    .max_items = FEED_MAX_ORIGINS,
	    .max_keys = FEED_MAX_ORIGINS,
	    .max_nodes = 32 + (size_t)FEED_MAX_ORIGINS * (1 + 2 * FEED_ITEM_KEYS_TYPICAL),
	    .max_scalar = 1024,
	};
	yaml_document_t doc;
	yaml_node_t *root, *origins = NULL;
	size_t cap = 0;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (len > FEED_MAX_INDEX_BYTES)
		return error_set(err, POCDIR_ERR_LIMIT, "%s: index larger than %u bytes", name,
		                 FEED_MAX_INDEX_BYTES);
	/* An index comes from a peer: aliases are refused, only the shapes we
	 * expect are walked, and the parse stops as soon as it holds more than
	 * an index can (root -> origins -> one mapping per origin -> scalars),
	 * before libyaml has built the rest. */
	if (yamldoc_load_limited(name, buf, len, POCDIR_ERR_INVALID, &limits, &doc, err) == -1)
		return -1;
	root = yaml_document_get_root_node(&doc);
	if (root == NULL || root->type != YAML_MAPPING_NODE) {
		node_error(err, name, root,
		           "expected a mapping with publisher, generated, origins");
		goto out;
	}
	for (yaml_node_pair_t *p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top;
	     p++) {
		yaml_node_t *k = yaml_document_get_node(&doc, p->key);
		yaml_node_t *v = yaml_document_get_node(&doc, p->value);
		char key[16];

		if (scalar_copy(k, key, sizeof(key)) == -1)
			continue;
		if (strcmp(key, "publisher") == 0)
			(void)scalar_copy(v, out->publisher, sizeof(out->publisher));
		else if (strcmp(key, "generated") == 0)
			(void)scalar_copy(v, out->generated, sizeof(out->generated));
		else if (strcmp(key, "origins") == 0)
			origins = v;
	}
	if (origins == NULL ||
	    (origins->type != YAML_SEQUENCE_NODE &&
	     !(origins->type == YAML_SCALAR_NODE && origins->data.scalar.length == 0))) {
		node_error(err, name, origins != NULL ? origins : root,
		           "origins: expected a list of origins");
		goto out;
	}
	if (origins->type == YAML_SEQUENCE_NODE) {
		size_t n =
		    (size_t)(origins->data.sequence.items.top - origins->data.sequence.items.start);

		if (n > FEED_MAX_ORIGINS) {
			error_set(err, POCDIR_ERR_LIMIT, "%s: more than %d origins", name,
			          FEED_MAX_ORIGINS);
			goto out;
		}
		cap = n;
		if (n > 0 && (out->items = calloc(n, sizeof(*out->items))) == NULL) {
			error_set(err, POCDIR_ERR_SYSTEM, "out of memory");
			goto out;
		}
		for (yaml_node_item_t *it = origins->data.sequence.items.start;
		     it < origins->data.sequence.items.top; it++) {
			yaml_node_t *m = yaml_document_get_node(&doc, *it);

			if (m == NULL || out->count >= cap ||
			    parse_item(&doc, m, name, &out->items[out->count], err) == -1)
				goto out;
			out->count++;
		}
	}
	if (out->count > 1) /* qsort's array may not be NULL, even when empty */
		qsort(out->items, out->count, sizeof(*out->items), item_order);
	for (size_t i = 1; i < out->count; i++)
		if (strcmp(out->items[i - 1].origin, out->items[i].origin) == 0) {
			error_set(err, POCDIR_ERR_INVALID, "%s: origin %s is listed twice", name,
			          out->items[i].origin);
			goto out;
		}
	rc = 0;
out:
	if (rc == -1)
		feed_index_clear(out);
	yaml_document_delete(&doc);
	return rc;
}

char *feed_index_render(const struct feed_index *ix)
{
	size_t cap = 512 + ix->count * (FEED_MAX_PATH + 256), o = 0;
	char *s = malloc(cap), qpub[300], qgen[160];

	if (s == NULL)
		return NULL;
	/* Both came from a peer's index when relayed: quoted, so they read
	 * back as the same scalars. */
	history_yaml_quote(ix->publisher, qpub, sizeof(qpub));
	history_yaml_quote(ix->generated, qgen, sizeof(qgen));
	o += (size_t)snprintf(s + o, cap - o,
	                      "# pocdir feed index: fetch only the origins whose serial is newer\n"
	                      "publisher: %s\ngenerated: %s\norigins:%s\n",
	                      qpub, qgen, ix->count == 0 ? " []" : "");
	for (size_t i = 0; i < ix->count; i++) {
		const struct feed_item *it = &ix->items[i];

		o += (size_t)snprintf(s + o, cap - o,
		                      "  - origin: %s\n    serial: %" PRIu64 "\n    sha256: %s\n"
		                      "    size: %" PRIu64 "\n    path: %s\n",
		                      it->origin, it->serial, it->sha256, it->size, it->path);
	}
	return s;
}

static int mkdir_one(const char *path, pocdir_error *err)
{
	if (mkdir(path, 0755) == -1 && errno != EEXIST)
		return error_set(err, POCDIR_ERR_SYSTEM, "%s: cannot create folder: %s", path,
		                 strerror(errno));
	return 0;
}

/* Copy a file into the feed unless the same bytes are there: sets are
 * immutable once published, so an existing file is only checked. */
static int feed_copy(const char *from, const char *to, size_t max, pocdir_error *err)
{
	char *data = NULL, *have = NULL;
	size_t len, hlen;
	int rc;

	if (file_read(from, max, &data, &len, err) == -1)
		return -1;
	if (file_read(to, max, &have, &hlen, NULL) == 0 && hlen == len &&
	    memcmp(have, data, len) == 0)
		rc = 0;
	else
		rc = file_write_atomic(to, data, len, err);
	free(data);
	free(have);
	return rc;
}

/* After a new index: drop the sets of origins/<id>/ older than the one the
 * index names and the one before it. The one before stays for a reader who
 * fetched the previous index a moment ago. Removal failures are harmless. */
static void feed_prune(const char *out_dir, const struct feed_index *ix)
{
	for (size_t i = 0; i < ix->count; i++) {
		char dir[4096], file[4400];
		uint64_t keep_from = 0;
		struct dirent *de;
		DIR *d;

		snprintf(dir, sizeof(dir), "%s/origins/%s", out_dir, ix->items[i].origin);
		if ((d = opendir(dir)) == NULL)
			continue;
		/* The newest serial below the current one is the previous. */
		while ((de = readdir(d)) != NULL) {
			uint64_t serial;
			size_t n = strspn(de->d_name, "0123456789");

			if (n == 0 || strcmp(de->d_name + n, ".yaml") != 0)
				continue;
			serial = strtoull(de->d_name, NULL, 10);
			if (serial < ix->items[i].serial && serial > keep_from)
				keep_from = serial;
		}
		rewinddir(d);
		while ((de = readdir(d)) != NULL) {
			size_t n = strspn(de->d_name, "0123456789");

			if (n == 0 || (strcmp(de->d_name + n, ".yaml") != 0 &&
			               strcmp(de->d_name + n, ".yaml.minisig") != 0))
				continue;
			if (keep_from == 0 || strtoull(de->d_name, NULL, 10) >= keep_from)
				continue;
			snprintf(file, sizeof(file), "%s/%s", dir, de->d_name);
			(void)unlink(file);
		}
		closedir(d);
	}
}

int pocdir_publish(const char *directory, const char *state, const char *out_dir,
                   const char *publisher, pocdir_error *err)
{
	struct history_version *v = NULL;
	struct feed_index ix;
	char path[4096], from[4096], *text = NULL;
	time_t now = time(NULL);
	struct tm tm;
	int n, lock, rc = -1;

	error_clear(err);
	memset(&ix, 0, sizeof(ix));
	if (out_dir == NULL)
		return error_set(err, POCDIR_ERR_USAGE, "publish needs an output folder");
	state = history_state_dir(state);
	if (mkdir_one(state, err) == -1)
		return -1;
	if (directory != NULL && history_import(state, directory, NULL, NULL, err) == -1)
		return -1;
	/* Under the state lock from the listing to the prune: two publishers
	 * (the daemon's reload and sync, a cron job) would otherwise write an
	 * index older than the one before it, or name sets the other pruned. */
	if ((lock = history_lock(state, err)) == -1)
		return -1;
	if ((n = history_list(state, NULL, &v, err)) < 0) {
		close(lock);
		return -1;
	}
	snprintf(ix.publisher, sizeof(ix.publisher), "%s", publisher != NULL ? publisher : "");
	gmtime_r(&now, &tm);
	strftime(ix.generated, sizeof(ix.generated), "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (n > 0 && (ix.items = calloc((size_t)n, sizeof(*ix.items))) == NULL) {
		error_set(err, POCDIR_ERR_SYSTEM, "out of memory");
		goto out;
	}
	snprintf(path, sizeof(path), "%s/origins", out_dir);
	if (mkdir_one(out_dir, err) == -1 || mkdir_one(path, err) == -1)
		goto out;
	for (int i = 0; i < n; i++) {
		struct feed_item *it;
		struct stat st;
		char *data = NULL;
		size_t len;

		/* history_list sorts by origin then serial: take the last of each. */
		if (i + 1 < n && strcmp(v[i].origin, v[i + 1].origin) == 0)
			continue;
		it = &ix.items[ix.count];
		snprintf(it->origin, sizeof(it->origin), "%s", v[i].origin);
		it->serial = v[i].serial;
		snprintf(it->path, sizeof(it->path), "origins/%s/%" PRIu64 ".yaml", v[i].origin,
		         v[i].serial);
		/* An origin's set is useless to peers without its signature. */
		snprintf(from, sizeof(from), "%s/sets/%s/%" PRIu64 ".yaml.minisig", state,
		         v[i].origin, v[i].serial);
		if (stat(from, &st) == -1)
			continue;
		snprintf(path, sizeof(path), "%s/origins/%s", out_dir, v[i].origin);
		if (mkdir_one(path, err) == -1)
			goto out;
		snprintf(path, sizeof(path), "%s/%s.minisig", out_dir, it->path);
		if (feed_copy(from, path, 4096, err) == -1)
			goto out;
		snprintf(from, sizeof(from), "%s/sets/%s/%" PRIu64 ".yaml", state, v[i].origin,
		         v[i].serial);
		snprintf(path, sizeof(path), "%s/%s", out_dir, it->path);
		if (feed_copy(from, path, LOAD_MAX_FILE_BYTES, err) == -1)
			goto out;
		/* Hash what was published, not what the .meta says. */
		if (file_read(path, LOAD_MAX_FILE_BYTES, &data, &len, err) == -1)
			goto out;
		history_sha256_hex(data, len, it->sha256);
		it->size = len;
		free(data);
		ix.count++;
	}
	if ((text = feed_index_render(&ix)) == NULL) {
		error_set(err, POCDIR_ERR_SYSTEM, "out of memory");
		goto out;
	}
	/* Last: readers see the old index until every set it names is there. */
	snprintf(path, sizeof(path), "%s/index.yaml", out_dir);
	if (file_write_atomic(path, text, strlen(text), err) == -1)
		goto out;
	feed_prune(out_dir, &ix);
	rc = (int)ix.count;
out:
	close(lock);
	free(text);
	free(v);
	feed_index_clear(&ix);
	return rc;
}
