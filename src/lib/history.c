/* history.c - the state directory: every accepted origin set, append-only,
 * with rollback protection and "as of" selection (see history.h). */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <yaml.h>

#include "api.h"
#include "export.h"
#include "history.h"
#include "util.h"
#include "validate.h"
#include "yamldoc.h"

#ifndef POCDIR_LOCALSTATEDIR
#define POCDIR_LOCALSTATEDIR "/var"
#endif

#define META_MAX_BYTES 8192

const char *history_state_dir(const char *explicit_dir)
{
	const char *env = getenv("POCDIR_STATE");

	if (explicit_dir != NULL && explicit_dir[0] != '\0')
		return explicit_dir;
	if (env != NULL && env[0] != '\0')
		return env;
	return POCDIR_LOCALSTATEDIR "/lib/pocdir";
}

char *history_path(const char *state, const char *origin, uint64_t serial, const char *kind)
{
	size_t n = strlen(state) + strlen(origin) + strlen(kind) + 48;
	char *p = malloc(n);

	if (p != NULL)
		snprintf(p, n, "%s/sets/%s/%" PRIu64 "%s", state, origin, serial, kind);
	return p;
}

void history_sha256_hex(const void *data, size_t len, char hex[65])
{
	unsigned char h[crypto_hash_sha256_BYTES];

	crypto_hash_sha256(h, data, len);
	sodium_bin2hex(hex, 65, h, sizeof(h));
}

/* A serial as the file name carries it: decimal digits, no sign, no
 * leading zero, fits 64 bits. */
static bool serial_parse(const char *s, size_t len, uint64_t *out)
{
	uint64_t v = 0;

	if (len == 0 || len > 20 || (s[0] == '0' && len > 1))
		return false;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		if (v > (UINT64_MAX - (uint64_t)(s[i] - '0')) / 10)
			return false;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	*out = v;
	return true;
}

static int mkdir_p(const char *path, pocdir_error *err)
{
	char *copy = str_dup(path);

	if (copy == NULL)
		return error_set(err, POCDIR_ERR_SYSTEM, "out of memory");
	for (char *p = copy + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(copy, 0755) == -1 && errno != EEXIST)
			goto fail;
		*p = '/';
	}
	if (mkdir(copy, 0755) == -1 && errno != EEXIST)
		goto fail;
	free(copy);
	return 0;
fail:
	error_set(err, POCDIR_ERR_SYSTEM, "%s: cannot create folder: %s", copy, strerror(errno));
	free(copy);
	return -1;
}

/* The serials held for origin (files "<serial>.yaml"), ascending. */
static int list_serials(const char *state, const char *origin, uint64_t **out, size_t *n,
                        pocdir_error *err)
{
	size_t len = strlen(state) + strlen(origin) + 16, cap = 0;
	char *dir = malloc(len);
	DIR *d;
	struct dirent *de;
	uint64_t *list = NULL;

	*out = NULL;
	*n = 0;
	if (dir == NULL)
		return error_set(err, POCDIR_ERR_SYSTEM, "out of memory");
	snprintf(dir, len, "%s/sets/%s", state, origin);
	d = opendir(dir);
	if (d == NULL) {
		int e = errno;

		free(dir);
		if (e == ENOENT)
			return 0;
		return error_set(err, POCDIR_ERR_SYSTEM, "%s/sets/%s: %s", state, origin,
		                 strerror(e));
	}
	while ((de = readdir(d)) != NULL) {
		size_t nl = strlen(de->d_name);
		uint64_t serial;

		if (nl < 6 || strcmp(de->d_name + nl - 5, ".yaml") != 0 ||
		    !serial_parse(de->d_name, nl - 5, &serial))
			continue;
		if (*n == cap) {
			size_t ncap = cap ? cap * 2 : 16;
			uint64_t *nlist = realloc(list, ncap * sizeof(*list));

			if (nlist == NULL) {
				free(list);
				closedir(d);
				free(dir);
				return error_set(err, POCDIR_ERR_SYSTEM, "out of memory");
			}
			list = nlist;
			cap = ncap;
		}
		list[(*n)++] = serial;
	}
	closedir(d);
	free(dir);
	for (size_t i = 1; i < *n; i++) /* insertion sort: histories are short */
		for (size_t j = i; j > 0 && list[j - 1] > list[j]; j--) {
			uint64_t t = list[j];

			list[j] = list[j - 1];
			list[j - 1] = t;
		}
	*out = list;
	return 0;
}

int history_held(const char *state, const char *origin, uint64_t *serial, pocdir_error *err)
{
	uint64_t *list;
	size_t n;

	*serial = 0;
	if (list_serials(state, origin, &list, &n, err) == -1)
		return -1;
	if (n > 0)
		*serial = list[n - 1];
	free(list);
	return 0;
}

