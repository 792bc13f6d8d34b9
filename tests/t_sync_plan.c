/* t_sync_plan.c - the pure parts of sync, without a network or a clock:
 * index parsing (hostile inputs included), sync_plan's decisions, the
 * backoff schedule with fixed random values, and the history's rollback
 * protection and "as of" selection. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "feed.h"
#include "history.h"
#include "sync.h"
#include "tap.h"
#include "util.h"

static const char good_index[] =
    "publisher: hub\n"
    "generated: 2026-11-22T09:00:00Z\n"
    "origins:\n"
    "  - origin: kr\n"
    "    serial: 2026112202\n"
    "    sha256: 0000000000000000000000000000000000000000000000000000000000000001\n"
    "    size: 100\n"
    "    path: origins/kr/2026112202.yaml\n"
    "  - origin: jp\n"
    "    serial: 2026112101\n"
    "    sha256: 0000000000000000000000000000000000000000000000000000000000000002\n"
    "    path: origins/jp/2026112101.yaml\n"
    "  - origin: sg\n"
    "    serial: 7\n"
    "    sha256: 0000000000000000000000000000000000000000000000000000000000000003\n"
    "    path: origins/sg/7.yaml\n"
    "  - origin: th\n"
    "    serial: 5\n"
    "    sha256: 0000000000000000000000000000000000000000000000000000000000000004\n"
    "    path: origins/th/5.yaml\n";

static void test_index(void)
{
	struct feed_index ix;
	pocdir_error err = {0};
	char *text;
	struct feed_index again;

	tap_ok(feed_index_parse(good_index, strlen(good_index), "index.yaml", &ix, &err) == 0,
	       "parse a good index: %s", err.message);
	tap_ok(ix.count == 4 && strcmp(ix.items[0].origin, "jp") == 0 &&
	           strcmp(ix.items[3].origin, "th") == 0,
	       "items sorted by origin");
	tap_is(ix.publisher, "hub", "publisher");
	text = feed_index_render(&ix);
	tap_ok(text != NULL &&
	           feed_index_parse(text, strlen(text), "rendered", &again, &err) == 0 &&
	           again.count == 4 && again.items[1].serial == 2026112202ULL,
	       "render and parse back");
	feed_index_clear(&again);
	free(text);
	feed_index_clear(&ix);

	static const struct {
		const char *text;
		const char *what;
	} bad[] = {
	    {"origins: [", "invalid YAML"},
	    {"- a\n- b\n", "not a mapping"},
	    {"publisher: x\n", "no origins"},
	    {"origins:\n  - origin: kr\n    serial: 1\n    sha256: "
	     "0000000000000000000000000000000000000000000000000000000000000001\n"
	     "    path: ../../etc/passwd\n",
	     "path outside origins/<id>/<serial>.yaml"},
	    {"origins:\n  - origin: kr\n    serial: 1\n    sha256: "
	     "0000000000000000000000000000000000000000000000000000000000000001\n"
	     "    path: origins/kr/2.yaml\n",
	     "path naming another serial"},
	    {"origins:\n  - origin: ../kr\n    serial: 1\n    sha256: "
	     "0000000000000000000000000000000000000000000000000000000000000001\n"
	     "    path: origins/../kr/1.yaml\n",
	     "origin id with a path in it"},
	    {"origins:\n  - origin: kr\n    serial: -1\n    sha256: "
	     "0000000000000000000000000000000000000000000000000000000000000001\n"
	     "    path: origins/kr/-1.yaml\n",
	     "negative serial"},
	    {"origins:\n  - origin: kr\n    serial: 99999999999999999999999\n    sha256: "
	     "0000000000000000000000000000000000000000000000000000000000000001\n"
	     "    path: origins/kr/1.yaml\n",
	     "serial beyond 64 bits"},
	    {"origins:\n  - origin: kr\n    serial: 1\n    sha256: XYZ\n"
	     "    path: origins/kr/1.yaml\n",
	     "sha256 not hex"},
	    {"origins:\n  - &a {origin: kr, serial: 1, sha256: "
	     "0000000000000000000000000000000000000000000000000000000000000001, path: "
	     "origins/kr/1.yaml}\n  - *a\n",
	     "the same origin twice (through an alias)"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		pocdir_error e = {0};

		tap_ok(feed_index_parse(bad[i].text, strlen(bad[i].text), "index.yaml", &ix, &e) ==
		               -1 &&
		           ix.count == 0,
		       "refused: %s (%s)", bad[i].what, e.message);
	}
	/* Billion laughs: aliases are references in libyaml's loader, and we
	 * never expand them, so this parses (or fails) in bounded memory. */
	{
		char lol[4096] = "a: &a [x,x,x,x,x,x,x,x,x,x]\n";
		pocdir_error e = {0};

		for (char c = 'b'; c <= 'j'; c++) {
			size_t n = strlen(lol);

			snprintf(lol + n, sizeof(lol) - n,
			         "%c: &%c [*%c,*%c,*%c,*%c,*%c,*%c,*%c,*%c,*%c,*%c]\n", c, c, c - 1,
			         c - 1, c - 1, c - 1, c - 1, c - 1, c - 1, c - 1, c - 1, c - 1);
		}
		strcat(lol, "origins: *j\n");
		tap_ok(feed_index_parse(lol, strlen(lol), "lol.yaml", &ix, &e) == -1,
		       "billion laughs refused quickly: %s", e.message);
	}
	{
		size_t n = FEED_MAX_INDEX_BYTES + 1;
		char *big = malloc(n + 1);
		pocdir_error e = {0};

		memset(big, ' ', n);
		big[n] = '\0';
		tap_ok(big != NULL && feed_index_parse(big, n, "big.yaml", &ix, &e) == -1 &&
		           e.code == POCDIR_ERR_LIMIT,
		       "oversized index refused: %s", e.message);
		free(big);
	}
}

