/* sched.c - pocdird's sync schedule: one thread syncs each peer when it is
 * due (interval, or exponential backoff with jitter after failures), and
 * asks the snapshot source for a new snapshot when a set was committed. */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sched.h"
#include "sync.h"
#include "util.h"

/* Seconds between looks at the local signatures (a few stat calls). */
#define LOCAL_CHECK 2.0

static pocdir_sync_config *cfg;
static struct source *source; /* the daemon's: builds every snapshot it serves */
static pthread_t thread;
static atomic_bool thread_running;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake;
static bool stopping;                    /* guarded by lock */
static char *live_directory, *live_base; /* the daemon's, which -d may have set */
/* A configuration read on SIGHUP, taken by the thread at its next turn
 * (guarded by lock), and the feed server's address and folder as started
 * (the event loop's thread only). */
static pocdir_sync_config *pending_cfg;
static char *pending_directory, *pending_base;
static char *http_addr, *http_dir;

/* Problems while building: a local file's (file:line:col), or a local set
 * that cannot be recorded, or the feed's; logged, the others go on. */
static void build_warning(const pocdir_diag *d, void *ctx)
{
	(void)ctx;
	if (d->line > 0)
		log_err("%s:%lu:%lu: %s", d->file, d->line, d->column, d->message);
	else
		log_warn("sync: %s: %s", d->file != NULL ? d->file : "directory", d->message);
}

int sched_spec(const struct config *c, bool starting, struct source_spec *spec,
               pocdir_sync_config **hold, pocdir_error *err)
{
	*hold = NULL;
	*spec = (struct source_spec){.directory = c->directory, .base_dn = c->base};
	if (c->file != NULL && (*hold = pocdir_sync_config_load(c->file, err)) == NULL)
		return -1;
	/* Adding or removing the sync: section takes a restart: until then
	 * a reload builds the way the daemon started. */
	if (*hold != NULL && (*hold)->present && (starting || atomic_load(&thread_running))) {
		spec->state = (*hold)->state;
		spec->feed_dir = (*hold)->feed_dir;
		spec->publisher = (*hold)->publisher;
	}
	return 0;
}