int history_flat_read(const char *path, size_t max,
                      void (*fn)(const char *key, const char *value, void *ctx), void *ctx,
                      pocdir_error *err)
{
	yaml_document_t doc;
	yaml_node_t *root;
	int rc = -1;

	if (yamldoc_load_file(path, max, POCDIR_ERR_INVALID, &doc, err) == -1)
		return -1;
	root = yaml_document_get_root_node(&doc);
	if (root == NULL || root->type != YAML_MAPPING_NODE) {
		error_set(err, POCDIR_ERR_INVALID, "%s: expected a mapping", path);
		goto out;
	}
	for (yaml_node_pair_t *p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top;
	     p++) {
		yaml_node_t *k = yaml_document_get_node(&doc, p->key);
		yaml_node_t *v = yaml_document_get_node(&doc, p->value);

		if (k != NULL && v != NULL && k->type == YAML_SCALAR_NODE &&
		    v->type == YAML_SCALAR_NODE)
			fn((const char *)k->data.scalar.value, (const char *)v->data.scalar.value,
			   ctx);
	}
	rc = 0;
out:
	yaml_document_delete(&doc);
	return rc;
}

void history_yaml_quote(const char *s, char *buf, size_t size)
{
	size_t o = 0;

	if (size < 3) {
		if (size > 0)
			buf[0] = '\0';
		return;
	}
	buf[o++] = '"';
	for (; *s != '\0' && o + 7 < size; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\') {
			buf[o++] = '\\';
			buf[o++] = (char)c;
		} else if (c < 0x20 || c == 0x7f) {
			o += (size_t)snprintf(buf + o, size - o, "\\x%02x", c);
		} else {
			buf[o++] = (char)c;
		}
	}
	buf[o++] = '"';
	buf[o] = '\0';
}

static void meta_field(const char *key, const char *value, void *ctx)
{
	struct history_version *v = ctx;

	if (strcmp(key, "updated") == 0)
		snprintf(v->updated, sizeof(v->updated), "%s", value);
	else if (strcmp(key, "source") == 0)
		snprintf(v->source, sizeof(v->source), "%s", value);
	else if (strcmp(key, "received") == 0)
		v->received = strtoll(value, NULL, 10);
	else if (strcmp(key, "sha256") == 0)
		snprintf(v->sha256, sizeof(v->sha256), "%s", value);
}

/* history_list, and its cheap form: newest_only keeps the last serial of
 * each origin and reads no .meta files. */
static int list_versions(const char *state, const char *origin, bool newest_only,
                         struct history_version **out, pocdir_error *err)
{
	char **origins = NULL;
	size_t norigins = 0, n = 0, cap = 0;
	struct history_version *list = NULL;
	int rc = -1;

	*out = NULL;
	if (origin != NULL) {
		char why[128];

		if (!validate_id(origin, why, sizeof(why)))
			return error_set(err, POCDIR_ERR_USAGE, "origin \"%s\": %s", origin, why);
		origins = calloc(2, sizeof(char *));
		if (origins == NULL || (origins[0] = str_dup(origin)) == NULL)
			goto oom;
		norigins = 1;
	} else {
		size_t len = strlen(state) + 8;
		char *dir = malloc(len);
		DIR *d;
		struct dirent *de;
		size_t ocap = 0;

		if (dir == NULL)
			goto oom;
		snprintf(dir, len, "%s/sets", state);
		d = opendir(dir);
		free(dir);
		if (d == NULL) {
			if (errno == ENOENT)
				return 0; /* an empty state holds nothing */
			return error_set(err, POCDIR_ERR_SYSTEM, "%s/sets: %s", state,
			                 strerror(errno));
		}
		while ((de = readdir(d)) != NULL) {
			if (de->d_name[0] == '.' || !validate_id(de->d_name, NULL, 0))
				continue;
			if (norigins + 2 > ocap) {
				size_t nc = ocap ? ocap * 2 : 32;
				char **no = realloc(origins, nc * sizeof(char *));

				if (no == NULL) {
					closedir(d);
					goto oom;
				}
				origins = no;
				ocap = nc;
			}
			if ((origins[norigins] = str_dup(de->d_name)) == NULL) {
				closedir(d);
				goto oom;
			}
			origins[++norigins] = NULL;
		}
		closedir(d);
		for (size_t i = 1; i < norigins; i++)
			for (size_t j = i; j > 0 && strcmp(origins[j - 1], origins[j]) > 0; j--) {
				char *t = origins[j];

				origins[j] = origins[j - 1];
				origins[j - 1] = t;
			}
	}
	for (size_t i = 0; i < norigins; i++) {
		uint64_t *serials;
		size_t ns;

		if (list_serials(state, origins[i], &serials, &ns, err) == -1)
			goto fail;
		for (size_t j = newest_only && ns > 0 ? ns - 1 : 0; j < ns; j++) {
			struct history_version *v;
			char *meta;
			pocdir_error ignored = {0};

			if (n == cap) {
				size_t nc = cap ? cap * 2 : 32;
				struct history_version *nl = realloc(list, nc * sizeof(*list));

				if (nl == NULL) {
					free(serials);
					goto oom;
				}
				list = nl;
				cap = nc;
			}
			v = &list[n++];
			memset(v, 0, sizeof(*v));
			snprintf(v->origin, sizeof(v->origin), "%s", origins[i]);
			v->serial = serials[j];
			if (newest_only)
				continue;
			meta = history_path(state, origins[i], serials[j], ".meta");
			if (meta == NULL) {
				free(serials);
				goto oom;
			}
			/* A missing or damaged .meta only loses the details. */
			(void)history_flat_read(meta, META_MAX_BYTES, meta_field, v, &ignored);
			free(meta);
		}
		free(serials);
	}
	*out = list;
	list = NULL;
	rc = (int)n;
	goto fail;
oom:
	error_set(err, POCDIR_ERR_SYSTEM, "out of memory");
fail:
	free(list);
	if (origins != NULL)
		for (size_t i = 0; i < norigins; i++)
			free(origins[i]);
	free(origins);
	return rc;
}