static void test_plan(void)
{
	struct feed_index ix;
	struct sync_trusted trusted[3];
	uint64_t held[3];
	struct sync_action *a = NULL;
	pocdir_error err = {0};
	int n;

	memset(trusted, 0, sizeof(trusted));
	snprintf(trusted[0].origin, sizeof(trusted[0].origin), "kr");
	snprintf(trusted[1].origin, sizeof(trusted[1].origin), "jp");
	snprintf(trusted[2].origin, sizeof(trusted[2].origin), "sg");
	held[0] = 2026112201; /* kr: the peer has newer */
	held[1] = 2026112201; /* jp: the peer has older */
	held[2] = 7;          /* sg: the same */
	feed_index_parse(good_index, strlen(good_index), "index.yaml", &ix, &err);
	n = sync_plan(&ix, trusted, held, 3, &a, &err);
	tap_ok(n == 4, "one action per index item (%d)", n);
	if (n == 4) {
		/* Sorted index: jp, kr, sg, th. */
		tap_ok(a[0].decision == SYNC_STALE && a[0].held == 2026112201ULL,
		       "jp: peer older than held -> keep ours (replay or lagging peer)");
		tap_ok(a[1].decision == SYNC_FETCH && a[1].trusted == &trusted[0],
		       "kr: newer -> fetch, with kr's trusted key");
		tap_ok(a[2].decision == SYNC_CURRENT, "sg: same serial -> nothing to do");
		tap_ok(a[3].decision == SYNC_UNTRUSTED && a[3].trusted == NULL,
		       "th: not trusted here -> ignored, never fetched");
	}
	free(a);
	held[0] = 0;
	n = sync_plan(&ix, trusted, held, 1, &a, &err);
	tap_ok(n == 4 && a[1].decision == SYNC_FETCH && a[0].decision == SYNC_UNTRUSTED,
	       "nothing held -> fetch; a shorter trusted list distrusts the rest");
	free(a);
	feed_index_clear(&ix);
	{
		struct feed_index empty = {0};

		tap_ok(sync_plan(&empty, trusted, held, 3, &a, &err) == 0 && a == NULL,
		       "empty index -> no actions");
	}
}

static void test_backoff(void)
{
	const uint32_t mid = 0x80000000u, lo = 0, hi = 0xffffffffu;
	double d, prev = 0;
	int grows = 1;

	tap_ok(sync_next_delay(300, 0, 10, 3600, mid) == 300.0, "success: the interval");
	d = sync_next_delay(300, 0, 10, 3600, lo);
	tap_ok(d >= 270.0 && d < 270.01, "jitter low end: -10%% (%.2f)", d);
	d = sync_next_delay(300, 0, 10, 3600, hi);
	tap_ok(d > 329.9 && d < 330.0, "jitter high end: just under +10%% (%.2f)", d);
	tap_ok(sync_next_delay(300, 1, 10, 3600, mid) == 10.0, "first failure: base");
	tap_ok(sync_next_delay(300, 2, 10, 3600, mid) == 20.0, "second: doubled");
	tap_ok(sync_next_delay(300, 5, 10, 3600, mid) == 160.0, "fifth: base * 2^4");
	for (unsigned f = 1; f < 40; f++) {
		d = sync_next_delay(300, f, 10, 3600, mid);
		if (d < prev)
			grows = 0;
		prev = d;
	}
	tap_ok(grows, "never shrinks while failures grow");
	tap_ok(sync_next_delay(300, 1000, 10, 3600, mid) == 3600.0,
	       "capped, and no overflow at 1000 failures");
	tap_ok(sync_next_delay(300, 4000000000u, 10, 3600, hi) < 3960.0,
	       "capped with jitter at absurd failure counts");
	tap_ok(sync_next_delay(1, 0, 1, 1, lo) >= 1.0, "never below one second");
}

