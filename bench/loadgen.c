/* loadgen.c - LDAP load generator for the benchmark: N connections with K
 * searches in flight on each, random keys with checked result counts,
 * latency percentiles and the server's CPU time, hence answers per server
 * CPU-second. Built on libldap's asynchronous API (ldap_search_ext +
 * ldap_result), so both servers are measured by the same client code. */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <lber.h>
#include <ldap.h>

/* Bounds on what the key file may hold. */
#define KEY_MAX_LINE 4096
#define KEY_MAX_COUNT 10000000u
#define MAX_CONNS 1024
#define MAX_INFLIGHT 1024
#define MAX_ATTRS 64

/* One query: an RFC 4515 filter and the number of entries it must return. */
struct key {
	char *filter;
	long expected;
};

/* One search in flight on a connection (a paged search keeps its slot from
 * the first page to the last). */
struct request {
	bool busy;
	int msgid;
	size_t key;
	uint64_t start_ns; /* when it was due: sent time, or its slot in --rate mode */
	long entries;
	unsigned pages;
};

struct conn {
	LDAP *ld;
	int fd;
	bool dead;
	size_t inflight;
	struct request *reqs;
};

struct options {
	const char *uri;
	const char *base;
	int scope;
	const char *keyfile;
	char *attrs[MAX_ATTRS + 1];
	bool have_attrs;
	unsigned conns;
	unsigned inflight;
	double warmup;
	double duration;
	double drain;
	double rate;
	long pid;
	const char *label;
	uint64_t seed;
	int pagesize;
	const char *binddn;
	const char *password;
	int sizelimit; /* per search, as a mail client sends it; 0 = none */
};

/* What the measured window saw. */
struct stats {
	uint64_t *lat; /* latencies in ns of operations completed in the window */
	size_t nlat;
	size_t caplat;
	uint64_t entries;
	uint64_t pages;
	uint64_t wrong_count;
	uint64_t ldap_errors;
	uint64_t timeouts;
	uint64_t conn_errors;
	uint64_t first_wrong_key; /* index + 1 of a key answered wrongly, for the report */
	long first_wrong_got;
	int first_wrong_rc;
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* xorshift64*: fast and good enough to spread keys; seeded for repeatability. */
static uint64_t rng_state;

static uint64_t rng_next(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 2685821657736338717ull;
}

static void usage(FILE *out)
{
	fprintf(out, "usage: loadgen -H URI -f KEYFILE [options]\n"
	             "  -H URI        server, e.g. ldap://127.0.0.1:3389\n"
	             "  -f FILE       keys: one query a line, FILTER<TAB>EXPECTED-COUNT\n"
	             "  -b BASE       search base (default dc=pocdir)\n"
	             "  -s SCOPE      base | one | sub (default sub)\n"
	             "  -a LIST       attributes to request, comma-separated (default all)\n"
	             "  -c N          connections (default 4)\n"
	             "  -k K          searches in flight per connection (default 8)\n"
	             "  -W SECONDS    warm-up, not counted (default 5)\n"
	             "  -t SECONDS    measured duration (default 10)\n"
	             "  -r RATE       offered load in searches/s over all connections\n"
	             "                (default 0: closed loop, as fast as answers come);\n"
	             "                latency then counts from when a search was due\n"
	             "  -g SIZE       paged search (RFC 2696) with this page size; an\n"
	             "                operation is the whole paged traversal\n"
	             "  -p PID        server process whose CPU time to read from /proc\n"
	             "  -L LABEL      label for the result line\n"
	             "  -S SEED       random seed (default 1)\n"
	             "  -z LIMIT      size limit sent with each search, as mail clients do;\n"
	             "                a key expecting more must then end in sizeLimitExceeded\n"
	             "                with exactly LIMIT entries\n"
	             "  -D DN -w PW   simple bind (default anonymous)\n");
}

static int parse_uint(const char *s, unsigned max, unsigned *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v == 0 || v > max)
		return -1;
	*out = (unsigned)v;
	return 0;
}

static int parse_seconds(const char *s, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno != 0 || end == s || *end != '\0' || !(v >= 0) || v > 86400)
		return -1;
	*out = v;
	return 0;
}