int history_list(const char *state, const char *origin, struct history_version **out,
                 pocdir_error *err)
{
	return list_versions(state, origin, false, out, err);
}

int history_list_newest(const char *state, struct history_version **out, pocdir_error *err)
{
	return list_versions(state, NULL, true, out, err);
}

/* Remove the temporary files a crash left in a set folder (file_write_atomic
 * names them "<name>.tmpXXXXXX"). Only called under the state lock, so no
 * writer of this folder is running; they never look like versions anyway. */
static void remove_leftovers(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char path[4400];

	if (d == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		const char *t = strstr(de->d_name, ".tmp");

		if (t == NULL || strlen(t) != 10)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		(void)unlink(path);
	}
	closedir(d);
}

int history_lock(const char *state, pocdir_error *err)
{
	size_t len = strlen(state) + 8;
	char *path = malloc(len);
	int fd;

	if (path == NULL)
		return error_set(err, POCDIR_ERR_SYSTEM, "out of memory");
	snprintf(path, len, "%s/lock", state);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd == -1 || flock(fd, LOCK_EX) == -1) {
		error_set(err, POCDIR_ERR_SYSTEM, "%s: cannot lock: %s", path, strerror(errno));
		if (fd != -1)
			close(fd);
		fd = -1;
	}
	free(path);
	return fd;
}

int history_commit(const char *state, const char *origin, uint64_t serial, const char *updated,
                   const char *data, size_t len, const char *sig, size_t siglen, const char *source,
                   pocdir_error *err)
{
	char why[128], hex[65], qsource[2 * HISTORY_MAX_SOURCE + 8], qupdated[80], *meta = NULL;
	char *dir = NULL, *path_yaml = NULL, *path_sig = NULL, *path_meta = NULL, *old = NULL;
	uint64_t held;
	size_t oldlen, n;
	int fd = -1, rc = -1;

	if (!validate_id(origin, why, sizeof(why)))
		return error_set(err, POCDIR_ERR_INVALID, "origin \"%s\": %s", origin, why);
	if (serial == 0)
		return error_set(err, POCDIR_ERR_INVALID, "origin %s: serial 0 is not a version",
		                 origin);
	n = strlen(state) + strlen(origin) + 8;
	if ((dir = malloc(n)) == NULL)
		goto oom;
	snprintf(dir, n, "%s/sets/%s", state, origin);
	if (mkdir_p(dir, err) == -1)
		goto out;
	if ((fd = history_lock(state, err)) == -1)
		goto out;
	remove_leftovers(dir);
	if (history_held(state, origin, &held, err) == -1)
		goto out;
	if (serial <= held) {
		char *heldpath = history_path(state, origin, held, ".yaml");

		if (heldpath == NULL)
			goto oom;
		if (serial == held &&
		    file_read(heldpath, LOAD_MAX_FILE_BYTES, &old, &oldlen, err) == 0 &&
		    oldlen == len && memcmp(old, data, len) == 0) {
			free(heldpath);
			rc = HISTORY_SAME;
			goto out;
		}
		free(heldpath);
		error_set(err, POCDIR_ERR_INVALID,
		          serial == held ? "serial %" PRIu64
		                           " is already held with different content "
		                           "(rollback protection: the origin must raise its serial)"
		                         : "serial %" PRIu64 " is older than the serial %" PRIu64
		                           " held (rollback refused)",
		          serial, held);
		goto out;
	}
	path_yaml = history_path(state, origin, serial, ".yaml");
	path_sig = history_path(state, origin, serial, ".yaml.minisig");
	path_meta = history_path(state, origin, serial, ".meta");
	if (path_yaml == NULL || path_sig == NULL || path_meta == NULL)
		goto oom;
	history_sha256_hex(data, len, hex);
	history_yaml_quote(source != NULL ? source : "", qsource, sizeof(qsource));
	history_yaml_quote(updated != NULL ? updated : "", qupdated, sizeof(qupdated));
	n = strlen(qsource) + strlen(qupdated) + 256;
	if ((meta = malloc(n)) == NULL)
		goto oom;
	snprintf(meta, n,
	         "# pocdir history: how this version arrived\n"
	         "origin: %s\nserial: %" PRIu64 "\nupdated: %s\nsha256: %s\nsource: %s\n"
	         "received: %lld\n",
	         origin, serial, qupdated, hex, qsource, (long long)time(NULL));
	/* The .yaml goes last: its presence means the version is complete. */
	if (sig != NULL && file_write_atomic(path_sig, sig, siglen, err) == -1)
		goto out;
	if (file_write_atomic(path_meta, meta, strlen(meta), err) == -1)
		goto out;
	if (file_write_atomic(path_yaml, data, len, err) == -1)
		goto out;
	rc = HISTORY_COMMITTED;
	goto out;
oom:
	error_set(err, POCDIR_ERR_SYSTEM, "out of memory");
out:
	if (fd != -1)
		close(fd); /* releases the lock */
	free(dir);
	free(path_yaml);
	free(path_sig);
	free(path_meta);
	free(meta);
	free(old);
	return rc;
}

