/* t_threads.c - many readers and a reloader on one handle: every answer must
 * come whole from one version of the directory, never a mix, and results
 * held across a reload stay readable. Uses only the public API. */
#include "config.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pocdir.h"
#include "tap.h"

#define READERS 4
#define ROUNDS 3000

static pocdir *dir;
static atomic_int mixed, failed, stop;
static atomic_long answers;

/* Version A has 3 technical contacts in KR with serial 1; version B has 5
 * with serial 2. An answer is whole when its size and serials agree. */
static void write_version(const char *path, int n, int serial)
{
	char tmp[600];
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	if (f == NULL)
		return;
	fprintf(f, "origin: kr\nscope: [KR]\nserial: %d\nentries:\n", serial);
	for (int i = 0; i < n; i++)
		fprintf(f,
		        "  - {id: t%d, country: KR, agency: KrCERT/CC, roles: [technical], "
		        "email: [t%d@krcert.kr.example]}\n",
		        i, i);
	fclose(f);
	rename(tmp, path);
}

static void *reader(void *arg)
{
	pocdir_query q = {.country = "KR", .role = "technical"};

	(void)arg;
	for (int r = 0; r < ROUNDS || !atomic_load(&stop); r++) {
		pocdir_result *res;
		pocdir_error err;
		size_t n;
		const char *const *serial;

		if ((r % 2 == 0
		         ? pocdir_lookup(dir, &q, &res, &err)
		         : pocdir_search(dir, "(&(c=KR)(role=technical))", &res, &err)) == -1) {
			atomic_fetch_add(&failed, 1);
			continue;
		}
		n = pocdir_result_count(res);
		for (size_t i = 0; i < n; i++) {
			const pocdir_entry *e = pocdir_result_entry(res, i);

			if (pocdir_entry_get(e, "pocSerial", &serial) != 1 ||
			    strcmp(serial[0], n == 3 ? "1" : "2") != 0)
				atomic_fetch_add(&mixed, 1);
		}
		if (n != 3 && n != 5)
			atomic_fetch_add(&mixed, 1);
		atomic_fetch_add(&answers, 1);
		pocdir_result_free(&res);
	}
	return NULL;
}

int main(void)
{
	char folder[] = "/tmp/pocdir-t-threads.XXXXXX";
	char path[600];
	pthread_t threads[READERS];
	pocdir_error err;
	pocdir_result *held = NULL;
	int reloads = 0, bad_reloads = 0;

	if (mkdtemp(folder) == NULL)
		return 1;
	snprintf(path, sizeof(path), "%s/kr.yaml", folder);
	write_version(path, 3, 1);
	dir = pocdir_open(folder, &err);
	if (!tap_ok(dir != NULL, "open")) {
		tap_diag("%s", err.message);
		return tap_done();
	}
	pocdir_search(dir, "(c=KR)", &held, &err);
	for (int i = 0; i < READERS; i++)
		pthread_create(&threads[i], NULL, reader, NULL);
	for (int i = 0; i < 40; i++) {
		write_version(path, i % 2 ? 3 : 5, i % 2 ? 1 : 2);
		if (pocdir_reload(dir, NULL, &err) == 0)
			reloads++;
		/* A broken file must leave the loaded version serving. */
		if (i % 10 == 9) {
			FILE *f = fopen(path, "w");

			if (f != NULL) {
				fputs("origin: kr\nscope: [KR\n", f);
				fclose(f);
			}
			if (pocdir_reload(dir, NULL, &err) == 0)
				bad_reloads++;
		}
		usleep(2000);
	}
	atomic_store(&stop, 1);
	for (int i = 0; i < READERS; i++)
		pthread_join(threads[i], NULL);
	tap_ok(reloads == 40, "40 reloads succeeded (%d)", reloads);
	tap_ok(bad_reloads == 0, "a broken file never replaced the loaded version");
	tap_ok(atomic_load(&failed) == 0, "no look-up failed during reloads");
	tap_ok(atomic_load(&mixed) == 0, "%ld answers, none mixed two versions",
	       atomic_load(&answers));
	tap_ok(held != NULL && pocdir_result_count(held) == 3 &&
	           strcmp(pocdir_entry_id(pocdir_result_entry(held, 2)), "t2") == 0,
	       "a result taken before the reloads is still whole");
	pocdir_result_free(&held);
	pocdir_free(&dir);
	unlink(path);
	rmdir(folder);
	return tap_done();
}
