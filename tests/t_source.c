/* t_source.c - the snapshot source: a handle reopens the way it was opened
 * (as of a date, from a state directory), reloads and builds from several
 * threads never serve an older snapshot after a newer one, and publishing
 * under the state lock never takes the feed back to an older serial. */
#include "config.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "api.h"
#include "feed.h"
#include "history.h"
#include "source.h"
#include "tap.h"
#include "util.h"

static char top[256];

/* The text of origin kr at serial with n contacts, updated on day. */
static char *set_text(uint64_t serial, int n, const char *day, size_t *len)
{
	size_t cap = 256 + (size_t)n * 128, o;
	char *t = malloc(cap);

	if (t == NULL)
		return NULL;
	o = (size_t)snprintf(t, cap,
	                     "origin: kr\nscope: [KR]\nserial: %llu\nupdated: %sT09:00:00Z\n"
	                     "entries:\n",
	                     (unsigned long long)serial, day);
	for (int i = 0; i < n; i++)
		o += (size_t)snprintf(t + o, cap - o,
		                      "  - {id: t%d, country: KR, agency: KrCERT/CC, roles: "
		                      "[technical], email: [t%d@krcert.kr.example]}\n",
		                      i, i);
	*len = o;
	return t;
}

static int commit(const char *state, uint64_t serial, int n, const char *day)
{
	pocdir_error err = {0};
	char updated[32];
	size_t len;
	char *t = set_text(serial, n, day, &len);
	int rc;

	if (t == NULL)
		return -1;
	snprintf(updated, sizeof(updated), "%sT09:00:00Z", day);
	rc = history_commit(state, "kr", serial, updated, t, len, "sig\n", 4, "test", &err);
	free(t);
	if (rc < 0)
		tap_diag("commit %llu: %s", (unsigned long long)serial, err.message);
	return rc < 0 ? -1 : 0;
}

/* A handle opened as of a date reopens as of that date, from the state: it
 * used to run a plain directory load on the state folder. */
static void test_reload_as_of(void)
{
	char state[300];
	pocdir_error err = {0};
	pocdir_result *res = NULL;
	pocdir *dir;
	size_t n;

	snprintf(state, sizeof(state), "%s/as-of", top);
	mkdir(state, 0755);
	if (commit(state, 2026110101, 2, "2026-11-01") == -1 ||
	    commit(state, 2026111501, 4, "2026-11-15") == -1) {
		tap_ok(0, "state for --at");
		return;
	}
	dir = pocdir_open_at(NULL, state, "2026-11-10", NULL, &err);
	tap_ok(dir != NULL, "open as of 2026-11-10: %s", err.message);
	if (dir == NULL)
		return;
	n = pocdir_all(dir, &res, &err) == 0 ? pocdir_result_count(res) : 0;
	tap_ok(n == 2, "the version of 2026-11-01 is served (%zu contacts)", n);
	pocdir_result_free(&res);
	tap_ok(pocdir_reload(dir, NULL, &err) == 0, "reload of an as-of handle: %s", err.message);
	n = pocdir_all(dir, &res, &err) == 0 ? pocdir_result_count(res) : 0;
	tap_ok(n == 2, "after the reload still as of 2026-11-10 (%zu contacts)", n);
	pocdir_result_free(&res);
	pocdir_free(&dir);

	dir = pocdir_open_at(NULL, state, NULL, "o=Poc Dir", &err);
	tap_ok(dir != NULL && pocdir_reload(dir, NULL, &err) == 0 &&
	           pocdir_all(dir, &res, &err) == 0 && pocdir_result_count(res) == 4 &&
	           strstr(pocdir_entry_dn(pocdir_result_entry(res, 0)), "o=Poc Dir") != NULL,
	       "a reload keeps the state and the base: %s", err.message);
	{
		const pocdir_entry *e = pocdir_result_entry(res, 0);
		const char *const *v = NULL, *const *w = NULL;

		tap_ok(pocdir_entry_get(e, "entryDN", &v) == 1 &&
		           strcmp(v[0], pocdir_entry_dn(e)) == 0 &&
		           pocdir_entry_get(e, "hasSubordinates", &w) == 1 &&
		           strcmp(w[0], "FALSE") == 0,
		       "the operational attributes through the public API");
	}
	pocdir_result_free(&res);
	pocdir_free(&dir);
}