/* ---- the schedule on a fake clock (unbound's testbound is the model) ---- */

/* A scripted world: which peer answers at a given time. */
typedef bool (*peer_up_fn)(size_t peer, double t);

struct replay {
	unsigned runs[4];
	double last_gap[4];
	double max_failing_gap; /* while the peer was failing */
	bool backoff_shrank;    /* a failing peer's gap shrank by more than the jitter */
	double first_after[4];  /* first run at or after replay.mark */
	double mark;
};

/* Drive the thread's decisions (sync_schedule_next/_done) on a fake clock
 * until `until`, each sync taking `cost` seconds; rnd is a fixed sequence. */
static void replay(struct sync_schedule *s, const struct sync_peer *peers, double until,
                   double cost, peer_up_fn up, struct replay *r)
{
	double now = 0, prev_gap[4] = {0, 0, 0, 0};
	unsigned failures[4] = {0, 0, 0, 0};
	uint32_t rnd = 12345;

	while (now < until) {
		struct sync_turn t = sync_schedule_next(s, now, 2.0);
		double gap;

		if (!t.due) {
			if (t.wake <= now) { /* a schedule that never lets time pass */
				r->backoff_shrank = true;
				return;
			}
			now = t.wake;
			continue;
		}
		now += cost;
		r->runs[t.peer]++;
		if (r->mark > 0 && now >= r->mark && r->first_after[t.peer] == 0)
			r->first_after[t.peer] = now;
		failures[t.peer] = up(t.peer, now) ? 0 : failures[t.peer] + 1;
		rnd = rnd * 1103515245u + 12345u; /* fixed sequence: repeatable */
		gap = sync_schedule_done(s, t.peer, now, &peers[t.peer], failures[t.peer], 10, 600,
		                         rnd);
		if (failures[t.peer] > 1 && gap < prev_gap[t.peer] * 0.8)
			r->backoff_shrank = true;
		if (failures[t.peer] > 0 && gap > r->max_failing_gap)
			r->max_failing_gap = gap;
		prev_gap[t.peer] = gap;
		r->last_gap[t.peer] = gap;
	}
}

static bool third_down(size_t peer, double t)
{
	(void)t;
	return peer != 2;
}

static bool down_for_15_minutes(size_t peer, double t)
{
	return peer != 0 || t > 900;
}