int history_at_parse(const char *text, struct history_at *at, pocdir_error *err)
{
	char why[128];
	size_t len;

	memset(at, 0, sizeof(*at));
	at->kind = AT_NEWEST;
	if (text == NULL || text[0] == '\0')
		return 0;
	len = strlen(text);
	if (strspn(text, "0123456789") == len) {
		if (!serial_parse(text, len, &at->serial))
			return error_set(err, POCDIR_ERR_USAGE, "--at %s: not a serial", text);
		at->kind = AT_SERIAL;
		return 0;
	}
	if (validate_date(text, NULL, 0)) {
		/* A day means "as it stood at the end of that day". */
		snprintf(at->time, sizeof(at->time), "%.10sT23:59:59Z", text);
	} else if (validate_timestamp(text, why, sizeof(why))) {
		snprintf(at->time, sizeof(at->time), "%s", text);
	} else {
		return error_set(err, POCDIR_ERR_USAGE,
		                 "--at %s: expected a serial (2026112201), a date (2026-11-22) "
		                 "or a UTC time (2026-11-22T09:00:00Z)",
		                 text);
	}
	at->kind = AT_TIME;
	return 0;
}

/* "updated" in the comparable form YYYY-MM-DDTHH:MM:SSZ (a date alone is
 * its first second). */
static void time_canonical(const char *updated, char *buf, size_t size)
{
	if (strlen(updated) == 10)
		snprintf(buf, size, "%sT00:00:00Z", updated);
	else
		snprintf(buf, size, "%s", updated);
}

bool history_at_matches(const struct history_at *at, uint64_t serial, const char *updated)
{
	char t[40];

	switch (at->kind) {
	case AT_NEWEST:
		return true;
	case AT_SERIAL:
		return serial <= at->serial;
	case AT_TIME:
		if (updated == NULL || updated[0] == '\0')
			return false; /* unknown age: not provably in the past */
		time_canonical(updated, t, sizeof(t));
		return strcmp(t, at->time) <= 0;
	}
	return false;
}

/* One candidate set for an origin while choosing what to load. */
struct candidate {
	char *origin;
	uint64_t serial;
	char *path;
};

static int candidate_add(struct candidate **list, size_t *n, size_t *cap, const char *origin,
                         uint64_t serial, const char *path)
{
	for (size_t i = 0; i < *n; i++) {
		if (strcmp((*list)[i].origin, origin) != 0)
			continue;
		if (serial > (*list)[i].serial) {
			char *p = str_dup(path);

			if (p == NULL)
				return -1;
			free((*list)[i].path);
			(*list)[i].path = p;
			(*list)[i].serial = serial;
		}
		return 0;
	}
	if (*n == *cap) {
		size_t nc = *cap ? *cap * 2 : 32;
		struct candidate *nl = realloc(*list, nc * sizeof(**list));

		if (nl == NULL)
			return -1;
		*list = nl;
		*cap = nc;
	}
	(*list)[*n].origin = str_dup(origin);
	(*list)[*n].path = str_dup(path);
	(*list)[*n].serial = serial;
	if ((*list)[*n].origin == NULL || (*list)[*n].path == NULL) {
		free((*list)[*n].origin);
		free((*list)[*n].path);
		return -1;
	}
	(*n)++;
	return 0;
}

