/* sync.h - fetching peers' feeds: configuration, the pure decision of what
 * to fetch (sync_plan), the backoff schedule (sync_next_delay), per-peer
 * state, and the libcurl shell that runs one peer (sync_peer). */
#ifndef POCDIR_SYNC_H
#define POCDIR_SYNC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "feed.h"
#include "pocdir.h"
#include "sign.h"

#define SYNC_DEFAULT_INTERVAL 300         /* seconds between syncs of a peer */
#define SYNC_DEFAULT_TIMEOUT 30           /* seconds for one request */
#define SYNC_DEFAULT_MAX_SIZE (16u << 20) /* bytes of one set */
#define SYNC_DEFAULT_BACKOFF_BASE 10      /* first retry after a failure */
#define SYNC_DEFAULT_BACKOFF_MAX 3600     /* longest wait between retries */
#define SYNC_JITTER_PERCENT 10
#define SYNC_MAX_PEERS 256
#define SYNC_MAX_TRUSTED 4096
#define SYNC_MAX_URL 512

struct sync_peer {
	char *url;         /* feed folder URL, e.g. "https://cert.kr.example/pocdir/" */
	unsigned interval; /* seconds */
	unsigned timeout;  /* seconds for one request (connect + transfer) */
	uint64_t max_size; /* bytes of one set */
};

/* An origin this node accepts sets of: its key and the countries it may
 * speak for. */
struct sync_trusted {
	char origin[65];
	struct sign_pubkey key;
	char (*scope)[3]; /* upper-case ISO codes */
	size_t nscope;
};

struct pocdir_sync_config {
	char *file;        /* the YAML file it came from */
	bool present;      /* the file has a "sync:" section */
	char *directory;   /* this node's own origin files ("directory:"), or NULL */
	char *base_dn;     /* "base:", or NULL */
	char *state;       /* state directory */
	char *publisher;   /* this node's name in its feed */
	char *feed_dir;    /* where pocdird publishes its feed (default STATE/feed) */
	char *feed_listen; /* "127.0.0.1:8080": pocdird serves the feed there; NULL = off */
	char *ca_file;     /* CA certificates for https peers; NULL = the system's */
	unsigned backoff_base, backoff_max;
	struct sync_peer *peers;
	size_t npeers;
	struct sync_peer peer_defaults; /* sync: interval, timeout, max-size (no url) */
	struct sync_trusted *trusted;
	size_t ntrusted;
};

/* Find the trusted entry for origin, or NULL. */
const struct sync_trusted *sync_trusted_find(const struct pocdir_sync_config *cfg,
                                             const char *origin);

/* Is the country code cc in t's scope? */
bool sync_in_scope(const struct sync_trusted *t, const char *cc);

/* What to do about one origin of a peer's index. */
enum sync_decision {
	SYNC_FETCH,    /* trusted and newer than held: fetch, check, commit */
	SYNC_CURRENT,  /* the same serial is held */
	SYNC_STALE,    /* the peer has an older serial than held: keep ours */
	SYNC_UNTRUSTED /* no trusted key for this origin here: ignore */
};

struct sync_action {
	enum sync_decision decision;
	const struct feed_item *item;       /* in the index */
	const struct sync_trusted *trusted; /* NULL for SYNC_UNTRUSTED */
	uint64_t held;                      /* serial held (0 = none) */
};

/* The pure decision: one action per item of ix, in index order. held[i] is
 * the serial held for trusted[i] (0 when none). *out is an array to free()
 * (NULL when the index is empty). Returns the count, or -1 on allocation
 * failure. No I/O, no clock. */
int sync_plan(const struct feed_index *ix, const struct sync_trusted *trusted, const uint64_t *held,
              size_t ntrusted, struct sync_action **out, pocdir_error *err);

/* Seconds until a peer's next sync: interval after a success (failures ==
 * 0); after n failures, min(base * 2^(n-1), cap). Either way +/- 10%
 * jitter taken from rnd (any 32-bit value, uniformly drawn by the caller),
 * never below one second. Pure: tests pass fixed rnd values. */
double sync_next_delay(unsigned interval, unsigned failures, unsigned base, unsigned cap,
                       uint32_t rnd);