static double monotonic(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* One peer's sync run, as on_event logs it. */
struct run_log {
	unsigned ignored_held; /* "ignored" lines not logged one by one */
};

/* A peer may list thousands of origins not trusted here, every run: their
 * lines are rate-limited (sync thread only), the rest counted per run. */
static struct log_limit ignored_log;
#define IGNORED_LINES 20      /* ... at most this many */
#define IGNORED_WINDOW 3600.0 /* ... per this many seconds */

/* Log each step of a sync the way operators grep for: peer, origin, why. */
static void on_event(const pocdir_sync_event *ev, void *ctx)
{
	struct run_log *run = ctx;

	switch (ev->kind) {
	case POCDIR_SYNC_PEER:
		log_debug("sync: peer %s: starting", ev->peer);
		break;
	case POCDIR_SYNC_NOT_MODIFIED:
		log_debug("sync: peer %s: not modified", ev->peer);
		break;
	case POCDIR_SYNC_FETCH:
		log_debug("sync: peer %s origin %s: fetching %llu", ev->peer, ev->origin,
		          (unsigned long long)ev->serial);
		break;
	case POCDIR_SYNC_UPDATED:
		log_info("sync: peer %s origin %s: updated to %llu", ev->peer, ev->origin,
		         (unsigned long long)ev->serial);
		break;
	case POCDIR_SYNC_IGNORED:
		if (log_limit_ok(&ignored_log, IGNORED_LINES, IGNORED_WINDOW, monotonic(),
		                 "lines about ignored origins"))
			log_info("sync: peer %s origin %s: %s", ev->peer, ev->origin, ev->message);
		else if (run != NULL)
			run->ignored_held++;
		break;
	case POCDIR_SYNC_REJECTED:
		log_warn("sync: peer %s origin %s: rejected: %s; keeping the held version",
		         ev->peer, ev->origin, ev->message);
		break;
	case POCDIR_SYNC_PEER_FAILED:
		log_warn("sync: peer %s: failed: %s", ev->peer, ev->message);
		break;
	}
}

/* After a commit: republish the feed (relaying what we accepted, byte for
 * byte) and serve a snapshot with it, through the one snapshot source. */
static void publish_snapshot(void)
{
	pocdir_error err = {0};
	struct store *s;
	long long gen = source_rebuild(source, NULL, build_warning, NULL, &err);

	if (gen < 0) {
		log_err("sync: cannot build the new snapshot: %s; the old one keeps serving",
		        err.message);
		return;
	}
	s = source_snapshot(source, NULL);
	log_info("sync: now serving %zu contacts from %zu origins, version %.12s (generation "
	         "%lld)",
	         s->nentries, s->norigins, s->version, gen);
	store_unref(&s);
}

/* A schedule for the peers of cfg from now (sync_schedule_init). */
static int schedule_start(struct sync_schedule *s, size_t npeers)
{
	uint32_t *rnd = calloc(npeers + 1, sizeof(uint32_t));
	int rc;

	if (rnd == NULL)
		return -1;
	for (size_t i = 0; i < npeers; i++)
		rnd[i] = randombytes_random();
	rc = sync_schedule_init(s, npeers, monotonic(), rnd);
	free(rnd);
	return rc;
}

/* The thread around the pure schedule (sync.h): take a reloaded
 * configuration, look at the local signatures, then sync the peer that is
 * due or sleep until one is. */
static void *sync_thread(void *arg)
{
	struct sync_schedule sched = {NULL, 0};
	long long signed_at = sync_signed_at(live_directory);
	char held[65], now_held[65];

	(void)arg;
	sync_held_digest(cfg->state, held);
	if (schedule_start(&sched, cfg->npeers) == -1) {
		log_err("sync: out of memory; peers are not synced");
		return NULL;
	}
	pthread_mutex_lock(&lock);
	while (!stopping) {
		pocdir_sync_report rep = {0};
		struct run_log run;
		struct sync_peer_state st;
		pocdir_error err = {0};
		struct sync_turn turn;
		double delay;

		if (pending_cfg != NULL) {
			/* SIGHUP: new peers and trusted origins from the next turn;
			 * every peer is synced again soon. */
			struct sync_schedule grown;

			if (schedule_start(&grown, pending_cfg->npeers) == 0) {
				pocdir_sync_config *old = cfg;

				sync_schedule_clear(&sched);
				sched = grown;
				cfg = pending_cfg;
				pending_cfg = NULL;
				free(live_directory);
				free(live_base);
				live_directory = pending_directory;
				live_base = pending_base;
				pending_directory = pending_base = NULL;
				pocdir_sync_config_free(&old);
				log_info("sync: reloaded: %zu peers, %zu trusted origins",
				         cfg->npeers, cfg->ntrusted);
			}
		}

		/* A set signed here goes out within LOCAL_CHECK seconds, not at
		 * the next peer's turn. */
		pthread_mutex_unlock(&lock);
		if (sync_signed_at(live_directory) != signed_at) {
			pocdir_error rerr = {0};

			/* Reread through the source: it records the newly signed
			 * sets, republishes and serves them. */
			signed_at = sync_signed_at(live_directory);
			if (source_reload(source, NULL, build_warning, NULL, &rerr) < 0)
				log_warn("sync: newly signed local sets: %s", rerr.message);
			else
				log_info("sync: local signatures changed: recorded and published");
			sync_held_digest(cfg->state, held);
		}
		pthread_mutex_lock(&lock);
		if (stopping)
			break;
		turn = sync_schedule_next(&sched, monotonic(), LOCAL_CHECK);
		if (!turn.due) {
			struct timespec until;

			until.tv_sec = (time_t)turn.wake;
			until.tv_nsec = (long)((turn.wake - (double)until.tv_sec) * 1e9);
			pthread_cond_timedwait(&wake, &lock, &until);
			continue;
		}
		pthread_mutex_unlock(&lock);
		run = (struct run_log){0};
		(void)sync_peer(cfg, &cfg->peers[turn.peer], on_event, &run, &rep, &err);
		if (run.ignored_held > 0)
			log_info("sync: peer %s: %u more origins ignored (not trusted here, or "
			         "older than held), not logged one by one",
			         cfg->peers[turn.peer].url, run.ignored_held);
		sync_state_load(cfg->state, cfg->peers[turn.peer].url, &st, NULL);
		delay = sync_schedule_done(&sched, turn.peer, monotonic(), &cfg->peers[turn.peer],
		                           st.failures, cfg->backoff_base, cfg->backoff_max,
		                           randombytes_random());
		if (st.failures > 0)
			log_info("sync: peer %s: %u failed %s, next try in %.0f s",
			         cfg->peers[turn.peer].url, st.failures,
			         st.failures == 1 ? "run" : "runs in a row", delay);
		sync_held_digest(cfg->state, now_held);
		if (rep.updated > 0 || strcmp(now_held, held) != 0)
			publish_snapshot();
		memcpy(held, now_held, sizeof(held));
		pthread_mutex_lock(&lock);
	}
	pthread_mutex_unlock(&lock);
	sync_schedule_clear(&sched);
	return NULL;
}

int sched_start(const struct config *c, struct source *src, pocdir_error *err)
{
	pthread_condattr_t attr;

	if (c->file == NULL)
		return 0;
	if ((cfg = pocdir_sync_config_load(c->file, err)) == NULL)
		return -1;
	if (!cfg->present) {
		pocdir_sync_config_free(&cfg);
		return 0;
	}
	if (cfg->feed_listen != NULL) {
		if (http_start(cfg->feed_listen, cfg->feed_dir, err) == -1)
			goto fail;
		http_addr = str_dup(cfg->feed_listen);
		http_dir = str_dup(cfg->feed_dir);
	}
	live_directory = str_dup(c->directory);
	live_base = str_dup(c->base);
	if ((c->directory != NULL && live_directory == NULL) ||
	    (c->base != NULL && live_base == NULL)) {
		error_set(err, POCDIR_ERR_SYSTEM, "out of memory");
		goto fail;
	}
	source = src;
	/* Wait on the monotonic clock: a wall-clock jump must not stall syncs. */
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&wake, &attr);
	pthread_condattr_destroy(&attr);
	stopping = false;
	if (pthread_create(&thread, NULL, sync_thread, NULL) != 0) {
		error_set(err, POCDIR_ERR_SYSTEM, "sync: cannot start the sync thread");
		goto fail;
	}
	atomic_store(&thread_running, true);
	log_info("sync: %zu peers, %zu trusted origins, state %s", cfg->npeers, cfg->ntrusted,
	         cfg->state);
	return 0;
fail:
	sched_stop();
	return -1;
}

