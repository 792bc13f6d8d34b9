/* t_search.c - randomized check that indexed answers equal brute force: on
 * generated directories, every lookup (country, agency, role, id) and every
 * random filter must return exactly what a scan of all entries returns. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "filter.h"
#include "search.h"
#include "store.h"
#include "tap.h"

static const char *const countries[] = {"KR", "JP", "SG", "AU", "EU"};
static const char *const roles[] = {"policy", "diplomatic", "technical", "incident-response",
                                    "24x7",   "senior"};
static const char *const agencies[] = {
    "Ministry of Foreign Affairs", "National CERT",    "KrCERT/CC", "Cyber Police",
    "Defence Cyber Command",       "Telecom Regulator"};
static const char *const names[] = {"Kim Min-jun",  "Tanaka Hiroshi", "Lee Ji-woo",
                                    "Duty Officer", "Director",       "Ng Wei Ling"};

static unsigned rnd(unsigned *state, unsigned n)
{
	*state = *state * 1103515245u + 12345u;
	return (*state >> 8) % n;
}

/* Write one origin per country with n random entries in all. */
static int write_directory(const char *dir, unsigned seed, int n)
{
	char path[512];
	unsigned st = seed;
	FILE *f[5];

	snprintf(path, sizeof(path), "%s/origins", dir);
	mkdir(path, 0755);
	for (int c = 0; c < 5; c++) {
		char lower[3] = {(char)(countries[c][0] + 32), (char)(countries[c][1] + 32), 0};

		snprintf(path, sizeof(path), "%s/origins/%s.yaml", dir, lower);
		f[c] = fopen(path, "w");
		if (f[c] == NULL)
			return -1;
		fprintf(f[c], "origin: %s\nscope: [%s]\nserial: %u\nentries:\n", lower,
		        countries[c], seed + 1);
	}
	for (int i = 0; i < n; i++) {
		int c = (int)rnd(&st, 5);
		unsigned r1 = rnd(&st, 6), r2 = rnd(&st, 6);

		fprintf(f[c], "  - id: e%d\n    country: %s\n    agency: %s\n", i, countries[c],
		        agencies[rnd(&st, 6)]);
		fprintf(f[c], "    roles: [%s%s%s]\n", roles[r1], r1 != r2 ? ", " : "",
		        r1 != r2 ? roles[r2] : "");
		if (rnd(&st, 3) != 0)
			fprintf(f[c], "    name: %s\n", names[rnd(&st, 6)]);
		fprintf(f[c], "    email: [p%d@x%u.%c%c.example]\n", i, rnd(&st, 4),
		        countries[c][0] + 32, countries[c][1] + 32);
		if (rnd(&st, 2))
			fprintf(f[c], "    phone: [\"+82 2 %04u %04d\"]\n", rnd(&st, 10000), i);
	}
	for (int c = 0; c < 5; c++)
		fclose(f[c]);
	return 0;
}

static int has_value(const entry_t *e, enum attr_id id, const char *v, int substring)
{
	const struct entry_attr *a = entry_attr(e, id);

	for (size_t i = 0; a != NULL && i < a->count; i++) {
		if (!substring && strcasecmp(a->raw[i], v) == 0)
			return 1;
		if (substring && strcasestr(a->raw[i], v) != NULL)
			return 1;
	}
	return 0;
}

static int same(const uint32_t *a, size_t na, const uint32_t *b, size_t nb)
{
	return na == nb && (na == 0 || memcmp(a, b, na * sizeof(uint32_t)) == 0);
}

static void check_queries(const struct store *s, unsigned seed, int rounds)
{
	unsigned st = seed * 7 + 1;
	int bad = 0;

	for (int r = 0; r < rounds; r++) {
		pocdir_query q = {0};
		char id[16];
		uint32_t *got, *want = malloc((s->nentries + 1) * sizeof(uint32_t));
		size_t ngot, nwant = 0;
		pocdir_error err;

		if (rnd(&st, 2))
			q.country = rnd(&st, 2) ? countries[rnd(&st, 5)] : "kr";
		if (rnd(&st, 2))
			q.role = roles[rnd(&st, 6)];
		if (rnd(&st, 3) == 0)
			q.agency = rnd(&st, 2) ? "cert" : "MINISTRY";
		if (rnd(&st, 5) == 0) {
			snprintf(id, sizeof(id), "e%u", rnd(&st, 300));
			q.id = id;
		}
		for (size_t i = 0; i < s->nentries; i++) {
			const entry_t *e = s->entries[i];

			if ((q.country == NULL || strcasecmp(e->country, q.country) == 0) &&
			    (q.role == NULL || has_value(e, ATTR_ROLE, q.role, 0)) &&
			    (q.agency == NULL || has_value(e, ATTR_O, q.agency, 1)) &&
			    (q.id == NULL || has_value(e, ATTR_UID, q.id, 0)))
				want[nwant++] = (uint32_t)i;
		}
		if (search_query(s, &q, &got, &ngot, &err) == -1 || !same(got, ngot, want, nwant)) {
			if (bad++ == 0)
				tap_diag("query %s/%s/%s/%s: got %zu, want %zu", q.country, q.role,
				         q.agency, q.id, ngot, nwant);
		}
		free(got);
		free(want);
	}
	tap_ok(bad == 0, "seed %u: %d random look-ups equal a scan", seed, rounds);
}