static void test_schedule(void)
{
	struct sync_peer peers[3] = {
	    {NULL, 300, 10, 1024}, {NULL, 300, 10, 1024}, {NULL, 300, 10, 1024}};
	const uint32_t rnd[3] = {0, 1500, 1999};
	struct sync_schedule s;
	struct sync_turn t;
	struct replay r;

	/* Start: every peer within two seconds, none at once. */
	tap_ok(sync_schedule_init(&s, 3, 100.0, rnd) == 0, "a schedule for three peers");
	t = sync_schedule_next(&s, 100.0, 2.0);
	tap_ok(t.due && t.peer == 0 && s.next[1] < 102.0 && s.next[2] < 102.0,
	       "first turns spread over two seconds, the earliest due at once");
	sync_schedule_done(&s, 0, 100.5, &peers[0], 0, 10, 600, 0x80000000u);
	t = sync_schedule_next(&s, 100.5, 2.0);
	tap_ok(!t.due && t.wake == s.next[1], "not due yet: wake for the next peer (%.3f)", t.wake);
	t = sync_schedule_next(&s, 110.0, 2.0);
	tap_ok(t.due && t.peer == 1, "past their times, the earliest is due first");
	sync_schedule_clear(&s);

	tap_ok(sync_schedule_init(&s, 0, 0.0, rnd) == 0, "a schedule without peers");
	t = sync_schedule_next(&s, 50.0, 2.0);
	tap_ok(!t.due && t.wake == 52.0, "no peers: only the local check wakes the thread");
	sync_schedule_clear(&s);

	/* An hour with the third peer down. */
	memset(&r, 0, sizeof(r));
	sync_schedule_init(&s, 3, 0.0, rnd);
	replay(&s, peers, 3600, 0.5, third_down, &r);
	tap_ok(r.runs[0] >= 11 && r.runs[0] <= 15 && r.runs[1] >= 11 && r.runs[1] <= 15,
	       "fake clock: healthy peers synced about every 300 s (%u, %u runs)", r.runs[0],
	       r.runs[1]);
	tap_ok(!r.backoff_shrank && r.last_gap[2] <= 660 && r.last_gap[2] >= 540,
	       "fake clock: the failing peer backs off to the 600 s cap (last gap %.0f, %u runs)",
	       r.last_gap[2], r.runs[2]);
	sync_schedule_clear(&s);

	/* The first peer is down for 15 minutes, then answers again. */
	memset(&r, 0, sizeof(r));
	r.mark = 900;
	sync_schedule_init(&s, 3, 0.0, rnd);
	replay(&s, peers, 3600, 0.5, down_for_15_minutes, &r);
	tap_ok(r.max_failing_gap <= 660 && r.first_after[0] > 0 && r.first_after[0] <= 900 + 660,
	       "fake clock: retried within the cap after it came back (at %.0f s)",
	       r.first_after[0]);
	tap_ok(r.last_gap[0] >= 270 && r.last_gap[0] <= 330,
	       "fake clock: back on its interval after a success (gap %.0f)", r.last_gap[0]);
	sync_schedule_clear(&s);
}

static char dir[256];

static void test_history(void)
{
	pocdir_error err = {0};
	struct history_version *v = NULL;
	struct history_at at;
	uint64_t held;
	int n;

	tap_ok(history_commit(dir, "kr", 2026112201, "2026-11-22T09:00:00Z", "one\n", 4, "sig\n", 4,
	                      "test", &err) == HISTORY_COMMITTED,
	       "commit a first version: %s", err.message);
	tap_ok(history_commit(dir, "kr", 2026112201, "2026-11-22T09:00:00Z", "one\n", 4, NULL, 0,
	                      "test", &err) == HISTORY_SAME,
	       "the same bytes again: accepted as already held");
	tap_ok(history_commit(dir, "kr", 2026112201, NULL, "two\n", 4, NULL, 0, "test", &err) ==
	               -1 &&
	           strstr(err.message, "already held") != NULL,
	       "same serial, other bytes: refused: %s", err.message);
	tap_ok(history_commit(dir, "kr", 2026112203, "2026-11-24T09:00:00Z", "three\n", 6, NULL, 0,
	                      "test", &err) == HISTORY_COMMITTED,
	       "a higher serial: committed");
	tap_ok(history_commit(dir, "kr", 2026112202, NULL, "two\n", 4, NULL, 0, "test", &err) ==
	               -1 &&
	           strstr(err.message, "rollback") != NULL,
	       "a lower serial: refused: %s", err.message);
	tap_ok(history_commit(dir, "../x", 1, NULL, "x", 1, NULL, 0, "test", &err) == -1,
	       "an origin id with a path in it: refused");
	tap_ok(history_held(dir, "kr", &held, &err) == 0 && held == 2026112203ULL,
	       "held: the newest");
	n = history_list(dir, NULL, &v, &err);
	tap_ok(n == 2 && v[0].serial == 2026112201ULL &&
	           strcmp(v[1].updated, "2026-11-24T09:00:00Z") == 0 &&
	           strcmp(v[1].source, "test") == 0 && strlen(v[1].sha256) == 64,
	       "list: both versions with their metadata");
	free(v);

	tap_ok(history_at_parse("2026112202", &at, &err) == 0 && at.kind == AT_SERIAL &&
	           history_at_matches(&at, 2026112201, NULL) &&
	           !history_at_matches(&at, 2026112203, NULL),
	       "--at SERIAL selects serials up to it");
	tap_ok(history_at_parse("2026-11-23", &at, &err) == 0 && at.kind == AT_TIME &&
	           history_at_matches(&at, 1, "2026-11-22T09:00:00Z") &&
	           history_at_matches(&at, 1, "2026-11-23T23:00:00Z") &&
	           !history_at_matches(&at, 1, "2026-11-24T09:00:00Z") &&
	           history_at_matches(&at, 1, "2026-11-23"),
	       "--at DATE: as it stood at the end of that day");
	tap_ok(history_at_parse("2026-11-23T10:00:00Z", &at, &err) == 0 &&
	           !history_at_matches(&at, 1, "2026-11-23T11:00:00Z"),
	       "--at TIME: exact");
	tap_ok(history_at_parse("yesterday", &at, &err) == -1, "--at nonsense refused: %s",
	       err.message);
	/* A torn commit: a .meta without its .yaml is not a version. */
	{
		char p[512];
		FILE *f;

		snprintf(p, sizeof(p), "%s/sets/kr/2026112299.meta", dir);
		f = fopen(p, "w");
		if (f != NULL)
			fclose(f);
		tap_ok(history_held(dir, "kr", &held, &err) == 0 && held == 2026112203ULL,
		       "a leftover .meta without .yaml (crash mid-commit) is ignored");
	}
}

