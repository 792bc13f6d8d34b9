/* libbench.c - library figures for BENCHMARKS.md (time and peak memory to
 * load a directory, lookup latency, a full filter scan) and the key files the
 * LDAP load generator draws its queries from, with expected counts.
 *
 *   libbench load DIR          time and peak RSS of pocdir_open (run it in a
 *                              fresh process per size: ru_maxrss only grows)
 *   libbench lookup DIR [N]    ns per lookup by country+role, by country+uid, and a
 *                              full scan with a filter no index helps
 *   libbench keys DIR OUTDIR   write OUTDIR/{uid,country-role,autocomplete,
 *                              country,all}.keys: FILTER<TAB>EXPECTED-COUNT
 *
 * Every figure is printed as human text and as one "RESULT key=value ..."
 * line that bench/run.sh collects. */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <time.h>

#include "api.h"
#include "pocdir.h"
#include "search.h"
#include "store.h"

/* Bounds on the sampled key sets: enough to defeat caches, small enough to
 * keep the key files and the key-counting pass quick. */
#define SAMPLE_UIDS 10000
#define SAMPLE_PREFIXES 400
#define PREFIX_LEN 3
#define PAIR_MAX 4096

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static uint64_t rng_state = 88172645463325252ull;

static uint64_t rng_next(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 2685821657736338717ull;
}

static long maxrss_kb(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss; /* getrusage(2): kilobytes on Linux */
}

/* CPU seconds this process has used (user + system, all threads): unlike
 * the wall clock, it does not grow when other work shares the machine. */
static double cpu_seconds(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
	       ru.ru_stime.tv_usec / 1e6;
}

static pocdir *open_or_die(const char *path)
{
	pocdir_error err;
	pocdir *dir = pocdir_open(path, &err);

	if (dir == NULL) {
		fprintf(stderr, "libbench: %s: %s\n", path, err.message);
		exit(2);
	}
	return dir;
}

static pocdir_result *all_or_die(pocdir *dir)
{
	pocdir_error err;
	pocdir_result *res;

	if (pocdir_all(dir, &res, &err) == -1) {
		fprintf(stderr, "libbench: %s\n", err.message);
		exit(2);
	}
	return res;
}

/* Number of contacts filter selects, through the public API. */
static long count_filter(pocdir *dir, const char *filter)
{
	pocdir_error err;
	pocdir_result *res;
	long n;

	if (pocdir_search(dir, filter, &res, &err) == -1) {
		fprintf(stderr, "libbench: %s: %s\n", filter, err.message);
		exit(2);
	}
	n = (long)pocdir_result_count(res);
	pocdir_result_free(&res);
	return n;
}

static int cmd_load(const char *path)
{
	long rss0 = maxrss_kb();
	double cpu0 = cpu_seconds(), cpu;
	uint64_t t0 = now_ns(), t1;
	pocdir *dir = open_or_die(path);
	pocdir_result *res;
	size_t n;

	t1 = now_ns();
	cpu = cpu_seconds() - cpu0;
	res = all_or_die(dir);
	n = pocdir_result_count(res);
	pocdir_result_free(&res);
	printf("load %s: %zu entries in %.3f s (%.3f CPU-s), peak RSS %.1f MB (%.1f MB before)\n",
	       path, n, (double)(t1 - t0) / 1e9, cpu, maxrss_kb() / 1024.0, rss0 / 1024.0);
	printf("RESULT bench=load entries=%zu secs=%.4f cpu_secs=%.4f maxrss_kb=%ld "
	       "start_rss_kb=%ld\n",
	       n, (double)(t1 - t0) / 1e9, cpu, maxrss_kb(), rss0);
	pocdir_free(&dir);
	return 0;
}

/* A (country, role) pair that has at least one contact. */
struct pair {
	char country[8];
	char role[64];
};