/* Read the key file: FILTER TAB COUNT per line; blank lines and lines
 * starting with '#' are skipped. Returns the number of keys or -1. */
static long keys_load(const char *path, struct key **out)
{
	FILE *fp;
	char line[KEY_MAX_LINE + 2];
	struct key *keys = NULL;
	size_t n = 0, cap = 0;
	unsigned long lineno = 0;

	fp = fopen(path, "r");
	if (fp == NULL) {
		fprintf(stderr, "loadgen: %s: %s\n", path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), fp) != NULL) {
		size_t len = strlen(line);
		char *tab, *end;
		long expected;

		lineno++;
		if (len > 0 && line[len - 1] == '\n')
			line[--len] = '\0';
		else if (!feof(fp)) {
			fprintf(stderr, "loadgen: %s:%lu: line longer than %d bytes\n", path,
			        lineno, KEY_MAX_LINE);
			goto fail;
		}
		if (len == 0 || line[0] == '#')
			continue;
		tab = strrchr(line, '\t');
		if (tab == NULL) {
			fprintf(stderr, "loadgen: %s:%lu: expected FILTER<TAB>COUNT\n", path,
			        lineno);
			goto fail;
		}
		*tab = '\0';
		errno = 0;
		expected = strtol(tab + 1, &end, 10);
		if (errno != 0 || end == tab + 1 || *end != '\0' || expected < 0) {
			fprintf(stderr, "loadgen: %s:%lu: count \"%s\" is not a number\n", path,
			        lineno, tab + 1);
			goto fail;
		}
		if (n == KEY_MAX_COUNT) {
			fprintf(stderr, "loadgen: %s: more than %u keys\n", path, KEY_MAX_COUNT);
			goto fail;
		}
		if (n == cap) {
			size_t ncap = cap ? cap * 2 : 1024;
			struct key *nk = realloc(keys, ncap * sizeof(*nk));

			if (nk == NULL)
				goto nomem;
			keys = nk;
			cap = ncap;
		}
		keys[n].filter = strdup(line);
		if (keys[n].filter == NULL)
			goto nomem;
		keys[n].expected = expected;
		n++;
	}
	if (ferror(fp)) {
		fprintf(stderr, "loadgen: %s: read error\n", path);
		goto fail;
	}
	fclose(fp);
	if (n == 0) {
		fprintf(stderr, "loadgen: %s: no keys\n", path);
		free(keys);
		return -1;
	}
	*out = keys;
	return (long)n;
nomem:
	fprintf(stderr, "loadgen: out of memory reading %s\n", path);
fail:
	while (n > 0)
		free(keys[--n].filter);
	free(keys);
	fclose(fp);
	return -1;
}

/* utime + stime of a process in seconds, from /proc/PID/stat (proc(5):
 * fields 14 and 15, in clock ticks, summed over all its threads). */
static int proc_cpu_seconds(long pid, double *out)
{
	char path[64], buf[2048], *p;
	FILE *fp;
	size_t len;
	unsigned long utime, stime;

	snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
	fp = fopen(path, "r");
	if (fp == NULL)
		return -1;
	len = fread(buf, 1, sizeof(buf) - 1, fp);
	fclose(fp);
	buf[len] = '\0';
	/* The command name may hold spaces and parentheses: skip past the last ')'. */
	p = strrchr(buf, ')');
	if (p == NULL)
		return -1;
	/* After ')' come field 3 (state) ... field 13; then utime, stime. */
	if (sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &utime, &stime) !=
	    2)
		return -1;
	*out = (double)(utime + stime) / (double)sysconf(_SC_CLK_TCK);
	return 0;
}

static double self_cpu_seconds(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
	       ru.ru_stime.tv_usec / 1e6;
}