/* The sync thread's schedule, pure: when each peer is due, on a clock the
 * caller gives (seconds; the thread passes CLOCK_MONOTONIC, tests a fake
 * clock), so that the whole schedule is tested without threads or time. */
struct sync_schedule {
	double *next; /* npeers due times */
	size_t npeers;
};

/* What to do now. */
struct sync_turn {
	bool due;    /* sync peer now */
	size_t peer; /* when due */
	double wake; /* else: sleep until then (a peer, or the next local check) */
};

/* Start a schedule for npeers peers at now: first syncs spread over the two
 * seconds after now by rnd[i] (uniform 32-bit values, one per peer), so
 * that peers are not all asked at once. 0, or -1 on allocation failure. */
int sync_schedule_init(struct sync_schedule *s, size_t npeers, double now, const uint32_t *rnd);
void sync_schedule_clear(struct sync_schedule *s);

/* The decision: the peer due earliest when it is due at now, else when to
 * wake (no later than now + local_check, when the local signatures are
 * looked at again; with no peers only that). */
struct sync_turn sync_schedule_next(const struct sync_schedule *s, double now, double local_check);

/* After a sync of peer p ended at now with failures consecutive failed runs:
 * its next turn, sync_next_delay from now. Returns the delay. */
double sync_schedule_done(struct sync_schedule *s, size_t p, double now,
                          const struct sync_peer *peer, unsigned failures, unsigned base,
                          unsigned cap, uint32_t rnd);

/* What the state directory remembers about a peer. */
struct sync_peer_state {
	char url[SYNC_MAX_URL + 1];
	char etag[256];
	char last_modified[64];
	long long last_attempt, last_success;
	unsigned failures;
	char last_error[513];
};

int sync_state_load(const char *state, const char *url, struct sync_peer_state *st,
                    pocdir_error *err);
int sync_state_save(const char *state, const struct sync_peer_state *st, pocdir_error *err);

/* GET url once with the rules a peer's feed is fetched by (http and https
 * only, certificates checked against ca_file or the system's, no
 * redirects, at most max bytes, timeout seconds, slow-transfer abort).
 * Anything but a 200 is an error. *data (NUL-terminated, free() it) and
 * *len receive the body. Returns 0 or -1 with err. */
int sync_fetch(const char *url, const char *ca_file, size_t max, unsigned timeout, char **data,
               size_t *len, pocdir_error *err);

/* The validators of a conditional GET (RFC 9110 13.1.2, 13.1.3): sent
 * when not empty, replaced by the response's on a 200. */
struct sync_validators {
	char etag[256];
	char last_modified[64];
	bool not_modified; /* the answer was 304: *data is NULL */
};

/* As sync_fetch, conditional on v (may be NULL): a 304 returns 0 with
 * v->not_modified set and no body. */
int sync_fetch_conditional(const char *url, const char *ca_file, size_t max, unsigned timeout,
                           struct sync_validators *v, char **data, size_t *len, pocdir_error *err);

/* Sync one peer once: conditional GET of index.yaml, then for each origin
 * sync_plan says to fetch: the set (bounded, hashed as it streams), its
 * sha256 against the index, the signature with the trusted key, parse and
 * validate, scope, serial, commit into the state directory. Every failure
 * keeps the held version and is reported through fn as "peer URL origin
 * ID: reason". Updates rep; returns 0 when nothing failed, else -1 with err
 * holding the first failure. */
int sync_peer(const struct pocdir_sync_config *cfg, const struct sync_peer *peer,
              pocdir_sync_event_fn fn, void *ctx, pocdir_sync_report *rep, pocdir_error *err);

/* ---- what a long-running node watches between syncs -------------------- */

/* A digest (hex) of the newest serial of every origin held in state: it
 * changes when anything commits there (this process, a cron `pocdir sync`,
 * a `pocdir publish`), and then a snapshot built from state is out of date.
 * A state that cannot be read digests as one holding nothing. */
void sync_held_digest(const char *state, char hex[65]);

/* The newest change time, in nanoseconds since the epoch, of the
 * signatures (.minisig) of the origin files of directory (load.c's list):
 * `pocdir sign` rewrites the .minisig, so a new time means a newly signed
 * local set to record and publish. 0 when there is none or directory is
 * NULL. */
long long sync_signed_at(const char *directory);

#endif /* POCDIR_SYNC_H */