/* The distinct (country, role) pairs of res, up to PAIR_MAX. */
static size_t collect_pairs(const pocdir_result *res, struct pair *pairs)
{
	size_t np = 0;

	for (size_t i = 0; i < pocdir_result_count(res); i++) {
		const pocdir_entry *e = pocdir_result_entry(res, i);
		const char *const *roles;
		size_t nr = pocdir_entry_get(e, "pocRole", &roles);

		for (size_t r = 0; r < nr; r++) {
			size_t j;

			if (strlen(roles[r]) >= sizeof(pairs[0].role))
				continue;
			for (j = 0; j < np; j++)
				if (strcmp(pairs[j].country, pocdir_entry_country(e)) == 0 &&
				    strcmp(pairs[j].role, roles[r]) == 0)
					break;
			if (j == np && np < PAIR_MAX) {
				snprintf(pairs[np].country, sizeof(pairs[np].country), "%s",
				         pocdir_entry_country(e));
				snprintf(pairs[np].role, sizeof(pairs[np].role), "%s", roles[r]);
				np++;
			}
		}
	}
	return np;
}

static int cmd_lookup(const char *path, long iterations)
{
	pocdir *dir = open_or_die(path);
	pocdir_result *all = all_or_die(dir);
	size_t n = pocdir_result_count(all), np;
	struct pair *pairs = calloc(PAIR_MAX, sizeof(*pairs));
	pocdir_error err;
	uint64_t t0, t1, found = 0;
	double ns_cr, ns_cr_index, ns_uid, ns_uid_filter, ms_scan;
	struct store *snap;
	long scans;

	if (pairs == NULL || n == 0) {
		fprintf(stderr, "libbench: %s\n", n == 0 ? "empty directory" : "out of memory");
		return 2;
	}
	np = collect_pairs(all, pairs);

	/* By country and role through the public API: what a caller pays,
	 * including the result object. */
	t0 = now_ns();
	for (long i = 0; i < iterations; i++) {
		const struct pair *p = &pairs[rng_next() % np];
		pocdir_query q = {.country = p->country, .role = p->role};
		pocdir_result *res;

		if (pocdir_lookup(dir, &q, &res, &err) == -1) {
			fprintf(stderr, "libbench: lookup: %s\n", err.message);
			return 2;
		}
		found += pocdir_result_count(res);
		pocdir_result_free(&res);
	}
	t1 = now_ns();
	ns_cr = (double)(t1 - t0) / (double)iterations;
	printf("lookup by country+role (pocdir_lookup, %zu pairs, %.1f results on average): "
	       "%.0f ns/op\n",
	       np, (double)found / (double)iterations, ns_cr);

	/* The same through the index path alone (search_query on a held
	 * snapshot): the cost without the public result object and locking. */
	snap = api_snapshot(dir);
	t0 = now_ns();
	for (long i = 0; i < iterations; i++) {
		const struct pair *p = &pairs[rng_next() % np];
		pocdir_query q = {.country = p->country, .role = p->role};
		uint32_t *ids;
		size_t count;

		if (search_query(snap, &q, &ids, &count, &err) == -1) {
			fprintf(stderr, "libbench: search_query: %s\n", err.message);
			return 2;
		}
		free(ids);
	}
	t1 = now_ns();
	ns_cr_index = (double)(t1 - t0) / (double)iterations;
	store_unref(&snap);
	printf("lookup by country+role (search_query, index path only): %.0f ns/op\n", ns_cr_index);

	/* By uid: the query's id member, and the LDAP filter path. */
	t0 = now_ns();
	for (long i = 0; i < iterations; i++) {
		const pocdir_entry *e = pocdir_result_entry(all, rng_next() % n);
		pocdir_query q = {.country = pocdir_entry_country(e), .id = pocdir_entry_id(e)};
		pocdir_result *res;

		if (pocdir_lookup(dir, &q, &res, &err) == -1 || pocdir_result_count(res) == 0) {
			fprintf(stderr, "libbench: lookup id %s failed\n", q.id);
			return 2;
		}
		pocdir_result_free(&res);
	}
	t1 = now_ns();
	ns_uid = (double)(t1 - t0) / (double)iterations;
	printf("lookup by country+uid (pocdir_lookup): %.0f ns/op\n", ns_uid);

	t0 = now_ns();
	for (long i = 0; i < iterations / 4 + 1; i++) {
		const pocdir_entry *e = pocdir_result_entry(all, rng_next() % n);
		char filter[256];
		pocdir_result *res;

		snprintf(filter, sizeof(filter), "(&(c=%s)(uid=%s))", pocdir_entry_country(e),
		         pocdir_entry_id(e));
		if (pocdir_search(dir, filter, &res, &err) == -1 || pocdir_result_count(res) == 0) {
			fprintf(stderr, "libbench: %s failed\n", filter);
			return 2;
		}
		pocdir_result_free(&res);
	}
	t1 = now_ns();
	ns_uid_filter = (double)(t1 - t0) / (double)(iterations / 4 + 1);
	printf("search (&(c=XX)(uid=X)) (pocdir_search: parse + plan + result): %.0f ns/op\n",
	       ns_uid_filter);

	/* A full scan: a substring on description is in no index, so every
	 * contact is evaluated. */
	scans = n >= 50000 ? 5 : 20;
	t0 = now_ns();
	for (long i = 0; i < scans; i++)
		found = (uint64_t)count_filter(dir, "(description=*zzz*)");
	t1 = now_ns();
	ms_scan = (double)(t1 - t0) / 1e6 / (double)scans;
	printf("full scan (description=*zzz*) over %zu entries: %.2f ms (%llu matches)\n", n,
	       ms_scan, (unsigned long long)found);

	printf("RESULT bench=lookup entries=%zu iterations=%ld ns_country_role=%.0f "
	       "ns_country_role_index=%.0f ns_uid=%.0f ns_uid_filter=%.0f ms_full_scan=%.3f\n",
	       n, iterations, ns_cr, ns_cr_index, ns_uid, ns_uid_filter, ms_scan);
	free(pairs);
	pocdir_result_free(&all);
	pocdir_free(&dir);
	return 0;
}