/* Load text as a configuration file; returns 0 or -1 with err set. */
static int config_text(const char *text, pocdir_error *err)
{
	char path[300];
	pocdir_sync_config *cfg;
	FILE *f;

	snprintf(path, sizeof(path), "%s/pocdird.conf", dir);
	if ((f = fopen(path, "w")) == NULL || fputs(text, f) == EOF || fclose(f) != 0)
		return -1;
	cfg = pocdir_sync_config_load(path, err);
	pocdir_sync_config_free(&cfg);
	unlink(path);
	return err->code == POCDIR_OK ? 0 : -1;
}

static void test_config(void)
{
	pocdir_error err = {0};

	tap_ok(config_text("sync:\n  max-size: 64K\n", &err) == 0, "max-size 64K accepted: %s",
	       err.message);
	/* One duplicate-key rule for every YAML file, as for origin files. */
	tap_ok(
	    config_text("sync:\n  max-size: 64K\n  interval: 60\n  max-size: 64M\n", &err) == -1 &&
	        strstr(err.message, ":4:3: duplicate key \"max-size\" (first at line 2)") != NULL,
	    "a duplicate key in the configuration is refused: %s", err.message);
	/* 2^54 + 1 K wraps to 1 K if shifted before the check. */
	{
		/* A peer's index saying two serials for one origin. */
		static const char twice[] =
		    "publisher: hub\norigins:\n  - origin: kr\n    serial: 1\n    serial: 9\n"
		    "    sha256: "
		    "0000000000000000000000000000000000000000000000000000000000000001\n"
		    "    path: origins/kr/1.yaml\n";
		struct feed_index ix;

		tap_ok(feed_index_parse(twice, sizeof(twice) - 1, "index.yaml", &ix, &err) == -1 &&
		           strstr(err.message, "duplicate key \"serial\"") != NULL,
		       "a peer's index with a key twice is refused: %s", err.message);
	}
	tap_ok(config_text("sync:\n  max-size: 18014398509481985K\n", &err) == -1 &&
	           strstr(err.message, "max-size: expected a whole number from 1024 to") != NULL,
	       "a size that overflows when scaled is refused: %s", err.message);
	tap_ok(config_text("sync:\n  max-size: 65537K\n", &err) == -1,
	       "one K over the limit is refused: %s", err.message);
	tap_ok(config_text("sync:\n  trusted:\n    - {origin: [kr], key: x, scope: [KR]}\n",
	                   &err) == -1 &&
	           strstr(err.message, "trusted: origin: expected a single value") != NULL,
	       "an origin that is not a scalar says so: %s", err.message);
	tap_ok(config_text("sync:\n  trusted:\n    - {origin: kr, key: "
	                   "RWQf6LRCGA9i53mlYecO4IzT51TGPpvWucNSCh1CBM0QTaLn73Y7GFO3, "
	                   "scope: [[KR]]}\n",
	                   &err) == -1 &&
	           strstr(err.message, "scope: expected a country code") != NULL,
	       "a scope item that is not a scalar says so: %s", err.message);
}

int main(void)
{
	const char *tmp = getenv("TMPDIR");
	char cmd[300];

	snprintf(dir, sizeof(dir), "%s/pocdir-plan.XXXXXX", tmp ? tmp : "/tmp");
	if (mkdtemp(dir) == NULL)
		return 1;
	test_index();
	test_plan();
	test_backoff();
	test_schedule();
	test_history();
	test_config();
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		tap_diag("could not remove %s", dir);
	return tap_done();
}