void sched_stop(void)
{
	if (atomic_load(&thread_running)) {
		pthread_mutex_lock(&lock);
		stopping = true;
		pthread_cond_signal(&wake);
		pthread_mutex_unlock(&lock);
		pthread_join(thread, NULL);
		atomic_store(&thread_running, false);
		pthread_cond_destroy(&wake);
	}
	http_stop();
	source = NULL;
	pthread_mutex_lock(&lock);
	pocdir_sync_config_free(&pending_cfg);
	free(pending_directory);
	free(pending_base);
	pending_directory = pending_base = NULL;
	pthread_mutex_unlock(&lock);
	free(http_addr);
	free(http_dir);
	http_addr = http_dir = NULL;
	pocdir_sync_config_free(&cfg);
	free(live_directory);
	free(live_base);
	live_directory = live_base = NULL;
}

static bool differ(const char *a, const char *b)
{
	return (a == NULL) != (b == NULL) || (a != NULL && strcmp(a, b) != 0);
}

void sched_reload(const struct config *c)
{
	pocdir_sync_config *next_cfg;
	pocdir_error err = {0};
	char *dir = NULL, *base = NULL;

	if (c->file == NULL)
		return;
	if ((next_cfg = pocdir_sync_config_load(c->file, &err)) == NULL) {
		log_err("reload: %s; the sync settings stay as they were", err.message);
		return;
	}
	if (next_cfg->present != atomic_load(&thread_running)) {
		log_warn("reload: %s the sync: section takes a restart",
		         atomic_load(&thread_running) ? "removing" : "adding");
		pocdir_sync_config_free(&next_cfg);
		return;
	}
	if (!atomic_load(&thread_running)) {
		pocdir_sync_config_free(&next_cfg);
		return;
	}
	if (differ(http_addr, next_cfg->feed_listen) ||
	    (http_addr != NULL && differ(http_dir, next_cfg->feed_dir))) {
		http_stop();
		free(http_addr);
		free(http_dir);
		http_addr = http_dir = NULL;
		if (next_cfg->feed_listen != NULL) {
			if (http_start(next_cfg->feed_listen, next_cfg->feed_dir, &err) == -1)
				log_err("reload: %s; the feed is not served over HTTP",
				        err.message);
			else {
				http_addr = str_dup(next_cfg->feed_listen);
				http_dir = str_dup(next_cfg->feed_dir);
			}
		}
	}
	dir = str_dup(c->directory);
	base = str_dup(c->base);
	pthread_mutex_lock(&lock);
	pocdir_sync_config_free(&pending_cfg);
	free(pending_directory);
	free(pending_base);
	pending_cfg = next_cfg;
	pending_directory = dir;
	pending_base = base;
	pthread_cond_signal(&wake);
	pthread_mutex_unlock(&lock);
}
