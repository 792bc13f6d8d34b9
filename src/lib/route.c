/* route.c - addresses to countries: RIR delegated-extended statistics read
 * into sorted prefix tables, answered by longest-prefix match, and kept
 * current with conditional fetches as sync does.
 *
 * The format (NRO "RIR statistics exchange format", extended): a version
 * line, summary lines, then records
 *	registry|cc|type|start|value|date|status[|opaque-id[|extensions]]
 * where for ipv4 value counts addresses (not always a power of two: the
 * range is split into prefixes) and for ipv6 it is the prefix length. */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "exchange.h"
#include "history.h"
#include "sync.h"
#include "util.h"

#define ROUTE_MAX_FILE (256u << 20)
#define ROUTE_MAX_PREFIXES 4000000
#define ROUTE_MAX_LINE 1024

struct route_prefix {
	unsigned char addr[16]; /* IPv4 in the first four bytes */
	unsigned char len;
	char cc[3];
};

struct pocdir_routes {
	struct route_prefix *v[2]; /* [0] IPv4, [1] IPv6, sorted by (addr, len) */
	size_t n[2], cap[2];
};

static int prefix_cmp(const void *a, const void *b)
{
	const struct route_prefix *x = a, *y = b;
	int c = memcmp(x->addr, y->addr, 16);

	return c != 0 ? c : (int)x->len - (int)y->len;
}

static int prefix_add(struct pocdir_routes *r, int fam, const unsigned char *addr, unsigned len,
                      const char *cc)
{
	struct route_prefix *p;

	if (r->n[0] + r->n[1] >= ROUTE_MAX_PREFIXES)
		return -1;
	if (r->n[fam] == r->cap[fam]) {
		size_t nc = r->cap[fam] ? r->cap[fam] * 2 : 1024;
		struct route_prefix *nv = realloc(r->v[fam], nc * sizeof(*nv));

		if (nv == NULL)
			return -1;
		r->v[fam] = nv;
		r->cap[fam] = nc;
	}
	p = &r->v[fam][r->n[fam]++];
	memset(p, 0, sizeof(*p));
	memcpy(p->addr, addr, fam == 0 ? 4 : 16);
	p->len = (unsigned char)len;
	memcpy(p->cc, cc, 3);
	return 0;
}

/* An IPv4 range of count addresses from start as CIDR prefixes: each the
 * largest block aligned at the current address that fits (RFC 4632). */
static int range_add(struct pocdir_routes *r, uint32_t start, uint64_t count, const char *cc)
{
	uint64_t a = start, end = (uint64_t)start + count;

	while (a < end) {
		unsigned bits = 0;
		unsigned char b[4];

		while (bits < 32 && (a & ((1ULL << (bits + 1)) - 1)) == 0 &&
		       a + (1ULL << (bits + 1)) <= end)
			bits++;
		b[0] = (unsigned char)(a >> 24);
		b[1] = (unsigned char)(a >> 16);
		b[2] = (unsigned char)(a >> 8);
		b[3] = (unsigned char)a;
		if (prefix_add(r, 0, b, 32 - bits, cc) == -1)
			return -1;
		a += 1ULL << bits;
	}
	return 0;
}

void pocdir_routes_free(pocdir_routes **routes)
{
	if (routes == NULL || *routes == NULL)
		return;
	free((*routes)->v[0]);
	free((*routes)->v[1]);
	free(*routes);
	*routes = NULL;
}

size_t pocdir_routes_count(const pocdir_routes *routes, int family)
{
	return routes == NULL ? 0 : routes->n[family == 6 ? 1 : 0];
}