/* ---- reloads from several threads --------------------------------------- */

#define RELOADERS 3
#define RELOADS 40

static struct source *src;
static atomic_int backwards, reload_failed, done_reloaders;

static void *reloader(void *arg)
{
	const char *folder = arg;

	for (int i = 0; i < RELOADS; i++) {
		struct source_spec spec = {.directory = folder};
		pocdir_error err = {0};

		/* Half the rebuilds change the folder (a reload with a path),
		 * half keep the spec (a sync that committed). */
		if (source_rebuild(src, i % 2 ? &spec : NULL, NULL, NULL, &err) < 0)
			atomic_fetch_add(&reload_failed, 1);
	}
	atomic_fetch_add(&done_reloaders, 1);
	return NULL;
}

static void *watcher(void *arg)
{
	uint64_t last = 0;

	(void)arg;
	while (atomic_load(&done_reloaders) < RELOADERS) {
		uint64_t gen;
		struct store *s = source_snapshot(src, &gen);

		if (gen < last)
			atomic_fetch_add(&backwards, 1);
		last = gen;
		store_unref(&s);
	}
	return NULL;
}

static void test_generations(void)
{
	char a[300], b[300], path[400];
	struct source_spec spec = {.directory = a};
	pocdir_error err = {0};
	pthread_t t[RELOADERS + 1];
	const char *folders[RELOADERS];
	uint64_t g1, g2;
	struct store *s;
	size_t len;
	char *text;

	snprintf(a, sizeof(a), "%s/a", top);
	snprintf(b, sizeof(b), "%s/b", top);
	mkdir(a, 0755);
	mkdir(b, 0755);
	text = set_text(1, 3, "2026-11-01", &len);
	snprintf(path, sizeof(path), "%s/kr.yaml", a);
	tap_ok(text != NULL && file_write_atomic(path, text, len, &err) == 0, "folder a");
	free(text);
	text = set_text(2, 5, "2026-11-02", &len);
	snprintf(path, sizeof(path), "%s/kr.yaml", b);
	tap_ok(text != NULL && file_write_atomic(path, text, len, &err) == 0, "folder b");
	free(text);

	src = source_open(&spec, NULL, NULL, &err);
	if (!tap_ok(src != NULL, "source over folder a: %s", err.message))
		return;
	s = source_snapshot(src, &g1);
	store_unref(&s);
	tap_ok(source_rebuild(src, NULL, NULL, NULL, &err) > (long long)g1,
	       "a rebuild serves a newer generation");
	spec.directory = "/nonexistent/pocdir-folder";
	s = source_snapshot(src, &g2);
	tap_ok(source_rebuild(src, &spec, NULL, NULL, &err) == -1, "a bad folder fails: %s",
	       err.message);
	store_unref(&s);
	s = source_snapshot(src, &g1);
	tap_ok(g1 == g2 && s->nentries == 3, "and the previous snapshot keeps serving");
	store_unref(&s);
	tap_ok(source_rebuild(src, NULL, NULL, NULL, &err) > 0,
	       "a failed reload does not become the spec for the next build: %s", err.message);

	for (int i = 0; i < RELOADERS; i++) {
		folders[i] = i % 2 ? a : b;
		pthread_create(&t[i], NULL, reloader, (void *)folders[i]);
	}
	pthread_create(&t[RELOADERS], NULL, watcher, NULL);
	for (int i = 0; i <= RELOADERS; i++)
		pthread_join(t[i], NULL);
	tap_ok(atomic_load(&reload_failed) == 0, "%d rebuilds from %d threads succeed",
	       RELOADERS * RELOADS, RELOADERS);
	tap_ok(atomic_load(&backwards) == 0,
	       "no reader ever saw an older generation after a newer one");
	s = source_snapshot(src, &g1);
	tap_ok(g1 > (uint64_t)(RELOADERS * RELOADS), "every build got a generation (%llu)",
	       (unsigned long long)g1);
	store_unref(&s);
	source_free(&src);
}

