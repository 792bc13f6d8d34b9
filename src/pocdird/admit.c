/* admit.c - who may open a connection: per-address connection counts and
 * connection rates, and a reserve of slots for addresses that hold none. One
 * table for the LDAP listeners, one for the HTTP feed; the clock is passed
 * in, so the decisions are tested without sockets. */
#include "config.h"

#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "pocdird.h"

/* One address (an IPv6 /64) the table knows: it holds connections, or it
 * connected recently and its rate bucket is not full again yet. */
struct admit_entry {
	struct admit_entry *next;
	struct admit_key key;
	unsigned conns;
	double tokens, stamp; /* token bucket (RFC 2697's idea, one rate) */
};

void admit_key_of(const struct sockaddr_storage *ss, struct admit_key *k)
{
	memset(k, 0, sizeof(*k));
	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *sin = (const struct sockaddr_in *)ss;

		/* As an IPv4-mapped address (RFC 4291 2.5.5.2). */
		k->b[10] = k->b[11] = 0xff;
		memcpy(k->b + 12, &sin->sin_addr, 4);
	} else if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)ss;
		const unsigned char *a = sin6->sin6_addr.s6_addr;

		if (IN6_IS_ADDR_V4MAPPED(&sin6->sin6_addr)) {
			memcpy(k->b, a, 16);
		} else {
			/* RFC 4291 2.5.4: a /64 is one subnet, and one host
			 * can use all of it; count it as one address. */
			memcpy(k->b, a, 8);
		}
	}
}

static size_t bucket_of(const struct admit *a, const struct admit_key *k)
{
	uint64_t h = 1469598103934665603ULL ^ a->seed; /* FNV-1a, seeded */

	for (size_t i = 0; i < sizeof(k->b); i++) {
		h ^= k->b[i];
		h *= 1099511628211ULL;
	}
	return (size_t)(h & (a->nbuckets - 1));
}

static struct admit_entry *find(const struct admit *a, const struct admit_key *k)
{
	for (struct admit_entry *e = a->buckets[bucket_of(a, k)]; e != NULL; e = e->next)
		if (memcmp(e->key.b, k->b, sizeof(k->b)) == 0)
			return e;
	return NULL;
}

static void refill(const struct admit *a, struct admit_entry *e, double now)
{
	double burst = a->limits.burst;

	if (now > e->stamp) {
		e->tokens += (now - e->stamp) * a->limits.rate;
		e->stamp = now;
	}
	if (e->tokens > burst)
		e->tokens = burst;
}

static void unlink_entry(struct admit *a, struct admit_entry *e)
{
	for (struct admit_entry **p = &a->buckets[bucket_of(a, &e->key)]; *p != NULL;
	     p = &(*p)->next)
		if (*p == e) {
			*p = e->next;
			a->nentries--;
			free(e);
			return;
		}
}

/* Drop entries that hold nothing and whose bucket is full again: they are
 * what a new entry would be. */
void admit_sweep(struct admit *a, double now)
{
	for (size_t i = 0; i < a->nbuckets; i++) {
		struct admit_entry **p = &a->buckets[i];

		while (*p != NULL) {
			struct admit_entry *e = *p;

			refill(a, e, now);
			if (e->conns == 0 &&
			    (a->limits.rate == 0 || e->tokens >= a->limits.burst)) {
				*p = e->next;
				a->nentries--;
				free(e);
			} else {
				p = &e->next;
			}
		}
	}
}

void admit_sweep_every(struct admit *a, double now)
{
	if (now - a->swept >= 1.0 || now < a->swept) {
		admit_sweep(a, now);
		a->swept = now;
	}
}

static struct admit_entry *get(struct admit *a, const struct admit_key *k, double now)
{
	struct admit_entry *e = find(a, k);
	size_t b;

	if (e != NULL)
		return e;
	if (a->nentries >= a->max_entries) {
		/* Many addresses came and went (a spray): forget those that
		 * hold nothing before taking more memory. */
		admit_sweep(a, now);
		for (size_t i = 0; i < a->nbuckets && a->nentries >= a->max_entries; i++)
			for (struct admit_entry *x = a->buckets[i], *next; x != NULL; x = next) {
				next = x->next;
				if (x->conns == 0) {
					unlink_entry(a, x);
					break;
				}
			}
		if (a->nentries >= a->max_entries)
			return NULL;
	}
	e = calloc(1, sizeof(*e));
	if (e == NULL)
		return NULL;
	e->key = *k;
	e->tokens = a->limits.burst;
	e->stamp = now;
	b = bucket_of(a, k);
	e->next = a->buckets[b];
	a->buckets[b] = e;
	a->nentries++;
	return e;
}

