/* t_admit.c - unit tests for admit.c, who may connect: per-address limits,
 * connection rates on a fake clock, the reserve for new addresses, the
 * eviction signal when full, IPv6 counted by /64, and a spray of addresses
 * in bounded memory. */
#include "config.h"

#include <arpa/inet.h>
#include <string.h>

#include "../../src/pocdird/pocdird.h"
#include "../tap.h"

static struct admit_key key4(const char *ip)
{
	struct sockaddr_storage ss = {0};
	struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
	struct admit_key k;

	sin->sin_family = AF_INET;
	inet_pton(AF_INET, ip, &sin->sin_addr);
	admit_key_of(&ss, &k);
	return k;
}

static struct admit_key key6(const char *ip)
{
	struct sockaddr_storage ss = {0};
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
	struct admit_key k;

	sin6->sin6_family = AF_INET6;
	inet_pton(AF_INET6, ip, &sin6->sin6_addr);
	admit_key_of(&ss, &k);
	return k;
}

/* Open connections from k until refused; returns how many, *why the
 * verdict that stopped it. */
static unsigned fill(struct admit *a, const struct admit_key *k, double now, unsigned max,
                     enum admit_verdict *why)
{
	unsigned n = 0;

	for (; n < max; n++) {
		enum admit_verdict v = admit_check(a, k, now);

		if (v != ADMIT_OK) {
			*why = v;
			return n;
		}
		admit_open(a, k, now);
	}
	*why = ADMIT_OK;
	return n;
}

int main(void)
{
	struct admit a;
	struct admit_limits l = {
	    .max_total = 100, .per_address = 10, .rate = 0, .burst = 0, .reserve = 20};
	struct admit_key x = key4("192.0.2.1"), y = key4("192.0.2.2"), k;
	enum admit_verdict why;
	unsigned n;

	tap_ok(admit_init(&a, &l, 42) == 0, "admit_init");

	/* Per address. */
	n = fill(&a, &x, 0, 1000, &why);
	tap_ok(n == 10 && why == ADMIT_PER_ADDRESS,
	       "one address gets max-connections-per-address "
	       "(%u, then %s)",
	       n, admit_reason(why));
	tap_ok(admit_check(&a, &y, 0) == ADMIT_OK, "... another address still gets in");
	admit_close(&a, &x);
	tap_ok(admit_check(&a, &x, 0) == ADMIT_OK, "... and x again once one closes");
	admit_open(&a, &x, 0);

	/* The reserve: ten more addresses want 8 each; the last 20 of 100
	 * slots are only for addresses that hold none. */
	for (int i = 0; i < 10; i++) {
		char ip[32];

		snprintf(ip, sizeof(ip), "198.51.100.%d", i);
		k = key4(ip);
		fill(&a, &k, 0, 8, &why);
	}
	/* 10 + 8 * 8 + 6 reach 80, the edge of the reserve; the tenth address
	 * holds none, so it still gets one. */
	tap_ok(a.total == 81, "addresses holding some stop at the reserve: 81 open (%u)", a.total);
	k = key4("198.51.100.1");
	tap_ok(admit_check(&a, &k, 0) == ADMIT_RESERVE,
	       "within the reserve, an address that holds some is refused (%s)",
	       admit_reason(admit_check(&a, &k, 0)));
	k = key4("203.0.113.1");
	tap_ok(admit_check(&a, &k, 0) == ADMIT_OK, "... a new address is admitted");
	for (int i = 0; a.total < 100; i++) {
		char ip[32];

		snprintf(ip, sizeof(ip), "203.0.113.%d", i);
		k = key4(ip);
		if (admit_check(&a, &k, 0) == ADMIT_OK)
			admit_open(&a, &k, 0);
	}
	k = key4("203.0.113.200");
	tap_ok(admit_check(&a, &k, 0) == ADMIT_FULL_EVICT,
	       "full: a new address asks for room to be made");
	tap_ok(admit_check(&a, &x, 0) == ADMIT_PER_ADDRESS || admit_check(&a, &x, 0) == ADMIT_FULL,
	       "full: an address holding some is refused");
	tap_ok(admit_top(&a, &k) && memcmp(k.b, x.b, sizeof(k.b)) == 0 && admit_held(&a, &k) == 10,
	       "admit_top names the address holding the most (10)");
	admit_free(&a);

	/* Rates on a fake clock: burst, then rate per second. */
	l = (struct admit_limits){
	    .max_total = 1000, .per_address = 1000, .rate = 5, .burst = 20, .reserve = 0};
	admit_init(&a, &l, 7);
	n = 0;
	for (int i = 0; i < 100; i++)
		if (admit_check(&a, &x, 0.0) == ADMIT_OK)
			n++;
	tap_ok(n == 20, "a burst of 20 at once (%u)", n);
	tap_ok(admit_check(&a, &x, 0.1) == ADMIT_RATE, "then connecting too often is refused");
	n = 0;
	for (int i = 0; i < 100; i++)
		if (admit_check(&a, &x, 10.0 + i * 0.01) == ADMIT_OK)
			n++;
	tap_ok(n >= 20 && n <= 26, "after 10 s: a full bucket again, plus 5/s (%u in 1 s)", n);
	tap_ok(admit_check(&a, &y, 10.5) == ADMIT_OK, "another address has its own rate");
	/* A spray of addresses that each connect once and leave. */
	for (unsigned i = 0; i < 200000; i++) {
		struct admit_key s = {0};

		memcpy(s.b + 12, &i, sizeof(i));
		s.b[10] = s.b[11] = 0xff;
		if (admit_check(&a, &s, 20.0) == ADMIT_OK) {
			admit_open(&a, &s, 20.0);
			admit_close(&a, &s);
		}
	}
	tap_ok(a.nentries <= a.max_entries,
	       "a spray of 200,000 addresses keeps %zu entries (max %zu)", a.nentries,
	       a.max_entries);
	admit_sweep(&a, 1000.0);
	tap_ok(a.nentries == 0, "swept once their buckets refill (%zu left)", a.nentries);
	admit_free(&a);

	/* IPv6: one /64 is one address; IPv4-mapped is IPv4. */
	l = (struct admit_limits){.max_total = 100, .per_address = 2, .reserve = 0};
	admit_init(&a, &l, 9);
	k = key6("2001:db8:1:2::1");
	admit_open(&a, &k, 0);
	k = key6("2001:db8:1:2:ffff::7");
	admit_open(&a, &k, 0);
	k = key6("2001:db8:1:2:abcd::9");
	tap_ok(admit_check(&a, &k, 0) == ADMIT_PER_ADDRESS, "IPv6: counted per /64");
	k = key6("2001:db8:1:3::1");
	tap_ok(admit_check(&a, &k, 0) == ADMIT_OK, "IPv6: the next /64 is another address");
	k = key6("::ffff:192.0.2.1");
	tap_ok(memcmp(k.b, x.b, sizeof(k.b)) == 0, "IPv4-mapped IPv6 is the IPv4 address");
	admit_free(&a);
	return tap_done();
}