/* Parse the statistics in buf (len bytes; name for messages) into r. */
static int routes_parse(struct pocdir_routes *r, const char *name, const char *buf, size_t len,
                        pocdir_error *err)
{
	size_t pos = 0, lineno = 0;

	while (pos < len) {
		const char *line = buf + pos, *nl = memchr(line, '\n', len - pos);
		size_t ll = nl != NULL ? (size_t)(nl - line) : len - pos;
		char copy[ROUTE_MAX_LINE + 1], *f[8];
		unsigned nf = 0;

		pos += ll + 1;
		lineno++;
		if (ll > 0 && line[ll - 1] == '\r')
			ll--;
		if (ll == 0 || line[0] == '#')
			continue;
		if (ll > ROUTE_MAX_LINE)
			return error_set(err, POCDIR_ERR_INVALID,
			                 "%s:%zu: line longer than %d bytes", name, lineno,
			                 ROUTE_MAX_LINE);
		memcpy(copy, line, ll);
		copy[ll] = '\0';
		/* strtok_r would merge empty fields; the cc of a record may be. */
		for (char *p = copy; nf < 8;) {
			f[nf++] = p;
			if ((p = strchr(p, '|')) == NULL)
				break;
			*p++ = '\0';
		}
		if (nf < 7 || (strcmp(f[2], "ipv4") != 0 && strcmp(f[2], "ipv6") != 0))
			continue; /* the version line, summaries, asn records */
		if (strcmp(f[1], "*") == 0)
			continue; /* a summary line: registry|*|ipv4|*|count|summary */
		if (strcasecmp(f[6], "allocated") != 0 && strcasecmp(f[6], "assigned") != 0)
			continue; /* available and reserved blocks belong to no country */
		if (strlen(f[1]) != 2 || f[1][0] < 'A' || f[1][0] > 'Z' || f[1][1] < 'A' ||
		    f[1][1] > 'Z')
			return error_set(err, POCDIR_ERR_INVALID,
			                 "%s:%zu: \"%s\" is not an ISO 3166 country code", name,
			                 lineno, f[1]);
		char *end;
		errno = 0;
		unsigned long long value = strtoull(f[4], &end, 10);
		if (errno != 0 || *end != '\0' || f[4][0] == '\0')
			return error_set(err, POCDIR_ERR_INVALID, "%s:%zu: bad count \"%s\"", name,
			                 lineno, f[4]);
		if (f[2][3] == '4') {
			struct in_addr a;

			if (inet_pton(AF_INET, f[3], &a) != 1 || value == 0 ||
			    value > (1ULL << 32) - ntohl(a.s_addr))
				return error_set(err, POCDIR_ERR_INVALID,
				                 "%s:%zu: bad IPv4 block %s + %s", name, lineno,
				                 f[3], f[4]);
			if (range_add(r, ntohl(a.s_addr), value, f[1]) == -1)
				goto limit;
		} else {
			unsigned char a[16];

			if (inet_pton(AF_INET6, f[3], a) != 1 || value > 128)
				return error_set(err, POCDIR_ERR_INVALID,
				                 "%s:%zu: bad IPv6 block %s/%s", name, lineno, f[3],
				                 f[4]);
			for (unsigned b = (unsigned)value; b < 128; b++)
				a[b / 8] &= (unsigned char)~(0x80 >> (b % 8));
			if (prefix_add(r, 1, a, (unsigned)value, f[1]) == -1)
				goto limit;
		}
	}
	for (int fam = 0; fam < 2; fam++)
		if (r->n[fam] > 1)
			qsort(r->v[fam], r->n[fam], sizeof(struct route_prefix), prefix_cmp);
	return 0;
limit:
	return error_set(err, POCDIR_ERR_LIMIT, "%s: more than %d prefixes, or out of memory", name,
	                 ROUTE_MAX_PREFIXES);
}

pocdir_routes *pocdir_routes_load(const char *path, pocdir_error *err)
{
	struct pocdir_routes *r;
	char *buf;
	size_t len;

	error_clear(err);
	if (path == NULL) {
		error_set(err, POCDIR_ERR_USAGE,
		          "no routing table: set routing: table: in "
		          "pocdird.conf");
		return NULL;
	}
	if (file_read(path, ROUTE_MAX_FILE, &buf, &len, err) == -1)
		return NULL;
	if ((r = calloc(1, sizeof(*r))) == NULL) {
		free(buf);
		error_set(err, POCDIR_ERR_SYSTEM, "out of memory");
		return NULL;
	}
	if (routes_parse(r, path, buf, len, err) == -1)
		pocdir_routes_free(&r);
	free(buf);
	return r;
}