int admit_init(struct admit *a, const struct admit_limits *l, uint64_t seed)
{
	size_t n = 64;

	memset(a, 0, sizeof(*a));
	a->limits = *l;
	a->seed = seed;
	/* Every open connection needs an entry, and recent addresses some
	 * more; beyond that a spray of addresses only costs the rate state. */
	a->max_entries = (size_t)l->max_total * 4 + 1024;
	while (n < a->max_entries / 2 && n < ((size_t)1 << 20))
		n *= 2;
	a->buckets = calloc(n, sizeof(*a->buckets));
	if (a->buckets == NULL)
		return -1;
	a->nbuckets = n;
	return 0;
}

void admit_configure(struct admit *a, const struct admit_limits *l)
{
	/* The table keeps its size: max_total only grows entries' budget. */
	a->limits = *l;
	if ((size_t)l->max_total * 4 + 1024 > a->max_entries)
		a->max_entries = (size_t)l->max_total * 4 + 1024;
}

void admit_free(struct admit *a)
{
	for (size_t i = 0; a->buckets != NULL && i < a->nbuckets; i++)
		for (struct admit_entry *e = a->buckets[i], *next; e != NULL; e = next) {
			next = e->next;
			free(e);
		}
	free(a->buckets);
	memset(a, 0, sizeof(*a));
}

enum admit_verdict admit_check(struct admit *a, const struct admit_key *k, double now)
{
	const struct admit_limits *l = &a->limits;
	struct admit_entry *e = get(a, k, now);
	unsigned held = e != NULL ? e->conns : 0;

	if (e == NULL)
		return ADMIT_NO_MEMORY;
	if (l->per_address > 0 && held >= l->per_address)
		return ADMIT_PER_ADDRESS;
	if (l->rate > 0) {
		refill(a, e, now);
		if (e->tokens < 1.0)
			return ADMIT_RATE;
	}
	if (a->total >= l->max_total)
		return held == 0 ? ADMIT_FULL_EVICT : ADMIT_FULL;
	/* The last slots are kept for addresses that hold none, so that a
	 * newcomer is served while others hold everything else. */
	if (held > 0 && a->total + l->reserve >= l->max_total)
		return ADMIT_RESERVE;
	if (l->rate > 0)
		e->tokens -= 1.0;
	return ADMIT_OK;
}

int admit_open(struct admit *a, const struct admit_key *k, double now)
{
	struct admit_entry *e = get(a, k, now);

	if (e == NULL)
		return -1;
	e->conns++;
	a->total++;
	return 0;
}

void admit_close(struct admit *a, const struct admit_key *k)
{
	struct admit_entry *e = find(a, k);

	if (e == NULL || e->conns == 0)
		return;
	e->conns--;
	a->total--;
}

unsigned admit_held(const struct admit *a, const struct admit_key *k)
{
	const struct admit_entry *e = find(a, k);

	return e != NULL ? e->conns : 0;
}

bool admit_top(const struct admit *a, struct admit_key *k)
{
	const struct admit_entry *best = NULL;

	for (size_t i = 0; i < a->nbuckets; i++)
		for (const struct admit_entry *e = a->buckets[i]; e != NULL; e = e->next)
			if (e->conns > 0 && (best == NULL || e->conns > best->conns))
				best = e;
	if (best == NULL)
		return false;
	*k = best->key;
	return true;
}

const char *admit_reason(enum admit_verdict v)
{
	switch (v) {
	case ADMIT_OK:
		return "admitted";
	case ADMIT_PER_ADDRESS:
		return "too many connections from this address (max-connections-per-address)";
	case ADMIT_RATE:
		return "connecting too often (connection-rate-per-address)";
	case ADMIT_RESERVE:
		return "the last slots are kept for new addresses (connection-reserve)";
	case ADMIT_FULL_EVICT:
	case ADMIT_FULL:
		return "all connections in use (max-connections)";
	case ADMIT_NO_MEMORY:
		return "out of memory";
	}
	return "refused";
}