struct store *history_store_load(const char *directory, const char *state,
                                 const struct history_at *at, const char *base_dn,
                                 pocdir_error *err)
{
	struct history_at newest = {.kind = AT_NEWEST};
	struct candidate *cands = NULL;
	struct origin_set *sets = NULL;
	struct history_version *versions = NULL;
	struct store *s = NULL;
	size_t ncands = 0, cap = 0, nsets = 0;
	char **files = NULL;
	int nv = 0;

	if (at == NULL)
		at = &newest;
	if (directory != NULL) {
		struct stat st;
		int nf = load_list_files(directory, &files, err);

		/* A folder without origin files is fine when the history has
		 * the sets (a relay node, or --at on a fresh checkout). */
		if (nf < 0 && state != NULL && err != NULL && err->code == POCDIR_ERR_INVALID &&
		    stat(directory, &st) == 0 && S_ISDIR(st.st_mode)) {
			error_clear(err);
			nf = 0;
		}
		if (nf < 0)
			return NULL;
		for (int i = 0; i < nf; i++) {
			struct origin_set set;
			unsigned nerr = 0;

			if (load_origin_file(files[i], base_dn, &set, NULL, NULL, &nerr, err) == -1)
				goto out;
			if (history_at_matches(at, set.origin.serial, set.origin.updated) &&
			    candidate_add(&cands, &ncands, &cap, set.origin.id, set.origin.serial,
			                  files[i]) == -1) {
				origin_set_clear(&set);
				goto oom;
			}
			origin_set_clear(&set);
		}
	}
	if (state != NULL) {
		/* The newest of each origin needs no .meta; an "as of" does. */
		nv = at->kind == AT_NEWEST ? history_list_newest(state, &versions, err)
		                           : history_list(state, NULL, &versions, err);
		if (nv < 0)
			goto out;
		for (int i = 0; i < nv; i++) {
			char *path;

			if (!history_at_matches(at, versions[i].serial, versions[i].updated))
				continue;
			if ((path = history_path(state, versions[i].origin, versions[i].serial,
			                         ".yaml")) == NULL)
				goto oom;
			if (candidate_add(&cands, &ncands, &cap, versions[i].origin,
			                  versions[i].serial, path) == -1) {
				free(path);
				goto oom;
			}
			free(path);
		}
	}
	if ((sets = calloc(ncands + 1, sizeof(*sets))) == NULL)
		goto oom;
	for (size_t i = 0; i < ncands; i++) {
		unsigned nerr = 0;

		if (load_origin_file(cands[i].path, base_dn, &sets[nsets], NULL, NULL, &nerr,
		                     err) == -1)
			goto out;
		nsets++;
	}
	s = store_build(sets, nsets, base_dn, NULL, NULL, err);
	nsets = 0; /* store_build took what the sets held */
	goto out;
oom:
	error_set(err, POCDIR_ERR_SYSTEM, "out of memory");
out:
	for (size_t i = 0; i < nsets; i++)
		origin_set_clear(&sets[i]);
	free(sets);
	for (size_t i = 0; i < ncands; i++) {
		free(cands[i].origin);
		free(cands[i].path);
	}
	free(cands);
	free(versions);
	strv_free(&files);
	return s;
}

/* One local file's problem: with fn, report it and go on (the daemon keeps
 * publishing the other origins); without, it is the caller's error. */
static int import_problem(const char *file, pocdir_diag_fn fn, void *ctx, pocdir_error *err)
{
	pocdir_error inner = *err;
	char msg[1200];
	pocdir_diag d = {file, 0, 0, msg};

	if (fn == NULL || inner.code == POCDIR_ERR_SYSTEM) {
		if (strncmp(inner.message, file, strlen(file)) != 0)
			error_set(err, inner.code, "%s: %s", file, inner.message);
		return -1;
	}
	snprintf(msg, sizeof(msg), "%s", inner.message);
	fn(&d, ctx);
	error_clear(err);
	return 0;
}