static const struct route_prefix *prefix_find(const struct route_prefix *v, size_t n,
                                              const struct route_prefix *key)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = prefix_cmp(&v[mid], key);

		if (c == 0)
			return &v[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

int pocdir_route(const pocdir_routes *routes, const char *address, char cc[3])
{
	pocdir_ioc ioc = {.size = sizeof(ioc)};
	pocdir_error err;
	char text[80];
	struct route_prefix key;
	int fam, width, start;

	snprintf(text, sizeof(text), "ip:%s", address);
	if (pocdir_ioc_parse(text, &ioc, &err) == -1 || ioc.type > POCDIR_IOC_IPV6_PREFIX)
		return -1;
	memset(&key, 0, sizeof(key));
	{
		char a[INET6_ADDRSTRLEN + 8], *slash;

		if (strlen(ioc.value) >= sizeof(a))
			return -1;
		memcpy(a, ioc.value, strlen(ioc.value) + 1);
		slash = strchr(a, '/');
		start = slash != NULL ? atoi(slash + 1) : -1;
		if (slash != NULL)
			*slash = '\0';
		fam = ioc.type <= POCDIR_IOC_IPV4_PREFIX ? 0 : 1;
		if (inet_pton(fam == 0 ? AF_INET : AF_INET6, a, key.addr) != 1)
			return -1;
	}
	width = fam == 0 ? 32 : 128;
	if (start < 0)
		start = width;
	/* Longest prefix first: the most specific delegation wins. */
	for (int len = start; len >= 0; len--) {
		const struct route_prefix *p;

		if (len < width)
			key.addr[len / 8] &= (unsigned char)~(0xff >> (len % 8));
		for (int b = len / 8 + 1; b < 16; b++)
			key.addr[b] = 0;
		key.len = (unsigned char)len;
		if ((p = prefix_find(routes->v[fam], routes->n[fam], &key)) != NULL) {
			memcpy(cc, p->cc, 3);
			return 1;
		}
	}
	return 0;
}

static void validator_field(const char *key, const char *value, void *ctx)
{
	struct sync_validators *v = ctx;

	if (strcmp(key, "etag") == 0)
		snprintf(v->etag, sizeof(v->etag), "%s", value);
	else if (strcmp(key, "last-modified") == 0)
		snprintf(v->last_modified, sizeof(v->last_modified), "%s", value);
}

int pocdir_routes_refresh(const pocdir_mail_config *cfg, pocdir_error *err)
{
	struct sync_validators v = {{0}, {0}, false};
	struct pocdir_routes *r = NULL;
	char *path = NULL, *data = NULL, *st = NULL, q1[600], q2[200];
	size_t len = 0, n;
	int rc = -1;

	error_clear(err);
	if (cfg->route_table == NULL || cfg->route_url == NULL)
		return error_set(err, POCDIR_ERR_USAGE,
		                 "%s: routing: needs table: and url: to refresh", cfg->file);
	n = strlen(cfg->state) + 32;
	if ((path = malloc(n)) == NULL)
		return error_set(err, POCDIR_ERR_SYSTEM, "out of memory");
	snprintf(path, n, "%s/routing.state", cfg->state);
	/* The validators count only while the table they describe is there. */
	if (access(cfg->route_table, R_OK) == 0) {
		pocdir_error ignored;

		(void)history_flat_read(path, 4096, validator_field, &v, &ignored);
	}
	if (sync_fetch_conditional(cfg->route_url, cfg->ca_file, ROUTE_MAX_FILE, cfg->timeout, &v,
	                           &data, &len, err) == -1)
		goto out;
	if (v.not_modified) {
		rc = 0;
		goto out;
	}
	if ((r = calloc(1, sizeof(*r))) == NULL) {
		error_set(err, POCDIR_ERR_SYSTEM, "out of memory");
		goto out;
	}
	/* Parsed whole before it replaces anything: a bad download keeps the
	 * table in service. */
	if (routes_parse(r, cfg->route_url, data, len, err) == -1)
		goto out;
	if (r->n[0] + r->n[1] == 0) {
		error_set(err, POCDIR_ERR_INVALID, "%s: no ipv4 or ipv6 records with a country",
		          cfg->route_url);
		goto out;
	}
	if (file_write_atomic(cfg->route_table, data, len, err) == -1)
		goto out;
	history_yaml_quote(v.etag, q1, sizeof(q1));
	history_yaml_quote(v.last_modified, q2, sizeof(q2));
	n = strlen(q1) + strlen(q2) + 64;
	if ((st = malloc(n)) == NULL) {
		error_set(err, POCDIR_ERR_SYSTEM, "out of memory");
		goto out;
	}
	snprintf(st, n, "etag: %s\nlast-modified: %s\n", q1, q2);
	if (history_mkdirs(cfg->state, err) == -1 ||
	    file_write_atomic(path, st, strlen(st), err) == -1)
		goto out;
	rc = 1;
out:
	pocdir_routes_free(&r);
	free(path);
	free(data);
	free(st);
	return rc;
}