static int conn_open(struct conn *c, const struct options *o)
{
	int version = LDAP_VERSION3, rc;
	int zero = 0;
	struct berval cred;

	rc = ldap_initialize(&c->ld, o->uri);
	if (rc != LDAP_SUCCESS) {
		fprintf(stderr, "loadgen: %s: %s\n", o->uri, ldap_err2string(rc));
		return -1;
	}
	ldap_set_option(c->ld, LDAP_OPT_PROTOCOL_VERSION, &version);
	ldap_set_option(c->ld, LDAP_OPT_SIZELIMIT, &zero);
	ldap_set_option(c->ld, LDAP_OPT_REFERRALS, LDAP_OPT_OFF);
	cred.bv_val = (char *)(o->password ? o->password : "");
	cred.bv_len = strlen(cred.bv_val);
	rc = ldap_sasl_bind_s(c->ld, o->binddn ? o->binddn : "", LDAP_SASL_SIMPLE, &cred, NULL,
	                      NULL, NULL);
	if (rc != LDAP_SUCCESS) {
		fprintf(stderr, "loadgen: bind to %s: %s\n", o->uri, ldap_err2string(rc));
		return -1;
	}
	if (ldap_get_option(c->ld, LDAP_OPT_DESC, &c->fd) != LDAP_OPT_SUCCESS || c->fd < 0) {
		fprintf(stderr, "loadgen: %s: no socket after bind\n", o->uri);
		return -1;
	}
	/* Requests are small writes while earlier ones are unacknowledged: without
	 * this, Nagle's algorithm meets the server's delayed ACK and stalls a
	 * pipelined client for up to 40 ms (RFC 896, RFC 1122 4.2.3.2). */
	{
		int one = 1;

		if (setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) == -1) {
			perror("loadgen: TCP_NODELAY");
			return -1;
		}
	}
	c->reqs = calloc(o->inflight, sizeof(*c->reqs));
	if (c->reqs == NULL) {
		fprintf(stderr, "loadgen: out of memory\n");
		return -1;
	}
	return 0;
}

/* Send a search for r's key (the next page when cookie is not NULL). */
static int request_send(struct conn *c, struct request *r, const struct options *o,
                        const struct key *keys, struct berval *cookie)
{
	LDAPControl *page = NULL, *ctrls[2] = {NULL, NULL};
	int rc;

	if (o->pagesize > 0) {
		rc = ldap_create_page_control(c->ld, o->pagesize, cookie, 0, &page);
		if (rc != LDAP_SUCCESS)
			return rc;
		ctrls[0] = page;
	}
	rc = ldap_search_ext(c->ld, o->base, o->scope, keys[r->key].filter,
	                     o->have_attrs ? (char **)o->attrs : NULL, 0, page ? ctrls : NULL, NULL,
	                     NULL, o->sizelimit, &r->msgid);
	if (page != NULL)
		ldap_control_free(page);
	return rc;
}