int history_import(const char *state, const char *directory, pocdir_diag_fn fn, void *ctx,
                   pocdir_error *err)
{
	char **files = NULL;
	int nf, committed = 0, rc = -1;

	if ((nf = load_list_files(directory, &files, err)) < 0) {
		struct stat st;

		/* A folder with no origin files has nothing to import. */
		if (err != NULL && err->code == POCDIR_ERR_INVALID && stat(directory, &st) == 0 &&
		    S_ISDIR(st.st_mode)) {
			error_clear(err);
			return 0;
		}
		return -1;
	}
	for (int i = 0; i < nf; i++) {
		struct origin_set set;
		char *data = NULL, *sig = NULL, *sigpath;
		size_t len, siglen, n = strlen(files[i]) + 16;
		int r;

		memset(&set, 0, sizeof(set));
		if ((sigpath = malloc(n)) == NULL) {
			error_set(err, POCDIR_ERR_SYSTEM, "out of memory");
			goto out;
		}
		snprintf(sigpath, n, "%s.minisig", files[i]);
		if (access(sigpath, F_OK) == -1) {
			free(sigpath); /* unsigned: a draft, not a version */
			continue;
		}
		if (file_read(files[i], LOAD_MAX_FILE_BYTES, &data, &len, err) == -1 ||
		    file_read(sigpath, 4096, &sig, &siglen, err) == -1 ||
		    load_origin_buffer(data, len, files[i], NULL, &set, NULL, NULL, NULL, err) ==
		        -1)
			r = -1;
		else
			r = history_commit(state, set.origin.id, set.origin.serial,
			                   set.origin.updated, data, len, sig, siglen, files[i],
			                   err);
		origin_set_clear(&set);
		free(sigpath);
		free(data);
		free(sig);
		if (r == -1 && import_problem(files[i], fn, ctx, err) == -1)
			goto out;
		if (r == HISTORY_COMMITTED)
			committed++;
	}
	rc = committed;
out:
	strv_free(&files);
	return rc;
}

/* ---- Public: log, diff, open as of --------------------------------------- */

_Static_assert(sizeof(((pocdir_version_info *)0)->source) ==
                   sizeof(((struct history_version *)0)->source),
               "pocdir_version_info mirrors struct history_version");

int pocdir_log(const char *state, const char *origin, pocdir_version_info **out, pocdir_error *err)
{
	struct history_version *v = NULL;
	pocdir_version_info *list;
	int n;

	error_clear(err);
	*out = NULL;
	n = history_list(history_state_dir(state), origin, &v, err);
	if (n <= 0)
		return n;
	if ((list = calloc((size_t)n, sizeof(*list))) == NULL) {
		free(v);
		return error_set(err, POCDIR_ERR_SYSTEM, "out of memory");
	}
	for (int i = 0; i < n; i++) {
		memcpy(list[i].origin, v[i].origin, sizeof(list[i].origin));
		list[i].serial = v[i].serial;
		memcpy(list[i].updated, v[i].updated, sizeof(list[i].updated));
		memcpy(list[i].source, v[i].source, sizeof(list[i].source));
		list[i].received = v[i].received;
		memcpy(list[i].sha256, v[i].sha256, sizeof(list[i].sha256));
	}
	free(v);
	*out = list;
	return n;
}

void pocdir_log_free(pocdir_version_info **out)
{
	if (out == NULL)
		return;
	free(*out);
	*out = NULL;
}

static int entry_order(const void *a, const void *b)
{
	const entry_t *x = *(const entry_t *const *)a, *y = *(const entry_t *const *)b;
	int c = strcmp(x->country, y->country);

	return c != 0 ? c : strcmp(x->id, y->id);
}

/* All values of one attribute joined for display; NULL when absent. */
static char *attr_joined(const entry_t *e, enum attr_id id)
{
	const struct entry_attr *a = entry_attr(e, id);
	size_t n = 1;
	char *s;

	if (a == NULL || a->count == 0)
		return NULL;
	for (size_t i = 0; i < a->count; i++)
		n += strlen(a->raw[i]) + 3;
	if ((s = malloc(n)) == NULL)
		return NULL;
	s[0] = '\0';
	for (size_t i = 0; i < a->count; i++) {
		if (i > 0)
			strcat(s, " | ");
		strcat(s, a->raw[i]);
	}
	return s;
}

static const char *ext_get(const entry_t *e, const char *key)
{
	for (size_t i = 0; i < e->next; i++)
		if (strcmp(e->ext[i].key, key) == 0)
			return e->ext[i].value;
	return NULL;
}