/* A random filter over indexed and unindexed attributes. */
static void random_filter(unsigned *st, int depth, char *out, size_t size)
{
	static const char *const attrs[] = {
	    "c", "pocRole", "role", "o", "uid", "mail", "cn", "telephoneNumber", "nosuchattr"};
	unsigned kind = depth > 2 ? 3 + rnd(st, 5) : rnd(st, 8);
	const char *a = attrs[rnd(st, 9)];
	char x[256], y[256];

	switch (kind) {
	case 0:
	case 1:
		random_filter(st, depth + 1, x, sizeof(x));
		random_filter(st, depth + 1, y, sizeof(y));
		snprintf(out, size, "(%c%s%s)", kind == 0 ? '&' : '|', x, y);
		return;
	case 2:
		random_filter(st, depth + 1, x, sizeof(x));
		snprintf(out, size, "(!%s)", x);
		return;
	case 3:
	case 4:
		if (strcmp(a, "c") == 0)
			snprintf(out, size, "(c=%s)", countries[rnd(st, 5)]);
		else if (strstr(a, "ole") != NULL)
			snprintf(out, size, "(%s=%s)", a, roles[rnd(st, 6)]);
		else if (strcmp(a, "o") == 0)
			snprintf(out, size, "(o=%s)", agencies[rnd(st, 6)]);
		else if (strcmp(a, "uid") == 0)
			snprintf(out, size, "(uid=E%u)", rnd(st, 300));
		else if (strcmp(a, "mail") == 0)
			snprintf(out, size, "(mail=p%u@x%u.kr.example)", rnd(st, 300), rnd(st, 4));
		else
			snprintf(out, size, "(%s=%s)", a, names[rnd(st, 6)]);
		return;
	case 5:
		snprintf(out, size, "(%s=*)", a);
		return;
	case 6:
		/* initial parts go through the sorted cn and mail values */
		switch (rnd(st, 4)) {
		case 0:
			snprintf(out, size, "(%s=*e*)", a);
			break;
		case 1:
			snprintf(out, size, "(%s=%c*)", a, "kltdnp"[rnd(st, 6)]);
			break;
		case 2:
			snprintf(out, size, "(%s=P1*@*example)", a);
			break;
		default:
			snprintf(out, size, "(%s=%s*o*)", a, rnd(st, 2) ? "Di" : "duty ");
			break;
		}
		return;
	default:
		snprintf(out, size, "(%s~=%s)", a, rnd(st, 2) ? "kr" : "technical");
		return;
	}
}

static void check_filters(const struct store *s, unsigned seed, int rounds)
{
	struct filter_limits limits = FILTER_DEFAULT_LIMITS;
	unsigned st = seed * 13 + 5;
	int bad = 0, nonempty = 0;

	for (int r = 0; r < rounds; r++) {
		char text[1024];
		pocdir_error err;
		struct filter *f;
		uint32_t *got = NULL, *want = malloc((s->nentries + 1) * sizeof(uint32_t));
		size_t ngot = 0, nwant = 0;

		random_filter(&st, 0, text, sizeof(text));
		f = filter_parse(text, &limits, &err);
		if (f == NULL) {
			if (bad++ == 0)
				tap_diag("filter %s did not parse: %s", text, err.message);
			free(want);
			continue;
		}
		for (size_t i = 0; i < s->nentries; i++)
			if (filter_eval(f, s->entries[i]) == TRI_TRUE)
				want[nwant++] = (uint32_t)i;
		nonempty += nwant > 0;
		if (search_filter(s, f, &got, &ngot, &err) == -1 || !same(got, ngot, want, nwant)) {
			if (bad++ == 0)
				tap_diag("filter %s: got %zu, want %zu", text, ngot, nwant);
		}
		free(got);
		free(want);
		filter_free(&f);
	}
	tap_ok(bad == 0, "seed %u: %d random filters equal a scan (%d with answers)", seed, rounds,
	       nonempty);
}

int main(void)
{
	for (unsigned seed = 1; seed <= 6; seed++) {
		char dir[] = "/tmp/pocdir-t-search.XXXXXX";
		char cmd[600];
		pocdir_error err = {0};
		struct store *s;

		if (mkdtemp(dir) == NULL ||
		    write_directory(dir, seed, 150 + (int)seed * 50) == -1) {
			tap_ok(0, "cannot write a test directory");
			continue;
		}
		s = store_load(dir, NULL, NULL, NULL, &err);
		if (!tap_ok(s != NULL, "seed %u: generated directory loads", seed))
			tap_diag("%s", err.message);
		if (s != NULL) {
			check_queries(s, seed, 400);
			check_filters(s, seed, 400);
		}
		store_unref(&s);
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		if (system(cmd) != 0)
			tap_diag("could not remove %s", dir);
	}
	return tap_done();
}