/* ---- publishing under the state lock ------------------------------------ */

#define PUBLISHES 150

static char pub_state[300], pub_out[300];
static atomic_int committer_done, went_back, publish_failed;

static void *committer(void *arg)
{
	pocdir_error err = {0};

	(void)arg;
	for (uint64_t s = 2; s <= PUBLISHES; s++) {
		if (commit(pub_state, s, 1, "2026-11-01") == -1 ||
		    pocdir_publish(NULL, pub_state, pub_out, "test", &err) < 0)
			atomic_fetch_add(&publish_failed, 1);
	}
	atomic_store(&committer_done, 1);
	return NULL;
}

static void *publisher(void *arg)
{
	pocdir_error err = {0};

	(void)arg;
	while (!atomic_load(&committer_done))
		if (pocdir_publish(NULL, pub_state, pub_out, "test", &err) < 0)
			atomic_fetch_add(&publish_failed, 1);
	return NULL;
}

/* The serial index.yaml names for kr, 0 when unreadable. */
static uint64_t index_serial(void)
{
	char path[400], *buf = NULL;
	struct feed_index ix;
	uint64_t serial = 0;
	size_t len;

	snprintf(path, sizeof(path), "%s/index.yaml", pub_out);
	if (file_read(path, FEED_MAX_INDEX_BYTES, &buf, &len, NULL) == -1)
		return 0;
	if (feed_index_parse(buf, len, path, &ix, NULL) == 0) {
		if (ix.count == 1)
			serial = ix.items[0].serial;
		feed_index_clear(&ix);
	}
	free(buf);
	return serial;
}

static void *feed_reader(void *arg)
{
	uint64_t last = 0;

	(void)arg;
	while (!atomic_load(&committer_done)) {
		uint64_t s = index_serial();

		if (s != 0 && s < last)
			atomic_fetch_add(&went_back, 1);
		if (s > last)
			last = s;
	}
	return NULL;
}

static void test_publish(void)
{
	pocdir_error err = {0};
	pthread_t t[4];
	char path[500];
	struct stat st;
	uint64_t s;

	snprintf(pub_state, sizeof(pub_state), "%s/pub-state", top);
	snprintf(pub_out, sizeof(pub_out), "%s/pub-feed", top);
	mkdir(pub_state, 0755);
	if (commit(pub_state, 1, 1, "2026-11-01") == -1 ||
	    pocdir_publish(NULL, pub_state, pub_out, "test", &err) < 0) {
		tap_ok(0, "first publish: %s", err.message);
		return;
	}
	pthread_create(&t[0], NULL, committer, NULL);
	pthread_create(&t[1], NULL, publisher, NULL);
	pthread_create(&t[2], NULL, publisher, NULL);
	pthread_create(&t[3], NULL, feed_reader, NULL);
	for (int i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	tap_ok(atomic_load(&publish_failed) == 0, "concurrent publishes succeed");
	tap_ok(atomic_load(&went_back) == 0,
	       "index.yaml never went back to an older serial (%d times)", atomic_load(&went_back));
	s = index_serial();
	snprintf(path, sizeof(path), "%s/origins/kr/%llu.yaml", pub_out, (unsigned long long)s);
	tap_ok(s == PUBLISHES && stat(path, &st) == 0,
	       "the last index names the newest set, and it is there (%llu)",
	       (unsigned long long)s);
}

int main(void)
{
	const char *tmp = getenv("TMPDIR");
	char cmd[300];

	snprintf(top, sizeof(top), "%s/pocdir-source.XXXXXX", tmp ? tmp : "/tmp");
	if (mkdtemp(top) == NULL)
		return 1;
	test_reload_as_of();
	test_generations();
	test_publish();
	snprintf(cmd, sizeof(cmd), "rm -rf %s", top);
	if (system(cmd) != 0)
		tap_diag("could not remove %s", top);
	return tap_done();
}