static FILE *open_keys(const char *outdir, const char *name)
{
	char path[4096];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s.keys", outdir, name);
	fp = fopen(path, "w");
	if (fp == NULL) {
		fprintf(stderr, "libbench: %s: %s\n", path, strerror(errno));
		exit(2);
	}
	return fp;
}

static void close_keys(FILE *fp)
{
	if (ferror(fp) || fclose(fp) != 0) {
		fprintf(stderr, "libbench: writing a key file failed\n");
		exit(2);
	}
}

/* A value fit to put in a filter unescaped (RFC 4515 3: '*', '(', ')', '\'
 * and NUL need escapes; the generated data has none, anything else is
 * skipped rather than escaped wrongly). */
static bool filter_safe(const char *s)
{
	for (; *s != '\0'; s++)
		if (*s == '*' || *s == '(' || *s == ')' || *s == '\\' || (unsigned char)*s < 0x20)
			return false;
	return true;
}

static int prefix_cmp(const void *a, const void *b)
{
	return strcmp((const char *)a, (const char *)b);
}

static int cmd_keys(const char *path, const char *outdir)
{
	pocdir *dir = open_or_die(path);
	pocdir_result *all = all_or_die(dir);
	size_t n = pocdir_result_count(all), np, ncountries = 0;
	struct pair *pairs = calloc(PAIR_MAX, sizeof(*pairs));
	char filter[512];
	FILE *fp;
	const char *prev = "";

	if (pairs == NULL || n == 0) {
		fprintf(stderr, "libbench: %s\n", n == 0 ? "empty directory" : "out of memory");
		return 2;
	}

	/* Equality on uid, one entry: an id is unique within its country only
	 * (the generator reuses ids like "csirt-000013" in many countries), so
	 * the country is part of the key, as it is of the DN. The count still
	 * comes from a search, not from that assumption. */
	fp = open_keys(outdir, "uid");
	for (size_t k = 0; k < (n < SAMPLE_UIDS ? n : SAMPLE_UIDS); k++) {
		const pocdir_entry *e =
		    pocdir_result_entry(all, n <= SAMPLE_UIDS ? k : rng_next() % n);

		if (!filter_safe(pocdir_entry_id(e)))
			continue;
		snprintf(filter, sizeof(filter), "(&(c=%s)(uid=%s))", pocdir_entry_country(e),
		         pocdir_entry_id(e));
		fprintf(fp, "%s\t%ld\n", filter, count_filter(dir, filter));
	}
	close_keys(fp);

	/* Country AND role: every pair that exists. */
	np = collect_pairs(all, pairs);
	fp = open_keys(outdir, "country-role");
	for (size_t k = 0; k < np; k++) {
		snprintf(filter, sizeof(filter), "(&(c=%s)(pocRole=%s))", pairs[k].country,
		         pairs[k].role);
		if (filter_safe(pairs[k].role))
			fprintf(fp, "%s\t%ld\n", filter, count_filter(dir, filter));
	}
	close_keys(fp);

	/* The mail-client autocomplete: the first letters of a name someone
	 * types, taken from random contacts' cn, so common prefixes come up as
	 * often as they would. No index serves this in the library, so each
	 * distinct prefix is counted once (sorted, then counted on change). */
	{
		char(*prefixes)[PREFIX_LEN + 1] = calloc(SAMPLE_PREFIXES, sizeof(*prefixes));
		size_t npre = 0;
		long count = 0;

		if (prefixes == NULL) {
			fprintf(stderr, "libbench: out of memory\n");
			return 2;
		}
		for (size_t k = 0; k < SAMPLE_PREFIXES; k++) {
			const pocdir_entry *e = pocdir_result_entry(all, rng_next() % n);
			const char *const *cn;
			size_t len = 0;

			if (pocdir_entry_get(e, "cn", &cn) == 0)
				continue;
			for (const char *c = cn[0]; *c != '\0' && len < PREFIX_LEN; c++) {
				if (!isalnum((unsigned char)*c))
					break;
				prefixes[npre][len++] = *c;
			}
			prefixes[npre][len] = '\0';
			if (len == PREFIX_LEN)
				npre++;
		}
		qsort(prefixes, npre, sizeof(*prefixes), prefix_cmp);
		fp = open_keys(outdir, "autocomplete");
		for (size_t k = 0; k < npre; k++) {
			const char *x = prefixes[k];

			snprintf(filter, sizeof(filter), "(|(cn=%s*)(mail=%s*)(sn=%s*))", x, x, x);
			if (k == 0 || strcmp(x, prefixes[k - 1]) != 0)
				count = count_filter(dir, filter);
			fprintf(fp, "%s\t%ld\n", filter, count);
		}
		close_keys(fp);
		free(prefixes);
	}

	/* A whole country; objectClass keeps the country entry c=XX itself out,
	 * as pocdir_search returns contacts only. Entries come sorted by country. */
	fp = open_keys(outdir, "country");
	for (size_t k = 0; k < n; k++) {
		const char *c = pocdir_entry_country(pocdir_result_entry(all, k));

		if (strcmp(c, prev) == 0)
			continue;
		prev = c;
		ncountries++;
		snprintf(filter, sizeof(filter), "(&(objectClass=pocContact)(c=%s))", c);
		fprintf(fp, "%s\t%ld\n", filter, count_filter(dir, filter));
	}
	close_keys(fp);

	/* Everything under the base: the base entry, one entry per country,
	 * every contact (the tree pocdir export --format ldif writes). */
	fp = open_keys(outdir, "all");
	fprintf(fp, "(objectClass=*)\t%zu\n", n + ncountries + 1);
	close_keys(fp);

	printf("keys for %zu entries, %zu countries, %zu country+role pairs in %s\n", n, ncountries,
	       np, outdir);
	free(pairs);
	pocdir_result_free(&all);
	pocdir_free(&dir);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "load") == 0)
		return cmd_load(argv[2]);
	if ((argc == 3 || argc == 4) && strcmp(argv[1], "lookup") == 0) {
		long it = argc == 4 ? strtol(argv[3], NULL, 10) : 1000000;

		if (it <= 0 || it > 1000000000) {
			fprintf(stderr, "libbench: bad iteration count\n");
			return 2;
		}
		return cmd_lookup(argv[2], it);
	}
	if (argc == 4 && strcmp(argv[1], "keys") == 0)
		return cmd_keys(argv[2], argv[3]);
	fprintf(stderr, "usage: libbench load DIR | lookup DIR [ITERATIONS] | keys DIR OUTDIR\n");
	return 2;
}