/* Report the field changes between two versions of one entry. */
static unsigned diff_entry(const entry_t *a, const entry_t *b, const char *key, bool with_serial,
                           pocdir_change_fn fn, void *ctx)
{
	unsigned n = 0;

	for (int id = 0; id < ATTR_COUNT; id++) {
		char *va, *vb;
		bool same;

		/* The serial and origin are the set's, not the entry's; an
		 * LDAP copy carries pocSerial in every entry, so it asks. */
		if ((id == ATTR_SERIAL && !with_serial) || id == ATTR_ORIGIN)
			continue;
		va = attr_joined(a, (enum attr_id)id);
		vb = attr_joined(b, (enum attr_id)id);
		same =
		    (va == NULL && vb == NULL) || (va != NULL && vb != NULL && strcmp(va, vb) == 0);
		if (!same) {
			pocdir_change c = {POCDIR_CHANGE_FIELD,
			                   key,
			                   attr_by_id((enum attr_id)id)->name,
			                   va,
			                   vb,
			                   a,
			                   b};
			n++;
			if (fn != NULL)
				fn(&c, ctx);
		}
		free(va);
		free(vb);
	}
	/* Extension keys, in either version. */
	for (int side = 0; side < 2; side++) {
		const entry_t *x = side == 0 ? a : b, *y = side == 0 ? b : a;

		for (size_t i = 0; i < x->next; i++) {
			const char *vx = x->ext[i].value, *vy = ext_get(y, x->ext[i].key);

			if (side == 1 && vy != NULL)
				continue; /* already compared from a's side */
			if (vy == NULL || strcmp(vx, vy) != 0) {
				pocdir_change c = {POCDIR_CHANGE_FIELD,
				                   key,
				                   x->ext[i].key,
				                   side == 0 ? vx : vy,
				                   side == 0 ? vy : vx,
				                   a,
				                   b};
				n++;
				if (fn != NULL)
					fn(&c, ctx);
			}
		}
	}
	return n;
}

/* Load versions a and b of origin (0: no version, an empty set) into *sa
 * and *sb, entries sorted by (country, id), DNs under base_dn. */
static int diff_load(const char *state, const char *origin, uint64_t a, uint64_t b,
                     const char *base_dn, struct origin_set *sa, struct origin_set *sb,
                     pocdir_error *err)
{
	char why[128];

	memset(sa, 0, sizeof(*sa));
	memset(sb, 0, sizeof(*sb));
	if (origin == NULL || !validate_id(origin, why, sizeof(why)))
		return error_set(err, POCDIR_ERR_USAGE, "diff: a valid origin id is needed");
	for (int k = 0; k < 2; k++) {
		uint64_t serial = k == 0 ? a : b;
		struct origin_set *set = k == 0 ? sa : sb;
		char *p;

		if (serial == 0)
			continue;
		if ((p = history_path(state, origin, serial, ".yaml")) == NULL)
			return error_set(err, POCDIR_ERR_SYSTEM, "out of memory");
		if (access(p, F_OK) == -1) {
			free(p);
			origin_set_clear(sa);
			return error_set(
			    err, POCDIR_ERR_NOTFOUND,
			    "origin %s: version %llu is not held in %s (see pocdir log %s)", origin,
			    (unsigned long long)serial, state, origin);
		}
		if (load_origin_file(p, base_dn, set, NULL, NULL, NULL, err) == -1) {
			free(p);
			origin_set_clear(sa);
			return -1;
		}
		free(p);
		qsort(set->entries, set->nentries, sizeof(entry_t *), entry_order);
	}
	return 0;
}

/* The merge of two sorted sets: fn for each entry added, removed or changed. */
static unsigned diff_sets(const struct origin_set *sa, const struct origin_set *sb,
                          bool with_serial, pocdir_change_fn fn, void *ctx)
{
	size_t i = 0, j = 0;
	unsigned changes = 0;

	while (i < sa->nentries || j < sb->nentries) {
		const entry_t *ea = i < sa->nentries ? sa->entries[i] : NULL;
		const entry_t *eb = j < sb->nentries ? sb->entries[j] : NULL;
		int c = ea == NULL ? 1 : eb == NULL ? -1 : entry_order(&ea, &eb);
		const entry_t *e = c <= 0 ? ea : eb;
		char key[160];

		snprintf(key, sizeof(key), "%s/%s", e->country, e->id);
		if (c == 0) {
			changes += diff_entry(ea, eb, key, with_serial, fn, ctx);
			i++;
			j++;
		} else {
			pocdir_change ch = {c < 0 ? POCDIR_CHANGE_REMOVED : POCDIR_CHANGE_ADDED,
			                    key,
			                    NULL,
			                    NULL,
			                    NULL,
			                    c < 0 ? ea : NULL,
			                    c < 0 ? NULL : eb};
			changes++;
			if (fn != NULL)
				fn(&ch, ctx);
			if (c < 0)
				i++;
			else
				j++;
		}
	}
	return changes;
}

int pocdir_diff(const char *state, const char *origin, uint64_t a, uint64_t b, pocdir_change_fn fn,
                void *ctx, pocdir_error *err)
{
	struct origin_set sa, sb;
	int rc;

	error_clear(err);
	state = history_state_dir(state);
	if (diff_load(state, origin, a, b, NULL, &sa, &sb, err) == -1)
		return -1;
	rc = (int)diff_sets(&sa, &sb, false, fn, ctx);
	origin_set_clear(&sa);
	origin_set_clear(&sb);
	return rc;
}

/* Is country cc used by an entry of set? */
static bool set_has_country(const struct origin_set *set, const char *cc)
{
	for (size_t i = 0; i < set->nentries; i++)
		if (strcmp(set->entries[i]->country, cc) == 0)
			return true;
	return false;
}