static void stats_add_latency(struct stats *st, uint64_t ns)
{
	if (st->nlat == st->caplat) {
		size_t ncap = st->caplat ? st->caplat * 2 : 65536;
		uint64_t *n = realloc(st->lat, ncap * sizeof(*n));

		if (n == NULL)
			return; /* keep counting; percentiles then use what was kept */
		st->lat = n;
		st->caplat = ncap;
	}
	st->lat[st->nlat++] = ns;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* The q-quantile of sorted v (nearest rank), in microseconds. */
static double quantile_us(const uint64_t *v, size_t n, double q)
{
	size_t rank;

	if (n == 0)
		return 0;
	rank = (size_t)ceil(q * (double)n);
	if (rank < 1)
		rank = 1;
	if (rank > n)
		rank = n;
	return (double)v[rank - 1] / 1000.0;
}

static struct request *request_find(struct conn *c, unsigned inflight, int msgid)
{
	for (unsigned i = 0; i < inflight; i++)
		if (c->reqs[i].busy && c->reqs[i].msgid == msgid)
			return &c->reqs[i];
	return NULL;
}

/* Which phase a completion falls in. */
enum phase { PHASE_WARMUP, PHASE_MEASURE, PHASE_DRAIN };

static enum phase phase;

/* Whether a search ended right: LDAP success with the expected number of
 * entries, or, when the key expects more than the size limit allows,
 * sizeLimitExceeded after exactly that many (RFC 4511 4.5.1.4). */
static bool answer_ok(const struct options *o, const struct key *k, int ldap_rc, long entries)
{
	if (o->sizelimit > 0 && k->expected > o->sizelimit)
		return ldap_rc == LDAP_SIZELIMIT_EXCEEDED && entries == o->sizelimit;
	return ldap_rc == LDAP_SUCCESS && entries == k->expected;
}

static void request_done(struct conn *c, struct request *r, struct stats *st,
                         const struct options *o, const struct key *keys, int ldap_rc, uint64_t t)
{
	bool ok = answer_ok(o, &keys[r->key], ldap_rc, r->entries);

	if (!ok) {
		/* Counted in every phase: a wrong answer in the warm-up is still wrong. */
		if (ldap_rc != LDAP_SUCCESS && ldap_rc != LDAP_SIZELIMIT_EXCEEDED)
			st->ldap_errors++;
		else
			st->wrong_count++;
		if (st->first_wrong_key == 0) {
			st->first_wrong_key = r->key + 1;
			st->first_wrong_got = r->entries;
			st->first_wrong_rc = ldap_rc;
		}
	} else if (phase == PHASE_MEASURE)
		stats_add_latency(st, t - r->start_ns);
	if (phase == PHASE_MEASURE) {
		st->entries += (uint64_t)r->entries;
		st->pages += r->pages;
	}
	r->busy = false;
	c->inflight--;
}

/* Read every message libldap has for c without blocking. */
static void conn_drain(struct conn *c, const struct options *o, const struct key *keys,
                       struct stats *st)
{
	for (;;) {
		struct timeval zero = {0, 0};
		LDAPMessage *msg = NULL;
		struct request *r;
		int rc, err = LDAP_SUCCESS;
		LDAPControl **ctrls = NULL;

		rc = ldap_result(c->ld, LDAP_RES_ANY, LDAP_MSG_ONE, &zero, &msg);
		if (rc == 0)
			return;
		if (rc < 0) {
			int e = 0;

			ldap_get_option(c->ld, LDAP_OPT_RESULT_CODE, &e);
			fprintf(stderr, "loadgen: connection lost: %s\n", ldap_err2string(e));
			c->dead = true;
			st->conn_errors++;
			return;
		}
		r = request_find(c, o->inflight, ldap_msgid(msg));
		if (r == NULL) {
			ldap_msgfree(msg);
			continue;
		}
		switch (rc) {
		case LDAP_RES_SEARCH_ENTRY:
			r->entries++;
			break;
		case LDAP_RES_SEARCH_REFERENCE:
			break;
		case LDAP_RES_SEARCH_RESULT: {
			uint64_t t = now_ns();

			r->pages++;
			if (ldap_parse_result(c->ld, msg, &err, NULL, NULL, NULL, &ctrls, 0) !=
			    LDAP_SUCCESS)
				err = LDAP_DECODING_ERROR;
			if (err == LDAP_SUCCESS && o->pagesize > 0) {
				LDAPControl *pc =
				    ldap_control_find(LDAP_CONTROL_PAGEDRESULTS, ctrls, NULL);
				struct berval cookie = {0, NULL};
				ber_int_t estimate;

				if (pc == NULL ||
				    ldap_parse_pageresponse_control(c->ld, pc, &estimate,
				                                    &cookie) != LDAP_SUCCESS)
					err = LDAP_CONTROL_NOT_FOUND;
				else if (cookie.bv_len > 0) {
					/* RFC 2696 3: a non-empty cookie means more pages. */
					int src = request_send(c, r, o, keys, &cookie);

					ber_memfree(cookie.bv_val);
					ldap_controls_free(ctrls);
					ldap_msgfree(msg);
					if (src != LDAP_SUCCESS)
						request_done(c, r, st, o, keys, src, t);
					continue;
				}
				ber_memfree(cookie.bv_val);
			}
			ldap_controls_free(ctrls);
			request_done(c, r, st, o, keys, err, t);
			break;
		}
		default:
			request_done(c, r, st, o, keys, LDAP_PROTOCOL_ERROR, now_ns());
			break;
		}
		ldap_msgfree(msg);
	}
}

/* Start one search on c for a random key; due is when it was due. */
static int conn_issue(struct conn *c, const struct options *o, const struct key *keys, size_t nkeys,
                      uint64_t due, struct stats *st)
{
	struct request *r = NULL;
	int rc;

	for (unsigned i = 0; i < o->inflight; i++)
		if (!c->reqs[i].busy) {
			r = &c->reqs[i];
			break;
		}
	if (r == NULL)
		return -1;
	r->key = (size_t)(rng_next() % nkeys);
	r->entries = 0;
	r->pages = 0;
	r->start_ns = due;
	rc = request_send(c, r, o, keys, NULL);
	if (rc != LDAP_SUCCESS) {
		fprintf(stderr, "loadgen: search failed to send: %s\n", ldap_err2string(rc));
		c->dead = true;
		st->conn_errors++;
		return -1;
	}
	r->busy = true;
	c->inflight++;
	return 0;
}

static int parse_args(int argc, char **argv, struct options *o)
{
	int ch;
	char *attrlist = NULL;

	*o = (struct options){.base = "dc=pocdir",
	                      .scope = LDAP_SCOPE_SUBTREE,
	                      .conns = 4,
	                      .inflight = 8,
	                      .warmup = 5,
	                      .duration = 10,
	                      .drain = 10,
	                      .label = "run",
	                      .seed = 1};
	while ((ch = getopt(argc, argv, "H:f:b:s:a:c:k:W:t:r:g:p:L:S:D:w:z:h")) != -1) {
		unsigned u;

		switch (ch) {
		case 'H':
			o->uri = optarg;
			break;
		case 'f':
			o->keyfile = optarg;
			break;
		case 'b':
			o->base = optarg;
			break;
		case 's':
			if (strcmp(optarg, "base") == 0)
				o->scope = LDAP_SCOPE_BASE;
			else if (strcmp(optarg, "one") == 0)
				o->scope = LDAP_SCOPE_ONELEVEL;
			else if (strcmp(optarg, "sub") == 0)
				o->scope = LDAP_SCOPE_SUBTREE;
			else
				goto bad;
			break;
		case 'a':
			attrlist = optarg;
			break;
		case 'c':
			if (parse_uint(optarg, MAX_CONNS, &o->conns) == -1)
				goto bad;
			break;
		case 'k':
			if (parse_uint(optarg, MAX_INFLIGHT, &o->inflight) == -1)
				goto bad;
			break;
		case 'W':
			if (parse_seconds(optarg, &o->warmup) == -1)
				goto bad;
			break;
		case 't':
			if (parse_seconds(optarg, &o->duration) == -1 || o->duration <= 0)
				goto bad;
			break;
		case 'r':
			if (parse_seconds(optarg, &o->rate) == -1) /* same bounds do */
				goto bad;
			if (o->rate == 0 && strtod(optarg, NULL) != 0)
				goto bad;
			break;
		case 'g':
			if (parse_uint(optarg, 1000000, &u) == -1)
				goto bad;
			o->pagesize = (int)u;
			break;
		case 'p':
			if (parse_uint(optarg, INT_MAX, &u) == -1)
				goto bad;
			o->pid = (long)u;
			break;
		case 'L':
			o->label = optarg;
			break;
		case 'S':
			o->seed = strtoull(optarg, NULL, 10);
			break;
		case 'z':
			if (parse_uint(optarg, INT_MAX, &u) == -1)
				goto bad;
			o->sizelimit = (int)u;
			break;
		case 'D':
			o->binddn = optarg;
			break;
		case 'w':
			o->password = optarg;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			goto bad;
		}
	}
	if (optind != argc || o->uri == NULL || o->keyfile == NULL)
		goto bad;
	if (attrlist != NULL) {
		size_t n = 0;

		for (char *tok = strtok(attrlist, ","); tok != NULL; tok = strtok(NULL, ",")) {
			if (n == MAX_ATTRS) {
				fprintf(stderr, "loadgen: more than %d attributes\n", MAX_ATTRS);
				return -1;
			}
			o->attrs[n++] = tok;
		}
		o->attrs[n] = NULL;
		o->have_attrs = true;
	}
	rng_state = o->seed ? o->seed : 1;
	return 0;
bad:
	if (optind < argc || ch != -1)
		fprintf(stderr, "loadgen: bad option or value\n");
	usage(stderr);
	return -1;
}

int main(int argc, char **argv)
{
	struct options o;
	struct key *keys = NULL;
	long nkeys;
	struct conn *conns;
	struct pollfd *pfd;
	struct stats st = {0};
	uint64_t t0, t_measure, t_end, t_stop, next_due, interval = 0;
	uint64_t window_ns = 0;
	double srv0 = 0, srv1 = 0, cli0 = 0, cli1 = 0;
	bool have_srv = false;
	unsigned rr = 0, outstanding_at_end = 0;

	if (parse_args(argc, argv, &o) == -1)
		return 2;
	nkeys = keys_load(o.keyfile, &keys);
	if (nkeys < 0)
		return 2;
	conns = calloc(o.conns, sizeof(*conns));
	pfd = calloc(o.conns, sizeof(*pfd));
	if (conns == NULL || pfd == NULL) {
		fprintf(stderr, "loadgen: out of memory\n");
		return 2;
	}
	for (unsigned i = 0; i < o.conns; i++)
		if (conn_open(&conns[i], &o) == -1)
			return 2;
	if (o.pid > 0 && proc_cpu_seconds(o.pid, &srv0) == -1) {
		fprintf(stderr, "loadgen: cannot read /proc/%ld/stat\n", o.pid);
		return 2;
	}

	t0 = now_ns();
	t_measure = t0 + (uint64_t)(o.warmup * 1e9);
	t_end = t_measure + (uint64_t)(o.duration * 1e9);
	t_stop = t_end + (uint64_t)(o.drain * 1e9);
	if (o.rate > 0)
		interval = (uint64_t)(1e9 / o.rate);
	next_due = t0;
	phase = o.warmup > 0 ? PHASE_WARMUP : PHASE_MEASURE;
	if (phase == PHASE_MEASURE) {
		cli0 = self_cpu_seconds();
		have_srv = o.pid > 0 && proc_cpu_seconds(o.pid, &srv0) == 0;
	}

	for (;;) {
		uint64_t t = now_ns();
		unsigned live = 0, busy = 0;
		int timeout_ms = 1;

		if (phase == PHASE_WARMUP && t >= t_measure) {
			phase = PHASE_MEASURE;
			cli0 = self_cpu_seconds();
			have_srv = o.pid > 0 && proc_cpu_seconds(o.pid, &srv0) == 0;
			t_measure = t;
			t_end = t_measure + (uint64_t)(o.duration * 1e9);
			t_stop = t_end + (uint64_t)(o.drain * 1e9);
		}
		if (phase == PHASE_MEASURE && t >= t_end) {
			phase = PHASE_DRAIN;
			window_ns = t - t_measure;
			cli1 = self_cpu_seconds();
			if (have_srv && proc_cpu_seconds(o.pid, &srv1) == -1)
				have_srv = false;
			for (unsigned i = 0; i < o.conns; i++)
				outstanding_at_end += (unsigned)conns[i].inflight;
		}

		/* Issue: closed loop fills every free slot; --rate issues what is due. */
		if (phase != PHASE_DRAIN) {
			if (interval == 0) {
				for (unsigned i = 0; i < o.conns; i++)
					while (!conns[i].dead && conns[i].inflight < o.inflight)
						if (conn_issue(&conns[i], &o, keys, (size_t)nkeys,
						               t, &st) == -1)
							break;
			} else {
				while (next_due <= t) {
					bool sent = false;

					for (unsigned j = 0; j < o.conns && !sent; j++) {
						struct conn *c = &conns[(rr + j) % o.conns];

						if (!c->dead && c->inflight < o.inflight &&
						    conn_issue(c, &o, keys, (size_t)nkeys, next_due,
						               &st) == 0)
							sent = true;
					}
					if (!sent)
						break; /* all slots busy: it waits, its latency
						          grows */
					rr++;
					next_due += interval;
				}
				if (next_due > t && next_due - t < 1000000)
					timeout_ms = 0;
			}
		}

		for (unsigned i = 0; i < o.conns; i++) {
			pfd[i].fd = conns[i].dead ? -1 : conns[i].fd;
			pfd[i].events = POLLIN;
			pfd[i].revents = 0;
			if (!conns[i].dead) {
				live++;
				busy += conns[i].inflight;
			}
		}
		if (live == 0) {
			fprintf(stderr, "loadgen: every connection is lost\n");
			break;
		}
		if (phase == PHASE_DRAIN && busy == 0)
			break;
		if (phase == PHASE_DRAIN && t >= t_stop) {
			st.timeouts += busy;
			break;
		}
		if (poll(pfd, o.conns, timeout_ms) < 0 && errno != EINTR) {
			perror("loadgen: poll");
			return 2;
		}
		for (unsigned i = 0; i < o.conns; i++)
			if (!conns[i].dead && (pfd[i].revents & (POLLIN | POLLERR | POLLHUP)))
				conn_drain(&conns[i], &o, keys, &st);
	}
	if (window_ns == 0) { /* every connection lost before the end */
		window_ns = now_ns() - t_measure;
		cli1 = self_cpu_seconds();
		if (have_srv && proc_cpu_seconds(o.pid, &srv1) == -1)
			have_srv = false;
	}

	qsort(st.lat, st.nlat, sizeof(*st.lat), cmp_u64);
	{
		double secs = (double)window_ns / 1e9;
		double ops = (double)st.nlat;
		double srv = have_srv ? srv1 - srv0 : 0;
		double cli = cli1 - cli0;
		uint64_t errors = st.wrong_count + st.ldap_errors + st.timeouts + st.conn_errors;
		double p50 = quantile_us(st.lat, st.nlat, 0.50);
		double p99 = quantile_us(st.lat, st.nlat, 0.99);
		double p999 = quantile_us(st.lat, st.nlat, 0.999);
		double pmax = st.nlat ? (double)st.lat[st.nlat - 1] / 1000.0 : 0;
		double per_cpu = srv > 0 ? ops / srv : 0;

		printf("loadgen %s: %u connections x %u in flight, %s%.0f s warm-up, %.2f s "
		       "measured%s\n",
		       o.label, o.conns, o.inflight, "", o.warmup, secs,
		       o.pagesize ? " (paged)" : "");
		if (o.rate > 0)
			printf("  offered %.0f/s\n", o.rate);
		printf("  %.0f answers (%.1f/s), %" PRIu64 " entries (%.1f/s)", ops, ops / secs,
		       st.entries, (double)st.entries / secs);
		if (o.pagesize)
			printf(", %" PRIu64 " pages", st.pages);
		printf("\n  errors %" PRIu64 " (wrong count %" PRIu64 ", LDAP errors %" PRIu64
		       ", timeouts %" PRIu64 ", lost connections %" PRIu64 ")\n",
		       errors, st.wrong_count, st.ldap_errors, st.timeouts, st.conn_errors);
		if (st.first_wrong_key)
			printf("  first wrong answer: %s returned %ld entries and \"%s\" (%d), "
			       "expected %ld\n",
			       keys[st.first_wrong_key - 1].filter, st.first_wrong_got,
			       ldap_err2string(st.first_wrong_rc), st.first_wrong_rc,
			       keys[st.first_wrong_key - 1].expected);
		printf("  latency: p50 %.0f us, p99 %.0f us, p99.9 %.0f us, max %.0f us\n", p50,
		       p99, p999, pmax);
		if (have_srv)
			printf("  server CPU %.2f s -> %.0f answers per server CPU-second; "
			       "client CPU %.2f s\n",
			       srv, per_cpu, cli);
		else
			printf("  client CPU %.2f s (no server PID given)\n", cli);
		printf("RESULT label=%s conns=%u inflight=%u rate=%.0f pagesize=%d sizelimit=%d "
		       "secs=%.3f "
		       "ops=%.0f ops_per_s=%.1f entries=%" PRIu64 " p50_us=%.1f p99_us=%.1f "
		       "p999_us=%.1f max_us=%.1f errors=%" PRIu64 " server_cpu_s=%.2f "
		       "ops_per_server_cpu_s=%.0f client_cpu_s=%.2f in_flight_at_end=%u\n",
		       o.label, o.conns, o.inflight, o.rate, o.pagesize, o.sizelimit, secs, ops,
		       ops / secs, st.entries, p50, p99, p999, pmax, errors, srv, per_cpu, cli,
		       outstanding_at_end);
		fflush(stdout);
		for (unsigned i = 0; i < o.conns; i++) {
			ldap_unbind_ext_s(conns[i].ld, NULL, NULL);
			free(conns[i].reqs);
		}
		free(conns);
		free(pfd);
		free(st.lat);
		for (long i = 0; i < nkeys; i++)
			free(keys[i].filter);
		free(keys);
		return errors ? 1 : 0;
	}
}