/* The countries the other origins' held versions have contacts in: a
 * sorted, NULL-terminated list in *out (strv_free), from held[] minus origin
 * itself and serial 0. Returns 0 or -1. */
static int held_countries(const char *state, const char *origin, const pocdir_version_info *held,
                          size_t nheld, const char *base_dn, char ***out, pocdir_error *err)
{
	char **list = NULL;
	size_t n = 0, cap = 0;

	*out = NULL;
	for (size_t i = 0; i < nheld; i++) {
		struct origin_set none, set;
		char *p;

		if (held[i].serial == 0 || strcmp(held[i].origin, origin) == 0)
			continue;
		if (diff_load(state, held[i].origin, 0, held[i].serial, base_dn, &none, &set,
		              err) == -1)
			goto fail;
		for (size_t j = 0; j < set.nentries; j++) {
			const char *cc = set.entries[j]->country;
			bool seen = false;

			for (size_t k = 0; k < n && !seen; k++)
				seen = strcmp(list[k], cc) == 0;
			if (seen)
				continue;
			if (n + 1 >= cap) {
				size_t ncap = cap ? cap * 2 : 32;
				char **grown = realloc(list, ncap * sizeof(*grown));

				if (grown == NULL) {
					origin_set_clear(&set);
					error_set(err, POCDIR_ERR_SYSTEM, "out of memory");
					goto fail;
				}
				list = grown;
				cap = ncap;
			}
			if ((p = str_dup(cc)) == NULL) {
				origin_set_clear(&set);
				error_set(err, POCDIR_ERR_SYSTEM, "out of memory");
				goto fail;
			}
			list[n++] = p;
			list[n] = NULL;
		}
		origin_set_clear(&set);
	}
	*out = list;
	return 0;
fail:
	if (list != NULL)
		list[n] = NULL;
	strv_free(&list);
	return -1;
}

static bool list_has(char *const *list, const char *cc)
{
	for (size_t i = 0; list != NULL && list[i] != NULL; i++)
		if (strcmp(list[i], cc) == 0)
			return true;
	return false;
}

/* Country entries that appear in to and not in from, and that none of the
 * other origins' countries keeps alive: added, or deleted (!add). */
static int diff_countries(const struct origin_set *from, const struct origin_set *to,
                          char *const *others, bool add, const char *base_dn,
                          struct export_changes *ch)
{
	for (size_t i = 0; i < to->nentries; i++) {
		const char *cc = to->entries[i]->country;

		if ((i > 0 && strcmp(to->entries[i - 1]->country, cc) == 0) ||
		    set_has_country(from, cc) || list_has(others, cc))
			continue;
		if (export_changes_country(ch, cc, base_dn, add) == -1)
			return -1;
	}
	return 0;
}

int pocdir_diff_write(const char *state, const char *origin, uint64_t a, uint64_t b,
                      pocdir_format fmt, const char *base_dn, const pocdir_version_info *held,
                      size_t nheld, FILE *out, pocdir_error *err)
{
	struct origin_set sa, sb;
	struct export_changes *ch = NULL;
	char **others = NULL;
	unsigned n;
	int rc = -1;

	error_clear(err);
	if (fmt != POCDIR_FORMAT_LDIF)
		return error_set(err, POCDIR_ERR_USAGE,
		                 "diff: change records are written as LDIF only");
	if (out == NULL)
		return error_set(err, POCDIR_ERR_USAGE, "diff: no stream");
	if (base_dn == NULL)
		base_dn = "dc=pocdir";
	state = history_state_dir(state);
	if (diff_load(state, origin, a, b, base_dn, &sa, &sb, err) == -1)
		return -1;
	if (held_countries(state, origin, held, nheld, base_dn, &others, err) == -1)
		goto out;
	if ((ch = export_changes_new(out)) == NULL) {
		error_set(err, POCDIR_ERR_SYSTEM, "out of memory");
		goto out;
	}
	/* Parents first and last: an add needs its parent, and a delete is
	 * refused for an entry with children (RFC 4511 4.7, 4.8). */
	if (diff_countries(&sa, &sb, others, true, base_dn, ch) == -1)
		goto out;
	n = diff_sets(&sa, &sb, true, export_changes_record, ch);
	if (diff_countries(&sb, &sa, others, false, base_dn, ch) == -1)
		goto out;
	rc = export_changes_finish(&ch, err) == -1 ? -1 : (int)n;
out:
	if (ch != NULL)
		export_changes_finish(&ch, NULL);
	strv_free(&others);
	origin_set_clear(&sa);
	origin_set_clear(&sb);
	return rc;
}

int history_mkdirs(const char *path, pocdir_error *err)
{
	return mkdir_p(path, err);
}
